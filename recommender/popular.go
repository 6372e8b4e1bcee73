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
	newOrder             []int32   // every item, newest first
	season               []float32 // per item: its category's season, a log ratio (season.go); nil without one
	// newcomer is the popularity a shopper without history is shown when
	// training chose another form than pop's (Config.Newcomer); nil: pop.
	newcomer      []float32
	newcomerOrder []int32
}

// credit is one product's popularity evidence in one time frame: what views
// and clicks say, and what carts and purchases say.
type credit struct{ look, buy float64 }

// Popularity counts shoppers, not requests (a "Popular this week" that a
// script's page views could fill would show every new visitor what the
// script chose):
//   - one shopper's events on a product count at most as two purchases
//     (popShopperCap), however often they came back to it;
//   - a shopper who only looked counts by how much they looked at: a
//     visitor whose whole history is one product page counts 1/popLookItems,
//     one who looked at popLookItems products or more counts fully, and a
//     shopper with a cart or purchase always counts fully;
//   - in a shop whose shoppers buy, a product's views count up to
//     popLookRatio times what this shop's products are usually looked at
//     per cart and purchase, for its own carts and purchases plus one
//     cart's worth: views nobody goes on to buy after cannot outrank what
//     shoppers buy, whoever sent them.
const (
	popLookItems = 3
	popLookRatio = 4
	// popYardstickItems: the fewest products both looked at and bought
	// whose median ratio is taken as the shop's.
	popYardstickItems = 20
)

// popShopperCap is the most one shopper adds to a product's popularity.
func popShopperCap(cfg Config) float64 {
	return 2 * max(cfg.TypeWeights[Purchase], cfg.TypeWeights[AddToCart], cfg.TypeWeights[View], cfg.TypeWeights[Click])
}

func trainPopularity(s *signals, cat *catalog, cfg Config) popularity {
	n := len(cat.items)
	pop, recent, base := popularityCredits(s, n, cfg, cfg.PopularityHalfLife, false, true)
	lookPerBuy := usualLookPerBuy(pop)
	cartWorth := cfg.TypeWeights[AddToCart]
	score := func(c []credit, allowance float64) []float64 { return creditScores(c, allowance, lookPerBuy) }
	p := popularity{pop: normalised(score(pop, cartWorth)), trend: make([]float32, n)}
	window, baseline := cfg.TrendingWindow, cfg.TrendingBaseline
	if window > 0 && baseline > window {
		recentScore, baseScore := score(recent, 0), score(base, cartWorth)
		trend := make([]float64, n)
		ratio := float64(window) / float64(baseline)
		for i := range trend {
			// A z-score-like lift: the recent volume against what the
			// long-term rate predicts, damped for low-volume items.
			expected := baseScore[i] * ratio
			if z := (recentScore[i] - expected) / math.Sqrt(expected+1); z > 0 {
				trend[i] = z
			}
		}
		p.trend = normalised(trend)
	}
	if !cfg.tuneNoSeason {
		p.season = trainSeason(s, cat)
	}
	p.popOrder = orderByScore(p.pop)
	if cfg.Newcomer.Chosen {
		p.newcomer = newcomerScores(s, n, cfg, cfg.Newcomer)
		p.newcomerOrder = orderByScore(p.newcomer)
	}
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

// popularityCredits sums each product's credit over its shoppers with the
// given half-life (0: all time): type-weighted (each shopper's events at
// their types' weights, capped by popShopperCap), or distinct (each shopper
// counts once a product, by their latest event on it). With windows, it
// also sums the trend's recent and baseline windows (type-weighted).
func popularityCredits(s *signals, n int, cfg Config, halfLife time.Duration, distinct, windows bool) (pop, recent, base []credit) {
	pop = make([]credit, n)
	now := s.now.Unix()
	var window, baseline int64
	if windows {
		recent, base = make([]credit, n), make([]credit, n)
		window = int64(cfg.TrendingWindow / time.Second)
		baseline = int64(cfg.TrendingBaseline / time.Second)
	}
	shopperCap := popShopperCap(cfg)
	add := func(to []credit, it int32, c credit, weight float64) {
		if t := c.look + c.buy; t > shopperCap {
			c.look, c.buy = c.look*shopperCap/t, c.buy*shopperCap/t
		}
		to[it].look += weight * c.look
		to[it].buy += weight * c.buy
	}
	// s.events is sorted by user, then item, type and time.
	forEachUserRun(s.events, func(run []compactEvent) {
		weight, items := 0.0, 0
		for k, e := range run {
			if e.typ >= AddToCart {
				weight = 1
			}
			if k == 0 || e.item != run[k-1].item {
				items++
			}
		}
		if weight == 0 {
			weight = min(1, float64(items)/popLookItems)
		}
		for lo := 0; lo < len(run); {
			it := run[lo].item
			var p, r, b credit
			latest, bought := int64(math.MinInt64), false
			for ; lo < len(run) && run[lo].item == it; lo++ {
				e := run[lo]
				latest, bought = max(latest, e.unix), bought || e.typ >= AddToCart
				if distinct && !windows {
					continue
				}
				w := cfg.TypeWeights[e.typ]
				age := now - e.unix
				part := func(c *credit, v float64) {
					if e.typ >= AddToCart {
						c.buy += v
					} else {
						c.look += v
					}
				}
				part(&p, w*decay(age, halfLife))
				age = max(age, 0)
				if window > 0 && age < window {
					part(&r, w)
				}
				if baseline > 0 && age < baseline {
					part(&b, w)
				}
			}
			if distinct {
				v := decay(now-latest, halfLife)
				if bought {
					p = credit{buy: v}
				} else {
					p = credit{look: v}
				}
			}
			add(pop, it, p, weight)
			if windows {
				add(recent, it, r, weight)
				add(base, it, b, weight)
			}
		}
	})
	return pop, recent, base
}

// popularityScores scores products from their credit: a product's views
// count up to popLookRatio times what this shop's products are usually
// looked at per cart and purchase, for its own carts and purchases plus
// allowance (see trainPopularity).
func popularityScores(c []credit, allowance float64) []float64 {
	return creditScores(c, allowance, usualLookPerBuy(c))
}

// creditScores is each product's carts and purchases plus its looks, the
// looks counting up to popLookRatio times lookPerBuy per cart and
// purchase (plus allowance).
func creditScores(c []credit, allowance, lookPerBuy float64) []float64 {
	out := make([]float64, len(c))
	for i, v := range c {
		look := v.look
		if lookPerBuy > 0 {
			look = min(look, popLookRatio*lookPerBuy*(v.buy+allowance))
		}
		out[i] = v.buy + look
	}
	return out
}

// usualLookPerBuy is the median, over products both looked at and bought
// (or carted), of look credit per buy credit: how much this shop's
// shoppers look for each thing they buy. 0 when fewer than
// popYardstickItems products were (a shop whose events are views only, or
// ratings, or a handful of products), where there is no yardstick. The median, so that one product's flood of views does not
// move it.
func usualLookPerBuy(c []credit) float64 {
	var r []float64
	for _, v := range c {
		if v.look > 0 && v.buy > 0 {
			r = append(r, v.look/v.buy)
		}
	}
	if len(r) < popYardstickItems {
		return 0
	}
	slices.Sort(r)
	return r[len(r)/2]
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
