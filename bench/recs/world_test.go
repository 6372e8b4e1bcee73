package main

import (
	"cmp"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"storefront/recommender"
)

// TestOrderExportHasOnlyOrders: an order export's events are all
// purchases, and the products of one order share its timestamp, so many
// shoppers have several products on one instant.
func TestOrderExportHasOnlyOrders(t *testing.T) {
	spec := worldSpec{Name: "tiny-orders", Items: 200, Users: 300, Cats: 5, Styles: 3, Days: 60, Sessions: 5, Views: 6,
		TasteCats: 2, PopSkew: 0.8, CartRate: 0.25, BuyRate: 0.8, Orders: true, Seed: 13}
	w := generate(spec)
	if len(w.evs) == 0 {
		t.Fatal("no events")
	}
	type key struct {
		user string
		unix int64
	}
	perOrder := map[key]int{}
	for _, e := range w.evs {
		if e.Type != recommender.Purchase {
			t.Fatalf("an order export holds a %s event: %+v", e.Type, e)
		}
		perOrder[key{e.User, e.Time.Unix()}]++
	}
	multi := 0
	for _, n := range perOrder {
		if n > 1 {
			multi++
		}
	}
	if multi < len(perOrder)/5 {
		t.Errorf("%d of %d orders hold more than one product; an order's products should share its timestamp", multi, len(perOrder))
	}
	// Without Orders the same shop has views, clicks and carts too.
	spec.Orders = false
	types := map[recommender.EventType]bool{}
	for _, e := range generate(spec).evs {
		types[e.Type] = true
	}
	if len(types) != 4 {
		t.Errorf("the same shop without Orders has event types %v, want all four", types)
	}
}

// TestSequencesFollowSuccessors: with Next, about that share of a
// shopper's views follow on from their previous view to one of its
// successors; without it, successors are not drawn at all.
func TestSequencesFollowSuccessors(t *testing.T) {
	spec := worldSpec{Name: "tiny-series", Items: 400, Users: 400, Cats: 6, Styles: 3, Days: 60, Sessions: 5, Views: 5,
		TasteCats: 2, PopSkew: 0.8, CartRate: 0.1, BuyRate: 0.5, Next: 0.5, Seed: 14}
	w := generate(spec)
	index := map[string]int{}
	for i, it := range w.items {
		index[it.ID] = i
	}
	byUser := map[string][]recommender.Event{}
	for _, e := range w.evs {
		if e.Type == recommender.View {
			byUser[e.User] = append(byUser[e.User], e)
		}
	}
	pairs, follow := 0, 0
	for _, evs := range byUser {
		slices.SortStableFunc(evs, func(a, b recommender.Event) int { return cmp.Compare(a.Time.UnixNano(), b.Time.UnixNano()) })
		for k := 1; k < len(evs); k++ {
			a, b := index[evs[k-1].Item], index[evs[k].Item]
			pairs++
			if w.succ[a][0] == b || w.succ[a][1] == b {
				follow++
			}
		}
	}
	share := float64(follow) / float64(max(pairs, 1))
	if share < 0.35 || share > 0.65 {
		t.Errorf("%.2f of %d consecutive views follow on to a successor, want about Next = 0.5", share, pairs)
	}
	spec.Next = 0
	if w := generate(spec); w.succ != nil {
		t.Errorf("successors drawn without Next")
	}
}

