package shop

import (
	"cmp"
	"math"
	"slices"
	"sort"

	"storefront/models"
)

// Sort orders a listing can take.
const (
	SortRelevance = "relevance" // search only: the search's own ranking
	SortPopular   = models.SortPopular
	SortPriceAsc  = models.SortPriceAsc
	SortPriceDesc = models.SortPriceDesc
	SortNewest    = models.SortNewest
)

// listIndex is what category pages and search results are filtered,
// counted, sorted and paged from: the snapshot's active products in compact
// form with their orders precomputed, so a listing is one pass over
// integers and needs no query.
type listIndex struct {
	items    []listItem
	pos      map[uint]int32 // product id → index into items
	popular  []int32        // item indexes, most popular first
	newest   []int32
	cheapest []int32
	brands   []string         // sorted brand names
	catIdx   map[uint]int32   // category id → dense index
	catNodes []*CatNode       // dense index → node
	under    map[uint][]int32 // category id → dense indexes of it and every category below
	// groups is how many product groups of two or more listed products
	// the index holds; grp is each item's group (dense), -1 for a product
	// listed on its own, nil when there are no groups (the items stay
	// small for the scan of a catalog without groups).
	groups int
	grp    []int32
}

type listItem struct {
	p     *models.Product
	brand int32
	cat   int32
	price int64
}

func buildListIndex(c *Catalog) *listIndex {
	li := &listIndex{catIdx: make(map[uint]int32, len(c.byCatID)), under: make(map[uint][]int32, len(c.byCatID))}
	ids := make([]uint, 0, len(c.byCatID))
	for id := range c.byCatID {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		li.catIdx[id] = int32(len(li.catNodes))
		li.catNodes = append(li.catNodes, c.byCatID[id])
	}
	for _, n := range li.catNodes {
		dense := make([]int32, 0, len(n.Descendants))
		for _, d := range n.Descendants {
			dense = append(dense, li.catIdx[d])
		}
		li.under[n.ID] = dense
	}
	brandSet := map[string]bool{}
	for i := range c.products {
		if p := &c.products[i]; p.Active {
			brandSet[p.Brand] = true
		}
	}
	for b := range brandSet {
		li.brands = append(li.brands, b)
	}
	sort.Strings(li.brands)
	li.pos = make(map[uint]int32, len(c.products))
	for i := range c.products {
		p := &c.products[i]
		cat, ok := li.catIdx[p.CategoryID]
		if !p.Active || !ok {
			continue
		}
		b, _ := slices.BinarySearch(li.brands, p.Brand)
		li.pos[p.ID] = int32(len(li.items))
		li.items = append(li.items, listItem{p: p, brand: int32(b), cat: cat, price: p.PriceCents})
	}
	// A group of two or more listed products is listed as one card.
	members := map[string][]int32{}
	for i := range li.items {
		if g := li.items[i].p.GroupID; g != "" {
			members[g] = append(members[g], int32(i))
		}
	}
	for _, m := range members {
		if len(m) < 2 {
			continue
		}
		if li.grp == nil {
			li.grp = make([]int32, len(li.items))
			for i := range li.grp {
				li.grp[i] = -1
			}
		}
		for _, i := range m {
			li.grp[i] = int32(li.groups)
		}
		li.groups++
	}
	// Every order ends on the id, so an unstable sort gives one answer.
	order := func(cmpOf func(a, b *listItem) int) []int32 {
		o := make([]int32, len(li.items))
		for i := range o {
			o[i] = int32(i)
		}
		slices.SortFunc(o, func(i, j int32) int {
			if c := cmpOf(&li.items[i], &li.items[j]); c != 0 {
				return c
			}
			return cmp.Compare(li.items[i].p.ID, li.items[j].p.ID)
		})
		return o
	}
	li.popular = order(func(a, b *listItem) int { return cmp.Compare(b.p.Popularity, a.p.Popularity) })
	li.newest = order(func(a, b *listItem) int { return b.p.CreatedAt.Compare(a.p.CreatedAt) })
	li.cheapest = order(func(a, b *listItem) int { return cmp.Compare(a.price, b.price) })
	return li
}

