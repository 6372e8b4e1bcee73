package seed

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"time"

	"storefront/models"
)

// Behaviour is generated so that a recommender has something real to learn:
// every shopper keeps the same tastes for the whole window (one to three
// favourite leaf categories, a couple of favourite brands, a price level),
// items inside a category follow a power law, a few items trend in the last
// days, and purchases pull in accessories from a partner category. Global
// popularity alone therefore explains little of what one shopper does next.

// Compact event kinds; see eventTypeNames.
const (
	evView uint8 = iota
	evClick
	evCart
	evPurchase
	evSearch
)

var eventTypeNames = [...]string{models.EventView, models.EventClick, models.EventAddToCart, models.EventPurchase, models.EventSearch}

// genEvent is one event before it is written: 24 bytes instead of a
// models.Event, which matters at two million events.
type genEvent struct {
	at    int64 // unix seconds
	item  int32 // product index, -1 for none
	user  int32 // shopper index
	query int32 // index into behaviour.queries, -1 for none
	typ   uint8
}

// genOrder is a checkout made of the purchases of one session.
type genOrder struct {
	user  int32
	at    int64
	items []int32
}

const maxFavourites = 4

type taste struct {
	leaves [maxFavourites]int16
	cum    [maxFavourites]float32
	n      int
	brands []int32
	priceZ float64
}

func (t *taste) prefers(brand int32) bool {
	for _, b := range t.brands {
		if b == brand {
			return true
		}
	}
	return false
}

type behaviour struct {
	shoppers []models.Shopper // index 0 is the demo shopper
	tastes   []taste
	events   []genEvent
	orders   []genOrder
	queries  []string
	trending []int32
}

// Behaviour knobs, chosen to give roughly 8 events per session.
const (
	behaviourDays   = 90
	trendingDays    = 4
	trendingItems   = 24
	exploreRate     = 0.08 // sessions in a random category
	switchRate      = 0.2  // views that hop to another favourite category
	clickRate       = 0.3  // views reached by clicking a card
	cartRate        = 0.09 // views that end in the cart
	cartRatePreferd = 0.14 // … when the brand is a favourite
	purchaseRate    = 0.3  // carted items that are bought
	accessoryRate   = 0.45 // purchases that pull in an item of the partner category
	searchRate      = 0.25 // sessions that start with a search
	demoSessions    = 36
)

var hourWeights = [24]float64{1, 0.5, 0.3, 0.2, 0.2, 0.3, 0.6, 1.2, 1.8, 2, 2.2, 2.3, 2.6, 2.5, 2.2, 2.2, 2.3, 2.6, 3, 3.4, 3.6, 3.2, 2.4, 1.6}

type generator struct {
	c          *catalog
	b          *behaviour
	rng        *rand.Rand
	now        int64
	start      int64
	trendStart int64
	leafCum    []float64 // prior over leaves for exploration
	hourCum    []float64
	queryIdx   map[string]int32
}

