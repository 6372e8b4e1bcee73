package recommender

import (
	"fmt"
	"math"
	"slices"
)

// The second stage: the linear blend picks a shopper's best rerankPool
// items (the candidates of every generator, blended), and small
// gradient-boosted trees trained on the shop's own held-out data re-rank
// them from richer features — each model's score, the blend's score and
// rank, the shopper's category, brand and price affinity, the length of
// their history, the item's age and how recent the history item behind a
// neighbour suggestion is. The trees are trained with LambdaMART
// (pairwise, weighted by the change in NDCG) and kept only when they beat
// the linear blend on held-out shoppers they were not fit to.

const (
	rerankPool      = 50 // candidates the second stage re-ranks per request
	numRankFeatures = numComponents + 6
	treeDepth       = 2
	maxTrees        = 150
	treeRate        = 0.1  // shrinkage
	treeReg         = 10.0 // L2 on leaf values
	minLeafRows     = 300
	maxBins         = 32
	rankerBase      = 4 // the blend's score (0..1) in the trees' units at the start
)

// componentNames name the blend's parts, in weightVec order.
var componentNames = [numComponents]string{"ALS", "SVD", "EASE", "item-kNN", "content", "popularity", "trending",
	"sequences (next)", "category affinity", "brand affinity", "price affinity", "freshness", "popular in the shopper's categories", "the shopper's words",
	"after the shopper's purchases", "what a purchase leads to"}

// Ranker is a trained second stage: boosted regression trees of fixed
// depth over the rank features. Fields are exported for persistence only.
type Ranker struct {
	// Base weighs the blend's own score, which the trees correct: a
	// shopper's order starts from the blend's.
	Base  float32
	Trees []RankTree
	// Validation NDCG@10 on the held-out half of the tuning shoppers:
	// the linear blend and the trees.
	Linear, Boosted float64
	Users           int
}

// RankTree is a complete binary tree of depth treeDepth: internal nodes
// in breadth-first order (a row goes left when its feature is at most
// the threshold), then the leaf values.
type RankTree struct {
	Feature   []int8
	Threshold []float32
	Leaf      []float32
}

func (r *Ranker) predict(x []float32) float32 {
	v := r.Base * x[numComponents]
	for t := range r.Trees {
		tr := &r.Trees[t]
		node := 0
		for node < len(tr.Feature) {
			if x[tr.Feature[node]] <= tr.Threshold[node] {
				node = 2*node + 1
			} else {
				node = 2*node + 2
			}
		}
		v += tr.Leaf[node-len(tr.Feature)]
	}
	return v
}

// validate checks a loaded ranker's shape, so a damaged file cannot
// index out of range while serving.
func (r *Ranker) validate() error {
	if r == nil {
		return nil
	}
	const nodes = 1<<treeDepth - 1
	for t, tr := range r.Trees {
		if len(tr.Feature) != nodes || len(tr.Threshold) != nodes || len(tr.Leaf) != nodes+1 {
			return fmt.Errorf("ranker tree %d has the wrong shape", t)
		}
		for _, f := range tr.Feature {
			if f < 0 || int(f) >= numRankFeatures {
				return fmt.Errorf("ranker tree %d uses feature %d of %d", t, f, numRankFeatures)
			}
		}
	}
	return nil
}

// describe is the report line about the second stage.
func (r *Ranker) describe(kept bool) string {
	if r == nil {
		return ""
	}
	verdict := "kept"
	if !kept {
		verdict = "not kept (no clear gain)"
	}
	return fmt.Sprintf("second stage: %d boosted trees re-rank the blend's top %d; held-out validation NDCG@10 %.4f linear, %.4f re-ranked on %d shoppers: %s",
		len(r.Trees), rerankPool, r.Linear, r.Boosted, r.Users, verdict)
}

// componentScores fills s.comp[c] with component c alone, normalised the
// way the blend normalises it, for this shopper.
func (m *Model) componentScores(s *scratch, req Request, user int32, sub []int32) {
	n := len(m.cat.items)
	if len(s.comp) != numComponents*n {
		s.comp = make([]float32, numComponents*n)
	}
	for c := range numComponents {
		clear(s.score)
		clear(s.srcVal)
		clear(s.src)
		w := unitWeights[c]
		r := req
		r.weights = &w
		m.hybrid(s, r, user, sub)
		copy(s.comp[c*n:(c+1)*n], s.score)
	}
	clear(s.score)
	clear(s.srcVal)
	clear(s.src)
}