// ListQuery asks for one page of a category or of search results.
type ListQuery struct {
	// Under restricts the listing to a category and everything below it.
	Under *CatNode
	// Searched lists Candidates, search results in relevance order (the
	// first Full of them match every word of the query), instead of the
	// catalog.
	Searched   bool
	Candidates []uint
	Full       int
	Brands     []string
	MinPrice   int64 // cents, 0 for no bound
	MaxPrice   int64
	Sort       string
	Page       int
	PerPage    int
}

// Listing is one page of products with the counts that let a shopper narrow
// it. Each facet's counts apply every filter except its own, so a brand's
// count is what choosing it would show at the current price.
type Listing struct {
	Products []*models.Product
	// Groups, when the catalog has product groups, says for each of
	// Products the group its card stands for (zero for a product on its
	// own).
	Groups []ListedGroup
	Total  int
	// Full is how many of the listed search results (the first ones)
	// match every word of the query.
	Full       int
	Page       int // the page shown (1-based)
	Pages      int
	Brands     []BrandCount
	Categories []CategoryCount
	Prices     []PriceRange
}

// ListedGroup is what one card of a listing stands for: the products of a
// group (the sizes or colours of one model) that match the listing. The
// card shows one of them, the representative: in stock if any is, and
// first in the listing's order (the most popular, the cheapest, the best
// search match). Facet counts, totals and pages count groups.
type ListedGroup struct {
	// Name is the group's name (Catalog.GroupName) when the card stands
	// for two or more products; "" when it stands for one, which is then
	// named by its own title.
	Name string
	// Count is how many products of the group match.
	Count int
	// PriceCents is the lowest price among them (among those in stock,
	// when any is); From says their prices differ ("from $49").
	PriceCents int64
	From       bool
}

// groupAgg gathers the matching products of one group during a listing.
type groupAgg struct {
	n, inStock     int32
	minAll, maxAll int64
	minIn, maxIn   int64
	slot           int32 // its card's place in matched, -1 none yet
}

func (a *groupAgg) add(it *listItem) {
	if a.n == 0 || it.price < a.minAll {
		a.minAll = it.price
	}
	a.maxAll = max(a.maxAll, it.price)
	if it.p.InStock() {
		if a.inStock == 0 || it.price < a.minIn {
			a.minIn = it.price
		}
		a.maxIn = max(a.maxIn, it.price)
		a.inStock++
	}
	a.n++
}

// price is the group's price as its card shows it: the lowest among its
// matching products in stock (all of them when none is), and whether they
// differ.
func (a *groupAgg) price() (int64, bool) {
	if a.inStock > 0 {
		return a.minIn, a.maxIn != a.minIn
	}
	return a.minAll, a.maxAll != a.minAll
}

// onceKey counts a group once in one facet value.
type onceKey struct {
	facet uint8 // 0 brand, 1 category, 2 price range
	grp   int32
	value int32
}

// BrandCount is a brand with the number of products it would show.
type BrandCount struct {
	Name     string
	Count    int
	Selected bool
}

// CategoryCount is a category with the number of products it would show.
type CategoryCount struct {
	Node  *CatNode
	Count int
}

// PriceRange is a price bracket from Min to Max cents, both included (Max 0:
// no upper bound).
type PriceRange struct {
	Min, Max int64
	Count    int
	Selected bool
}

