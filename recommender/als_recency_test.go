package recommender

import (
	"context"
	"fmt"
	"testing"
	"time"

	"gonum.org/v1/gonum/blas/blas32"
)

// TestALSRowsFollowTheLatestItems: in a shop whose events are ratings, a
// shopper who rated twelve products of one department long ago and then
// three of another has ALS factors that, with the profile's recency on,
// lean to the department of the latest three — as the neighbour models and
// EASE read the history — clearly more than the same training with the
// recency off, whose rows weigh every item alike (the mean score of the
// latest department's products less the old one's: −0.16 against −0.37).
// Without the recency-weighted rows both trainings give the shopper the
// same factors.
func TestALSRowsFollowTheLatestItems(t *testing.T) {
	var items []Item
	for _, dept := range []string{"a", "b"} {
		for i := range 40 {
			items = append(items, Item{ID: fmt.Sprintf("%s%d", dept, i), Title: fmt.Sprintf("Product %s%d", dept, i),
				Category: "Dept " + dept, Active: true, Stock: 5, Created: testNow.AddDate(-2, 0, 0)})
		}
	}
	start := testNow.AddDate(-1, 0, 0)
	var evs []Event
	// Shoppers of one department each, so ALS learns the two apart.
	for v := range 60 {
		dept := []string{"a", "b"}[v%2]
		for k := range 12 {
			evs = append(evs, Event{User: fmt.Sprintf("v%d", v), Item: fmt.Sprintf("%s%d", dept, (v*7+k*3)%40), Type: Purchase,
				Time: start.Add(time.Duration(v*12+k) * time.Hour), Value: float64(3 + (v+k)%3)})
		}
	}
	for i := range 12 {
		evs = append(evs, Event{User: "u", Item: fmt.Sprintf("a%d", i), Type: Purchase, Time: start.Add(time.Duration(i) * time.Minute), Value: 4})
	}
	for i := range 3 {
		evs = append(evs, Event{User: "u", Item: fmt.Sprintf("b%d", i), Type: Purchase, Time: testNow.Add(time.Duration(i-3) * time.Minute), Value: 4})
	}
	// lean is the mean ALS score of u's unseen products of department b
	// less that of department a.
	lean := func(halfRank float64) float64 {
		t.Helper()
		cfg := DefaultConfig()
		cfg.Profile.RecencyHalfRank = halfRank
		m, err := Train(context.Background(), Dataset{Items: items, Events: evs}, cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		k := m.als.k
		u := m.userIndex["u"]
		x := blas32.Vector{N: k, Data: servedALSFactors(t, m, u), Inc: 1}
		score := func(dept string, from int) float64 {
			var sum float64
			for i := from; i < 40; i++ {
				j := m.cat.index[fmt.Sprintf("%s%d", dept, i)]
				sum += float64(blas32.Dot(x, blas32.Vector{N: k, Data: m.als.item(j), Inc: 1}))
			}
			return sum / float64(40-from)
		}
		return score("b", 3) - score("a", 12)
	}
	on, off := lean(10), lean(0)
	if !(on > off+0.1) {
		t.Errorf("ALS's lean to the latest department: %.4f with the profile's recency, %.4f without: want it clearly higher with it", on, off)
	}
}