// rankCandidates computes the blend (into s.score, with its sources), the
// blend's best rerankPool items not blocked by s.mark, and their features
// into s.feat (numRankFeatures per candidate).
func (m *Model) rankCandidates(s *scratch, req Request, user int32, sub []int32) []int32 {
	m.componentScores(s, req, user, sub)
	m.hybrid(s, req, user, sub)
	n := len(m.cat.items)
	s.heap.reset(rerankPool)
	for j, v := range s.score {
		if v > 0 && s.mark[j] != s.epoch {
			s.heap.push(v, int32(j))
		}
	}
	idx, sc := s.heap.sorted()
	s.cands = append(s.cands[:0], idx...)
	s.feat = slices.Grow(s.feat[:0], len(idx)*numRankFeatures)[:len(idx)*numRankFeatures]
	latest := m.latestItems(s, req, user)
	histLen := float32(math.Log1p(float64(len(s.hist.items))))
	now := m.DataNow.Unix()
	top := float32(1)
	if len(sc) > 0 && sc[0] > 0 {
		top = sc[0]
	}
	for p, j := range s.cands {
		x := s.feat[p*numRankFeatures : (p+1)*numRankFeatures]
		agree := 0
		for c := range numComponents {
			v := s.comp[c*n+int(j)]
			x[c] = v
			if v > 0 && c < 8 {
				agree++
			}
		}
		x[numComponents] = sc[p] / top
		x[numComponents+1] = float32(p) / rerankPool
		x[numComponents+2] = histLen
		age := float32(-1)
		if cr := m.cat.items[j].Created; !cr.IsZero() {
			age = float32(math.Log1p(max(float64(now-cr.Unix()), 0) / 86400))
		}
		x[numComponents+3] = age
		rec := float32(0)
		if s.comp[3*n+int(j)] > 0 {
			if pos := slices.Index(latest, s.knnAnchor[j]); pos >= 0 {
				rec = 1 / float32(1+pos)
			}
		}
		x[numComponents+4] = rec
		x[numComponents+5] = float32(agree)
	}
	return s.cands
}

// rerank is the hybrid with the second stage: the blend's candidates are
// re-scored by the trees and placed above every other item, in the trees'
// order; the rest keep the blend's order below them.
func (m *Model) rerank(s *scratch, req Request, user int32, sub []int32) {
	cands := m.rankCandidates(s, req, user, sub)
	if len(cands) == 0 {
		return
	}
	top := float32(0)
	for _, v := range s.score {
		top = max(top, v)
	}
	pred := s.tmp[:len(cands)]
	lo, hi := float32(math.Inf(1)), float32(math.Inf(-1))
	for p := range cands {
		pred[p] = m.ranker.predict(s.feat[p*numRankFeatures : (p+1)*numRankFeatures])
		lo, hi = min(lo, pred[p]), max(hi, pred[p])
	}
	span := max(hi-lo, 1e-6)
	for p, j := range cands {
		// Above the blend's best, in (top, 2·top], by the trees' order.
		s.score[j] = top * (1 + (pred[p]-lo)/span + 1e-3)
	}
	clear(pred)
}

// rankSample is one shopper's candidates for training the trees.
type rankSample struct {
	feat []float32
	rel  []bool
	nrel int // relevant items of the shopper in all (for the ideal DCG)
}

// rankSamples builds the second stage's training data from the tuning
// split: each held-out shopper's candidates under blend w, with labels.
func (t *tuner) rankSamples(m *Model, w HybridWeights) []rankSample {
	out := make([]rankSample, len(t.users))
	parallelRange(len(t.users), t.workers, func(next func() (int, int, bool)) {
		s := m.getScratch()
		defer m.scratch.Put(s)
		for {
			lo, hi, ok := next()
			if !ok {
				return
			}
			for k := lo; k < hi; k++ {
				tu := &t.users[k]
				s.begin()
				req := Request{User: tu.id, weights: &w}
				user := m.buildHistory(s, req)
				if len(s.hist.items) == 0 {
					continue
				}
				for _, j := range tu.seen {
					s.mark[j] = s.epoch
				}
				if user >= 0 {
					items, _ := m.ui.row(int(user))
					for _, j := range items {
						s.mark[j] = s.epoch
					}
				}
				cands := m.rankCandidates(s, req, user, nil)
				rs := rankSample{feat: slices.Clone(s.feat), rel: make([]bool, len(cands)), nrel: len(tu.rel)}
				for p, j := range cands {
					rs.rel[p] = tu.rel[j]
				}
				out[k] = rs
			}
		}
	})
	return out
}

