package recommender

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestRatingsAreToldFromTheValues: a shop's events carry ratings when most
// of them have a value on a small scale of whole or half points; purchase
// amounts, a value on a few events or one value everywhere are not ratings.
func TestRatingsAreToldFromTheValues(t *testing.T) {
	evs := func(values ...float32) []compactEvent {
		out := make([]compactEvent, 0, 10*len(values))
		for k := range 10 {
			for i, v := range values {
				out = append(out, compactEvent{user: int32(k), item: int32(i), value: v, typ: Purchase})
			}
		}
		return out
	}
	for _, c := range []struct {
		name   string
		values []float32
		want   bool
	}{
		{"1–5 stars", []float32{1, 2, 3, 4, 5}, true},
		{"half stars", []float32{0.5, 1.5, 2, 3.5, 5}, true},
		{"0–10", []float32{0, 7, 8, 9, 10, 6}, true}, // a 0 reads as no value: 5 of 6 rated
		{"purchase amounts", []float32{19.99, 4.5, 120, 7.25, 3}, false},
		{"whole amounts above 10", []float32{12, 30, 45, 5, 8}, false},
		{"a value on a few events", []float32{4, 0, 0, 0, 0, 5}, false},
		{"one value everywhere", []float32{1, 1, 1, 1}, false},
		{"no values", []float32{0, 0, 0}, false},
		// Order lines with a quantity: one of each most often.
		{"quantities", []float32{1, 1, 1, 1, 2, 2, 3, 6}, false},
		{"stars, mostly high", []float32{1, 2, 3, 3, 4, 4, 4, 5, 5}, true},
	} {
		if got := detectRatings(evs(c.values...)); got.ok != c.want {
			t.Errorf("%s %v: ratings %v, want %v (%+v)", c.name, c.values, got.ok, c.want, got)
		}
	}
	// A grocery's quantities, as often 2 or 3 as 1, written on the cart
	// and on the purchase: not ratings, whatever their spread.
	var lines []compactEvent
	for k := range 30 {
		v := float32(1 + k%3)
		lines = append(lines, compactEvent{user: int32(k), item: int32(k % 7), value: v, typ: AddToCart},
			compactEvent{user: int32(k), item: int32(k % 7), value: v, typ: Purchase})
	}
	if got := detectRatings(lines); got.ok {
		t.Errorf("quantities 1–3 on carts and purchases read as ratings (%+v)", got)
	}
	for i := range lines {
		lines[i].typ = Purchase
	}
	if got := detectRatings(lines); !got.ok {
		t.Errorf("the same values on purchases alone are not read as ratings (%+v)", got)
	}
}

