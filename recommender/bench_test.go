package recommender

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"
)

// syntheticShop generates a catalog of `items` products in 40 categories and
// `events` interactions from `users` shoppers. Each shopper prefers two
// categories and, within them, popular products (Zipf), so the data has the
// low-rank and long-tail structure of real shops.
func syntheticShop(users, items, events int, seed uint64) Dataset {
	rng := rand.New(rand.NewPCG(seed, 99))
	const cats = 40
	words := []string{"trail", "classic", "pro", "lite", "ultra", "steel", "wool", "cotton", "smart", "eco", "mini", "max"}
	now := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	d := Dataset{Now: now, Items: make([]Item, items)}
	byCat := make([][]int, cats)
	for i := range d.Items {
		c := i % cats
		byCat[c] = append(byCat[c], i)
		d.Items[i] = Item{
			ID:           fmt.Sprintf("p%d", i),
			Title:        fmt.Sprintf("%s %s item %d", words[rng.IntN(len(words))], words[rng.IntN(len(words))], i),
			Brand:        fmt.Sprintf("brand%d", rng.IntN(200)),
			Category:     fmt.Sprintf("cat%d", c),
			CategoryPath: []string{fmt.Sprintf("dept%d", c/8), fmt.Sprintf("cat%d", c)},
			Description:  fmt.Sprintf("%s %s %s", words[rng.IntN(len(words))], words[rng.IntN(len(words))], words[rng.IntN(len(words))]),
			PriceCents:   int64(500 + rng.IntN(20000)),
			Active:       true,
			Stock:        1 + rng.IntN(20),
			Created:      now.Add(-time.Duration(rng.IntN(365*24)) * time.Hour),
		}
	}
	zipf := rand.NewZipf(rand.New(rand.NewPCG(seed, 7)), 1.1, 2, uint64(items/cats-1))
	types := []EventType{View, View, View, View, Click, Click, AddToCart, Purchase}
	d.Events = make([]Event, 0, events)
	userIDs := make([]string, users)
	prefs := make([][2]int, users)
	for u := range userIDs {
		userIDs[u] = fmt.Sprintf("u%d", u)
		prefs[u] = [2]int{rng.IntN(cats), rng.IntN(cats)}
	}
	for len(d.Events) < events {
		// Activity is skewed too: low user indexes are heavier shoppers.
		u := int(float64(users) * math.Pow(rng.Float64(), 1.5))
		c := prefs[u][rng.IntN(2)]
		if rng.IntN(10) == 0 {
			c = rng.IntN(cats)
		}
		it := byCat[c][int(zipf.Uint64())%len(byCat[c])]
		d.Events = append(d.Events, Event{
			User: userIDs[u], Item: d.Items[it].ID, Type: types[rng.IntN(len(types))],
			Time: now.Add(-time.Duration(rng.IntN(90*24*3600)) * time.Second),
		})
	}
	return d
}

var (
	bigOnce  sync.Once
	bigData  Dataset
	bigModel *Model
)

// bigShop is the 50k users × 20k items × 1M events benchmark world, trained
// once per process with the default configuration.
func bigShop(b *testing.B) (Dataset, *Model) {
	b.Helper()
	bigOnce.Do(func() {
		bigData = syntheticShop(50000, 20000, 1_000_000, 1)
		var err error
		bigModel, err = Train(context.Background(), bigData, DefaultConfig(), func(stage string, dur time.Duration) {
			fmt.Printf("  train %-10s %v\n", stage, dur.Round(time.Millisecond))
		})
		if err != nil {
			panic(err)
		}
		st := bigModel.Stats()
		fmt.Printf("  model: %d users, %d items, %d interactions, ~%.1f MiB\n",
			st.Users, st.Items, st.Interactions, float64(st.MemoryBytes)/(1<<20))
	})
	return bigData, bigModel
}

// BenchmarkTrainALS times ALS alone (64 factors, 15 iterations, 3 CG steps)
// on ~1M interactions from 50k users × 20k items. Run with -benchtime=1x.
func BenchmarkTrainALS(b *testing.B) {
	d := syntheticShop(50000, 20000, 1_135_000, 1)
	cfg := DefaultConfig()
	cat := newCatalog(d)
	sig := buildSignals(d, &cat, cfg)
	b.Logf("%d users × %d items, %d interactions", sig.ui.rows, sig.ui.cols, sig.ui.nnz())
	b.ResetTimer()
	for b.Loop() {
		if _, err := trainALS(context.Background(), &sig.ui, &sig.iu, cfg.ALS, 0); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTrain times the whole pipeline on the same world.
func BenchmarkTrain(b *testing.B) {
	d := syntheticShop(50000, 20000, 1_000_000, 1)
	for b.Loop() {
		if _, err := Train(context.Background(), d, DefaultConfig(), nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRecommend measures one shopper's top-50 row with rules and
// reasons at 20k items and reports p50/p99 latency.
func BenchmarkRecommend(b *testing.B) {
	_, m := bigShop(b)
	rng := rand.New(rand.NewPCG(5, 5))
	cases := []struct {
		name string
		req  func() Request
	}{
		{"hybrid_known", func() Request {
			return Request{User: fmt.Sprintf("u%d", rng.IntN(50000)), N: 50, ExcludeSeen: true, Diversity: 0.3,
				Pins: []string{"p1", "p2"}, Exclude: map[string]bool{"p3": true}}
		}},
		{"hybrid_session", func() Request {
			recent := make([]Event, 5)
			for i := range recent {
				recent[i] = Event{Item: fmt.Sprintf("p%d", rng.IntN(20000)), Type: View}
			}
			return Request{User: fmt.Sprintf("u%d", rng.IntN(50000)), Recent: recent, N: 50, ExcludeSeen: true}
		}},
		{"hybrid_anonymous", func() Request {
			return Request{User: "visitor", Recent: []Event{{Item: fmt.Sprintf("p%d", rng.IntN(20000)), Type: View}}, N: 50}
		}},
		{"als", func() Request { return Request{User: fmt.Sprintf("u%d", rng.IntN(50000)), Strategy: ALS, N: 50} }},
		{"similar", func() Request { return Request{Strategy: Similar, Anchor: fmt.Sprintf("p%d", rng.IntN(20000)), N: 50} }},
		{"category", func() Request { return Request{Strategy: Category, Category: "cat7", N: 50} }},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			var lat []time.Duration
			for b.Loop() {
				req := c.req()
				start := time.Now()
				recs := m.Recommend(req)
				lat = append(lat, time.Since(start))
				if len(recs) != 50 {
					b.Fatalf("got %d recommendations", len(recs))
				}
			}
			reportPercentiles(b, lat)
		})
	}
}

// BenchmarkFoldIn measures the ALS fold-in of a 10-event session.
func BenchmarkFoldIn(b *testing.B) {
	_, m := bigShop(b)
	rng := rand.New(rand.NewPCG(6, 6))
	var lat []time.Duration
	for b.Loop() {
		evs := make([]Event, 10)
		for i := range evs {
			evs[i] = Event{Item: fmt.Sprintf("p%d", rng.IntN(20000)), Type: View}
		}
		start := time.Now()
		if m.FoldIn(evs) == nil {
			b.Fatal("nil fold-in")
		}
		lat = append(lat, time.Since(start))
	}
	reportPercentiles(b, lat)
}

func reportPercentiles(b *testing.B, lat []time.Duration) {
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	at := func(p float64) float64 { return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds()) }
	b.ReportMetric(at(0.50), "p50-µs")
	b.ReportMetric(at(0.99), "p99-µs")
}
