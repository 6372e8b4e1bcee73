package recommender

import (
	"fmt"
	"testing"
	"time"
)

// TestANewShoppersListLeadsWithTheSteadyBestsellers: in a shop whose
// sales are steady, a shopper with no history (an unknown id in
// `recommend`, a stranger's homepage) gets the bestsellers in their
// order: a product three visitors looked at yesterday, a lift no bigger
// than chance gives one product among many, does not go above them.
// (Outside checks' new shoppers scored 10–25 % below plain popularity
// while the trend counted half as much as popularity in their list.)
func TestANewShoppersListLeadsWithTheSteadyBestsellers(t *testing.T) {
	var items []Item
	var evs []Event
	for i := range 10 {
		id := fmt.Sprintf("best%d", i)
		items = append(items, Item{ID: id, Title: "Bestseller " + id, Category: "Shop", CategoryPath: []string{"Shop"},
			PriceCents: 1000, Stock: 50, Active: true, Created: testNow.AddDate(0, -6, 0)})
		buyers := 60 / (i + 1)
		for k := range buyers { // spread evenly over the last 28 days
			at := testNow.Add(-time.Duration(k*28*24/buyers)*time.Hour - 3*time.Hour)
			u := fmt.Sprintf("s%d-%d", i, k)
			evs = append(evs, Event{User: u, Item: id, Type: View, Time: at},
				Event{User: u, Item: id, Type: Purchase, Time: at.Add(time.Minute)})
		}
	}
	items = append(items, Item{ID: "blip", Title: "Looked at yesterday", Category: "Shop", CategoryPath: []string{"Shop"},
		PriceCents: 1000, Stock: 50, Active: true, Created: testNow.AddDate(0, -6, 0)})
	for k := range 3 {
		evs = append(evs, Event{User: fmt.Sprintf("v%d", k), Item: "blip", Type: View, Time: testNow.Add(-time.Duration(10+k) * time.Hour)})
	}
	m := trainServed(t, Dataset{Items: items, Events: evs, Now: testNow}, testConfig())
	recs := m.Recommend(Request{User: "someone-new", Strategy: Hybrid, N: 5})
	var got []string
	for _, r := range recs {
		got = append(got, r.ItemID)
	}
	want := []string{"best0", "best1", "best2", "best3", "best4"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("a new shopper's list is %v, want the bestsellers %v", got, want)
	}
}
