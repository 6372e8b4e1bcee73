package recommender

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// establishedShop is a shop imported from another platform: depts
// departments of three categories, four products each, every product
// made two years ago, and the given events.
func establishedShop(t *testing.T, depts []string, events []Event) *Model {
	t.Helper()
	var items []Item
	for d, dept := range depts {
		for c, kind := range []string{"Covers", "Sets", "Pieces"} {
			for k := range 4 {
				cat := dept + " " + kind
				items = append(items, Item{ID: fmt.Sprintf("%s-%d-%d", dept, c, k), Title: fmt.Sprintf("%s %s %d", dept, kind, k),
					Brand: fmt.Sprintf("Maker %d", k%3), Category: cat, CategoryPath: []string{dept, cat},
					PriceCents: int64(1000 + 700*k + 100*d + 10*c), Stock: 5, Active: true, Created: testNow.AddDate(-2, 0, -(d + c + k))})
			}
		}
	}
	m, err := Train(context.Background(), Dataset{Items: items, Events: events, Now: testNow}, DefaultConfig(), nil)
	if err != nil {
		t.Fatal(err)
	}
	m.TrainedAt = testNow.Add(time.Hour)
	return m
}

// TestAnEstablishedShopsHomepageShowsItsDepartments: a shop whose products
// are all older than 90 days, imported without events (or with a few),
// showed a new visitor the hero and one row, "From our range": best
// sellers, trending, new arrivals and the recommended row all had nothing
// but the range to show, and a second "From our range" is left off. Now
// the page adds a row for each department no row leads, headed by its
// name, its cards from that department and of several of its categories,
// at most maxDepartmentRows; a heading never claims sales or newness.
func TestAnEstablishedShopsHomepageShowsItsDepartments(t *testing.T) {
	depts := []string{"Living", "Bedding", "Kitchen", "Bath", "Garden"}
	for _, tc := range []struct {
		name   string
		events []Event
	}{{"catalog alone", nil}, {"catalog and a few events", []Event{
		{User: "u0", Item: "Kitchen-0-1", Type: View, Time: testNow.Add(-3 * time.Hour)},
		{User: "u0", Item: "Kitchen-0-2", Type: View, Time: testNow.Add(-2 * time.Hour)},
		{User: "u1", Item: "Bath-1-0", Type: View, Time: testNow.Add(-time.Hour)},
	}}} {
		t.Run(tc.name, func(t *testing.T) {
			m := establishedShop(t, depts, tc.events)
			for seed := range uint64(4) {
				opt := DefaultComposeOptions()
				opt.Rand = rand.New(rand.NewPCG(seed, 3))
				rows := Compose(m, shopPage(), Shopper{User: "visitor", Personalize: true}, opt, nil)
				var heads []string
				got := map[string]bool{}
				for _, cs := range rows {
					heads = append(heads, fmt.Sprintf("%s(%d)", cs.Title, len(cs.Items)))
					if claimsSignal(cs.Title) && !backed(&cs, cs.Title) {
						t.Errorf("seed %d: %q claims what no card has: %v", seed, cs.Title, heads)
					}
					d, ok := strings.CutPrefix(cs.Spec.ID, DepartmentSlotPrefix)
					if !ok {
						continue
					}
					got[d] = true
					if cs.Title != d {
						t.Errorf("seed %d: the row of %s is headed %q", seed, d, cs.Title)
					}
					cats := map[string]bool{}
					for _, r := range cs.Items {
						it, _ := m.Item(r.ItemID)
						if it.CategoryPath[0] != d {
							t.Errorf("seed %d: %q shows %s of %v", seed, cs.Title, r.ItemID, it.CategoryPath)
						}
						cats[it.Category] = true
					}
					if len(cs.Items) < 4 || len(cats) < 2 {
						t.Errorf("seed %d: %q shows %d cards of %d categories: %v", seed, cs.Title, len(cs.Items), len(cats), heads)
					}
				}
				// The hero leads Living; every other department has its row.
				for _, d := range depts[1:] {
					if !got[d] {
						t.Errorf("seed %d: no row of %s: %v", seed, d, heads)
					}
				}
				if got["Living"] {
					t.Errorf("seed %d: a row of Living under the hero of Living: %v", seed, heads)
				}
				if seed == 0 {
					t.Logf("%v", heads)
				}
			}
		})
	}
}

