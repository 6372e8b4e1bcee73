package search

import "testing"

func TestPriceWordsReadABudget(t *testing.T) {
	for _, tc := range []struct{ q, rest, low, high string }{
		{"dress under 50", "dress", "", "50"},
		{"charger below £30", "charger", "", "30"},
		{"Under $19.99 headphones", "headphones", "", "19.99"},
		{"boots over 100 euros", "boots", "100", ""},
		{"sofa between 300 and 600", "sofa", "300", "600"},
		{"tent less than 200 pounds", "tent", "", "200"},
		{"running shoes up to 80", "running shoes", "", "80"},
		{"jacket under 49,99 €", "jacket", "", "49.99"},
		// Not a budget: the query is searched as typed.
		{"under 50", "under 50", "", ""},
		{"spf 50 sunscreen", "spf 50 sunscreen", "", ""},
		{"under armour shorts", "under armour shorts", "", ""},
		{"vitamins over 50s", "vitamins over 50s", "", ""},
		{"dumbbell under 10kg", "dumbbell under 10kg", "", ""},
	} {
		rest, low, high, ok := PriceWords(tc.q)
		if rest != tc.rest || low != tc.low || high != tc.high || ok != (tc.low != "" || tc.high != "") {
			t.Errorf("PriceWords(%q) = %q, %q, %q, %v; want %q, %q, %q", tc.q, rest, low, high, ok, tc.rest, tc.low, tc.high)
		}
	}
}