// ndcgOf is NDCG@tuneK of one shopper's candidates ranked by score.
func ndcgOf(score []float32, rel []bool, nrel int) float64 {
	if nrel == 0 {
		return 0
	}
	order := make([]int, len(score))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		switch {
		case score[a] > score[b]:
			return -1
		case score[a] < score[b]:
			return 1
		}
		return 0
	})
	var dcg, idcg float64
	for r, i := range order[:min(tuneK, len(order))] {
		if rel[i] {
			dcg += 1 / math.Log2(float64(r)+2)
		}
	}
	for r := range min(nrel, tuneK) {
		idcg += 1 / math.Log2(float64(r)+2)
	}
	return dcg / idcg
}

// trainRanker fits LambdaMART trees on the even shoppers of samples,
// choosing the number of trees on the odd ones, and reports both the
// linear blend's and the trees' NDCG@10 on the odd ones with their
// per-shopper figures.
func trainRanker(samples []rankSample, over func() bool) (r *Ranker, linear, boosted []float64) {
	var fit, val []rankSample
	for i, rs := range samples {
		if len(rs.rel) == 0 {
			if i%2 == 1 {
				val = append(val, rs) // counts as zero for both
			}
			continue
		}
		if i%2 == 0 {
			fit = append(fit, rs)
		} else {
			val = append(val, rs)
		}
	}
	// Bin every feature by quantiles of the fitting rows.
	rows := 0
	for _, rs := range fit {
		rows += len(rs.rel)
	}
	if rows == 0 || len(val) == 0 {
		return nil, nil, nil
	}
	var cuts [numRankFeatures][]float32
	vals := make([]float32, 0, rows)
	for f := range numRankFeatures {
		vals = vals[:0]
		for _, rs := range fit {
			for p := range rs.rel {
				vals = append(vals, rs.feat[p*numRankFeatures+f])
			}
		}
		slices.Sort(vals)
		for b := 1; b < maxBins; b++ {
			v := vals[b*len(vals)/maxBins]
			if len(cuts[f]) == 0 || v > cuts[f][len(cuts[f])-1] {
				if v < vals[len(vals)-1] {
					cuts[f] = append(cuts[f], v)
				}
			}
		}
	}
	bins := make([]uint8, rows*numRankFeatures)
	start := make([]int, len(fit)+1)
	for q, rs := range fit {
		start[q+1] = start[q] + len(rs.rel)
		for p := range rs.rel {
			for f := range numRankFeatures {
				v := rs.feat[p*numRankFeatures+f]
				b, _ := slices.BinarySearch(cuts[f], v) // first cut ≥ v: v ≤ cuts[b]
				bins[(start[q]+p)*numRankFeatures+f] = uint8(b)
			}
		}
	}
	r = &Ranker{Base: rankerBase}
	fitScore := make([]float32, rows)
	for q, rs := range fit {
		for p := range rs.rel {
			fitScore[start[q]+p] = r.Base * rs.feat[p*numRankFeatures+numComponents]
		}
	}
	valScore := make([][]float32, len(val))
	for q, rs := range val {
		valScore[q] = make([]float32, len(rs.rel))
		for p := range rs.rel {
			valScore[q][p] = r.Base * rs.feat[p*numRankFeatures+numComponents]
		}
	}
	valNDCG := func() []float64 {
		out := make([]float64, len(val))
		for q, rs := range val {
			out[q] = ndcgOf(valScore[q], rs.rel, rs.nrel)
		}
		return out
	}
	linear = make([]float64, len(val))
	for q, rs := range val {
		sc := make([]float32, len(rs.rel))
		for p := range rs.rel {
			sc[p] = rs.feat[p*numRankFeatures+numComponents]
		}
		linear[q] = ndcgOf(sc, rs.rel, rs.nrel)
	}
	grad := make([]float64, rows)
	hess := make([]float64, rows)
	best, bestN := mean(valNDCG()), 0
	boosted = valNDCG()
	nodes := 1<<treeDepth - 1
	leaf := make([]int32, rows) // node of each fitting row while growing
	for it := 0; it < maxTrees && !over(); it++ {
		lambdaGradients(fit, start, fitScore, grad, hess)
		tr := RankTree{Feature: make([]int8, nodes), Threshold: make([]float32, nodes), Leaf: make([]float32, nodes+1)}
		clear(leaf)
		for node := 0; node < nodes; node++ {
			f, b, ok := bestSplit(bins, grad, hess, leaf, int32(node))
			if !ok {
				tr.Feature[node], tr.Threshold[node] = 0, float32(math.Inf(1))
			} else {
				tr.Feature[node], tr.Threshold[node] = int8(f), cuts[f][b]
			}
			for i := range leaf {
				if leaf[i] != int32(node) {
					continue
				}
				if ok && int(bins[i*numRankFeatures+f]) > b {
					leaf[i] = int32(2*node + 2)
				} else {
					leaf[i] = int32(2*node + 1)
				}
			}
		}
		var g, h [1 << treeDepth]float64
		for i, l := range leaf {
			g[int(l)-nodes] += grad[i]
			h[int(l)-nodes] += hess[i]
		}
		for k := range tr.Leaf {
			tr.Leaf[k] = float32(treeRate * g[k] / (h[k] + treeReg))
		}
		for i, l := range leaf {
			fitScore[i] += tr.Leaf[int(l)-nodes]
		}
		r.Trees = append(r.Trees, tr)
		for q, rs := range val {
			one := &Ranker{Trees: []RankTree{tr}}
			for p := range rs.rel {
				valScore[q][p] += one.predict(rs.feat[p*numRankFeatures : (p+1)*numRankFeatures])
			}
		}
		if per := valNDCG(); mean(per) > best {
			best, bestN, boosted = mean(per), len(r.Trees), per
		} else if len(r.Trees) >= bestN+30 {
			break // no gain for a while
		}
	}
	r.Trees = r.Trees[:bestN]
	r.Linear, r.Boosted, r.Users = mean(linear), mean(boosted), len(val)
	return r, linear, boosted
}