// TestDepartmentRowsAreBounded: a shop of twelve departments whose rows
// cannot fill adds maxDepartmentRows of them, the largest first.
func TestDepartmentRowsAreBounded(t *testing.T) {
	var depts []string
	for d := range 12 {
		depts = append(depts, fmt.Sprintf("Dept%02d", d))
	}
	m := establishedShop(t, depts, nil)
	rows := Compose(m, shopPage(), Shopper{User: "visitor", Personalize: true}, noExplore(), nil)
	n := 0
	for _, cs := range rows {
		if strings.HasPrefix(cs.Spec.ID, DepartmentSlotPrefix) {
			n++
		}
	}
	if n != maxDepartmentRows {
		t.Errorf("%d rows of departments, want %d", n, maxDepartmentRows)
	}
}

// TestAShopWhoseRowsFillAddsNoDepartments: a shop with sales fills its
// own rows; the page adds nothing to them.
func TestAShopWhoseRowsFillAddsNoDepartments(t *testing.T) {
	page := []SlotSpec{
		{ID: "popular", Kind: KindPopular, Title: "Best sellers", Size: 3},
		{ID: "trending", Kind: KindTrending, Title: "Trending now", Size: 3},
	}
	for _, cs := range Compose(trainTestModel(t), page, Shopper{User: "visitor", Personalize: true}, noExplore(), nil) {
		if strings.HasPrefix(cs.Spec.ID, DepartmentSlotPrefix) {
			t.Errorf("a shop whose rows fill shows %q", cs.Title)
		}
	}
}

// TestALongTitleIsCutInTheHeading: "Because you viewed A Very Long Title
// For A Handwoven Organic Cotton Bedspread With Tassels King Size" took
// four lines of a phone's screen; the heading quotes its first words.
func TestALongTitleIsCutInTheHeading(t *testing.T) {
	items := testItems()
	for i := range items {
		if items[i].ID == "shoe" {
			items[i].Title = "A Very Long Title For A Handwoven Organic Cotton Bedspread With Tassels King Size"
		}
	}
	m, err := Train(context.Background(), Dataset{Items: items, Events: testEvents(), Now: testNow}, DefaultConfig(), nil)
	if err != nil {
		t.Fatal(err)
	}
	page := []SlotSpec{{ID: "because", Kind: KindBecauseViewed, Title: "Because you viewed {anchor}", Strategy: "similar", Size: 3}}
	sh := Shopper{User: "alice", RecentlyViewed: []string{"shoe"}, Personalize: true}
	rows := Compose(m, page, sh, noExplore(), nil)
	if len(rows) == 0 {
		t.Fatal("no row because of the viewed product")
	}
	want := "Because you viewed Very Long Title For A Handwoven Organic…"
	if rows[0].Title != want {
		t.Errorf("heading %q, want %q", rows[0].Title, want)
	}
}

// TestAPageTriesABoundedNumberOfDepartments: a catalog of hundreds of
// departments of one product each (an import whose category column held a
// code per product) had every stranger's homepage try to fill a row from
// each of them, none filling half a row: 10,000 departments took a
// homepage past its deadline, every time it was asked. A page tries the
// largest maxDepartmentTries.
func TestAPageTriesABoundedNumberOfDepartments(t *testing.T) {
	var items []Item
	for d := range 300 {
		dept := fmt.Sprintf("Code %03d", d)
		items = append(items, Item{ID: fmt.Sprintf("P%d", d), Title: "Thing " + dept, Category: dept, CategoryPath: []string{dept},
			PriceCents: 900, Stock: 5, Active: true, Created: testNow.AddDate(-2, 0, 0)})
	}
	m, err := Train(context.Background(), Dataset{Items: items, Now: testNow}, DefaultConfig(), nil)
	if err != nil {
		t.Fatal(err)
	}
	tried := map[string]bool{}
	opt := noExplore()
	opt.Fits = func(f RowFilters) func(string) bool {
		tried[f.Category] = true
		return func(string) bool { return true }
	}
	Compose(m, shopPage(), Shopper{User: "visitor", Personalize: true}, opt, nil)
	departments := 0
	for c := range tried {
		if strings.HasPrefix(c, "Code ") {
			departments++
		}
	}
	if departments > maxDepartmentTries {
		t.Errorf("a stranger's homepage tried %d departments of one product each, want at most %d", departments, maxDepartmentTries)
	}
}
