package recommender

import (
	"math"
	"slices"
)

// A wave of attention: a product that many shoppers came to in the same few
// days (featured by an influencer, a newsletter, a press mention) tells
// little of any one of them — they came because everyone did that week, and
// once the wave has passed what it led to has been seen. Counted like any
// product, one view of it becomes a taste (its category, its neighbours, its
// factors) that outweighs the shopper's own; an outside check's shop with
// such waves scored its blend at 0.88–0.96× plain item-kNN for it
// (docs/recommender.md, "waves of attention"). Like the inverse document
// frequency of a word, over a time window: a product's interactions weigh
// less the more of its shoppers came in its busiest week beyond what its
// steady rate over its own life would bring there.
const (
	// burstWindow is the span of a wave: a week.
	burstWindow = 7 * 24 * 3600
	// burstPrior is the shoppers a product's share is shrunk by, so a
	// product a handful of shoppers touched in one week is no wave.
	burstPrior = 10
	// burstChance is how many spreads (the square root of the steady
	// count) above its steady count a product's busiest week may hold by
	// chance: a product of thirty shoppers over half a year is no wave for
	// a week of five.
	burstChance = 3
	// burstShare is the share of a product's shoppers beyond its steady
	// rate and chance that its busiest week may hold and still count
	// fully: the weeks when a film came out or a shop's regulars came in
	// (MovieLens: 1,512 of 1,541 films rated twice or more hold under 10 %,
	// none over 30 %) are no wave; a featured product's week (80–90 %)
	// and its related products' (40–70 %) are.
	burstShare = 0.2
)

// burstWeights returns, per product, the weight a shopper's interaction with
// it carries in their tastes: (1 − (b − line)/(1 − line))^power where b,
// the share of the product's distinct shoppers (plus burstPrior) who first
// came to it in its busiest window beyond what a steady rate since its
// first shopper would put there and chance, is above the line: burstShare
// over the median product's share. 1 for a product without a wave; nil when no product has one or
// power is 0. evs are the cleaned events by shopper, then product.
func burstWeights(evs []compactEvent, items int, now int64, power float64) []float32 {
	if power <= 0 || items == 0 {
		return nil
	}
	first := make([][]int64, items)
	for lo := 0; lo < len(evs); {
		hi, t := lo, evs[lo].unix
		for hi < len(evs) && evs[hi].user == evs[lo].user && evs[hi].item == evs[lo].item {
			t = min(t, evs[hi].unix)
			hi++
		}
		first[evs[lo].item] = append(first[evs[lo].item], t)
		lo = hi
	}
	share := make([]float64, items)
	var shares []float64
	for i, ts := range first {
		n := len(ts)
		if n < 2 {
			continue
		}
		slices.Sort(ts)
		busiest, a := 0, 0
		for b := range ts {
			for ts[b]-ts[a] > burstWindow {
				a++
			}
			busiest = max(busiest, b-a+1)
		}
		life := float64(max(now-ts[0], burstWindow))
		steady := float64(n) * burstWindow / life
		// Beyond chance: a steady product's busiest week is its steady
		// count plus a few of its Poisson spreads.
		share[i] = max((float64(busiest)-steady-burstChance*math.Sqrt(steady+1))/(float64(n)+burstPrior), 0)
		shares = append(shares, share[i])
	}
	if len(shares) == 0 {
		return nil
	}
	// A wave stands out from the shop's own products: where most products
	// sell in one week (tickets, drops), that week is how the shop sells,
	// and the line rises with the shop's median share.
	slices.Sort(shares)
	line := min(burstShare+shares[len(shares)/2], 1)
	var w []float32
	for i, b := range share {
		if b <= line {
			continue
		}
		if w == nil {
			w = make([]float32, items)
			for k := range w {
				w[k] = 1
			}
		}
		w[i] = float32(math.Pow(1-(b-line)/(1-line), power))
	}
	return w
}
