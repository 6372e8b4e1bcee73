package recommender

import (
	"cmp"
	"slices"
	"sync"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
)

// factorIndex lists a factor model's items by the norm of their factors,
// largest first, with the factors copied in that order. A row of a factor
// strategy (ALS, SVD) then scores only a prefix of the catalog instead of
// all of it: an item's score v·y is at most ‖v‖·‖y‖ (Cauchy–Schwarz), so
// once the row's best allowed items found so far all score above ‖v‖ times
// the largest norm not yet scored, no item further down can enter the row.
// The row is exactly the one scoring the whole catalog gives (same items,
// same order, ties by index); the index only decides where scoring stops.
type factorIndex struct {
	k     int
	order []int32   // item indexes, largest norm first (ties by index)
	norm  []float32 // their norms, in that order
	f     []float32 // their factors, in that order (items × k)
}

// factorIndexOnce builds a model's factor index on first use (models that
// never serve a factor row do not hold the copy).
type factorIndexOnce struct {
	once sync.Once
	x    *factorIndex
}

func (o *factorIndexOnce) get(itemF []float32, k int) *factorIndex {
	o.once.Do(func() { o.x = newFactorIndex(itemF, k) })
	return o.x
}

func newFactorIndex(itemF []float32, k int) *factorIndex {
	if k <= 0 || len(itemF) < k {
		return nil
	}
	n := len(itemF) / k
	norms := make([]float32, n)
	order := make([]int32, n)
	for j := range n {
		norms[j] = norm32(itemF[j*k : (j+1)*k])
		order[j] = int32(j)
	}
	slices.SortFunc(order, func(a, b int32) int {
		if c := cmp.Compare(norms[b], norms[a]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	x := &factorIndex{k: k, order: order, norm: make([]float32, n), f: make([]float32, n*k)}
	for p, j := range order {
		x.norm[p] = norms[j]
		copy(x.f[p*k:(p+1)*k], itemF[int(j)*k:int(j+1)*k])
	}
	return x
}

// scanBlock is how many items of the index are scored at a time (one
// matrix–vector product) between two checks of the bound.
const scanBlock = 256

// scanSlack widens the Cauchy–Schwarz bound by far more than the float32
// rounding of a 64–128-term dot product and of the norms, so rounding can
// never stop a scan before an item that belongs in the row.
const scanSlack = 1e-4

// factorScan is one request's lazy scoring of a factor row (see
// factorIndex): score sets it up, selectTop extends it until the best k
// allowed items are settled.
type factorScan struct {
	x     *factorIndex
	v     []float32 // the shopper's factors
	normV float32
	src   source
	at    int // items of x.order scored so far
	buf   []float32
	heap  topN
}

// startScan prepares a lazy factor row for v. Items the request boosts are
// scored at once (a boost can lift an item above the bound of its norm);
// the rest are scored by scanFactors as selectTop needs them.
func (m *Model) startScan(s *scratch, req Request, x *factorIndex, v []float32, src source) {
	sc := &s.scan
	sc.x, sc.v, sc.normV, sc.src, sc.at = x, v, norm32(v), src, 0
	s.scored, s.tracking = s.scored[:0], true
	for id := range req.Boosts {
		j, ok := m.cat.index[id]
		if !ok || s.src[j] != srcNone {
			continue
		}
		s.score[j], s.src[j] = dot32(v, itemFactors(m, src, j)), src
		s.scored = append(s.scored, j)
	}
	s.scanning = true
}

// itemFactors returns item j's factors of the model behind src.
func itemFactors(m *Model, src source, j int32) []float32 {
	if src == srcSVD {
		return m.svd.item(j)
	}
	return m.als.item(j)
}

// scanFactors scores items of the request's factor index, largest norm
// first, until every item that could be among the best k allowed by f is
// scored and listed in s.scored (or the catalog is exhausted).
func (m *Model) scanFactors(s *scratch, f *filter, k int) {
	sc := &s.scan
	x := sc.x
	n := len(x.order)
	if sc.at >= n {
		return
	}
	h := &sc.heap
	h.reset(k)
	for _, j := range s.scored {
		if f.allowed(j) {
			h.push(s.score[j], j)
		}
	}
	kf := x.k
	v := blas32.Vector{N: kf, Data: sc.v, Inc: 1}
	sc.buf = resize(sc.buf, scanBlock)
	for sc.at < n {
		if h.full() && sc.normV*x.norm[sc.at]*(1+scanSlack) < h.score[0] {
			return
		}
		lo, hi := sc.at, min(sc.at+scanBlock, n)
		F := blas32.General{Rows: hi - lo, Cols: kf, Stride: kf, Data: x.f[lo*kf : hi*kf]}
		blas32.Gemv(blas.NoTrans, 1, F, v, 0, blas32.Vector{N: hi - lo, Data: sc.buf, Inc: 1})
		for p, j := range x.order[lo:hi] {
			if s.src[j] != srcNone { // scored already (a boosted item)
				continue
			}
			score := sc.buf[p]
			s.score[j], s.src[j] = score, sc.src
			s.scored = append(s.scored, j)
			if f.allowed(j) {
				h.push(score, j)
			}
		}
		sc.at = hi
	}
}

// popBlock holds one factor model's factors of the fallbackCandidates most
// popular items in one contiguous block, in index order (the order a
// subset is scored in). A shopper without a candidate list in a large
// catalog is scored on those items (plus what their history reaches):
// with the block their factor scores are one matrix–vector product over
// memory that stays cached between requests, instead of rows read from
// all over the factor matrix.
type popBlock struct {
	items []int32 // pop.popOrder's prefix, in index order
	f     []float32
}

type popBlockOnce struct {
	once sync.Once
	b    *popBlock
}

func (o *popBlockOnce) get(items []int32, itemF []float32, k int) *popBlock {
	o.once.Do(func() {
		b := &popBlock{items: slices.Sorted(slices.Values(items)), f: make([]float32, len(items)*k)}
		for p, j := range b.items {
			copy(b.f[p*k:(p+1)*k], itemF[int(j)*k:int(j+1)*k])
		}
		o.b = b
	})
	return o.b
}

// fallbackSubset is what a shopper without a candidate list is scored on
// in a catalog above fullScanItems (see candidateSubset).
func (m *Model) fallbackSubset() []int32 {
	return m.pop.popOrder[:min(fallbackCandidates, len(m.pop.popOrder))]
}

// isFallback reports whether cands is the fallback subset itself.
func (m *Model) isFallback(cands []int32) bool {
	fb := m.fallbackSubset()
	return len(cands) > 0 && len(cands) == len(fb) && &cands[0] == &fb[0]
}