// List filters, counts, sorts and pages. The category facet counts the
// children of Under (every category with results when Under is nil or a
// leaf, for search).
func (c *Catalog) List(q ListQuery) Listing {
	li := c.list()
	var out Listing
	inCat, wantBrand := li.categoriesOf(q.Under), li.brandsOf(q.Brands)
	okPrice := func(p int64) bool { return p >= q.MinPrice && (q.MaxPrice == 0 || p <= q.MaxPrice) }
	facetOf, facetNodes := li.categoryFacets(q.Under)
	catCounts := make([]int, len(facetNodes))
	brandCounts := make([]int, len(li.brands))

	relevance := q.Searched
	order := li.candidates(q)
	var prices []int64 // every price in the unfiltered set, for the brackets
	matched := make([]int32, 0, 64)
	full := 0 // of matched, how many are full search matches
	// A catalog with product groups lists one card per group: its place
	// is its first matching product's (its first in stock, once one is
	// seen: the one the card shows) and each facet counts it once.
	var aggs []groupAgg
	// first[facet][g] is the value (+1) the group was first counted in;
	// a group whose products differ there (sizes priced in two ranges)
	// is remembered in once for its other values.
	var first [3][]int32
	var once map[onceKey]bool
	var ranks []int // with groups, each matched card's place in order
	if li.groups > 0 {
		aggs = make([]groupAgg, li.groups)
		for g := range aggs {
			aggs[g].slot = -1
		}
		marks := make([]int32, 3*li.groups)
		for f := range first {
			first[f] = marks[f*li.groups : (f+1)*li.groups]
		}
	}
	counts := func(facet uint8, g, v int32) bool {
		if g < 0 {
			return true
		}
		switch m := first[facet][g]; m {
		case 0:
			first[facet][g] = v + 1
			return true
		case v + 1:
			return false
		}
		k := onceKey{facet, g, v}
		if once[k] {
			return false
		}
		if once == nil {
			once = map[onceKey]bool{}
		}
		once[k] = true
		return true
	}
	for k, i := range order {
		it := &li.items[i]
		if !relevance && !it.p.InListings() {
			continue // found by search only
		}
		cOK := inCat == nil || inCat[it.cat]
		if !cOK && q.Under != nil && !relevance {
			continue
		}
		bOK := wantBrand == nil || wantBrand[it.brand]
		pOK := okPrice(it.price)
		if cOK {
			prices = append(prices, it.price)
		}
		grp := int32(-1) // a catalog without groups: every product is a card
		if aggs != nil {
			grp = li.grp[i]
		}
		if cOK && pOK && counts(0, grp, it.brand) {
			brandCounts[it.brand]++
		}
		if bOK && pOK {
			if f := facetOf[it.cat]; f >= 0 && (relevance || cOK) && counts(1, grp, f) {
				catCounts[f]++
			}
		}
		if !cOK || !bOK || !pOK {
			continue
		}
		if grp >= 0 {
			a := &aggs[grp]
			a.add(it)
			if a.slot >= 0 && (!it.p.InStock() || li.items[matched[a.slot]].p.InStock()) {
				continue
			}
			if a.slot >= 0 {
				matched[a.slot] = -1 // the first in stock takes the card's place
			}
			a.slot = int32(len(matched))
		}
		matched = append(matched, i)
		if aggs != nil {
			ranks = append(ranks, k)
		} else if relevance && k < q.Full {
			full++
		}
	}
	if aggs != nil {
		n := 0
		for s, i := range matched {
			if i < 0 {
				continue
			}
			matched[n], ranks[n] = i, ranks[s]
			if relevance && ranks[n] < q.Full {
				full++
			}
			n++
		}
		matched = matched[:n]
	}
	var priceOf func(i int32) int64 // a card's price: its group's; nil for the product's own
	if aggs != nil {
		priceOf = func(i int32) int64 {
			if g := li.grp[i]; g >= 0 {
				p, _ := aggs[g].price()
				return p
			}
			return li.items[i].price
		}
	}
	if relevance && q.Sort != "" && q.Sort != SortRelevance {
		// Full matches stay ahead of partial ones whatever the order.
		sortItems(li, matched[:full], q.Sort, priceOf)
		sortItems(li, matched[full:], q.Sort, priceOf)
	} else if q.Sort == SortPriceDesc {
		slices.Reverse(matched)
	}
	// Sold-out products follow those a shopper can buy, in every order (and
	// among search results, within the full and within the partial
	// matches): a first page of products nobody can order is a dead end.
	soldOutLast(li, matched[:full])
	soldOutLast(li, matched[full:])

	out.Total, out.Full = len(matched), len(matched)
	if relevance {
		out.Full = full
	}
	c.page(&out, li, matched, q, aggs)

	for i, n := range brandCounts {
		sel := wantBrand != nil && wantBrand[i]
		if n > 0 || sel {
			out.Brands = append(out.Brands, BrandCount{Name: li.brands[i], Count: n, Selected: sel})
		}
	}
	for k, n := range catCounts {
		if n > 0 {
			out.Categories = append(out.Categories, CategoryCount{Node: facetNodes[k], Count: n})
		}
	}
	if q.Under == nil || len(q.Under.Children) == 0 {
		// Search shows the categories with the most results first.
		slices.SortStableFunc(out.Categories, func(a, b CategoryCount) int { return b.Count - a.Count })
	}
	out.Prices = priceRanges(prices, li, order, q, inCat, wantBrand, counts)
	return out
}

