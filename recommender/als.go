package recommender

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/mat"
)

// alsModel is implicit-feedback matrix factorisation (Hu, Koren, Volinsky
// 2008): minimise Σ c_ui (p_ui − x_u·y_i)² + λ(‖X‖² + ‖Y‖²) with preference
// p_ui = 1 for observed pairs and confidence c_ui = 1 + α·r_ui.
type alsModel struct {
	k          int
	alpha, reg float32
	userF      []float32 // users × k, row-major
	itemF      []float32 // items × k, row-major
	gram       []float64 // YᵀY + λI (k×k), kept for exact fold-in solves
}

func (m *alsModel) enabled() bool { return m.k > 0 }

func (m *alsModel) item(i int32) []float32 { return m.itemF[int(i)*m.k : int(i+1)*m.k] }

// trainALS alternates user and item sweeps. Each row is solved with a few
// conjugate-gradient steps warm-started from its previous factors (the trick
// that makes the `implicit` library fast): the Gram matrix YᵀY is shared per
// sweep and the per-row correction Yᵀ(C_u−I)Y is never formed.
func trainALS(ctx context.Context, ui, iu *csr, cfg ALSConfig, workers int) (alsModel, error) {
	k := cfg.Factors
	// Confidence is 1 + α·r/r̄: strengths are scaled by their mean so α
	// means the same whatever the event type weights and decay produce.
	var sum float64
	for _, v := range ui.data {
		sum += float64(v)
	}
	alpha := cfg.Alpha
	if sum > 0 {
		alpha *= float64(len(ui.data)) / sum
	}
	m := alsModel{k: k, alpha: float32(alpha), reg: float32(cfg.Reg)}
	rng := rand.New(rand.NewPCG(uint64(cfg.Seed), 0x5eed))
	m.userF = randomFactors(rng, ui.rows, k)
	m.itemF = randomFactors(rng, ui.cols, k)
	gram := make([]float32, k*k)
	for it := 0; it < cfg.Iterations; it++ {
		if err := ctx.Err(); err != nil {
			return alsModel{}, fmt.Errorf("recommender: train ALS: %w", err)
		}
		gramInto(gram, m.itemF, k, m.reg)
		cgSweep(m.userF, m.itemF, gram, ui, k, m.alpha, cfg.CGSteps, workers)
		gramInto(gram, m.userF, k, m.reg)
		cgSweep(m.itemF, m.userF, gram, iu, k, m.alpha, cfg.CGSteps, workers)
	}
	gramInto(gram, m.itemF, k, m.reg)
	m.gram = make([]float64, k*k)
	for i, v := range gram {
		m.gram[i] = float64(v)
	}
	return m, nil
}

func randomFactors(rng *rand.Rand, rows, k int) []float32 {
	f := make([]float32, rows*k)
	for i := range f {
		f[i] = rng.Float32() * 0.01
	}
	return f
}

// gramInto sets g = FᵀF + reg·I for the rows×k matrix f.
func gramInto(g, f []float32, k int, reg float32) {
	rows := len(f) / k
	clear(g)
	if rows > 0 {
		F := blas32.General{Rows: rows, Cols: k, Stride: k, Data: f}
		G := blas32.General{Rows: k, Cols: k, Stride: k, Data: g}
		blas32.Gemm(blas.Trans, blas.NoTrans, 1, F, F, 0, G)
	}
	for i := 0; i < k; i++ {
		g[i*k+i] += reg
	}
}

// cgSweep updates every row x_u of X (rows of c) given fixed Y.
func cgSweep(x, y, gram []float32, c *csr, k int, alpha float32, steps, workers int) {
	G := blas32.General{Rows: k, Cols: k, Stride: k, Data: gram}
	parallelRange(c.rows, workers, func(next func() (int, int, bool)) {
		r := make([]float32, k)
		p := make([]float32, k)
		ap := make([]float32, k)
		for {
			lo, hi, ok := next()
			if !ok {
				return
			}
			for u := lo; u < hi; u++ {
				items, vals := c.row(u)
				cgSolveRow(x[u*k:(u+1)*k], y, G, items, vals, k, alpha, steps, r, p, ap)
			}
		}
	})
}

