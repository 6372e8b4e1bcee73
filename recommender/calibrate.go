package recommender

import (
	"math"
	"slices"
	"sync"
)

// A calibrated list (Steck 2018, "Calibrated recommendations"): the
// shopper's row is re-ranked, over its best calibratePool products, so that
// the mix of leaf categories in it approaches a target mix, trading the
// blend's relevance against the KL divergence from the target with the
// weight HybridWeights.Calibrate. The target is the shop's own: the
// shopper's history's categories mixed with the shop's, in the proportion
// (HybridWeights.CategoryMix) that best explains, in the training data,
// which categories the shoppers' next new products came from (categoryMix).
// A shop whose shoppers' next products leave their categories often (gifts
// for someone else) gets a flatter target than one whose shoppers keep to
// theirs; either way a row whose blend piles into the shopper's top
// category is spread as the shop's shoppers actually spread.

// calibratePool is how many of the blend's best products the calibration
// re-ranks (at least the row's length).
const calibratePool = 50

// calibrateSmooth is Steck's β: the list's mix is smoothed toward the
// target so the divergence stays finite while a category is missing.
const calibrateSmooth = 0.01

// calibrator is the re-ranking's scratch, kept between requests.
type calibrator struct {
	local  []int32   // the candidates' distinct leaf categories
	target []float64 // the target share of each local category
	hist   []float64 // the history's products per local category
	count  []int     // the list's products per local category
	of     []int     // each candidate's local category (-1: none)
	rel    []float64 // each candidate's relevance, 0..1
	delta  []float64 // what one more product of each local category brings
	used   []bool
	order  []int
}

// calibrateOrder returns the order (indices into leaves) in which a
// calibrated list takes want of the candidates: leaves and scores are the
// candidates' leaf categories (-1: none) and blended scores, best first;
// histLeaves the leaf categories of the history's products; share the
// shop's share of each leaf category; mix the target's weight on the
// history (the rest on the shop's shares); lambda the trade-off. Each
// next product maximises (1−λ)·relevance + λ·(the fall in KL(target ‖
// list) it brings), relevance being the score scaled to 0..1 over the
// candidates.
func (c *calibrator) calibrateOrder(leaves []int32, scores []float32, histLeaves []int32, share []float32, mix, lambda float64, want int) []int {
	n := len(leaves)
	c.order = c.order[:0]
	want = min(want, n)
	c.local, c.of = c.local[:0], c.of[:0]
	for _, l := range leaves {
		k := -1
		if l >= 0 {
			if k = slices.Index(c.local, l); k < 0 {
				k = len(c.local)
				c.local = append(c.local, l)
			}
		}
		c.of = append(c.of, k)
	}
	L := len(c.local)
	c.hist = append(c.hist[:0], make([]float64, L)...)
	c.target = append(c.target[:0], make([]float64, L)...)
	c.count = append(c.count[:0], make([]int, L)...)
	known := 0
	for _, l := range histLeaves {
		if l < 0 {
			continue
		}
		known++
		if k := slices.Index(c.local, l); k >= 0 {
			c.hist[k]++
		}
	}
	for k, l := range c.local {
		t := 0.0
		if known > 0 {
			t = mix * c.hist[k] / float64(known)
		}
		if int(l) < len(share) {
			t += (1 - mix) * float64(share[l])
		}
		c.target[k] = t
	}
	lo, hi := scores[n-1], scores[0]
	c.rel = c.rel[:0]
	for _, s := range scores {
		r := 1.0
		if hi > lo {
			r = float64(s-lo) / float64(hi-lo)
		}
		c.rel = append(c.rel, r)
	}
	c.used = append(c.used[:0], make([]bool, n)...)
	// term is a category's part of −KL(target ‖ list of size k) beyond
	// its part with no product of it in the list.
	term := func(k, cnt int, size float64) float64 {
		t := c.target[k]
		if t <= 0 || cnt == 0 {
			return 0
		}
		return t * (math.Log((1-calibrateSmooth)*float64(cnt)/size+calibrateSmooth*t) - math.Log(calibrateSmooth*t))
	}
	c.delta = append(c.delta[:0], make([]float64, L)...)
	for len(c.order) < want {
		size := float64(len(c.order) + 1)
		// What one more product of each category brings, once per step.
		for k := range c.delta {
			c.delta[k] = lambda * (term(k, c.count[k]+1, size) - term(k, c.count[k], size))
		}
		best, bestV := -1, math.Inf(-1)
		for i := range n {
			if c.used[i] {
				continue
			}
			v := (1 - lambda) * c.rel[i]
			if k := c.of[i]; k >= 0 {
				v += c.delta[k]
			}
			if v > bestV {
				best, bestV = i, v
			}
		}
		c.used[best] = true
		c.order = append(c.order, best)
		if k := c.of[best]; k >= 0 {
			c.count[k]++
		}
	}
	return c.order
}

// calibrating reports the calibration's trade-off for a request (0: the
// row is not calibrated): a personal hybrid row of a shopper with a
// history (`recommend`, the API, a homepage's model-filled rows, where it
// takes the place of the row's diversity), whose weights ask for it, not
// a stranger's row covering the shop's demand.
func (m *Model) calibrating(s *scratch, req Request) float64 {
	w := m.cfg.Weights
	if req.weights != nil {
		w = *req.weights
	}
	if w.Calibrate <= 0 || req.Strategy != Hybrid || req.cover != nil || len(s.hist.items) == 0 {
		return 0
	}
	return min(w.Calibrate, 1)
}

