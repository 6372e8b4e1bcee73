package recommender

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"

	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/mat"
)

// svdModel is a truncated SVD R ≈ U Σ Vᵀ of the weighted interaction matrix
// (PureSVD, Cremonesi et al. 2010). Item factors are V; user factors are
// U Σ = R V, so a shopper with new events folds in as r·V and scores r·V·Vᵀ.
type svdModel struct {
	k     int
	userF []float32 // users × k = R·V
	itemF []float32 // items × k = V
	sigma []float64
}

func (m *svdModel) enabled() bool { return m.k > 0 }

func (m *svdModel) item(i int32) []float32 { return m.itemF[int(i)*m.k : int(i+1)*m.k] }

// trainSVD computes a randomized truncated SVD (Halko, Martinsson, Tropp
// 2011) in the items' space: a Gaussian sketch of the item side refined by
// power iterations of RᵀR, each product orthonormalized, then the
// Rayleigh–Ritz step on the small projected Gram matrix Qᵀ RᵀR Q with gonum.
// RᵀR Q is streamed shopper by shopper (rᵤ·(rᵤQ) summed over the users), so
// nothing users × l is ever held: a shop of a million visitors trains in the
// memory of its catalog. A dense SVD of the full users×items matrix would not
// fit in memory at shop scale.
//
// The user rows r·V are computed only for the users rowOf gives a row (all,
// in order, when rowOf is nil); the others' are derived when served.
func trainSVD(ctx context.Context, ui *csr, cfg SVDConfig, workers int, rowOf []int32, rows int) (svdModel, error) {
	l := min(cfg.Rank+cfg.Oversample, ui.rows, ui.cols)
	if l <= 0 || ui.nnz() == 0 {
		return svdModel{}, nil
	}
	rng := rand.New(rand.NewPCG(uint64(cfg.Seed), 0x5bd))
	q := mat.NewDense(ui.cols, l, nil)
	for i := range ui.cols {
		for j := range l {
			q.Set(i, j, rng.NormFloat64())
		}
	}
	// range((RᵀR)^(p+1) Ω) is the range of Rᵀ(RRᵀ)^p R Ω, what the
	// user-side sketch with p power iterations spans.
	for range cfg.PowerIters + 1 {
		if err := ctx.Err(); err != nil {
			return svdModel{}, fmt.Errorf("recommender: train SVD: %w", err)
		}
		q = orthonormalize(gramMul(ui, q, workers), workers)
	}
	// Rayleigh–Ritz: the eigenvectors W of Qᵀ RᵀR Q give V = Q·W and the
	// eigenvalues the squared singular values.
	var small mat.Dense
	small.Mul(q.T(), gramMul(ui, q, workers))
	_, c := q.Dims()
	sym := mat.NewSymDense(c, nil)
	for i := range c {
		for j := i; j < c; j++ {
			sym.SetSym(i, j, (small.At(i, j)+small.At(j, i))/2)
		}
	}
	var eig mat.EigenSym
	if ok := eig.Factorize(sym, true); !ok {
		return svdModel{}, fmt.Errorf("recommender: train SVD: factorization did not converge")
	}
	ev := eig.Values(nil)
	var w mat.Dense
	eig.VectorsTo(&w)
	values := make([]float64, 0, c)
	var cols []int
	for j := c - 1; j >= 0; j-- { // eigenvalues ascend: the largest first
		values = append(values, math.Sqrt(max(ev[j], 0)))
		cols = append(cols, j)
	}
	k := 0
	// Squared values carry the products' rounding at 1e-16 of the top one:
	// a singular value under 1e-7 of the top is noise.
	for k < min(cfg.Rank, len(values)) && values[k] > 1e-7*values[0] {
		k++
	}
	if k == 0 {
		return svdModel{}, nil
	}
	wk := mat.NewDense(c, k, nil)
	for t := range k {
		for i := range c {
			wk.Set(i, t, w.At(i, cols[t]))
		}
	}
	var v mat.Dense
	v.Mul(q, wk)
	m := svdModel{k: k, sigma: values[:k], itemF: make([]float32, ui.cols*k)}
	for i := range ui.cols {
		for j := range k {
			m.itemF[i*k+j] = float32(v.At(i, j))
		}
	}
	if rowOf == nil {
		rows = ui.rows
	}
	m.userF = make([]float32, rows*k)
	parallelRange(ui.rows, workers, func(next func() (int, int, bool)) {
		for {
			lo, hi, ok := next()
			if !ok {
				return
			}
			for u := lo; u < hi; u++ {
				r := u
				if rowOf != nil {
					if r = int(rowOf[u]); r < 0 {
						continue
					}
				}
				items, vals := ui.row(u)
				dst := m.userF[r*k : (r+1)*k]
				for n, it := range items {
					axpy32(vals[n], m.item(it), dst)
				}
			}
		}
	})
	return m, nil
}

