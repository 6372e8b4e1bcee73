package main

import (
	"testing"
	"time"

	"storefront/recommender"
)

// TestCategoryPopularityRanksTheShoppersCategoriesBestsellers: the
// baseline ranks the bestsellers of the shopper's categories by the
// shopper's share of each, leaves out what they had, and pads the list
// with the shop's most popular products.
func TestCategoryPopularityRanksTheShoppersCategoriesBestsellers(t *testing.T) {
	items := []recommender.Item{
		{ID: "tent1", Category: "Tents"}, {ID: "tent4", Category: "Tents"}, {ID: "tent2", Category: "Tents"}, {ID: "tent3", Category: "Tents"},
		{ID: "mug1", Category: "Mugs"}, {ID: "mug2", Category: "Mugs"},
		{ID: "lamp1", Category: "Lamps"},
	}
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var evs []recommender.Event
	add := func(user string, ids ...string) {
		for _, id := range ids {
			evs = append(evs, recommender.Event{User: user, Item: id, Type: recommender.View, Time: at})
		}
	}
	// Distinct users: lamp1 5, tent2 3, tent3 2, mug1 2, mug2, tent1 and tent4 1.
	add("a", "lamp1", "tent2", "tent3")
	add("b", "lamp1", "tent2", "mug1")
	add("c", "lamp1", "tent2", "tent3", "mug1")
	add("d", "lamp1", "mug2")
	add("e", "lamp1")
	add("me", "tent1", "tent4", "tent4", "mug2") // two thirds tents, one third mugs (distinct products)
	train := recommender.Dataset{Items: items, Events: evs}
	seen := map[string]map[string]bool{"me": {"tent1": true, "tent4": true, "mug2": true}}
	rank := func(order ...string) float64 {
		rel := map[string]map[string]bool{"me": {}}
		rel["me"][order[0]] = true
		return categoryPopularity(train, []string{"me"}, seen, rel, 5, nil)
	}
	// tent2 (⅔ × 3 = 2) first; then tent3 (⅔ × 2) over mug1 (⅓ × 2);
	// lamp1, of no category of the shopper's, pads the list.
	if got := rank("tent2"); got != 1 {
		t.Errorf("NDCG with tent2 the only target %.3f, want it first (1)", got)
	}
	for _, c := range []struct {
		id  string
		pos int
	}{{"tent3", 2}, {"mug1", 3}, {"lamp1", 4}} {
		if got, want := rank(c.id), ndcgAt(c.pos); got != want {
			t.Errorf("NDCG with %s the only target %.3f, want it at place %d (%.3f)", c.id, got, c.pos, want)
		}
	}
	if got := rank("tent1"); got != 0 {
		t.Errorf("a product the shopper had scored %.3f, want it left out", got)
	}
}

func ndcgAt(pos int) float64 {
	recs := make([]recommender.Recommendation, pos)
	recs[pos-1].ItemID = "x"
	return ndcg(recs, map[string]bool{"x": true}, 5)
}
