package recommender

import (
	"math"
	"sync"
	"sync/atomic"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
)

// A hybrid row on a large catalog scores a subset of a few thousand
// products (hybridSubset), most of them at scattered places in the
// catalog. Read part by part, every product costs a wait for memory per
// array: its ALS factors, its words, its category, its popularity share,
// its trend, its freshness. itemRecs lays each product's serving data out
// in one record instead (its ALS factors, then the rest), so one product
// costs one trip to memory, and the subset's parts are scored in one
// pass (subsetPass) into dense arrays, one value per position of s.sub.
// The blends then read those arrays in the order and with the arithmetic
// they always had: the row is the same, bit for bit.

// Record layout after the k ALS factors (float32 each; integers stored
// by their bits).
const (
	recPopShare  = iota // the taste model's popShare (0 without it)
	recLeaf             // leaf category, int32 bits
	recRoot             // department (root category), int32 bits
	recFresh            // freshness
	recTrend            // trending score
	recWordCount        // the taste model's words of the product; more than recWords: read from itemTerms
	recWordsAt          // recWords word ids, int32 bits
)

// recWords is how many of a product's words its record holds; a product
// with more (after the neutral words are dropped: 9 on average on the
// large bench world, at most 12) is read from the taste model's rows.
const recWords = 10

// itemRecs is the records of every product, built on the first hybrid
// row scored on a subset; block holds the fallback subset's records
// (the popular products, in index order) contiguously.
type itemRecs struct {
	k, stride int
	data      []float32
	block     []float32 // records of blockItems, one after another
	blockIdx  []int32   // the fallback subset in index order
}

type itemRecsOnce struct {
	once  sync.Once
	built atomic.Bool // r is set (after once)
	r     *itemRecs
}

// wantsRecords reports whether this model's hybrid rows are scored on
// subsets from the products' records: shoppers with candidate lists, or
// a catalog above fullScanItems.
func (m *Model) wantsRecords() bool {
	return m.recsUsable() && (len(m.cat.items) > fullScanItems || len(m.cands.items) > 0)
}

// recsUsable reports whether the records can score this model's subsets:
// ALS is trained and the per-product arrays they copy are whole.
func (m *Model) recsUsable() bool {
	n := len(m.cat.items)
	return m.als.enabled() && len(m.fresh) == n && len(m.pop.trend) == n && len(m.cat.rootCat) == n
}

func (m *Model) itemRecords() *itemRecs {
	m.recs.once.Do(func() {
		m.recs.r = m.buildItemRecs()
		m.recs.built.Store(true)
	})
	return m.recs.r
}

func (m *Model) buildItemRecs() *itemRecs {
	n, k := len(m.cat.items), m.als.k
	stride := (k + recWordsAt + recWords + 15) / 16 * 16 // whole cache lines
	r := &itemRecs{k: k, stride: stride, data: make([]float32, n*stride)}
	var t *termModel
	if m.text != nil {
		t = m.text.get(m)
	}
	bits := func(v int32) float32 { return math.Float32frombits(uint32(v)) }
	for j := range n {
		rec := r.data[j*stride : (j+1)*stride]
		copy(rec, m.als.itemF[j*k:(j+1)*k])
		x := rec[k:]
		x[recLeaf] = bits(m.cat.leafCat[j])
		x[recRoot] = bits(m.cat.rootCat[j])
		x[recFresh] = m.fresh[j]
		x[recTrend] = m.pop.trend[j]
		if t != nil {
			x[recPopShare] = t.popShare[j]
			words, _ := t.itemTerms.row(j)
			x[recWordCount] = bits(int32(len(words)))
			if len(words) <= recWords {
				for w, id := range words {
					x[recWordsAt+w] = bits(id)
				}
			}
		}
	}
	fb := m.fallbackSubset()
	r.blockIdx = make([]int32, 0, len(fb))
	var inFB []bool
	if len(fb) > 0 {
		inFB = make([]bool, n)
		for _, j := range fb {
			inFB[j] = true
		}
	}
	for j := range n {
		if inFB != nil && inFB[j] {
			r.blockIdx = append(r.blockIdx, int32(j))
			r.block = append(r.block, r.data[j*stride:(j+1)*stride]...)
		}
	}
	return r
}

// subsetParts are the parts subsetPass scores, each into its dense array.
type subsetParts struct {
	als, terms, trend, fresh bool
}

