package recommender

import (
	"math"
	"reflect"
	"slices"
	"testing"
	"time"
)

// cacheForPartByPart is the tuning cache as it was built before
// partScores: the hybrid called once per part with that part's unit
// weight, the shopper's history built for each, each part's best
// tunePool items kept by a heap over the whole catalog.
func cacheForPartByPart(t *tuner, m *Model) []userCache {
	users := t.users
	out := make([]userCache, len(users))
	parallelRange(len(users), t.workers, func(next func() (int, int, bool)) {
		s := m.getScratch()
		defer m.scratch.Put(s)
		var comp [numComponents][]float32
		for c := range comp {
			comp[c] = make([]float32, len(m.cat.items))
		}
		var h topN
		inPool := map[int32]int{}
		blocked := make([]bool, len(m.cat.items))
		var blockedList []int32
		for {
			lo, hi, ok := next()
			if !ok {
				return
			}
			for k := lo; k < hi; k++ {
				tu := &users[k]
				req := Request{User: tu.id}
				for c := range comp {
					s.begin()
					user := m.buildHistory(s, req)
					if len(s.hist.items) == 0 {
						break
					}
					w := unitWeights[c]
					req.weights = &w
					m.hybrid(s, req, user, nil)
					req.weights = nil
					copy(comp[c], s.score)
				}
				if len(s.hist.items) == 0 {
					continue
				}
				hist := len(s.hist.items)
				for _, j := range blockedList {
					blocked[j] = false
				}
				blockedList = append(append(blockedList[:0], t.notYet...), tu.seen...)
				if u, ok := m.userIndex[tu.id]; ok {
					items, _ := m.ui.row(int(u))
					blockedList = append(blockedList, items...)
				}
				for _, j := range blockedList {
					blocked[j] = true
				}
				clear(inPool)
				uc := userCache{nrel: len(tu.rel), hist: hist}
				for c := range comp {
					h.reset(tunePool)
					for j, v := range comp[c] {
						if v > 0 && !blocked[j] {
							h.push(v, int32(j))
						}
					}
					idx, _ := h.sorted()
					for _, j := range idx {
						if _, ok := inPool[j]; !ok {
							inPool[j] = len(uc.items)
							uc.items = append(uc.items, j)
						}
					}
				}
				uc.vals = make([]float32, len(uc.items)*numComponents)
				uc.rel = make([]bool, len(uc.items))
				for p, j := range uc.items {
					for c := range comp {
						uc.vals[p*numComponents+c] = comp[c][j]
					}
					uc.rel[p] = tu.rel[j]
				}
				if lr, pw := m.pop.season, m.cfg.Weights.Season; len(lr) == len(m.cat.items) && pw > 0 {
					uc.season = make([]float32, len(uc.items))
					for p, j := range uc.items {
						uc.season[p] = float32(math.Exp(pw * float64(lr[j])))
					}
				}
				// The order's demotions, read from the order's rows directly.
				for p, j := range uc.items {
					var num, den float32
					for k, i := range s.hist.items {
						idx, d := m.order.row(int(i))
						if t := slices.Index(idx, j); t >= 0 && s.pw[k] > 0 {
							num += s.pw[k] * d[t]
							den += s.pw[k]
						}
					}
					if den > 0 && num/den < -orderFloor {
						if uc.order == nil {
							uc.order = make([]float32, len(uc.items))
						}
						uc.order[p] = min((-num/den-orderFloor)/(1-orderFloor), 1)
					}
				}
				uc.leaf = make([]int32, len(uc.items))
				for p, j := range uc.items {
					uc.leaf[p] = m.cat.leafCat[j]
				}
				uc.histLeaf = make([]int32, len(s.hist.items))
				for p, j := range s.hist.items {
					uc.histLeaf[p] = m.cat.leafCat[j]
				}
				uc.share, uc.mix = m.leafShares(), m.cfg.Weights.CategoryMix
				out[k] = uc
			}
		}
	})
	return out
}

