package recommender

import (
	"math/bits"
	"slices"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
)

// score fills s.score and s.src for the request's strategy. It reports
// whether every item carries a meaningful score (dense factor models, where
// negative scores still rank) or only those with a positive score.
func (m *Model) score(s *scratch, req Request, user, anchor int32) (dense bool) {
	n := len(m.cat.items)
	switch req.Strategy {
	case ALS:
		if v := m.alsUserVector(s, req, user); v != nil {
			if req.fullScan {
				m.factorScores(s.score, m.als.itemF, v)
				fillSource(s.src, srcALS)
			} else {
				m.startScan(s, req, m.alsIndex.get(m.als.itemF, m.als.k), v, srcALS)
			}
			return true
		}
	case SVD:
		if v := m.svdUserVector(s, req, user); v != nil {
			if req.fullScan {
				m.factorScores(s.score, m.svd.itemF, v)
				fillSource(s.src, srcSVD)
			} else {
				m.startScan(s, req, m.svdIndex.get(m.svd.itemF, m.svd.k), v, srcSVD)
			}
			return true
		}
	case EASE:
		if m.ease.enabled() && len(s.hist.items) > 0 {
			m.ease.scoreInto(s.score, s.easeLocal, s.hist.items, s.pw)
			for _, j := range m.ease.items {
				s.src[j] = srcEASE
			}
			return true
		}
	case ItemKNN:
		m.historyNeighbours(s, &m.knn, s.score, s.knnAnchor, s.knnAnchorVal)
		markPositive(s, srcKNN)
	case Content:
		m.historyNeighbours(s, &m.content, s.score, s.cntAnchor, s.cntAnchorVal)
		markPositive(s, srcContent)
	case Popular, Category:
		// A visitor without history gets the new shopper's popularity.
		if len(s.hist.items) == 0 {
			copy(s.score, m.newcomerPop())
		} else {
			copy(s.score, m.pop.pop)
		}
		markPositive(s, srcPopular)
	case Trending:
		copy(s.score, m.pop.trend)
		markPositive(s, srcTrending)
	case New:
		for r, j := range m.pop.newOrder {
			s.score[j] = 1 - float32(r)/float32(n)
		}
		fillSource(s.src, srcNew)
	case Similar, AlsoBought:
		if anchor < 0 {
			return false
		}
		primary, psrc := &m.content, srcContent
		if req.Strategy == AlsoBought {
			primary, psrc = &m.bought, srcBought
		}
		m.blendRow(s, primary, anchor, 1, psrc)
		m.blendRow(s, &m.knn, anchor, 0.5, srcViewed)
	default: // Hybrid
		if c := req.folded; c != nil && c.hybrid != nil && !(req.fullScan && c.hybrid.subset) {
			h := c.hybrid
			copy(s.score, h.score)
			copy(s.srcVal, h.srcVal)
			copy(s.src, h.src)
			copy(s.knnAnchor, h.knnAnchor)
			copy(s.cntAnchor, h.cntAnchor)
			return false
		}
		sub := m.candidateSubset(req, user)
		if m.ranker != nil && req.weights == nil && len(s.hist.items) > 0 {
			m.rerank(s, req, user, sub)
		} else {
			m.hybrid(s, req, user, sub)
		}
		if len(s.hist.items) > 0 {
			w := m.cfg.Weights
			if req.weights != nil {
				w = *req.weights
			}
			m.applySeason(s, w.Season)
			m.applyOrder(s, w.Order)
		}
		if c := req.folded; c != nil && c.shareHybrid {
			c.hybrid = &hybridScores{score: slices.Clone(s.score), srcVal: slices.Clone(s.srcVal), src: slices.Clone(s.src),
				knnAnchor: slices.Clone(s.knnAnchor), cntAnchor: slices.Clone(s.cntAnchor), subset: sub != nil}
		}
	}
	return false
}

func fillSource(src []source, v source) {
	for j := range src {
		src[j] = v
	}
}

func markPositive(s *scratch, v source) {
	for j, x := range s.score {
		if x > 0 {
			s.src[j] = v
		}
	}
}

