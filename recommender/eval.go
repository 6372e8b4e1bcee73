package recommender

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
)

// Metrics are top-k ranking metrics averaged over evaluated users, with the
// definitions of Microsoft Recommenders' python_evaluation: precision@k =
// hits/k; recall@k = hits/|relevant|; NDCG@k with binary relevance and the
// ideal DCG over min(|relevant|, k) positions; MAP@k = Σ precision at each hit
// / min(|relevant|, k). F1 combines the averaged precision and recall;
// HitRate is the share of users with at least one hit; Coverage is the share
// of the catalog recommended to anyone.
type Metrics struct {
	Precision, Recall, F1, NDCG, MAP, HitRate, Coverage float64
	Users                                               int
}

// RankingMetrics scores ranked lists against relevant sets (one pair per
// user; users without relevant items are skipped) for a catalog of
// catalogSize items.
func RankingMetrics(ranked [][]string, relevant []map[string]bool, k, catalogSize int) Metrics {
	var acc Metrics
	distinct := make(map[string]bool)
	for u, list := range ranked {
		rel := relevant[u]
		if len(rel) == 0 {
			continue
		}
		for _, id := range list[:min(k, len(list))] {
			distinct[id] = true
		}
		p, r, ndcg, ap, hit := userMetrics(list, rel, k)
		acc.Precision += p
		acc.Recall += r
		acc.NDCG += ndcg
		acc.MAP += ap
		acc.HitRate += hit
		acc.Users++
	}
	return acc.finish(len(distinct), catalogSize)
}

func userMetrics(list []string, rel map[string]bool, k int) (p, r, ndcg, ap, hit float64) {
	hits := 0
	var dcg float64
	for pos, id := range list[:min(k, len(list))] {
		if rel[id] {
			hits++
			dcg += 1 / math.Log2(float64(pos)+2)
			ap += float64(hits) / float64(pos+1)
		}
	}
	var idcg float64
	for pos := range min(len(rel), k) {
		idcg += 1 / math.Log2(float64(pos)+2)
	}
	if hits > 0 {
		hit = 1
	}
	return float64(hits) / float64(k), float64(hits) / float64(len(rel)), dcg / idcg,
		ap / float64(min(len(rel), k)), hit
}

func (acc Metrics) finish(distinct, catalogSize int) Metrics {
	if acc.Users > 0 {
		n := float64(acc.Users)
		acc.Precision /= n
		acc.Recall /= n
		acc.NDCG /= n
		acc.MAP /= n
		acc.HitRate /= n
	}
	if acc.Precision+acc.Recall > 0 {
		acc.F1 = 2 * acc.Precision * acc.Recall / (acc.Precision + acc.Recall)
	}
	if catalogSize > 0 {
		acc.Coverage = float64(distinct) / float64(catalogSize)
	}
	return acc
}

// TimeSplit puts the earliest frac of events (by time) in train and the rest
// in test, keeping only test events of users who also appear in train.
func TimeSplit(events []Event, frac float64) (train, test []Event) {
	sorted := slices.Clone(events)
	slices.SortStableFunc(sorted, func(a, b Event) int { return a.Time.Compare(b.Time) })
	cut := int(math.Round(frac * float64(len(sorted))))
	cut = max(0, min(cut, len(sorted)))
	train = sorted[:cut:cut]
	users := make(map[string]bool)
	for _, e := range train {
		users[e.User] = true
	}
	for _, e := range sorted[cut:] {
		if users[e.User] {
			test = append(test, e)
		}
	}
	return train, test
}