// gramAccumBytes bounds the partial sums gramMul keeps (one items × l
// block per part of the users).
const gramAccumBytes = 256 << 20

// gramMul returns RᵀR·D for the users × items csr R and a dense items × c
// D, streamed over the users: each user's (r·D) is added back along its own
// row, so only items × c blocks are held. The users are cut into fixed
// parts, one partial sum each, summed in order: the result does not depend
// on the scheduling.
func gramMul(a *csr, d *mat.Dense, workers int) *mat.Dense {
	_, c := d.Dims()
	draw := d.RawMatrix()
	parts := max(1, min(workerCount(workers), gramAccumBytes/max(a.cols*c*8, 1), a.rows))
	sums := make([]*mat.Dense, parts)
	var wg sync.WaitGroup
	for p := range parts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out := mat.NewDense(a.cols, c, nil)
			raw := out.RawMatrix()
			z := make([]float64, c)
			for r := p * a.rows / parts; r < (p+1)*a.rows/parts; r++ {
				cols, vals := a.row(r)
				if len(cols) == 0 {
					continue
				}
				clear(z)
				for n, j := range cols {
					src := draw.Data[int(j)*draw.Stride : int(j)*draw.Stride+c]
					w := float64(vals[n])
					for t, v := range src {
						z[t] += w * v
					}
				}
				for n, j := range cols {
					dst := raw.Data[int(j)*raw.Stride : int(j)*raw.Stride+c]
					w := float64(vals[n])
					for t, v := range z {
						dst[t] += w * v
					}
				}
			}
			sums[p] = out
		}()
	}
	wg.Wait()
	for _, s := range sums[1:] {
		sums[0].Add(sums[0], s)
	}
	return sums[0]
}

// gramOf returns YᵀY, the row blocks' rank-k updates computed on the
// workers and summed (gonum's symmetric rank-k update runs on one core).
func gramOf(y *mat.Dense, workers int) *mat.SymDense {
	r, c := y.Dims()
	blocks := max(1, min(workerCount(workers), r/1024))
	parts := make([]*mat.SymDense, blocks)
	parallelRange(blocks, blocks, func(next func() (int, int, bool)) {
		for {
			lo, hi, ok := next()
			if !ok {
				return
			}
			for b := lo; b < hi; b++ {
				g := mat.NewSymDense(c, nil)
				g.SymOuterK(1, y.Slice(b*r/blocks, (b+1)*r/blocks, 0, c).T())
				parts[b] = g
			}
		}
	})
	g := parts[0]
	for _, p := range parts[1:] {
		g.AddSym(g, p)
	}
	return g
}

// orthonormalize returns an orthonormal basis of y's column space. It uses the
// eigen-decomposition of the small Gram matrix (Q = Y·V·Λ^-½, twice for
// accuracy) because gonum's QR only yields the full square Q, and it drops
// directions with negligible energy instead of failing on rank deficiency.
func orthonormalize(y *mat.Dense, workers int) *mat.Dense {
	for range 2 {
		_, c := y.Dims()
		g := gramOf(y, workers)
		var eig mat.EigenSym
		if ok := eig.Factorize(g, true); !ok {
			return y
		}
		vals := eig.Values(nil)
		var vecs mat.Dense
		eig.VectorsTo(&vecs)
		top := vals[c-1]
		var keep []int
		for j := c - 1; j >= 0; j-- { // eigenvalues ascend; keep the largest first
			if vals[j] > 1e-12*top && vals[j] > 0 {
				keep = append(keep, j)
			}
		}
		if len(keep) == 0 {
			return y
		}
		w := mat.NewDense(c, len(keep), nil)
		for t, j := range keep {
			s := 1 / math.Sqrt(vals[j])
			for i := range c {
				w.Set(i, t, vecs.At(i, j)*s)
			}
		}
		var q mat.Dense
		q.Mul(y, w)
		y = &q
	}
	return y
}

func axpy32(a float32, x, y []float32) {
	y = y[:len(x)]
	for i, v := range x {
		y[i] += a * v
	}
}

func dot32(x, y []float32) float32 {
	y = y[:len(x)]
	if len(x) >= 16 {
		// gonum's assembly kernel: about twice the loop below at 64 factors.
		return blas32.Dot(blas32.Vector{N: len(x), Inc: 1, Data: x}, blas32.Vector{N: len(x), Inc: 1, Data: y})
	}
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(x); i += 4 {
		s0 += x[i] * y[i]
		s1 += x[i+1] * y[i+1]
		s2 += x[i+2] * y[i+2]
		s3 += x[i+3] * y[i+3]
	}
	for ; i < len(x); i++ {
		s0 += x[i] * y[i]
	}
	return s0 + s1 + s2 + s3
}
