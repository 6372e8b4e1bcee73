package main

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"storefront/recommender"
)

// worldSpec describes one generated shop. Shoppers have hidden tastes
// (a few favourite departments, a style, a price band); products have a
// department, a style, a brand, a price and a quality. Shoppers browse in
// sessions, click, cart and buy by taste; options add complements (a
// purchase leads to a matching product in a partner department), launches
// (products created near the end), trends (products that take off near the
// end), daily timestamps, bursty imports, sequences (a product leads on to
// its successors: the next in a series, a refill), order exports (only
// purchases, an order's products on one timestamp), casual browsing (views
// of popular products whatever the shopper's taste), explicit ratings (each
// event a 1–5 rating, low for a product away from the shopper's taste) and
// short histories (one to three events a shopper).
type worldSpec struct {
	Name         string
	Items, Users int
	Cats, Styles int
	Days         int
	Sessions     float64 // mean sessions per shopper
	Views        float64 // mean views per session
	TasteCats    int     // favourite departments per shopper
	PopSkew      float64 // Zipf exponent of product quality
	Launch       float64 // share of products created in the last 15% of the time
	Trend        float64 // share of products that take off in the last 10% of the time
	Complements  bool
	Daily        bool    // timestamps cut to the day (a daily export)
	Bursty       float64 // share of shoppers whose history was imported with one timestamp
	Next         float64 // share of views that follow on from the shopper's previous view to one of its successors, within a session or across
	Orders       bool    // an order export: only purchases, each session's purchases on one timestamp
	// Explore is the share of views drawn by product quality alone from the
	// whole catalog, whatever the shopper's taste: casual browsing (a view
	// that is neither clicked nor carted) or, with Ratings, a film seen
	// because everyone saw it (and rated by taste: mostly low).
	Explore float64
	// Ratings makes every event a rating: a purchase event with a Value of
	// 1–5, each product rated once, sittings of ratings a minute or so
	// apart. The rating follows the hidden taste (department, style, price
	// band) and quality, so a low rating is a product away from the
	// shopper's taste, and its neighbours are too.
	Ratings bool
	// Short gives each shopper one to three events (half one, three in
	// ten two, two in ten three), each on a visit of its own: a shop of
	// one-off visitors and short histories.
	Short bool
	// Pareto gives shoppers a Pareto number of visits (this shape, at
	// least one; 1.2: over half visit once, a few dozens of times) instead
	// of Sessions: a marketplace of mostly one-off shoppers and a few
	// regulars.
	Pareto float64
	// Groups is the number of top-level departments the categories fall
	// under (the categories are their leaves); 0 = 4.
	Groups int
	// PerUserSplit scores the world like a public ratings dataset: each
	// shopper's latest 20 % of events held out (as MovieLens), not a global
	// time cut-off.
	PerUserSplit      bool
	CartRate, BuyRate float64
	Seed              uint64
	// Clickstream makes a public events export's shape: views, carts and
	// purchases only (no clicks), timestamps to the millisecond, and each
	// view drawn from a sample of its department (Sample products, by
	// quality, then by the shopper's taste) so that a catalog of hundreds
	// of thousands generates in seconds.
	Clickstream bool
	Sample      int
	// OnRequest keeps the world out of the default run (all worlds): it
	// is scored or exported only when named in -worlds (it is slow).
	OnRequest bool
}

