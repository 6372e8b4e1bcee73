package recommender

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

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
	// scale, when positive, compresses each strength r to log(1 + r/scale)
	// before it becomes a confidence (ALSConfig.LogStrength): scale is the
	// shop's median user–item strength. 0 keeps r as it is.
	scale float32
	userF []float32 // users × k, row-major
	itemF []float32 // items × k, row-major
	gram  []float64 // YᵀY + λI (k×k), kept for exact fold-in solves
	// sweeps is the time its sweeps took (not stored): the part of its
	// training that grows with the number of sweeps; sweepsCPU the CPU
	// time this process used meanwhile.
	sweeps, sweepsCPU time.Duration
}

func (m *alsModel) enabled() bool { return m.k > 0 }

// strengths returns vals as the model reads them: compressed by
// log(1 + r/scale) when the model has a scale, else vals itself.
func (m *alsModel) strengths(dst, vals []float32) []float32 {
	if m.scale <= 0 {
		return vals
	}
	dst = dst[:0]
	for _, v := range vals {
		dst = append(dst, float32(math.Log1p(float64(v/m.scale))))
	}
	return dst
}

// medianStrength is the median of a shop's user–item strengths (0 for none).
func medianStrength(data []float32) float32 {
	if len(data) == 0 {
		return 0
	}
	s := slices.Clone(data)
	slices.Sort(s)
	return s[len(s)/2]
}

func (m *alsModel) item(i int32) []float32 { return m.itemF[int(i)*m.k : int(i+1)*m.k] }

