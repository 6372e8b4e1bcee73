package recommender

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// poisonShop is a shop shaped like the demo world's last four weeks: 200
// products whose demand falls off with their rank, 2,000 shoppers with
// histories of 2 to 40 views who cart and buy now and then, and 1,500
// one-view visitors (search-engine landings). The last product has a single
// view.
func poisonShop() Dataset {
	rng := rand.New(rand.NewPCG(5, 5))
	var items []Item
	for i := range 200 {
		items = append(items, Item{ID: fmt.Sprintf("p%d", i), Title: fmt.Sprintf("Product %d", i), Category: fmt.Sprintf("c%d", i%8),
			CategoryPath: []string{fmt.Sprintf("c%d", i%8)}, PriceCents: 1000, Stock: 5, Active: true, Created: testNow.AddDate(-1, 0, 0)})
	}
	pick := func() string { // demand by rank: the first products most
		return items[min(198, int(rng.ExpFloat64()*30))].ID
	}
	var evs []Event
	for u := range 2000 {
		user := fmt.Sprintf("shopper%d", u)
		at := testNow.Add(-time.Duration(rng.Int64N(int64(28 * 24 * time.Hour))))
		for k := range 2 + rng.IntN(39) {
			item := pick()
			evs = append(evs, Event{User: user, Item: item, Type: View, Time: at})
			at = at.Add(time.Duration(30+rng.IntN(90)) * time.Second)
			if k%6 == 5 {
				evs = append(evs, Event{User: user, Item: item, Type: AddToCart, Time: at})
				if rng.IntN(2) == 0 {
					evs = append(evs, Event{User: user, Item: item, Type: Purchase, Time: at.Add(time.Minute)})
				}
			}
		}
	}
	for v := range 1500 {
		evs = append(evs, Event{User: fmt.Sprintf("visitor%d", v), Item: pick(), Type: View,
			Time: testNow.Add(-time.Duration(rng.Int64N(int64(28 * 24 * time.Hour))))})
	}
	evs = append(evs, Event{User: "shopper1", Item: "p199", Type: View, Time: testNow.AddDate(0, 0, -3)})
	return Dataset{Items: items, Events: evs, Now: testNow}
}

// rankOf is the product's place (1 = first) in an order, 0 if absent.
func rankOf(m *Model, order []int32, id string) int {
	return slices.Index(order, m.cat.index[id]) + 1
}

// TestPageViewsOfACrowdDoNotMakeAProductPopular: the fourth outside attack's
// open item. A script with many addresses (each visitor its own cookie)
// views one product nobody buys; "Popular this week" and "Trending now" are
// what every new visitor's homepage shows first. Whatever shape the
// script's visitors take — 1,500 one-view visitors in the last hour, or
// 1,500 visitors who each also look at two other products — the product stays out of the first 20 of both
// rankings, while the shop's best sellers keep leading, and a product real
// shoppers discover this week (carts from 150 of them, purchases from half) rises
// into trending and popularity as before.
func TestPageViewsOfACrowdDoNotMakeAProductPopular(t *testing.T) {
	cfg := DefaultConfig()
	train := func(t *testing.T, d Dataset) *Model {
		t.Helper()
		m := &Model{cfg: cfg}
		sig := m.buildBase(d, cfg)
		m.pop = trainPopularity(&sig, &m.cat, cfg)
		return m
	}
	clean := train(t, poisonShop())
	leaders := clean.pop.popOrder[:5]
	for _, attack := range []struct {
		name string
		add  func(d *Dataset)
	}{
		{"1,500 one-view visitors in the last hour", func(d *Dataset) {
			for v := range 1500 {
				d.Events = append(d.Events, Event{User: fmt.Sprintf("bot%d", v), Item: "p199", Type: View, Time: testNow.Add(-time.Duration(v) * 2 * time.Second)})
			}
		}},
		{"1,500 visitors who also look at two other products", func(d *Dataset) {
			for v := range 1500 {
				at := testNow.Add(-time.Duration(v) * 2 * time.Second)
				for k, it := range []string{fmt.Sprintf("p%d", 100+v%90), "p199", fmt.Sprintf("p%d", 10+v%80)} {
					d.Events = append(d.Events, Event{User: fmt.Sprintf("bot%d", v), Item: it, Type: View, Time: at.Add(time.Duration(k) * time.Second)})
				}
			}
		}},
	} {
		t.Run(attack.name, func(t *testing.T) {
			d := poisonShop()
			attack.add(&d)
			m := train(t, d)
			if r := rankOf(m, m.pop.popOrder, "p199"); r == 0 || r <= 20 {
				t.Errorf("the viewed product is #%d of popularity (want below 20)", r)
			}
			if r := rankOf(m, m.pop.trendOrder, "p199"); r > 0 && r <= 20 {
				t.Errorf("the viewed product is #%d of trending (want below 20)", r)
			}
			if got := m.pop.popOrder[:5]; !slices.Equal(got, leaders) {
				t.Errorf("the five best sellers changed: %v, were %v", got, leaders)
			}
		})
	}
	t.Run("a product shoppers discover this week rises", func(t *testing.T) {
		d := poisonShop()
		for u := range 150 {
			user := fmt.Sprintf("shopper%d", u*13)
			at := testNow.Add(-time.Duration(u) * 20 * time.Minute)
			d.Events = append(d.Events,
				Event{User: user, Item: "p199", Type: View, Time: at},
				Event{User: user, Item: "p199", Type: AddToCart, Time: at.Add(time.Minute)})
			if u%2 == 0 {
				d.Events = append(d.Events, Event{User: user, Item: "p199", Type: Purchase, Time: at.Add(2 * time.Minute)})
			}
		}
		m := train(t, d)
		if r := rankOf(m, m.pop.trendOrder, "p199"); r != 1 {
			t.Errorf("the discovered product is #%d of trending, want #1", r)
		}
		if r := rankOf(m, m.pop.popOrder, "p199"); r == 0 || r > 10 {
			t.Errorf("the discovered product is #%d of popularity, want in the first 10", r)
		}
	})
}