// cgSolveRow runs `steps` CG iterations on
// (YᵀY + λI + Yᵀ(C_u−I)Y) x = Yᵀ C_u p_u, starting from x.
func cgSolveRow(x, y []float32, G blas32.General, items []int32, vals []float32,
	k int, alpha float32, steps int, r, p, ap []float32) {
	vec := func(d []float32) blas32.Vector { return blas32.Vector{N: k, Data: d, Inc: 1} }
	X, R, P, AP := vec(x), vec(r), vec(p), vec(ap)
	// r = b − A·x
	blas32.Gemv(blas.NoTrans, -1, G, X, 0, R)
	for n, i := range items {
		conf := 1 + alpha*vals[n]
		yi := vec(y[int(i)*k : int(i+1)*k])
		blas32.Axpy(conf-(conf-1)*blas32.Dot(yi, X), yi, R)
	}
	copy(p, r)
	rsOld := blas32.Dot(R, R)
	for s := 0; s < steps && rsOld > 1e-20; s++ {
		blas32.Gemv(blas.NoTrans, 1, G, P, 0, AP)
		for n, i := range items {
			conf := 1 + alpha*vals[n]
			yi := vec(y[int(i)*k : int(i+1)*k])
			blas32.Axpy((conf-1)*blas32.Dot(yi, P), yi, AP)
		}
		pAp := blas32.Dot(P, AP)
		if pAp <= 0 {
			return
		}
		a := rsOld / pAp
		blas32.Axpy(a, P, X)
		blas32.Axpy(-a, AP, R)
		rsNew := blas32.Dot(R, R)
		beta := rsNew / rsOld
		for j := range p {
			p[j] = r[j] + beta*p[j]
		}
		rsOld = rsNew
	}
}

// solveExact returns the exact least-squares factors of one row given the
// fixed side y and its regularised Gram matrix gram = YᵀY + λI, by Cholesky.
// It is used for fold-in and as the test oracle for the CG solver.
func solveExact(y []float32, gram []float64, k int, alpha float32, items []int32, vals []float32) ([]float32, error) {
	a := mat.NewSymDense(k, nil)
	for i := 0; i < k; i++ {
		for j := i; j < k; j++ {
			a.SetSym(i, j, gram[i*k+j])
		}
	}
	b := mat.NewVecDense(k, nil)
	if len(items) == 0 {
		return make([]float32, k), nil
	}
	// A = YᵀY + λI + Σ (c−1)·yᵢyᵢᵀ as one rank-n update of the rows
	// √(c−1)·yᵢ (blocked, several times faster than n rank-one updates).
	z := mat.NewDense(len(items), k, nil)
	raw := z.RawMatrix()
	bv := b.RawVector().Data
	for n, it := range items {
		conf := 1 + float64(alpha)*float64(vals[n])
		sq := math.Sqrt(max(conf-1, 0))
		row := y[int(it)*k : int(it+1)*k]
		dst := raw.Data[n*raw.Stride : n*raw.Stride+k]
		for j, v := range row {
			dst[j] = sq * float64(v)
			bv[j] += conf * float64(v)
		}
	}
	a.SymRankK(a, 1, z.T())
	var ch mat.Cholesky
	if ok := ch.Factorize(a); !ok {
		return nil, fmt.Errorf("recommender: fold-in system is not positive definite")
	}
	var x mat.VecDense
	if err := ch.SolveVecTo(&x, b); err != nil {
		return nil, fmt.Errorf("recommender: fold-in solve: %w", err)
	}
	out := make([]float32, k)
	for j := range out {
		out[j] = float32(x.AtVec(j))
	}
	return out, nil
}
