package recommender

import (
	"fmt"
	"sync"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/mat"
)

// A shopper without a factor row of their own (fewer than
// factorRowMinItems products, factorrows.go) is not given one in training
// either: on a shop of a million visitors those rows were 358 MB of the
// training's memory, kept only to be dropped. Their factors in a sweep are
// the exact solution against the item factors of that sweep, and for a
// history of n products that solution is a combination of n known rows:
//
//	x_u = (G + Y_uᵀ D Y_u)⁻¹ Y_uᵀ c = Z_uᵀ β_u,   Z = Y G⁻¹,
//	β_u = c − (I + D S)⁻¹ D S c,                 S = Y_u Z_uᵀ (n × n),
//
// with G = YᵀY + λI, c the confidences of their products and D = diag(c−1)
// (Woodbury's identity). So a sweep keeps n numbers per such shopper
// (β, one per interaction) and Z (items × k), and each x_u is rebuilt
// where the item sweep and the users' Gram matrix need it.

// shortUsers holds, for one ALS training, the shoppers solved without a
// row: rowOf maps a user to their row of the user factors (-1: none),
// beta their coefficients (per entry of ui) and z the items' Y G⁻¹ of the
// current sweep.
type shortUsers struct {
	ui    *csr
	rowOf []int32
	k     int
	beta  []float32
	z     []float32
}

func newShortUsers(ui *csr, rowOf []int32, k, items int) *shortUsers {
	return &shortUsers{ui: ui, rowOf: rowOf, k: k, beta: make([]float32, len(ui.data)), z: make([]float32, items*k)}
}

// factors writes user u's factors, Z_uᵀ β_u, into dst (k).
func (s *shortUsers) factors(dst []float32, u int32) {
	clear(dst)
	lo, hi := s.ui.indptr[u], s.ui.indptr[u+1]
	for x := lo; x < hi; x++ {
		b := s.beta[x]
		z := s.z[int(s.ui.indices[x])*s.k : int(s.ui.indices[x]+1)*s.k]
		for j, v := range z {
			dst[j] += b * v
		}
	}
}

// gather is the item sweep's source of user rows: a shopper's own row of
// userF, or the factors rebuilt from β.
func (s *shortUsers) gather(userF []float32) func(dst []float32, u int32) {
	k := s.k
	return func(dst []float32, u int32) {
		if r := s.rowOf[u]; r >= 0 {
			copy(dst, userF[int(r)*k:int(r+1)*k])
			return
		}
		s.factors(dst, u)
	}
}

// userSweep updates every user given the item factors y and gram = YᵀY +
// λI: the shoppers with a row by conjugate gradient as cgSweep does, the
// others exactly, as β. It sets z to Y G⁻¹ first.
func (s *shortUsers) userSweep(userF, y, gram []float32, alpha float32, steps, workers int) error {
	k := s.k
	ginv, err := invertGram(gram, k)
	if err != nil {
		return err
	}
	if rows := len(y) / k; rows > 0 {
		blas32.Gemm(blas.NoTrans, blas.NoTrans, 1,
			blas32.General{Rows: rows, Cols: k, Stride: k, Data: y},
			blas32.General{Rows: k, Cols: k, Stride: k, Data: ginv},
			0, blas32.General{Rows: rows, Cols: k, Stride: k, Data: s.z})
	}
	G := blas32.General{Rows: k, Cols: k, Stride: k, Data: gram}
	parallelRange(s.ui.rows, workers, func(next func() (int, int, bool)) {
		cg := newCGScratch(k)
		var w shortScratch
		for {
			lo, hi, ok := next()
			if !ok {
				return
			}
			for u := lo; u < hi; u++ {
				items, vals := s.ui.row(u)
				if r := s.rowOf[u]; r >= 0 {
					cgSolveRow(userF[int(r)*k:int(r+1)*k], y, G, items, vals, k, alpha, steps, 0, cg)
					continue
				}
				w.solve(s.beta[s.ui.indptr[u]:s.ui.indptr[u+1]], y, s.z, k, alpha, items, vals)
			}
		}
	})
	return nil
}

