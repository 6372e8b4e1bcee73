package recommender

import (
	"context"
	"fmt"
	"slices"
	"testing"
)

// TestOneTimestampIsOneStepOfTheProfilesRecency: a shopper whose history
// came on a coarse clock (two days of a daily export) has each day's
// products at one weight in the profile — their order within the day is
// not known — the later day's above the earlier's, whatever the order of
// the catalog (which sets the order of events that share a timestamp).
func TestOneTimestampIsOneStepOfTheProfilesRecency(t *testing.T) {
	var items []Item
	for i := range 8 {
		items = append(items, Item{ID: fmt.Sprintf("p%d", i), Title: fmt.Sprintf("Product %d", i), Category: "Lamps",
			Active: true, Stock: 5, Created: testNow.AddDate(-1, 0, 0)})
	}
	day1, day2 := testNow.AddDate(0, 0, -2), testNow.AddDate(0, 0, -1)
	var evs []Event
	for _, id := range []string{"p0", "p1", "p2"} {
		evs = append(evs, Event{User: "u", Item: id, Type: View, Time: day1})
	}
	for _, id := range []string{"p3", "p4"} {
		evs = append(evs, Event{User: "u", Item: id, Type: View, Time: day2})
	}
	// Other shoppers, so the models have something to train on.
	for v := range 6 {
		for k := range 3 {
			evs = append(evs, Event{User: fmt.Sprintf("v%d", v), Item: fmt.Sprintf("p%d", (v+k)%8), Type: View, Time: day1})
		}
	}
	weights := func(items []Item) map[string]float32 {
		t.Helper()
		m, err := Train(context.Background(), Dataset{Items: items, Events: evs}, DefaultConfig(), nil)
		if err != nil {
			t.Fatal(err)
		}
		s := m.getScratch()
		s.begin()
		if u := m.buildHistory(s, Request{User: "u"}); u < 0 {
			t.Fatal("the shopper is not known")
		}
		out := map[string]float32{}
		for k, j := range s.hist.items {
			out[m.cat.items[j].ID] = s.pw[k]
		}
		return out
	}
	w := weights(items)
	if len(w) != 5 {
		t.Fatalf("profile of %d items, want 5: %v", len(w), w)
	}
	if w["p3"] != w["p4"] || w["p0"] != w["p1"] || w["p1"] != w["p2"] {
		t.Errorf("products of one day weigh differently: %v", w)
	}
	if !(w["p3"] > w["p0"]) {
		t.Errorf("the later day weighs %g, the earlier %g: want the later above", w["p3"], w["p0"])
	}
	reversed := slices.Clone(items)
	slices.Reverse(reversed)
	if r := weights(reversed); fmt.Sprint(r) != fmt.Sprint(w) {
		t.Errorf("the weights depend on the catalog's order: %v, reversed %v", w, r)
	}
}
