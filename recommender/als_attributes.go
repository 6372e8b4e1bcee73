package recommender

import (
	"cmp"
	"slices"
	"strings"

	"gonum.org/v1/gonum/blas/blas32"
)

// The products' attributes as the prior of ALS's item factors: plain ALS
// regularises every product's factors toward zero, so a product few
// shoppers touched scores near zero for everyone. Here the regularisation
// is centred on the mean factors of the product's attributes — each
// category on its path, its brand, its rarer words — where an attribute's
// factors are the mean of its products' (a hierarchical prior, as in
// LightFM's item = sum of its features, but fit by ALS). A product with
// many shoppers is decided by them; one with few or none (a launch, the
// long tail) sits where its department, brand and style words put it, so
// a shopper of that style reaches it across departments.

// itemAttributes builds the attributes × items matrix (binary) of the
// catalog: the categories on each product's path, its brand and its
// rarer words (title and description, the content model's tokens; at most
// maxItemWords of each product's rarest). A word on a single product links
// nothing and a word on more than half of them separates nothing: both
// are left out, as is any attribute of fewer than two products.
func itemAttributes(cat *catalog) csr {
	n := len(cat.items)
	ids := map[string]int32{}
	var df []int32
	lists := make([][]int32, n)
	add := func(i int, key string) {
		id, ok := ids[key]
		if !ok {
			id = int32(len(ids))
			ids[key] = id
			df = append(df, 0)
		}
		lists[i] = append(lists[i], id)
	}
	words := make([][]int32, n)
	for i, it := range cat.items {
		for _, c := range cat.itemCats[i] {
			add(i, "cat:"+cat.categories[c])
		}
		if b := strings.ToLower(strings.TrimSpace(it.Brand)); b != "" {
			add(i, "brand:"+b)
		}
		from := len(lists[i])
		for _, t := range tokenize(it.Title) {
			add(i, t)
		}
		for _, t := range tokenize(it.Description) {
			add(i, t)
		}
		w := slices.Clone(lists[i][from:])
		slices.Sort(w)
		words[i] = slices.Compact(w)
		lists[i] = lists[i][:from]
		slices.Sort(lists[i])
		lists[i] = slices.Compact(lists[i])
	}
	for i := range n {
		for _, id := range lists[i] {
			df[id]++
		}
		for _, id := range words[i] {
			df[id]++
		}
	}
	for i := range n {
		w := slices.DeleteFunc(words[i], func(id int32) bool { return df[id] < 2 || int(df[id]) > n/2 })
		if len(w) > maxItemWords {
			slices.SortStableFunc(w, func(a, b int32) int { return cmp.Compare(df[a], df[b]) })
			w = w[:maxItemWords]
		}
		lists[i] = append(lists[i], w...)
	}
	// Items × attributes, then transposed to attributes × items; the
	// attributes no two products share are dropped by renumbering.
	keep := make([]int32, len(df))
	cols := int32(0)
	for id, c := range df {
		keep[id] = -1
		if c >= 2 {
			keep[id] = cols
			cols++
		}
	}
	byItem := csr{rows: n, cols: int(cols), indptr: make([]int32, n+1)}
	for i, l := range lists {
		var row []int32
		for _, id := range l {
			if keep[id] >= 0 {
				row = append(row, keep[id])
			}
		}
		slices.Sort(row)
		row = slices.Compact(row)
		byItem.indices = append(byItem.indices, row...)
		for range row {
			byItem.data = append(byItem.data, 1)
		}
		byItem.indptr[i+1] = int32(len(byItem.indices))
	}
	return byItem.transpose()
}

// attributePrior sets prior (items × k) to each item's mean of its
// attributes' factors, an attribute's factors being the mean of its items'
// factors f (attrs is attributes × items, byItem its transpose; z is
// attributes × k scratch). Items without attributes get zero, as in plain
// ALS.
func attributePrior(prior, f []float32, attrs, byItem *csr, k, workers int, z []float32) {
	vec := func(d []float32) blas32.Vector { return blas32.Vector{N: len(d), Data: d, Inc: 1} }
	// meanRows sets dst's row r to the mean of src's rows listed in m's row r.
	meanRows := func(dst, src []float32, m *csr) {
		parallelRange(m.rows, workers, func(next func() (int, int, bool)) {
			for {
				lo, hi, ok := next()
				if !ok {
					return
				}
				for r := lo; r < hi; r++ {
					d := vec(dst[r*k : (r+1)*k])
					clear(d.Data)
					rows, _ := m.row(r)
					for _, i := range rows {
						blas32.Axpy(1, vec(src[int(i)*k:int(i+1)*k]), d)
					}
					if len(rows) > 0 {
						blas32.Scal(1/float32(len(rows)), d)
					}
				}
			}
		})
	}
	meanRows(z, f, attrs)
	meanRows(prior, z, byItem)
}
