package recommender

import "slices"

// A product page shows two rows about its product: items often bought with
// it and items similar to it. Both depend only on the model and on what is
// in stock, so each item's candidates are ranked once per model, in the
// background (PrepareRelated), and a page only walks its product's lists,
// skipping what is sold out or already in the first row.

// relatedKeep is how many ranked candidates each list keeps: a row of 8
// after up to 8 items of the other row and some stock-outs. A page that
// needs more ranks the whole catalog as Recommend does.
const relatedKeep = 24

// relatedLists is one strategy's ranked candidates for every item.
type relatedLists struct {
	start []int32 // item j's list is items[start[j]:start[j+1]]
	items []int32 // best first, as Recommend orders them
}

func (l *relatedLists) list(j int32) []int32 { return l.items[l.start[j]:l.start[j+1]] }

// relatedRows holds both strategies' lists.
type relatedRows struct {
	bought, similar relatedLists
}

// PrepareRelated ranks every item's "often bought with" and "similar"
// candidates, for Related. It runs once per model (later calls return at
// once, after the first has finished); until it has, Related ranks per call.
func (m *Model) PrepareRelated() {
	m.relatedOnce.Do(func() {
		if len(m.cat.items) == 0 {
			return
		}
		s := m.getScratch()
		defer m.scratch.Put(s)
		s.begin()
		r := &relatedRows{
			bought:  m.rankRelated(s, &m.bought, srcBought),
			similar: m.rankRelated(s, &m.content, srcContent),
		}
		m.related.Store(r)
	})
}

// rankRelated ranks every item's candidates for a Similar or AlsoBought
// request anchored on it, with the very scoring Recommend uses (score's
// blendRow calls): the primary neighbour row and half the co-occurrence row.
// Only the entries those rows touch are cleared afterwards, so ranking every
// item costs the rows' length, not the catalog's size, per item.
func (m *Model) rankRelated(s *scratch, primary *csr, psrc source) relatedLists {
	n := len(m.cat.items)
	l := relatedLists{start: make([]int32, n+1), items: make([]int32, 0, n*8)}
	for a := range int32(n) {
		s.scored, s.tracking = s.scored[:0], true
		m.blendRow(s, primary, a, 1, psrc)
		m.blendRow(s, &m.knn, a, 0.5, srcViewed)
		s.heap.reset(relatedKeep)
		for _, j := range s.scored {
			// As selectTop: a source (s.scored lists those), a positive
			// score, not the anchor.
			if j != a && s.score[j] > 0 {
				s.heap.push(s.score[j], j)
			}
		}
		idx, _ := s.heap.sorted()
		l.items = append(l.items, idx...)
		l.start[a+1] = int32(len(l.items))
		for _, row := range [2]*csr{primary, &m.knn} {
			if row.rows == 0 {
				continue
			}
			js, _ := row.row(int(a))
			for _, j := range js {
				s.score[j], s.srcVal[j], s.src[j] = 0, 0, srcNone
			}
		}
	}
	s.scored, s.tracking = s.scored[:0], false
	l.items = slices.Clip(l.items)
	return l
}

// Related returns a product page's two rows for the item anchor: up to n
// items often bought with it, then up to n items similar to it that are not
// in the first row, only items available says are; exactly what Recommend
// returns for an AlsoBought request (Exclude: the anchor) and then a Similar
// one (Exclude: the anchor and the first row), without the reasons. After
// PrepareRelated each row is read from its ranked list; a row the list
// cannot fill (more stock-outs than it holds spare, or a row that needs
// popular items to fill it) is ranked over the catalog by Recommend.
func (m *Model) Related(anchor string, n int, available func(string) bool) (bought, similar []string) {
	return m.RelatedGrouped(anchor, n, available, nil)
}

// RelatedGrouped is Related with product groups (Request.Group): the rows
// leave out the anchor's own group (its other sizes are not another
// product) and hold one product of any other group.
func (m *Model) RelatedGrouped(anchor string, n int, available func(string) bool, group func(string) string) (bought, similar []string) {
	if n <= 0 {
		n = defaultN
	}
	var taken map[string]bool
	if group != nil {
		taken = map[string]bool{}
		if g := group(anchor); g != "" {
			taken[g] = true
		}
	}
	j, known := m.cat.index[anchor]
	if r := m.related.Load(); r != nil && known {
		var ok bool
		if bought, ok = m.walkRelated(&r.bought, j, n, nil, available, group, taken); ok {
			if similar, ok = m.walkRelated(&r.similar, j, n, bought, available, group, taken); ok {
				return bought, similar
			}
		}
	}
	exclude := map[string]bool{anchor: true}
	bought = bought[:0]
	for _, rec := range m.Recommend(Request{Strategy: AlsoBought, Anchor: anchor, N: n, Exclude: exclude, Available: available, Group: group}) {
		bought = append(bought, rec.ItemID)
		exclude[rec.ItemID] = true
	}
	similar = similar[:0]
	for _, rec := range m.Recommend(Request{Strategy: Similar, Anchor: anchor, N: n, Exclude: exclude, Available: available, Group: group}) {
		similar = append(similar, rec.ItemID)
	}
	return bought, similar
}

// walkRelated takes the first n available items of anchor's list that are
// not in skip. It reports false when the list cannot settle the row: fewer
// than n were found (Recommend would go on past the kept candidates, or
// fill the row with popular items).
func (m *Model) walkRelated(l *relatedLists, anchor int32, n int, skip []string, available func(string) bool, group func(string) string, taken map[string]bool) ([]string, bool) {
	out := make([]string, 0, n)
	for _, j := range l.list(anchor) {
		id := m.cat.items[j].ID
		// Without a live check Recommend goes by the training-time stock.
		if slices.Contains(skip, id) || available == nil && !m.avail[j] || available != nil && !available(id) {
			continue
		}
		if group != nil {
			if g := group(id); g != "" {
				if taken[g] {
					continue
				}
				taken[g] = true
			}
		}
		if out = append(out, id); len(out) == n {
			return out, true
		}
	}
	return out, false
}

// TogetherWith counts how many of ids training saw bought together with
// anchor (by one shopper) and how many of the others viewed together with
// it: what a product page's first row may truthfully say of its cards. A
// row Recommend filled with popular products when the anchor has no
// neighbours (a shop without orders) counts none.
func (m *Model) TogetherWith(anchor string, ids []string) (bought, viewed int) {
	a, ok := m.cat.index[anchor]
	if !ok {
		return 0, 0
	}
	in := func(c *csr, j int32) bool {
		if c.rows == 0 || int(a) >= c.rows {
			return false
		}
		js, _ := c.row(int(a))
		return slices.Contains(js, j)
	}
	for _, id := range ids {
		j, ok := m.cat.index[id]
		switch {
		case !ok:
		case in(&m.bought, j):
			bought++
		case in(&m.knn, j):
			viewed++
		}
	}
	return bought, viewed
}
