package main

import (
	"hash/fnv"
	"math"
	"math/rand/v2"
	"slices"

	"storefront/models"
	"storefront/shop"
)

// item is a product as the shop shows it: its department and category
// (the breadcrumbs of its page), its brand and its price.
type item struct {
	id       uint
	dept     string
	category string
	brand    string
	price    float64 // currency units
	buyable  bool    // active and in stock: the shop may show it
}

// world is the catalog the agents judge products by, read from the same
// database the shop serves.
type world struct {
	items []item
	byID  map[uint]*item
	// leaves lists, per department, its categories with their product
	// counts, so tastes follow the catalog's own proportions.
	depts  []string
	deptN  []int
	leaves map[string][]string
	leafN  map[string][]int
	inLeaf map[string][]*item
	// demand lists the world's carts and purchases (readDemand): one
	// entry per event, so a product is drawn as often as shoppers
	// wanted it. byShopper indexes them by shopper.
	demand    []wanted
	byShopper map[string][]int
}

// wanted is one cart or purchase of the world's behaviour: a shopper and the
// product they wanted.
type wanted struct {
	shopper string
	it      *item
}

func newWorld(cats []models.Category, products []models.Product, events []demandEvent) *world {
	cat := shop.BuildCatalog(cats, products)
	w := &world{byID: map[uint]*item{}, leaves: map[string][]string{}, leafN: map[string][]int{}, inLeaf: map[string][]*item{},
		byShopper: map[string][]int{}}
	w.items = make([]item, 0, len(products))
	for i := range products {
		p := &products[i]
		n := cat.CategoryOf(p)
		if n == nil {
			continue
		}
		path := n.Path()
		w.items = append(w.items, item{id: p.ID, dept: path[0].Name, category: n.Name, brand: p.Brand,
			price: float64(p.PriceCents) / 100, buyable: p.Active && p.Stock > 0})
	}
	deptN := map[string]int{}
	leafN := map[string]map[string]int{}
	for i := range w.items {
		it := &w.items[i]
		w.byID[it.id] = it
		if !it.buyable {
			continue
		}
		deptN[it.dept]++
		if leafN[it.dept] == nil {
			leafN[it.dept] = map[string]int{}
		}
		leafN[it.dept][it.category]++
		w.inLeaf[it.category] = append(w.inLeaf[it.category], it)
	}
	for d := range deptN {
		w.depts = append(w.depts, d)
	}
	slices.Sort(w.depts) // map order must not reach the draws
	for _, d := range w.depts {
		w.deptN = append(w.deptN, deptN[d])
		for l := range leafN[d] {
			w.leaves[d] = append(w.leaves[d], l)
		}
		slices.Sort(w.leaves[d])
		for _, l := range w.leaves[d] {
			w.leafN[d] = append(w.leafN[d], leafN[d][l])
		}
	}
	for _, e := range events {
		// A product of a category with nothing to buy cannot seed a taste
		// any page could serve.
		it := w.byID[e.ProductID]
		if it == nil || len(w.inLeaf[it.category]) == 0 {
			continue
		}
		w.byShopper[e.UserKey] = append(w.byShopper[e.UserKey], len(w.demand))
		w.demand = append(w.demand, wanted{shopper: e.UserKey, it: it})
	}
	return w
}

// Where agents' tastes come from (--tastes).
const (
	tastesDemand  = "demand"
	tastesCatalog = "catalog"
)

// pick draws an index with probability proportional to weights.
func pick(rng *rand.Rand, weights []int) int {
	total := 0
	for _, n := range weights {
		total += n
	}
	r := rng.IntN(total)
	for i, n := range weights {
		if r < n {
			return i
		}
		r -= n
	}
	return len(weights) - 1
}

// taste is an agent's hidden preference. The shop never sees it; the agent
// judges every product by it alone.
type taste struct {
	dept      string
	favorites map[string]bool // categories the agent came for
	brand     string          // a brand the agent likes
	price     float64         // the price the agent has in mind
	seed      uint64          // the agent's own liking of single products
}

// Weights of the taste model; docs/recommender.md states them.
const (
	wFavorite   = 1.5  // a product of a category the agent came for
	wDepartment = 0.9  // another category of the agent's department
	wBrand      = 0.4  // the agent's brand
	wPrice      = 0.8  // times the price fit, in (0, 1]
	priceSpread = 0.6  // the price fit's width, in log units
	noiseSD     = 0.25 // the agent's liking of a single product
)

