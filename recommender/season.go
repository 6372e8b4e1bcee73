package recommender

import (
	"fmt"
	"math"
)

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
	ratio := seasonRatios(long, recent, longN, recentN)
	if ratio == nil {
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

// seasonRatios is each category's log ratio of its recent share to its
// long-run share from the pair counts (long over the whole history, recent
// in the window), nil when no category's share moved beyond chance.
func seasonRatios(long, recent []float64, longN, recentN float64) []float64 {
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
	return ratio
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

// seasonCheck is what the latest events say of the category season: the
// season as read at a cut-off half a window before the data's end (the
// window before it against the whole history up to it), and how much
// better it predicts the categories of the products shoppers came to
// after the cut-off than their long-run shares do.
type seasonCheck struct {
	pairs     int     // held-out pairs: a shopper's first event on a product after the cut-off
	gain, se  float64 // mean log-likelihood gain per held-out pair of the season at the default power, and its standard error
	turnedEnd bool    // the season predicts the latest events beyond seasonCheckZ standard errors
}

// The season's gain on the latest events must clear seasonCheckZ
// standard errors and be at least seasonCheckGain nats a product for it to
// stay on whatever tuning's split says: a category factor that moves the
// predicted shares by a few per mille (the seventh outside check's book
// shop: 0.001 nats, 3.9 standard errors on 1,175 products) is left to
// tuning; the seasonal shop's turn gained 0.36.
const (
	seasonCheckZ    = 3
	seasonCheckGain = 0.01
)

// checkSeasonAtEnd reads from the data alone whether the category season
// holds at its end. Tuning judges the season on a split whose cut-off is a
// tenth of the events before the end: a season that turned after that
// cut-off (a shop trained in autumn, whose split ends in summer) reads
// there as summer and is judged against autumn's purchases, so tuning
// turns off the very factor serving needs. The latest events are the
// held-out part drawn like serving: the season read half a window before
// the end (a twenty-fourth of the data's span) either predicts which
// categories shoppers came to after it or it does not. Pairs are counted
// as trainSeason counts them (a shopper and a product, once).
func checkSeasonAtEnd(d Dataset, power float64) seasonCheck {
	var out seasonCheck
	if len(d.Events) == 0 || power <= 0 {
		return out
	}
	catOf := make(map[string]int32, len(d.Items))
	catIdx := map[string]int32{}
	for _, it := range d.Items {
		if it.Category == "" {
			continue
		}
		c, ok := catIdx[it.Category]
		if !ok {
			c = int32(len(catIdx))
			catIdx[it.Category] = c
		}
		catOf[it.ID] = c
	}
	if len(catIdx) < 2 {
		return out
	}
	now := d.end().Unix()
	first := now
	for _, e := range d.Events {
		first = min(first, e.Time.Unix())
	}
	span := now - first
	cut := now - span/24
	if cut-first < seasonMinSpan {
		return out
	}
	from := cut - (cut-first)/12
	type pairKey struct{ user, item string }
	type pairSeen struct {
		first    int64
		inWindow bool
	}
	pairs := make(map[pairKey]pairSeen)
	for _, e := range d.Events {
		if _, ok := catOf[e.Item]; !ok {
			continue
		}
		k := pairKey{e.User, e.Item}
		t := e.Time.Unix()
		p, ok := pairs[k]
		if !ok || t < p.first {
			p.first = t
		}
		p.inWindow = p.inWindow || (t >= from && t < cut)
		pairs[k] = p
	}
	long := make([]float64, len(catIdx))
	recent := make([]float64, len(catIdx))
	held := make([]float64, len(catIdx))
	var longN, recentN float64
	for k, p := range pairs {
		c := catOf[k.item]
		if p.first >= cut {
			held[c]++
			continue
		}
		long[c]++
		longN++
		if p.inWindow {
			recent[c]++
			recentN++
		}
	}
	ratio := seasonRatios(long, recent, longN, recentN)
	if ratio == nil {
		return out
	}
	// The long-run shares (with half a pair for a category unseen before
	// the cut-off) against the same shares times the season factor.
	var z float64
	for c := range long {
		z += (long[c] + 0.5) * math.Exp(power*ratio[c])
	}
	zLong := longN + 0.5*float64(len(long))
	var sum, sumSq float64
	for c, n := range held {
		if n == 0 {
			continue
		}
		g := power*ratio[c] - math.Log(z/zLong)
		out.pairs += int(n)
		sum += n * g
		sumSq += n * g * g
	}
	if out.pairs < minTuneUsers {
		return out
	}
	n := float64(out.pairs)
	out.gain = sum / n
	out.se = math.Sqrt(max(0, sumSq/n-out.gain*out.gain) / n)
	out.turnedEnd = out.gain > seasonCheckZ*out.se && out.gain >= seasonCheckGain
	return out
}

// describe says what the check found, for the fit report.
func (c seasonCheck) describe() string {
	return fmt.Sprintf("the category season kept on: read half a window before the data's end, it predicts the categories of the %d products shoppers came to after that (%.3f nats a product, %.1f standard errors); tuning's split ends before the latest weeks and cannot judge it",
		c.pairs, c.gain, c.gain/max(c.se, 1e-12))
}