// hybrid blends every available signal, each normalised to [0,1] by its
// maximum for this shopper, and records the strongest contributor per item.
// A shopper without any history gets the new shopper's popularity
// (newcomerPop: the form training chose on the shop's own new shoppers,
// else the blend's). Popularity already
// follows the last weeks (its 7-day half-life); the trend (a lift over
// the product's own 28-day rate, normalised by the shop's largest) put in
// a steady shop whatever chance lifted most above the bestsellers: with it
// at half popularity's weight, new shoppers of outside checks' shops
// scored 10-25 % below plain popularity, at 0.1 up to 10 % below, without
// it level (docs/recommender.md, "an eighth outside check"). With a
// candidate list (sub), only the list and the items the neighbour models
// reach from the shopper's history are scored, each signal normalised over
// them.
func (m *Model) hybrid(s *scratch, req Request, user int32, sub []int32) {
	w := m.cfg.Weights
	if req.weights != nil {
		w = *req.weights
	}
	if len(s.hist.items) == 0 {
		m.blendDense(s, m.newcomerPop(), 1, srcPopular)
		return
	}
	if sub != nil {
		m.hybridSubset(s, req, user, sub, w)
		return
	}
	if w.ALS > 0 {
		if v := m.alsUserVector(s, req, user); v != nil {
			m.factorScores(s.tmp, m.als.itemF, v)
			m.blendDense(s, s.tmp, float32(w.ALS), srcALS)
		}
	}
	if w.SVD > 0 {
		if v := m.svdUserVector(s, req, user); v != nil {
			m.factorScores(s.tmp, m.svd.itemF, v)
			m.blendDense(s, s.tmp, float32(w.SVD), srcSVD)
		}
	}
	if w.EASE > 0 && m.ease.enabled() {
		clear(s.tmp)
		m.ease.scoreInto(s.tmp, s.easeLocal, s.hist.items, s.pw)
		m.blendDense(s, s.tmp, float32(w.EASE), srcEASE)
	}
	if w.Terms > 0 {
		clear(s.tmp)
		m.termScores(s, s.tmp, nil)
		m.blendDense(s, s.tmp, float32(w.Terms), srcTerms)
	}
	// The sparse parts below accumulate into s.tmp from zero and list the
	// items they touch: the dense scores above must not be left in it.
	clear(s.tmp)
	if w.KNN > 0 {
		m.historyNeighbours(s, &m.knn, s.tmp, s.knnAnchor, s.knnAnchorVal)
		m.blendTouched(s, float32(w.KNN), srcKNN)
	}
	if w.Content > 0 {
		m.historyNeighbours(s, &m.content, s.tmp, s.cntAnchor, s.cntAnchorVal)
		m.blendTouched(s, float32(w.Content), srcContent)
	}
	if pw := popularWeight(s, w); pw > 0 {
		m.blendDense(s, m.pop.pop, pw, srcPopular)
	}
	if w.Trending > 0 {
		m.blendDense(s, m.pop.trend, float32(w.Trending), srcTrending)
	}
	m.blendSequence(s, req, user, float32(w.Next))
	m.blendAfterPurchase(s, float32(w.AfterPurchase))
	m.blendPurchaseLeads(s, float32(w.PurchaseLeadsTo))
	m.blendTaste(s, w, false)
}

// blendDense adds weight·vals/max(vals) (positive part) to the row. It is
// the hot loop of a hybrid request, so it is written out with the slices
// resliced to one length (no bounds checks) instead of calling s.add.
func (m *Model) blendDense(s *scratch, vals []float32, weight float32, src source) {
	hi := float32(0)
	for _, v := range vals {
		hi = max(hi, v)
	}
	if hi <= 0 {
		return
	}
	scale := weight / hi
	n := len(vals)
	score, srcVal, srcs := s.score[:n], s.srcVal[:n], s.src[:n]
	for j, v := range vals {
		if v <= 0 {
			continue
		}
		c := v * scale
		score[j] += c
		if c > srcVal[j] {
			srcVal[j], srcs[j] = c, src
		}
	}
}

