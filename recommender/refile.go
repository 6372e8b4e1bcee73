package recommender

import (
	"fmt"
	"slices"
	"strings"
)

// Shops often file a product one or two levels above where it belongs
// ("Clothing" for a V-neck tee the shop also files under "Clothing > Tees >
// V-neck"), while shoppers' tastes follow the finest level. The category
// parts (affinity, category popularity, the words, calibration, rows) then
// see a coarser category than the taste. Before training, each product
// filed at a category that has subcategories is read, for the recommender
// only, at the deepest subcategory its shoppers' other products are filed
// in: every shopper of the product who touched products filed below its
// category casts one vote, shared among those products' categories; the
// vote descends the tree while one child holds a clear majority of the
// votes cast below the current category and at least minRefileVotes of
// them. Thin or split evidence keeps the category the shop filed. The
// shop's catalog is unchanged; a catalog filed at one depth is never
// touched (no product is filed at a category with products below it).
const (
	minRefileVotes = 3   // shoppers' votes a subcategory needs before a product moves into it
	refileMajority = 0.6 // the share of the votes cast below a category one child needs
)

// refileByCoViews returns d with the products filed at a category that has
// subcategories re-filed where their shoppers' other products point (see
// above), and how many moved. d.Items is copied only when one moves.
// Cost: the events once, then for each distinct shopper of such a
// product the categories that shopper's products are filed in.
func refileByCoViews(d Dataset) (Dataset, int) {
	// The category tree, from the paths products are filed at.
	type node struct {
		parent, depth int
		name          string
		children      []int
	}
	nodes := []node{{parent: -1}} // 0: the root above every department
	index := map[string]int{}
	itemNode := make([]int, len(d.Items)) // the node each product is filed at; 0 when none
	var key strings.Builder
	for i, it := range d.Items {
		cur := 0
		key.Reset()
		for _, name := range it.CategoryPath {
			key.WriteString(name)
			key.WriteByte(0)
			id, ok := index[key.String()]
			if !ok {
				id = len(nodes)
				index[key.String()] = id
				nodes = append(nodes, node{parent: cur, depth: nodes[cur].depth + 1, name: name})
				nodes[cur].children = append(nodes[cur].children, id)
			}
			cur = id
		}
		itemNode[i] = cur
	}
	inner := func(n int) bool { return n > 0 && len(nodes[n].children) > 0 }
	if !slices.ContainsFunc(itemNode, inner) {
		return d, 0
	}
	pairs, shoppers := shopperItemPairs(d, nil)
	// Per shopper, the nodes their products are filed at with counts
	// (profile), and per product filed at an inner node, its shoppers.
	type entry struct{ node, n int32 }
	profStart := make([]int32, shoppers+1)
	var profile []entry
	shoppersOf := map[int32][]int32{}
	for a := 0; a < len(pairs); {
		u := int32(pairs[a] >> 32)
		b := a
		start := len(profile)
		for ; b < len(pairs) && int32(pairs[b]>>32) == u; b++ {
			i := int32(uint32(pairs[b]))
			n := int32(itemNode[i])
			if inner(int(n)) {
				shoppersOf[i] = append(shoppersOf[i], u)
			}
			if n == 0 {
				continue
			}
			if k := slices.IndexFunc(profile[start:], func(e entry) bool { return e.node == n }); k >= 0 {
				profile[start+k].n++
			} else {
				profile = append(profile, entry{n, 1})
			}
		}
		profStart[u+1] = int32(len(profile))
		a = b
	}
	for u := 1; u < len(profStart); u++ {
		profStart[u] = max(profStart[u], profStart[u-1])
	}
	// below reports whether node n lies strictly below node c.
	below := func(n, c int) bool {
		for nodes[n].depth > nodes[c].depth {
			n = nodes[n].parent
			if n == c {
				return true
			}
		}
		return false
	}
	votes := make([]float64, len(nodes))
	var touched []int
	var out []Item
	moved := 0
	for i := range d.Items {
		c := itemNode[i]
		us := shoppersOf[int32(i)]
		if !inner(c) || len(us) < minRefileVotes {
			continue
		}
		for _, u := range us {
			prof := profile[profStart[u]:profStart[u+1]]
			total := 0
			for _, e := range prof {
				// The product itself is in its shopper's profile, at c: not below it.
				if below(int(e.node), c) {
					total += int(e.n)
				}
			}
			if total == 0 {
				continue
			}
			for _, e := range prof {
				if !below(int(e.node), c) {
					continue
				}
				share := float64(e.n) / float64(total)
				for n := int(e.node); n != c; n = nodes[n].parent {
					if votes[n] == 0 {
						touched = append(touched, n)
					}
					votes[n] += share
				}
			}
		}
		to := c
		for {
			best, cast := -1, 0.0
			for _, ch := range nodes[to].children {
				cast += votes[ch]
				if best < 0 || votes[ch] > votes[best] {
					best = ch
				}
			}
			if best < 0 || votes[best] < minRefileVotes || votes[best] < refileMajority*cast {
				break
			}
			to = best
		}
		for _, n := range touched {
			votes[n] = 0
		}
		touched = touched[:0]
		if to == c {
			continue
		}
		if out == nil {
			out = slices.Clone(d.Items)
		}
		path := make([]string, nodes[to].depth)
		for n := to; n > 0; n = nodes[n].parent {
			path[nodes[n].depth-1] = nodes[n].name
		}
		out[i].CategoryPath = path
		out[i].Category = nodes[to].name
		moved++
	}
	if moved > 0 {
		d.Items = out
	}
	return d, moved
}