// TestRatingsAreTheHiddenTaste: a ratings world's events are 1–5 ratings,
// each product rated once by a shopper; the products of a shopper's
// favourite departments and style are rated high and the rest low, and a
// low rating is a genuine dislike: the shopper's hidden taste holds less
// for the products like a product they rated 1 or 2 (same department and
// style) than for those like one they rated 4 or 5.
func TestRatingsAreTheHiddenTaste(t *testing.T) {
	spec := worldSpec{Name: "tiny-ratings", Items: 300, Users: 300, Cats: 6, Styles: 4, Days: 200, Sessions: 3, Views: 10,
		TasteCats: 2, PopSkew: 0.9, Explore: 0.3, Ratings: true, PerUserSplit: true, Seed: 15}
	w := generate(spec)
	if len(w.evs) < 3000 {
		t.Fatalf("%d ratings from 300 shoppers, want several each", len(w.evs))
	}
	index := map[string]int{}
	for i, it := range w.items {
		index[it.ID] = i
	}
	type key struct{ user, item string }
	once := map[key]bool{}
	var tasteSum, otherSum float64
	var tasteN, otherN int
	hist := map[float64]int{}
	for _, e := range w.evs {
		if e.Type != recommender.Purchase || e.Value != float64(int(e.Value)) || e.Value < 1 || e.Value > 5 {
			t.Fatalf("a ratings world holds %s with value %g, want a purchase rated 1–5", e.Type, e.Value)
		}
		if once[key{e.User, e.Item}] {
			t.Fatalf("%s rated %s twice", e.User, e.Item)
		}
		once[key{e.User, e.Item}] = true
		hist[e.Value]++
		i, tu := index[e.Item], w.tastes[e.User]
		if slices.Contains(tu.favs, w.cat[i]) && w.style[i] == tu.style {
			tasteSum, tasteN = tasteSum+e.Value, tasteN+1
		} else {
			otherSum, otherN = otherSum+e.Value, otherN+1
		}
	}
	for v := 1.0; v <= 5; v++ {
		if hist[v] < len(w.evs)/50 {
			t.Errorf("ratings %v: %d of %d are %g, want every value of 1–5 used", hist, hist[v], len(w.evs), v)
		}
	}
	t.Logf("%d ratings, by value %v; mean %.2f in the shopper's departments and style, %.2f elsewhere", len(w.evs), hist, tasteSum/float64(tasteN), otherSum/float64(otherN))
	if tm, om := tasteSum/float64(tasteN), otherSum/float64(otherN); tm < om+1.5 {
		t.Errorf("mean rating %.2f for products of the shopper's departments and style, %.2f for the rest; want the taste to show", tm, om)
	}
	// The oracle's mass on the products like a low-rated and a high-rated one.
	var low, high float64
	var lowN, highN int
	end := w.start.Add(time.Duration(spec.Days) * 24 * time.Hour)
	scores := map[string][]float64{}
	for _, e := range w.evs {
		if e.Value > 2 && e.Value < 4 {
			continue
		}
		sc, ok := scores[e.User]
		if !ok {
			sc = w.oracle(e.User, end)
			scores[e.User] = sc
		}
		i, mass := index[e.Item], 0.0
		for j := range w.items {
			if j != i && w.cat[j] == w.cat[i] && w.style[j] == w.style[i] {
				mass += sc[j]
			}
		}
		if e.Value <= 2 {
			low, lowN = low+mass, lowN+1
		} else {
			high, highN = high+mass, highN+1
		}
	}
	t.Logf("the hidden taste's mass on products like a low-rated one %.4f, like a high-rated one %.4f", low/float64(lowN), high/float64(highN))
	if low, high = low/float64(lowN), high/float64(highN); low > high/3 {
		t.Errorf("the hidden taste gives %.4f to the products like a low-rated one, %.4f to those like a high-rated one; want a low rating to be a dislike", low, high)
	}
	// The events carry their ratings to the import files.
	path := filepath.Join(t.TempDir(), "events.csv")
	if err := writeEvents(path, w.evs[:3]); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	if lines[0] != "user_id,product_id,type,timestamp,value" || !strings.HasSuffix(lines[1], ","+strconv.Itoa(int(w.evs[0].Value))) {
		t.Errorf("events written as %q, want a value column with the ratings", lines[:2])
	}
}

// TestViewsHeavyShopBuysRarely: the views-heavy world's signal is views:
// purchases are 1–2 % of them, carts rare, and casual views (Explore) of
// popular products are neither clicked nor carted.
func TestViewsHeavyShopBuysRarely(t *testing.T) {
	i := slices.IndexFunc(worlds, func(s worldSpec) bool { return s.Name == "views-heavy" })
	if i < 0 {
		t.Fatal("no views-heavy world in the suite")
	}
	spec := worlds[i]
	spec.Users = 1500 // the same shape, fewer shoppers
	count := map[recommender.EventType]int{}
	for _, e := range generate(spec).evs {
		count[e.Type]++
	}
	views := count[recommender.View]
	t.Logf("events by type %v", count)
	if share := float64(count[recommender.Purchase]) / float64(views); share < 0.01 || share > 0.02 {
		t.Errorf("%d purchases for %d views (%.2f %%), want 1–2 %%", count[recommender.Purchase], views, 100*share)
	}
	if carts := float64(count[recommender.AddToCart]) / float64(views); carts > 0.04 {
		t.Errorf("carts are %.1f %% of views, want a few per cent", 100*carts)
	}
	// Without Explore the same shop's views are all by taste: more clicks per view.
	clicks := float64(count[recommender.Click]) / float64(views)
	spec.Explore = 0
	count = map[recommender.EventType]int{}
	for _, e := range generate(spec).evs {
		count[e.Type]++
	}
	if byTaste := float64(count[recommender.Click]) / float64(count[recommender.View]); clicks > byTaste*0.75 {
		t.Errorf("clicks per view %.2f with casual browsing, %.2f without; want casual views left unclicked", clicks, byTaste)
	}
}