// blendTouched is blendDense over the sparse s.tmp entries listed in
// s.touched; it clears them afterwards.
func (m *Model) blendTouched(s *scratch, weight float32, src source) {
	hi := float32(0)
	for _, j := range s.touched {
		hi = max(hi, s.tmp[j])
	}
	for _, j := range s.touched {
		if v := s.tmp[j]; v > 0 && hi > 0 {
			s.add(j, v*weight/hi, src)
		}
		s.tmp[j] = 0
	}
	s.touched = s.touched[:0]
}

// blendRow blends one item's neighbour row (Similar, AlsoBought).
func (m *Model) blendRow(s *scratch, nb *csr, anchor int32, weight float32, src source) {
	if nb.rows == 0 {
		return
	}
	idx, sim := nb.row(int(anchor))
	if len(idx) == 0 || sim[0] <= 0 {
		return
	}
	scale := weight / sim[0] // rows are sorted best first
	for k, j := range idx {
		s.add(j, sim[k]*scale, src)
	}
}

func (s *scratch) add(j int32, c float32, src source) {
	s.score[j] += c
	if c > s.srcVal[j] {
		if s.tracking && s.src[j] == srcNone {
			s.scored = append(s.scored, j)
		}
		s.srcVal[j], s.src[j] = c, src
	}
}

// historyNeighbours writes Σ_i w_i·sim(i,j) over the shopper's history into
// dst (assumed zero), lists touched items in s.touched, and remembers for each
// item the history item that contributed most (the "because" anchor), unless
// anchor is nil.
func (m *Model) historyNeighbours(s *scratch, nb *csr, dst []float32, anchor []int32, anchorVal []float32) {
	s.touched = s.touched[:0]
	if nb.rows == 0 {
		return
	}
	if anchor == nil { // the sums alone
		for k, i := range s.hist.items {
			w := s.pwRated[k]
			idx, sim := nb.row(int(i))
			for t, j := range idx {
				if dst[j] == 0 {
					s.touched = append(s.touched, j)
				}
				dst[j] += w * sim[t]
			}
		}
		return
	}
	for k, i := range s.hist.items {
		w := s.pwRated[k]
		idx, sim := nb.row(int(i))
		for t, j := range idx {
			c := w * sim[t]
			if dst[j] == 0 {
				s.touched = append(s.touched, j)
				anchorVal[j] = 0
			}
			dst[j] += c
			if c > anchorVal[j] {
				anchorVal[j], anchor[j] = c, i
			}
		}
	}
}

// alsUserVector returns the shopper's ALS factors: the trained row when
// nothing happened since training, else a fold-in of training row + session.
func (m *Model) alsUserVector(s *scratch, req Request, user int32) []float32 {
	if !m.als.enabled() {
		return nil
	}
	if len(req.Recent) == 0 {
		if row := m.userRow(m.als.userF, m.als.k, user); row != nil {
			return row
		}
	}
	if len(s.hist.items) == 0 {
		return nil
	}
	if req.folded != nil && req.folded.als != nil {
		return req.folded.als
	}
	v, err := m.foldIn(s, user, s.hist.items, s.hist.weights)
	if err != nil {
		return nil
	}
	if req.folded != nil {
		req.folded.als = v
	}
	return v
}

// svdUserVector returns r·V for the shopper (the trained row when unchanged).
func (m *Model) svdUserVector(s *scratch, req Request, user int32) []float32 {
	if !m.svd.enabled() {
		return nil
	}
	k := m.svd.k
	if len(req.Recent) == 0 {
		if row := m.userRow(m.svd.userF, k, user); row != nil {
			return row
		}
	}
	if len(s.hist.items) == 0 {
		return nil
	}
	if req.folded != nil && req.folded.svd != nil {
		return req.folded.svd
	}
	v := make([]float32, k)
	for t, i := range s.hist.items {
		axpy32(s.hist.weights[t], m.svd.item(i), v)
	}
	if req.folded != nil {
		req.folded.svd = v
	}
	return v
}

// factorScores sets dst = F·v for the items×k factor matrix F.
func (m *Model) factorScores(dst, f, v []float32) {
	k := len(v)
	F := blas32.General{Rows: len(f) / k, Cols: k, Stride: k, Data: f}
	blas32.Gemv(blas.NoTrans, 1, F, blas32.Vector{N: k, Data: v, Inc: 1}, 0, blas32.Vector{N: len(dst), Data: dst, Inc: 1})
}

