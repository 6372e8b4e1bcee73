package recommender

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"
)

// brandShop is a department (Outdoor) whose best sellers outside tents are
// all of one brand: Alder has eight sleeping bags, stoves and lanterns that
// sell best, Birch and Cedar three each that sell less.
func brandShop(t *testing.T) *Model { return brandShopOf(t, 8) }

// brandShopOf is brandShop with alder of Alder's products.
func brandShopOf(t *testing.T, alder int) *Model {
	t.Helper()
	item := func(id, cat, brand string, euros int64) Item {
		return Item{ID: id, Title: cat + " " + id, Brand: brand, Category: cat, CategoryPath: []string{"Outdoor", cat},
			PriceCents: euros * 100, Stock: 5, Active: true, Description: "outdoor gear", Created: testNow.AddDate(0, -3, 0)}
	}
	cats := []string{"Sleeping Bags", "Stoves", "Lanterns"}
	items := []Item{item("tent1", "Tents", "Alder", 200), item("tent2", "Tents", "Birch", 190)}
	for k := range alder {
		items = append(items, item(fmt.Sprintf("alder%d", k), cats[k%3], "Alder", int64(150+k%8*10)))
	}
	for k := range 3 {
		items = append(items, item(fmt.Sprintf("birch%d", k), cats[k%3], "Birch", int64(160+10*k)))
		items = append(items, item(fmt.Sprintf("cedar%d", k), cats[k%3], "Cedar", int64(170+10*k)))
	}
	var evs []Event
	for u := range 40 {
		for k, it := range items {
			// Every shopper views Alder's products; fewer view the others.
			if it.Brand != "Alder" && u%3 != 0 {
				continue
			}
			evs = append(evs, Event{User: fmt.Sprintf("u%d", u), Item: it.ID, Type: View, Time: testNow.Add(-time.Duration(100+u*20+k) * time.Minute)})
		}
	}
	m, err := Train(context.Background(), Dataset{Items: items, Events: evs, Now: testNow}, testConfig(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func brandCounts(t *testing.T, m *Model, rs []Recommendation) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, r := range rs {
		it, _ := m.Item(r.ItemID)
		out[it.Brand]++
	}
	return out
}

// afterATent is the homepage ("Top picks in {category}", eight cards) of a
// stranger who opened the Alder tent two minutes ago.
func afterATent(m *Model) []ComposedSlot {
	now := testNow.Add(time.Hour)
	opt := noExplore()
	opt.Now = now
	specs := []SlotSpec{{ID: "top", Kind: KindCategory, Title: "Top picks in {category}", Size: 8}}
	stranger := Shopper{Recent: []Event{{Item: "tent1", Type: View, Time: now.Add(-2 * time.Minute)}},
		RecentlyViewed: []string{"tent1"}, Seen: []string{"tent1"}, Personalize: true}
	return Compose(m, specs, stranger, opt, nil)
}

func TestADepartmentRowShowsTheDepartmentsBrands(t *testing.T) {
	// A visitor opens an Alder tent. "More in Outdoor" used to be eight
	// Alder products: the department's best sellers and the visit's brand.
	// Now no brand holds more than its fair share of the row (8 cards over
	// 3 brands: 3) while Birch and Cedar have products to show.
	m := brandShop(t)
	page := afterATent(m)
	if len(page) < 2 || page[1].Title != "More in Outdoor" {
		t.Fatalf("a stranger who opened a tent gets %d rows, want the tents then More in Outdoor", len(page))
	}
	dept := page[1].Items
	if len(dept) != 8 {
		t.Fatalf("the department row holds %d cards, want 8", len(dept))
	}
	if n := brandCounts(t, m, dept); n["Alder"] > 3 || n["Birch"] == 0 || n["Cedar"] == 0 {
		t.Fatalf("the department row %v holds brands %v: one brand over its share of 3", itemIDs(dept), n)
	}
}

func TestADepartmentRowSpreadsBrandsBeyondItsBestOfOneBrand(t *testing.T) {
	// The same visit in a department where Alder has 60 products, every one
	// ranked above Birch's and Cedar's for a visitor who opened an Alder
	// tent (the visit's brand weighs in its rows). The row's first
	// candidates were all Alder, so it had nothing to spread and showed
	// eight Alder products; it ranks on until other brands can fill it.
	m := brandShopOf(t, 60)
	page := afterATent(m)
	if len(page) < 2 || page[1].Title != "More in Outdoor" || len(page[1].Items) != 8 {
		t.Fatalf("a stranger who opened a tent gets %d rows, want the tents then eight more in Outdoor", len(page))
	}
	if n := brandCounts(t, m, page[1].Items); n["Alder"] > 3 || n["Birch"] == 0 || n["Cedar"] == 0 {
		t.Fatalf("the department row %v holds brands %v: Alder over its share of 3", itemIDs(page[1].Items), n)
	}
}

func TestACategoryRowSpreadsBrandsAndKeepsItsRanking(t *testing.T) {
	// A merchandiser's "Best of Outdoor" row (a category, no brands chosen)
	// for a shopper the model knows: its cards are the ranking's best with
	// each brand's beyond its share skipped, in the ranking's order. A row
	// whose slot chose brands is not spread.
	m := brandShop(t)
	req := Request{User: "u1", Strategy: Category, Category: "Outdoor", N: 6}
	full := itemIDs(m.Recommend(Request{User: "u1", Strategy: Category, Category: "Outdoor", N: 30}))
	if n := brandCounts(t, m, m.Recommend(req)); n["Alder"] < 5 {
		t.Fatalf("the unspread ranking's first six hold brands %v: the test's shop no longer has one brand leading", n)
	}
	req.spreadBrands = true
	row := m.Recommend(req)
	if n := brandCounts(t, m, row); len(row) != 6 || n["Alder"] > 2 {
		t.Fatalf("the spread row %v holds brands %v, want 6 cards and Alder at most 2 (6 over 3 brands)", itemIDs(row), n)
	}
	last := -1
	for _, id := range itemIDs(row) {
		at := slices.Index(full, id)
		if at <= last {
			t.Fatalf("the spread row %v is not in the ranking's order %v", itemIDs(row), full)
		}
		last = at
	}
	if got := itemIDs(row)[0]; got != full[0] {
		t.Fatalf("the spread row starts with %s, the ranking with %s", got, full[0])
	}

	// Stoves: three of Alder, one each of Birch and Cedar. A row of five
	// holds Alder's two, the others, and Alder's third once they run out.
	stoves := m.Recommend(Request{User: "u1", Strategy: Category, Category: "Stoves", N: 5, spreadBrands: true})
	if n := brandCounts(t, m, stoves); len(stoves) != 5 || n["Alder"] != 3 {
		t.Fatalf("the spread row of stoves %v holds brands %v, want all five stoves", itemIDs(stoves), n)
	}

	specs := []SlotSpec{{ID: "best", Kind: KindPopular, Title: "Alder outdoors", Category: "Outdoor", Size: 4, Brands: []string{"Alder"}}}
	page := Compose(m, specs, Shopper{User: "u1"}, noExplore(), nil)
	if len(page) != 1 || len(page[0].Items) != 4 || page[0].req.spreadBrands {
		t.Fatalf("a row whose slot chose its brands is spread or short: %+v", page)
	}
	if n := brandCounts(t, m, page[0].Items); n["Alder"] != 4 {
		t.Fatalf("the Alder row %v holds brands %v", itemIDs(page[0].Items), n)
	}
}
