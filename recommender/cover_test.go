package recommender

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"
)

// coverShop is a shop of six cheap tents (€60–€75, 15 to 10 buyers each,
// 75 together), a dear one (€400, 20 buyers), three pans (18 to 16) and
// three novels (12 to 10).
func coverShop(t *testing.T) *Model {
	t.Helper()
	item := func(id, cat, dept string, euros int64) Item {
		return Item{ID: id, Title: id, Brand: "B" + id, Category: cat, CategoryPath: []string{dept, cat}, PriceCents: euros * 100,
			Stock: 5, Active: true, Created: testNow.AddDate(0, -3, 0)}
	}
	var items []Item
	buyers := map[string]int{}
	for k := range 6 {
		id := fmt.Sprintf("tent%d", k)
		items = append(items, item(id, "Tents", "Outdoor", int64(60+3*k)))
		buyers[id] = 15 - k
	}
	items = append(items, item("grandtent", "Tents", "Outdoor", 400))
	buyers["grandtent"] = 20
	for k := range 3 {
		id := fmt.Sprintf("pan%d", k)
		items = append(items, item(id, "Pans", "Kitchen", int64(30+k)))
		buyers[id] = 18 - k
		id = fmt.Sprintf("book%d", k)
		items = append(items, item(id, "Novels", "Books", int64(12+k)))
		buyers[id] = 12 - k
	}
	var evs []Event
	u := 0
	for _, it := range items {
		for range buyers[it.ID] {
			evs = append(evs, Event{User: fmt.Sprintf("u%d", u), Item: it.ID, Type: Purchase, Time: testNow.Add(-time.Duration(u+10) * time.Minute)})
			u++
		}
	}
	m, err := Train(context.Background(), Dataset{Items: items, Events: evs, Now: testNow}, testConfig(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func categoriesOf(m *Model, ids []string) []string {
	var out []string
	for _, id := range ids {
		it, _ := m.Item(id)
		out = append(out, it.Category)
	}
	return out
}

// TestAStrangersPageCoversTheShopsDemand: the page every new visitor gets
// offers what the shop's shoppers buy across its departments and price
// levels, not the best sellers of one category in every row: the first
// row starts with a cheap tent (no single one sells most, but together
// they do) and holds a pan and a novel, which the shop's four best sellers
// would not, and the dear tent is on the page.
func TestAStrangersPageCoversTheShopsDemand(t *testing.T) {
	m := coverShop(t)
	specs := []SlotSpec{
		{ID: "best", Kind: KindPopular, Title: "Best sellers", Size: 4},
		{ID: "more", Kind: KindPopular, Title: "Popular", Size: 4},
	}
	page := Compose(m, specs, Shopper{Personalize: true}, noExplore(), nil)
	if len(page) != 2 {
		t.Fatalf("page %+v", page)
	}
	first, second := itemIDs(page[0].Items), itemIDs(page[1].Items)
	if it, _ := m.Item(first[0]); it.Category != "Tents" || it.PriceCents > 10000 {
		t.Fatalf("the first row %v does not start with a cheap tent, what the shop sells most", first)
	}
	if cats := categoriesOf(m, first); !slices.Contains(cats, "Pans") || !slices.Contains(cats, "Novels") {
		t.Fatalf("the first row %v (%v) leaves out a department the shop sells", first, cats)
	}
	if !slices.Contains(append(first, second...), "grandtent") {
		t.Fatalf("the €400 tent, the best seller, is on neither row: %v, %v", first, second)
	}
	// The shop's four best sellers, one by one, hold no novel.
	plain := m.Recommend(Request{Strategy: Popular, N: 4})
	if cats := categoriesOf(m, itemIDs(plain)); slices.Contains(cats, "Novels") || slices.Contains(itemIDs(plain), first[0]) {
		t.Fatalf("the shop's plain best sellers %v: the test shows nothing", itemIDs(plain))
	}

	// A visitor back without having opened anything starts where the
	// last page left off: none of what they passed over leads a row.
	passed := append(first, second...)
	again := Compose(m, specs, Shopper{Personalize: true, Passed: passed}, noExplore(), nil)
	for _, cs := range again {
		if len(cs.Items) > 0 && slices.Contains(passed, cs.Items[0].ItemID) {
			t.Fatalf("back without a click, %q starts with %s, which they passed over", cs.Title, cs.Items[0].ItemID)
		}
	}

}

// TestAStrangerBackWithoutAClickTurnsDownWhatTheyLikelyRead: a visitor
// back on the homepage without having opened anything turned down what
// the cards they read offer, not what they likely never reached: with a
// pan passed over in the first place of the page and a novel at the end of
// its sixth row, their next first row offers a novel and no pan; with the
// two places swapped, a pan and no novel.
func TestAStrangerBackWithoutAClickTurnsDownWhatTheyLikelyRead(t *testing.T) {
	m := coverShop(t)
	specs := []SlotSpec{{ID: "best", Kind: KindPopular, Title: "Best sellers", Size: 4}}
	top, low := ReadChance(0, 0), ReadChance(5, 7)
	for _, c := range []struct {
		read       []float64
		want, none string
	}{
		{[]float64{top, low}, "Novels", "Pans"},
		{[]float64{low, top}, "Pans", "Novels"},
	} {
		page := Compose(m, specs, Shopper{Personalize: true, Passed: []string{"pan0", "book0"}, PassedRead: c.read}, noExplore(), nil)
		if len(page) != 1 {
			t.Fatalf("page %+v", page)
		}
		row := itemIDs(page[0].Items)
		cats := categoriesOf(m, row)
		if !slices.Contains(cats, c.want) || slices.Contains(cats, c.none) {
			t.Errorf("pan0 and book0 read %.2f and %.2f: the next first row %v (%v) should offer %s and no %s", c.read[0], c.read[1], row, cats, c.want, c.none)
		}
	}
}

// TestACardTakesTheDemandItOffersAsFarAsItIsRead: on a stranger's page a
// cheap tent shown first, which nearly every visitor reads, leaves less of
// the cheap tents' demand to the cards below it than the same tent at the
// end of the sixth row, which few reach; a pan is offered as much either
// way.
func TestACardTakesTheDemandItOffersAsFarAsItIsRead(t *testing.T) {
	m := coverShop(t)
	after := func(row, place int) (tent, pan float32) {
		c := newDemandCover(m)
		c.row = row
		c.shownIDs(place, "tent0")
		c.row = row + 1
		return c.offers(m.cat.index["tent1"], nil), c.offers(m.cat.index["pan0"], nil)
	}
	fresh := newDemandCover(m).offers(m.cat.index["tent1"], nil)
	topTent, topPan := after(0, 0)
	lowTent, lowPan := after(5, 7)
	if !(topTent < lowTent && lowTent < fresh) {
		t.Fatalf("the cheap tents' demand left: %.2f after a tent read first, %.2f after one low on the page, %.2f before: it should fall more after the first", topTent, lowTent, fresh)
	}
	if topTent > 0.3*fresh || lowTent < 0.9*fresh {
		t.Fatalf("the cheap tents' demand left: %.2f after a tent read first, %.2f after one low on the page, of %.2f", topTent, lowTent, fresh)
	}
	if topPan != lowPan {
		t.Fatalf("a pan offers %.2f after a tent first, %.2f after one low on the page", topPan, lowPan)
	}
}

// TestAStrangerBackWithoutAClickGetsACollectionTheyPassedOverBelowTheNewRows:
// a collection's fixed picks are the same cards on every homepage; a
// visitor back without a click who passed all of them over gets them below
// the rows of products they have not seen, down to the next locked slot,
// while a new visitor and a collection with something new keep the order.
func TestAStrangerBackWithoutAClickGetsACollectionTheyPassedOverBelowTheNewRows(t *testing.T) {
	m := coverShop(t)
	specs := []SlotSpec{
		{ID: "picks", Kind: KindCollection, Title: "Editor's picks", Size: 3, Pins: []string{"book0", "book1", "pan2"}},
		{ID: "best", Kind: KindPopular, Title: "Best sellers", Size: 3},
		{ID: "trend", Kind: KindTrending, Title: "Trending now", Size: 3},
		{ID: "notice", Kind: KindPopular, Title: "Locked", Size: 2, Locked: true},
		{ID: "new", Kind: KindNewArrivals, Title: "New arrivals", Size: 2},
	}
	titles := func(sh Shopper) []string {
		var out []string
		for _, cs := range Compose(m, specs, sh, noExplore(), nil) {
			out = append(out, cs.Spec.ID)
		}
		return out
	}
	if got := titles(Shopper{Personalize: true}); !slices.Equal(got, []string{"picks", "best", "trend", "notice", "new"}) {
		t.Fatalf("a new visitor's rows %v", got)
	}
	passed := []string{"book0", "book1", "pan2", "tent0"}
	if got := titles(Shopper{Personalize: true, Passed: passed}); !slices.Equal(got, []string{"best", "trend", "picks", "notice", "new"}) {
		t.Fatalf("back without a click after passing the picks over, rows %v: the picks should follow the new rows, above the locked one", got)
	}
	if got := titles(Shopper{Personalize: true, Passed: passed[1:]}); got[0] != "picks" {
		t.Fatalf("with a pick not passed over, rows %v: the picks should lead", got)
	}
}

// TestAStrangerBackWithoutAClickGetsTheCategoryTheirPagesLeftOut: the row
// of the visitor's own category ("Top picks in {category}") has nothing to
// follow for a stranger and stays off their first page; back on the
// homepage without having opened anything, they get it with the category
// of the most demand their pages have not offered yet: after the cheap
// tents passed over at the top of the page (the shop's largest demand), the
// pans; after the pans passed over, the tents. The control group and
// opted-out shoppers get the shop's page.
func TestAStrangerBackWithoutAClickGetsTheCategoryTheirPagesLeftOut(t *testing.T) {
	m := coverShop(t)
	specs := []SlotSpec{{ID: "cat", Kind: KindCategory, Title: "Top picks in {category}", Size: 3}}
	row := func(sh Shopper) (string, []string) {
		for _, cs := range Compose(m, specs, sh, noExplore(), nil) {
			if cs.Spec.ID == "cat" {
				return cs.Title, itemIDs(cs.Items)
			}
		}
		return "", nil
	}
	if title, items := row(Shopper{Personalize: true}); len(items) > 0 {
		t.Fatalf("a new visitor's first page has %q %v: nothing of theirs to follow yet", title, items)
	}
	tents := []string{"tent0", "tent1", "tent2", "tent3", "tent4", "tent5"}
	top := []float64{ReadChance(0, 0), ReadChance(0, 1), ReadChance(0, 2), ReadChance(0, 3), ReadChance(0, 4), ReadChance(0, 5)}
	title, items := row(Shopper{Personalize: true, Passed: tents, PassedRead: top})
	if title != "Top picks in Pans" || len(items) != 3 || !slices.Equal(categoriesOf(m, items), []string{"Pans", "Pans", "Pans"}) {
		t.Fatalf("back without a click after the cheap tents: %q %v (%v), want the three pans", title, items, categoriesOf(m, items))
	}
	pans := []string{"pan0", "pan1", "pan2"}
	title, items = row(Shopper{Personalize: true, Passed: pans, PassedRead: top[:3]})
	if title != "Top picks in Tents" || len(items) == 0 || slices.ContainsFunc(items, func(id string) bool { return slices.Contains(pans, id) }) {
		t.Fatalf("back without a click after the pans: %q %v, want tents", title, items)
	}
	if title, items := row(Shopper{Passed: tents, PassedRead: top}); len(items) > 0 {
		t.Fatalf("without personalization: %q %v", title, items)
	}
}