// FoldIn returns ALS user factors for a shopper described only by events
// (for example an anonymous session), by one exact k×k solve. It returns nil
// when ALS is disabled or none of the events' items are known.
func (m *Model) FoldIn(events []Event) []float32 {
	if !m.als.enabled() {
		return nil
	}
	s := m.getScratch()
	defer m.scratch.Put(s)
	s.begin()
	m.buildHistory(s, Request{Recent: events})
	if len(s.hist.items) == 0 {
		return nil
	}
	v, err := m.foldIn(s, -1, s.hist.items, s.hist.weights)
	if err != nil {
		return nil
	}
	return v
}

// foldIn solves a shopper's ALS factors from their history (items with
// strengths) by conjugate gradients to a residual of foldInTol·‖b‖ (n·k
// per step instead of the n·k² + k³ of a Cholesky solve), started from
// the shopper's trained factors when they have them: a session adds a few
// items to the system those factors were trained on. CG that does not get
// there in foldInMaxSteps·k steps falls back to the exact solve.
func (m *Model) foldIn(s *scratch, user int32, items []int32, vals []float32) ([]float32, error) {
	k := m.als.k
	if s.cg == nil || len(s.cg.r) != k {
		s.cg = newCGScratch(k)
	}
	s.foldG = slices.Grow(s.foldG[:0], k*k)[:k*k]
	for i, g := range m.als.gram {
		s.foldG[i] = float32(g)
	}
	x := make([]float32, k)
	copy(x, m.userRow(m.als.userF, k, user))
	G := blas32.General{Rows: k, Cols: k, Stride: k, Data: s.foldG}
	s.foldVals = m.als.strengths(s.foldVals, vals)
	if m.als.scale > 0 {
		vals = s.foldVals
	}
	if _, ok := cgSolveRow(x, m.als.itemF, G, items, vals, k, m.als.alpha, foldInMaxSteps*k, foldInTol, s.cg); !ok {
		return solveExact(m.als.itemF, m.als.gram, k, m.als.alpha, items, vals)
	}
	return x, nil
}

const (
	// foldInTol is CG's relative residual: far below the precision ALS
	// trains to (three CG steps per sweep), so the factors match the exact
	// solve's to about 1e-4 (TestFoldInCGMatchesExact).
	foldInTol = 1e-5
	// foldInMaxSteps bounds CG at this many times k steps.
	foldInMaxSteps = 2
)

