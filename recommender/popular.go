package recommender

import (
	"cmp"
	"math"
	"slices"
	"time"
)

// popularity holds the non-personal rankings: scores normalised to [0,1] and
// the item orders they induce (items with a zero score are left out).
type popularity struct {
	pop, trend           []float32
	popOrder, trendOrder []int32
	newOrder             []int32 // every item, newest first
}

func trainPopularity(s *signals, cat *catalog, cfg Config) popularity {
	n := len(cat.items)
	pop := make([]float64, n)
	recent := make([]float64, n)
	base := make([]float64, n)
	now := s.now.Unix()
	window := int64(cfg.TrendingWindow / time.Second)
	baseline := int64(cfg.TrendingBaseline / time.Second)
	for _, e := range s.events {
		w := cfg.TypeWeights[e.typ]
		age := now - e.unix
		pop[e.item] += w * decay(age, cfg.PopularityHalfLife)
		if age < 0 {
			age = 0
		}
		if window > 0 && age < window {
			recent[e.item] += w
		}
		if baseline > 0 && age < baseline {
			base[e.item] += w
		}
	}
	p := popularity{pop: normalised(pop), trend: make([]float32, n)}
	if window > 0 && baseline > window {
		trend := make([]float64, n)
		ratio := float64(window) / float64(baseline)
		for i := range trend {
			// A z-score-like lift: the recent volume against what the
			// long-term rate predicts, damped for low-volume items.
			expected := base[i] * ratio
			if z := (recent[i] - expected) / math.Sqrt(expected+1); z > 0 {
				trend[i] = z
			}
		}
		p.trend = normalised(trend)
	}
	p.popOrder = orderByScore(p.pop)
	p.trendOrder = orderByScore(p.trend)
	p.newOrder = make([]int32, n)
	for i := range p.newOrder {
		p.newOrder[i] = int32(i)
	}
	slices.SortStableFunc(p.newOrder, func(a, b int32) int {
		return cat.items[b].Created.Compare(cat.items[a].Created)
	})
	return p
}

func normalised(x []float64) []float32 {
	out := make([]float32, len(x))
	hi := 0.0
	for _, v := range x {
		hi = max(hi, v)
	}
	if hi <= 0 {
		return out
	}
	for i, v := range x {
		out[i] = float32(v / hi)
	}
	return out
}

// orderByScore returns the indexes with a positive score, best first (ties by
// index for determinism).
func orderByScore(score []float32) []int32 {
	var order []int32
	for i, v := range score {
		if v > 0 {
			order = append(order, int32(i))
		}
	}
	slices.SortFunc(order, func(a, b int32) int {
		return cmp.Or(cmp.Compare(score[b], score[a]), cmp.Compare(a, b))
	})
	return order
}
