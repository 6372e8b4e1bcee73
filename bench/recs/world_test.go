package main

import (
	"cmp"
	"slices"
	"testing"

	"storefront/recommender"
)

// TestOrderExportHasOnlyOrders: an order export's events are all
// purchases, and the products of one order share its timestamp, so many
// shoppers have several products on one instant.
func TestOrderExportHasOnlyOrders(t *testing.T) {
	spec := worldSpec{Name: "tiny-orders", Items: 200, Users: 300, Cats: 5, Styles: 3, Days: 60, Sessions: 5, Views: 6,
		TasteCats: 2, PopSkew: 0.8, CartRate: 0.25, BuyRate: 0.8, Orders: true, Seed: 13}
	w := generate(spec)
	if len(w.evs) == 0 {
		t.Fatal("no events")
	}
	type key struct {
		user string
		unix int64
	}
	perOrder := map[key]int{}
	for _, e := range w.evs {
		if e.Type != recommender.Purchase {
			t.Fatalf("an order export holds a %s event: %+v", e.Type, e)
		}
		perOrder[key{e.User, e.Time.Unix()}]++
	}
	multi := 0
	for _, n := range perOrder {
		if n > 1 {
			multi++
		}
	}
	if multi < len(perOrder)/5 {
		t.Errorf("%d of %d orders hold more than one product; an order's products should share its timestamp", multi, len(perOrder))
	}
	// Without Orders the same shop has views, clicks and carts too.
	spec.Orders = false
	types := map[recommender.EventType]bool{}
	for _, e := range generate(spec).evs {
		types[e.Type] = true
	}
	if len(types) != 4 {
		t.Errorf("the same shop without Orders has event types %v, want all four", types)
	}
}

// TestSequencesFollowSuccessors: with Next, about that share of a
// shopper's views follow on from their previous view to one of its
// successors; without it, successors are not drawn at all.
func TestSequencesFollowSuccessors(t *testing.T) {
	spec := worldSpec{Name: "tiny-series", Items: 400, Users: 400, Cats: 6, Styles: 3, Days: 60, Sessions: 5, Views: 5,
		TasteCats: 2, PopSkew: 0.8, CartRate: 0.1, BuyRate: 0.5, Next: 0.5, Seed: 14}
	w := generate(spec)
	index := map[string]int{}
	for i, it := range w.items {
		index[it.ID] = i
	}
	byUser := map[string][]recommender.Event{}
	for _, e := range w.evs {
		if e.Type == recommender.View {
			byUser[e.User] = append(byUser[e.User], e)
		}
	}
	pairs, follow := 0, 0
	for _, evs := range byUser {
		slices.SortStableFunc(evs, func(a, b recommender.Event) int { return cmp.Compare(a.Time.UnixNano(), b.Time.UnixNano()) })
		for k := 1; k < len(evs); k++ {
			a, b := index[evs[k-1].Item], index[evs[k].Item]
			pairs++
			if w.succ[a][0] == b || w.succ[a][1] == b {
				follow++
			}
		}
	}
	share := float64(follow) / float64(max(pairs, 1))
	if share < 0.35 || share > 0.65 {
		t.Errorf("%.2f of %d consecutive views follow on to a successor, want about Next = 0.5", share, pairs)
	}
	spec.Next = 0
	if w := generate(spec); w.succ != nil {
		t.Errorf("successors drawn without Next")
	}
}