// hybridSubset is hybrid restricted to the candidate list plus the
// strongest suggestions of the neighbour models from the history (new
// interests since training): each neighbour model adds at most
// reachPerModel items, its best for this history, so a long history that
// reaches most of the catalog through its neighbours still scores a
// bounded set. Items a neighbour model reaches beyond its own best are not
// scored at all (a partial score would rank them on one signal).
func (m *Model) hybridSubset(s *scratch, req Request, user int32, cands []int32, w HybridWeights) {
	// The subset is a bit set over the catalog while it is gathered, then
	// listed in index order: every pass below reads the item-indexed arrays
	// (factors, scores) forwards instead of at random.
	words := (len(m.cat.items) + 63) / 64
	if cap(s.subBits) < words {
		s.subBits = make([]uint64, words)
	}
	s.subBits = s.subBits[:words]
	clear(s.subBits)
	// The neighbour models accumulate into s.tmp from zero; the full
	// blend leaves it holding its last model's scores.
	clear(s.tmp)
	// Every item this blend scores goes through s.add, which lists it in
	// s.scored for selectTop (the row is then picked from this list, not
	// from a scan of the catalog).
	s.scored, s.tracking = s.scored[:0], true
	for _, j := range cands {
		s.subBits[j>>6] |= 1 << (j & 63)
	}
	// The neighbour models come first: their best suggestions join the
	// subset the other models score. They join it whatever their weight in
	// the blend (an item-kNN weight of 0 still widens the subset).
	neighbours := func(nb *csr, weight float64, anchor []int32, anchorVal []float32, src source) {
		if nb.rows == 0 {
			return
		}
		if weight <= 0 {
			// Nothing this model suggests is explained by it: no anchors.
			anchor, anchorVal = nil, nil
		}
		m.historyNeighbours(s, nb, s.tmp, anchor, anchorVal)
		m.reach(s, reachPerModel)
		if weight > 0 {
			m.blendTouchedSubset(s, float32(weight), src)
		} else {
			for _, j := range s.touched {
				s.tmp[j] = 0
			}
			s.touched = s.touched[:0]
		}
	}
	neighbours(&m.knn, w.KNN, s.knnAnchor, s.knnAnchorVal, srcKNN)
	neighbours(&m.content, w.Content, s.cntAnchor, s.cntAnchorVal, srcContent)
	if w.Fresh > 0 {
		m.addFreshest(s) // launches no one has touched yet
	}
	s.sub = s.sub[:0]
	for k, word := range s.subBits {
		for word != 0 {
			s.sub = append(s.sub, int32(k<<6+bits.TrailingZeros64(word)))
			word &= word - 1
		}
	}
	// The parts below score the subset into dense arrays, one value per
	// position of s.sub, instead of into the item-sized s.tmp. With ALS in
	// the blend the subset is scored from the products' records in one
	// pass (subsetrec.go): ALS, the taste model, the trend and freshness,
	// blended in the blend's order (hybridSubsetRecords).
	fallback := m.isFallback(cands)
	var alsV []float32
	if w.ALS > 0 {
		alsV = m.alsUserVector(s, req, user)
	}
	if alsV != nil && m.recsUsable() && !m.partByPart {
		m.hybridSubsetRecords(s, req, user, w, alsV, cands, fallback)
		return
	}
	if alsV != nil {
		m.blendSubsetVals(s, m.factorSubset(s, m.als.itemF, m.als.k, alsV, &m.alsPop, cands, fallback), float32(w.ALS), srcALS)
	}
	m.blendSubsetSVDEASE(s, req, user, w, cands, fallback)
	if w.Terms > 0 {
		s.subVal = growF32(s.subVal, len(s.sub))
		if m.termScores(s, s.subVal, s.sub) {
			m.blendSubsetVals(s, s.subVal, float32(w.Terms), srcTerms)
		}
	}
	if pw := popularWeight(s, w); pw > 0 {
		m.blendSubset(s, m.pop.pop, pw, srcPopular)
	}
	if w.Trending > 0 {
		m.blendSubset(s, m.pop.trend, float32(w.Trending), srcTrending)
	}
	m.blendSequence(s, req, user, float32(w.Next))
	m.blendAfterPurchase(s, float32(w.AfterPurchase))
	m.blendPurchaseLeads(s, float32(w.PurchaseLeadsTo))
	m.blendTaste(s, w, true)
}

// reachPerModel is how many of its suggestions from a shopper's history a
// neighbour model adds to a candidate-list request.
const reachPerModel = 1000

// reach adds to the subset (s.subBits) the best k of the neighbour scores
// in s.tmp (the items listed in s.touched), by score and then by index.
func (m *Model) reach(s *scratch, k int) {
	add := func(j int32) { s.subBits[j>>6] |= 1 << (j & 63) }
	if len(s.touched) <= k {
		for _, j := range s.touched {
			add(j)
		}
		return
	}
	for _, j := range topOf(s, s.touched, s.tmp, k) {
		add(j)
	}
}