// page fills the listing's page q.Page (clamped to the pages there are) of
// matched: its products and, in a catalog with groups, each card's group.
func (c *Catalog) page(out *Listing, li *listIndex, matched []int32, q ListQuery, aggs []groupAgg) {
	per := max(q.PerPage, 1)
	out.Pages = (out.Total + per - 1) / per
	out.Page = min(max(q.Page, 1), max(out.Pages, 1))
	from := (out.Page - 1) * per
	for _, i := range matched[min(from, len(matched)):min(from+per, len(matched))] {
		it := &li.items[i]
		out.Products = append(out.Products, it.p)
		if aggs == nil {
			continue
		}
		var lg ListedGroup
		if g := li.grp[i]; g >= 0 {
			a := &aggs[g]
			lg.Count = int(a.n)
			lg.PriceCents, lg.From = a.price()
			if a.n > 1 {
				lg.Name = c.GroupName(it.p.GroupID)
			}
		}
		out.Groups = append(out.Groups, lg)
	}
}

// categoriesOf marks, by dense category index, the categories at or below
// under; nil (every category) when under is nil.
func (li *listIndex) categoriesOf(under *CatNode) []bool {
	if under == nil {
		return nil
	}
	inCat := make([]bool, len(li.catNodes))
	for _, d := range li.under[under.ID] {
		inCat[d] = true
	}
	return inCat
}

// brandsOf marks, by brand index, the brands asked for; nil (every brand)
// when none is asked for, and none marked when only unknown brands are.
func (li *listIndex) brandsOf(brands []string) []bool {
	if len(brands) == 0 {
		return nil
	}
	want := make([]bool, len(li.brands))
	for _, b := range brands {
		if i, ok := slices.BinarySearch(li.brands, b); ok {
			want[i] = true
		}
	}
	return want
}

// categoryFacets says which categories the category facet counts: the
// children of under, each standing for everything below it; or, without
// children, each category on its own. facetOf maps a dense category index
// to its facet (-1: none).
func (li *listIndex) categoryFacets(under *CatNode) (facetOf []int32, facetNodes []*CatNode) {
	facetOf = make([]int32, len(li.catNodes))
	for i := range facetOf {
		facetOf[i] = -1
	}
	if under != nil && len(under.Children) > 0 {
		for k, ch := range under.Children {
			for _, d := range li.under[ch.ID] {
				facetOf[d] = int32(k)
			}
			facetNodes = append(facetNodes, ch)
		}
		return facetOf, facetNodes
	}
	for i, n := range li.catNodes {
		facetOf[i] = int32(i)
		facetNodes = append(facetNodes, n)
	}
	return facetOf, facetNodes
}

// candidates are the products in display order: search results, or a
// category's products in the order asked for.
func (li *listIndex) candidates(q ListQuery) []int32 {
	if q.Searched {
		order := make([]int32, 0, len(q.Candidates))
		for _, id := range q.Candidates {
			if i, ok := li.pos[id]; ok {
				order = append(order, i)
			}
		}
		return order
	}
	switch q.Sort {
	case SortNewest:
		return li.newest
	case SortPriceAsc, SortPriceDesc:
		return li.cheapest
	default:
		return li.popular
	}
}

