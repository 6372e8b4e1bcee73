package recommender

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// Categories bought once. For a while after any purchase
// (ComposeOptions.AfterPurchase) personal rows leave the purchased
// product's category out and offer what goes with it; after that the
// category comes back. That is right where shoppers buy the same kind of
// product again (clothes, yarn, groceries) and wrong where a purchase ends
// the need (a phone, a sofa, a pram): a customer who bought a phone a
// month ago was shown "Top picks in Phones" led by "Like the phone you
// bought". Training learns from the shop's own purchases which categories
// its buyers seldom buy again: for each category, among its buyers who
// bought anything after their first purchase in it, how many bought a
// second product of it, against how many would if each of their later
// purchases fell in it at its share of the shop's purchases, less the
// share of the product they bought first (a second product is another
// one: a category whose best seller takes most of its sales is not
// bought once for that). A category
// whose buyers buy it again at less than onceMaxLift of that rate, with
// enough buyers to tell, is left out of a shopper's personal list once they
// bought in it, wherever the list is served: the homepage's rows
// (boughtCategories), the hybrid list `recommend` and the recommendations
// API answer (newFilter), and the lists tuning scores its choices by
// (cacheFor), so that tuning chooses with the list that is served.

// onceMinBuyers is how many buyers with a later purchase a category needs
// before training judges it.
const onceMinBuyers = 20

// onceMinExpected is how many of those buyers would buy the category again
// by chance, at the least, for their not doing so to tell anything.
const onceMinExpected = 5.0

// onceMaxLift is the repeat rate, as a share of the chance rate, below
// which a category counts as bought once.
const onceMaxLift = 0.5

// onceCategories returns the categories (Item.Category, sorted) whose
// buyers seldom buy a second product of them, from the purchases in the
// cleaned events by shopper, then time.
func onceCategories(s *signals, cat *catalog) []string {
	leaf := make([]int32, len(cat.items)) // item → its Category's id, or -1
	for i, it := range cat.items {
		leaf[i] = -1
		if id, ok := cat.catIndex[it.Category]; ok && it.Category != "" {
			leaf[i] = id
		}
	}
	C := len(cat.categories)
	share := make([]float64, C)
	itemShare := make([]float64, len(cat.items))
	var total float64
	// Per shopper, each category's purchases: the position of its first
	// among the shopper's distinct purchased products and how many.
	type catRun struct {
		first, n int
		item     int32 // the product bought first
	}
	// firstBuy is a shopper's first purchase in a category: how many
	// distinct products they bought after it, and whether one was of it.
	type firstBuy struct {
		cat, item int32
		later     int
		again     bool
	}
	var firsts []firstBuy
	runs := map[int32]*catRun{}
	bought := map[int32]bool{}
	var order []int32 // the shopper's categories in the order first bought
	forEachUserRun(s.byTime, func(run []compactEvent) {
		clear(runs)
		clear(bought)
		order = order[:0]
		n := 0
		for _, e := range run {
			if e.typ != Purchase || int(e.item) >= len(leaf) || leaf[e.item] < 0 || bought[e.item] {
				continue
			}
			bought[e.item] = true
			c := leaf[e.item]
			if r, ok := runs[c]; ok {
				r.n++
			} else {
				runs[c] = &catRun{first: n, n: 1, item: e.item}
				order = append(order, c)
			}
			n++
			share[c]++
			itemShare[e.item]++
			total++
		}
		for _, c := range order {
			if later := n - runs[c].first - 1; later > 0 {
				firsts = append(firsts, firstBuy{c, runs[c].item, later, runs[c].n > 1})
			}
		}
	})
	if total == 0 {
		return nil
	}
	for c := range share {
		share[c] /= total
	}
	for j := range itemShare {
		itemShare[j] /= total
	}
	buyers := make([]int, C)
	again := make([]int, C)
	expected := make([]float64, C)
	for _, f := range firsts {
		buyers[f.cat]++
		others := max(share[f.cat]-itemShare[f.item], 0)
		expected[f.cat] += 1 - math.Pow(1-others, float64(f.later))
		if f.again {
			again[f.cat]++
		}
	}
	var out []string
	for c := range C {
		if buyers[c] >= onceMinBuyers && expected[c] >= onceMinExpected && float64(again[c]) < onceMaxLift*expected[c] {
			out = append(out, cat.categories[c])
		}
	}
	slices.Sort(out)
	return out
}

// boughtOnce reports whether category is one the shop's buyers seldom buy
// again (onceCategories).
func (m *Model) boughtOnce(category string) bool {
	_, ok := slices.BinarySearch(m.once, category)
	return ok
}

// boughtOnceLeaves appends to dst the categories bought once (their ids)
// in which the shopper bought a product: in training (user, -1 for none)
// or since (recent).
func (m *Model) boughtOnceLeaves(dst []int32, user int32, recent []Event) []int32 {
	if len(m.once) == 0 {
		return dst
	}
	add := func(j int32) {
		if c := m.cat.leafCat[j]; c >= 0 && !slices.Contains(dst, c) && m.boughtOnce(m.cat.categories[c]) {
			dst = append(dst, c)
		}
	}
	if user >= 0 {
		for k := m.ui.indptr[user]; k < m.ui.indptr[user+1]; k++ {
			if m.kind[k] == Purchase {
				add(m.ui.indices[k])
			}
		}
	}
	for _, e := range recent {
		if j, ok := m.cat.index[e.Item]; ok && e.Type == Purchase {
			add(j)
		}
	}
	return dst
}

// eachInLeaves calls fn with every product whose category is one of leaves.
func (m *Model) eachInLeaves(leaves []int32, fn func(j int32)) {
	for _, c := range leaves {
		for _, j := range m.cat.inLeaf.of(c) {
			fn(j)
		}
	}
}

// describeOnce is train's line on the categories bought once.
func describeOnce(once []string) string {
	if len(once) == 0 {
		return ""
	}
	names := once
	more := ""
	if len(names) > 8 {
		names, more = names[:8], fmt.Sprintf(" and %d more", len(once)-8)
	}
	return fmt.Sprintf("categories bought once: %s%s — their buyers seldom buy a second one, so a shopper who bought one is not offered more of it",
		strings.Join(names, ", "), more)
}