// topOf returns the best k of items by vals[item], higher first and on a
// tie the lower index: the set a top-k heap over all of them keeps, in no
// particular order. It finds a threshold from a sorted sample first and
// keeps the items at or above it (a few more than k), then selects the k
// best of those in place (quickselect); when the sample misjudges, it
// selects from every item. A heap over the tens of thousands of items a
// long history's neighbours reach cost several times more.
func topOf(s *scratch, items []int32, vals []float32, k int) []int32 {
	n := len(items)
	if k >= n {
		return items
	}
	const sampleSize = 512
	cand := s.topCand[:0]
	if n >= 4*sampleSize && k*2 <= n {
		smp := s.topSample[:0]
		for p := 0; p < sampleSize; p++ {
			smp = append(smp, vals[items[p*n/sampleSize]])
		}
		slices.Sort(smp)
		s.topSample = smp
		// A rank with about 1.25× the share of the sample the k best
		// should hold, plus a margin for a small share.
		r := min(sampleSize-1, (k*sampleSize*5)/(4*n)+8)
		t := smp[sampleSize-1-r]
		for _, j := range items {
			if vals[j] >= t {
				cand = append(cand, j)
			}
		}
		if len(cand) < k {
			cand = cand[:0]
		}
	}
	if len(cand) == 0 {
		cand = append(cand, items...)
	}
	s.topCand = cand
	selectBest(cand, vals, k)
	return cand[:k]
}

// selectBest reorders items so that the first k are the best k by
// vals[item], higher first and on a tie the lower index (quickselect;
// (value, index) orders the items strictly).
func selectBest(items []int32, vals []float32, k int) {
	lo, hi := 0, len(items)-1
	for lo < hi {
		a, b, c := items[lo], items[lo+(hi-lo)/2], items[hi]
		// The median of the three as the pivot.
		if better(vals[b], b, vals[a], a) {
			a, b = b, a
		}
		if better(vals[c], c, vals[b], b) {
			b, c = c, b
			if better(vals[b], b, vals[a], a) {
				a, b = b, a
			}
		}
		p, pv := b, vals[b]
		i, j := lo, hi
		for i <= j {
			for better(vals[items[i]], items[i], pv, p) {
				i++
			}
			for better(pv, p, vals[items[j]], items[j]) {
				j--
			}
			if i <= j {
				items[i], items[j] = items[j], items[i]
				i++
				j--
			}
		}
		switch {
		case k-1 <= j:
			hi = j
		case k-1 >= i:
			lo = i
		default:
			return
		}
	}
}

// blendTouchedSubset is blendTouched for the touched items in the subset
// only (normalised by the maximum over every touched item, which reach
// keeps).
func (m *Model) blendTouchedSubset(s *scratch, weight float32, src source) {
	hi := float32(0)
	for _, j := range s.touched {
		hi = max(hi, s.tmp[j])
	}
	for _, j := range s.touched {
		if v := s.tmp[j]; v > 0 && hi > 0 && s.subBits[j>>6]&(1<<(j&63)) != 0 {
			s.add(j, v*weight/hi, src)
		}
		s.tmp[j] = 0
	}
	s.touched = s.touched[:0]
}

// blendSubsetVals is blendSubset for values given per position of s.sub
// (a value at or below zero adds nothing).
func (m *Model) blendSubsetVals(s *scratch, vals []float32, weight float32, src source) {
	hi := float32(0)
	for _, v := range vals {
		if v > hi { // not max(hi, v): its NaN and signed-zero rules cost a few times more per value
			hi = v
		}
	}
	if hi <= 0 {
		return
	}
	scale := weight / hi
	for p, j := range s.sub {
		if v := vals[p]; v > 0 {
			s.add(j, v*scale, src)
		}
	}
}

// blendSubset is blendDense over the items of s.sub only.
func (m *Model) blendSubset(s *scratch, vals []float32, weight float32, src source) {
	hi := float32(0)
	for _, j := range s.sub {
		hi = max(hi, vals[j])
	}
	if hi <= 0 {
		return
	}
	scale := weight / hi
	for _, j := range s.sub {
		if v := vals[j]; v > 0 {
			s.add(j, v*scale, src)
		}
	}
}

// blendSubsetSVDEASE blends SVD and EASE over the subset: the parts that
// come between ALS and the shopper's words on both of hybridSubset's paths.
func (m *Model) blendSubsetSVDEASE(s *scratch, req Request, user int32, w HybridWeights, cands []int32, fallback bool) {
	if w.SVD > 0 {
		if v := m.svdUserVector(s, req, user); v != nil {
			m.blendSubsetVals(s, m.factorSubset(s, m.svd.itemF, m.svd.k, v, &m.svdPop, cands, fallback), float32(w.SVD), srcSVD)
		}
	}
	if w.EASE > 0 && m.ease.enabled() {
		clear(s.tmp)
		m.ease.scoreInto(s.tmp, s.easeLocal, s.hist.items, s.pw)
		m.blendSubset(s, s.tmp, float32(w.EASE), srcEASE)
		clear(s.tmp)
	}
}

