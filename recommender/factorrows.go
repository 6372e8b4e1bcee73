package recommender

// A shop of a public clickstream's shape has over a million visitors, most
// with one or two events: their ALS and SVD rows were most of its model
// (1.4 million × 112 factors, over 600 MB) while each is as quickly
// derived from the visitor's own history when they are served — the
// fold-in a new visitor's session already gets. So the model keeps the
// factor rows of the shoppers with a history of factorRowMinItems
// products or more, and derives the others' at serving: ALS by the exact
// fold-in against the trained item factors, SVD as r·V, the row itself.

// factorRowMinItems is the history, in distinct products, from which a
// shopper keeps trained factor rows. A fold-in over fewer items costs
// a few microseconds; a longer history keeps its row (and the history a
// request reads is cut at maxHistory, the trained row is not).
const factorRowMinItems = 8

// decideFactorRows chooses, once per model, which shoppers keep factor
// rows: m.rowOf maps a user index to its row, -1 for none; nil keeps a row
// for every shopper (a shop where all have enough history, and a shop
// whose events carry ratings: its rows follow the profile's recency
// (alsRecencyRows), which a fold-in from the history does not).
func (m *Model) decideFactorRows() {
	if m.rowsDecided {
		return
	}
	m.rowsDecided = true
	m.rowOf, m.factorRowCount = nil, m.ui.rows
	if m.pref != nil {
		return
	}
	rowOf := make([]int32, m.ui.rows)
	n := int32(0)
	for u := range m.ui.rows {
		rowOf[u] = -1
		if m.ui.indptr[u+1]-m.ui.indptr[u] >= factorRowMinItems {
			rowOf[u] = n
			n++
		}
	}
	if int(n) == m.ui.rows {
		return
	}
	m.rowOf, m.factorRowCount = rowOf, int(n)
}

// factorRow returns the row of user u's trained factors, or -1 when u has
// none (an unknown shopper, or one whose factors are derived at serving).
func (m *Model) factorRow(u int32) int32 {
	switch {
	case u < 0:
		return -1
	case m.rowOf == nil:
		return u
	case int(u) < len(m.rowOf):
		return m.rowOf[u]
	}
	return -1
}

// userRow returns user u's trained row of the users × k factors f, or nil.
func (m *Model) userRow(f []float32, k int, u int32) []float32 {
	r := m.factorRow(u)
	if r < 0 || k <= 0 || len(f) < int(r+1)*k {
		return nil
	}
	return f[int(r)*k : int(r+1)*k]
}

// keepFactorRows cuts full (every user's k factors) to the rows of the
// shoppers who keep them.
func (m *Model) keepFactorRows(full []float32, k int) []float32 {
	m.decideFactorRows()
	if m.rowOf == nil || k <= 0 || len(full) != m.ui.rows*k {
		return full
	}
	out := make([]float32, m.factorRowCount*k)
	for u, r := range m.rowOf {
		if r >= 0 {
			copy(out[int(r)*k:int(r+1)*k], full[u*k:(u+1)*k])
		}
	}
	return out
}

// factorRowUsers lists the user indexes with rows, ascending (what is
// stored); nil when every user has one.
func (m *Model) factorRowUsers() []int32 {
	if m.rowOf == nil {
		return nil
	}
	out := make([]int32, 0, m.factorRowCount)
	for u, r := range m.rowOf {
		if r >= 0 {
			out = append(out, int32(u))
		}
	}
	return out
}

// setFactorRowUsers restores rowOf from the stored list of users with
// rows; it reports false for a list that is not ascending user indexes.
func (m *Model) setFactorRowUsers(users []int32, n int) bool {
	m.rowsDecided = true
	m.rowOf = make([]int32, n)
	for u := range m.rowOf {
		m.rowOf[u] = -1
	}
	for r, u := range users {
		if u < 0 || int(u) >= n || r > 0 && u <= users[r-1] {
			return false
		}
		m.rowOf[u] = int32(r)
	}
	m.factorRowCount = len(users)
	return true
}

// FactorRows reports how many shoppers keep trained ALS and SVD rows (the
// others' are derived from their history when served).
func (m *Model) FactorRows() int {
	if m.rowOf == nil {
		return len(m.userIDs)
	}
	return m.factorRowCount
}
