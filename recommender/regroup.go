package recommender

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// A tree's first level is not always the shopper's taste. A department
// store files `Bexley > Shoes`, `Corvin > Shoes`: the category is the
// brand's boutique, while a shopper of shoes buys shoes of every brand, and
// the type is shared only by the leaf's name. Elsewhere one name under
// several parents means different things (`Women > Shoes` and `Men > Shoes`,
// the same "Small" under every branch of a deep tree), and the shopper keeps
// to one parent. Which it is, is read from the shop's own shoppers, one
// repeated name at a time: each product a shopper touched is predicted from
// the shopper's other products, once with the categories as filed and once
// with that name's categories read as one (the category's share of its
// name then spreads the name's chance among them). A name whose categories
// predict their shoppers' products better as one — by more than two
// standard errors over its shoppers — is read as one category by the
// recommender: every part that reads a shopper's categories (affinity,
// "popular in your categories", the words, calibration, the season, rows'
// leads and reasons) then sees the type across brands. The shop's catalog is
// unchanged; a catalog whose names are all distinct is returned untouched
// without reading an event.

// leafName is the name category c is shown by: the shop hands the
// recommender a category whose name another category shares as its path
// joined by " > " (so that `Women > Shoes` and `Men > Shoes` stay apart).
func leafName(c string) string {
	if k := strings.LastIndex(c, " > "); k >= 0 {
		return c[k+len(" > "):]
	}
	return c
}

// groupSmoothing is the weight, in products, of the shop's own category
// shares in a shopper's predicted categories (a shopper with one other
// product still leaves room for the rest of the shop).
const groupSmoothing = 1.0

// groupByLeafName returns d with the products of each repeated category
// name that its shoppers read as one (see above) filed at that name, and
// the names grouped so. d.Items is copied only when one is grouped.
// Cost: the items once; when a name repeats, the events once and a sort of
// the distinct shopper–product pairs.
func groupByLeafName(d Dataset) (Dataset, []string) {
	// Categories by name (ignoring case); only names under several parents.
	catOf := make([]int32, len(d.Items)) // -1: no category
	catIdx := map[string]int32{}
	var catName []int32 // per category: its name's id
	nameIdx := map[string]int32{}
	var nameCats []int32 // per name: how many categories
	var names []string
	for i, it := range d.Items {
		catOf[i] = -1
		if it.Category == "" {
			continue
		}
		c, ok := catIdx[it.Category]
		if !ok {
			c = int32(len(catName))
			catIdx[it.Category] = c
			key := strings.ToLower(leafName(it.Category))
			n, ok := nameIdx[key]
			if !ok {
				n = int32(len(names))
				nameIdx[key] = n
				names = append(names, leafName(it.Category))
				nameCats = append(nameCats, 0)
			}
			catName = append(catName, n)
			nameCats[n]++
		}
		catOf[i] = c
	}
	if !slices.ContainsFunc(nameCats, func(k int32) bool { return k > 1 }) {
		return d, nil
	}
	pairs, _ := shopperItemPairs(d, func(i int32) bool { return catOf[i] >= 0 })
	// The shop's shares: of its shopper–product pairs, per category and name.
	catPairs := make([]float64, len(catName))
	namePairs := make([]float64, len(names))
	for _, p := range pairs {
		c := catOf[uint32(p)]
		catPairs[c]++
		namePairs[catName[c]]++
	}
	total := float64(len(pairs))
	// Per repeated name, per shopper: the log-likelihood gained by reading
	// the name as one category, summed over the shopper's products of it.
	type sums struct{ n, s, ss float64 }
	gain := make([]sums, len(names))
	catCount := map[int32]float64{}
	nameCount := map[int32]float64{}
	userGain := map[int32]float64{}
	for a := 0; a < len(pairs); {
		u := pairs[a] >> 32
		b := a
		for ; b < len(pairs) && pairs[b]>>32 == u; b++ {
		}
		if b-a >= 2 {
			clear(catCount)
			clear(nameCount)
			clear(userGain)
			for _, p := range pairs[a:b] {
				c := catOf[uint32(p)]
				catCount[c]++
				nameCount[catName[c]]++
			}
			others := float64(b-a-1) + groupSmoothing
			for _, p := range pairs[a:b] {
				c := catOf[uint32(p)]
				n := catName[c]
				if nameCats[n] < 2 {
					continue
				}
				// The shopper's other products: this one left out.
				asFiled := (catCount[c] - 1 + groupSmoothing*(catPairs[c]/total)) / others
				asOne := (nameCount[n] - 1 + groupSmoothing*(namePairs[n]/total)) / others * (catPairs[c] / namePairs[n])
				userGain[n] += math.Log(asOne) - math.Log(asFiled)
			}
			for n, g := range userGain {
				gain[n].n++
				gain[n].s += g
				gain[n].ss += g * g
			}
		}
		a = b
	}
	grouped := make([]bool, len(names))
	var out []string
	for n, g := range gain {
		if nameCats[n] < 2 || g.n < 2 {
			continue
		}
		mean := g.s / g.n
		variance := (g.ss - g.n*mean*mean) / (g.n - 1)
		if mean > 0 && mean > 2*math.Sqrt(max(variance, 0)/g.n) {
			grouped[n] = true
			out = append(out, names[n])
		}
	}
	if len(out) == 0 {
		return d, nil
	}
	items := slices.Clone(d.Items)
	for i := range items {
		c := catOf[i]
		if c < 0 || !grouped[catName[c]] {
			continue
		}
		// The name takes the filed category's place on the path: the
		// parts read the parent and the name (a row or request naming the
		// category as filed finds its products by both: filedCategory).
		name := names[catName[c]]
		path := slices.Clone(items[i].CategoryPath)
		if k := len(path) - 1; k >= 0 && path[k] == items[i].Category {
			path[k] = name
		} else {
			path = append(path, name)
		}
		items[i].CategoryPath = path
		items[i].Category = name
	}
	d.Items = items
	slices.Sort(out)
	return d, out
}

// filedCategory finds a category named as the shop files it (`Bexley >
// Shoes`) that the recommender reads as one with its name's other
// categories (groupByLeafName): the name's category and the parent's, whose
// products together are the filed category's. ok is false when the name is
// no such category.
func (c *catalog) filedCategory(filed string) (name, parent int32, ok bool) {
	k := strings.LastIndex(filed, " > ")
	if k < 0 {
		return -1, -1, false
	}
	name, ok = c.catIndex[filed[k+len(" > "):]]
	if !ok {
		return -1, -1, false
	}
	// The parent is known by its path when its own name repeats, else by
	// its name.
	above := filed[:k]
	if parent, ok = c.catIndex[above]; ok {
		return name, parent, true
	}
	parent, ok = c.catIndex[leafName(above)]
	return name, parent, ok
}

// describeGrouped is the line `train` prints of groupByLeafName.
func describeGrouped(names []string) string {
	if len(names) == 0 {
		return ""
	}
	shown := names
	if len(shown) > 5 {
		shown = shown[:5]
	}
	more := ""
	if len(names) > len(shown) {
		more = fmt.Sprintf(" and %d more", len(names)-len(shown))
	}
	what := fmt.Sprintf("%d names filed under several parents are each read as one category", len(names))
	if len(names) == 1 {
		what = "1 name filed under several parents is read as one category"
	}
	return fmt.Sprintf("categories: %s, since their shoppers move across the parents (%s%s; the shop's catalog is unchanged)", what, strings.Join(shown, ", "), more)
}