// ShopperLastSplit holds out each shopper's latest frac of their events
// (at least one of a shopper with two or more) and leaves out the gap
// share before them: by time, events on one timestamp in the order given
// (the order they were recorded). Unlike TimeSplit it needs no clock that
// separates shoppers' events, so it holds out the next steps of every
// shopper even when all events share one timestamp and the file lists
// them shopper after shopper. The gap keeps the held-out events from
// being the rest of the visit the training part ends in: serving ranks
// for a later visit.
func ShopperLastSplit(events []Event, frac, gap float64) (train, test []Event) {
	sorted := slices.Clone(events)
	slices.SortStableFunc(sorted, func(a, b Event) int { return a.Time.Compare(b.Time) })
	count := map[string]int{}
	for _, e := range sorted {
		count[e.User]++
	}
	seen := make(map[string]int, len(count)) // each shopper's events so far
	for _, e := range sorted {
		n := count[e.User]
		held, skip := 0, 0
		if n >= 2 {
			held = max(1, int(math.Round(frac*float64(n))))
			skip = min(int(math.Round(gap*float64(n))), n-held-1)
		}
		switch k := seen[e.User]; {
		case k >= n-held:
			test = append(test, e)
		case k < n-held-skip:
			train = append(train, e)
		}
		seen[e.User]++
	}
	return train, test
}

// UserRandomSplit splits each user's events at random, round(frac·n) to train
// and the rest to test (Microsoft Recommenders' python_stratified_split, the
// protocol of their MovieLens benchmarks). Every user with events keeps at
// least one in train. The result is deterministic for a seed.
func UserRandomSplit(events []Event, frac float64, seed int64) (train, test []Event) {
	byUser := make(map[string][]int)
	var order []string
	for i, e := range events {
		if _, ok := byUser[e.User]; !ok {
			order = append(order, e.User)
		}
		byUser[e.User] = append(byUser[e.User], i)
	}
	rng := rand.New(rand.NewPCG(uint64(seed), 0x5711))
	for _, u := range order {
		idx := byUser[u]
		rng.Shuffle(len(idx), func(a, b int) { idx[a], idx[b] = idx[b], idx[a] })
		nTrain := max(1, int(math.Round(frac*float64(len(idx)))))
		for t, i := range idx {
			if t < nTrain {
				train = append(train, events[i])
			} else {
				test = append(test, events[i])
			}
		}
	}
	return train, test
}

// Evaluate trains on train with cfg and measures each strategy on test at k.
// Every strategy ranks the whole catalog for every test user known to the
// model, with the user's training items removed and stock ignored; the
// relevant items are the user's test items not already in training.
func Evaluate(ctx context.Context, train Dataset, test []Event, k int, cfg Config, strategies []Strategy) (map[Strategy]Metrics, error) {
	cfg.Candidates.PerUser = 0 // rank the whole catalog: candidate lists are a serving shortcut
	m, err := Train(ctx, train, cfg, nil)
	if err != nil {
		return nil, err
	}
	return m.Evaluate(ctx, test, k, strategies)
}

// Evaluate measures strategies of an already trained model (see the
// package-level Evaluate for the protocol).
func (m *Model) Evaluate(ctx context.Context, test []Event, k int, strategies []Strategy) (map[Strategy]Metrics, error) {
	return m.evaluate(ctx, test, k, strategies, nil)
}

