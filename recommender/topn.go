package recommender

// topN keeps the n best (score, index) pairs seen so far in a min-heap, so
// selecting the top n of m candidates costs O(m log n) without sorting m.
type topN struct {
	n     int
	score []float32
	idx   []int32
}

func (h *topN) reset(n int) {
	h.n = n
	h.score = h.score[:0]
	h.idx = h.idx[:0]
}

// better orders by score, then by lower index so results are deterministic.
func better(sa float32, ia int32, sb float32, ib int32) bool {
	return sa > sb || (sa == sb && ia < ib)
}

// full reports whether the heap is full, and threshold is its worst entry.
func (h *topN) full() bool { return len(h.idx) >= h.n }

func (h *topN) push(s float32, i int32) {
	if h.n <= 0 {
		return
	}
	if len(h.idx) < h.n {
		h.score = append(h.score, s)
		h.idx = append(h.idx, i)
		h.up(len(h.idx) - 1)
		return
	}
	if !better(s, i, h.score[0], h.idx[0]) {
		return
	}
	h.score[0], h.idx[0] = s, i
	h.down(0)
}

// worse reports whether entry a ranks below entry b (min-heap order).
func (h *topN) worse(a, b int) bool { return better(h.score[b], h.idx[b], h.score[a], h.idx[a]) }

func (h *topN) swap(a, b int) {
	h.score[a], h.score[b] = h.score[b], h.score[a]
	h.idx[a], h.idx[b] = h.idx[b], h.idx[a]
}

func (h *topN) up(j int) {
	for j > 0 {
		p := (j - 1) / 2
		if !h.worse(j, p) {
			return
		}
		h.swap(j, p)
		j = p
	}
}

func (h *topN) down(j int) {
	n := len(h.idx)
	for {
		l := 2*j + 1
		if l >= n {
			return
		}
		m := l
		if r := l + 1; r < n && h.worse(r, l) {
			m = r
		}
		if !h.worse(m, j) {
			return
		}
		h.swap(j, m)
		j = m
	}
}

// sorted empties the heap into idx/score best first. The returned slices alias
// the heap's storage and stay valid until the next reset or push.
func (h *topN) sorted() ([]int32, []float32) {
	n := len(h.idx)
	for end := n - 1; end > 0; end-- {
		h.swap(0, end)
		h.idx, h.score = h.idx[:end], h.score[:end]
		h.down(0)
		h.idx, h.score = h.idx[:n], h.score[:n]
	}
	// Popping the minimum to the back leaves the slice worst-last reversed:
	// index 0 is now the best.
	return h.idx[:n], h.score[:n]
}
