package recommender

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

func composeSpecs() []SlotSpec {
	return []SlotSpec{
		{ID: "hero", Kind: KindHero, Title: "Sale", Locked: true, Size: 3},
		{ID: "rec", Kind: KindRecommended, Title: "For you", Strategy: "hybrid", Size: 3},
		{ID: "because", Kind: KindBecauseViewed, Title: "Because you viewed {anchor}", Strategy: "similar", Size: 3},
		{ID: "pop", Kind: KindPopular, Title: "Best sellers", Size: 3},
		{ID: "picks", Kind: KindCollection, Title: "Picks", Pins: []string{"mug", "lamp", "pan"}, Size: 3},
		{ID: "cat", Kind: KindCategory, Title: "Top picks in {category}", Size: 3},
	}
}

func noExplore() ComposeOptions {
	o := DefaultComposeOptions()
	o.Explore = 0
	o.Rand = rand.New(rand.NewPCG(1, 2))
	return o
}

func slotIDs(cs []ComposedSlot) []string {
	var ids []string
	for _, c := range cs {
		ids = append(ids, c.Spec.ID)
	}
	return ids
}

func TestComposeNoDuplicatesAndRules(t *testing.T) {
	m := trainTestModel(t)
	page := Compose(m, composeSpecs(), Shopper{User: "alice", RecentlyViewed: []string{"shoe"}, Personalize: true}, noExplore(), nil)
	seen := map[string]string{}
	for _, cs := range page {
		for _, it := range cs.Items {
			if prev, ok := seen[it.ItemID]; ok {
				t.Fatalf("%s shown in %s and %s", it.ItemID, prev, cs.Spec.ID)
			}
			seen[it.ItemID] = cs.Spec.ID
			if it.ItemID == "lamp" || it.ItemID == "kettle" {
				t.Fatalf("unavailable item %s shown in %s", it.ItemID, cs.Spec.ID)
			}
			if it.Reason == "" && cs.Reason == "" && cs.Spec.Kind != KindRecentlyViewed {
				t.Fatalf("%s in %s has no reason, nor has its row", it.ItemID, cs.Spec.ID)
			}
		}
	}
	if page[0].Spec.ID != "hero" {
		t.Fatalf("locked hero moved: order %v", slotIDs(page))
	}
	for _, cs := range page {
		if cs.Spec.ID == "because" && cs.Title != "Because you viewed Trail Shoe" {
			t.Fatalf("anchor title %q", cs.Title)
		}
		if cs.Spec.ID == "picks" && (len(cs.Items) != 2 || cs.Reason != "Pinned by our team") {
			t.Fatalf("collection %+v: want mug and pan, pinned", cs.Items)
		}
	}
}

func TestComposeOrdersFreeSlotsByAffinity(t *testing.T) {
	m := trainTestModel(t)
	specs := []SlotSpec{
		{ID: "pop", Kind: KindPopular, Title: "Best sellers", Size: 2},
		{ID: "rec", Kind: KindRecommended, Title: "For you", Strategy: "hybrid", Size: 2},
	}
	known := Compose(m, specs, Shopper{User: "runner1", Personalize: true}, noExplore(), nil)
	if got := slotIDs(known); !slices.Equal(got, []string{"rec", "pop"}) {
		t.Fatalf("shopper with history: order %v, want personal row first", got)
	}
	anon := Compose(m, specs, Shopper{User: "v:new", Personalize: true}, noExplore(), nil)
	if got := slotIDs(anon); !slices.Equal(got, []string{"pop", "rec"}) {
		t.Fatalf("new visitor: order %v, want merchandiser order", got)
	}
}

