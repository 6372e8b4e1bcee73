package recommender

import (
	"fmt"
	"math"
	"slices"
)

// The categories that come next. In some shops a shopper's next products
// come from categories that follow the ones they just shopped in (brakes
// done, the same car's filters next; a knitting pattern, then the yarn it
// needs; a baby's newborn clothes, then the infant's), while the blend's
// parts all lean on the history's own categories. Training learns, from
// the shop's own sequences, which leaf category follows which
// (nextCategories: a transition table from the categories a shopper
// touched, the latest weighing most, to those of their next new products,
// shrunk toward the shop's whole mix of next categories), and measures on
// shoppers it did not learn from how much better the table predicts their
// next categories than the best mix of staying in the history's categories
// and the shop's whole mix. Where it predicts no better (shoppers keep to
// their categories, or move on with no pattern: a gift shop), nothing is
// kept and rows are as the blend ranks them; where it does, a returning
// shopper's row is calibrated (calibrate.go's re-ranking) toward the
// categories the table predicts for them, as strongly as the table's
// measured advantage says.

// nextCatCuts are the points of the training span (fractions of it) at
// which shoppers' events are split into a history and what came next, as a
// held-out window splits them at serving.
var nextCatCuts = []float64{0.5, 0.6, 0.7, 0.8, 0.9}

// nextCatWindow is the part of the training span after a cut whose new
// products count as "what came next" (a held-out window's length).
const nextCatWindow = 0.1

// nextCatRanks is how many of a shopper's latest categories the table reads
// (the latest weighs 1, each earlier one half the one after it).
const nextCatRanks = 6

// nextCatShrink is the pseudo-count, in shoppers' weight, by which a
// category's row of the table is shrunk toward the shop's whole mix of
// next categories.
const nextCatShrink = 10

// nextCatMinSteps is how many (shopper, cut) steps training needs to learn
// and check the table (none below: rows unchanged).
const nextCatMinSteps = 200

// nextCatMinGain is the advantage (mean log-likelihood of the next
// categories, nats per step, on shoppers the table did not learn from)
// below which the table is not kept.
const nextCatMinGain = 0.05

// nextCatHalfGain is the advantage at which the row's calibration toward
// the predicted categories reaches half of nextCatMaxLambda.
const nextCatHalfGain = 0.1

// nextCatMaxLambda is the strongest calibration the table asks for.
const nextCatMaxLambda = 0.9

// nextCatMaxCells bounds the table's size (rows × categories): 4M cells,
// 16 MiB in the model file.
const nextCatMaxCells = 1 << 22

// nextCatPool is how many of the blend's best products the re-ranking
// chooses from.
const nextCatPool = 100

// NextCategories is what training learned of the categories that follow
// which, kept with the model (nil: nothing learned, or it predicted no
// better than staying).
type NextCategories struct {
	// Leaves are the leaf categories the table has rows for; Rows[k] is
	// the share of next products in each leaf category (indexed like the
	// catalog's categories) after a shopper's latest category Leaves[k].
	Leaves []int32
	Rows   [][]float32
	// Shop is the shop's whole mix of next categories (the row of a
	// category the table has no row for).
	Shop []float32
	// Gain is the table's advantage over staying (nats per step) and
	// Lambda the calibration it gives rows; Steps and Share say how many
	// steps it learned from and how many of their next products were in
	// categories new to the shopper.
	Gain, Lambda, Share float64
	Steps               int
}

// nextStep is one (shopper, cut): the history's latest leaf categories with
// their weights, and the leaf categories of the new products that came
// next, with their shares.
type nextStep struct {
	hist, next   []int32
	histW, nextW []float64
	fold         int
}

