package recommender

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// A shop that files its whole catalog under one root ("Shop > Mugs", "Shop
// > Lamps", …) must not explain a pick by that root: every shopper's whole
// history is in it, so "Because you like Shop" says nothing. A category is
// named only when the shopper leans to it more than the catalog does.
func TestAReasonNeverNamesACategoryThatHoldsTheWholeCatalog(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	var items []Item
	leaves := 8
	for c := range leaves {
		leaf := fmt.Sprintf("Leaf%d", c)
		for k := range 4 {
			items = append(items, Item{ID: fmt.Sprintf("p%d-%d", c, k), Title: fmt.Sprintf("Thing %d-%d", c, k),
				Category: leaf, CategoryPath: []string{"Shop", leaf}, PriceCents: 1000, Stock: 5, Active: true,
				Created: now.AddDate(0, -3, 0)})
		}
	}
	var evs []Event
	add := func(u, item string, h int) {
		evs = append(evs, Event{User: u, Item: item, Type: View, Time: now.Add(-time.Duration(h) * time.Hour)})
	}
	// Shoppers who each browse two neighbouring leaves, so the factor
	// models learn something; one shopper who looked at one product of
	// every leaf (an eighth of their history each, under the leaf's
	// threshold, all of it in "Shop").
	for u := range 40 {
		c := u % leaves
		for k := range 4 {
			add(fmt.Sprintf("u%d", u), fmt.Sprintf("p%d-%d", c, k), 100+u+k)
			add(fmt.Sprintf("u%d", u), fmt.Sprintf("p%d-%d", (c+1)%leaves, k), 90+u+k)
		}
	}
	for c := range leaves {
		add("wide", fmt.Sprintf("p%d-%d", c, c%4), 10+c)
	}
	m, err := Train(context.Background(), Dataset{Items: items, Events: evs, Now: now}, testConfig(), nil)
	if err != nil {
		t.Fatal(err)
	}
	picked := 0
	for _, st := range []Strategy{Hybrid, ALS} {
		for _, u := range []string{"wide", "u3", "u12"} {
			for _, r := range m.Recommend(Request{User: u, Strategy: st, N: 20}) {
				if r.Reason == "Because you like Shop" {
					t.Errorf("%s/%s: %s explained by the root that holds every product: %q", st, u, r.ItemID, r.Reason)
				}
				if r.Reason == "Picked for you" {
					picked++
				}
			}
		}
	}
	// The picks in leaves the shopper never browsed are theirs, not
	// explained by a category.
	if picked == 0 {
		t.Errorf("no pick left to \"Picked for you\"")
	}
}

// TestAProductMonthsOldIsNoNewArrival: a shop imported with its catalog
// and no events yet filled its cold-start list newest first, every product
// "New arrival" though the newest was made two years before. Now a product
// is a new arrival only within NewArrivalAge of the model's latest day; an
// older one is said to be from the shop's range, or in the row's category.
func TestAProductMonthsOldIsNoNewArrival(t *testing.T) {
	items := testItems()
	for i := range items {
		items[i].Created = testNow.AddDate(-2, 0, 0)
	}
	items[10].Created = testNow.AddDate(0, 0, -20) // the one recent product
	m, err := Train(context.Background(), Dataset{Items: items, Now: testNow}, DefaultConfig(), nil)
	if err != nil {
		t.Fatal(err)
	}
	m.TrainedAt = testNow.Add(time.Hour)
	check := func(name string, recs []Recommendation, category string) {
		t.Helper()
		if len(recs) < 3 {
			t.Fatalf("%s: %d recommendations", name, len(recs))
		}
		for _, r := range recs {
			want := "From our range"
			if category != "" {
				want = "More in " + category
			}
			if r.ItemID == "shoepro" {
				want = "New arrival"
			}
			if r.Reason != want {
				t.Errorf("%s: %s says %q, want %q", name, r.ItemID, r.Reason, want)
			}
		}
	}
	check("a stranger's list", m.Recommend(Request{User: "nobody", N: 5}), "")
	check("a row of new arrivals", m.Recommend(Request{Strategy: New, N: 5}), "")
	check("a category row", m.Recommend(Request{User: "nobody", Category: "Kitchen", N: 3}), "Kitchen")
	check("new for you", m.Recommend(Request{User: "nobody", Strategy: NewForYou, N: 5}), "")
}