// newTaste draws a taste by the given draw (tastesDemand or tastesCatalog).
func newTaste(w *world, rng *rand.Rand, draw string) taste {
	if draw == tastesDemand {
		return demandTaste(w, rng)
	}
	return catalogTaste(w, rng)
}

// demandTaste draws a taste from what the world's shoppers wanted: a random
// cart or purchase, every event counting once, gives the department, the
// category, the brand and the price; a second category, for half the
// agents, is that of another cart or purchase of the same shopper in the
// same department, when they have one. An agent is thus a random shopper
// of the population whose behaviour the shop recorded, as a shop's new
// visitors are.
func demandTaste(w *world, rng *rand.Rand) taste {
	t := taste{favorites: map[string]bool{}, seed: rng.Uint64()}
	ref := w.demand[rng.IntN(len(w.demand))]
	t.dept, t.brand, t.price = ref.it.dept, ref.it.brand, ref.it.price
	t.favorites[ref.it.category] = true
	if 1+rng.IntN(2) == 2 {
		var others []string
		for _, j := range w.byShopper[ref.shopper] {
			if it := w.demand[j].it; it.dept == t.dept && !t.favorites[it.category] {
				others = append(others, it.category)
			}
		}
		if len(others) > 0 {
			t.favorites[others[rng.IntN(len(others))]] = true
		}
	}
	return t
}

// catalogTaste draws a taste from the catalog: a department by its number
// of products, one or two of its categories the same way, a brand and a
// price from a product of those categories.
func catalogTaste(w *world, rng *rand.Rand) taste {
	t := taste{favorites: map[string]bool{}, seed: rng.Uint64()}
	t.dept = w.depts[pick(rng, w.deptN)]
	leaves, counts := w.leaves[t.dept], w.leafN[t.dept]
	want := 1 + rng.IntN(2)
	for range 8 {
		if len(t.favorites) == min(want, len(leaves)) {
			break
		}
		t.favorites[leaves[pick(rng, counts)]] = true
	}
	var pool []*item
	for _, l := range leaves {
		if t.favorites[l] {
			pool = append(pool, w.inLeaf[l]...)
		}
	}
	ref := pool[rng.IntN(len(pool))]
	t.brand, t.price = ref.brand, ref.price
	return t
}

// utility is how much the agent likes a product.
func (t taste) utility(it *item) float64 {
	u := 0.0
	switch {
	case t.favorites[it.category]:
		u += wFavorite
	case it.dept == t.dept:
		u += wDepartment
	}
	if it.brand == t.brand {
		u += wBrand
	}
	if it.price > 0 && t.price > 0 {
		d := math.Log(it.price/t.price) / priceSpread
		u += wPrice * math.Exp(-0.5*d*d)
	}
	return u + noiseSD*t.noise(it.id)
}

// noise is the agent's fixed, standard normal liking of one product: the
// same product is judged the same way on every page and in every arm.
func (t taste) noise(id uint) float64 {
	h := fnv.New64a()
	var b [16]byte
	for i := range 8 {
		b[i] = byte(t.seed >> (8 * i))
		b[8+i] = byte(uint64(id) >> (8 * i))
	}
	h.Write(b[:])
	r := rand.New(rand.NewPCG(h.Sum64(), 0x5eed))
	return r.NormFloat64()
}

// best returns the agent's n favourite buyable products, skipping some.
func (t taste) best(w *world, n int, skip map[uint]bool) []uint {
	type scored struct {
		id uint
		u  float64
	}
	all := make([]scored, 0, len(w.items))
	for i := range w.items {
		it := &w.items[i]
		if it.buyable && !skip[it.id] {
			all = append(all, scored{it.id, t.utility(it)})
		}
	}
	slices.SortFunc(all, func(a, b scored) int {
		if a.u != b.u {
			if a.u > b.u {
				return -1
			}
			return 1
		}
		return int(a.id) - int(b.id)
	})
	out := make([]uint, 0, n)
	for _, s := range all[:min(n, len(all))] {
		out = append(out, s.id)
	}
	return out
}
