package recommender

import (
	"math"
	"slices"
)

// The tuning cache scores every held-out shopper with each of the
// hybrid's parts alone. Called once per part, the hybrid built the
// shopper's history sixteen times, scored popularity and the trend (the
// same for every shopper) each time, and walked the catalog twice per
// taste part through closures; here the history is built once, the
// shopper-independent parts once per cache, and the five taste parts in
// two passes together. Each part's values are the ones the hybrid with
// that part's unit weight leaves in its row, operation for operation
// (TestCachePartsMatchTheHybridPartByPart).

// Each part's place in weightVec (freshComponent: fit.go).
var (
	categoryComponent = componentOf(HybridWeights{Category: 1})
	brandComponent    = componentOf(HybridWeights{Brand: 1})
	priceComponent    = componentOf(HybridWeights{Price: 1})
	catPopComponent   = componentOf(HybridWeights{CatPop: 1})
	trendingComponent = componentOf(HybridWeights{Trending: 1})
	svdComponent      = componentOf(HybridWeights{SVD: 1})
	easeComponent     = componentOf(HybridWeights{EASE: 1})
	termsComponent    = componentOf(HybridWeights{Terms: 1})
)

func componentOf(w HybridWeights) int {
	for c, x := range weightVec(w) {
		if x == 1 {
			return c
		}
	}
	panic("componentOf: no part set")
}

// tastePart reports whether part c is one blendTaste scores.
func tastePart(c int) bool {
	switch c {
	case categoryComponent, brandComponent, priceComponent, freshComponent, catPopComponent:
		return true
	}
	return false
}

// cacheShared is what scoring the parts alone needs once per model, not
// once per shopper: popularity's and the trend's normalised rows (the
// hybrid blends them the same for every shopper with a history) and
// their products ranked, each product's log price and each leaf
// category's summed popularity.
type cacheShared struct {
	popular, trending []float32
	// ranked[c] lists the products part c scores above 0, best first (on
	// a tie the lower index, as topN), for the parts every shopper shares;
	// nil for the others.
	ranked [numComponents][]int32
	// prices are the catalog's distinct log prices, priceAt each
	// product's place in them (-1: no price): a shopper's price part
	// takes one exponential per price, not per product.
	prices  []float64
	priceAt []int32
}

func (m *Model) cacheShared() *cacheShared {
	n := len(m.cat.items)
	sh := &cacheShared{popular: make([]float32, n), trending: make([]float32, n)}
	s := &scratch{score: sh.popular, srcVal: make([]float32, n), src: make([]source, n)}
	m.blendDense(s, m.pop.pop, 1, srcPopular)
	clear(s.srcVal)
	s.score = sh.trending
	m.blendDense(s, m.pop.trend, 1, srcTrending)
	for c, vals := range map[int][]float32{popularComponent: sh.popular, trendingComponent: sh.trending} {
		var order []int32
		for j, v := range vals {
			if v > 0 {
				order = append(order, int32(j))
			}
		}
		slices.SortFunc(order, func(a, b int32) int {
			if better(vals[a], a, vals[b], b) {
				return -1
			}
			return 1
		})
		sh.ranked[c] = order
	}
	sh.priceAt = make([]int32, n)
	at := map[int64]int32{}
	for j := range m.cat.items {
		p := m.cat.items[j].PriceCents
		if p <= 0 {
			sh.priceAt[j] = -1
			continue
		}
		k, ok := at[p]
		if !ok {
			k = int32(len(sh.prices))
			at[p] = k
			sh.prices = append(sh.prices, math.Log(float64(p)))
		}
		sh.priceAt[j] = k
	}
	return sh
}

