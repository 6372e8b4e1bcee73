package recommender

// Forget removes everything personal the model holds about the users for
// which forget reports true: their ids, interactions, user factors,
// latest items and candidate lists, and their names in the training statistics. Item-level
// structures (neighbours, item factors, popularity, which words carry taste) are aggregates and stay.
// Forgotten users are served like anyone the model never saw.
//
// A model is immutable once shared: call Forget only on one fresh from
// Train or Load, before it is served. It returns how many users it forgot.
func (m *Model) Forget(forget func(user string) bool) int {
	gone := make([]bool, len(m.userIDs))
	n := 0
	for u, id := range m.userIDs {
		if id != "" && forget(id) {
			gone[u] = true
			n++
		}
	}
	kept := m.stats.Dropped[:0:0]
	for _, d := range m.stats.Dropped {
		if !forget(d.User) {
			kept = append(kept, d)
		}
	}
	m.stats.Dropped = kept
	if n == 0 {
		return 0
	}
	// The shopper's words' dispersion is an aggregate over the shoppers:
	// estimated before their rows go, it stays as trained.
	m.PrepareTerms()
	for u, g := range gone {
		if !g {
			continue
		}
		delete(m.userIndex, m.userIDs[u])
		m.userIDs[u] = "" // rows keep their place, so every other index stays valid
		clear(m.userRow(m.als.userF, m.als.k, int32(u)))
		clear(m.userRow(m.svd.userF, m.svd.k, int32(u)))
	}
	m.kind, m.pref = dropEntries(m.ui, m.kind, gone), dropEntries(m.ui, m.pref, gone)
	m.ui = dropRows(m.ui, gone)
	if m.recent.rows == len(gone) {
		m.recent = dropRows(m.recent, gone)
	}
	if len(m.cands.indptr) == len(gone)+1 {
		m.cands.indptr, m.cands.items = dropListRows(m.cands.indptr, m.cands.items, gone)
	}
	return n
}

// dropRows empties the rows marked gone of a user × item matrix.
func dropRows(a csr, gone []bool) csr {
	out := csr{rows: a.rows, cols: a.cols, indptr: make([]int32, a.rows+1)}
	out.indices, out.data = dropEntries(a, a.indices, gone), dropEntries(a, a.data, gone)
	for r := 0; r < a.rows; r++ {
		n := a.indptr[r+1] - a.indptr[r]
		if r < len(gone) && gone[r] {
			n = 0
		}
		out.indptr[r+1] = out.indptr[r] + n
	}
	return out
}

// dropEntries is the per-entry slice that runs alongside a (one value per
// stored entry) without the entries of the rows marked gone; an empty
// slice or one of another length (none kept) is returned as it is.
func dropEntries[T any](a csr, vals []T, gone []bool) []T {
	if len(vals) == 0 || len(vals) != len(a.indices) {
		return vals
	}
	out := make([]T, 0, len(vals))
	for r := 0; r < a.rows; r++ {
		if r >= len(gone) || !gone[r] {
			out = append(out, vals[a.indptr[r]:a.indptr[r+1]]...)
		}
	}
	return out
}

func dropListRows(indptr, items []int32, gone []bool) ([]int32, []int32) {
	outPtr := make([]int32, len(indptr))
	var outItems []int32
	for r := 0; r+1 < len(indptr); r++ {
		if !gone[r] {
			outItems = append(outItems, items[indptr[r]:indptr[r+1]]...)
		}
		outPtr[r+1] = int32(len(outItems))
	}
	return outPtr, outItems
}