func TestComposeOptOutIsNotPersonal(t *testing.T) {
	m := trainTestModel(t)
	sh := Shopper{User: "runner1", RecentlyViewed: []string{"shoe"}, Personalize: false}
	page := Compose(m, composeSpecs(), sh, noExplore(), nil)
	anon := Compose(m, composeSpecs(), Shopper{User: "", Personalize: false}, noExplore(), nil)
	for _, cs := range page {
		if cs.Spec.Kind == KindBecauseViewed || cs.Spec.Kind == KindRecentlyViewed {
			t.Fatalf("opted-out shopper got personal slot %s", cs.Spec.ID)
		}
	}
	if len(page) != len(anon) {
		t.Fatalf("opted-out page has %d slots, anonymous %d", len(page), len(anon))
	}
	for i := range page {
		if !slices.Equal(itemIDs(page[i].Items), itemIDs(anon[i].Items)) {
			t.Fatalf("slot %s differs from the anonymous page", page[i].Spec.ID)
		}
	}
}

func itemIDs(rs []Recommendation) []string {
	var ids []string
	for _, r := range rs {
		ids = append(ids, r.ItemID)
	}
	return ids
}

func TestComposeExplorationGivesNewSlotAChance(t *testing.T) {
	// A slot with strong engagement usually leads; a new slot still leads
	// sometimes, so it can earn its place.
	specs := []SlotSpec{
		{ID: "old", Kind: KindPopular, Size: 1, Impressions: 1000, Clicks: 20},
		{ID: "good", Kind: KindTrending, Size: 1, Impressions: 1000, Clicks: 80},
		{ID: "new", Kind: KindNewArrivals, Size: 1},
	}
	opt := DefaultComposeOptions()
	opt.AffinityWeight = 0
	opt.Rand = rand.New(rand.NewPCG(3, 4))
	first := map[string]int{}
	for range 400 {
		order := orderSlots(specs, nil, false, nil, opt, opt.Rand)
		first[specs[order[0]].ID]++
	}
	if first["good"] <= first["old"] {
		t.Fatalf("engaging slot led %d times, weak one %d", first["good"], first["old"])
	}
	if first["new"] == 0 {
		t.Fatal("a new slot never led: no exploration")
	}
}

// TestABrandRowIsFilledBeforeABroadRow: a row narrowed to a brand claims
// that brand's few products before a broad row placed above it (or put
// above it by exploration) takes them, so it is not left empty; the page
// keeps its order.
func TestABrandRowIsFilledBeforeABroadRow(t *testing.T) {
	brand := map[string]string{"a": "Hearth", "b": "Hearth", "c": "Summit", "d": "Hearth", "e": "Hearth"}
	fallback := func(spec *SlotSpec, exclude map[string]bool, n int) []Recommendation {
		var out []Recommendation
		for _, id := range []string{"a", "b", "c", "d", "e"} {
			if !exclude[id] && len(out) < n && (len(spec.Brands) == 0 || slices.Contains(spec.Brands, brand[id])) {
				out = append(out, Recommendation{ItemID: id, Reason: "Popular right now"})
			}
		}
		return out
	}
	specs := []SlotSpec{
		{ID: "broad", Kind: KindNewArrivals, Size: 4},
		{ID: "summit", Kind: KindPopular, Size: 4, Brands: []string{"Summit"}},
	}
	page := Compose(nil, specs, Shopper{}, noExplore(), fallback)
	var got []string
	for _, cs := range page {
		var ids []string
		for _, it := range cs.Items {
			ids = append(ids, it.ItemID)
		}
		got = append(got, cs.Spec.ID+":"+strings.Join(ids, ","))
	}
	if want := []string{"broad:a,b,d,e", "summit:c"}; !slices.Equal(got, want) {
		t.Fatalf("the page is %q, want %q", got, want)
	}
}

func TestComposeWithoutModelUsesFallback(t *testing.T) {
	fallback := func(spec *SlotSpec, exclude map[string]bool, n int) []Recommendation {
		var out []Recommendation
		for _, id := range []string{"a", "b", "c", "d", "e", "f"} {
			if !exclude[id] && len(out) < n {
				out = append(out, Recommendation{ItemID: id, Reason: "Popular right now"})
			}
		}
		return out
	}
	page := Compose(nil, composeSpecs(), Shopper{User: "x", Personalize: true}, noExplore(), fallback)
	if len(page) == 0 {
		t.Fatal("no slots without a model")
	}
	seen := map[string]bool{}
	for _, cs := range page {
		for _, it := range cs.Items {
			if seen[it.ItemID] {
				t.Fatalf("duplicate %s without a model", it.ItemID)
			}
			seen[it.ItemID] = true
		}
	}
}

