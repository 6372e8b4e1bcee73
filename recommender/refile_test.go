package recommender

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// mixedDepthShop files ten products at each of four leaves (Kitchen >
// Cookware > Pans, … > Pots, Kitchen > Tableware > Plates, … > Mugs) and a
// few higher up, whose shoppers' other products say where they belong.
func mixedDepthShop() Dataset {
	var d Dataset
	item := func(id string, path ...string) {
		d.Items = append(d.Items, Item{ID: id, Title: id, Category: path[len(path)-1], CategoryPath: path, Active: true, Stock: 5, Created: testNow.AddDate(0, -3, 0)})
	}
	leaves := [][]string{{"Kitchen", "Cookware", "Pans"}, {"Kitchen", "Cookware", "Pots"}, {"Kitchen", "Tableware", "Plates"}, {"Kitchen", "Tableware", "Mugs"}}
	for _, leaf := range leaves {
		for j := range 10 {
			item(fmt.Sprintf("%s-%d", strings.ToLower(leaf[2]), j), leaf...)
		}
	}
	item("pan-at-kitchen", "Kitchen")              // six shoppers of pans view it: Pans
	item("pot-at-cookware", "Kitchen", "Cookware") // six shoppers of pots: Pots
	item("split-at-kitchen", "Kitchen")            // three shoppers of pans, three of plates: stays
	item("thin-at-kitchen", "Kitchen")             // two shoppers of pans: stays
	n := 0
	view := func(item string, leaf string, shoppers int) {
		for range shoppers {
			u := fmt.Sprintf("u%d", n)
			n++
			at := testNow.Add(-time.Duration(n) * time.Hour)
			d.Events = append(d.Events, Event{User: u, Item: item, Type: View, Time: at})
			for j := range 3 {
				d.Events = append(d.Events, Event{User: u, Item: fmt.Sprintf("%s-%d", leaf, (n+j)%10), Type: View, Time: at.Add(time.Duration(j+1) * time.Minute)})
			}
		}
	}
	view("pan-at-kitchen", "pans", 6)
	view("pot-at-cookware", "pots", 6)
	view("split-at-kitchen", "pans", 3)
	view("split-at-kitchen", "plates", 3)
	view("thin-at-kitchen", "pans", 2)
	// Shoppers of the leaves alone, so each leaf has its own crowd.
	for _, leaf := range []string{"pans", "pots", "plates", "mugs"} {
		for range 8 {
			u := fmt.Sprintf("u%d", n)
			n++
			for j := range 4 {
				d.Events = append(d.Events, Event{User: u, Item: fmt.Sprintf("%s-%d", leaf, (n+j)%10), Type: View, Time: testNow.Add(-time.Duration(n*10+j) * time.Minute)})
			}
		}
	}
	return d
}

func TestProductsFiledHigherAreReadAtTheSubcategoryTheirShoppersPointTo(t *testing.T) {
	d := mixedDepthShop()
	filed := slices.Clone(d.Items)
	m, err := Train(context.Background(), d, DefaultConfig(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		id   string
		path []string
	}{
		{"pan-at-kitchen", []string{"Kitchen", "Cookware", "Pans"}},
		{"pot-at-cookware", []string{"Kitchen", "Cookware", "Pots"}},
		{"split-at-kitchen", []string{"Kitchen"}}, // split evidence: filed category kept
		{"thin-at-kitchen", []string{"Kitchen"}},  // two shoppers: too thin
		{"pans-3", []string{"Kitchen", "Cookware", "Pans"}},
	} {
		it, ok := m.Item(tc.id)
		if !ok {
			t.Fatalf("%s: not in the model", tc.id)
		}
		if !slices.Equal(it.CategoryPath, tc.path) || it.Category != tc.path[len(tc.path)-1] {
			t.Errorf("%s: read at %q (%s), want %q", tc.id, it.CategoryPath, it.Category, tc.path)
		}
	}
	// The catalog handed in (the shop's) is unchanged.
	for i := range filed {
		if !slices.Equal(filed[i].CategoryPath, d.Items[i].CategoryPath) || filed[i].Category != d.Items[i].Category {
			t.Fatalf("%s: the shop's catalog changed: %q", filed[i].ID, d.Items[i].CategoryPath)
		}
	}
	// The category part ranks pans first for a shopper who viewed only the
	// pan filed at Kitchen.
	pans := 0
	d.Events = append(d.Events, Event{User: "newpan", Item: "pan-at-kitchen", Type: View, Time: testNow})
	cfg := DefaultConfig()
	cfg.Weights = HybridWeights{Category: 1}
	m, err = Train(context.Background(), d, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	recs := m.Recommend(Request{User: "newpan", Strategy: Hybrid, N: 5})
	for _, r := range recs {
		if strings.HasPrefix(r.ItemID, "pans-") {
			pans++
		}
	}
	if pans < 5 {
		t.Errorf("a shopper of the pan filed at Kitchen: %d of %d category picks are pans (%v)", pans, len(recs), recs)
	}
	// Fit says how many it read deeper.
	_, rep, err := Fit(context.Background(), d, DefaultConfig(), FitOptions{Budget: -1})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(rep.Lines(), func(l string) bool { return strings.HasPrefix(l, "categories: 2 products filed at a category") }) {
		t.Errorf("the report does not say two products were re-filed: %q", rep.Lines())
	}
}

func TestACatalogFiledAtOneDepthIsNotRefiled(t *testing.T) {
	d := mixedDepthShop()
	// The same shop with every product at a leaf, and an uneven tree
	// (a department without subcategories beside ones with).
	d.Items = slices.DeleteFunc(d.Items, func(it Item) bool { return len(it.CategoryPath) < 3 })
	d.Items = append(d.Items, Item{ID: "book", Category: "Books", CategoryPath: []string{"Books"}})
	out, moved := refileByCoViews(d)
	if moved != 0 || &out.Items[0] != &d.Items[0] {
		t.Fatalf("%d products moved in a catalog filed at its leaves", moved)
	}
}