// calibrate re-ranks s.picked (the best candidates, best first) into a
// calibrated list of want products.
func (m *Model) calibrate(s *scratch, want int, lambda float64) {
	if len(s.picked) < 2 {
		return
	}
	w := m.cfg.Weights
	s.calLeaves = s.calLeaves[:0]
	for _, j := range s.picked {
		s.calLeaves = append(s.calLeaves, m.cat.leafCat[j])
	}
	s.calHist = s.calHist[:0]
	for _, j := range s.hist.items {
		s.calHist = append(s.calHist, m.cat.leafCat[j])
	}
	s.reorderPicked(s.cal.calibrateOrder(s.calLeaves, s.pickedScore, s.calHist, m.leafShares(), w.CategoryMix, lambda, want))
}

// reorderPicked puts the picked candidates in order (indices into them, as
// calibrateOrder gives), each keeping its score but never above the one
// before it: scores stay descending down the row (callers read them so).
func (s *scratch) reorderPicked(order []int) {
	s.calPicked = append(s.calPicked[:0], s.picked...)
	s.calScore = append(s.calScore[:0], s.pickedScore...)
	s.picked, s.pickedScore = s.picked[:0], s.pickedScore[:0]
	for r, i := range order {
		sc := s.calScore[i]
		if r > 0 && sc > s.pickedScore[r-1] {
			sc = s.pickedScore[r-1]
		}
		s.picked = append(s.picked, s.calPicked[i])
		s.pickedScore = append(s.pickedScore, sc)
	}
}

// leafShareOnce holds the shop's share of each leaf category among its
// (shopper, product) pairs, built on first use from the interactions.
type leafShareOnce struct {
	once sync.Once
	x    []float32
}

func (m *Model) leafShares() []float32 {
	m.leafShare.once.Do(func() { m.leafShare.x = leafShares(&m.ui, &m.cat) })
	return m.leafShare.x
}

// leafShares is each leaf category's share of the (shopper, product) pairs
// of ui whose product has a leaf category.
func leafShares(ui *csr, cat *catalog) []float32 {
	out := make([]float32, len(cat.categories))
	total := 0
	for _, j := range ui.indices {
		if int(j) < len(cat.leafCat) && cat.leafCat[j] >= 0 {
			out[cat.leafCat[j]]++
			total++
		}
	}
	if total > 0 {
		for c := range out {
			out[c] /= float32(total)
		}
	}
	return out
}

// categoryMix is the weight on the shopper's own categories (against the
// shop's) that best explains, by maximum likelihood, the leaf category of
// each shopper's next new product in the later half of the training data:
// the mixture α·(the shopper's earlier products' share of the category) +
// (1−α)·(the shop's share of it), fit by EM. 1 when the shoppers keep to
// their categories in proportion, lower as their next products leave them.
// 1 (the shopper's own mix, Steck's target) when the data has too few
// such steps to tell.
func categoryMix(s *signals, cat *catalog) float64 {
	if len(s.byTime) == 0 || len(cat.categories) == 0 {
		return 1
	}
	now := s.now.Unix()
	first := now
	for _, e := range s.byTime {
		first = min(first, e.unix)
	}
	half := first + (now-first)/2
	// Events come by shopper, then time (ties in the order recorded): each
	// shopper's products in the order of their first event.
	shop := make([]float64, len(cat.categories))
	shopN := 0.0
	var hist []float64   // per step: the history's share of the next product's category
	var nextLeaf []int32 // per step: the next product's category
	counts := make([]float64, len(cat.categories))
	seen := make([]int32, len(cat.leafCat)) // shopper+1 who last had the product
	var touched []int32
	known := 0.0
	user := int32(-1)
	for _, e := range s.byTime {
		if e.user != user {
			for _, l := range touched {
				counts[l] = 0
			}
			touched, known, user = touched[:0], 0, e.user
		}
		if int(e.item) >= len(cat.leafCat) || cat.leafCat[e.item] < 0 || seen[e.item] == e.user+1 {
			continue
		}
		seen[e.item] = e.user + 1
		l := cat.leafCat[e.item]
		if known > 0 && e.unix >= half {
			hist = append(hist, counts[l]/known)
			nextLeaf = append(nextLeaf, l)
		}
		if counts[l] == 0 {
			touched = append(touched, l)
		}
		counts[l]++
		known++
		shop[l]++
		shopN++
	}
	if len(hist) < categoryMixMinSteps || shopN == 0 {
		return 1
	}
	next := make([]float64, len(hist))
	for k, l := range nextLeaf {
		next[k] = shop[l] / shopN
	}
	alpha := 0.5
	for range 100 {
		r := 0.0
		for k, p := range hist {
			a := alpha * p
			if d := a + (1-alpha)*next[k]; d > 0 {
				r += a / d
			}
		}
		na := r / float64(len(hist))
		if math.Abs(na-alpha) < 1e-5 {
			alpha = na
			break
		}
		alpha = na
	}
	return alpha
}

// categoryMixMinSteps is how many next products categoryMix needs to fit
// the mix.
const categoryMixMinSteps = 50