func TestFactorModelReasonsNameAHistoryItem(t *testing.T) {
	m := trainTestModel(t)
	for _, st := range []Strategy{ALS, SVD} {
		recs := m.Recommend(Request{User: "runner1", Strategy: st, N: 3})
		if len(recs) == 0 {
			t.Fatalf("%s: no recommendations", st)
		}
		named := 0
		for _, r := range recs {
			switch r.Reason {
			case "Goes with your Trail Shoe", "Goes with your Trail Sock", "Goes with the Camp Lamp you viewed", "Like the Camp Lamp you viewed",
				"Like the Trail Shoe you bought", "Like the Trail Sock you bought", "Goes with the Trail Shoe you viewed":
				named++
			case "Picked for you", "Because you like Outdoor", "Because you like Footwear", "Because you like Socks",
				"Popular this week", "Popular with shoppers", "New arrival":
			default:
				t.Fatalf("%s: %s has reason %q, which names nothing runner1 did", st, r.ItemID, r.Reason)
			}
		}
		if named == 0 && st == ALS {
			t.Fatalf("%s: no reason names runner1's history: %+v", st, recs)
		}
	}
}

func TestSharedHybridScoresMatchFreshOnes(t *testing.T) {
	m := trainTestModel(t)
	recent := []Event{{User: "alice", Item: "tent", Type: View, Time: testNow}}
	reqs := []Request{
		{User: "alice", Recent: recent, Strategy: Hybrid, N: 4},
		{User: "alice", Recent: recent, Strategy: Hybrid, N: 3, Category: "Outdoor", Exclude: map[string]bool{"stove": true}},
		{User: "alice", Recent: recent, Strategy: Hybrid, N: 3, Boosts: map[string]float64{"pan": 3}},
	}
	shared := &foldedVectors{shareHybrid: true}
	for i, req := range reqs {
		fresh := m.Recommend(req)
		req.folded = shared
		got := m.Recommend(req)
		if !slices.Equal(itemIDs(got), itemIDs(fresh)) {
			t.Fatalf("request %d: shared scores give %v, fresh ones %v", i, itemIDs(got), itemIDs(fresh))
		}
		for k := range got {
			if got[k].Reason != fresh[k].Reason {
				t.Fatalf("request %d: %s reason %q, fresh %q", i, got[k].ItemID, got[k].Reason, fresh[k].Reason)
			}
		}
	}
	if shared.hybrid == nil {
		t.Fatal("the hybrid scores were not shared")
	}
}

