package recommender

// csr is a compressed sparse row matrix with float32 values. Column indexes
// within a row are sorted ascending.
type csr struct {
	rows, cols int
	indptr     []int32 // len rows+1
	indices    []int32 // len nnz
	data       []float32
}

func (m *csr) nnz() int { return len(m.indices) }

func (m *csr) row(r int) ([]int32, []float32) {
	lo, hi := m.indptr[r], m.indptr[r+1]
	return m.indices[lo:hi], m.data[lo:hi]
}

// transpose returns the column-oriented copy (rows and columns swapped), with
// sorted indexes, in O(nnz).
func (m *csr) transpose() csr {
	t := csr{rows: m.cols, cols: m.rows,
		indptr:  make([]int32, m.cols+1),
		indices: make([]int32, len(m.indices)),
		data:    make([]float32, len(m.data)),
	}
	for _, c := range m.indices {
		t.indptr[c+1]++
	}
	for c := 0; c < m.cols; c++ {
		t.indptr[c+1] += t.indptr[c]
	}
	next := make([]int32, m.cols)
	copy(next, t.indptr[:m.cols])
	for r := 0; r < m.rows; r++ {
		lo, hi := m.indptr[r], m.indptr[r+1]
		for k := lo; k < hi; k++ {
			c := m.indices[k]
			p := next[c]
			t.indices[p] = int32(r)
			t.data[p] = m.data[k]
			next[c]++
		}
	}
	return t
}

// sparseRow is one user's interactions outside a CSR (e.g. the training row
// merged with the live session).
type sparseRow struct {
	items   []int32
	weights []float32
	kinds   []EventType
	prefs   []float32 // per item: its rating's profile weight (Model.pref); empty when the shop has no ratings
}

// ratings returns prefs when it holds one weight per item (a shop with
// ratings), else nil.
func (s *sparseRow) ratings() []float32 {
	if len(s.prefs) != len(s.items) {
		return nil
	}
	return s.prefs
}

func (s *sparseRow) reset() {
	s.items, s.weights, s.kinds, s.prefs = s.items[:0], s.weights[:0], s.kinds[:0], s.prefs[:0]
}

// keepColumns returns a copy holding only the entries whose column keep
// accepts.
func (m *csr) keepColumns(keep func(c int32) bool) csr {
	out := csr{rows: m.rows, cols: m.cols, indptr: make([]int32, m.rows+1)}
	for r := 0; r < m.rows; r++ {
		ids, ws := m.row(r)
		for k, c := range ids {
			if keep(c) {
				out.indices = append(out.indices, c)
				out.data = append(out.data, ws[k])
			}
		}
		out.indptr[r+1] = int32(len(out.indices))
	}
	return out
}
