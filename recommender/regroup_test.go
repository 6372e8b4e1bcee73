package recommender

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// treeShop files eight products at each type under each parent, named as
// the shop names a category whose name another shares (`Bexley > Shoes`).
// acrossParents: a shopper of a type views it under three parents (a
// department store's brands); otherwise under one parent only (a fashion
// shop's `Women > Shoes` and `Men > Shoes`).
func treeShop(parents, types []string, acrossParents bool) Dataset {
	var d Dataset
	for _, p := range parents {
		for _, ty := range types {
			for j := range 8 {
				d.Items = append(d.Items, Item{ID: fmt.Sprintf("%s-%s-%d", p, ty, j), Title: p + " " + ty, Category: p + " > " + ty,
					CategoryPath: []string{p, p + " > " + ty}, Active: true, Stock: 5, Created: testNow.AddDate(0, -3, 0)})
			}
		}
	}
	n := 0
	for ti, ty := range types {
		for range 12 {
			u := fmt.Sprintf("u%d", n)
			n++
			for j := range 4 {
				p := parents[n%len(parents)]
				if acrossParents {
					p = parents[(n+j+ti)%len(parents)]
				}
				at := testNow.Add(-time.Duration(n*10+j) * time.Minute)
				d.Events = append(d.Events, Event{User: u, Item: fmt.Sprintf("%s-%s-%d", p, ty, (n+j)%8), Type: View, Time: at})
			}
		}
	}
	return d
}

