package recommender

import (
	"cmp"
	"math"
	"slices"
	"sync"
)

// A page for a visitor the shop knows nothing about is shared by every such
// visitor, and each of them came for something the shop sells. Its rows
// should together reach as much of what the shop's shoppers want as they
// can, not show the best sellers of the same few departments in every row:
// demandCover tracks, while a stranger's page is filled, how much of the
// shop's demand (its products' popularity, by category and price) the cards
// above already offer, and the rows the recommender fills pick, among their
// own best candidates, those that offer the most of the rest.
//
// A card offers what it is like: products of its leaf category at a price
// near its own (coverPriceWidth). A shopper shown one such card is less
// likely to be still looking for that demand than for the rest, so every
// card shown takes some of the demand it offers, as much as shoppers read it
// where it is (the first cards of the page most, those low on it little),
// and the next cards go to demand the page's cards have not offered yet to
// those who read them: another category, or the same category at another
// price level. Passed products (a visitor back without
// having opened any of them) count too, so their next page starts where the
// last one left off: a card the visitor read and passed over says they did
// not want what it offers (coverOpened of it), one low on the page that they
// likely never read says little, so each takes as much as it was likely read
// (ReadChance).

// coverOpened is how many of the shoppers who read a card and want what it
// offers open it: a visitor who read it and opened nothing was most likely
// not after that demand.
const coverOpened = 0.8

// readRow and readCard are how much of a homepage's attention is left from
// one row to the next and from one card to the next along a row: shoppers
// read a page from the top and a row from its start, and fewer of them get
// further down (the position bias of eye-tracking and click studies).
const (
	readRow  = 0.7
	readCard = 0.8
)

// ReadChance is the chance a shopper reads the card at place (0-based) of
// the row-th row (0-based, counting the rows with products) of a homepage.
func ReadChance(row, place int) float64 {
	return math.Pow(readRow, float64(row)) * math.Pow(readCard, float64(place))
}

// coverPriceWidth is how far apart in log price two products of a category
// still serve the same shopper (a factor of about 1.65 at one width).
const coverPriceWidth = 0.5

// coverPool is how many of a row's own best candidates per card it picks
// from: the row stays what it is (best sellers, trending, new arrivals), in
// the order of what it offers the page.
const coverPool = 4

// coverPerCategory bounds the products whose demand is tracked per leaf
// category (the most popular ones), so large catalogs cost no more.
const coverPerCategory = 64

// demandIndex is the shop's demand by leaf category: each category's most
// popular products, their popularity and log price.
type demandIndex struct {
	items    [][]int32 // per leaf category
	mass     [][]float32
	logPrice [][]float32 // NaN for a product without a price
}

type demandIndexOnce struct {
	once sync.Once
	idx  demandIndex
}

func (m *Model) demandIndex() *demandIndex {
	m.demand.once.Do(func() {
		n := len(m.cat.categories)
		d := demandIndex{items: make([][]int32, n), mass: make([][]float32, n), logPrice: make([][]float32, n)}
		// The demand of the shop's strangers: the new shopper's popularity.
		pop, order := m.newcomerPop(), m.newcomerOrder()
		for _, j := range order {
			c := m.cat.leafCat[j]
			if c < 0 || len(d.items[c]) >= coverPerCategory || pop[j] <= 0 {
				continue
			}
			d.items[c] = append(d.items[c], j)
			d.mass[c] = append(d.mass[c], pop[j])
			d.logPrice[c] = append(d.logPrice[c], logPriceOf(m, j))
		}
		m.demand.idx = d
	})
	return &m.demand.idx
}

func logPriceOf(m *Model, j int32) float32 {
	if p := m.cat.items[j].PriceCents; p > 0 {
		return float32(math.Log(float64(p)))
	}
	return float32(math.NaN())
}

// priceNear is how closely two log prices serve the same shopper, in (0, 1];
// 1 when either product has no price.
func priceNear(a, b float32) float32 {
	if a != a || b != b { // NaN: no price
		return 1
	}
	x := float64(a-b) / coverPriceWidth
	return float32(math.Exp(-0.5 * x * x))
}

// demandCover is the share of each tracked product's demand a stranger's
// page has not offered yet (1 until a card near it is shown).
type demandCover struct {
	m    *Model
	idx  *demandIndex
	left [][]float32 // per leaf category, parallel to idx.items; nil until touched
	done map[int32]bool
	row  int // the page's row being filled, 0-based among the rows with products
}

func newDemandCover(m *Model) *demandCover {
	return &demandCover{m: m, idx: m.demandIndex(), left: make([][]float32, len(m.cat.categories)), done: map[int32]bool{}}
}