// recentLaunches dates every twentieth product of d within the last week
// of its data, so the freshness part has launches to score.
func recentLaunches(d Dataset) Dataset {
	for i := range d.Items {
		if i%20 == 0 {
			d.Items[i].Created = d.Now.Add(-time.Duration(1+i%7) * 24 * time.Hour)
		}
	}
	return d
}

// TestCachePartsMatchTheHybridPartByPart: the tuning cache scored in one
// pass per shopper (partScores: the history once, popularity and the
// trend once per model, the five taste parts together) holds the same
// pool, in the same order, with the same values bit for bit as the
// hybrid called once per part, for every held-out shopper of a generated
// shop with every part scoring (factors, neighbours, words, transitions,
// taste, freshness) and of a shop whose purchases lead to their partners.
func TestCachePartsMatchTheHybridPartByPart(t *testing.T) {
	shops := []struct {
		name string
		d    Dataset
	}{
		{"generated shop", recentLaunches(syntheticShop(600, 800, 24_000, 5))},
		{"purchases that lead on", purchaseLeadsShop(true)},
	}
	for _, shop := range shops {
		cfg := DefaultConfig()
		cfg.ALS.Iterations = 3
		cfg.Workers = 2
		tn, c, _ := heldOutTuner(t, shop.d, cfg)
		want := cacheForPartByPart(tn, c.m)
		got := tn.cacheFor(c.m)
		if len(got) != len(want) {
			t.Fatalf("%s: %d shoppers cached, want %d", shop.name, len(got), len(want))
		}
		var scoring [numComponents]int
		for k := range want {
			g, w := &got[k], &want[k]
			id := tn.users[k].id
			if !reflect.DeepEqual(g.items, w.items) {
				t.Fatalf("%s, shopper %s: pool %v, want %v", shop.name, id, g.items, w.items)
			}
			for p, v := range w.vals {
				if math.Float32bits(g.vals[p]) != math.Float32bits(v) {
					t.Fatalf("%s, shopper %s, part %d, product %s: %g, want %g", shop.name, id, p%numComponents,
						c.m.cat.items[w.items[p/numComponents]].ID, g.vals[p], v)
				}
				if v > 0 {
					scoring[p%numComponents]++
				}
			}
			if !reflect.DeepEqual(g, w) {
				t.Fatalf("%s, shopper %s: cache %+v, want %+v", shop.name, id, *g, *w)
			}
		}
		t.Logf("%s: %d shoppers, products scored per part %v", shop.name, len(want), scoring)
		if shop.name != "generated shop" {
			continue
		}
		// Every part scores something, so the comparison covers each.
		for part, n := range scoring {
			if n == 0 {
				t.Errorf("%s: part %d scores no product in any pool", shop.name, part)
			}
		}
	}
}

// BenchmarkCacheFor times the tuning cache of a generated shop's held-out
// shoppers, built in one pass per shopper and part by part as before, by
// the process's CPU time a shopper (a shared machine stretches the wall
// clock): go test -run X -bench CacheFor ./recommender.
func BenchmarkCacheFor(b *testing.B) {
	cfg := DefaultConfig()
	cfg.Workers = 1
	tn, c, _ := heldOutTuner(b, recentLaunches(syntheticShop(3000, 5000, 150_000, 3)), cfg)
	tn.workers = 1
	for _, path := range []struct {
		name  string
		cache func() []userCache
	}{
		{"one pass", func() []userCache { return tn.cacheFor(c.m) }},
		{"part by part", func() []userCache { return cacheForPartByPart(tn, c.m) }},
	} {
		b.Run(path.name, func(b *testing.B) {
			cpu := processCPU()
			for b.Loop() {
				path.cache()
			}
			b.ReportMetric(float64((processCPU()-cpu).Microseconds())/float64(b.N*len(tn.users))/1000, "cpu-ms/shopper")
		})
	}
}