// nextCategories learns the table from the shop's events (nil when it does
// not predict the next categories better than staying does).
func nextCategories(s *signals, cat *catalog) *NextCategories {
	L := len(cat.categories)
	if len(s.events) == 0 || L == 0 {
		return nil
	}
	now := s.now.Unix()
	first := now
	for _, e := range s.events {
		first = min(first, e.unix)
	}
	if now <= first {
		return nil
	}
	span := float64(now - first)
	var steps []nextStep
	// Per shopper: each product's first event time (the events come by
	// shopper, then product).
	firstAt := map[int32]int64{}
	lastAt := make(map[int32]int64) // leaf → latest event before the cut
	var items []int32
	for lo := 0; lo < len(s.events); {
		u := s.events[lo].user
		hi := lo
		for hi < len(s.events) && s.events[hi].user == u {
			hi++
		}
		clear(firstAt)
		items = items[:0]
		for _, e := range s.events[lo:hi] {
			if int(e.item) >= len(cat.leafCat) || cat.leafCat[e.item] < 0 {
				continue
			}
			if t, ok := firstAt[e.item]; !ok || e.unix < t {
				if !ok {
					items = append(items, e.item)
				}
				firstAt[e.item] = e.unix
			}
		}
		for _, q := range nextCatCuts {
			cut := first + int64(q*span)
			end := cut + int64(nextCatWindow*span)
			clear(lastAt)
			for _, e := range s.events[lo:hi] {
				if e.unix < cut && int(e.item) < len(cat.leafCat) && cat.leafCat[e.item] >= 0 {
					l := cat.leafCat[e.item]
					lastAt[l] = max(lastAt[l], e.unix)
				}
			}
			if len(lastAt) == 0 {
				continue
			}
			var st nextStep
			for _, j := range items {
				if t := firstAt[j]; t >= cut && t < end {
					l := cat.leafCat[j]
					if k := slices.Index(st.next, l); k >= 0 {
						st.nextW[k]++
					} else {
						st.next, st.nextW = append(st.next, l), append(st.nextW, 1)
					}
				}
			}
			if len(st.next) == 0 {
				continue
			}
			for l := range lastAt {
				st.hist = append(st.hist, l)
			}
			slices.SortFunc(st.hist, func(a, b int32) int {
				if lastAt[a] != lastAt[b] {
					if lastAt[a] > lastAt[b] {
						return -1
					}
					return 1
				}
				return int(a - b)
			})
			st.hist = st.hist[:min(len(st.hist), nextCatRanks)]
			st.histW = nextCatWeights(len(st.hist), st.histW)
			normalize(st.nextW)
			st.fold = int(u) & 1
			steps = append(steps, st)
		}
		lo = hi
	}
	if len(steps) < nextCatMinSteps {
		return nil
	}
	// A table of every history category by every category: bounded, so a
	// catalog of many thousands of categories keeps its rows as they are.
	from := map[int32]bool{}
	for _, st := range steps {
		for _, h := range st.hist {
			from[h] = true
		}
	}
	if len(from)*L > nextCatMaxCells {
		return nil
	}
	// Cross-checked: each half of the shoppers is predicted by the table
	// learned from the other.
	gain, n := 0.0, 0
	for f := range 2 {
		t := learnNextTable(steps, L, func(st *nextStep) bool { return st.fold != f })
		alpha := bestStay(steps, t.Shop, func(st *nextStep) bool { return st.fold != f })
		for k := range steps {
			st := &steps[k]
			if st.fold != f {
				continue
			}
			gain += t.logLik(st) - stayLogLik(st, t.Shop, alpha)
			n++
		}
	}
	if n == 0 {
		return nil
	}
	gain /= float64(n)
	if gain < nextCatMinGain {
		return nil
	}
	t := learnNextTable(steps, L, func(*nextStep) bool { return true })
	t.Gain, t.Steps = gain, len(steps)
	t.Lambda = nextCatMaxLambda * gain / (gain + nextCatHalfGain)
	out := 0.0
	for _, st := range steps {
		for k, l := range st.next {
			if !slices.Contains(st.hist, l) {
				out += st.nextW[k]
			}
		}
	}
	t.Share = out / float64(len(steps))
	return t
}

