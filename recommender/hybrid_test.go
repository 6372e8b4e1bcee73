package recommender

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestHybridPartsAddUpOnAReusedScratch: the blend is the sum of its parts,
// each normalised on its own, whatever ran on the scratch before. The
// neighbour parts accumulate from zero into the buffer the dense parts
// (ALS, SVD, EASE) fill: their scores left in it had the neighbour parts
// skip almost every item, in the served blend and in the tuner's cache of
// each part alone.
func TestHybridPartsAddUpOnAReusedScratch(t *testing.T) {
	d := syntheticShop(300, 400, 20_000, 5)
	cfg := quickConfig()
	m, err := Train(context.Background(), d, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	parts := []HybridWeights{{ALS: 1}, {SVD: 1}, {EASE: 1}, {KNN: 1}, {Content: 1}, {Next: 1}, {Terms: 1}, {AfterPurchase: 1}}
	all := HybridWeights{ALS: 1, SVD: 1, EASE: 1, KNN: 1, Content: 1, Next: 1, Terms: 1, AfterPurchase: 1}
	n := len(m.cat.items)
	var cands []int32
	for j := range min(n, 150) {
		cands = append(cands, int32(j*2%n))
	}
	// run scores one request on s; sub != nil takes the candidate-list path.
	run := func(s *scratch, u string, w HybridWeights, sub []int32) []float32 {
		s.begin()
		req := Request{User: u, weights: &w}
		user := m.buildHistory(s, req)
		if sub != nil {
			m.hybridSubset(s, req, user, sub, w)
		} else {
			m.hybrid(s, req, user, nil)
		}
		return append([]float32(nil), s.score...)
	}
	reused := m.getScratch()
	for _, sub := range [][]int32{nil, cands} {
		for _, u := range m.userIDs[:20] {
			want := make([]float32, n)
			for _, w := range parts {
				for j, v := range run(m.getScratch(), u, w, sub) { // a fresh scratch for each part
					want[j] += v
				}
			}
			// On one scratch, each part alone and then the whole blend,
			// as the tuner's cache and serving use it.
			for _, w := range parts {
				run(reused, u, w, sub)
			}
			got := run(reused, u, all, sub)
			for j := range got {
				if math.Abs(float64(got[j]-want[j])) > 1e-4 {
					t.Fatalf("shopper %s (candidate list %v), item %d: blend %.5f, sum of its parts %.5f", u, sub != nil, j, got[j], want[j])
				}
			}
		}
	}
}

// TestEASEsShareGoesToKNNAboveItsLimit: untuned, a catalog above EASE's
// item limit blends item-kNN with the fallback share of EASE's weight (it
// would have no item-to-item part at all otherwise); one within the limit
// keeps EASE and the blend as configured; a tuned blend fit without EASE
// keeps the kNN weight its own data chose.
func TestEASEsShareGoesToKNNAboveItsLimit(t *testing.T) {
	d := syntheticShop(300, 400, 20_000, 5)
	cfg := quickConfig()
	within, err := Train(context.Background(), d, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := cfg.Weights
	want.CategoryMix = within.cfg.Weights.CategoryMix // measured on the shop's data at training (calibrate.go)
	if !within.ease.enabled() || within.cfg.Weights != want {
		t.Fatalf("within EASE's limit: EASE trained %v, blend %+v, want EASE and %+v", within.ease.enabled(), within.cfg.Weights, want)
	}
	above := cfg
	above.EASE.MaxItems = 50 // fewer than the shop's active items
	m, err := Train(context.Background(), d, above, nil)
	if err != nil {
		t.Fatal(err)
	}
	w := m.cfg.Weights
	if m.ease.enabled() || w.EASE != 0 || w.KNN != cfg.EASEFallback*cfg.Weights.EASE+cfg.Weights.KNN {
		t.Errorf("above EASE's limit: EASE trained %v, blend EASE %g, kNN %g; want no EASE and kNN %g", m.ease.enabled(), w.EASE, w.KNN,
			cfg.EASEFallback*cfg.Weights.EASE+cfg.Weights.KNN)
	}
	// The served lists differ from those of a blend without kNN.
	off := above
	off.EASEFallback = 0
	plain, err := Train(context.Background(), d, off, nil)
	if err != nil {
		t.Fatal(err)
	}
	if plain.cfg.Weights.KNN != cfg.Weights.KNN {
		t.Errorf("fallback 0: kNN %g, want %g", plain.cfg.Weights.KNN, cfg.Weights.KNN)
	}
	differ := 0
	for _, u := range m.userIDs[:30] {
		a := m.Recommend(Request{User: u, Strategy: Hybrid, N: 10, ExcludeSeen: true})
		b := plain.Recommend(Request{User: u, Strategy: Hybrid, N: 10, ExcludeSeen: true})
		for k := range min(len(a), len(b)) {
			if a[k].ItemID != b[k].ItemID {
				differ++
				break
			}
		}
	}
	if differ == 0 {
		t.Error("the fallback's kNN share changed no shopper's list")
	}
	// Tuned without EASE, the blend's kNN weight is the shop's own.
	above.TuneBudget = 2 * time.Second
	_, rep, err := Fit(context.Background(), d, above, FitOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Tuned {
		t.Fatalf("not tuned: %s", rep.Reason)
	}
	if want := 0.0; rep.DefaultsKept && rep.Config.EASEFallback != above.EASEFallback || !rep.DefaultsKept && rep.Config.EASEFallback != want {
		t.Errorf("tuned without EASE (defaults kept: %v): fallback %g", rep.DefaultsKept, rep.Config.EASEFallback)
	}
}

// afterPurchaseShop: 40 products, a "partner" C_k for each of five bought
// products A_k; 60 shoppers each browse, buy A_k and go on to view C_k a
// minute later. Shopper "t" bought A_0 two days before the end and then
// browsed ten other products, so A_0 is not among their latest items.
// With everything a purchase (allBought), the shop is a ratings-like file.
func afterPurchaseShop(allBought bool) Dataset {
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	d := Dataset{Now: now}
	for i := range 40 {
		cat := "Lamps"
		if i >= 20 {
			cat = "Bulbs"
		}
		d.Items = append(d.Items, Item{ID: fmt.Sprintf("P%02d", i), Title: fmt.Sprintf("Item %d", i), Category: cat, Active: true, Stock: 10})
	}
	typ := func(t EventType) EventType {
		if allBought {
			return Purchase
		}
		return t
	}
	at := now.Add(-30 * 24 * time.Hour)
	ev := func(u string, i int, t EventType) {
		at = at.Add(time.Minute)
		d.Events = append(d.Events, Event{User: u, Item: fmt.Sprintf("P%02d", i), Type: typ(t), Time: at})
	}
	for u := range 60 {
		id := fmt.Sprintf("u%02d", u)
		k := u % 5
		ev(id, 5+(u*7)%15, View)
		ev(id, 5+(u*11)%15, View)
		ev(id, k, View)
		ev(id, k, Purchase)
		ev(id, 20+k, View)
		ev(id, 25+(u*3)%15, View)
		at = at.Add(5 * time.Hour)
	}
	at = now.Add(-48 * time.Hour)
	ev("t", 0, View)
	ev("t", 0, Purchase)
	at = at.Add(24 * time.Hour)
	for i := range 10 {
		ev("t", 6+i, View)
	}
	return d
}

// blendScores scores every product for a shopper with the blend w and
// returns the row.
// quickConfig is the default configuration trained quickly on one core,
// every shopper scored against the whole catalog.
func quickConfig() Config {
	cfg := DefaultConfig()
	cfg.Candidates.PerUser = 0
	cfg.ALS.Iterations = 3
	cfg.Workers = 1
	return cfg
}

func blendScores(m *Model, user string, w HybridWeights) []float32 {
	s := m.getScratch()
	defer m.scratch.Put(s)
	s.begin()
	req := Request{User: user, weights: &w}
	m.hybrid(s, req, m.buildHistory(s, req), nil)
	return slices.Clone(s.score)
}

// TestAfterPurchaseReachesThePartner: the after-purchase part scores what
// other shoppers went on to after the shopper's purchases, however long
// ago — the partner of a product bought before ten other views, which the
// transitions from the latest items do not reach — and names the purchase
// as the reason. In a shop where every pair is a purchase it is left out.
func TestAfterPurchaseReachesThePartner(t *testing.T) {
	cfg := quickConfig()
	score := func(m *Model, w HybridWeights) []float32 { return blendScores(m, "t", w) }
	m, err := Train(context.Background(), afterPurchaseShop(false), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	partner := m.cat.index["P20"]
	after := score(m, HybridWeights{AfterPurchase: 1})
	if after[partner] != 1 {
		t.Errorf("after the purchase of P00: the partner P20 scores %.3f, want 1 (the part's best)", after[partner])
	}
	for j, v := range after {
		if v > 0 && m.cat.items[j].Category != "Bulbs" {
			t.Errorf("after the purchase of P00: %s scores %.3f; only what shoppers went on to after buying (the Bulbs) should", m.cat.items[j].ID, v)
		}
	}
	if next := score(m, HybridWeights{Next: 1}); next[partner] != 0 {
		t.Errorf("the transitions from the latest five items reach P20 (%.3f): the shopper's purchase should be out of their reach", next[partner])
	}
	w := HybridWeights{AfterPurchase: 1}
	recs := m.Recommend(Request{User: "t", Strategy: Hybrid, N: 5, ExcludeSeen: true, weights: &w})
	if len(recs) == 0 || recs[0].ItemID != "P20" {
		t.Fatalf("the after-purchase part's first product for a shopper who bought P00: %v, want P20", recs)
	}
	if !strings.Contains(recs[0].Reason, "Item 0") {
		t.Errorf("P20's reason %q does not name the purchase (Item 0)", recs[0].Reason)
	}

	ratings, err := Train(context.Background(), afterPurchaseShop(true), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if ratings.afterPurchase {
		t.Error("a shop where every pair is a purchase: the after-purchase part is on")
	}
	for j, v := range score(ratings, HybridWeights{AfterPurchase: 1}) {
		if v != 0 {
			t.Fatalf("every pair a purchase: %s scores %.3f from the after-purchase part, want nothing", ratings.cat.items[j].ID, v)
		}
	}
}

// TestShortHistoryLeansOnPopularity: a blend's ShortHistory adds to
// popularity's weight over the number of products in the shopper's
// history — all of it for one product, a tenth for ten — and tuning's
// cache of the parts ranks a blend with it as serving does; a new
// visitor's session blend leaves it out.
func TestShortHistoryLeansOnPopularity(t *testing.T) {
	d := syntheticShop(300, 400, 20_000, 7)
	cfg := quickConfig()
	m, err := Train(context.Background(), d, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Weights.ShortHistory != 0 {
		t.Fatalf("default lean %g, want 0 (tuning decides it)", cfg.Weights.ShortHistory)
	}
	n := len(m.cat.items)
	hi := float32(0)
	for _, v := range m.pop.pop {
		hi = max(hi, v)
	}
	score := func(u string, lean float64, recent []Event) ([]float32, int) {
		w := m.cfg.Weights
		w.ShortHistory = lean
		s := m.getScratch()
		s.begin()
		req := Request{User: u, Recent: recent, weights: &w}
		user := m.buildHistory(s, req)
		m.hybrid(s, req, user, nil)
		return append([]float32(nil), s.score...), len(s.hist.items)
	}
	// A stranger whose only product is the least popular one, and the
	// trained shoppers with the shortest and a long history.
	least := int32(0)
	for j, v := range m.pop.pop {
		if v > 0 && (m.pop.pop[least] <= 0 || v < m.pop.pop[least]) {
			least = int32(j)
		}
	}
	one := []Event{{User: "stranger", Item: m.cat.items[least].ID, Type: View, Time: d.Now}}
	shortest := 0
	for u := range m.userIDs {
		if a, _ := m.ui.row(u); len(a) < func() int { b, _ := m.ui.row(shortest); return len(b) }() {
			shortest = u
		}
	}
	cases := []struct {
		user   string
		recent []Event
	}{{"stranger", one}, {m.userIDs[shortest], nil}, {m.userIDs[1], nil}}
	for _, c := range cases {
		with, hist := score(c.user, 3, c.recent)
		without, _ := score(c.user, 0, c.recent)
		if hist == 0 || c.recent != nil && hist != 1 {
			t.Fatalf("%s: %d products in the history", c.user, hist)
		}
		for j := range n {
			want := without[j] + 3/float32(hist)*max(m.pop.pop[j], 0)/hi
			if math.Abs(float64(with[j]-want)) > 1e-4 {
				t.Fatalf("%s (%d products): item %d scores %g with the lean, want %g (%g without)", c.user, hist, j, with[j], want, without[j])
			}
		}
	}

	// Tuning's cache: a held-out product that leads the served list with
	// a strong lean but not without it is first (NDCG 1) in the cache's
	// ranking with the lean only.
	u := m.userIDs[shortest]
	seen := map[int32]bool{}
	items, _ := m.ui.row(shortest)
	for _, j := range items {
		seen[j] = true
	}
	top := func(sc []float32) int32 {
		b := int32(-1)
		for j, v := range sc {
			if !seen[int32(j)] && (b < 0 || v > sc[b]) {
				b = int32(j)
			}
		}
		return b
	}
	leaned, _ := score(u, 30, nil)
	plain, _ := score(u, 0, nil)
	target := top(leaned)
	if target == top(plain) {
		t.Fatalf("the lean does not change %s's first product: no check of the cache", u)
	}
	tn := &tuner{workers: 1}
	cache := tn.cacheFor(m, tuneUser{id: u, rel: map[int32]bool{target: true}, seen: items})
	w := m.cfg.Weights
	w.ShortHistory = 30
	if got := tn.perUser(cache, w)[0]; got != 1 {
		t.Errorf("the cache ranks the served first product with NDCG %g, want 1", got)
	}
	w.ShortHistory = 0
	if got := tn.perUser(cache, w)[0]; got == 1 {
		t.Errorf("without the lean the cache still ranks it first")
	}
	if sw := sessionWeights(&Model{cfg: Config{Weights: HybridWeights{EASE: 1, ShortHistory: 3}}}); sw.ShortHistory != 0 {
		t.Errorf("a visit's blend leans %g to popularity, want 0", sw.ShortHistory)
	}
}

// purchaseLeadsShop: 160 shoppers visit P00 and go on to P21 and another
// lamp; the 40 who buy P00 (leads) also come back for its partner P20 two
// days later. With leads false the buyers do not, and P20 follows buyers
// and visitors alike. Shopper t bought P00 long ago and has viewed ten
// other lamps since.
func purchaseLeadsShop(leads bool) Dataset {
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	d := Dataset{Now: now}
	for i := range 40 {
		cat := "Lamps"
		if i >= 20 {
			cat = "Bulbs"
		}
		d.Items = append(d.Items, Item{ID: fmt.Sprintf("P%02d", i), Title: fmt.Sprintf("Item %d", i), Category: cat, Active: true, Stock: 10})
	}
	at := now.Add(-60 * 24 * time.Hour)
	ev := func(u string, i int, t EventType) {
		at = at.Add(time.Minute)
		d.Events = append(d.Events, Event{User: u, Item: fmt.Sprintf("P%02d", i), Type: t, Time: at})
	}
	for u := range 160 {
		id := fmt.Sprintf("u%03d", u)
		bought := u%4 == 0
		ev(id, 0, View)
		if bought {
			ev(id, 0, Purchase)
		}
		ev(id, 21, View)
		ev(id, 5+(u*7)%15, View)
		at = at.Add(48 * time.Hour)
		if bought == leads || !leads && u%4 == 1 {
			ev(id, 20, View)
		}
		ev(id, 5+(u*11)%15, View)
		at = at.Add(-47 * time.Hour)
	}
	at = now.Add(-72 * time.Hour)
	ev("t", 0, View)
	ev("t", 0, Purchase)
	at = at.Add(48 * time.Hour)
	for i := range 10 {
		ev("t", 6+i, View)
	}
	return d
}

// TestAPurchaseLeadsToWhatItsBuyersGoOnTo: the part scores what a
// purchase leads its buyers to more often than a visit of the product
// leads its visitors — the partner its buyers come back for days later,
// which the transitions within a day never see — and not what everyone
// goes on to after the product (P21); it names the purchase as the reason
// and is in the default blend. Where buyers go on like visitors, the shop
// has no such pairs and the part adds nothing.
func TestAPurchaseLeadsToWhatItsBuyersGoOnTo(t *testing.T) {
	cfg := quickConfig()
	if cfg.Weights.PurchaseLeadsTo <= 0 {
		t.Fatalf("PurchaseLeadsTo %g in the default blend, want it on", cfg.Weights.PurchaseLeadsTo)
	}
	score := func(m *Model, w HybridWeights) []float32 { return blendScores(m, "t", w) }
	m, err := Train(context.Background(), purchaseLeadsShop(true), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	partner, everyone := m.cat.index["P20"], m.cat.index["P21"]
	leads := score(m, HybridWeights{PurchaseLeadsTo: 1})
	if leads[partner] != 1 {
		t.Errorf("after buying P00: the partner P20 scores %.3f, want 1 (the part's best)", leads[partner])
	}
	for j, v := range leads {
		if v > 0 && int32(j) != partner {
			t.Errorf("after buying P00: %s scores %.3f; only P20 follows a purchase more than a visit", m.cat.items[j].ID, v)
		}
	}
	after := score(m, HybridWeights{AfterPurchase: 1})
	if after[partner] != 0 || after[everyone] <= 0 {
		t.Errorf("the transitions within a day after the purchase: P20 %.3f, P21 %.3f; want P20 out of their reach, P21 in it", after[partner], after[everyone])
	}
	w := HybridWeights{PurchaseLeadsTo: 1}
	recs := m.Recommend(Request{User: "t", Strategy: Hybrid, N: 5, ExcludeSeen: true, weights: &w})
	if len(recs) == 0 || recs[0].ItemID != "P20" {
		t.Fatalf("the part's first product for a shopper who bought P00: %v, want P20", recs)
	}
	if !strings.Contains(recs[0].Reason, "Item 0") {
		t.Errorf("P20's reason %q does not name the purchase (Item 0)", recs[0].Reason)
	}
	// Saved and loaded, the model keeps the pairs.
	loaded := reloaded(t, m)
	if got := score(loaded, HybridWeights{PurchaseLeadsTo: 1}); got[partner] != 1 {
		t.Errorf("loaded model: P20 scores %.3f from the part, want 1", got[partner])
	}

	plain, err := Train(context.Background(), purchaseLeadsShop(false), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if n := plain.afterBuy.nnz(); n != 0 {
		t.Errorf("buyers go on like visitors: %d pairs a purchase leads to, want none", n)
	}
	for j, v := range score(plain, HybridWeights{PurchaseLeadsTo: 1}) {
		if v != 0 {
			t.Fatalf("buyers go on like visitors: %s scores %.3f from the part, want nothing", plain.cat.items[j].ID, v)
		}
	}
}

// TestARefitScoresWhatAPurchaseLeadsTo: tuning scores a move that retrains
// one model (here item-kNN, with the settings unchanged) on a model that
// keeps every other part of the full fit; before, the refit lost what a
// purchase leads to, so every such move was judged without that part.
func TestARefitScoresWhatAPurchaseLeadsTo(t *testing.T) {
	cfg := quickConfig()
	cfg.Neighbors = 50
	tn := &tuner{ctx: context.Background(), workers: 1, data: purchaseLeadsShop(true)}
	full, err := tn.build(cfg, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	refit, err := tn.build(cfg, full.m, "item_knn")
	if err != nil {
		t.Fatal(err)
	}
	partner := full.m.cat.index["P20"]
	w := HybridWeights{PurchaseLeadsTo: 1}
	if got := blendScores(full.m, "t", w)[partner]; got != 1 {
		t.Fatalf("the full fit: P20 scores %.3f from what a purchase leads to, want 1", got)
	}
	if got := blendScores(refit.m, "t", w)[partner]; got != 1 {
		t.Errorf("a refit of item-kNN: P20 scores %.3f from what a purchase leads to, want 1 as in the full fit", got)
	}
	a, b := blendScores(full.m, "t", cfg.Weights), blendScores(refit.m, "t", cfg.Weights)
	for j := range a {
		if a[j] != b[j] {
			t.Fatalf("%s: the default blend scores %.4f on the full fit, %.4f on a refit with the same settings", full.m.cat.items[j].ID, a[j], b[j])
		}
	}
}

// TestPopularInYourCategoriesCountsTheShopsShoppers: "popular in your
// categories" ranks the shopper's categories' products by how many of the
// shop's shoppers each reached, all time — a tent twelve shoppers looked at
// two months ago above one three shoppers bought this week (the week's
// type-weighted popularity, "Popular right now", puts the week's first) —
// and keeps that from a saved model.
func TestPopularInYourCategoriesCountsTheShopsShoppers(t *testing.T) {
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	d := Dataset{Now: now}
	for i, c := range []string{"Tents", "Tents", "Tents", "Lamps", "Lamps"} {
		d.Items = append(d.Items, Item{ID: fmt.Sprintf("P%d", i), Title: fmt.Sprintf("Item %d", i), Category: c, Active: true, Stock: 10})
	}
	ev := func(u string, item string, typ EventType, at time.Time) {
		d.Events = append(d.Events, Event{User: u, Item: item, Type: typ, Time: at})
	}
	for u := range 12 {
		ev(fmt.Sprintf("old%02d", u), "P0", View, now.Add(-60*24*time.Hour+time.Duration(u)*time.Minute))
		ev(fmt.Sprintf("old%02d", u), "P3", View, now.Add(-60*24*time.Hour+time.Duration(u)*time.Minute+time.Second))
	}
	for u := range 3 {
		ev(fmt.Sprintf("new%d", u), "P1", Purchase, now.Add(-time.Duration(u+1)*time.Hour))
	}
	ev("t", "P2", View, now.Add(-30*time.Minute))
	cfg := quickConfig()
	m, err := Train(context.Background(), d, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	oldTent, newTent, lamp := m.cat.index["P0"], m.cat.index["P1"], m.cat.index["P3"]
	if m.pop.pop[newTent] <= m.pop.pop[oldTent] {
		t.Fatalf("the week's popularity: P1 %.3f, P0 %.3f; the shop should have this week's tent first there", m.pop.pop[newTent], m.pop.pop[oldTent])
	}
	check := func(name string, m *Model) {
		got := blendScores(m, "t", HybridWeights{CatPop: 1})
		if got[oldTent] <= got[newTent] {
			t.Errorf("%s: popular in your categories scores the tent twelve shoppers reached %.3f, the week's tent of three %.3f; want the twelve first", name, got[oldTent], got[newTent])
		}
		if got[lamp] >= got[oldTent] {
			t.Errorf("%s: a lamp, outside the shopper's categories, scores %.3f, the tent twelve shoppers reached %.3f", name, got[lamp], got[oldTent])
		}
	}
	check("trained", m)
	loaded := reloaded(t, m)
	check("loaded", loaded)
}

// TestTuningLeavesOutTheEASEServingCannotHave: a shop whose products
// launched in its last days has more products with events than EASE's
// limit, while tuning's part before its cut-off has fewer. The final
// training has no EASE, so tuning's fits train none and its blend gives
// EASE no weight: the blend chosen is the one served.
func TestTuningLeavesOutTheEASEServingCannotHave(t *testing.T) {
	d := syntheticShop(300, 200, 12_000, 5)
	end := latest(d.Events)
	for i := range 60 {
		id := fmt.Sprintf("late%d", i)
		d.Items = append(d.Items, Item{ID: id, Title: "late " + id, Category: "cat1", CategoryPath: []string{"dept0", "cat1"},
			PriceCents: 900, Active: true, Stock: 5, Created: end.Add(-72 * time.Hour)})
		for u := range 8 {
			d.Events = append(d.Events, Event{User: fmt.Sprintf("u%d", (i*8+u)%300), Item: id, Type: View, Time: end.Add(-time.Duration(u+1) * time.Hour)})
		}
	}
	cfg := quickConfig()
	cfg.EASE.MaxItems = 220 // over the 200 products before the launches, under the 260 of the whole
	cfg.TuneBudget = 3 * time.Second
	_, rep, err := Fit(context.Background(), d, cfg, FitOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.stages) == 0 {
		t.Fatalf("tuning fit nothing: %s", rep.Reason)
	}
	if _, ok := rep.stages["ease"]; ok {
		t.Errorf("tuning's fits trained EASE (%v), which the final training over %d products cannot have", rep.stages["ease"], len(d.Items))
	}
	if w := rep.Config.Weights.EASE; !rep.DefaultsKept && w != 0 {
		t.Errorf("the tuned blend gives EASE %g, a part serving does not have", w)
	}
	if rep.Config.EASE.MaxItems != cfg.EASE.MaxItems {
		t.Errorf("the tuned configuration's EASE limit is %d, want the shop's %d", rep.Config.EASE.MaxItems, cfg.EASE.MaxItems)
	}
}
