package recommender

import (
	"math"
	"slices"
)

// alsRecencyPower is how much more steeply ALS's rows in a ratings shop
// read the shopper's latest items than the profile does: each item's
// confidence is scaled by the profile's recency weight to this power (with
// the default half-rank of 10, a weight halved about every 2.5 places).
// On the suite's ratings world and MovieLens split per user by time the
// hybrid gained 3.8 % and 4.4 % untuned; on the shops without ratings the
// same rows (power 1 or 4) lost 0.2–1.2 %, so they keep the trained rows
// (docs/recommender.md, "ALS's rows follow the latest ratings").
const alsRecencyPower = 4

// alsRecencyRows re-solves every shopper's ALS factors in a shop whose
// events carry ratings (Model.pref) with each history item's confidence
// scaled by the profile's recency weight (profileWeights: halved every
// RecencyHalfRank places down the history, latest first, the items of one
// timestamp sharing their middle place, never below the floor) to
// alsRecencyPower, so ALS, like the neighbour models and EASE, follows the
// shopper's latest ratings. Every item still counts as liked (its
// preference stays 1); the item factors stay as trained and each row
// starts from its trained one. With the recency off (a random split) the
// trained rows are kept, unless they were reweighted (reweighted: tuning's
// move of the profile from a model with the recency on), and then they are
// solved again from the plain strengths.
func alsRecencyRows(m *Model, cfg Config, workers int, reweighted bool) {
	a := &m.als
	if !a.enabled() || m.ui.nnz() == 0 || m.pref == nil || m.recent.rows != m.ui.rows {
		return
	}
	p := cfg.Profile
	if p.RecencyHalfRank <= 0 && !reweighted {
		return
	}
	w := m.ui
	w.data = slices.Clone(a.strengths(nil, m.ui.data))
	if p.RecencyHalfRank > 0 {
		floor := min(max(p.RecencyFloor, 0), 1)
		rank := make([]float64, len(m.cat.items))
		at := make([]int32, len(m.cat.items)) // user+1 whose rank is set
		for u := range m.ui.rows {
			items, steps := m.recent.row(u)
			r := 0
			for lo := 0; lo < len(items); {
				hi := lo + 1
				for hi < len(items) && steps[hi] == sameStep {
					hi++
				}
				mid := float64(r) + float64(hi-lo-1)/2
				for _, j := range items[lo:hi] {
					rank[j], at[j] = mid, int32(u+1)
				}
				r += hi - lo
				lo = hi
			}
			for x := m.ui.indptr[u]; x < m.ui.indptr[u+1]; x++ {
				rk := float64(r) // not in the recency order: after every item that is
				if j := m.ui.indices[x]; at[j] == int32(u+1) {
					rk = rank[j]
				}
				w.data[x] *= float32(math.Pow(floor+(1-floor)*math.Exp2(-rk/p.RecencyHalfRank), alsRecencyPower))
			}
		}
	}
	k := a.k
	userF := slices.Clone(a.userF)
	gram := make([]float32, k*k)
	for i, g := range a.gram {
		gram[i] = float32(g)
	}
	cgSweep(userF, a.itemF, gram, &w, k, a.alpha, 2*max(cfg.ALS.CGSteps, 1), workers, nil, 0)
	a.userF = userF
}