// TestShortHistoriesAreOneToThreeEvents: with Short every shopper has one
// to three events, about half of them one, on visits of their own.
func TestShortHistoriesAreOneToThreeEvents(t *testing.T) {
	spec := worldSpec{Name: "tiny-short", Items: 300, Users: 4000, Cats: 6, Styles: 4, Days: 90, TasteCats: 2, PopSkew: 0.8,
		Short: true, CartRate: 0.1, BuyRate: 0.5, Seed: 16}
	w := generate(spec)
	per := map[string][]recommender.Event{}
	for _, e := range w.evs {
		per[e.User] = append(per[e.User], e)
	}
	ones, gaps, apart := 0, 0, 0
	for u, evs := range per {
		if len(evs) < 1 || len(evs) > 3 {
			t.Fatalf("%s has %d events, want 1–3", u, len(evs))
		}
		if len(evs) == 1 {
			ones++
		}
		for k := 1; k < len(evs); k++ {
			gaps++
			if d := evs[k].Time.Sub(evs[k-1].Time); d > time.Hour || d < -time.Hour {
				apart++
			}
		}
	}
	t.Logf("%d shoppers, %d with one event, %d of %d gaps over an hour", len(per), ones, apart, gaps)
	if share := float64(ones) / float64(len(per)); share < 0.4 || share > 0.6 {
		t.Errorf("%.2f of shoppers have one event, want about half", share)
	}
	if apart < gaps*9/10 {
		t.Errorf("%d of %d consecutive events of a shopper are more than an hour apart, want visits of their own", apart, gaps)
	}
}

// TestSmallShopHasAFewThousandEvents: the suite has a shop of a few
// thousand events, where tuning's first fit is as large as its budget,
// with enough shoppers on both sides of tuning's split to tune at all.
func TestSmallShopHasAFewThousandEvents(t *testing.T) {
	i := slices.IndexFunc(worlds, func(s worldSpec) bool { return s.Name == "small-shop" })
	if i < 0 {
		t.Fatal("no small-shop world in the suite")
	}
	w := generate(worlds[i])
	train, _ := recommender.TimeSplit(w.evs, 0.8)
	users := map[string]bool{}
	for _, e := range train {
		users[e.User] = true
	}
	if n := len(w.evs); n < 2_000 || n > 10_000 || len(users) < 100 {
		t.Fatalf("small-shop has %d events of %d shoppers in its training part, want a few thousand of more than 100", n, len(users))
	}
}