// readCategories is the catalog as the recommender reads it: products
// filed higher re-filed where their shoppers point (refileByCoViews), then
// the repeated names whose shoppers move across their parents read as one
// category (groupByLeafName). It returns what `train` says of either.
func readCategories(d Dataset) (Dataset, string) {
	d, moved := refileByCoViews(d)
	d, grouped := groupByLeafName(d)
	var said []string
	for _, s := range []string{describeRefiled(moved), describeGrouped(grouped)} {
		if s != "" {
			said = append(said, s)
		}
	}
	return d, strings.Join(said, "; ")
}

// shopperItemPairs returns each shopper's distinct products as sorted
// shopper<<32 | product pairs (products by their index in d.Items;
// impressions, and products keep refuses, left out), and how many shoppers
// there are. keep may be nil.
func shopperItemPairs(d Dataset, keep func(item int32) bool) ([]uint64, int) {
	itemIdx := make(map[string]int32, len(d.Items))
	for i, it := range d.Items {
		itemIdx[it.ID] = int32(i)
	}
	userIdx := map[string]int32{}
	pairs := make([]uint64, 0, len(d.Events))
	for _, e := range d.Events {
		if e.Type == Impression || e.User == "" {
			continue
		}
		i, ok := itemIdx[e.Item]
		if !ok || keep != nil && !keep(i) {
			continue
		}
		u, ok := userIdx[e.User]
		if !ok {
			u = int32(len(userIdx))
			userIdx[e.User] = u
		}
		pairs = append(pairs, uint64(u)<<32|uint64(uint32(i)))
	}
	slices.Sort(pairs)
	return slices.Compact(pairs), len(userIdx)
}

// refiled is readCategories for Fit and Tune: a content model trained on
// the catalog as filed is not reused when a product's category was read
// otherwise (the words include its category).
func refiled(d Dataset, opt FitOptions) (Dataset, FitOptions, string) {
	d, said := readCategories(d)
	if said != "" {
		opt.Content = nil
	}
	return d, opt, said
}

// describeRefiled is the line `train` prints of refileByCoViews.
func describeRefiled(moved int) string {
	if moved == 0 {
		return ""
	}
	return fmt.Sprintf("categories: %d products filed at a category that has subcategories are read at the subcategory their shoppers' other products are filed in (the shop's catalog is unchanged)", moved)
}
