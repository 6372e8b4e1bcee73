package recommender

import (
	"math"
	"slices"
	"strings"
)

// Launches are the products created after the model was trained: no
// shopper has touched them and no model has a row for them. When the
// catalog changes, the shop computes their content vectors (TF-IDF over
// title, brand, category and description, the same terms as the trained
// content model) against the trained catalog, without retraining, so the
// "new for you" strategy can bring each launch to the shoppers whose
// history is like it.
type Launches struct {
	model *Model
	items []Item
	index map[string]int32
	// byItem lists, for each trained item, the launches similar to it and
	// the cosine similarity: history item → launches.
	byItem map[int32][]launchLink
}

type launchLink struct {
	launch int32
	sim    float32
}

const launchNeighbors = 30

// Launches computes the content links of items the model does not know
// (products created since training). Items the model knows are skipped,
// and so are inactive ones.
func (m *Model) Launches(items []Item) *Launches {
	l := &Launches{model: m, index: map[string]int32{}, byItem: map[int32][]launchLink{}}
	for _, it := range items {
		if _, known := m.cat.index[it.ID]; known || !it.Active || it.ID == "" {
			continue
		}
		if _, dup := l.index[it.ID]; dup {
			continue
		}
		l.index[it.ID] = int32(len(l.items))
		l.items = append(l.items, it)
	}
	// Newest first, so a row takes its newest launches without sorting
	// them per request (rowLaunches).
	slices.SortStableFunc(l.items, newestFirst)
	for i, it := range l.items {
		l.index[it.ID] = int32(i)
	}
	if len(l.items) == 0 || len(m.cat.items) == 0 {
		return l
	}
	docs := make([][]weightedTerm, 0, len(m.cat.items)+len(l.items))
	for i := range m.cat.items {
		docs = append(docs, m.cat.terms(i))
	}
	for _, it := range l.items {
		cats := it.CategoryPath
		if it.Category != "" && !slices.Contains(cats, it.Category) {
			cats = append(slices.Clip(cats), it.Category)
		}
		docs = append(docs, contentTerms(it, cats))
	}
	vecs := tfidf(docs)
	n := len(m.cat.items)
	// Inverted index of the trained items' terms.
	trained := csr{rows: n, cols: vecs.cols, indices: vecs.indices[:vecs.indptr[n]], data: vecs.data[:vecs.indptr[n]], indptr: vecs.indptr[:n+1]}
	terms := trained.transpose()
	acc := make([]float32, n)
	var touched []int32
	var h topN
	for li := range l.items {
		ids, ws := vecs.row(n + li)
		touched = closestByContent(terms, ids, ws, math.MaxInt, -1, acc, touched, &h, launchNeighbors)
		idx, sim := h.sorted()
		for k, j := range idx {
			l.byItem[j] = append(l.byItem[j], launchLink{int32(li), sim[k]})
		}
	}
	return l
}

// launchFresh is a launch's freshness for the shopper of s, by the rule
// of the blend (freshness, then the department share of freshFor; a
// department the trained catalog does not have counts as one the
// shopper never visited), with at least launchFreshMin of its time part:
// a launch exists only after training, and the model's "now", the data's
// end, does not move on while it is served, so a launch created long
// after it would otherwise fade before anyone could see it.
func (m *Model) launchFresh(s *scratch, it Item) float64 {
	f := max(freshness(it.Created, m.DataNow), launchFreshMin)
	if s.hiRoot <= 0 {
		return f
	}
	return f * float64(s.deptShare(m.cat.launchCats(it)))
}

// launchFreshMin is the least time part of a launch's freshness.
const launchFreshMin = 0.5

// launchCats is a product's top-level and leaf category ids in the
// catalog (-1 where the catalog has none), the way newCatalog reads them.
// launchLeaf is the category a launch is read at as its own: its category
// (as filed, `Bexley > Shoes`, read as Shoes when the name is read across
// its parents), or -1 when the catalog has no such category.
func (c *catalog) launchLeaf(it Item) int32 {
	if id, ok := c.catIndex[it.Category]; ok {
		return id
	}
	if id, _, ok := c.filedCategory(it.Category); ok {
		return id
	}
	return -1
}

