package recommender

import "math"

// The category season: a shop whose demand moves between categories over
// the year (coats in winter, swimwear in summer) sells this month what its
// whole history does not show. Each category's share of the shoppers'
// product pairs in the recent window against its share over the whole
// history gives a ratio; a product's blended score is multiplied by its
// category's ratio to the power HybridWeights.Season (0: off).
//
// The recent window is a twelfth of the data's own span (a month of a
// year); a shop with less than seasonMinSpan of history has no season to
// read. A category's recent count moves the ratio only beyond seasonZ
// standard deviations of what its long-run share predicts, and is then
// shrunk toward it by seasonPrior pairs, so a category with few events, or
// a shop whose shares only move by chance, stays at 1.
const (
	seasonMinSpan = 84 * 24 * 3600 // seconds: twelve weeks, a week's window
	seasonPrior   = 30
	seasonZ       = 3
	seasonMaxLog  = 1.6 // ratios kept within e^±1.6 (about 5×)
)

// trainSeason returns each product's log ratio of its category's recent
// share to its long-run share (nil when the shop has no season to read).
// A pair (shopper, product) counts once in the history and once in the
// window when any of its events falls in it.
func trainSeason(s *signals, cat *catalog) []float32 {
	if len(s.events) == 0 || len(cat.categories) == 0 {
		return nil
	}
	now := s.now.Unix()
	first := now
	for _, e := range s.events {
		first = min(first, e.unix)
	}
	span := now - first
	if span < seasonMinSpan {
		return nil
	}
	from := now - span/12
	long := make([]float64, len(cat.categories))
	recent := make([]float64, len(cat.categories))
	var longN, recentN float64
	for lo := 0; lo < len(s.events); {
		e := s.events[lo]
		hi, inWindow := lo, false
		for ; hi < len(s.events) && s.events[hi].user == e.user && s.events[hi].item == e.item; hi++ {
			inWindow = inWindow || s.events[hi].unix >= from
		}
		lo = hi
		c := int32(-1)
		if int(e.item) < len(cat.leafCat) {
			c = cat.leafCat[e.item]
		}
		if c < 0 {
			continue
		}
		long[c]++
		longN++
		if inWindow {
			recent[c]++
			recentN++
		}
	}
	if recentN == 0 || longN == 0 {
		return nil
	}
	ratio := make([]float64, len(long))
	moved := false
	for c := range long {
		if long[c] == 0 {
			continue
		}
		// Only the part of the recent count beyond seasonZ standard
		// deviations of what the long-run share predicts moves the ratio:
		// shares that move by chance leave it at 1.
		expected := recentN * long[c] / longN
		d := recent[c] - expected
		excess := math.Copysign(max(0, math.Abs(d)-seasonZ*math.Sqrt(expected+1)), d)
		r := math.Log((expected + excess + seasonPrior) / (expected + seasonPrior))
		ratio[c] = max(-seasonMaxLog, min(seasonMaxLog, r))
		moved = moved || ratio[c] != 0
	}
	if !moved {
		return nil
	}
	out := make([]float32, len(cat.items))
	for i, c := range cat.leafCat {
		if c >= 0 {
			out[i] = float32(ratio[c])
		}
	}
	return out
}

// applySeason multiplies the scored products' blended scores by their
// category's season factor (m.pop.season to the power weight).
func (m *Model) applySeason(s *scratch, weight float64) {
	lr := m.pop.season
	if weight <= 0 || len(lr) != len(m.cat.items) {
		return
	}
	f := func(j int32) {
		x := s.score[j]
		if x == 0 || lr[j] == 0 {
			return
		}
		k := float32(math.Exp(weight * float64(lr[j])))
		if x < 0 {
			k = 1 / k
		}
		s.score[j] = x * k
	}
	if s.tracking {
		for _, j := range s.scored {
			f(j)
		}
		return
	}
	for j := range s.score {
		f(int32(j))
	}
}
