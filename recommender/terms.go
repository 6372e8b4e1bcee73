package recommender

import (
	"cmp"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// The shopper's words: a taste model over the products' own descriptions,
// a part of the hybrid. An item j scores
//
//	P(category of j | shopper) · P(j | its category) · Π_t lift(t | shopper)
//
// over j's words t (title, brand, description; the content model's terms
// without the category names): the shopper's category shares smoothed
// toward the shop's, the item's share of its category's popularity, and,
// for each word of the item, how much more often it appears in the
// shopper's history than expected from the categories they browsed —
// (n + k) / (e + k), where n is the history's weight of items with the
// word and e the same weight times the word's popularity-weighted share of
// each history category. Words every product of a category has are
// neutral, words the shopper keeps choosing across categories (a style, a
// material, a colour, a brand) lift every product that has them, also those
// no one interacted with yet. Words absent from the history are neutral.
// Which words carry taste the shop's own shoppers show (wordDispersion):
// a word they choose no more unevenly than chance (an incidental title
// word) is neutral, a word some choose again and again and others never
// lifts strongly (a small pseudo-count k), a word too rare to judge keeps
// k = 5. A product's price is words too (its price level, absolute and
// within its category: priceWords), so a shopper's price level is a taste
// the same test decides on.

// termModel is what the taste model derives from the catalog and its
// popularity when first needed (not stored: both are).
type termModel struct {
	once      sync.Once
	built     atomic.Bool // the tables below are built (after once)
	itemTerms csr         // items × words, binary, sorted
	catTerms  csr         // leaf categories × words: the popularity-weighted share of the category's items with the word
	popShare  []float32   // per item: its share of its leaf category's popularity (smoothed)
	catPrior  []float32   // per leaf category: its share of the shop's popularity
	leafCat   []int32     // per item: its leaf category (the catalog's), or -1
	// Per word, how strongly the shop's shoppers concentrate on it beyond
	// what their categories give it (wordDispersion): the lift of word t
	// is (n + k)/(e + k) with k = max(pseudo[t], kappa[t]·e/N), N the
	// history's weight. kappa +Inf: the word carries no taste (neutral).
	kappa, pseudo []float32
	// The price words (priceWords) have the ids from priceLo on, after
	// every word of the text.
	priceLo int32
	// The dispersion read from a stored model (persist.go), used instead
	// of estimating it again when it matches the vocabulary.
	storedKappa, storedPseudo []float32
}

// wordPseudo is the pseudo-count of the lifts of words the shop's data
// cannot judge (too few shoppers): a word needs a few history items before
// it lifts anything (1 let the products' incidental words add noise: the
// part alone scored 0.131 on dense-few-cats against 0.160 with 5).
// tastePseudo is the least pseudo-count of a word the data shows to carry
// taste (a rare one would otherwise lift by its expected rate alone:
// MovieLens's time split lost 0.8 % without it). catPseudo is the history
// weight the shop's category shares count as.
const (
	wordPseudo  = 5
	tastePseudo = 1
	catPseudo   = 1
)

// maxItemWords bounds the words of one product the taste model reads (its
// rarest); the suite's and the demo's products have fewer.
const maxItemWords = 16

func (t *termModel) get(m *Model) *termModel {
	t.once.Do(func() {
		t.build(m)
		t.built.Store(true)
	})
	return t
}

// PrepareTerms builds the shopper's-words tables now, so that the first
// shopper with a history does not wait for them (on the large demo world
// they took 0.14–0.18 s of one core before the words' dispersion was
// added to them). Later calls, and the first request that needs them,
// return at once after the first build has finished; a request that comes
// first builds them itself, the same tables.
//
// Where hybrid rows are scored on subsets (candidate lists, catalogs
// above fullScanItems products) it also lays out the products' serving
// records (subsetrec.go) the same way.
func (m *Model) PrepareTerms() {
	if m.text != nil && len(m.cat.items) > 0 {
		m.text.get(m)
	}
	if m.wantsRecords() {
		m.itemRecords()
	}
}

// Prepared reports whether what PrepareRelated and PrepareTerms build is
// built (a model without items has nothing to build).
func (m *Model) Prepared() bool {
	if len(m.cat.items) == 0 {
		return true
	}
	return m.related.Load() != nil && (m.text == nil || m.text.built.Load()) && (!m.wantsRecords() || m.recs.built.Load())
}

func (t *termModel) build(m *Model) {
	n, nc := len(m.cat.items), len(m.cat.categories)
	vocab := map[string]int32{}
	lists := make([][]int32, n)
	var df []int32
	for i := range n {
		var ids []int32
		for _, wt := range m.cat.terms(i) {
			if strings.HasPrefix(wt.term, "cat:") {
				continue
			}
			id, ok := vocab[wt.term]
			if !ok {
				id = int32(len(vocab))
				vocab[wt.term] = id
				df = append(df, 0)
			}
			ids = append(ids, id)
		}
		slices.Sort(ids)
		ids = slices.Compact(ids)
		for _, id := range ids {
			df[id]++
		}
		lists[i] = ids
	}
	// A long description would make every product cost its every word at
	// serving: a product keeps its maxItemWords rarest words.
	// A priced product also has its price words (priceWords), kept
	// whatever the length of its description.
	prices := newPriceWords(m.cat.items, m.cat.leafCat, nc)
	t.priceLo = int32(len(vocab))
	t.itemTerms = csr{rows: n, indptr: make([]int32, n+1)}
	for i, ids := range lists {
		if len(ids) > maxItemWords {
			slices.SortStableFunc(ids, func(a, b int32) int { return cmp.Compare(df[a], df[b]) })
			ids = ids[:maxItemWords]
		}
		for _, w := range prices.of(i) {
			id, ok := vocab[w]
			if !ok {
				id = int32(len(vocab))
				vocab[w] = id
			}
			ids = append(ids, id)
		}
		slices.Sort(ids)
		for _, id := range ids {
			t.itemTerms.indices = append(t.itemTerms.indices, id)
			t.itemTerms.data = append(t.itemTerms.data, 1)
		}
		t.itemTerms.indptr[i+1] = int32(len(t.itemTerms.indices))
	}
	var ids []int32
	t.itemTerms.cols = len(vocab)
	t.leafCat = m.cat.leafCat
	pop := func(j int) float64 {
		if j < len(m.pop.pop) {
			return float64(m.pop.pop[j])
		}
		return 0
	}
	// Popularity per category, with every item counting at least a little
	// (a tenth of the category's mean), so new products have a share.
	catPop := make([]float64, nc)
	catN := make([]float64, nc)
	for j := range n {
		if c := m.cat.leafCat[j]; c >= 0 {
			catPop[c] += pop(j)
			catN[c]++
		}
	}
	smooth := make([]float64, nc)
	total := 0.0
	for c := range nc {
		if catN[c] > 0 {
			smooth[c] = 0.1*catPop[c]/catN[c] + 1e-9
		}
		total += catPop[c] + smooth[c]*catN[c]
	}
	t.popShare = make([]float32, n)
	byCat := make([][]int32, nc)
	for j := range n {
		c := m.cat.leafCat[j]
		if c < 0 {
			continue
		}
		byCat[c] = append(byCat[c], int32(j))
		t.popShare[j] = float32((pop(j) + smooth[c]) / (catPop[c] + smooth[c]*catN[c]))
	}
	t.catPrior = make([]float32, nc)
	t.catTerms = csr{rows: nc, cols: len(vocab), indptr: make([]int32, nc+1)}
	acc := map[int32]float64{}
	for c := range nc {
		if total > 0 {
			t.catPrior[c] = float32((catPop[c] + smooth[c]*catN[c]) / total)
		}
		clear(acc)
		for _, j := range byCat[c] {
			words, _ := t.itemTerms.row(int(j))
			for _, id := range words {
				acc[id] += float64(t.popShare[j])
			}
		}
		ids = ids[:0]
		for id := range acc {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		for _, id := range ids {
			t.catTerms.indices = append(t.catTerms.indices, id)
			t.catTerms.data = append(t.catTerms.data, float32(acc[id]))
		}
		t.catTerms.indptr[c+1] = int32(len(t.catTerms.indices))
	}
	if nw := t.itemTerms.cols; nw > 0 && len(t.storedKappa) == nw && len(t.storedPseudo) == nw {
		t.kappa, t.pseudo = t.storedKappa, t.storedPseudo
	} else {
		t.wordDispersion(m.ui)
	}
	t.storedKappa, t.storedPseudo = nil, nil
	t.dropNeutralWords()
}

// dropNeutralWords takes the words that carry no taste in this shop out of
// the products' rows: their lift is never read (a history skips them), so
// serving need not pass over them product by product.
func (t *termModel) dropNeutralWords() {
	rows := t.itemTerms
	kept := csr{rows: rows.rows, cols: rows.cols, indptr: make([]int32, rows.rows+1)}
	kept.indices = make([]int32, 0, len(rows.indices))
	kept.data = make([]float32, 0, len(rows.data))
	for i := range rows.rows {
		words, vals := rows.row(i)
		for k, id := range words {
			if !math.IsInf(float64(t.kappa[id]), 1) {
				kept.indices = append(kept.indices, id)
				kept.data = append(kept.data, vals[k])
			}
		}
		kept.indptr[i+1] = int32(len(kept.indices))
	}
	t.itemTerms = kept
}

// dispersionWork bounds the work of wordDispersion (word reads, about
// 25 ns each): the shoppers it reads are spread over the whole list, as
// many as the bound affords by a pilot's measure of a shopper's work, and
// it stops when the bound is reached.
const dispersionWork = 5_000_000

// wordDispersion learns from the shop's shoppers which words carry a
// taste. If shoppers chose a word's products only as often as their
// categories give it (an incidental title word, a brand every shopper of
// a department buys alike), the count n of history items with the word
// varies across shoppers as a sum of independent draws: variance
// v = Σ_c w_c·p_c(1−p_c) over the shopper's w_c items of category c, p_c
// the word's share there. A word that is a taste (a style, a material, a
// loved brand) makes some shoppers choose it again and again and others
// never: overdispersion. With the share of a shopper's choices that carry
// the word drawn from a Beta around p with intra-shopper correlation ρ,
// E[(n−e)² − v] = ρ·Σ_{i≠j} σ_i σ_j; ρ is estimated by moments over the
// shoppers, with two standard errors either side (the variance of
// (n−e)² is about v + 2v² for sparse draws). The Beta's strength
// κ = (1−ρ)/ρ is then the lift's pseudo-count in units of the expected
// rate (k = κ·e/N; the posterior mean over the prior's). A word shown to
// carry taste (lower bound above 0) lifts by its lower bound (k at least
// tastePseudo); a word whose
// upper bound is 0 is neutral; any other word keeps at least the fixed
// pseudo-count wordPseudo (too little data to tell), or its upper bound's
// weaker lift.
func (t *termModel) wordDispersion(ui csr) {
	nw := t.itemTerms.cols
	t.kappa, t.pseudo = make([]float32, nw), make([]float32, nw)
	var sumA, sumB, sumSE []float64
	if ui.rows > 0 && nw > 0 {
		sumA, sumB, sumSE = make([]float64, nw), make([]float64, nw), make([]float64, nw)
		cnt, exp, vr, sd := make([]float64, nw), make([]float64, nw), make([]float64, nw), make([]float64, nw)
		seen := make([]bool, nw)
		nc := len(t.catPrior)
		wc := make([]float64, nc)
		var cats, touched []int32
		work := 0
		// The shoppers read are spread over the list, one in every step:
		// a pilot of a few hundred of them measures a shopper's work.
		pilot, pilotWork := 0, 0
		for k := range min(ui.rows, 256) {
			items, _ := ui.row(k * ui.rows / min(ui.rows, 256))
			cats, _ = t.historyCategories(items, wc, cats)
			for _, c := range cats {
				pilotWork += int(t.catTerms.indptr[c+1] - t.catTerms.indptr[c])
				wc[c] = 0
			}
			pilot++
		}
		step := 1
		if pilotWork > 0 {
			step = max(1, int(float64(ui.rows)*float64(pilotWork)/float64(pilot)/dispersionWork+0.999))
		}
		for u := 0; u < ui.rows && work < dispersionWork; u += step {
			items, _ := ui.row(u)
			var n int
			cats, n = t.historyCategories(items, wc, cats)
			if n >= 2 {
				touched = touched[:0]
				for _, c := range cats {
					w := wc[c]
					words, shares := t.catTerms.row(int(c))
					work += len(words)
					for k, id := range words {
						p := float64(min(shares[k], 1))
						if !seen[id] {
							seen[id] = true
							touched = append(touched, id)
						}
						exp[id] += w * p
						vr[id] += w * p * (1 - p)
						sd[id] += w * math.Sqrt(p*(1-p))
					}
				}
				for _, j := range items {
					if int(j) < len(t.leafCat) && t.leafCat[j] >= 0 {
						words, _ := t.itemTerms.row(int(j))
						for _, id := range words {
							cnt[id]++
						}
					}
				}
				for _, id := range touched {
					d := cnt[id] - exp[id]
					v := vr[id]
					sumA[id] += d*d - v
					sumB[id] += sd[id]*sd[id] - v
					sumSE[id] += v + 2*v*v
					cnt[id], exp[id], vr[id], sd[id], seen[id] = 0, 0, 0, 0, false
				}
			}
			for _, c := range cats {
				wc[c] = 0
			}
		}
	}
	inf := float32(math.Inf(1))
	kappaOf := func(rho float64) float32 {
		rho = min(rho, 0.9)
		if rho <= 0 {
			return inf
		}
		return float32((1 - rho) / rho)
	}
	for id := range nw {
		if sumB == nil || sumB[id] <= 0 {
			t.kappa[id], t.pseudo[id] = 0, wordPseudo // nothing to tell from: the fixed pseudo-count
			continue
		}
		se := 2 * math.Sqrt(sumSE[id])
		lo, hi := (sumA[id]-se)/sumB[id], (sumA[id]+se)/sumB[id]
		switch {
		case lo > 0:
			t.kappa[id], t.pseudo[id] = kappaOf(lo), tastePseudo
		case hi <= 0:
			t.kappa[id], t.pseudo[id] = inf, 0
		default:
			t.kappa[id], t.pseudo[id] = kappaOf(hi), wordPseudo
		}
	}
}

// historyCategories counts a shopper's items per leaf category into wc
// (which the caller zeroes again for the returned categories) and returns
// the distinct categories, reusing cats, and the number of items that
// have one.
func (t *termModel) historyCategories(items []int32, wc []float64, cats []int32) ([]int32, int) {
	cats, n := cats[:0], 0
	for _, j := range items {
		if int(j) >= len(t.leafCat) {
			continue
		}
		if c := t.leafCat[j]; c >= 0 {
			if wc[c] == 0 {
				cats = append(cats, c)
			}
			wc[c]++
			n++
		}
	}
	return cats, n
}

// termScores writes the taste model's score into dst: for every item
// when items is nil (dst is indexed by item; items it cannot score stay
// as they are, zero for the caller), else for the listed items, dst[p]
// for items[p] (at most 0 for an item it cannot score). It reports
// whether it scored anything (false: dst is untouched).
func (m *Model) termScores(s *scratch, dst []float32, items []int32) bool {
	t, prior, share, ok := m.termPrepare(s)
	defer m.termDone(s)
	if !ok {
		return false
	}
	if items == nil {
		for j := range m.cat.items {
			if v := t.score(s, int32(j), prior, share); v > 0 {
				dst[j] = v
			}
		}
		return true
	}
	for p, j := range items {
		dst[p] = t.score(s, j, prior, share)
	}
	return true
}

// termDone clears what termPrepare left in the scratch's word arrays
// (kept zero between requests).
func (m *Model) termDone(s *scratch) {
	for _, id := range s.termHist {
		s.termAcc[id], s.termExp[id], s.termLift[id] = 0, 0, 1
		s.termBits[id>>6] = 0
	}
	s.termHist = s.termHist[:0]
}

// termPrepare summarises the shopper's history for the taste model in the
// scratch (each leaf category's weight, each history word's lift and a bit
// per such word) and returns the model and the category weights' prior
// and share (see score); false when it has nothing to score by. The
// caller calls termDone afterwards in either case.
func (m *Model) termPrepare(s *scratch) (t *termModel, prior, share float32, ok bool) {
	s.termHist = s.termHist[:0]
	if m.text == nil || len(s.hist.items) == 0 {
		return nil, 0, 0, false
	}
	t = m.text.get(m)
	nc := len(m.cat.categories)
	s.termCat = resize(s.termCat, nc)
	// The word arrays are catalog-vocabulary sized: kept zero between
	// requests, only the history's words are cleared after use.
	if len(s.termAcc) != t.itemTerms.cols {
		s.termAcc, s.termExp = make([]float32, t.itemTerms.cols), make([]float32, t.itemTerms.cols)
		s.termBits = make([]uint64, (t.itemTerms.cols+63)/64)
		s.termLift = make([]float32, t.itemTerms.cols)
		for id := range s.termLift {
			s.termLift[id] = 1
		}
	}
	s.termCats = s.termCats[:0]
	var total float32
	for k, i := range s.hist.items {
		w := s.pwRated[k]
		c := m.cat.leafCat[i]
		if c < 0 || w <= 0 {
			continue
		}
		if s.termCat[c] == 0 {
			s.termCats = append(s.termCats, c)
		}
		s.termCat[c] += w
		total += w
		words, _ := t.itemTerms.row(int(i))
		for _, id := range words {
			if math.IsInf(float64(t.kappa[id]), 1) {
				continue // carries no taste in this shop
			}
			if s.termAcc[id] == 0 {
				s.termHist = append(s.termHist, id)
				s.termBits[id>>6] |= 1 << (id & 63)
			}
			s.termAcc[id] += w
		}
	}
	if total <= 0 {
		return nil, 0, 0, false
	}
	// Each history word's lift: its weight in the history against what the
	// history's categories would give it (e, summed category by category
	// over the words of the history only).
	for _, c := range s.termCats {
		wc := s.termCat[c]
		words, shares := t.catTerms.row(int(c))
		for k, id := range words {
			if s.termAcc[id] > 0 {
				s.termExp[id] += wc * shares[k]
			} else if id >= t.priceLo && !math.IsInf(float64(t.kappa[id]), 1) {
				// A price level the history's categories have but the
				// history has not: its lift, k/(e + k), is below one.
				if s.termBits[id>>6]&(1<<(id&63)) == 0 {
					s.termHist = append(s.termHist, id)
					s.termBits[id>>6] |= 1 << (id & 63)
				}
				s.termExp[id] += wc * shares[k]
			}
		}
	}
	for _, id := range s.termHist {
		e := s.termExp[id]
		k := max(t.pseudo[id], t.kappa[id]*e/total)
		s.termAcc[id] = (s.termAcc[id] + k) / (e + k)
		s.termLift[id] = s.termAcc[id]
	}
	return t, catPseudo / (total + catPseudo), 1 / (total + catPseudo), true
}

// score is the taste model's score of item j for the history summarised
// in s (category weights and word lifts); 0 for an item without a leaf
// category. A word the history lacks has the lift 1 (s.termLift): the
// product of lifts multiplies by it, which leaves it exactly as it was,
// and no branch asks whether each word is the history's.
func (t *termModel) score(s *scratch, j int32, prior, share float32) float32 {
	c := t.leafCat[j]
	if c < 0 {
		return 0
	}
	v := (s.termCat[c]*share + prior*t.catPrior[c]) * t.popShare[j]
	lo, hi := t.itemTerms.indptr[j], t.itemTerms.indptr[j+1]
	for _, id := range t.itemTerms.indices[lo:hi] {
		v *= s.termLift[id]
	}
	return v
}

// A shopper's price level is a taste like a style: each priced product
// has price words that go through the same machinery as its text. A
// shopper whose history holds more of a price level than their categories
// give it lifts the products of that level in every category, also those
// no one touched yet; a level their categories have but their history has
// not lowers its products (its lift, k/(e+k), is below one: the price
// words are read for every level of the history's categories, not only for
// the history's own, unlike text words, whose absence says little). And the
// shop's shoppers decide (wordDispersion) whether price carries taste at
// all: where they buy every price alike, the price words lift little or
// nothing.
//
// Two kinds of level, each on two grids, the second shifted by half a
// bucket (two products close in price share at least one word, so the
// lift moves by half a bucket at a time): the absolute price (the log
// price) and the price within the product's category (the log price less
// its leaf category's median: a shopper who buys the cheap end of every
// department). Which of the two carries taste, if either, the dispersion
// test tells from the shop's own data. A bucket is priceBucketSpread robust
// standard deviations of the shop's log prices wide (the interquartile
// range over 1.349; of the within-category differences for the relative
// grid), so it means the same in a shop of socks and one of sofas.
// Products without a price have no price words (MovieLens's films: the
// model is as before).
const priceBucketSpread = 1

// priceWords holds the shop's two price grids.
type priceWords struct {
	items         []Item
	leafCat       []int32
	catMedian     []float64 // per leaf category: the median log price of its priced products
	abs, relative priceGrid
}

// priceGrid is a grid of log prices; zero width means no words.
type priceGrid struct{ origin, width float64 }

func newPriceWords(items []Item, leafCat []int32, nc int) priceWords {
	p := priceWords{items: items, leafCat: leafCat, catMedian: make([]float64, nc)}
	var logs []float64
	byCat := make([][]float64, nc)
	for i, it := range items {
		if it.PriceCents <= 0 {
			continue
		}
		l := math.Log(float64(it.PriceCents))
		logs = append(logs, l)
		if c := leafCat[i]; c >= 0 {
			byCat[c] = append(byCat[c], l)
		}
	}
	p.abs = gridOf(logs)
	var rel []float64
	for c, l := range byCat {
		if len(l) == 0 {
			continue
		}
		slices.Sort(l)
		p.catMedian[c] = quantile(l, 0.5)
		for _, x := range l {
			rel = append(rel, x-p.catMedian[c])
		}
	}
	p.relative = gridOf(rel)
	return p
}

// gridOf centres a grid on the values' median with buckets
// priceBucketSpread robust standard deviations wide; fewer than four
// values, or a middle half of one value, give no grid.
func gridOf(x []float64) priceGrid {
	if len(x) < 4 {
		return priceGrid{}
	}
	slices.Sort(x)
	sigma := (quantile(x, 0.75) - quantile(x, 0.25)) / 1.349
	if sigma <= 0 {
		return priceGrid{}
	}
	return priceGrid{origin: quantile(x, 0.5), width: priceBucketSpread * sigma}
}

// quantile is the nearest-rank quantile q of the sorted x.
func quantile(x []float64, q float64) float64 {
	return x[int(q*float64(len(x)-1)+0.5)]
}

// of returns item i's price words: its absolute level on the grid and the
// grid shifted by half a bucket, then the same for its level within its
// category (none without a price).
func (p priceWords) of(i int) []string {
	cents := p.items[i].PriceCents
	if cents <= 0 {
		return nil
	}
	l := math.Log(float64(cents))
	out := p.abs.words(nil, "price:", l)
	if c := p.leafCat[i]; c >= 0 {
		out = p.relative.words(out, "price-in-category:", l-p.catMedian[c])
	}
	return out
}

// words appends x's bucket on the grid and on the grid shifted by half a
// bucket.
func (g priceGrid) words(out []string, prefix string, x float64) []string {
	if g.width <= 0 {
		return out
	}
	z := (x - g.origin) / g.width
	return append(out, prefix+"a"+strconv.Itoa(int(math.Floor(z))), prefix+"b"+strconv.Itoa(int(math.Floor(z+0.5))))
}