// partScores fills comp[c] with what the hybrid with unitWeights[c] alone
// leaves in s.score for the request's shopper, whose history s holds
// (buildHistory ran; it is not empty). comp's popularity and trend rows
// are set to sh's, the rest are overwritten.
func (m *Model) partScores(s *scratch, req Request, user int32, sh *cacheShared, comp *[numComponents][]float32) {
	row := s.score
	defer func() { s.score = row }()
	for c := range comp {
		switch {
		case c == popularComponent:
			comp[c] = sh.popular
			continue
		case c == trendingComponent:
			comp[c] = sh.trending
			continue
		case tastePart(c):
			continue
		}
		// The dense parts: the model's row normalised as blendDense
		// does, without the row's sources.
		row := comp[c]
		switch c {
		case alsComponent:
			if v := m.alsUserVector(s, req, user); v != nil {
				m.factorScores(row, m.als.itemF, v)
				normalise(row)
			} else {
				clear(row)
			}
			continue
		case svdComponent:
			if v := m.svdUserVector(s, req, user); v != nil {
				m.factorScores(row, m.svd.itemF, v)
				normalise(row)
			} else {
				clear(row)
			}
			continue
		case easeComponent:
			clear(row)
			if m.ease.enabled() {
				m.ease.scoreInto(row, s.easeLocal, s.hist.items, s.pw)
				normalise(row)
			}
			continue
		case termsComponent:
			clear(row)
			m.termScores(s, row, nil)
			normalise(row)
			continue
		}
		// The parts over the neighbours and transitions: the hybrid's
		// own code.
		s.score = row
		clear(s.score)
		w := unitWeights[c]
		req.weights = &w
		m.hybrid(s, req, user, nil)
	}
	m.tasteParts(s, sh, comp)
}

// tasteParts is blendTaste for each of its five parts at weight 1 alone,
// written to comp: the history's weight per category and brand and its
// price range once, then one pass over the catalog for the four parts'
// values and their maxima and one to normalise them (freshness, over the
// few fresh products, as blendFresh).
func (m *Model) tasteParts(s *scratch, sh *cacheShared, comp *[numComponents][]float32) {
	cat, brand, price, catPop := comp[categoryComponent], comp[brandComponent], comp[priceComponent], comp[catPopComponent]
	sum, sumLog, sumSq := m.historyTastes(s)
	withPrice := sum > 0
	var mu, sd float64
	if withPrice {
		mu = sumLog / sum
		sd = max(math.Sqrt(max(sumSq/sum-mu*mu, 0)), 0.25)
	}
	n := len(m.cat.items)
	if withPrice {
		s.priceNear = s.priceNear[:0]
		for _, l := range sh.prices {
			s.priceNear = append(s.priceNear, float32(math.Exp(-math.Abs(l-mu)/sd)))
		}
	}
	leaf, brandID, priceAt := m.cat.leafCat[:n], m.brandID[:n], sh.priceAt[:n]
	within := m.catPopWithin[:n]
	cat, brand, price, catPop = cat[:n], brand[:n], price[:n], catPop[:n]
	var hiCat, hiBrand, hiPrice, hiCatPop float32
	for j := range n {
		var vc, vcp, vb, vp float32
		if c := leaf[j]; c >= 0 {
			vc = s.catAcc[c]
			vcp = (s.catCnt[c] + m.catShare[c]) * within[j]
		}
		if b := brandID[j]; b >= 0 {
			vb = s.brandAcc[b]
		}
		if p := priceAt[j]; withPrice && p >= 0 {
			vp = s.priceNear[p]
		}
		cat[j], catPop[j], brand[j], price[j] = vc, vcp, vb, vp
		hiCat, hiCatPop, hiBrand, hiPrice = max(hiCat, vc), max(hiCatPop, vcp), max(hiBrand, vb), max(hiPrice, vp)
	}
	normaliseBy(cat, hiCat)
	normaliseBy(catPop, hiCatPop)
	normaliseBy(brand, hiBrand)
	normaliseBy(price, hiPrice)
	fresh := comp[freshComponent]
	clear(fresh)
	if len(m.fresh) == n {
		row := s.score
		s.score = fresh
		m.blendFresh(s, 1, false)
		s.score = row
	}
}

// normalise turns a part's raw values into what blendDense adds at weight
// 1 (normaliseBy their maximum).
func normalise(vals []float32) {
	hi := float32(0)
	for _, v := range vals {
		hi = max(hi, v)
	}
	normaliseBy(vals, hi)
}

// normaliseBy turns a part's raw values into what blendDense and
// blendTaste add at weight 1 for a maximum hi: v·(1/hi) where v is
// positive, else 0; all 0 when hi is not positive.
func normaliseBy(vals []float32, hi float32) {
	if hi <= 0 {
		clear(vals)
		return
	}
	scale := 1 / hi
	for j, v := range vals {
		if v > 0 {
			vals[j] = v * scale
		} else {
			vals[j] = 0
		}
	}
}