// offers is the demand not yet offered that product j would offer, were
// the products picked also on the page.
func (c *demandCover) offers(j int32, picked []int32) float32 {
	leaf := c.m.cat.leafCat[j]
	if leaf < 0 {
		return c.m.newcomerPop()[j]
	}
	lp := logPriceOf(c.m, j)
	var sameLeaf []float32 // the log prices of the picked products of j's category
	var sameTake []float32 // and what each takes at its place in the row
	for k, p := range picked {
		if c.m.cat.leafCat[p] == leaf {
			sameLeaf = append(sameLeaf, logPriceOf(c.m, p))
			sameTake = append(sameTake, c.takes(k))
		}
	}
	left := c.left[leaf]
	var v float32
	for k, mass := range c.idx.mass[leaf] {
		if left != nil {
			mass *= left[k]
		}
		at := c.idx.logPrice[leaf][k]
		for i, plp := range sameLeaf {
			mass *= 1 - sameTake[i]*priceNear(plp, at)
		}
		v += mass * priceNear(lp, at)
	}
	return v
}

// takes is how much of the demand it offers the card at place (0-based)
// of the row being filled takes: a shopper who reads it and wants what it
// offers opens it (coverOpened), and fewer read it further down the page
// and along its row (ReadChance), so the cards below still offer the
// demand of a card few read to those who did not.
func (c *demandCover) takes(place int) float32 {
	return float32(coverOpened * ReadChance(c.row, place))
}

// shown records that product j is on the page, at place of the row being
// filled.
func (c *demandCover) shown(j int32, place int) {
	if c.done[j] {
		return
	}
	c.done[j] = true
	c.take(j, c.takes(place))
}

// passedOver records the products a visitor passed over on their earlier
// pages, read[i] the chance they read ids[i] (1 when read is short):
// each takes coverOpened of its demand as far as it was read.
func (c *demandCover) passedOver(ids []string, read []float64) {
	for i, id := range ids {
		j, ok := c.m.cat.index[id]
		if !ok {
			continue
		}
		r := 1.0
		if i < len(read) {
			r = min(max(read[i], 0), 1)
		}
		c.done[j] = true
		c.take(j, float32(coverOpened*r))
	}
}

// take lowers the demand left near product j's price in its category by
// the share f of what j offers.
func (c *demandCover) take(j int32, f float32) {
	leaf := c.m.cat.leafCat[j]
	if leaf < 0 || len(c.idx.items[leaf]) == 0 {
		return
	}
	if c.left[leaf] == nil {
		c.left[leaf] = make([]float32, len(c.idx.items[leaf]))
		for k := range c.left[leaf] {
			c.left[leaf][k] = 1
		}
	}
	lp := logPriceOf(c.m, j)
	for k := range c.left[leaf] {
		c.left[leaf][k] *= 1 - f*priceNear(lp, c.idx.logPrice[leaf][k])
	}
}

// shownIDs records the product id shown at place of the row being filled;
// an unknown id is skipped.
func (c *demandCover) shownIDs(place int, id string) {
	if j, ok := c.m.cat.index[id]; ok {
		c.shown(j, place)
	}
}

// pickCovering re-ranks s.picked (the row's candidates, best first): each
// next card is the one of the row's best want·coverPool candidates that
// offers the most demand neither the page nor the row's earlier cards offer
// yet, times the row's boost of the product (a merchandiser's boost, or a
// product the visitor already passed over), the row's own score breaking
// ties. Compose records the row's cards once it is filled.
func (m *Model) pickCovering(s *scratch, want int, c *demandCover, boosts map[string]float64) {
	cand := slices.Clone(s.picked[:min(len(s.picked), want*coverPool)])
	sc := slices.Clone(s.pickedScore[:len(cand)])
	s.picked, s.pickedScore = s.picked[:0], s.pickedScore[:0]
	used := make([]bool, len(cand))
	for len(s.picked) < want && len(s.picked) < len(cand) {
		best, bestV := -1, float32(-1)
		for t, j := range cand {
			if used[t] {
				continue
			}
			v := c.offers(j, s.picked)
			if b, ok := boosts[m.cat.items[j].ID]; ok {
				v *= float32(b)
			}
			if v > bestV {
				best, bestV = t, v
			}
		}
		used[best] = true
		s.picked = append(s.picked, cand[best])
		s.pickedScore = append(s.pickedScore, sc[best])
	}
}

// categoriesLeft are the leaf categories (apart from skip) with the most
// demand neither the page's cards so far nor the visitor's earlier pages
// have offered, the most first, at most n.
func (c *demandCover) categoriesLeft(skip map[string]bool, n int) []string {
	type left struct {
		leaf int
		v    float32
	}
	var ls []left
	for leaf, masses := range c.idx.mass {
		if len(masses) == 0 || skip[c.m.cat.categories[leaf]] {
			continue
		}
		var v float32
		for k, mass := range masses {
			if c.left[leaf] != nil {
				mass *= c.left[leaf][k]
			}
			v += mass
		}
		ls = append(ls, left{leaf, v})
	}
	slices.SortFunc(ls, func(a, b left) int {
		if a.v != b.v {
			return cmp.Compare(b.v, a.v)
		}
		return cmp.Compare(c.m.cat.categories[a.leaf], c.m.cat.categories[b.leaf])
	})
	out := make([]string, 0, min(n, len(ls)))
	for _, l := range ls[:min(n, len(ls))] {
		out = append(out, c.m.cat.categories[l.leaf])
	}
	return out
}
