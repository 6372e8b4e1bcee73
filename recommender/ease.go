package recommender

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/mat"
)

// easeModel is EASE (Steck 2019): the closed-form item–item regression
// B = I − P·diag(1/diag(P)) with P = (XᵀX + λI)⁻¹ and a zero diagonal. It is
// trained on the items that have interactions only, so a large catalog with a
// modest active set can still use it; scores are x_u·B.
type easeModel struct {
	n      int       // items the model covers
	active int       // items with interactions (n is fewer when tuning covers the top ones only)
	items  []int32   // local → catalog index
	local  []int32   // catalog → local index or -1
	b      []float32 // n × n, row i holds the weights item i gives every item
}

func (m *easeModel) enabled() bool { return m.n > 0 }

func trainEASE(ctx context.Context, ui, iu *csr, cfg EASEConfig) (easeModel, error) {
	var m easeModel
	m.local = make([]int32, iu.rows)
	for i := range iu.rows {
		m.local[i] = -1
		if iu.indptr[i+1] > iu.indptr[i] {
			m.local[i] = int32(len(m.items))
			m.items = append(m.items, int32(i))
		}
	}
	n := len(m.items)
	if n == 0 || n > cfg.MaxItems {
		return easeModel{}, nil
	}
	m.active = n
	if k := cfg.tuneItems(n); k < n {
		// Tuning's fits: the k items with the most interactions (ties by
		// index), still in catalog order so the Gram matrix's upper
		// triangle is what the loop below fills.
		byCount := slices.Clone(m.items)
		slices.SortStableFunc(byCount, func(a, b int32) int {
			return cmp.Compare(iu.indptr[b+1]-iu.indptr[b], iu.indptr[a+1]-iu.indptr[a])
		})
		m.items = byCount[:k]
		slices.Sort(m.items)
		for i := range m.local {
			m.local[i] = -1
		}
		for li, i := range m.items {
			m.local[i] = int32(li)
		}
		n = k
	}
	// G = XᵀX + λI over the binary pattern, accumulated user by user.
	g := make([]float64, n*n)
	for u := range ui.rows {
		items, _ := ui.row(u)
		for a, i := range items {
			if m.local[i] < 0 {
				continue
			}
			li := int(m.local[i]) * n
			for _, j := range items[a:] {
				if lj := m.local[j]; lj >= 0 {
					g[li+int(lj)]++
				}
			}
		}
	}
	sym := mat.NewSymDense(n, g) // upper triangle is filled: items are sorted
	for i := range n {
		sym.SetSym(i, i, sym.At(i, i)+cfg.Lambda)
	}
	if err := ctx.Err(); err != nil {
		return easeModel{}, fmt.Errorf("recommender: train EASE: %w", err)
	}
	var ch mat.Cholesky
	if ok := ch.Factorize(sym); !ok {
		return easeModel{}, fmt.Errorf("recommender: train EASE: XᵀX+λI is not positive definite")
	}
	var p mat.SymDense
	if err := ch.InverseTo(&p); err != nil {
		return easeModel{}, fmt.Errorf("recommender: train EASE: invert: %w", err)
	}
	m.n = n
	m.b = make([]float32, n*n)
	for i := range n {
		for j := range n {
			if i != j {
				m.b[i*n+j] = float32(-p.At(i, j) / p.At(j, j))
			}
		}
	}
	return m, nil
}

// scoreInto adds Σ_i w_i·B[i,:] to score (catalog-indexed) for history items.
func (m *easeModel) scoreInto(score, local []float32, items []int32, weights []float32) {
	clear(local)
	L := blas32.Vector{N: m.n, Data: local, Inc: 1}
	for k, it := range items {
		li := m.local[it]
		if li < 0 {
			continue
		}
		blas32.Axpy(weights[k], blas32.Vector{N: m.n, Data: m.b[int(li)*m.n : int(li+1)*m.n], Inc: 1}, L)
	}
	for li, it := range m.items {
		score[it] = local[li]
	}
}

// weight returns B[from, to] for catalog indexes (0 when either is inactive).
func (m *easeModel) weight(from, to int32) float32 {
	a, b := m.local[from], m.local[to]
	if a < 0 || b < 0 {
		return 0
	}
	return m.b[int(a)*m.n+int(b)]
}

// easeTuneFloor is the fewest items tuning's EASE covers: below it the
// whole active set is cheap (about 0.05 s for 500 items on a loaded 2-core
// machine) and is fit as the final training fits it. At 1,000 (0.4 s) the
// first fit of an 800-item shop was as large as its tuning budget.
const easeTuneFloor = 500

// tuneItems is how many of n active items an EASE fit covers: all of
// them, except in tuning's fits with the default budget (TuneTop), which
// cover the most-interacted half, at least easeTuneFloor. EASE's cost is
// cubic in its items and does not shrink with a sample of shoppers, so
// this is what keeps tuning's first fit to about an eighth of the final
// EASE; the held-out hits are mostly among those items.
func (c EASEConfig) tuneItems(n int) int {
	if !c.tuneTop || n <= easeTuneFloor {
		return n
	}
	return max(easeTuneFloor, (n+1)/2)
}