// evaluate is Evaluate with the hybrid's blend weights overridden, so
// candidate blends can be compared without retraining.
func (m *Model) evaluate(ctx context.Context, test []Event, k int, strategies []Strategy, weights *HybridWeights) (map[Strategy]Metrics, error) {
	if k <= 0 {
		return nil, fmt.Errorf("recommender: evaluate: k must be > 0")
	}
	type userTest struct {
		user string
		rel  map[string]bool
	}
	byUser := make(map[string]map[string]bool)
	for _, e := range test {
		u, known := m.userIndex[e.User]
		j, item := m.cat.index[e.Item]
		if !known || !item || e.Type >= numEventTypes || m.cfg.TypeWeights[e.Type] <= 0 {
			continue
		}
		if items, _ := m.ui.row(int(u)); slices.Contains(items, j) {
			continue
		}
		if byUser[e.User] == nil {
			byUser[e.User] = make(map[string]bool)
		}
		byUser[e.User][e.Item] = true
	}
	users := make([]userTest, 0, len(byUser))
	for u, rel := range byUser {
		users = append(users, userTest{u, rel})
	}
	slices.SortFunc(users, func(a, b userTest) int { return cmp.Compare(a.user, b.user) })

	out := make(map[Strategy]Metrics, len(strategies))
	for _, st := range strategies {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("recommender: evaluate: %w", err)
		}
		var mu sync.Mutex
		var acc Metrics
		distinct := make(map[string]bool)
		parallelRange(len(users), m.cfg.Workers, func(next func() (int, int, bool)) {
			var local Metrics
			seen := make(map[string]bool)
			for {
				lo, hi, ok := next()
				if !ok {
					break
				}
				for _, ut := range users[lo:hi] {
					recs := m.recommend(Request{User: ut.user, Strategy: st, N: k, ExcludeSeen: true, weights: weights}, true)
					list := make([]string, len(recs))
					for t, r := range recs {
						list[t] = r.ItemID
						seen[r.ItemID] = true
					}
					p, r, ndcg, ap, hit := userMetrics(list, ut.rel, k)
					local.Precision += p
					local.Recall += r
					local.NDCG += ndcg
					local.MAP += ap
					local.HitRate += hit
					local.Users++
				}
			}
			mu.Lock()
			defer mu.Unlock()
			acc.Precision += local.Precision
			acc.Recall += local.Recall
			acc.NDCG += local.NDCG
			acc.MAP += local.MAP
			acc.HitRate += local.HitRate
			acc.Users += local.Users
			for id := range seen {
				distinct[id] = true
			}
		})
		out[st] = acc.finish(len(distinct), len(m.cat.items))
	}
	return out, nil
}

// AblationRow is the tuned hybrid's NDCG with one part taken out.
type AblationRow struct {
	Variant string
	NDCG    float64
	Users   int
}

// EvaluateTuned trains on train with the configuration Tune chose (and the
// second stage it kept), then measures the strategies and the ablation of
// the hybrid on test (same protocol as Evaluate).
func EvaluateTuned(ctx context.Context, train Dataset, test []Event, k int, rep *FitReport, strategies []Strategy) (map[Strategy]Metrics, []AblationRow, error) {
	cfg := rep.Config
	cfg.Candidates.PerUser = 0
	m, err := Train(ctx, train, cfg, nil)
	if err != nil {
		return nil, nil, err
	}
	if rep.RankerKept {
		m.ranker = rep.Ranker
	}
	metrics, err := m.Evaluate(ctx, test, k, strategies)
	if err != nil {
		return nil, nil, err
	}
	abl, err := m.Ablation(ctx, test, k)
	return metrics, abl, err
}

// Ablation measures the hybrid as trained, then without the second stage
// (the linear blend alone), then the blend without each of its parts in
// turn (that part's weight set to zero, the rest unchanged).
func (m *Model) Ablation(ctx context.Context, test []Event, k int) ([]AblationRow, error) {
	run := func(name string, w *HybridWeights) (AblationRow, error) {
		res, err := m.evaluate(ctx, test, k, []Strategy{Hybrid}, w)
		if err != nil {
			return AblationRow{}, err
		}
		return AblationRow{Variant: name, NDCG: res[Hybrid].NDCG, Users: res[Hybrid].Users}, nil
	}
	var out []AblationRow
	full := "hybrid as trained (blend only: the second stage did not pay on validation)"
	if m.ranker != nil {
		full = "hybrid as trained (blend + second stage)"
	}
	r, err := run(full, nil)
	if err != nil {
		return nil, err
	}
	out = append(out, r)
	base := m.cfg.Weights
	if m.ranker != nil {
		if r, err = run("without the second stage (blend only)", &base); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	wv := weightVec(base)
	for c, v := range wv {
		if v <= 0 {
			continue
		}
		w := wv
		w[c] = 0
		hw := withLean(vecWeights(w), base)
		if r, err = run("blend without "+componentNames[c], &hw); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	if base.ShortHistory > 0 {
		hw := base
		hw.ShortHistory = 0
		if r, err = run("blend without popularity's lean for short histories", &hw); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}