// generateBehaviour creates shoppers (index 0 is the demo shopper) and
// about nEvents events over the 90 days before now.
func generateBehaviour(c *catalog, seed int64, now time.Time, nShoppers, nEvents int) *behaviour {
	b := &behaviour{}
	g := &generator{c: c, b: b, now: now.Unix(), queryIdx: map[string]int32{}}
	g.start = g.now - behaviourDays*86400
	g.trendStart = g.now - trendingDays*86400

	rng := rand.New(rand.NewPCG(uint64(seed), 2))
	prior := make([]float64, len(c.leaves))
	for i := range prior {
		prior[i] = math.Exp(0.5 * rng.NormFloat64())
	}
	g.leafCum = cumulative(prior)
	g.hourCum = cumulative(hourWeights[:])
	deptBrands := make([][]int32, len(departments))
	for i, br := range c.brands {
		for di := range departments {
			for _, name := range departments[di].Brands {
				if name == br {
					deptBrands[di] = append(deptBrands[di], int32(i))
				}
			}
		}
	}

	// Shoppers and their persistent tastes.
	activity := make([]float64, nShoppers+1)
	b.shoppers = make([]models.Shopper, nShoppers+1)
	b.tastes = make([]taste, nShoppers+1)
	b.shoppers[0] = models.Shopper{ExternalID: DemoShopperID, Name: DemoShopperName}
	b.tastes[0] = g.demoTaste()
	for u := 1; u <= nShoppers; u++ {
		email := fmt.Sprintf("shopper%05d@example.com", u)
		joined := now.Add(-time.Duration(behaviourDays+rng.IntN(700)) * 24 * time.Hour).Add(-time.Duration(rng.IntN(86400)) * time.Second)
		b.shoppers[u] = models.Shopper{
			ExternalID: fmt.Sprintf("u%05d", u),
			Email:      &email,
			Name:       firstNames[rng.IntN(len(firstNames))] + " " + lastNames[rng.IntN(len(lastNames))],
			CreatedAt:  joined,
			UpdatedAt:  joined,
		}
		b.tastes[u] = g.randomTaste(rng, deptBrands)
		activity[u] = math.Exp(0.8 * rng.NormFloat64())
	}
	activityCum := cumulative(activity[1:])

	// Events.
	g.rng = rand.New(rand.NewPCG(uint64(seed), 3))
	g.pickTrending()
	b.events = make([]genEvent, 0, nEvents+64)
	span := (behaviourDays - 1) * 86400 / demoSessions
	for i := 0; i < demoSessions; i++ {
		t := g.start + int64(i*span) + 9*3600 + g.rng.Int64N(12*3600)
		g.session(0, t)
	}
	g.session(0, g.now-3*3600)
	for nShoppers > 0 && len(b.events) < nEvents {
		u := 1 + int32(pickCum(activityCum, g.rng.Float64()))
		g.session(u, g.sessionStart())
	}
	sort.SliceStable(b.events, func(i, j int) bool { return b.events[i].at < b.events[j].at })
	return b
}

func cumulative(w []float64) []float64 {
	out := make([]float64, len(w))
	var s float64
	for i, x := range w {
		s += x
		out[i] = s
	}
	return out
}

// pickCum draws an index from cumulative weights with u in [0,1).
func pickCum(cum []float64, u float64) int {
	i := sort.SearchFloat64s(cum, u*cum[len(cum)-1])
	return min(i, len(cum)-1)
}

func (g *generator) demoTaste() taste {
	t := taste{priceZ: 0.3}
	want := []struct {
		slug string
		w    float32
	}{{"tents", 0.3}, {"headphones", 0.3}, {"backpacks", 0.2}, {"cameras", 0.2}}
	var acc float32
	for _, w := range want {
		if li := g.c.leafBySlug(w.slug); li >= 0 {
			t.leaves[t.n] = int16(li)
			acc += w.w
			t.cum[t.n] = acc
			t.n++
		}
	}
	for _, name := range []string{"Northpeak", "Trailwise", "Sonorra", "Pixelworks"} {
		for i, b := range g.c.brands {
			if b == name {
				t.brands = append(t.brands, int32(i))
			}
		}
	}
	if t.n == 0 { // the vocabulary changed; fall back to the first leaf
		t.n, t.cum[0] = 1, 1
	}
	return t
}