var worlds = []worldSpec{
	{Name: "dense-few-cats", Items: 800, Users: 3000, Cats: 6, Styles: 5, Days: 90, Sessions: 8, Views: 5, TasteCats: 2, PopSkew: 0.8, CartRate: 0.12, BuyRate: 0.5, Complements: true, Seed: 1},
	{Name: "sparse-many-cats", Items: 6000, Users: 5000, Cats: 60, Styles: 8, Days: 120, Sessions: 3, Views: 3, TasteCats: 3, PopSkew: 0.6, CartRate: 0.1, BuyRate: 0.4, Seed: 2},
	{Name: "launches-trends", Items: 2500, Users: 4000, Cats: 20, Styles: 6, Days: 90, Sessions: 6, Views: 4, TasteCats: 2, PopSkew: 0.8, Launch: 0.12, Trend: 0.03, CartRate: 0.1, BuyRate: 0.5, Seed: 3},
	{Name: "complements", Items: 2000, Users: 4000, Cats: 16, Styles: 6, Days: 90, Sessions: 6, Views: 4, TasteCats: 2, PopSkew: 0.7, Complements: true, CartRate: 0.2, BuyRate: 0.6, Seed: 4},
	{Name: "daily-timestamps", Items: 2000, Users: 4000, Cats: 20, Styles: 6, Days: 120, Sessions: 6, Views: 4, TasteCats: 2, PopSkew: 0.8, Daily: true, CartRate: 0.1, BuyRate: 0.5, Seed: 5},
	{Name: "bursty-imports", Items: 2000, Users: 4000, Cats: 20, Styles: 6, Days: 90, Sessions: 6, Views: 4, TasteCats: 2, PopSkew: 0.8, Bursty: 0.4, CartRate: 0.1, BuyRate: 0.5, Seed: 6},
	{Name: "popularity-heavy", Items: 3000, Users: 4000, Cats: 25, Styles: 4, Days: 60, Sessions: 5, Views: 4, TasteCats: 4, PopSkew: 1.2, Trend: 0.02, CartRate: 0.08, BuyRate: 0.4, Seed: 7},
	{Name: "large-long-tail", Items: 16000, Users: 12000, Cats: 80, Styles: 8, Days: 120, Sessions: 4, Views: 4, TasteCats: 3, PopSkew: 1.0, CartRate: 0.08, BuyRate: 0.4, Seed: 8},
	{Name: "order-export", Items: 3000, Users: 8000, Cats: 30, Styles: 6, Days: 365, Sessions: 5, Views: 6, TasteCats: 2, PopSkew: 0.9, Complements: true, Orders: true, CartRate: 0.2, BuyRate: 0.8, Seed: 9},
	{Name: "series-sequences", Items: 4000, Users: 5000, Cats: 25, Styles: 6, Days: 90, Sessions: 6, Views: 5, TasteCats: 2, PopSkew: 0.7, Next: 0.5, CartRate: 0.1, BuyRate: 0.5, Seed: 10},
	{Name: "ratings", Items: 2000, Users: 2500, Cats: 18, Styles: 6, Days: 300, Sessions: 4, Views: 12, TasteCats: 2, PopSkew: 0.9, Explore: 0.3, Ratings: true, PerUserSplit: true, Seed: 11},
	{Name: "views-heavy", Items: 3000, Users: 6000, Cats: 25, Styles: 6, Days: 90, Sessions: 5, Views: 6, TasteCats: 2, PopSkew: 0.8, Explore: 0.25, CartRate: 0.02, BuyRate: 0.7, Seed: 12},
	{Name: "short-histories", Items: 2000, Users: 40000, Cats: 20, Styles: 6, Days: 90, TasteCats: 2, PopSkew: 0.8, Short: true, CartRate: 0.1, BuyRate: 0.5, Seed: 13},
	// A large marketplace: many leaf categories, mostly one-off shoppers
	// (one or two events) who keep to one or two favourite leaves.
	{Name: "sparse-category-loyal", Items: 16000, Users: 20000, Cats: 320, Groups: 20, Styles: 8, Days: 120, Pareto: 1.2, Views: 1.5, TasteCats: 2, PopSkew: 1.0, CartRate: 0.08, BuyRate: 0.4, Seed: 15},
	{Name: "small-shop", Items: 360, Users: 400, Cats: 8, Styles: 5, Days: 60, Sessions: 3, Views: 3, TasteCats: 2, PopSkew: 0.8, CartRate: 0.12, BuyRate: 0.5, Complements: true, Seed: 14},
	// A public clickstream's size and shape (RetailRocket's events export:
	// 1.4 million visitors, most with one or two events, 235,000 products
	// in ~1,100 categories, 2.8 million views, carts and purchases over
	// four and a half months, about 1.5 % of visitors carting), and a
	// tenth of it for quick iterations. Only on request.
	{Name: "clickstream", Items: 235000, Users: 1400000, Cats: 1100, Groups: 25, Styles: 6, Days: 137, Pareto: 2.5, Views: 1.5, TasteCats: 2, PopSkew: 1.0, Explore: 0.2, CartRate: 0.007, BuyRate: 0.35, Clickstream: true, Sample: 48, OnRequest: true, Seed: 16},
	{Name: "clickstream-tenth", Items: 23500, Users: 140000, Cats: 400, Groups: 20, Styles: 6, Days: 137, Pareto: 2.5, Views: 1.5, TasteCats: 2, PopSkew: 1.0, Explore: 0.2, CartRate: 0.007, BuyRate: 0.35, Clickstream: true, Sample: 48, OnRequest: true, Seed: 17},
}