// hybridSubsetRecords is the rest of hybridSubset from the ALS part on,
// with the parts scored from the products' records (subsetPass): the same
// blends in the same order as the part-by-part path.
func (m *Model) hybridSubsetRecords(s *scratch, req Request, user int32, w HybridWeights, alsV []float32, cands []int32, fallback bool) {
	r := m.itemRecords()
	parts := subsetParts{als: true, trend: w.Trending > 0, fresh: w.Fresh > 0 && len(s.hist.items) > 0}
	var t *termModel
	var prior, share float32
	if w.Terms > 0 {
		t, prior, share, parts.terms = m.termPrepare(s)
		defer m.termDone(s)
	}
	m.subsetPass(s, r, alsV, parts, fallback, t, prior, share)
	m.blendSubsetVals(s, s.subALS, float32(w.ALS), srcALS)
	m.blendSubsetSVDEASE(s, req, user, w, cands, fallback)
	if parts.terms {
		m.blendSubsetVals(s, s.subTerms, float32(w.Terms), srcTerms)
	}
	if pw := popularWeight(s, w); pw > 0 {
		m.blendSubset(s, m.pop.pop, pw, srcPopular)
	}
	if parts.trend {
		m.blendSubsetVals(s, s.subTrend, float32(w.Trending), srcTrending)
	}
	m.blendSequence(s, req, user, float32(w.Next))
	m.blendAfterPurchase(s, float32(w.AfterPurchase))
	m.blendPurchaseLeads(s, float32(w.PurchaseLeadsTo))
	taste := w
	taste.Fresh = 0
	m.blendTaste(s, taste, true)
	if parts.fresh {
		// blendTaste's freshness (absolute: weight·value as it is).
		weight := float32(w.Fresh)
		for p, j := range s.sub {
			if v := s.subFresh[p]; v > 0 {
				s.add(j, v*weight, srcNew)
			}
		}
	}
}

// factorSubset scores the products of s.sub by a factor model (items × k
// factors f, the shopper's vector v) into s.subVal, one value per position
// of s.sub, and returns it. The fallback subset (the popular items) is
// scored from its own contiguous block of factors, by one matrix–vector
// product; the block lists its items in index order, as s.sub does.
func (m *Model) factorSubset(s *scratch, f []float32, k int, v []float32, blocks *popBlockOnce, cands []int32, fallback bool) []float32 {
	vals := growF32(s.subVal, len(s.sub))
	s.subVal = vals
	if !fallback {
		for p, j := range s.sub {
			vals[p] = dot32(v, f[int(j)*k:int(j+1)*k])
		}
		return vals
	}
	b := blocks.get(cands, f, k)
	s.blockBuf = growF32(s.blockBuf, len(b.items))
	F := blas32.General{Rows: len(b.items), Cols: k, Stride: k, Data: b.f}
	blas32.Gemv(blas.NoTrans, 1, F, blas32.Vector{N: k, Data: v, Inc: 1}, 0, blas32.Vector{N: len(b.items), Data: s.blockBuf, Inc: 1})
	q := 0
	for p, j := range s.sub {
		if q < len(b.items) && b.items[q] == j {
			vals[p] = s.blockBuf[q]
			q++
		} else {
			vals[p] = dot32(v, f[int(j)*k:int(j+1)*k])
		}
	}
	return vals
}

// popularWeight is popularity's weight in a shopper's blend: the part's
// own, plus the lean of a short history (HybridWeights.ShortHistory over
// the number of products in it).
func popularWeight(s *scratch, w HybridWeights) float32 {
	return float32(w.Popular + shortHistoryLean(len(s.hist.items), w.ShortHistory))
}

// shortHistoryLean is popularity's extra weight for a history of n products.
func shortHistoryLean(n int, weight float64) float64 {
	if n == 0 || weight <= 0 {
		return 0
	}
	return weight / float64(n)
}