func (g *generator) randomTaste(rng *rand.Rand, deptBrands [][]int32) taste {
	var t taste
	u := rng.Float64()
	k := 1
	switch {
	case u > 0.75:
		k = 3
	case u > 0.3:
		k = 2
	}
	has := func(li int) bool {
		for i := 0; i < t.n; i++ {
			if int(t.leaves[i]) == li {
				return true
			}
		}
		return false
	}
	first := pickCum(g.leafCum, rng.Float64())
	t.leaves[0], t.n = int16(first), 1
	for tries := 0; t.n < k && tries < 20; tries++ {
		var li int
		switch v := rng.Float64(); {
		case v < 0.4 && g.c.leaves[first].pair >= 0:
			li = g.c.leaves[first].pair
		case v < 0.75:
			li = g.sameDepartment(rng, first)
		default:
			li = pickCum(g.leafCum, rng.Float64())
		}
		if !has(li) {
			t.leaves[t.n] = int16(li)
			t.n++
		}
	}
	// Dirichlet(1) weights: normalised exponentials.
	var w [maxFavourites]float64
	var sum float64
	for i := 0; i < t.n; i++ {
		w[i] = rng.ExpFloat64()
		sum += w[i]
	}
	var acc float64
	for i := 0; i < t.n; i++ {
		acc += w[i] / sum
		t.cum[i] = float32(acc)
	}
	t.cum[t.n-1] = 1
	seen := map[int]bool{}
	for i := 0; i < t.n; i++ {
		d := g.c.leaves[t.leaves[i]].dept
		if seen[d] {
			continue
		}
		seen[d] = true
		bs := deptBrands[d]
		for _, j := range rng.Perm(len(bs))[:min(2, len(bs))] {
			t.brands = append(t.brands, bs[j])
		}
	}
	t.priceZ = clamp(0.7*rng.NormFloat64(), -1.5, 1.5)
	return t
}

func (g *generator) sameDepartment(rng *rand.Rand, li int) int {
	d := g.c.leaves[li].dept
	var same []int
	for i := range g.c.leaves {
		if g.c.leaves[i].dept == d && i != li {
			same = append(same, i)
		}
	}
	if len(same) == 0 {
		return li
	}
	return same[rng.IntN(len(same))]
}

// pickTrending chooses mid-ranked items (not already best sellers) that get
// a burst of attention in the last days.
func (g *generator) pickTrending() {
	cutoff := g.trendStart - 86400
	for tries := 0; len(g.b.trending) < trendingItems && tries < trendingItems*20; tries++ {
		ls := &g.c.leaves[g.rng.IntN(len(g.c.leaves))]
		if len(ls.items) < 8 {
			continue
		}
		p := ls.items[3+g.rng.IntN(min(40, len(ls.items))-3)]
		if g.c.created[p] > cutoff || !g.c.products[p].Active || contains(ls.trend, p) {
			continue
		}
		ls.trend = append(ls.trend, p)
		g.b.trending = append(g.b.trending, p)
	}
}

func contains(xs []int32, x int32) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// sessionStart draws a start time: any day of the window, evenings busier.
func (g *generator) sessionStart() int64 {
	for {
		day := g.rng.Int64N(behaviourDays)
		hour := int64(pickCum(g.hourCum, g.rng.Float64()))
		t := g.start + day*86400 + hour*3600 + g.rng.Int64N(3600)
		if t < g.now-3600 {
			return t
		}
	}
}

func (g *generator) emit(u int32, at int64, item int32, typ uint8) {
	g.b.events = append(g.b.events, genEvent{at: at, item: item, user: u, query: -1, typ: typ})
}

func (g *generator) tasteLeaf(u int32) int {
	if g.rng.Float64() < exploreRate {
		return pickCum(g.leafCum, g.rng.Float64())
	}
	t := &g.b.tastes[u]
	r := g.rng.Float32()
	for i := 0; i < t.n; i++ {
		if r < t.cum[i] {
			return int(t.leaves[i])
		}
	}
	return int(t.leaves[t.n-1])
}