// nextCatWeights are the weights of a history's n latest categories,
// latest first, summing to 1.
func nextCatWeights(n int, w []float64) []float64 {
	w = w[:0]
	for k := range n {
		w = append(w, math.Pow(0.5, float64(k)))
	}
	normalize(w)
	return w
}

func normalize(w []float64) {
	s := 0.0
	for _, x := range w {
		s += x
	}
	if s > 0 {
		for k := range w {
			w[k] /= s
		}
	}
}

// learnNextTable fits the table on the steps use keeps: a mixture of
// transitions (each next category came from one of the history's latest
// categories, chosen by their weights, then by that category's row), fit
// by a few rounds of EM from counts that share each next category over the
// whole history by its weights; each row shrunk toward the shop's whole mix
// of next categories by nextCatShrink.
func learnNextTable(steps []nextStep, L int, use func(*nextStep) bool) *NextCategories {
	shop := make([]float64, L)
	total := 0.0
	pos := map[int32]int{}
	t := &NextCategories{Shop: make([]float32, L)}
	for k := range steps {
		st := &steps[k]
		if !use(st) {
			continue
		}
		for i, l := range st.next {
			shop[l] += st.nextW[i]
		}
		total++
		for _, h := range st.hist {
			if _, ok := pos[h]; !ok {
				pos[h] = 0
				t.Leaves = append(t.Leaves, h)
			}
		}
	}
	if total == 0 {
		return t
	}
	for l := range shop {
		t.Shop[l] = float32(shop[l] / total)
	}
	slices.Sort(t.Leaves)
	for k, h := range t.Leaves {
		pos[h] = k
	}
	counts := make([][]float64, len(t.Leaves))
	mass := make([]float64, len(t.Leaves))
	for k := range counts {
		counts[k] = make([]float64, L)
	}
	t.Rows = make([][]float32, len(t.Leaves))
	for k := range t.Rows {
		t.Rows[k] = make([]float32, L)
	}
	var resp []float64
	for round := range nextCatRounds {
		for k := range counts {
			clear(counts[k])
		}
		clear(mass)
		for k := range steps {
			st := &steps[k]
			if !use(st) {
				continue
			}
			for i, l := range st.next {
				// Which of the history's categories this next one
				// came from: by the weights alone at first, then by
				// the weights and the rows.
				resp = resp[:0]
				sum := 0.0
				for a, h := range st.hist {
					r := st.histW[a]
					if round > 0 {
						r *= float64(t.Rows[pos[h]][l])
					}
					resp = append(resp, r)
					sum += r
				}
				if sum <= 0 {
					continue
				}
				for a, h := range st.hist {
					c := st.nextW[i] * resp[a] / sum
					counts[pos[h]][l] += c
					mass[pos[h]] += c
				}
			}
		}
		for k := range t.Rows {
			for l := range L {
				t.Rows[k][l] = float32((counts[k][l] + nextCatShrink*float64(t.Shop[l])) / (mass[k] + nextCatShrink))
			}
		}
	}
	return t
}

// nextCatRounds is how many rounds of EM fit the table.
const nextCatRounds = 8

// predict adds the table's next-category shares after the history's
// categories (latest first, with their weights) into out (length L).
func (t *NextCategories) predict(hist []int32, w []float64, out []float64) {
	clear(out)
	for a, h := range hist {
		row := t.Shop
		if k, ok := slices.BinarySearch(t.Leaves, h); ok {
			row = t.Rows[k]
		}
		for l, x := range row {
			out[l] += w[a] * float64(x)
		}
	}
}

// nextCatFloor keeps every category's predicted share above zero in the
// log-likelihoods (a share of the uniform mix).
const nextCatFloor = 0.01

func (t *NextCategories) logLik(st *nextStep) float64 {
	L := len(t.Shop)
	ll := 0.0
	for i, l := range st.next {
		p := 0.0
		for a, h := range st.hist {
			row := t.Shop
			if k, ok := slices.BinarySearch(t.Leaves, h); ok {
				row = t.Rows[k]
			}
			p += st.histW[a] * float64(row[l])
		}
		ll += st.nextW[i] * math.Log((1-nextCatFloor)*p+nextCatFloor/float64(L))
	}
	return ll
}