// TestALowRatingWeighsLessInTheProfile: a shopper who rated one film 5
// and another 1 is shown the neighbours of the one they liked first;
// without the values both count alike. The weights survive saving and
// loading the model and forgetting another shopper.
func TestALowRatingWeighsLessInTheProfile(t *testing.T) {
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	var evs []Event
	rate := func(user, item string, v float64, at int) {
		evs = append(evs, Event{User: user, Item: item, Type: Purchase, Value: v, Time: now.Add(-time.Duration(at) * time.Hour)})
	}
	for k := range 12 {
		// Two tastes of equal size: liked and liked-next, disliked and its neighbour.
		rate(fmt.Sprintf("a%02d", k), "liked", 4, 100+k)
		rate(fmt.Sprintf("a%02d", k), "liked-next", 4, 90+k)
		rate(fmt.Sprintf("b%02d", k), "disliked", 4, 100+k)
		rate(fmt.Sprintf("b%02d", k), "disliked-next", 4, 90+k)
		rate(fmt.Sprintf("c%02d", k), fmt.Sprintf("other%d", k%3), 3, 50)
	}
	rate("me", "liked", 5, 20)
	rate("me", "disliked", 1, 10) // the latest: recency alone would put it first
	var items []Item
	for _, id := range []string{"liked", "liked-next", "disliked", "disliked-next", "other0", "other1", "other2"} {
		items = append(items, Item{ID: id, Title: id, Active: true, Stock: 1})
	}
	cfg := DefaultConfig()
	cfg.TuneBudget, cfg.Workers = -1, 1
	scores := func(m *Model) (liked, disliked float64) {
		for _, r := range m.Recommend(Request{User: "me", Strategy: ItemKNN, N: 5, ExcludeSeen: true}) {
			switch r.ItemID {
			case "liked-next":
				liked = r.Score
			case "disliked-next":
				disliked = r.Score
			}
		}
		return liked, disliked
	}
	m, err := Train(context.Background(), Dataset{Items: items, Events: evs, Now: now}, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	liked, disliked := scores(m)
	if liked <= 0 || disliked*2 > liked {
		t.Errorf("the neighbour of the film rated 5 scores %.3f, of the one rated 1 %.3f; want the dislike to weigh far less", liked, disliked)
	}
	var blob bytes.Buffer
	if err := m.Save(&blob); err != nil {
		t.Fatal(err)
	}
	loaded, err := Load(&blob)
	if err != nil {
		t.Fatal(err)
	}
	if l, d := scores(loaded); l != liked || d != disliked {
		t.Errorf("after saving and loading: %.3f and %.3f, want %.3f and %.3f", l, d, liked, disliked)
	}
	if n := loaded.Forget(func(u string) bool { return u == "a03" || u == "c01" }); n != 2 {
		t.Fatalf("forgot %d shoppers, want 2", n)
	}
	if err := loaded.check(); err != nil {
		t.Fatalf("after Forget: %v", err)
	}
	if l, d := scores(loaded); l <= 0 || d*2 > l {
		t.Errorf("after forgetting two other shoppers: %.3f and %.3f, want the dislike to weigh far less", l, d)
	}

	// Without the values the two films count alike.
	for k := range evs {
		evs[k].Value = 0
	}
	plain, err := Train(context.Background(), Dataset{Items: items, Events: evs, Now: now}, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if l, d := scores(plain); d < l*0.5 {
		t.Errorf("without ratings the neighbours score %.3f and %.3f, want them alike (the test's two tastes are the same size)", l, d)
	}
	if plain.pref != nil {
		t.Error("a model without ratings keeps rating weights")
	}
}

// TestAOneStarRatingIsNoReason: in a shop with ratings, a product the
// shopper rated below their own mean is not named as the reason for
// another ("Like the Gore Night you bought" of a 1-star film), its
// category is not called a liking ("Because you like Horror"), the
// homepage's interests rank it below the category they rated 5, and a
// "Similar to" row without an anchor is about the film they liked.
func TestAOneStarRatingIsNoReason(t *testing.T) {
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	var evs []Event
	rate := func(user, item string, v float64, at int) {
		evs = append(evs, Event{User: user, Item: item, Type: Purchase, Value: v, Time: now.Add(-time.Duration(at) * time.Hour)})
	}
	for k := range 12 {
		rate(fmt.Sprintf("a%02d", k), "gore-night", 4, 100+k)
		rate(fmt.Sprintf("a%02d", k), "gore-night-2", 4, 90+k)
		rate(fmt.Sprintf("b%02d", k), "sunny-days", 4, 100+k)
		rate(fmt.Sprintf("b%02d", k), "sunny-days-2", 4, 90+k)
		rate(fmt.Sprintf("c%02d", k), fmt.Sprintf("drama%d", k%3), 3, 50)
	}
	rate("me", "gore-night", 1, 10)
	rate("me", "sunny-days", 5, 20)
	items := []Item{ // the disliked first: ties go to the lower index
		{ID: "gore-night", Title: "Gore Night", Category: "Horror"},
		{ID: "gore-night-2", Title: "Gore Night 2", Category: "Horror"},
		{ID: "sunny-days", Title: "Sunny Days", Category: "Comedy"},
		{ID: "sunny-days-2", Title: "Sunny Days 2", Category: "Comedy"},
	}
	for k := range 3 {
		items = append(items, Item{ID: fmt.Sprintf("drama%d", k), Title: fmt.Sprintf("Drama %d", k), Category: "Drama"})
	}
	for k := range items {
		items[k].CategoryPath = []string{"Films", items[k].Category}
		items[k].Active, items[k].Stock = true, 1
	}
	cfg := DefaultConfig()
	cfg.TuneBudget, cfg.Workers = -1, 1
	m := trainServed(t, Dataset{Items: items, Events: evs, Now: now}, cfg)
	var reasons []string
	for _, st := range []Strategy{Hybrid, ItemKNN, AlsoBought} {
		for _, r := range m.Recommend(Request{User: "me", Strategy: st, N: 5, ExcludeSeen: true}) {
			reasons = append(reasons, r.Reason)
			if strings.Contains(r.Reason, "Gore Night") || r.Reason == "Because you like Horror" {
				t.Errorf("%v: %s is recommended %q, naming what the shopper rated 1 of 5", st, r.ItemID, r.Reason)
			}
		}
	}
	if !slices.ContainsFunc(reasons, func(r string) bool { return strings.Contains(r, "Sunny Days") }) {
		t.Errorf("no reason names the film rated 5: %q", reasons)
	}
	aff := m.Affinity("me", nil)
	if aff["Horror"] >= aff["Comedy"] {
		t.Errorf("interest in Horror %.2f, in Comedy %.2f: want the 1-star's category below the 5-star's", aff["Horror"], aff["Comedy"])
	}
	for _, r := range m.Recommend(Request{User: "me", Strategy: Similar, N: 3, ExcludeSeen: true}) {
		if r.ItemID == "gore-night-2" {
			t.Errorf("a Similar row without an anchor is about the 1-star film: %+v", r)
		}
	}
}