// pick draws an item of a leaf the shopper would look at, at time t.
func (g *generator) pick(leafIdx int, u int32, t int64) int32 {
	ls := &g.c.leaves[leafIdx]
	if len(ls.items) == 0 {
		return -1
	}
	if t >= g.trendStart && len(ls.trend) > 0 && g.rng.Float64() < 0.25 {
		return ls.trend[g.rng.IntN(len(ls.trend))]
	}
	tst := &g.b.tastes[u]
	target := ls.logMed + tst.priceZ*ls.vocab.Spread
	width := ls.vocab.Spread*0.9 + 0.15
	total := ls.cum[len(ls.cum)-1]
	for try := 0; try < 24; try++ {
		k := min(sort.SearchFloat64s(ls.cum, g.rng.Float64()*total), len(ls.items)-1)
		p := ls.items[k]
		if g.c.created[p] > t {
			continue
		}
		acc := 0.35
		if tst.prefers(g.c.prodBrand[p]) {
			acc = 1
		}
		d := (g.c.logPrice[p] - target) / width
		acc *= math.Max(0.2, math.Exp(-0.5*d*d))
		if g.rng.Float64() < acc {
			return p
		}
	}
	for _, p := range ls.items {
		if g.c.created[p] <= t {
			return p
		}
	}
	return -1
}

func (g *generator) query(s string) int32 {
	s = strings.ToLower(s)
	if i, ok := g.queryIdx[s]; ok {
		return i
	}
	i := int32(len(g.b.queries))
	g.queryIdx[s] = i
	g.b.queries = append(g.b.queries, s)
	return i
}

// session appends one visit of shopper u starting at t.
func (g *generator) session(u int32, t int64) {
	rng := g.rng
	leafIdx := g.tasteLeaf(u)
	if rng.Float64() < searchRate {
		l := g.c.leaves[leafIdx].vocab
		q := l.Nouns[rng.IntN(len(l.Nouns))]
		if rng.Float64() < 0.3 {
			q = departments[g.c.leaves[leafIdx].dept].Brands[rng.IntN(len(departments[g.c.leaves[leafIdx].dept].Brands))] + " " + q
		}
		g.b.events = append(g.b.events, genEvent{at: t, item: -1, user: u, query: g.query(q), typ: evSearch})
		t += 5 + rng.Int64N(20)
	}
	// A trending item seen on the homepage during the burst.
	if t >= g.trendStart && len(g.b.trending) > 0 && rng.Float64() < 0.3 {
		p := g.b.trending[rng.IntN(len(g.b.trending))]
		g.emit(u, t, p, evClick)
		g.emit(u, t+2, p, evView)
		t += 30 + rng.Int64N(90)
	}
	views := 2 + rng.IntN(4) + rng.IntN(5)
	var cart []int32
	for v := 0; v < views; v++ {
		li := leafIdx
		if v > 0 && rng.Float64() < switchRate {
			li = g.tasteLeaf(u)
		}
		p := g.pick(li, u, t)
		if p < 0 {
			continue
		}
		if rng.Float64() < clickRate {
			g.emit(u, t, p, evClick)
			t += 2
		}
		g.emit(u, t, p, evView)
		t += 20 + rng.Int64N(160)
		rate := cartRate
		if g.b.tastes[u].prefers(g.c.prodBrand[p]) {
			rate = cartRatePreferd
		}
		if g.c.products[p].Stock > 0 && rng.Float64() < rate && !contains(cart, p) {
			g.emit(u, t, p, evCart)
			cart = append(cart, p)
			t += 10 + rng.Int64N(30)
		}
	}
	var bought []int32
	for _, p := range cart {
		if rng.Float64() >= purchaseRate {
			continue
		}
		bought = append(bought, p)
		pair := g.c.leaves[g.c.prodLeaf[p]].pair
		if pair < 0 || rng.Float64() >= accessoryRate {
			continue
		}
		if a := g.pick(pair, u, t); a >= 0 && !contains(cart, a) && !contains(bought, a) && g.c.products[a].Stock > 0 {
			g.emit(u, t, a, evView)
			t += 20 + rng.Int64N(60)
			g.emit(u, t, a, evCart)
			t += 10
			bought = append(bought, a)
		}
	}
	if len(bought) == 0 {
		return
	}
	t += 60 + rng.Int64N(120)
	for _, p := range bought {
		g.emit(u, t, p, evPurchase)
	}
	g.b.orders = append(g.b.orders, genOrder{user: u, at: t, items: bought})
}
