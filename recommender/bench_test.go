package recommender

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
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

// benchWorld is a synthetic shop the serving benchmarks run on.
type benchWorld struct {
	name                 string
	users, items, events int
	seed                 uint64
}

// benchWorlds are the seeded demo shop's size (5k shoppers, 5k products,
// 350k events) and the large world's (100k shoppers, 50k products, 2M
// events), as `make bench` and `make bench-large` seed them.
var benchWorlds = []benchWorld{
	{"demo", 5000, 5000, 350_000, 3},
	{"large", 100_000, 50_000, 2_000_000, 1},
}

var (
	worldMu     sync.Mutex
	worldModels = map[string]*Model{}
)

// worldModel trains w once per process with the default configuration.
func worldModel(b *testing.B, w benchWorld) *Model {
	b.Helper()
	worldMu.Lock()
	defer worldMu.Unlock()
	if m, ok := worldModels[w.name]; ok {
		return m
	}
	// STOREFRONT_BENCH_MODELS names a directory that keeps the trained
	// worlds between runs (training the large world takes minutes).
	cache := ""
	if dir := os.Getenv("STOREFRONT_BENCH_MODELS"); dir != "" {
		cache = filepath.Join(dir, w.name+".model")
		if f, err := os.Open(cache); err == nil {
			m, err := Load(bufio.NewReader(f))
			f.Close()
			if err == nil {
				fmt.Printf("  %s world: loaded from %s\n", w.name, cache)
				worldModels[w.name] = m
				return m
			}
		}
	}
	start := time.Now()
	m, err := Train(context.Background(), syntheticShop(w.users, w.items, w.events, w.seed), DefaultConfig(), nil)
	if err != nil {
		b.Fatal(err)
	}
	if cache != "" {
		var buf bytes.Buffer
		if err := m.Save(&buf); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(cache, buf.Bytes(), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	st := m.Stats()
	fmt.Printf("  %s world: %d users, %d items, %d interactions, ~%.1f MiB, %d candidate lists, trained in %v\n",
		w.name, st.Users, st.Items, st.Interactions, float64(st.MemoryBytes)/(1<<20), m.CandidateUsers(), time.Since(start).Round(time.Millisecond))
	worldModels[w.name] = m
	return m
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
		if _, err := trainALS(context.Background(), &sig.ui, &sig.iu, cfg.ALS, 0, nil); err != nil {
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
// reasons on the demo-sized and the large world. Every call is timed on
// its own, for a different shopper each time (a shuffled list of all of
// them), and p50/p99 per call are reported.
func BenchmarkRecommend(b *testing.B) {
	for _, w := range benchWorlds {
		b.Run(w.name, func(b *testing.B) {
			m := worldModel(b, w)
			rng := rand.New(rand.NewPCG(5, 5))
			shoppers := rng.Perm(w.users)
			k := 0
			shopper := func() string {
				k++
				return fmt.Sprintf("u%d", shoppers[k%len(shoppers)])
			}
			item := func() string { return fmt.Sprintf("p%d", rng.IntN(w.items)) }
			cases := []struct {
				name string
				req  func() Request
			}{
				{"hybrid_known", func() Request {
					return Request{User: shopper(), N: 50, ExcludeSeen: true, Diversity: 0.3,
						Pins: []string{"p1", "p2"}, Exclude: map[string]bool{"p3": true}}
				}},
				{"hybrid_session", func() Request {
					recent := make([]Event, 5)
					for i := range recent {
						recent[i] = Event{Item: item(), Type: View}
					}
					return Request{User: shopper(), Recent: recent, N: 50, ExcludeSeen: true}
				}},
				{"hybrid_anonymous", func() Request {
					return Request{User: "visitor", Recent: []Event{{Item: item(), Type: View}}, N: 50}
				}},
				{"als", func() Request { return Request{User: shopper(), Strategy: ALS, N: 50} }},
				{"similar", func() Request { return Request{Strategy: Similar, Anchor: item(), N: 50} }},
				{"category", func() Request { return Request{Strategy: Category, Category: "cat7", N: 50} }},
			}
			for _, c := range cases {
				b.Run(c.name, func(b *testing.B) {
					runtime.LockOSThread()
					defer runtime.UnlockOSThread()
					var lat, cpu []time.Duration
					for b.Loop() {
						req := c.req()
						start, cpu0 := time.Now(), threadCPU()
						recs := m.Recommend(req)
						cpu = append(cpu, threadCPU()-cpu0)
						lat = append(lat, time.Since(start))
						if len(recs) != 50 {
							b.Fatalf("got %d recommendations", len(recs))
						}
					}
					reportPercentiles(b, lat, cpu)
				})
			}
		})
	}
}

// BenchmarkFoldIn measures the ALS fold-in of one new event and of a
// 10-event session into a shopper's vector, each call timed on its own.
func BenchmarkFoldIn(b *testing.B) {
	for _, w := range benchWorlds {
		b.Run(w.name, func(b *testing.B) {
			m := worldModel(b, w)
			for _, n := range []int{1, 10} {
				b.Run(fmt.Sprintf("%d_events", n), func(b *testing.B) {
					rng := rand.New(rand.NewPCG(6, uint64(n)))
					runtime.LockOSThread()
					defer runtime.UnlockOSThread()
					var lat, cpu []time.Duration
					for b.Loop() {
						evs := make([]Event, n)
						for i := range evs {
							evs[i] = Event{Item: fmt.Sprintf("p%d", rng.IntN(w.items)), Type: View}
						}
						start, cpu0 := time.Now(), threadCPU()
						if m.FoldIn(evs) == nil {
							b.Fatal("nil fold-in")
						}
						cpu = append(cpu, threadCPU()-cpu0)
						lat = append(lat, time.Since(start))
					}
					reportPercentiles(b, lat, cpu)
				})
			}
		})
	}
}

// reportPercentiles reports p50 and p99 of the wall time per call and,
// where the platform can measure it, of the CPU time per call (on a shared
// machine the wall clock also counts the time other processes held the
// core; the CPU time is what the call itself costs).
func reportPercentiles(b *testing.B, lat, cpu []time.Duration) {
	if len(lat) == 0 {
		return
	}
	at := func(d []time.Duration, p float64) float64 {
		return float64(d[min(len(d)-1, int(p*float64(len(d))))].Nanoseconds()) / 1e3
	}
	slices.Sort(lat)
	b.ReportMetric(at(lat, 0.50), "p50-µs")
	b.ReportMetric(at(lat, 0.99), "p99-µs")
	b.ReportMetric(float64(len(lat)), "calls")
	if len(cpu) > 0 && slices.Max(cpu) > 0 {
		slices.Sort(cpu)
		b.ReportMetric(at(cpu, 0.50), "p50-cpu-µs")
		b.ReportMetric(at(cpu, 0.99), "p99-cpu-µs")
	}
}
