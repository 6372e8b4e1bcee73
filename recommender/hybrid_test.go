package recommender

import (
	"context"
	"math"
	"testing"
	"time"
)

// TestHybridPartsAddUpOnAReusedScratch: the blend is the sum of its parts,
// each normalised on its own, whatever ran on the scratch before. The
// neighbour parts accumulate from zero into the buffer the dense parts
// (ALS, SVD, EASE) fill: their scores left in it had the neighbour parts
// skip almost every item, in the served blend and in the tuner's cache of
// each part alone.
func TestHybridPartsAddUpOnAReusedScratch(t *testing.T) {
	d := syntheticShop(300, 400, 20_000, 5)
	cfg := DefaultConfig()
	cfg.Candidates.PerUser = 0
	cfg.ALS.Iterations = 3
	cfg.Workers = 1
	m, err := Train(context.Background(), d, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	parts := []HybridWeights{{ALS: 1}, {SVD: 1}, {EASE: 1}, {KNN: 1}, {Content: 1}, {Next: 1}, {Terms: 1}}
	all := HybridWeights{ALS: 1, SVD: 1, EASE: 1, KNN: 1, Content: 1, Next: 1, Terms: 1}
	n := len(m.cat.items)
	var cands []int32
	for j := range min(n, 150) {
		cands = append(cands, int32(j*2%n))
	}
	// run scores one request on s; sub != nil takes the candidate-list path.
	run := func(s *scratch, u string, w HybridWeights, sub []int32) []float32 {
		s.begin()
		req := Request{User: u, weights: &w}
		user := m.buildHistory(s, req)
		if sub != nil {
			m.hybridSubset(s, req, user, sub, w)
		} else {
			m.hybrid(s, req, user, nil)
		}
		return append([]float32(nil), s.score...)
	}
	reused := m.getScratch()
	for _, sub := range [][]int32{nil, cands} {
		for _, u := range m.userIDs[:20] {
			want := make([]float32, n)
			for _, w := range parts {
				for j, v := range run(m.getScratch(), u, w, sub) { // a fresh scratch for each part
					want[j] += v
				}
			}
			// On one scratch, each part alone and then the whole blend,
			// as the tuner's cache and serving use it.
			for _, w := range parts {
				run(reused, u, w, sub)
			}
			got := run(reused, u, all, sub)
			for j := range got {
				if math.Abs(float64(got[j]-want[j])) > 1e-4 {
					t.Fatalf("shopper %s (candidate list %v), item %d: blend %.5f, sum of its parts %.5f", u, sub != nil, j, got[j], want[j])
				}
			}
		}
	}
}

// TestEASEsShareGoesToKNNAboveItsLimit: untuned, a catalog above EASE's
// item limit blends item-kNN with the fallback share of EASE's weight (it
// would have no item-to-item part at all otherwise); one within the limit
// keeps EASE and the blend as configured; a tuned blend fit without EASE
// keeps the kNN weight its own data chose.
func TestEASEsShareGoesToKNNAboveItsLimit(t *testing.T) {
	d := syntheticShop(300, 400, 20_000, 5)
	cfg := DefaultConfig()
	cfg.Candidates.PerUser = 0
	cfg.ALS.Iterations = 3
	cfg.Workers = 1
	within, err := Train(context.Background(), d, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !within.ease.enabled() || within.cfg.Weights != cfg.Weights {
		t.Fatalf("within EASE's limit: EASE trained %v, blend %+v, want EASE and %+v", within.ease.enabled(), within.cfg.Weights, cfg.Weights)
	}
	above := cfg
	above.EASE.MaxItems = 50 // fewer than the shop's active items
	m, err := Train(context.Background(), d, above, nil)
	if err != nil {
		t.Fatal(err)
	}
	w := m.cfg.Weights
	if m.ease.enabled() || w.EASE != 0 || w.KNN != cfg.EASEFallback*cfg.Weights.EASE+cfg.Weights.KNN {
		t.Errorf("above EASE's limit: EASE trained %v, blend EASE %g, kNN %g; want no EASE and kNN %g", m.ease.enabled(), w.EASE, w.KNN,
			cfg.EASEFallback*cfg.Weights.EASE+cfg.Weights.KNN)
	}
	// The served lists differ from those of a blend without kNN.
	off := above
	off.EASEFallback = 0
	plain, err := Train(context.Background(), d, off, nil)
	if err != nil {
		t.Fatal(err)
	}
	if plain.cfg.Weights.KNN != cfg.Weights.KNN {
		t.Errorf("fallback 0: kNN %g, want %g", plain.cfg.Weights.KNN, cfg.Weights.KNN)
	}
	differ := 0
	for _, u := range m.userIDs[:30] {
		a := m.Recommend(Request{User: u, Strategy: Hybrid, N: 10, ExcludeSeen: true})
		b := plain.Recommend(Request{User: u, Strategy: Hybrid, N: 10, ExcludeSeen: true})
		for k := range min(len(a), len(b)) {
			if a[k].ItemID != b[k].ItemID {
				differ++
				break
			}
		}
	}
	if differ == 0 {
		t.Error("the fallback's kNN share changed no shopper's list")
	}
	// Tuned without EASE, the blend's kNN weight is the shop's own.
	above.TuneBudget = 2 * time.Second
	_, rep, err := Fit(context.Background(), d, above, FitOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Tuned {
		t.Fatalf("not tuned: %s", rep.Reason)
	}
	if want := 0.0; rep.DefaultsKept && rep.Config.EASEFallback != above.EASEFallback || !rep.DefaultsKept && rep.Config.EASEFallback != want {
		t.Errorf("tuned without EASE (defaults kept: %v): fallback %g", rep.DefaultsKept, rep.Config.EASEFallback)
	}
}