// soldOutLast moves the items out of stock after the others, keeping each
// group's order.
func soldOutLast(li *listIndex, idx []int32) {
	var out []int32
	k := 0
	for _, i := range idx {
		if li.items[i].p.InStock() {
			idx[k] = i
			k++
		} else {
			out = append(out, i)
		}
	}
	copy(idx[k:], out)
}

// sortItems sorts search results; price, when set, is a card's price (its
// group's, for a card that stands for one), else the product's.
func sortItems(li *listIndex, idx []int32, key string, price func(int32) int64) {
	if price != nil && (key == SortPriceAsc || key == SortPriceDesc) {
		slices.SortStableFunc(idx, func(a, b int32) int {
			if key == SortPriceDesc {
				a, b = b, a
			}
			return cmp64(price(a), price(b))
		})
		return
	}
	slices.SortStableFunc(idx, func(a, b int32) int {
		x, y := &li.items[a], &li.items[b]
		switch key {
		case SortPriceAsc:
			return cmp64(x.price, y.price)
		case SortPriceDesc:
			return cmp64(y.price, x.price)
		case SortNewest:
			return y.p.CreatedAt.Compare(x.p.CreatedAt)
		case SortPopular:
			switch {
			case x.p.Popularity > y.p.Popularity:
				return -1
			case x.p.Popularity < y.p.Popularity:
				return 1
			}
		}
		return 0
	})
}

func cmp64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// priceRanges splits the listing's prices into up to five brackets with
// round edges at its quintiles (under $25, $25–$50, …), so the brackets fit
// the category (socks and sofas differ) and do not move as other filters
// change; each count applies every filter but price.
// counts says whether a product counts in facet value v (false for a group
// already counted there).
func priceRanges(prices []int64, li *listIndex, order []int32, q ListQuery, inCat, wantBrand []bool, counts func(facet uint8, g, v int32) bool) []PriceRange {
	if len(prices) < 2 {
		return nil
	}
	slices.Sort(prices)
	var edges []int64
	for k := 1; k < 5; k++ {
		e := roundPrice(prices[len(prices)*k/5])
		if e > prices[0] && (len(edges) == 0 || e > edges[len(edges)-1]) && e <= prices[len(prices)-1] {
			edges = append(edges, e)
		}
	}
	if len(edges) == 0 {
		return nil
	}
	ranges := make([]PriceRange, len(edges)+1)
	for k := range ranges {
		if k > 0 {
			ranges[k].Min = edges[k-1]
		}
		if k < len(edges) {
			ranges[k].Max = edges[k] - 1 // a product at exactly the edge is in the next range
		}
		ranges[k].Selected = q.MinPrice == ranges[k].Min && q.MaxPrice == ranges[k].Max && (q.MinPrice > 0 || q.MaxPrice > 0)
	}
	for _, i := range order {
		it := &li.items[i]
		if (inCat != nil && !inCat[it.cat]) || (wantBrand != nil && !wantBrand[it.brand]) {
			continue
		}
		k, _ := slices.BinarySearch(edges, it.price+1)
		if li.grp == nil || li.grp[i] < 0 || counts(2, li.grp[i], int32(k)) {
			ranges[k].Count++
		}
	}
	return ranges
}

// roundPrice rounds cents to a whole 1, 2 or 5 times a power of ten.
func roundPrice(cents int64) int64 {
	v := float64(cents) / 100
	if v < 1 {
		return 100
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	best := p
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if math.Abs(m*p-v) < math.Abs(best-v) {
			best = m * p
		}
	}
	return int64(best) * 100
}

// withProducts returns the index pointing at fresh copies of these products
// (their stock after an order), so listings show what the product page
// shows; orders and facets are kept until the next rebuild.
func (li *listIndex) withProducts(fresh []models.Product) *listIndex {
	if li == nil {
		return nil
	}
	cp := *li
	cp.items = slices.Clone(li.items)
	for i := range fresh {
		if k, ok := li.pos[fresh[i].ID]; ok {
			cp.items[k].p = &fresh[i]
		}
	}
	return &cp
}