func (c *catalog) launchCats(it Item) (root, leaf int32) {
	root, leaf = -1, -1
	for _, name := range it.CategoryPath {
		if id, ok := c.catIndex[name]; ok && name != "" {
			root = id
			break
		}
		if name != "" {
			return -1, -1 // its department is new to the catalog
		}
	}
	if root < 0 && it.Category != "" {
		if id, ok := c.catIndex[it.Category]; ok {
			root = id
		}
	}
	if it.Category != "" {
		leaf = c.launchLeaf(it)
	} else if n := len(it.CategoryPath); n > 0 {
		if id, ok := c.catIndex[it.CategoryPath[n-1]]; ok {
			leaf = id
		}
	}
	return root, leaf
}

func (l *Launches) lookup(id string) (int32, bool) {
	if l == nil {
		return 0, false
	}
	i, ok := l.index[id]
	return i, ok
}

// Len is the number of launches.
func (l *Launches) Len() int {
	if l == nil {
		return 0
	}
	return len(l.items)
}

// weightedTerm is one term of a product's text with its weight.
type weightedTerm struct {
	term string
	w    float64
}

// contentTerms lists an item's terms with the weights trainContent gives
// them: title 2, brand 1.5, each category 1, description 0.5.
func contentTerms(it Item, cats []string) []weightedTerm {
	var out []weightedTerm
	for _, t := range tokenize(it.Title) {
		out = append(out, weightedTerm{t, 2})
	}
	if b := strings.ToLower(strings.TrimSpace(it.Brand)); b != "" {
		out = append(out, weightedTerm{"brand:" + b, 1.5})
	}
	for _, c := range cats {
		out = append(out, weightedTerm{"cat:" + strings.ToLower(c), 1})
	}
	for _, t := range tokenize(it.Description) {
		out = append(out, weightedTerm{t, 0.5})
	}
	return out
}