func TestATypeShoppersFollowAcrossBrandsIsReadAsOneCategory(t *testing.T) {
	brands, types := []string{"Arlo", "Bexley", "Corvin", "Dalby"}, []string{"Shoes", "Hats", "Bags"}
	d := treeShop(brands, types, true)
	filed := slices.Clone(d.Items)
	// A shopper who viewed shoes of three brands: the category part ranks
	// the fourth brand's shoes with theirs, where the boutique reading
	// never reaches them.
	for j := range 3 {
		d.Events = append(d.Events, Event{User: "shoes", Item: fmt.Sprintf("%s-Shoes-%d", brands[j], j), Type: View, Time: testNow.Add(time.Duration(j) * time.Minute)})
	}
	cfg := DefaultConfig()
	cfg.Weights = HybridWeights{Category: 1}
	m, err := Train(context.Background(), d, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if it, _ := m.Item("Dalby-Shoes-0"); it.Category != "Shoes" || !slices.Equal(it.CategoryPath, []string{"Dalby", "Shoes"}) {
		t.Errorf("Dalby's shoes are read at %q (%s), want every brand's shoes as one category", it.CategoryPath, it.Category)
	}
	recs := m.Recommend(Request{User: "shoes", Strategy: Hybrid, N: 29, ExcludeSeen: true})
	dalby := 0
	for _, r := range recs {
		if !strings.Contains(r.ItemID, "-Shoes-") {
			t.Errorf("a shopper of shoes is offered %s (%v)", r.ItemID, recs)
		}
		if strings.HasPrefix(r.ItemID, "Dalby-Shoes-") && r.Score >= recs[0].Score {
			dalby++
		}
	}
	if dalby != 8 {
		t.Errorf("a shopper of three brands' shoes: %d of the fourth brand's 8 shoes are among the category part's first picks (%v)", dalby, recs)
	}
	// A merchant's row of Bexley's shoes (the category as filed) still
	// holds Bexley's shoes alone, and leaving it out leaves out just those.
	row := m.Recommend(Request{User: "shoes", Strategy: Popular, Category: "Bexley > Shoes", N: 20})
	if len(row) != 8 {
		t.Errorf("the row of Bexley > Shoes holds %d products, want Bexley's 8 (%v)", len(row), row)
	}
	for _, r := range row {
		if !strings.HasPrefix(r.ItemID, "Bexley-Shoes-") {
			t.Errorf("the row of Bexley > Shoes holds %s", r.ItemID)
		}
	}
	for _, r := range m.Recommend(Request{User: "shoes", Strategy: Popular, N: 200, ExcludeCategories: []string{"Bexley > Shoes"}}) {
		if strings.HasPrefix(r.ItemID, "Bexley-Shoes-") {
			t.Errorf("Bexley > Shoes left out, but %s is offered", r.ItemID)
		}
	}
	// A product launched since training, filed as Dalby's shoes, is read
	// as shoes.
	if _, leaf := m.cat.launchCats(Item{ID: "new", Category: "Dalby > Shoes", CategoryPath: []string{"Dalby", "Dalby > Shoes"}}); leaf < 0 || m.cat.categories[leaf] != "Shoes" {
		t.Errorf("a launch filed at Dalby > Shoes is read at category %d, not Shoes", leaf)
	}
	// In a shop whose buyers buy one pair of shoes, a launch filed as
	// Dalby's shoes stays out of the list of a shopper who just bought
	// shoes, as every trained pair does (it was kept by its filed name).
	launch := m.Launches([]Item{{ID: "new", Title: "Dalby Shoes", Category: "Dalby > Shoes", CategoryPath: []string{"Dalby", "Dalby > Shoes"},
		Active: true, Stock: 5, Created: testNow.Add(time.Hour)}})
	bought := []Event{{User: "shoes", Item: "Arlo-Shoes-1", Type: Purchase, Time: testNow.Add(2 * time.Hour)}}
	offered := func() bool {
		return slices.ContainsFunc(m.Recommend(Request{User: "shoes", Strategy: Hybrid, N: 200, Launches: launch, Recent: bought}),
			func(r Recommendation) bool { return r.ItemID == "new" })
	}
	if !offered() {
		t.Error("a launch of shoes is not offered where shoes are bought again and again")
	}
	once := m.once
	m.once = []string{"Shoes"}
	if offered() {
		t.Error("the shoes launched since training are offered to a shopper who just bought shoes, where shoes are bought once")
	}
	m.once = once
	// A stranger who opened Bexley's shoes: shoes of every brand, then the
	// rest of Bexley (the department above the category as filed).
	opt := noExplore()
	opt.Now = testNow.Add(time.Hour)
	stranger := Shopper{Recent: []Event{{Item: "Bexley-Shoes-0", Type: View, Time: opt.Now.Add(-2 * time.Minute)}},
		RecentlyViewed: []string{"Bexley-Shoes-0"}, Seen: []string{"Bexley-Shoes-0"}, Personalize: true}
	page := Compose(m, []SlotSpec{{ID: "top", Kind: KindCategory, Title: "Top picks in {category}", Size: 3}}, stranger, opt, nil)
	var titles []string
	for _, cs := range page {
		titles = append(titles, cs.Title)
	}
	if !slices.Equal(titles, []string{"Top picks in Shoes", "More in Bexley"}) {
		t.Errorf("a stranger who opened Bexley's shoes gets the rows %q", titles)
	}
	for i := range filed {
		if filed[i].Category != d.Items[i].Category || !slices.Equal(filed[i].CategoryPath, d.Items[i].CategoryPath) {
			t.Fatalf("%s: the shop's catalog changed: %q", filed[i].ID, d.Items[i].CategoryPath)
		}
	}
	_, rep, err := Fit(context.Background(), d, DefaultConfig(), FitOptions{Budget: -1})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(rep.Lines(), func(l string) bool {
		return strings.HasPrefix(l, "categories: 3 names filed under several parents are each read as one category") && strings.Contains(l, "Bags, Hats, Shoes")
	}) {
		t.Errorf("the report does not name the three types read across brands: %q", rep.Lines())
	}
}

func TestOneNameUnderParentsItsShoppersKeepToStaysApart(t *testing.T) {
	// Women's and men's shoes: a shopper keeps to one parent.
	d := treeShop([]string{"Women", "Men"}, []string{"Shoes", "Hats", "Bags"}, false)
	if out, grouped := groupByLeafName(d); len(grouped) != 0 || &out.Items[0] != &d.Items[0] {
		t.Errorf("categories kept apart by their shoppers read as one: %q", grouped)
	}
	// Names that no two categories share: the events are not read.
	d.Items = slices.DeleteFunc(d.Items, func(it Item) bool { return strings.HasPrefix(it.Category, "Men > ") })
	d.Events = nil
	if _, grouped := groupByLeafName(d); len(grouped) != 0 {
		t.Errorf("distinct names grouped: %q", grouped)
	}
}
