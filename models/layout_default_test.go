package models

import (
	"context"
	"fmt"
	"testing"
)

func TestEnsureDefaultHomepage(t *testing.T) {
	db := mustOpen(t)
	ctx := context.Background()

	published, err := db.EnsureDefaultHomepage(ctx)
	if err != nil || published {
		t.Fatalf("empty shop: published=%v err=%v, want nothing published", published, err)
	}

	// Three departments of different sizes; the largest has its products
	// one level down, so sizes must roll up to the top of the tree.
	garden := Category{Slug: "garden", Name: "Garden"}
	kitchen := Category{Slug: "kitchen", Name: "Kitchen"}
	toys := Category{Slug: "toys", Name: "Toys"}
	empty := Category{Slug: "empty", Name: "Empty"}
	for _, c := range []*Category{&garden, &kitchen, &toys, &empty} {
		if err := db.W.Create(c).Error; err != nil {
			t.Fatal(err)
		}
	}
	tools := Category{Slug: "garden-tools", Name: "Tools", ParentID: &garden.ID}
	if err := db.W.Create(&tools).Error; err != nil {
		t.Fatal(err)
	}
	add := func(cat uint, n int, active bool) {
		for i := range n {
			p := Product{ExternalID: fmt.Sprintf("c%d-%d-%v", cat, i, active), Slug: "p", Title: "P", CategoryID: cat, PriceCents: 100, Stock: 1, Active: active}
			if err := db.W.Create(&p).Error; err != nil {
				t.Fatal(err)
			}
			if !active {
				db.W.Model(&p).Update("active", false)
			}
		}
	}
	// 70 products: twice what the rows above the departments' show a new
	// visitor, so the departments get rows (TestASmallCatalogHasNoDepartmentRows).
	add(tools.ID, 40, true)
	add(kitchen.ID, 20, true)
	add(toys.ID, 10, true)
	add(empty.ID, 9, false) // inactive products do not make a department

	published, err = db.EnsureDefaultHomepage(ctx)
	if err != nil || !published {
		t.Fatalf("shop with products: published=%v err=%v, want published", published, err)
	}
	slots, v, err := db.PublishedLayout(ctx, HomePage)
	if err != nil {
		t.Fatal(err)
	}
	if v == nil || v.Number != 1 || v.Author != SystemActor {
		t.Fatalf("published version = %+v, want version 1 by %q", v, SystemActor)
	}
	types := map[string]int{}
	var categoryRows []string
	for _, s := range slots {
		check := s
		if err := ValidateSlot(&check); err != nil {
			t.Errorf("default slot %q is not valid: %v", s.Title, err)
		}
		types[s.Type]++
		if s.Type == SlotCategory && s.Category != "" {
			categoryRows = append(categoryRows, s.Category)
		}
	}
	for _, want := range []string{SlotHero, SlotRecommended, SlotBecauseViewed, SlotTrending, SlotNewArrivals, SlotRecentlyViewed, SlotPopular} {
		if types[want] != 1 {
			t.Errorf("default homepage has %d %s slots, want 1 (%v)", types[want], want, types)
		}
	}
	if slots[0].Type != SlotHero || slots[0].Link != "/c/garden" || !slots[0].Locked {
		t.Errorf("hero = %+v, want a locked hero leading to the largest department, garden", slots[0])
	}
	if fmt.Sprint(categoryRows) != "[kitchen toys]" {
		t.Errorf("department rows = %v, want [kitchen toys]", categoryRows)
	}
	draft, _, err := db.DraftSlots(ctx, HomePage)
	if err != nil || len(draft) != len(slots) {
		t.Fatalf("draft has %d slots (err %v), want the %d published ones to edit", len(draft), err, len(slots))
	}

	// Once there is a layout it is the merchant's: nothing is published again,
	// even after every slot is removed from the draft.
	for _, s := range draft {
		if err := db.DeleteSlot(ctx, HomePage, 0, "merch", s.ID); err != nil {
			t.Fatal(err)
		}
	}
	if published, err := db.EnsureDefaultHomepage(ctx); err != nil || published {
		t.Fatalf("second call: published=%v err=%v, want nothing", published, err)
	}
	vs, _, err := db.Versions(ctx, HomePage)
	if err != nil || len(vs) != 1 {
		t.Fatalf("%d versions (err %v), want 1", len(vs), err)
	}
}

// TestASmallCatalogHasNoDepartmentRows: a merchant's walk-through of a
// shop of 34 products found the default homepage's department rows
// ("Popular in Coffee") empty on every page: the hero and the four rows
// above them show a new visitor 35 products. A catalog smaller than twice
// that gets no department rows; a larger one gets the next two departments'.
func TestASmallCatalogHasNoDepartmentRows(t *testing.T) {
	rows := func(sizes ...int) []string {
		var depts []Department
		for i, n := range sizes {
			depts = append(depts, Department{Category: Category{Slug: fmt.Sprintf("d%d", i), Name: fmt.Sprintf("D%d", i)}, Products: n})
		}
		var out []string
		for _, s := range DefaultHomeSlots(depts) {
			if s.Type == SlotCategory && s.Category != "" {
				out = append(out, s.Category)
			}
		}
		return out
	}
	if got := rows(20, 10, 4); len(got) != 0 {
		t.Errorf("34 products: department rows %v, want none", got)
	}
	if got := rows(60, 30, 20); fmt.Sprint(got) != "[d1 d2]" {
		t.Errorf("110 products: department rows %v, want [d1 d2]", got)
	}
}

// A shop whose export files most products under WooCommerce's catch-all
// "Uncategorized" got a default homepage whose hero read "Discover
// Uncategorized"; its own departments lead now, the catch-all after them.
func TestTheDefaultHomepageLeadsWithARealDepartment(t *testing.T) {
	depts := []Department{
		{Category: Category{Slug: "uncategorized", Name: "Uncategorized"}, Products: 2100},
		{Category: Category{Slug: "lamps", Name: "Lamps"}, Products: 120},
		{Category: Category{Slug: "pans", Name: "Pans"}, Products: 100},
		{Category: Category{Slug: "cups", Name: "Cups"}, Products: 50},
	}
	slots := DefaultHomeSlots(depts)
	var rows []string
	for _, s := range slots {
		if s.Category != "" {
			rows = append(rows, s.Category)
		}
	}
	if slots[0].Title != "Discover Lamps" || slots[0].Link != "/c/lamps" || fmt.Sprint(rows) != "[lamps pans cups]" {
		t.Fatalf("hero %q → %s, department rows %v; want the hero on Lamps and rows for Pans and Cups", slots[0].Title, slots[0].Link, rows)
	}
	if depts[0].Slug != "uncategorized" {
		t.Error("DefaultHomeSlots reordered its caller's departments")
	}
	// A shop with nothing but the catch-all still gets its hero.
	if only := DefaultHomeSlots(depts[:1]); only[0].Link != "/c/uncategorized" {
		t.Errorf("the only department's hero links %s", only[0].Link)
	}
}
