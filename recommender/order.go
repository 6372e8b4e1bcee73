package recommender

import (
	"cmp"
	"math"
	"slices"
)

// The order products are taken in. Co-occurrence (kNN, ALS, EASE) is
// symmetric: in a shop whose products are taken in a fixed order (the
// courses of a track, the volumes of a series, the steps of a kit) the
// first course is as close to the third as the fourth is, and a student
// who began at the second course is shown the first — the product every
// other student of the track took before the ones this student has,
// never after them. The order part keeps, for each pair of products
// enough shoppers took both of, which one they took first; a product the
// shoppers who took the shopper's products nearly always took BEFORE
// them is moved down the row (HybridWeights.Order), the rest of the row
// as it was. In a shop without an order the pairs go both ways and
// nothing moves.
const (
	// orderWindow: each of a shopper's products, in the order the
	// shopper took them, is paired with the next orderWindow ones (the
	// pairs of a large shop's training: at most orderWindow a product a
	// shopper took, 8 bytes each, before they are counted; 5 lost 3 % of
	// the courses shop's 10 on one seed).
	orderWindow = 10
	// orderNeighbors: the pairs kept per product, the most shoppers first.
	orderNeighbors = 30
	// orderPrior shrinks a pair's direction towards none: (after −
	// before) / (after + before + orderPrior), so that a pair of a few
	// shoppers never reads as an order.
	orderPrior = 4
	// orderFloor: a product is moved down only when its direction against
	// the shopper's products (the mean over them, −1 always before them,
	// +1 always after) is below −orderFloor; the move grows to the whole
	// weight at −1.
	orderFloor = 0.5
)

// orderRank is how strongly a type says the shopper took a product: the
// time a shopper took it is their first event of their strongest type
// (the purchase of a course, not a glance at it weeks before).
func orderRank(t EventType) int {
	switch t {
	case View, Click, AddToCart, Purchase:
		return int(t - View + 1)
	}
	return 0
}

// buildOrder returns item → (other item, direction): the direction is
// +1 when the shoppers who took both took the other item after this one,
// −1 before, shrunk by orderPrior (byTime: the cleaned events by user, then
// time).
func buildOrder(byTime []compactEvent, nItems int) csr {
	type took struct {
		item int32
		unix int64
		rank int
	}
	at := make([]int32, nItems) // position in mine plus one, for the current shopper
	var mine []took
	var pairs []uint64 // a<<32 | b: b taken after a
	for lo := 0; lo < len(byTime); {
		hi := lo
		for hi < len(byTime) && byTime[hi].user == byTime[lo].user {
			hi++
		}
		mine = mine[:0]
		for _, e := range byTime[lo:hi] {
			r := orderRank(e.typ)
			if r == 0 {
				continue
			}
			if p := at[e.item]; p > 0 {
				if t := &mine[p-1]; r > t.rank {
					t.rank, t.unix = r, e.unix
				}
				continue
			}
			mine = append(mine, took{e.item, e.unix, r})
			at[e.item] = int32(len(mine))
		}
		for _, t := range mine {
			at[t.item] = 0
		}
		slices.SortStableFunc(mine, func(a, b took) int { return cmp.Compare(a.unix, b.unix) })
		for k, a := range mine {
			for _, b := range mine[k+1 : min(len(mine), k+1+orderWindow)] {
				if b.unix > a.unix {
					pairs = append(pairs, uint64(a.item)<<32|uint64(uint32(b.item)))
				}
			}
		}
		lo = hi
	}
	// Each ordered pair's count, then both of its products' sides of it.
	// A pair one shopper took says nothing of an order (and on a large
	// sparse shop is most of them): only pairs of two or more are kept.
	slices.Sort(pairs)
	type side struct {
		a, b          int32
		after, before int32
	}
	var sides []side
	for lo := 0; lo < len(pairs); {
		hi := lo
		for hi < len(pairs) && pairs[hi] == pairs[lo] {
			hi++
		}
		if hi-lo >= 2 {
			a, b := int32(pairs[lo]>>32), int32(uint32(pairs[lo]))
			sides = append(sides, side{a, b, int32(hi - lo), 0}, side{b, a, 0, int32(hi - lo)})
		}
		lo = hi
	}
	pairs = nil
	slices.SortFunc(sides, func(x, y side) int { return cmp.Or(cmp.Compare(x.a, y.a), cmp.Compare(x.b, y.b)) })
	out := csr{rows: nItems, cols: nItems, indptr: make([]int32, nItems+1)}
	var h topN
	type dir struct {
		b int32
		d float32
	}
	var row []dir
	for lo := 0; lo < len(sides); {
		a := sides[lo].a
		h.reset(orderNeighbors)
		row = row[:0]
		for lo < len(sides) && sides[lo].a == a {
			hi := lo
			var after, before int32
			for hi < len(sides) && sides[hi].a == a && sides[hi].b == sides[lo].b {
				after += sides[hi].after
				before += sides[hi].before
				hi++
			}
			if after+before >= 2 {
				h.push(float32(after+before), int32(len(row)))
				row = append(row, dir{sides[lo].b, float32(after-before) / float32(after+before+orderPrior)})
			}
			lo = hi
		}
		idx, _ := h.sorted()
		for _, k := range idx {
			out.indices = append(out.indices, row[k].b)
			out.data = append(out.data, row[k].d)
		}
		out.indptr[a+1] = int32(len(out.indices))
	}
	for i := 1; i <= nItems; i++ {
		out.indptr[i] = max(out.indptr[i], out.indptr[i-1])
	}
	return out
}

// orderDemotions calls f with each product the shoppers who took the
// shopper's history took before it, and how far below −orderFloor its
// direction is (0, 1]: the mean of its directions against the history's
// products it has one with, each weighed as the profile weighs it (s.pw).
func (m *Model) orderDemotions(s *scratch, f func(j int32, x float32)) {
	if m.order.rows != len(m.cat.items) || len(s.hist.items) == 0 {
		return
	}
	n := len(m.cat.items)
	if len(s.ordNum) != n {
		s.ordNum, s.ordDen = make([]float32, n), make([]float32, n)
	}
	s.ordTouched = s.ordTouched[:0]
	for k, i := range s.hist.items {
		w := s.pw[k]
		if w <= 0 {
			continue
		}
		idx, d := m.order.row(int(i))
		for t, j := range idx {
			if s.ordDen[j] == 0 {
				s.ordTouched = append(s.ordTouched, j)
			}
			s.ordNum[j] += w * d[t]
			s.ordDen[j] += w
		}
	}
	for _, j := range s.ordTouched {
		if d := s.ordNum[j] / s.ordDen[j]; d < -orderFloor {
			f(j, min((-d-orderFloor)/(1-orderFloor), 1))
		}
		s.ordNum[j], s.ordDen[j] = 0, 0
	}
	s.ordTouched = s.ordTouched[:0]
}

// orderFactor is what a score is multiplied by for a product x below the
// order's floor (orderDemotions) at the power weight: (1 − x)^weight.
func orderFactor(x float32, weight float64) float32 {
	return float32(math.Pow(float64(1-x), weight))
}

// orderPowers are the powers tuning tries (HybridWeights.Order; 0 is off,
// the default).
var orderPowers = []float64{0, 1, 3}

// applyOrder moves down the hybrid's scores of the products the shoppers
// who took the shopper's products took before them (orderFactor).
func (m *Model) applyOrder(s *scratch, weight float64) {
	if weight <= 0 {
		return
	}
	m.orderDemotions(s, func(j int32, x float32) {
		if v := s.score[j]; v > 0 {
			s.score[j] = v * orderFactor(x, weight)
		}
	})
}