// lambdaGradients sets, for every fitting row, the LambdaMART gradient
// (positive: should move up) and its second-order weight: for each pair of
// a relevant and an irrelevant candidate of one shopper, the logistic loss
// of their order weighted by how much swapping them changes NDCG.
func lambdaGradients(fit []rankSample, start []int, score []float32, grad, hess []float64) {
	clear(grad)
	clear(hess)
	var order []int
	rank := make([]int, rerankPool)
	for q, rs := range fit {
		if rs.nrel == 0 {
			continue
		}
		off := start[q]
		n := len(rs.rel)
		order = order[:0]
		for i := range n {
			order = append(order, i)
		}
		sc := score[off : off+n]
		slices.SortStableFunc(order, func(a, b int) int {
			switch {
			case sc[a] > sc[b]:
				return -1
			case sc[a] < sc[b]:
				return 1
			}
			return 0
		})
		if cap(rank) < n {
			rank = make([]int, n)
		}
		rank = rank[:n]
		for r, i := range order {
			rank[i] = r
		}
		idcg := 0.0
		for r := range min(rs.nrel, tuneK) {
			idcg += 1 / math.Log2(float64(r)+2)
		}
		for i := range n {
			if !rs.rel[i] {
				continue
			}
			for j := range n {
				if rs.rel[j] {
					continue
				}
				delta := math.Abs(1/math.Log2(float64(rank[i])+2)-1/math.Log2(float64(rank[j])+2)) / idcg
				rho := 1 / (1 + math.Exp(float64(sc[i]-sc[j])))
				grad[off+i] += delta * rho
				grad[off+j] -= delta * rho
				hw := delta * rho * (1 - rho)
				hess[off+i] += hw
				hess[off+j] += hw
			}
		}
	}
}

// bestSplit finds the feature and bin boundary that best split the rows
// at node (Newton gain with L2 on the leaf values).
func bestSplit(bins []uint8, grad, hess []float64, leaf []int32, node int32) (feature, bin int, ok bool) {
	var g, h [numRankFeatures][maxBins + 1]float64
	var cnt [numRankFeatures][maxBins + 1]int
	var G, H float64
	var N int
	for i, l := range leaf {
		if l != node {
			continue
		}
		G += grad[i]
		H += hess[i]
		N++
		row := bins[i*numRankFeatures : (i+1)*numRankFeatures]
		for f, b := range row {
			g[f][b] += grad[i]
			h[f][b] += hess[i]
			cnt[f][b]++
		}
	}
	if N < 2*minLeafRows {
		return 0, 0, false
	}
	parent := G * G / (H + treeReg)
	bestGain := 1e-9
	for f := range numRankFeatures {
		var gl, hl float64
		var nl int
		for b := 0; b < maxBins; b++ {
			gl += g[f][b]
			hl += h[f][b]
			nl += cnt[f][b]
			if nl < minLeafRows || N-nl < minLeafRows {
				continue
			}
			gr, hr := G-gl, H-hl
			if gain := gl*gl/(hl+treeReg) + gr*gr/(hr+treeReg) - parent; gain > bestGain {
				bestGain, feature, bin, ok = gain, f, b, true
			}
		}
	}
	return feature, bin, ok
}