// subsetPass scores the products of s.sub from their records: ALS
// (v·factors) into s.subALS, the taste model into s.subTerms, the trend
// into s.subTrend and the shopper's freshness (freshFor) into s.subFresh,
// each per position of s.sub, for the parts asked. fallback says s.sub
// holds the fallback subset, whose records are read from their block
// (the ALS scores of the block by one matrix–vector product). The taste
// model's history summary must be prepared (termPrepare) when terms is
// asked, with its prior and share given.
func (m *Model) subsetPass(s *scratch, r *itemRecs, v []float32, parts subsetParts, fallback bool, t *termModel, prior, share float32) {
	ns := len(s.sub)
	s.subALS = growF32(s.subALS, ns)
	s.subTerms = growF32(s.subTerms, ns)
	s.subTrend = growF32(s.subTrend, ns)
	s.subFresh = growF32(s.subFresh, ns)
	k, stride := r.k, r.stride
	var block []int32
	if fallback {
		block = r.blockIdx
		if parts.als {
			s.blockBuf = growF32(s.blockBuf, len(block))
			F := blas32.General{Rows: len(block), Cols: k, Stride: stride, Data: r.block}
			blas32.Gemv(blas.NoTrans, 1, F, blas32.Vector{N: k, Data: v, Inc: 1}, 0, blas32.Vector{N: len(block), Data: s.blockBuf, Inc: 1})
		}
	}
	// The records outside the block are fetched recChunk at a time (a loop
	// of independent reads keeps many of them on their way from memory at
	// once), each chunk just before it is scored, from cache.
	far := s.far[:0]
	q := 0
	for _, j := range s.sub {
		if q < len(block) && block[q] == j {
			q++
			continue
		}
		far = append(far, j)
	}
	s.far = far
	fi := 0
	shares := parts.fresh && m.deptShares(s) // else every launch counts in full
	q = 0
	for p, j := range s.sub {
		var rec []float32
		if q < len(block) && block[q] == j {
			rec = r.block[q*stride : (q+1)*stride]
			if parts.als {
				s.subALS[p] = s.blockBuf[q]
			}
			q++
		} else {
			if fi%recChunk == 0 {
				touchRecords(s, r.data, stride, far[fi:min(fi+recChunk, len(far))])
			}
			fi++
			rec = r.data[int(j)*stride : int(j+1)*stride]
			if parts.als {
				s.subALS[p] = dot32(v, rec[:k])
			}
		}
		x := rec[k:stride]
		if parts.trend {
			s.subTrend[p] = x[recTrend]
		}
		if parts.fresh {
			// freshFor from the record.
			f := x[recFresh]
			if shares && f != 0 {
				f *= s.deptShare(int32(math.Float32bits(x[recRoot])), int32(math.Float32bits(x[recLeaf])))
			}
			s.subFresh[p] = f
		}
		if parts.terms {
			s.subTerms[p] = t.scoreRecord(s, j, x, prior, share)
		}
	}
}

// scoreRecord is score for item j read from its record's tail x.
func (t *termModel) scoreRecord(s *scratch, j int32, x []float32, prior, share float32) float32 {
	c := int32(math.Float32bits(x[recLeaf]))
	if c < 0 {
		return 0
	}
	v := (s.termCat[c]*share + prior*t.catPrior[c]) * x[recPopShare]
	nw := int(math.Float32bits(x[recWordCount]))
	if nw > recWords {
		lo, hi := t.itemTerms.indptr[j], t.itemTerms.indptr[j+1]
		for _, id := range t.itemTerms.indices[lo:hi] {
			v *= s.termLift[id]
		}
		return v
	}
	for _, w := range x[recWordsAt : recWordsAt+nw] {
		v *= s.termLift[math.Float32bits(w)]
	}
	return v
}

// recChunk is how many records outside the block subsetPass fetches
// ahead at a time: all of them at once (before any is scored) left the
// first ones evicted from the core's cache by the time they were scored
// (-5 % CPU per row against fetching them all first, in-process A/B on
// the large bench world; chunks of 16 to 512 did alike).
const recChunk = 64

// touchRecords reads one value of every cache line of the records of
// items and keeps their sum in s.sink, so that the reads are not
// optimised away.
func touchRecords(s *scratch, data []float32, stride int, items []int32) {
	var sum float32
	for _, j := range items {
		rec := data[int(j)*stride : int(j+1)*stride]
		for t := 0; t < len(rec); t += 16 {
			sum += rec[t]
		}
	}
	s.sink += sum
}

// growF32 returns x with length n, its contents undefined.
func growF32(x []float32, n int) []float32 {
	if cap(x) < n {
		return make([]float32, n)
	}
	return x[:n]
}
