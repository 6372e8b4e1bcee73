package recommender

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// seasonShop is a year of a shop with coats and swimwear: swimwear sells
// more over the year (swimShare of the events) but the last month is
// winter (winterShare of its events coats); "both" looked at three of each
// in the spring.
func seasonShop(days int, swimShare, winterShare float64) Dataset {
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	var d Dataset
	d.Now = now
	for i := range 20 {
		d.Items = append(d.Items,
			Item{ID: fmt.Sprintf("coat%d", i), Title: fmt.Sprintf("Coat %d", i), Category: "Coats", PriceCents: 9000, Stock: 5, Active: true},
			Item{ID: fmt.Sprintf("swim%d", i), Title: fmt.Sprintf("Swimsuit %d", i), Category: "Swimwear", PriceCents: 9000, Stock: 5, Active: true})
	}
	rng := rand.New(rand.NewPCG(1, 2))
	start := now.AddDate(0, 0, -days)
	for u := range 400 {
		user := fmt.Sprintf("u%d", u)
		for range 6 {
			at := start.Add(time.Duration(rng.Float64() * float64(now.Sub(start))))
			kind := "swim"
			share := swimShare
			if now.Sub(at) < 30*24*time.Hour {
				share = 1 - winterShare
			}
			if rng.Float64() >= share {
				kind = "coat"
			}
			item := fmt.Sprintf("%s%d", kind, rng.IntN(20))
			d.Events = append(d.Events, Event{User: user, Item: item, Type: View, Time: at})
		}
	}
	spring := start.AddDate(0, 0, days/3)
	for i := range 3 {
		for _, kind := range []string{"coat", "swim"} {
			d.Events = append(d.Events, Event{User: "both", Item: fmt.Sprintf("%s%d", kind, i), Type: View, Time: spring.Add(time.Duration(i) * time.Hour)})
		}
	}
	return d
}

// A shop whose winter category took over in the last month ranks it first
// for a shopper who likes both, though the year's favourite is swimwear;
// with the season off the year leads. A shop whose categories keep their
// shares, or whose history is too short to show a season, has none.
func TestTheSeasonsCategoryLeadsForAShopperWhoLikesBoth(t *testing.T) {
	d := seasonShop(365, 0.7, 0.9)
	first := func(cfg Config) string {
		t.Helper()
		m := trainServed(t, d, cfg) // through a saved model, as the shop serves it
		recs := m.Recommend(Request{User: "both", N: 5, ExcludeSeen: true})
		if len(recs) == 0 {
			t.Fatal("no recommendations for a shopper with a history")
		}
		return recs[0].ItemID
	}
	if got := first(testConfig()); got[:4] != "coat" {
		t.Fatalf("in a winter month the first product is %s, want a coat", got)
	}
	off := testConfig()
	off.Weights.Season = 0
	if got := first(off); got[:4] != "swim" {
		t.Fatalf("with the season off the first product is %s, want swimwear (the year's favourite): the shop does not test the season", got)
	}
	for _, c := range []struct {
		name string
		d    Dataset
	}{
		{"the same shares all year", seasonShop(365, 0.7, 0.3)},
		{"ten weeks of history", seasonShop(70, 0.7, 0.9)},
	} {
		m, err := Train(context.Background(), c.d, testConfig(), nil)
		if err != nil {
			t.Fatalf("%s: Train: %v", c.name, err)
		}
		for j, lr := range m.pop.season {
			if lr < -0.15 || lr > 0.15 {
				t.Fatalf("%s: %s has a season factor of e^%.2f, want none", c.name, m.cat.items[j].ID, lr)
			}
		}
	}
}
