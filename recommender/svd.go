package recommender

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

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
// 2011): a Gaussian sketch of R's range refined by power iterations, then the
// exact SVD of the small projected matrix with gonum. A dense SVD of the full
// users×items matrix would not fit in memory at shop scale.
func trainSVD(ctx context.Context, ui, iu *csr, cfg SVDConfig, workers int) (svdModel, error) {
	l := min(cfg.Rank+cfg.Oversample, ui.rows, ui.cols)
	if l <= 0 || ui.nnz() == 0 {
		return svdModel{}, nil
	}
	rng := rand.New(rand.NewPCG(uint64(cfg.Seed), 0x5bd))
	omega := mat.NewDense(ui.cols, l, nil)
	for i := range ui.cols {
		for j := range l {
			omega.Set(i, j, rng.NormFloat64())
		}
	}
	q := orthonormalize(sparseMul(ui, omega, workers), workers)
	for range cfg.PowerIters {
		if err := ctx.Err(); err != nil {
			return svdModel{}, fmt.Errorf("recommender: train SVD: %w", err)
		}
		z := orthonormalize(sparseMul(iu, q, workers), workers)
		q = orthonormalize(sparseMul(ui, z, workers), workers)
	}
	// Rᵀ Q = (Qᵀ R)ᵀ is items × l; its left singular vectors are R's right ones.
	bt := sparseMul(iu, q, workers)
	var svd mat.SVD
	if ok := svd.Factorize(bt, mat.SVDThin); !ok {
		return svdModel{}, fmt.Errorf("recommender: train SVD: factorization did not converge")
	}
	values := svd.Values(nil)
	k := 0
	for k < min(cfg.Rank, len(values)) && values[k] > 1e-9*values[0] {
		k++
	}
	if k == 0 {
		return svdModel{}, nil
	}
	var u mat.Dense
	svd.UTo(&u)
	v := u.Slice(0, ui.cols, 0, k)
	m := svdModel{k: k, sigma: values[:k], itemF: make([]float32, ui.cols*k)}
	for i := range ui.cols {
		for j := range k {
			m.itemF[i*k+j] = float32(v.At(i, j))
		}
	}
	m.userF = make([]float32, ui.rows*k)
	parallelRange(ui.rows, workers, func(next func() (int, int, bool)) {
		for {
			lo, hi, ok := next()
			if !ok {
				return
			}
			for u := lo; u < hi; u++ {
				items, vals := ui.row(u)
				dst := m.userF[u*k : (u+1)*k]
				for n, it := range items {
					axpy32(vals[n], m.item(it), dst)
				}
			}
		}
	})
	return m, nil
}

// sparseMul returns A·D for a csr A and a dense D, rows split over the
// workers.
func sparseMul(a *csr, d *mat.Dense, workers int) *mat.Dense {
	_, c := d.Dims()
	out := mat.NewDense(a.rows, c, nil)
	raw, draw := out.RawMatrix(), d.RawMatrix()
	parallelRange(a.rows, workers, func(next func() (int, int, bool)) {
		for {
			lo, hi, ok := next()
			if !ok {
				return
			}
			for r := lo; r < hi; r++ {
				dst := raw.Data[r*raw.Stride : r*raw.Stride+c]
				cols, vals := a.row(r)
				for n, j := range cols {
					src := draw.Data[int(j)*draw.Stride : int(j)*draw.Stride+c]
					w := float64(vals[n])
					for t, v := range src {
						dst[t] += w * v
					}
				}
			}
		}
	})
	return out
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
