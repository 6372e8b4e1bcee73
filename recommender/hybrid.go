package recommender

import (
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
			m.factorScores(s.score, m.als.itemF, v)
			fillSource(s.src, srcALS)
			return true
		}
	case SVD:
		if v := m.svdUserVector(s, req, user); v != nil {
			m.factorScores(s.score, m.svd.itemF, v)
			fillSource(s.src, srcSVD)
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
		copy(s.score, m.pop.pop)
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
// A shopper without any history gets the cold-start mix of popularity and
// trending. With a candidate list (sub), only the list and the items the
// neighbour models reach from the shopper's history are scored, each signal
// normalised over them.
func (m *Model) hybrid(s *scratch, req Request, user int32, sub []int32) {
	w := m.cfg.Weights
	if req.weights != nil {
		w = *req.weights
	}
	if len(s.hist.items) == 0 {
		m.blendDense(s, m.pop.pop, 1, srcPopular)
		m.blendDense(s, m.pop.trend, 0.5, srcTrending)
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
	if w.KNN > 0 {
		m.historyNeighbours(s, &m.knn, s.tmp, s.knnAnchor, s.knnAnchorVal)
		m.blendTouched(s, float32(w.KNN), srcKNN)
	}
	if w.Content > 0 {
		m.historyNeighbours(s, &m.content, s.tmp, s.cntAnchor, s.cntAnchorVal)
		m.blendTouched(s, float32(w.Content), srcContent)
	}
	if w.Popular > 0 {
		m.blendDense(s, m.pop.pop, float32(w.Popular), srcPopular)
	}
	if w.Trending > 0 {
		m.blendDense(s, m.pop.trend, float32(w.Trending), srcTrending)
	}
	m.blendSequence(s, req, user, float32(w.Next))
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
		s.srcVal[j], s.src[j] = c, src
	}
}

// historyNeighbours writes Σ_i w_i·sim(i,j) over the shopper's history into
// dst (assumed zero), lists touched items in s.touched, and remembers for each
// item the history item that contributed most (the "because" anchor).
func (m *Model) historyNeighbours(s *scratch, nb *csr, dst []float32, anchor []int32, anchorVal []float32) {
	s.touched = s.touched[:0]
	if nb.rows == 0 {
		return
	}
	for k, i := range s.hist.items {
		w := s.pw[k]
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
	if user >= 0 && len(req.Recent) == 0 {
		k := m.als.k
		return m.als.userF[int(user)*k : int(user+1)*k]
	}
	if len(s.hist.items) == 0 {
		return nil
	}
	if req.folded != nil && req.folded.als != nil {
		return req.folded.als
	}
	v, err := solveExact(m.als.itemF, m.als.gram, m.als.k, m.als.alpha, s.hist.items, s.hist.weights)
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
	if user >= 0 && len(req.Recent) == 0 {
		return m.svd.userF[int(user)*k : int(user+1)*k]
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
	v, err := solveExact(m.als.itemF, m.als.gram, m.als.k, m.als.alpha, s.hist.items, s.hist.weights)
	if err != nil {
		return nil
	}
	return v
}

// hybridSubset is hybrid restricted to the candidate list plus the items the
// neighbour models reach from the history (new interests since training).
func (m *Model) hybridSubset(s *scratch, req Request, user int32, cands []int32, w HybridWeights) {
	s.sub = s.sub[:0]
	add := func(j int32) {
		if s.inSub[j] != s.epoch {
			s.inSub[j] = s.epoch
			s.sub = append(s.sub, j)
		}
	}
	for _, j := range cands {
		add(j)
	}
	for _, nb := range []*csr{&m.knn, &m.content} {
		if nb.rows == 0 {
			continue
		}
		for _, i := range s.hist.items {
			idx, _ := nb.row(int(i))
			for _, j := range idx {
				add(j)
			}
		}
	}
	factor := func(f []float32, k int, v []float32, weight float32, src source) {
		for _, j := range s.sub {
			s.tmp[j] = dot32(v, f[int(j)*k:int(j+1)*k])
		}
		m.blendSubset(s, s.tmp, weight, src)
	}
	if w.ALS > 0 {
		if v := m.alsUserVector(s, req, user); v != nil {
			factor(m.als.itemF, m.als.k, v, float32(w.ALS), srcALS)
		}
	}
	if w.SVD > 0 {
		if v := m.svdUserVector(s, req, user); v != nil {
			factor(m.svd.itemF, m.svd.k, v, float32(w.SVD), srcSVD)
		}
	}
	if w.EASE > 0 && m.ease.enabled() {
		clear(s.tmp)
		m.ease.scoreInto(s.tmp, s.easeLocal, s.hist.items, s.pw)
		m.blendSubset(s, s.tmp, float32(w.EASE), srcEASE)
		clear(s.tmp)
	}
	if w.KNN > 0 {
		m.historyNeighbours(s, &m.knn, s.tmp, s.knnAnchor, s.knnAnchorVal)
		m.blendTouched(s, float32(w.KNN), srcKNN)
	}
	if w.Content > 0 {
		m.historyNeighbours(s, &m.content, s.tmp, s.cntAnchor, s.cntAnchorVal)
		m.blendTouched(s, float32(w.Content), srcContent)
	}
	if w.Popular > 0 {
		m.blendSubset(s, m.pop.pop, float32(w.Popular), srcPopular)
	}
	if w.Trending > 0 {
		m.blendSubset(s, m.pop.trend, float32(w.Trending), srcTrending)
	}
	m.blendSequence(s, req, user, float32(w.Next))
	m.blendTaste(s, w, true)
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