// tfidf builds L2-normalised sublinear-tf × smooth-idf vectors of the
// documents' weighted terms: the one TF-IDF of the trained content model
// (trainContent) and of launches.
func tfidf(docs [][]weightedTerm) csr {
	vocab := map[string]int32{}
	var df []int
	tfs := make([]map[int32]float64, len(docs))
	for i, d := range docs {
		tf := map[int32]float64{}
		for _, wt := range d {
			id, ok := vocab[wt.term]
			if !ok {
				id = int32(len(vocab))
				vocab[wt.term] = id
				df = append(df, 0)
			}
			tf[id] += wt.w
		}
		for id := range tf {
			df[id]++
		}
		tfs[i] = tf
	}
	n := len(docs)
	vecs := csr{rows: n, cols: len(vocab), indptr: make([]int32, n+1)}
	for i, tf := range tfs {
		var norm float64
		start := len(vecs.indices)
		ids := make([]int32, 0, len(tf))
		for id := range tf {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		for _, id := range ids {
			w := (1 + math.Log(tf[id])) * (math.Log(float64(n+1)/float64(df[id]+1)) + 1)
			vecs.indices = append(vecs.indices, id)
			vecs.data = append(vecs.data, float32(w))
			norm += w * w
		}
		if norm > 0 {
			inv := float32(1 / math.Sqrt(norm))
			for k := start; k < len(vecs.data); k++ {
				vecs.data[k] *= inv
			}
		}
		vecs.indptr[i+1] = int32(len(vecs.indices))
	}
	return vecs
}

// newForYou fills a row with what is new and like the shopper's history:
// launches (through their content links to the history) and the trained
// catalog's recent products (through the content neighbours and the
// shopper's own departments), each weighted by how new it is. A shopper
// without history, or without any match, gets the newest products.
func (m *Model) newForYou(req Request) []Recommendation {
	n := req.N
	if n <= 0 {
		n = defaultN
	}
	s := m.getScratch()
	defer m.scratch.Put(s)
	s.begin()
	s.name = req.Name
	m.buildHistory(s, req)
	f := m.newFilter(s, req, false)
	l := req.Launches
	if l != nil && l.model != m {
		l = nil // computed for another model: its indexes do not apply
	}
	type cand struct {
		score  float64
		item   Item
		anchor int32
		launch bool
	}
	var cands []cand
	// One freshness for everything below, the blend's own (freshFor).
	fresh := m.freshFor(s)
	// Launches: Σ over history of weight × similarity.
	if l != nil && len(s.hist.items) > 0 {
		acc := make([]float64, len(l.items))
		anchor := make([]int32, len(l.items))
		best := make([]float64, len(l.items))
		for k, i := range s.hist.items {
			for _, ln := range l.byItem[i] {
				c := float64(s.hist.weights[k] * ln.sim)
				acc[ln.launch] += c
				if c > best[ln.launch] {
					best[ln.launch], anchor[ln.launch] = c, i
				}
			}
		}
		for li, v := range acc {
			if v > 0 {
				cands = append(cands, cand{v * m.launchFresh(s, l.items[li]), l.items[li], anchor[li], true})
			}
		}
	}
	// The trained catalog's recent products.
	if len(s.hist.items) > 0 {
		// A pooled scratch may hold another request's sums in tmp; the
		// neighbours below must start from zero to list every item.
		clear(s.tmp)
		m.historyNeighbours(s, &m.content, s.tmp, s.cntAnchor, s.cntAnchorVal)
		for _, j := range s.touched {
			if fr := fresh(j); fr > 0 && s.tmp[j] > 0 {
				cands = append(cands, cand{float64(s.tmp[j]) * float64(fr), m.cat.items[j], s.cntAnchor[j], false})
			}
			s.tmp[j] = 0
		}
		s.touched = s.touched[:0]
		for j := range m.fresh {
			if v := fresh(int32(j)); v > 0 {
				cands = append(cands, cand{0.01 * float64(v), m.cat.items[j], -1, false})
			}
		}
	}
	slices.SortStableFunc(cands, func(a, b cand) int {
		switch {
		case a.score > b.score:
			return -1
		case a.score < b.score:
			return 1
		}
		return strings.Compare(a.item.ID, b.item.ID)
	})
	seen := map[string]bool{}
	for _, id := range req.Seen {
		seen[id] = true
	}
	out := make([]Recommendation, 0, n)
	taken := map[string]bool{}
	ok := func(it Item, launch bool) bool {
		if taken[it.ID] || req.Exclude[it.ID] || seen[it.ID] {
			return false
		}
		if launch {
			return req.launchFits(it)
		}
		j := m.cat.index[it.ID]
		return f.allowed(j) && f.stockOK(j)
	}
	for _, id := range req.Pins {
		if len(out) >= n {
			break
		}
		if j, known := m.cat.index[id]; known && ok(m.cat.items[j], false) {
			taken[id] = true
			out = append(out, Recommendation{ItemID: id, Score: 1, Reason: reasonPinned, Source: RulePinned})
		} else if li, isLaunch := l.lookup(id); isLaunch && ok(l.items[li], true) {
			taken[id] = true
			out = append(out, Recommendation{ItemID: id, Score: 1, Reason: reasonPinned, Source: RulePinned})
		}
	}
	top := 1.0
	if len(cands) > 0 && cands[0].score > 0 {
		top = cands[0].score
	}
	for _, c := range cands {
		if len(out) >= n {
			break
		}
		if !ok(c.item, c.launch) || req.Fits != nil && !req.Fits(c.item.ID) {
			continue
		}
		taken[c.item.ID] = true
		reason, personal := m.newReason(c.item.Created, req.Category), false
		if c.anchor >= 0 && m.isNewArrival(c.item.Created) {
			reason, personal = "New, like the "+m.nameOf(s, c.anchor)+" you viewed", true
		}
		out = append(out, Recommendation{ItemID: c.item.ID, Score: c.score / top, Reason: reason, Source: NewForYou.String(), Personal: personal})
	}
	// Backfill: the newest launches, then the newest trained products.
	if len(out) < n && l != nil {
		order := make([]int, len(l.items))
		for i := range order {
			order[i] = i
		}
		slices.SortStableFunc(order, func(a, b int) int { return l.items[b].Created.Compare(l.items[a].Created) })
		for _, li := range order {
			if len(out) >= n {
				break
			}
			if it := l.items[li]; ok(it, true) && (req.Fits == nil || req.Fits(it.ID)) {
				taken[it.ID] = true
				out = append(out, Recommendation{ItemID: it.ID, Reason: m.newReason(it.Created, req.Category), Source: New.String()})
			}
		}
	}
	for _, j := range m.pop.newOrder {
		if len(out) >= n {
			break
		}
		if it := m.cat.items[j]; ok(it, false) && (req.Fits == nil || req.Fits(it.ID)) {
			taken[it.ID] = true
			out = append(out, Recommendation{ItemID: it.ID, Reason: m.newReason(it.Created, req.Category), Source: New.String()})
		}
	}
	return out
}

// closestByContent keeps in h the m items of the inverted index terms whose
// content is most like the term vector (ids, ws), by dot product, above
// 0.05: terms used by more than maxDF items are passed over, and so is item
// self (-1 for none). acc (one per item) must be all zero and is left so;
// touched is scratch space, returned for reuse.
func closestByContent(terms csr, ids []int32, ws []float32, maxDF int, self int32, acc []float32, touched []int32, h *topN, m int) []int32 {
	touched = touched[:0]
	for k, t := range ids {
		if int(t) >= terms.rows {
			continue
		}
		docsT, wt := terms.row(int(t))
		if len(docsT) > maxDF {
			continue
		}
		for p, j := range docsT {
			if acc[j] == 0 {
				touched = append(touched, j)
			}
			acc[j] += ws[k] * wt[p]
		}
	}
	h.reset(m)
	for _, j := range touched {
		if j != self && acc[j] > 0.05 {
			h.push(acc[j], j)
		}
		acc[j] = 0
	}
	return touched
}

// launchFits reports whether launch it may fill the row of req: available
// (req.Available, or active and in stock as the catalog had it) and within
// the row's category, brands and price range.
func (req *Request) launchFits(it Item) bool {
	if req.Available != nil {
		if !req.Available(it.ID) {
			return false
		}
	} else if !it.Active || it.Stock <= 0 {
		return false
	}
	if req.Category != "" && !strings.EqualFold(it.Category, req.Category) &&
		!slices.ContainsFunc(it.CategoryPath, func(c string) bool { return strings.EqualFold(c, req.Category) }) {
		return false
	}
	if len(req.Brands) > 0 && !BrandIn(req.Brands, it.Brand) {
		return false
	}
	return (req.MinPriceCents <= 0 || it.PriceCents >= req.MinPriceCents) && (req.MaxPriceCents <= 0 || it.PriceCents <= req.MaxPriceCents)
}

// rowLaunches lists up to n launches of req.Launches that may fill the row
// of req (see Recommend), newest first: available and within the row's
// filters (launchFits, Fits), not pinned, excluded, of an excluded category
// or brand, bought in the session or, with ExcludeSeen, interacted with,
// one per product group, the group taken from f.
func (m *Model) rowLaunches(req Request, f *filter, pins []string, n int) []Item {
	l := req.Launches
	if l == nil || l.model != m || n <= 0 {
		return nil
	}
	var out []Item
	for _, it := range l.items { // newest first (Model.Launches)
		if len(out) >= n {
			break
		}
		if req.Exclude[it.ID] || slices.Contains(pins, it.ID) || !req.launchFits(it) || req.Fits != nil && !req.Fits(it.ID) ||
			!req.AllowRepurchase && boughtInSession(req.Recent, it.ID) || len(req.ExcludeBrands) > 0 && BrandIn(req.ExcludeBrands, it.Brand) ||
			slices.ContainsFunc(req.ExcludeCategories, func(c string) bool {
				return strings.EqualFold(c, it.Category) || slices.ContainsFunc(it.CategoryPath, func(p string) bool { return strings.EqualFold(c, p) })
			}) {
			continue
		}
		if len(f.once) > 0 && slices.Contains(f.once, m.cat.launchLeaf(it)) {
			continue // a category the shopper bought in and the shop buys once
		}
		if req.ExcludeSeen && (slices.Contains(req.Seen, it.ID) || slices.ContainsFunc(req.Recent, func(e Event) bool { return e.Item == it.ID })) {
			continue
		}
		if f.group != nil {
			if g := f.group(it.ID); g != "" {
				if f.groups[g] {
					continue
				}
				f.groups[g] = true
			}
		}
		out = append(out, it)
	}
	return out
}

// newestFirst orders items by creation, newest first, then by id.
func newestFirst(a, b Item) int {
	if c := b.Created.Compare(a.Created); c != 0 {
		return c
	}
	return strings.Compare(a.ID, b.ID)
}

// BrandIn reports whether brand is one of brands as a row's brand filter
// matches it (the model's own brand index too): case-insensitive, the
// spaces around either ignored. The catalog's check of a row's filters
// (shop) asks it as well.
func BrandIn(brands []string, brand string) bool {
	brand = strings.TrimSpace(brand)
	return slices.ContainsFunc(brands, func(b string) bool { return strings.EqualFold(strings.TrimSpace(b), brand) })
}

// boughtInSession reports whether the session events include a purchase of
// item id (a launch, which no trained history holds).
func boughtInSession(recent []Event, id string) bool {
	return slices.ContainsFunc(recent, func(e Event) bool { return e.Item == id && e.Type == Purchase })
}