// gram sets g = XᵀX + reg·I over every user: the rows of userF and the
// others' factors rebuilt from β, a block at a time.
func (s *shortUsers) gram(g, userF []float32, reg float32, workers int) {
	k := s.k
	gramInto(g, userF, k, reg)
	const block = 256
	var mu sync.Mutex
	parallelRange(s.ui.rows, workers, func(next func() (int, int, bool)) {
		part := make([]float32, k*k)
		buf := make([]float32, block*k)
		n := 0
		flush := func() {
			if n == 0 {
				return
			}
			B := blas32.General{Rows: n, Cols: k, Stride: k, Data: buf[:n*k]}
			blas32.Gemm(blas.Trans, blas.NoTrans, 1, B, B, 1, blas32.General{Rows: k, Cols: k, Stride: k, Data: part})
			n = 0
		}
		for {
			lo, hi, ok := next()
			if !ok {
				break
			}
			for u := lo; u < hi; u++ {
				if s.rowOf[u] >= 0 {
					continue
				}
				s.factors(buf[n*k:(n+1)*k], int32(u))
				if n++; n == block {
					flush()
				}
			}
		}
		flush()
		mu.Lock()
		for i, v := range part {
			g[i] += v
		}
		mu.Unlock()
	})
}

// invertGram returns G⁻¹ of the symmetric positive definite k×k gram.
func invertGram(gram []float32, k int) ([]float32, error) {
	a := mat.NewSymDense(k, nil)
	for i := 0; i < k; i++ {
		for j := i; j < k; j++ {
			a.SetSym(i, j, float64(gram[i*k+j]))
		}
	}
	var ch mat.Cholesky
	if ok := ch.Factorize(a); !ok {
		return nil, fmt.Errorf("recommender: train ALS: the items' Gram matrix is not positive definite")
	}
	var inv mat.SymDense
	if err := ch.InverseTo(&inv); err != nil {
		return nil, fmt.Errorf("recommender: train ALS: %w", err)
	}
	out := make([]float32, k*k)
	for i := 0; i < k; i++ {
		for j := 0; j < k; j++ {
			out[i*k+j] = float32(inv.At(i, j))
		}
	}
	return out, nil
}

// shortScratch is one worker's buffers for solve.
type shortScratch struct {
	m, rhs, c []float64
}

// solve sets beta (n) to β = c − (I + D S)⁻¹ D S c for one shopper's n
// products, S_ab = y_a·z_b, by Gaussian elimination with partial pivoting
// (I + D S is similar to the positive definite I + D^½ S D^½).
func (w *shortScratch) solve(beta, y, z []float32, k int, alpha float32, items []int32, vals []float32) {
	n := len(items)
	if cap(w.m) < n*n {
		w.m, w.rhs, w.c = make([]float64, n*n), make([]float64, n), make([]float64, n)
	}
	m, rhs, c := w.m[:n*n], w.rhs[:n], w.c[:n]
	for a := range n {
		c[a] = 1 + float64(alpha)*float64(vals[a])
	}
	// m = I + D S, rhs = D S c.
	for a, ia := range items {
		ya := y[int(ia)*k : int(ia+1)*k]
		d := c[a] - 1
		var sc float64
		for b, ib := range items {
			zb := z[int(ib)*k : int(ib+1)*k]
			var dot float32
			for j, v := range ya {
				dot += v * zb[j]
			}
			m[a*n+b] = d * float64(dot)
			sc += float64(dot) * c[b]
		}
		m[a*n+a]++
		rhs[a] = d * sc
	}
	for col := range n {
		p := col
		for r := col + 1; r < n; r++ {
			if abs64(m[r*n+col]) > abs64(m[p*n+col]) {
				p = r
			}
		}
		if p != col {
			for j := range n {
				m[col*n+j], m[p*n+j] = m[p*n+j], m[col*n+j]
			}
			rhs[col], rhs[p] = rhs[p], rhs[col]
		}
		piv := m[col*n+col]
		for r := col + 1; r < n; r++ {
			f := m[r*n+col] / piv
			if f == 0 {
				continue
			}
			for j := col; j < n; j++ {
				m[r*n+j] -= f * m[col*n+j]
			}
			rhs[r] -= f * rhs[col]
		}
	}
	for r := n - 1; r >= 0; r-- {
		v := rhs[r]
		for j := r + 1; j < n; j++ {
			v -= m[r*n+j] * rhs[j]
		}
		rhs[r] = v / m[r*n+r]
	}
	for a := range n {
		beta[a] = float32(c[a] - rhs[a])
	}
}

func abs64(v float64) float64 {
	if v < 0 {
		return -v
	}
	return v
}
