package recommender

import (
	"context"
	"fmt"
)

// TuneResult is one candidate blend and how it did on held-out events.
type TuneResult struct {
	Name    string
	Weights HybridWeights
	NDCG    float64
	Users   int
}

// minTuneUsers is how many held-out shoppers a comparison needs to mean
// anything; with fewer, the configured blend is kept.
const minTuneUsers = 30

// maxTuneUsers bounds the held-out shoppers each blend is scored on, so
// tuning stays a few seconds on a large shop.
const maxTuneUsers = 3000

// sampleUsers keeps the events of at most n users, chosen by a hash of the
// id so the sample is stable and not biased by id order.
func sampleUsers(evs []Event, n int) []Event {
	users := map[string]bool{}
	for _, e := range evs {
		users[e.User] = true
	}
	if len(users) <= n {
		return evs
	}
	// Keep a user when their hash falls below a threshold set so about n stay.
	limit := uint64(float64(^uint64(0)) * float64(n) / float64(len(users)))
	out := evs[:0:0]
	for _, e := range evs {
		if fnv64(e.User) <= limit {
			out = append(out, e)
		}
	}
	return out
}

func fnv64(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// TuneWeights chooses the hybrid blend for this shop's own data instead of
// trusting one fixed mix: shops differ in how much popularity, neighbours
// and latent factors predict what a shopper does next. It trains once on
// the earlier 90% of events and scores candidate blends on the later 10%
// (the same time-ordered protocol as the offline evaluation), returning the
// best and every result. The configured blend wins ties.
func TuneWeights(ctx context.Context, d Dataset, cfg Config, k int) (HybridWeights, []TuneResult, error) {
	base := cfg.Weights
	train, test := TimeSplit(d.Events, 0.9)
	if len(train) == 0 || len(test) == 0 {
		return base, nil, nil
	}
	test = sampleUsers(test, maxTuneUsers)
	td := Dataset{Items: d.Items, Events: train, Now: train[len(train)-1].Time}
	cfg.Candidates.PerUser = 0 // rank the whole catalog: candidate lists are a serving shortcut
	m, err := Train(ctx, td, cfg, nil)
	if err != nil {
		return base, nil, fmt.Errorf("recommender: tune: %w", err)
	}
	best, bestNDCG := base, -1.0
	var results []TuneResult
	for _, c := range blendCandidates(base) {
		w := c.Weights
		ms, err := m.evaluate(ctx, test, k, []Strategy{Hybrid}, &w)
		if err != nil {
			return base, results, fmt.Errorf("recommender: tune: %w", err)
		}
		r := ms[Hybrid]
		c.NDCG, c.Users = r.NDCG, r.Users
		results = append(results, c)
		if r.Users < minTuneUsers {
			return base, results, nil
		}
		if r.NDCG > bestNDCG*1.01 { // a candidate must beat the incumbent clearly
			best, bestNDCG = w, r.NDCG
		}
	}
	return best, results, nil
}

// blendCandidates are the configured blend and a few shifts of emphasis.
func blendCandidates(base HybridWeights) []TuneResult {
	scale := func(w HybridWeights, f func(*HybridWeights)) HybridWeights {
		f(&w)
		return w
	}
	return []TuneResult{
		{Name: "configured", Weights: base},
		{Name: "more popularity", Weights: scale(base, func(w *HybridWeights) { w.Popular, w.Trending = w.Popular*5+0.2, w.Trending*4 })},
		{Name: "popularity first", Weights: scale(base, func(w *HybridWeights) { w.Popular, w.Trending = w.Popular*20+1, w.Trending*10 })},
		{Name: "what is hot now", Weights: scale(base, func(w *HybridWeights) { w.Trending, w.Popular = w.Trending*10+0.5, w.Popular*2+0.2 })},
		{Name: "neighbours first", Weights: scale(base, func(w *HybridWeights) { w.KNN, w.ALS, w.EASE = w.KNN*2+0.5, w.ALS/2, w.EASE/2 })},
		{Name: "factors first", Weights: scale(base, func(w *HybridWeights) { w.ALS, w.SVD, w.KNN = w.ALS*2+0.5, w.SVD*2, w.KNN/2 })},
	}
}