func TestLongHistoryKeepsKindsForReasonsAndPurchases(t *testing.T) {
	// A shopper with more history items than the scorer keeps: reasons and
	// the bought-items rule must still see the kinds of every item.
	var items []Item
	var evs []Event
	for i := range 320 {
		items = append(items, Item{ID: fmt.Sprintf("i%d", i), Title: fmt.Sprintf("Item %d", i), Category: "C", CategoryPath: []string{"C"}, Active: true, Stock: 5})
	}
	for i := range 300 {
		// The newest, strongest items come last in the shopper's row, so
		// the items kept for scoring sit past the cut's positions.
		typ := View
		if i >= 200 {
			typ = Purchase
		}
		evs = append(evs, Event{User: "heavy", Item: fmt.Sprintf("i%d", i), Type: typ, Time: testNow.Add(-time.Duration(300-i) * time.Hour)})
		evs = append(evs, Event{User: fmt.Sprintf("o%d", i%30), Item: fmt.Sprintf("i%d", i), Type: View, Time: testNow.Add(-time.Duration(i) * time.Hour)})
		evs = append(evs, Event{User: fmt.Sprintf("o%d", i%30), Item: fmt.Sprintf("i%d", 300+i%20), Type: View, Time: testNow.Add(-time.Duration(i) * time.Hour)})
	}
	m, err := Train(context.Background(), Dataset{Items: items, Events: evs, Now: testNow}, testConfig(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range []Strategy{Hybrid, ALS, ItemKNN, EASE, SVD} {
		recs := m.Recommend(Request{User: "heavy", Strategy: st, N: 10, ExcludeSeen: true})
		for _, r := range recs {
			var n int
			if _, err := fmt.Sscanf(r.ItemID, "i%d", &n); err == nil && n < 300 {
				t.Fatalf("%s: recommended %s, which the shopper already has", st, r.ItemID)
			}
		}
	}
}

func TestComposeAudiences(t *testing.T) {
	m := trainTestModel(t)
	page := []SlotSpec{
		{ID: "all", Kind: KindPopular, Size: 1},
		{ID: "new", Kind: KindPopular, Size: 1, Audience: "new"},
		{ID: "back", Kind: KindPopular, Size: 1, Audience: "returning"},
		{ID: "member", Kind: KindPopular, Size: 1, Audience: "logged_in"},
		{ID: "cooks", Kind: KindPopular, Size: 1, Audience: "affinity:Kitchen"},
		{ID: "campers", Kind: KindPopular, Size: 1, Audience: "affinity:Camping"},
	}
	tests := []struct {
		name    string
		shopper Shopper
		want    []string
	}{
		{"new visitor", Shopper{User: "v:x", Personalize: true}, []string{"all", "new"}},
		{"signed-in cook", Shopper{User: "cook3", Personalize: true, LoggedIn: true}, []string{"all", "back", "member", "cooks"}},
		{"runner", Shopper{User: "runner2", Personalize: true}, []string{"all", "back"}},
		{"opted-out cook", Shopper{User: "cook3", Personalize: false, LoggedIn: true}, []string{"all", "new", "member"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := slotIDs(Compose(m, page, tt.shopper, noExplore(), nil))
			slices.Sort(got)
			want := slices.Clone(tt.want)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Fatalf("slots %v, want %v", got, want)
			}
		})
	}
}

func TestRowsFollowingTheVisitLeadThePage(t *testing.T) {
	// However well the best sellers do and whatever exploration draws, a
	// visit in progress puts its rows first, closest first (the category
	// the visitor is looking at, then what goes with what they viewed);
	// locked slots keep their places.
	specs := []SlotSpec{
		{ID: "hero", Kind: KindHero, Locked: true},
		{ID: "best", Kind: KindPopular, Impressions: 1000, Clicks: 300},
		{ID: "kitchen", Kind: KindCategory, Category: "Kitchen"},
		{ID: "outdoor", Kind: KindCategory, Category: "Outdoor"},
		{ID: "top", Kind: KindCategory},
		{ID: "because", Kind: KindBecauseViewed},
		{ID: "trending", Kind: KindTrending, Impressions: 1000, Clicks: 300},
		{ID: "new", Kind: KindRecommended, Strategy: New.String()},
		{ID: "rec", Kind: KindRecommended},
	}
	opt := DefaultComposeOptions()
	opt.Rand = rand.New(rand.NewPCG(5, 6))
	session := map[string]float64{"Kitchen": 1, "Knives": 1}
	for range 200 {
		order := orderSlots(specs, session, true, session, opt, opt.Rand)
		var got []string
		for _, i := range order[:5] {
			got = append(got, specs[i].ID)
		}
		// "Recommended for you" is folded in from the visit too: it comes
		// next, before the rows that ignore the visit, unless it is set to
		// a strategy that reads no history.
		if strings.Join(got, " ") != "hero top because kitchen rec" {
			t.Fatalf("page order %v", got)
		}
	}
	// Without a visit, the best sellers lead sometimes.
	led := 0
	for range 200 {
		if order := orderSlots(specs, nil, false, nil, opt, opt.Rand); specs[order[1]].ID == "best" {
			led++
		}
	}
	if led == 0 {
		t.Fatal("without a visit the order never changed")
	}
}

func TestTheVisitsRowComesBeforeALockedSlotThatLetsIt(t *testing.T) {
	// A hero that lets a shopping visitor's own row come first follows
	// the visit's category row during a visit, and leads the page without
	// one; a locked slot without the option stops the move, and only the
	// row that most closely follows the visit moves.
	page := func(heroFirst, bannerLocked bool) []SlotSpec {
		return []SlotSpec{
			{ID: "hero", Kind: KindHero, Locked: true, VisitFirst: heroFirst},
			{ID: "banner", Kind: KindBanner, Locked: bannerLocked},
			{ID: "best", Kind: KindPopular, Impressions: 1000, Clicks: 300},
			{ID: "top", Kind: KindCategory},
			{ID: "because", Kind: KindBecauseViewed},
		}
	}
	opt := DefaultComposeOptions()
	opt.Rand = rand.New(rand.NewPCG(7, 8))
	session := map[string]float64{"Kitchen": 1}
	ids := func(specs []SlotSpec, order []int) string {
		var got []string
		for _, i := range order {
			got = append(got, specs[i].ID)
		}
		return strings.Join(got, " ")
	}
	for _, c := range []struct {
		heroFirst, bannerLocked bool
		session                 map[string]float64
		want                    string
	}{
		{true, false, session, "top hero because "},
		{false, false, session, "hero top because "},
		{true, false, nil, "hero"}, // no visit: the hero leads
		{true, true, session, "hero banner top because "},
	} {
		specs := page(c.heroFirst, c.bannerLocked)
		for range 50 {
			got := ids(specs, orderSlots(specs, c.session, c.session != nil, c.session, opt, opt.Rand))
			if !strings.HasPrefix(got, c.want) {
				t.Fatalf("hero lets the visit first %v, banner locked %v, visit %v: page order %q, want %q first",
					c.heroFirst, c.bannerLocked, c.session, got, c.want)
			}
		}
	}
}

func TestAVisitorBackWithoutAClickSeesOtherProducts(t *testing.T) {
	// A stranger's second homepage puts the products they passed over on
	// the first one after the others; the merchandiser's pins stay.
	m := trainTestModel(t)
	specs := []SlotSpec{
		{ID: "pop", Kind: KindPopular, Title: "Best sellers", Size: 3},
		{ID: "picks", Kind: KindCollection, Title: "Picks", Pins: []string{"mug", "pan"}, Size: 3},
	}
	items := func(page []ComposedSlot, id string) []string {
		for _, cs := range page {
			if cs.Spec.ID == id {
				return itemIDs(cs.Items)
			}
		}
		return nil
	}
	first := Compose(m, specs, Shopper{Personalize: true}, noExplore(), nil)
	passed := append(items(first, "pop"), items(first, "picks")...)
	if len(items(first, "pop")) != 3 {
		t.Fatalf("first page's best sellers: %v", items(first, "pop"))
	}
	second := Compose(m, specs, Shopper{Personalize: true, Passed: passed}, noExplore(), nil)
	again := items(second, "pop")
	if len(again) == 0 || slices.Contains(passed, again[0]) {
		t.Fatalf("back without a click, the best sellers start with %v; passed over %v", again, passed)
	}
	if got := items(second, "picks"); !slices.Equal(got, []string{"mug", "pan"}) {
		t.Fatalf("the pinned collection became %v", got)
	}
	// The control group and opted-out shoppers get the shop's own page.
	same := Compose(m, specs, Shopper{Personalize: false, Passed: passed}, noExplore(), nil)
	if !slices.Equal(items(same, "pop"), items(first, "pop")) {
		t.Fatalf("without personalization the best sellers moved: %v, then %v", items(first, "pop"), items(same, "pop"))
	}
}

func TestAStrangerBackWithoutAClickSeesTheHeroAfterTheRows(t *testing.T) {
	// A stranger's first homepage starts with the locked hero; back
	// without having opened anything, they get the rows of products they
	// have not passed over above a hero that lets a visitor's own row come
	// first, and the hero after them. A hero without the option, the
	// control group and a shopper the model knows keep it first.
	m := trainTestModel(t)
	specs := func(visitFirst bool) []SlotSpec {
		return []SlotSpec{
			{ID: "hero", Kind: KindHero, Title: "Sale", Pins: []string{"mug"}, Size: 3, Locked: true, VisitFirst: visitFirst},
			{ID: "pop", Kind: KindPopular, Title: "Best sellers", Size: 3},
			{ID: "new", Kind: KindNewArrivals, Title: "New arrivals", Size: 3},
		}
	}
	first := Compose(m, specs(true), Shopper{Personalize: true}, noExplore(), nil)
	if ids := slotIDs(first); len(ids) < 3 || ids[0] != "hero" {
		t.Fatalf("a stranger's first page: %v, want the hero first", ids)
	}
	var passed []string
	for _, cs := range first {
		passed = append(passed, itemIDs(cs.Items)...)
	}
	for _, c := range []struct {
		name       string
		visitFirst bool
		sh         Shopper
		want       string
	}{
		{"back without a click", true, Shopper{Personalize: true, Passed: passed}, "pop new hero"},
		{"a hero without the option", false, Shopper{Personalize: true, Passed: passed}, "hero pop new"},
		{"the control group", true, Shopper{Personalize: false, Passed: passed}, "hero pop new"},
		{"a shopper the model knows", true, Shopper{User: "runner1", Personalize: true, Passed: passed}, "hero "},
	} {
		t.Run(c.name, func(t *testing.T) {
			page := Compose(m, specs(c.visitFirst), c.sh, noExplore(), nil)
			if got := strings.Join(slotIDs(page), " "); !strings.HasPrefix(got, c.want) {
				t.Fatalf("page order %q, want it to start %q", got, c.want)
			}
			if got := itemIDs(page[slices.IndexFunc(page, func(cs ComposedSlot) bool { return cs.Spec.ID == "hero" })].Items); len(got) == 0 || got[0] != "mug" {
				t.Fatalf("the hero shows %v, want its pin first", got)
			}
		})
	}
}

func TestAVisitorsCategoryRowLeadsWithTheBrandAndPriceTheyOpened(t *testing.T) {
	// A visitor opened two Alder tents at about €200. The first row under
	// the hero shows tents, first the other Alder tent (a little dearer)
	// and then the tents of that price band, never the two they opened:
	// the brand they looked at counts as much as their price band; so does
	// "Recommended for you" for a visitor the model never saw. Every
	// tent is viewed as often as the others, by the same shoppers, so the
	// collaborative models do not tell them apart.
	tent := func(id, brand string, euros int64) Item {
		return Item{ID: id, Title: "Dome Tent", Brand: brand, Category: "Tents", CategoryPath: []string{"Outdoor", "Tents"},
			PriceCents: euros * 100, Stock: 5, Active: true, Description: "two person dome tent", Created: testNow.AddDate(0, -3, 0)}
	}
	items := []Item{
		tent("alder1", "Alder", 200), tent("alder2", "Alder", 210), tent("alder3", "Alder", 260),
		tent("birch1", "Birch", 205), tent("birch2", "Birch", 195), tent("cedar1", "Cedar", 200), tent("cedar2", "Cedar", 90),
		{ID: "pan", Title: "Frying Pan", Brand: "Forge", Category: "Kitchen", CategoryPath: []string{"Home", "Kitchen"}, PriceCents: 3500,
			Stock: 5, Active: true, Description: "cast iron frying pan", Created: testNow.AddDate(0, -3, 0)},
	}
	var evs []Event
	for u := range 30 {
		for k, it := range items {
			evs = append(evs, Event{User: fmt.Sprintf("u%d", u), Item: it.ID, Type: View, Time: testNow.Add(-time.Duration(100+u*10+k) * time.Minute)})
		}
	}
	// The cheap tent sells best, to shoppers who looked at nothing else.
	for u := range 10 {
		evs = append(evs, Event{User: fmt.Sprintf("w%d", u), Item: "cedar2", Type: Purchase, Time: testNow.Add(-time.Duration(50+u) * time.Minute)})
	}
	m, err := Train(context.Background(), Dataset{Items: items, Events: evs, Now: testNow}, testConfig(), nil)
	if err != nil {
		t.Fatal(err)
	}
	now := testNow.Add(time.Hour)
	visit := []Event{{Item: "alder1", Type: View, Time: now.Add(-4 * time.Minute)}, {Item: "alder2", Type: View, Time: now.Add(-2 * time.Minute)}}
	opt := noExplore()
	opt.Now = now
	// The visit's category row, and "Recommended for you" for a visitor the
	// model does not know: the visit is all the shop knows of them.
	for _, spec := range []SlotSpec{{ID: "top", Kind: KindCategory, Title: "Top picks in {category}", Size: 4},
		{ID: "rec", Kind: KindRecommended, Title: "Recommended for you", Size: 4}} {
		page := Compose(m, []SlotSpec{spec},
			Shopper{Recent: visit, RecentlyViewed: []string{"alder2", "alder1"}, Seen: []string{"alder1", "alder2"}, Personalize: true}, opt, nil)
		if len(page) != 1 || spec.Kind == KindCategory && page[0].Title != "Top picks in Tents" {
			t.Fatalf("page %+v", page)
		}
		got := itemIDs(page[0].Items)
		if len(got) != 4 || got[0] != "alder3" {
			t.Fatalf("after two Alder tents the %q row is %v, not led by the other Alder tent", page[0].Title, got)
		}
		for _, id := range got[1:3] {
			if it, _ := m.Item(id); it.PriceCents < 19000 || it.PriceCents > 21000 {
				t.Fatalf("after tents at €200 and €210 the %q row is %v: %s costs %d cents", page[0].Title, got, id, it.PriceCents)
			}
		}
		for _, id := range got {
			if id == "alder1" || id == "alder2" {
				t.Fatalf("the %q row %v repeats a tent the visitor opened", page[0].Title, got)
			}
		}
	}
}

func TestAStrangersVisitRowBringsTheRestOfItsDepartment(t *testing.T) {
	// A visitor the model never saw opened an Alder tent at €200. Under the
	// row of tents comes "More in Outdoor", above the hero that lets the
	// visit come first: the department's other categories (no tent, no
	// kitchen product, though the frying pan sells best of all), led by the
	// products near the price they opened, while the cheap sleeping bag
	// sells best among them. A shopper the model knows gets no such row:
	// their history says which categories they shop.
	item := func(id, cat, brand string, euros int64) Item {
		return Item{ID: id, Title: cat + " " + id, Brand: brand, Category: cat, CategoryPath: []string{"Outdoor", cat},
			PriceCents: euros * 100, Stock: 5, Active: true, Description: "outdoor gear", Created: testNow.AddDate(0, -3, 0)}
	}
	items := []Item{
		item("alder1", "Tents", "Alder", 200), item("alder2", "Tents", "Alder", 210), item("birch1", "Tents", "Birch", 205),
		item("cedar1", "Tents", "Cedar", 90),
		item("bagnear", "Sleeping Bags", "Birch", 190), item("bagcheap", "Sleeping Bags", "Cedar", 40),
		item("bagdear", "Sleeping Bags", "Cedar", 700), item("stove", "Stoves", "Alder", 185),
		{ID: "pan", Title: "Frying Pan", Brand: "Forge", Category: "Kitchen", CategoryPath: []string{"Home", "Kitchen"}, PriceCents: 3500,
			Stock: 5, Active: true, Description: "cast iron frying pan", Created: testNow.AddDate(0, -3, 0)},
		{ID: "pot", Title: "Stock Pot", Brand: "Forge", Category: "Kitchen", CategoryPath: []string{"Home", "Kitchen"}, PriceCents: 4500,
			Stock: 5, Active: true, Description: "steel stock pot", Created: testNow.AddDate(0, -3, 0)},
	}
	var evs []Event
	for u := range 30 {
		for k, it := range items {
			evs = append(evs, Event{User: fmt.Sprintf("u%d", u), Item: it.ID, Type: View, Time: testNow.Add(-time.Duration(100+u*10+k) * time.Minute)})
		}
	}
	for u := range 10 {
		evs = append(evs, Event{User: fmt.Sprintf("w%d", u), Item: "bagcheap", Type: Purchase, Time: testNow.Add(-time.Duration(50+u) * time.Minute)})
	}
	for u := range 20 {
		evs = append(evs, Event{User: fmt.Sprintf("k%d", u), Item: "pan", Type: Purchase, Time: testNow.Add(-time.Duration(30+u) * time.Minute)})
	}
	m, err := Train(context.Background(), Dataset{Items: items, Events: evs, Now: testNow}, testConfig(), nil)
	if err != nil {
		t.Fatal(err)
	}
	now := testNow.Add(time.Hour)
	visit := []Event{{Item: "alder1", Type: View, Time: now.Add(-2 * time.Minute)}}
	opt := noExplore()
	opt.Now = now
	specs := []SlotSpec{
		{ID: "hero", Kind: KindHero, Title: "Kitchen sale", Category: "Home", Locked: true, VisitFirst: true, Size: 3},
		{ID: "trend", Kind: KindTrending, Title: "Trending now", Size: 4},
		{ID: "top", Kind: KindCategory, Title: "Top picks in {category}", Size: 3},
	}
	titles := func(page []ComposedSlot) []string {
		var out []string
		for _, cs := range page {
			out = append(out, cs.Title)
		}
		return out
	}
	stranger := Shopper{Recent: visit, RecentlyViewed: []string{"alder1"}, Seen: []string{"alder1"}, Personalize: true}
	page := Compose(m, specs, stranger, opt, nil)
	if got := titles(page); len(got) < 3 || got[0] != "Top picks in Tents" || got[1] != "More in Outdoor" || got[2] != "Kitchen sale" {
		t.Fatalf("a stranger who opened a tent gets the rows %q, want the tents, then more of Outdoor, then the hero", got)
	}
	dept := itemIDs(page[1].Items)
	if len(dept) < 3 {
		t.Fatalf("the department row is %v", dept)
	}
	for _, id := range dept {
		if it, _ := m.Item(id); it.Category == "Tents" || it.CategoryPath[0] != "Outdoor" {
			t.Fatalf("the department row %v holds %s (%s)", dept, id, it.Category)
		}
	}
	if lead, _ := m.Item(dept[0]); lead.PriceCents < 18000 || lead.PriceCents > 19500 {
		t.Fatalf("after a tent at €200 the department row %v starts with %s at %d cents, not near the price", dept, dept[0], lead.PriceCents)
	}
	if slices.Index(dept, "bagcheap") >= 0 && slices.Index(dept, "bagcheap") < slices.Index(dept, "bagnear") {
		t.Fatalf("the department row %v puts the best-selling cheap bag before the one near the visit's price", dept)
	}
	known := stranger
	known.User = "u3"
	if got := titles(Compose(m, specs, known, opt, nil)); slices.Contains(got, "More in Outdoor") {
		t.Fatalf("a shopper the model knows gets the rows %q, with the department row", got)
	}
}

func TestTheVisitsRowsShareOneScoringOfTheCatalog(t *testing.T) {
	// The rows the visit's own blend fills (its category row, a stranger's
	// department row and "Recommended for you") score the catalog once per
	// page: each row from the shared scores is the row it would be alone,
	// scores, reasons and all, whatever its filters.
	m := trainTestModel(t)
	visit := []Event{{Item: "tent", Type: View, Time: testNow.Add(-2 * time.Minute)}, {Item: "shoe", Type: Click, Time: testNow.Add(-time.Minute)}}
	base := Request{Recent: visit, N: 4, Strategy: Hybrid, weights: sessionWeights(m), Seen: []string{"tent", "shoe"}, ExcludeSeen: true}
	page := &foldedVectors{}
	for _, c := range []struct {
		category string
		exclude  []string
	}{{"Camping", nil}, {"Outdoor", []string{"Camping"}}, {"", nil}, {"Kitchen", nil}} {
		shared, alone := base, base
		shared.Category, shared.ExcludeCategories, shared.folded = c.category, c.exclude, page.forVisit()
		alone.Category, alone.ExcludeCategories = c.category, c.exclude
		got, want := m.Recommend(shared), m.Recommend(alone)
		if len(want) == 0 || !reflect.DeepEqual(got, want) {
			t.Fatalf("category %q without %v: from the page's shared scores %+v, alone %+v", c.category, c.exclude, got, want)
		}
	}
	if page.visit == nil || page.visit.hybrid == nil {
		t.Fatal("the visit's rows did not keep their scores for the page")
	}
}