// chosen says whether a run asked for the world: by name, or (with no
// names) every world not kept for requests.
func (s worldSpec) chosen(want map[string]bool) bool {
	if len(want) == 0 {
		return !s.OnRequest
	}
	return want[s.Name]
}

var (
	depts  = []string{"Tents", "Knives", "Lamps", "Boots", "Jackets", "Mugs", "Chairs", "Rugs", "Pens", "Bikes", "Tables", "Bags", "Shirts", "Watches", "Hats", "Plates", "Desks", "Sofas", "Socks", "Kettles"}
	styles = []string{"classic", "modern", "rustic", "sport", "luxe", "minimal", "retro", "urban", "nordic", "bold"}
	words  = []string{"alpha", "breeze", "cedar", "delta", "ember", "fjord", "glade", "harbor", "iris", "juniper", "kestrel", "lumen", "maple", "north", "onyx", "pine"}
)

type world struct {
	spec  worldSpec
	items []recommender.Item
	evs   []recommender.Event
	start time.Time
	// oracle scores every product for a shopper at a time by the
	// generator's own hidden tastes: the chance that the shopper's next
	// view is that product (complements and revisits left out). It is the
	// ceiling no recommender can see, for reading the figures.
	oracle func(user string, at time.Time) []float64
	// The hidden truth behind the figures, for reading where a model's
	// misses are (-headroom): each product's department and style, and
	// each shopper's tastes.
	cat, style []int
	tastes     map[string]taste
	// trendy marks the products that take off in the last tenth of the
	// time (Trend); launches are told by their Created time.
	trendy []bool
	// succ holds each product's two successors (Next; nil without).
	succ [][2]int
}

type taste struct {
	favs  []int
	favW  []float64
	style int
	band  float64
}

