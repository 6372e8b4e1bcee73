package web

import (
	"fmt"
	"strings"
	"testing"
)

// TestAFilterReachesMatchesPastTheBestThousand: a shop of 1,100 dresses at
// $80 and seven cotton frocks at $40 that say "dress" only in their
// description, so every dress ranks above them. Narrowing "dress" to $50 or
// to the frocks' category lists the seven: before, only the best 1,000
// matches were ranked, the filter then kept none of them, and the shopper
// was told nothing matched.
func TestAFilterReachesMatchesPastTheBestThousand(t *testing.T) {
	var csv strings.Builder
	csv.WriteString("id,title,description,category,brand,price,stock,created_at\n")
	for i := range 1100 {
		fmt.Fprintf(&csv, "D%04d,Linen Dress %04d,A long linen dress.,Clothing/Dresses,Fern,80,5,\n", i, i)
	}
	for i := range 7 {
		fmt.Fprintf(&csv, "F%d,Summer Frock %c,A light cotton dress for warm days.,Clothing/Frocks,Fern,40,5,\n", i, 'A'+i)
	}
	shop := startImportedShop(t, csv.String(), "")
	c := shop.newClient()
	for _, path := range []string{"/search?q=dress&max=50", "/search?q=dress&cat=frocks"} {
		_, doc := c.get(path)
		if got := doc.Find(`[data-testid="result-count"]`).Text(); got != "7 results" {
			t.Errorf("%s: %q, want the 7 frocks", path, got)
		}
		if got := doc.Find(`[data-testid="product-card"]`).First().Text(); !strings.Contains(got, "Summer Frock") {
			t.Errorf("%s: the first card reads %q, want a frock", path, strings.Join(strings.Fields(got), " "))
		}
	}
	// Unfiltered, the dresses lead and the count stays the ranked best.
	_, doc := c.get("/search?q=dress")
	if got := doc.Find(`[data-testid="product-card"]`).First().Text(); !strings.Contains(got, "Linen Dress") {
		t.Errorf("unfiltered, the first card reads %q, want a linen dress", strings.Join(strings.Fields(got), " "))
	}
}