// trainALS alternates user and item sweeps. Each row is solved with a few
// conjugate-gradient steps warm-started from its previous factors (the trick
// that makes the `implicit` library fast): the Gram matrix YᵀY is shared per
// sweep and the per-row correction Yᵀ(C_u−I)Y is never formed.
//
// attrs, when given, are the products' attributes (itemAttributes, an
// attributes × items matrix): from the second sweep on, each item row is
// regularised toward cfg.AttributePrior × the mean factors of its
// attributes instead of toward zero (als_attributes.go).
func trainALS(ctx context.Context, ui, iu *csr, cfg ALSConfig, workers int, attrs *csr) (alsModel, error) {
	k := cfg.Factors
	m := alsModel{k: k, reg: float32(cfg.Reg)}
	if cfg.LogStrength {
		if m.scale = medianStrength(ui.data); m.scale > 0 {
			cu, ci := *ui, *iu
			cu.data = m.strengths(make([]float32, 0, len(ui.data)), ui.data)
			ci.data = m.strengths(make([]float32, 0, len(iu.data)), iu.data)
			ui, iu = &cu, &ci
		}
	}
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
	m.alpha = float32(alpha)
	rng := rand.New(rand.NewPCG(uint64(cfg.Seed), 0x5eed))
	m.userF = randomFactors(rng, ui.rows, k)
	m.itemF = randomFactors(rng, ui.cols, k)
	gram := make([]float32, k*k)
	var prior, z []float32
	var byItem csr
	if attrs != nil && attrs.nnz() > 0 && cfg.AttributePrior > 0 {
		prior, z = make([]float32, len(m.itemF)), make([]float32, attrs.rows*k)
		byItem = attrs.transpose()
	}
	sweepStart := startSpan()
	for it := 0; it < cfg.Iterations; it++ {
		if err := ctx.Err(); err != nil {
			return alsModel{}, fmt.Errorf("recommender: train ALS: %w", err)
		}
		gramInto(gram, m.itemF, k, m.reg)
		cgSweep(m.userF, m.itemF, gram, ui, k, m.alpha, cfg.CGSteps, workers, nil, 0)
		gramInto(gram, m.userF, k, m.reg)
		if prior != nil && it > 0 {
			attributePrior(prior, m.itemF, attrs, &byItem, k, workers, z)
			cgSweep(m.itemF, m.userF, gram, iu, k, m.alpha, cfg.CGSteps, workers, prior, m.reg*float32(cfg.AttributePrior))
		} else {
			cgSweep(m.itemF, m.userF, gram, iu, k, m.alpha, cfg.CGSteps, workers, nil, 0)
		}
	}
	m.sweeps, m.sweepsCPU = sweepStart.took()
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
// With prior set, row u's regularisation λ‖x_u − (priorReg/λ)·prior_u‖²
// is centred on its prior row instead of zero: b gains priorReg·prior_u.
func cgSweep(x, y, gram []float32, c *csr, k int, alpha float32, steps, workers int, prior []float32, priorReg float32) {
	G := blas32.General{Rows: k, Cols: k, Stride: k, Data: gram}
	parallelRange(c.rows, workers, func(next func() (int, int, bool)) {
		s := newCGScratch(k)
		for {
			lo, hi, ok := next()
			if !ok {
				return
			}
			for u := lo; u < hi; u++ {
				items, vals := c.row(u)
				if prior != nil {
					s.prior, s.priorReg = prior[u*k:(u+1)*k], priorReg
				}
				cgSolveRow(x[u*k:(u+1)*k], y, G, items, vals, k, alpha, steps, 0, s)
			}
		}
	})
}

// cgScratch is one worker's buffers for cgSolveRow.
type cgScratch struct {
	r, p, ap []float32 // k
	yu       []float32 // the row's items' factors, gathered (n × k)
	t, w     []float32 // n
	// prior, when set (training's item sweeps with attributes), is the
	// row's prior mean: b gains priorReg·prior. Fold-in leaves it nil.
	prior    []float32
	priorReg float32
}

func newCGScratch(k int) *cgScratch {
	return &cgScratch{r: make([]float32, k), p: make([]float32, k), ap: make([]float32, k)}
}

// cgSolveRow runs up to `steps` CG iterations on
// (YᵀY + λI + Yᵀ(C_u−I)Y) x = Yᵀ C_u p_u, starting from x. The factors of
// the row's n items are gathered into one n×k block first, so each step is
// three matrix–vector products (G·p, Y_u·p, Y_uᵀ·w) rather than 2n short
// dot and axpy calls. With tol > 0 it stops once the residual is at most
// tol·‖b‖ and reports the steps it took and whether it got there;
// training passes 0 and runs every step.
func cgSolveRow(x, y []float32, G blas32.General, items []int32, vals []float32,
	k int, alpha float32, steps int, tol float32, s *cgScratch) (took int, converged bool) {
	vec := func(d []float32) blas32.Vector { return blas32.Vector{N: len(d), Data: d, Inc: 1} }
	n := len(items)
	if cap(s.yu) < n*k {
		s.yu = make([]float32, n*k)
		s.t = make([]float32, n)
		s.w = make([]float32, n)
	}
	yu, t, w := s.yu[:n*k], s.t[:n], s.w[:n]
	for j, i := range items {
		copy(yu[j*k:(j+1)*k], y[int(i)*k:int(i+1)*k])
	}
	Yu := blas32.General{Rows: n, Cols: k, Stride: k, Data: yu}
	X, R, P, AP, T, W := vec(x), vec(s.r), vec(s.p), vec(s.ap), vec(t), vec(w)
	// r = b − A·x = −G·x + Σ (c − (c−1)·yᵢ·x) yᵢ
	blas32.Gemv(blas.NoTrans, -1, G, X, 0, R)
	if n > 0 {
		blas32.Gemv(blas.NoTrans, 1, Yu, X, 0, T)
		for j := range w {
			conf := 1 + alpha*vals[j]
			w[j] = conf - (conf-1)*t[j]
		}
		blas32.Gemv(blas.Trans, 1, Yu, W, 1, R)
	}
	if s.prior != nil {
		blas32.Axpy(s.priorReg, vec(s.prior), R)
	}
	copy(s.p, s.r)
	rsOld := blas32.Dot(R, R)
	stop := float32(1e-20)
	if tol > 0 {
		// ‖b‖² with b = Y_uᵀ c (s.ap is free until the first step).
		for j := range w {
			w[j] = 1 + alpha*vals[j]
		}
		if n > 0 {
			blas32.Gemv(blas.Trans, 1, Yu, W, 0, AP)
		} else {
			clear(s.ap)
		}
		stop = max(stop, tol*tol*blas32.Dot(AP, AP))
	}
	step := 0
	for ; step < steps && rsOld > stop; step++ {
		// A·p = G·p + Y_uᵀ ((C_u−I) Y_u p)
		blas32.Gemv(blas.NoTrans, 1, G, P, 0, AP)
		if n > 0 {
			blas32.Gemv(blas.NoTrans, 1, Yu, P, 0, T)
			for j := range w {
				w[j] = alpha * vals[j] * t[j]
			}
			blas32.Gemv(blas.Trans, 1, Yu, W, 1, AP)
		}
		pAp := blas32.Dot(P, AP)
		if pAp <= 0 {
			return step, false
		}
		a := rsOld / pAp
		blas32.Axpy(a, P, X)
		blas32.Axpy(-a, AP, R)
		rsNew := blas32.Dot(R, R)
		beta := rsNew / rsOld
		for j := range s.p {
			s.p[j] = s.r[j] + beta*s.p[j]
		}
		rsOld = rsNew
	}
	return step, rsOld <= stop
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