func generate(spec worldSpec) *world {
	rng := rand.New(rand.NewPCG(spec.Seed, 0xbeef))
	w := &world{spec: spec, start: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	span := float64(spec.Days) * 86400
	end := w.start.Add(time.Duration(span) * time.Second)
	n := spec.Items
	cat := make([]int, n)
	style := make([]int, n)
	quality := make([]float64, n)
	created := make([]float64, n) // seconds from start
	trendy := make([]bool, n)
	price := make([]float64, n)
	perm := rng.Perm(n)
	byCat := make([][]int, spec.Cats)
	for i := range n {
		// Department sizes are uneven: a few big departments, a long tail.
		c := min(int(float64(spec.Cats)*math.Pow(rng.Float64(), 1.5)), spec.Cats-1)
		cat[i], style[i] = c, rng.IntN(spec.Styles)
		quality[i] = 1 / math.Pow(float64(perm[i]+1), spec.PopSkew)
		created[i] = -rng.Float64() * 365 * 86400
		if rng.Float64() < spec.Launch {
			created[i] = span * (0.85 + 0.15*rng.Float64())
		}
		trendy[i] = rng.Float64() < spec.Trend
		price[i] = math.Round(math.Exp(2.5+float64(c%5)*0.4+rng.NormFloat64()*0.5)*100) / 100
		byCat[c] = append(byCat[c], i)
		dept := depts[c%len(depts)]
		if c >= len(depts) {
			dept = fmt.Sprintf("%s %s", words[c%len(words)], dept)
		}
		if c >= 80 { // past the 80 distinct word × department names
			dept = fmt.Sprintf("%s %d", dept, c/80+1)
		}
		groups := 4
		if spec.Groups > 0 {
			groups = spec.Groups
		}
		brand := fmt.Sprintf("%s%d", words[(c*3+i%4)%len(words)], i%4)
		st := styles[style[i]%len(styles)]
		w.items = append(w.items, recommender.Item{
			ID: fmt.Sprintf("P%05d", i), Title: fmt.Sprintf("%s %s %s %s", cap1(st), words[rng.IntN(len(words))], dept, brand),
			Brand: brand, Category: dept, CategoryPath: []string{fmt.Sprintf("Group %d", c%groups), dept},
			Description: fmt.Sprintf("A %s %s from %s, %s finish.", st, dept, brand, words[rng.IntN(len(words))]),
			PriceCents:  int64(price[i] * 100), Active: true, Stock: 100,
			Created: w.start.Add(time.Duration(created[i]) * time.Second),
		})
	}
	// A complement for each product: a matching style in a partner department.
	comp := make([]int, n)
	for i := range n {
		comp[i] = -1
		if !spec.Complements {
			continue
		}
		pc := (cat[i] + 1) % spec.Cats
		if len(byCat[pc]) == 0 {
			continue
		}
		best := -1
		for t := 0; t < 20; t++ {
			j := byCat[pc][rng.IntN(len(byCat[pc]))]
			if best < 0 || style[j] == style[i] && quality[j] > quality[best] {
				best = j
			}
		}
		comp[i] = best
	}
	// Each product's successors (the next in a series, a refill, an
	// upgrade): two products of its own department or the partner one,
	// drawn without regard to quality, so the tail is reached through them.
	// The first is the usual next step.
	var succ [][2]int
	if spec.Next > 0 {
		succ = make([][2]int, n)
		for i := range n {
			for k := range succ[i] {
				c := cat[i]
				if rng.Float64() < 0.3 {
					c = (c + 1) % spec.Cats
				}
				if len(byCat[c]) == 0 {
					c = cat[i]
				}
				succ[i][k] = byCat[c][rng.IntN(len(byCat[c]))]
			}
		}
	}
	w.succ = succ
	avail := func(i int, t float64) bool { return created[i] <= t }
	appeal := func(i int, t float64, uStyle int, band float64) float64 {
		a := quality[i]
		if style[i] == uStyle {
			a *= 4
		}
		a *= math.Exp(-math.Abs(math.Log(price[i]/band)) * 1.5)
		if age := t - created[i]; age >= 0 && age < 14*86400 && created[i] > 0 {
			a *= 6 // launches get attention while new
		}
		if trendy[i] && t > span*0.9 {
			a *= 25
		}
		return a
	}
	// With Sample, a view's product is drawn from Sample products of the
	// department drawn by quality, then among them by the rest of the
	// appeal (style, price band, launch, trend): nearly the same draw as
	// over the whole department, in a time that does not grow with it.
	var cumCat [][]float64
	if spec.Sample > 0 {
		cumCat = make([][]float64, spec.Cats)
		for c, list := range byCat {
			cumCat[c] = make([]float64, len(list))
			for k, i := range list {
				cumCat[c][k] = quality[i]
				if k > 0 {
					cumCat[c][k] += cumCat[c][k-1]
				}
			}
		}
	}
	sample := make([]int, 0, spec.Sample)
	pick := func(cands []int, t float64, uStyle int, band float64) int {
		if spec.Sample > 0 && len(cands) > spec.Sample {
			cum := cumCat[cat[cands[0]]]
			sample = sample[:0]
			total := 0.0
			for range spec.Sample {
				k, _ := slices.BinarySearch(cum, rng.Float64()*cum[len(cum)-1])
				if i := cands[min(k, len(cands)-1)]; avail(i, t) {
					sample = append(sample, i)
					total += appeal(i, t, uStyle, band) / quality[i]
				}
			}
			r := rng.Float64() * total
			for _, i := range sample {
				if r -= appeal(i, t, uStyle, band) / quality[i]; r <= 0 {
					return i
				}
			}
			return -1
		}
		total := 0.0
		for _, i := range cands {
			if avail(i, t) {
				total += appeal(i, t, uStyle, band)
			}
		}
		if total == 0 {
			return -1
		}
		r := rng.Float64() * total
		for _, i := range cands {
			if avail(i, t) {
				r -= appeal(i, t, uStyle, band)
				if r <= 0 {
					return i
				}
			}
		}
		return -1
	}
	// explore draws a product by quality alone from the whole catalog
	// (Explore): what everyone looks at, whatever their taste.
	cumQ := make([]float64, n)
	for i, q := range quality {
		cumQ[i] = q
		if i > 0 {
			cumQ[i] += cumQ[i-1]
		}
	}
	explore := func(t float64) int {
		for range 20 {
			i, _ := slices.BinarySearch(cumQ, rng.Float64()*cumQ[n-1])
			if i = min(i, n-1); avail(i, t) {
				return i
			}
		}
		return -1
	}
	// rate is a shopper's rating of a product (Ratings): high for their
	// favourite departments, their style, their price band and good
	// products, with noise; 1–5.
	rate := func(i int, tu taste) float64 {
		x := 1.2 + 0.6*(1-float64(perm[i])/float64(n)) + rng.NormFloat64()*0.7
		if slices.Contains(tu.favs, cat[i]) {
			x += 1.4
		}
		if style[i] == tu.style {
			x += 1.4
		}
		x += 0.8 * math.Exp(-math.Abs(math.Log(price[i]/tu.band))*1.5)
		return min(max(math.Round(x), 1), 5)
	}
	tastes := map[string]taste{}
	w.cat, w.style, w.tastes, w.trendy = cat, style, tastes, trendy
	w.oracle = func(user string, at time.Time) []float64 {
		tu, ok := tastes[user]
		out := make([]float64, n)
		if !ok {
			return out
		}
		t := at.Sub(w.start).Seconds()
		pc := make([]float64, spec.Cats)
		total := 0.0
		for _, x := range tu.favW {
			total += x
		}
		for c := range pc {
			pc[c] = 0.1 / float64(spec.Cats)
		}
		for k, c := range tu.favs {
			pc[c] += 0.9 * tu.favW[k] / total
		}
		for c, list := range byCat {
			z := 0.0
			for _, i := range list {
				if avail(i, t) {
					z += appeal(i, t, tu.style, tu.band)
				}
			}
			if z == 0 {
				continue
			}
			for _, i := range list {
				if avail(i, t) {
					out[i] = pc[c] * appeal(i, t, tu.style, tu.band) / z
				}
			}
		}
		if spec.Explore > 0 {
			zq := 0.0
			for i, q := range quality {
				if avail(i, t) {
					zq += q
				}
			}
			for i, q := range quality {
				out[i] *= 1 - spec.Explore
				if avail(i, t) {
					out[i] += spec.Explore * q / zq
				}
			}
		}
		return out
	}
	for u := range spec.Users {
		uid := fmt.Sprintf("u%05d", u)
		from := len(w.evs)
		favs := make([]int, spec.TasteCats)
		favW := make([]float64, spec.TasteCats)
		for k := range favs {
			favs[k] = min(int(float64(spec.Cats)*math.Pow(rng.Float64(), 1.3)), spec.Cats-1)
			favW[k] = rng.ExpFloat64()
		}
		uStyle := rng.IntN(spec.Styles)
		band := math.Exp(2.5 + float64(favs[0]%5)*0.4 + rng.NormFloat64()*0.4)
		tastes[uid] = taste{favs, favW, uStyle, band}
		first := rng.Float64() * span * 0.7
		sessions := 1 + poisson(rng, spec.Sessions-1)
		if spec.Pareto > 0 {
			sessions = min(int(math.Pow(1-rng.Float64(), -1/spec.Pareto)), 200)
		}
		if spec.Short {
			sessions = 1 // half the shoppers: one visit, one event
			if r := rng.Float64(); r >= 0.8 {
				sessions = 3
			} else if r >= 0.5 {
				sessions = 2
			}
		}
		times := make([]float64, sessions)
		for s := range times {
			times[s] = first + rng.Float64()*(span-first)
		}
		slices.Sort(times)
		bursty := rng.Float64() < spec.Bursty
		var nextComp []int
		var seen []int
		rated := map[int]bool{}
		prev := -1 // the shopper's previous view, for Next
		for _, t := range times {
			c := favs[weighted(rng, favW)]
			if rng.Float64() < 0.1 {
				c = rng.IntN(spec.Cats)
			}
			views := 1 + poisson(rng, spec.Views-1)
			at := t
			order := len(w.evs)
			emit := func(i int, typ recommender.EventType) {
				ts := w.start.Add(time.Duration(at) * time.Second)
				if spec.Clickstream {
					ts = w.start.Add(time.Duration(at*1000) * time.Millisecond)
				}
				if !spec.Orders || typ == recommender.Purchase {
					w.evs = append(w.evs, recommender.Event{User: uid, Item: w.items[i].ID, Type: typ, Time: ts})
				}
				at += 20 + rng.Float64()*90
			}
			if spec.Short {
				// One event on this visit: a view, or a cart or a purchase
				// by taste.
				i := -1
				if rng.Float64() < spec.Explore {
					i = explore(at)
				} else {
					i = pick(byCat[c], at, uStyle, band)
				}
				if i < 0 {
					continue
				}
				typ, match := recommender.View, 0.5
				if style[i] == uStyle {
					match = 1
				}
				if rng.Float64() < spec.CartRate*match*2 {
					typ = recommender.AddToCart
					if rng.Float64() < spec.BuyRate {
						typ = recommender.Purchase
					}
				}
				emit(i, typ)
				continue
			}
			if spec.Ratings {
				// A sitting of ratings: each product rated once.
				for v := 0; v < views; v++ {
					i := -1
					if rng.Float64() < spec.Explore {
						i = explore(at)
					} else {
						i = pick(byCat[c], at, uStyle, band)
					}
					if i < 0 || rated[i] {
						continue
					}
					rated[i] = true
					w.evs = append(w.evs, recommender.Event{User: uid, Item: w.items[i].ID, Type: recommender.Purchase,
						Time: w.start.Add(time.Duration(at) * time.Second), Value: rate(i, tastes[uid])})
					at += 10 + rng.Float64()*80
				}
				continue
			}
			for v := 0; v < views; v++ {
				var i int
				switch {
				case spec.Explore > 0 && rng.Float64() < spec.Explore:
					// Casual browsing: a product everyone looks at, viewed
					// and left.
					if i = explore(at); i >= 0 {
						emit(i, recommender.View)
					}
					continue
				case prev >= 0 && spec.Next > 0 && rng.Float64() < spec.Next:
					i = succ[prev][0]
					if rng.Float64() < 0.3 {
						i = succ[prev][1]
					}
					if !avail(i, at) {
						continue
					}
				case len(nextComp) > 0 && rng.Float64() < 0.6:
					i, nextComp = nextComp[0], nextComp[1:]
					if !avail(i, at) {
						continue
					}
				case len(seen) > 0 && rng.Float64() < 0.15:
					i = seen[rng.IntN(len(seen))] // back to something seen before
				default:
					i = pick(byCat[c], at, uStyle, band)
				}
				if i < 0 {
					continue
				}
				seen = append(seen, i)
				prev = i
				emit(i, recommender.View)
				match := 0.5
				if style[i] == uStyle {
					match = 1
				}
				if !spec.Clickstream && rng.Float64() < 0.4 {
					emit(i, recommender.Click)
				}
				if rng.Float64() < spec.CartRate*match*2 {
					emit(i, recommender.AddToCart)
					if rng.Float64() < spec.BuyRate {
						emit(i, recommender.Purchase)
						if comp[i] >= 0 && rng.Float64() < 0.7 {
							nextComp = append(nextComp, comp[i])
						}
					}
				}
			}
			if spec.Orders && len(w.evs) > order {
				// One order: every product bought in the session at checkout.
				for k := order; k < len(w.evs); k++ {
					w.evs[k].Time = w.evs[len(w.evs)-1].Time
				}
			}
		}
		if bursty {
			// The shopper's history before 80% of the time was imported in
			// one batch: one timestamp for all of it.
			cut := w.start.Add(time.Duration(span*0.8) * time.Second)
			var stamp time.Time
			for k := from; k < len(w.evs); k++ {
				e := &w.evs[k]
				if !e.Time.Before(cut) {
					continue
				}
				if stamp.IsZero() {
					stamp = cut.Add(-time.Duration(rng.IntN(3*86400)) * time.Second)
				}
				e.Time = stamp
			}
		}
	}
	for k := range w.evs {
		if w.evs[k].Time.After(end) {
			w.evs[k].Time = end
		}
		if spec.Daily {
			w.evs[k].Time = w.evs[k].Time.Truncate(24 * time.Hour)
		}
	}
	return w
}

// timeShare is where t falls in the world's time, 0 at the start, 1 at the end.
func (w *world) timeShare(t time.Time) float64 {
	return t.Sub(w.start).Seconds() / (float64(w.spec.Days) * 86400)
}

func cap1(s string) string { return string(s[0]-32) + s[1:] }

func poisson(rng *rand.Rand, mean float64) int {
	if mean <= 0 {
		return 0
	}
	l, k, p := math.Exp(-mean), 0, 1.0
	for {
		p *= rng.Float64()
		if p <= l {
			return k
		}
		k++
	}
}

func weighted(rng *rand.Rand, w []float64) int {
	total := 0.0
	for _, v := range w {
		total += v
	}
	r := rng.Float64() * total
	for i, v := range w {
		r -= v
		if r <= 0 {
			return i
		}
	}
	return len(w) - 1
}