// stayLogLik is a step's log-likelihood under staying: alpha of the
// history's categories (by their weights) and the rest the shop's mix.
func stayLogLik(st *nextStep, shop []float32, alpha float64) float64 {
	L := len(shop)
	ll := 0.0
	for i, l := range st.next {
		p := (1 - alpha) * float64(shop[l])
		if k := slices.Index(st.hist, l); k >= 0 {
			p += alpha * st.histW[k]
		}
		ll += st.nextW[i] * math.Log((1-nextCatFloor)*p+nextCatFloor/float64(L))
	}
	return ll
}

// bestStay is the weight on the history (0, 0.1, …, 1) that best predicts
// the steps use keeps under staying.
func bestStay(steps []nextStep, shop []float32, use func(*nextStep) bool) float64 {
	best, bestLL := 0.0, math.Inf(-1)
	for a := 0; a <= 10; a++ {
		alpha := float64(a) / 10
		ll := 0.0
		for k := range steps {
			if use(&steps[k]) {
				ll += stayLogLik(&steps[k], shop, alpha)
			}
		}
		if ll > bestLL {
			best, bestLL = alpha, ll
		}
	}
	return best
}

// describe is train's line on what the table learned.
func (t *NextCategories) describe() string {
	if t == nil {
		return ""
	}
	return fmt.Sprintf("next categories: learned from %d steps of the shoppers' own sequences (%.0f%% of next products in categories new to the shopper); predicts them %.2f nats a step better than staying in their categories, so a returning shopper's row is calibrated toward the categories that follow theirs at %.2f",
		t.Steps, 100*t.Share, t.Gain, t.Lambda)
}

// nextCatLambda reports the calibration toward the predicted categories
// for a request (0: none): a known shopper's personal hybrid row with no
// events since training (a shopper browsing now is served the blend's row,
// which follows the browsing), not a stranger's row covering the shop's
// demand.
func (m *Model) nextCatLambda(req Request, user int32) float64 {
	t := m.nextCat
	if t == nil || user < 0 || len(req.Recent) > 0 || req.Strategy != Hybrid || req.cover != nil ||
		int(user) >= m.recent.rows || len(t.Shop) != len(m.cat.categories) {
		return 0
	}
	return t.Lambda
}

// nextCatCalibrate re-ranks s.picked (the blend's best, best first) into a
// row of want calibrated toward the categories the table predicts after
// the shopper's latest ones.
func (m *Model) nextCatCalibrate(s *scratch, user int32, want int, lambda float64) {
	if len(s.picked) < 2 {
		return
	}
	t := m.nextCat
	s.calHist = s.calHist[:0]
	lo, hi := m.recent.indptr[user], m.recent.indptr[user+1]
	for _, j := range m.recent.indices[lo:hi] {
		if l := m.cat.leafCat[j]; l >= 0 && !slices.Contains(s.calHist, l) && len(s.calHist) < nextCatRanks {
			s.calHist = append(s.calHist, l)
		}
	}
	if len(s.calHist) == 0 {
		return
	}
	s.nextW = nextCatWeights(len(s.calHist), s.nextW)
	if len(s.nextP) != len(t.Shop) {
		s.nextP = make([]float64, len(t.Shop))
	}
	t.predict(s.calHist, s.nextW, s.nextP)
	if len(s.nextShare) != len(t.Shop) {
		s.nextShare = make([]float32, len(t.Shop))
	}
	for l, p := range s.nextP {
		s.nextShare[l] = float32(p)
	}
	s.calLeaves = s.calLeaves[:0]
	for _, j := range s.picked {
		s.calLeaves = append(s.calLeaves, m.cat.leafCat[j])
	}
	// The target is the predicted mix alone (no weight on the history's
	// own categories: the table already says how much they come back).
	s.reorderPicked(s.cal.calibrateOrder(s.calLeaves, s.pickedScore, nil, s.nextShare, 0, lambda, want))
}