// TestSparseCategoryLoyalShopKeepsToFewLeaves: the large marketplace's
// shoppers are mostly one-off (a median of one or two distinct products),
// a few come back often, its catalog spans hundreds of leaf categories
// with distinct names under many departments, and most of a shopper's
// products are in their favourite leaves.
func TestSparseCategoryLoyalShopKeepsToFewLeaves(t *testing.T) {
	i := slices.IndexFunc(worlds, func(s worldSpec) bool { return s.Name == "sparse-category-loyal" })
	if i < 0 {
		t.Fatal("no sparse-category-loyal world in the suite")
	}
	spec := worlds[i]
	spec.Users = 3000 // the same shape, fewer shoppers
	w := generate(spec)
	leaves, groups := map[string]bool{}, map[string]bool{}
	for _, it := range w.items {
		leaves[it.Category] = true
		groups[it.CategoryPath[0]] = true
	}
	if len(leaves) < 250 || len(groups) != spec.Groups {
		t.Errorf("%d distinct leaf categories under %d departments, want hundreds under %d", len(leaves), len(groups), spec.Groups)
	}
	index := map[string]int{}
	for k, it := range w.items {
		index[it.ID] = k
	}
	products := map[string]map[int]bool{}
	for _, e := range w.evs {
		if products[e.User] == nil {
			products[e.User] = map[int]bool{}
		}
		products[e.User][index[e.Item]] = true
	}
	var sizes []int
	inFav, all := 0, 0
	for u, ps := range products {
		sizes = append(sizes, len(ps))
		for p := range ps {
			all++
			if slices.Contains(w.tastes[u].favs, w.cat[p]) {
				inFav++
			}
		}
	}
	slices.Sort(sizes)
	median, top := sizes[len(sizes)/2], sizes[len(sizes)*99/100]
	share := float64(inFav) / float64(all)
	t.Logf("%d shoppers, median %d distinct products, 99th percentile %d; %.2f of shopper–product pairs in a favourite leaf", len(sizes), median, top, share)
	if median > 2 || top < 15 {
		t.Errorf("median %d distinct products a shopper, 99th percentile %d; want one or two and a tail of regulars", median, top)
	}
	if share < 0.8 {
		t.Errorf("%.2f of a shopper's products in their favourite leaves, want most", share)
	}
}

// A public clickstream's shape (the clickstream worlds): most visitors
// have one or two events, about 1.5 % of them put something in the cart
// and fewer buy, the events are views, carts and purchases only, to the
// millisecond, and product popularity is a power law. Both worlds are too
// slow for the default run: only a run that names them has them.
func TestClickstreamWorldsHaveAPublicExportsShape(t *testing.T) {
	for _, name := range []string{"clickstream", "clickstream-tenth"} {
		i := slices.IndexFunc(worlds, func(s worldSpec) bool { return s.Name == name })
		if i < 0 {
			t.Fatalf("no %s world", name)
		}
		if worlds[i].chosen(map[string]bool{}) || !worlds[i].chosen(map[string]bool{name: true}) {
			t.Errorf("%s: in the default run, or not when named", name)
		}
	}
	spec := worlds[slices.IndexFunc(worlds, func(s worldSpec) bool { return s.Name == "clickstream-tenth" })]
	spec.Users, spec.Items = spec.Users/5, spec.Items/5 // the same shape, smaller
	w := generate(spec)
	events, carted, bought := map[string]int{}, map[string]bool{}, 0
	byItem := map[string]int{}
	millis := 0
	for _, e := range w.evs {
		events[e.User]++
		byItem[e.Item]++
		switch e.Type {
		case recommender.View:
		case recommender.AddToCart:
			carted[e.User] = true
		case recommender.Purchase:
			bought++
		default:
			t.Fatalf("a %v event: a clickstream has views, carts and purchases only", e.Type)
		}
		if e.Time.Nanosecond()%int(time.Second) != 0 {
			millis++
		}
	}
	short := 0
	for _, n := range events {
		if n <= 2 {
			short++
		}
	}
	counts := make([]int, 0, len(byItem))
	for _, n := range byItem {
		counts = append(counts, n)
	}
	slices.SortFunc(counts, func(a, b int) int { return cmp.Compare(b, a) })
	top := 0
	for _, n := range counts[:len(counts)/100] {
		top += n
	}
	shortShare, cartShare := float64(short)/float64(len(events)), float64(len(carted))/float64(len(events))
	topShare := float64(top) / float64(len(w.evs))
	t.Logf("%d visitors, %.2f events each; %.2f with one or two; %.2f %% carting; %d purchases; the top 1 %% of products %.2f of the events",
		len(events), float64(len(w.evs))/float64(len(events)), shortShare, 100*cartShare, bought, topShare)
	if shortShare < 0.7 || cartShare < 0.008 || cartShare > 0.03 || bought == 0 || bought >= len(carted) {
		t.Errorf("visitors with one or two events %.2f (want ≥ 0.7), carting %.2f %% (want about 1.5), %d purchases by %d carting visitors", shortShare, 100*cartShare, bought, len(carted))
	}
	if millis < len(w.evs)/2 {
		t.Errorf("%d of %d events with a fraction of a second: timestamps are not to the millisecond", millis, len(w.evs))
	}
	if topShare < 0.1 {
		t.Errorf("the top 1 %% of products have %.2f of the events: popularity is not a power law", topShare)
	}
}
