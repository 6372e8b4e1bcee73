package recommender

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

func TestTuneWeightsFollowsTheShopsData(t *testing.T) {
	// A shop where what people do next is mostly the week's best sellers,
	// whatever they looked at before: the tuned blend must lean on popularity.
	var items []Item
	for i := range 200 {
		items = append(items, Item{ID: fmt.Sprintf("i%d", i), Title: fmt.Sprintf("Item %d", i), Category: "C", CategoryPath: []string{"C"}, Active: true, Stock: 9})
	}
	rng := rand.New(rand.NewPCG(5, 6))
	var evs []Event
	at := testNow.Add(-60 * 24 * time.Hour)
	for round := range 6 {
		for u := range 120 {
			item := fmt.Sprintf("i%d", 20+rng.IntN(180)) // long-tail browsing
			if round >= 3 && rng.Float64() < 0.8 {
				item = fmt.Sprintf("i%d", rng.IntN(5)) // then the hits
			}
			evs = append(evs, Event{User: fmt.Sprintf("u%d", u), Item: item, Type: View, Time: at})
			at = at.Add(10 * time.Minute)
		}
	}
	cfg := testConfig()
	w, results, err := TuneWeights(context.Background(), Dataset{Items: items, Events: evs, Now: at}, cfg, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(results) < 2 {
		t.Fatalf("only %d blends compared: %+v", len(results), results)
	}
	if w.Popular <= cfg.Weights.Popular {
		t.Fatalf("chose popularity weight %.2f (configured %.2f) on data ruled by best sellers: %+v", w.Popular, cfg.Weights.Popular, results)
	}
}

func TestTuneWeightsKeepsTheConfiguredBlendWithoutEvidence(t *testing.T) {
	cfg := testConfig()
	w, _, err := TuneWeights(context.Background(), Dataset{Items: testItems(), Events: testEvents(), Now: testNow}, cfg, 10)
	if err != nil {
		t.Fatal(err)
	}
	if w != cfg.Weights {
		t.Fatalf("a handful of held-out shoppers changed the blend to %+v", w)
	}
}

func TestSampleUsersKeepsWholeUsersAndBoundsTheCount(t *testing.T) {
	var evs []Event
	for u := range 10000 {
		for k := range 2 {
			evs = append(evs, Event{User: fmt.Sprintf("user-%d", u), Item: fmt.Sprintf("i%d", k)})
		}
	}
	got := sampleUsers(evs, 3000)
	per := map[string]int{}
	for _, e := range got {
		per[e.User]++
	}
	if n := len(per); n < 2500 || n > 3500 {
		t.Fatalf("sampled %d users, want about 3000", n)
	}
	for u, n := range per {
		if n != 2 {
			t.Fatalf("user %s kept %d of 2 events", u, n)
		}
	}
}
