package shop

import (
	"slices"
	"strconv"
	"testing"
	"time"

	"storefront/models"
)

func listingCatalog() *Catalog {
	parent := uint(1)
	cats := []models.Category{{ID: 1, Name: "Outdoor", Slug: "outdoor"}, {ID: 2, Name: "Tents", Slug: "tents", ParentID: &parent},
		{ID: 3, Name: "Lamps", Slug: "lamps", ParentID: &parent}, {ID: 4, Name: "Kitchen", Slug: "kitchen"}}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var ps []models.Product
	add := func(cat uint, brand string, price int64, pop float64, active bool) {
		id := uint(len(ps) + 1)
		ps = append(ps, models.Product{ID: id, ExternalID: "p" + strconv.Itoa(int(id)), CategoryID: cat, Brand: brand, PriceCents: price, Popularity: pop, Active: active,
			Stock: 5, CreatedAt: now.Add(time.Duration(id) * time.Hour)})
	}
	add(2, "Summit", 19900, 9, true) // 1
	add(2, "Summit", 4900, 1, true)  // 2
	add(2, "North", 12900, 5, true)  // 3
	add(3, "North", 2400, 7, true)   // 4
	add(3, "Summit", 2900, 3, true)  // 5
	add(4, "Hearth", 3900, 8, true)  // 6
	add(2, "North", 999, 99, false)  // 7, inactive: never listed
	return BuildCatalog(cats, ps)
}

func ids(ps []*models.Product) []uint {
	out := make([]uint, len(ps))
	for i, p := range ps {
		out[i] = p.ID
	}
	return out
}

func TestListCategory(t *testing.T) {
	c := listingCatalog()
	outdoor, _ := c.CategoryBySlug("outdoor")
	for _, tc := range []struct {
		name string
		q    ListQuery
		want []uint
	}{
		{"popular", ListQuery{Under: outdoor}, []uint{1, 4, 3, 5, 2}},
		{"price up", ListQuery{Under: outdoor, Sort: SortPriceAsc}, []uint{4, 5, 2, 3, 1}},
		{"price down", ListQuery{Under: outdoor, Sort: SortPriceDesc}, []uint{1, 3, 2, 5, 4}},
		{"newest", ListQuery{Under: outdoor, Sort: SortNewest}, []uint{5, 4, 3, 2, 1}},
		{"brand", ListQuery{Under: outdoor, Brands: []string{"North"}}, []uint{4, 3}},
		{"price range", ListQuery{Under: outdoor, MinPrice: 2500, MaxPrice: 15000}, []uint{3, 5, 2}},
		{"unknown brand", ListQuery{Under: outdoor, Brands: []string{"Nobody"}}, []uint{}},
		{"page 2", ListQuery{Under: outdoor, Page: 2, PerPage: 2}, []uint{3, 5}},
		{"page past the end shows the last", ListQuery{Under: outdoor, Page: 9, PerPage: 2}, []uint{2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.q.PerPage == 0 {
				tc.q.PerPage = 24
			}
			got := c.List(tc.q)
			if !slices.Equal(ids(got.Products), tc.want) {
				t.Errorf("got %v, want %v", ids(got.Products), tc.want)
			}
		})
	}
}

func TestListFacetCountsFollowOtherFilters(t *testing.T) {
	c := listingCatalog()
	outdoor, _ := c.CategoryBySlug("outdoor")
	// Under 50: Summit 4900 and 2900, North 2400 — brand counts follow the
	// price filter; choosing North still counts Summit (its own filter is
	// not applied to itself).
	l := c.List(ListQuery{Under: outdoor, MaxPrice: 5000, Brands: []string{"North"}, PerPage: 24})
	brands := map[string]int{}
	for _, b := range l.Brands {
		brands[b.Name] = b.Count
	}
	if brands["North"] != 1 || brands["Summit"] != 2 || len(brands) != 2 {
		t.Errorf("brand counts %v", brands)
	}
	cats := map[string]int{}
	for _, cc := range l.Categories {
		cats[cc.Node.Name] = cc.Count
	}
	if cats["Lamps"] != 1 || cats["Tents"] != 0 {
		t.Errorf("subcategory counts %v (North under 50: one lamp)", cats)
	}
	if l.Total != 1 || l.Products[0].ID != 4 {
		t.Errorf("listed %v", ids(l.Products))
	}
	// Price ranges count every filter but price: North has 2400 and 12900.
	total := 0
	for _, pr := range l.Prices {
		total += pr.Count
	}
	if total != 2 {
		t.Errorf("price ranges %+v count %d North products, want 2", l.Prices, total)
	}
}

func TestListSearchResults(t *testing.T) {
	c := listingCatalog()
	// Search found 5, 1 and 3 with every word, then 6 and 2 with some.
	q := ListQuery{Searched: true, Candidates: []uint{5, 1, 3, 6, 2, 7, 999}, Full: 3, PerPage: 24}
	l := c.List(q)
	if !slices.Equal(ids(l.Products), []uint{5, 1, 3, 6, 2}) || l.Full != 3 {
		t.Errorf("relevance: %v full %d", ids(l.Products), l.Full)
	}
	q.Sort = SortPriceAsc
	if l := c.List(q); !slices.Equal(ids(l.Products), []uint{5, 3, 1, 6, 2}) {
		t.Errorf("by price, full matches first: %v", ids(l.Products))
	}
	kitchen, _ := c.CategoryBySlug("kitchen")
	q.Sort, q.Under = "", kitchen
	l = c.List(q)
	if !slices.Equal(ids(l.Products), []uint{6}) || l.Full != 0 {
		t.Errorf("in kitchen: %v full %d", ids(l.Products), l.Full)
	}
	if len(l.Categories) < 3 {
		t.Errorf("a chosen category still offers the others: %+v", l.Categories)
	}
	if l := c.List(ListQuery{Searched: true, PerPage: 24}); l.Total != 0 {
		t.Errorf("no candidates lists %d", l.Total)
	}
}

func TestRoundPrice(t *testing.T) {
	for in, want := range map[int64]int64{2399: 2500, 2100: 2000, 2600: 2500, 4100: 5000, 13000: 10000, 19000: 20000, 50: 100} {
		if got := roundPrice(in); got != want {
			t.Errorf("roundPrice(%d) = %d, want %d", in, got, want)
		}
	}
}

func TestListShowsPatchedStock(t *testing.T) {
	c := listingCatalog()
	p, _ := c.Product(1)
	sold := *p
	sold.Stock = 0
	patched := c.withProducts([]models.Product{sold})
	kitchenless, _ := patched.CategoryBySlug("tents")
	l := patched.List(ListQuery{Under: kitchenless, PerPage: 24})
	if last := l.Products[len(l.Products)-1]; last.ID != 1 || last.InStock() {
		t.Fatalf("listing ends on %+v, want product 1 out of stock", last)
	}
	if orig := c.List(ListQuery{Under: kitchenless, PerPage: 24}); !orig.Products[0].InStock() {
		t.Fatal("the old snapshot changed")
	}
}

// The listing index is built once per snapshot, off the path that makes
// the snapshot (BuildCatalog starts it in the background): every listing,
// however many ask at once, gets that one index, and a patched snapshot
// gets its own without touching the old one's.
func TestListingIndexIsBuiltOncePerSnapshot(t *testing.T) {
	c := listingCatalog()
	got := make(chan *listIndex, 8)
	for range cap(got) {
		go func() { got <- c.list() }()
	}
	first := <-got
	for range cap(got) - 1 {
		if li := <-got; li != first {
			t.Fatal("two listings of one snapshot got different indexes")
		}
	}
	p, _ := c.Product(1)
	sold := *p
	sold.Stock = 0
	patched := c.withProducts([]models.Product{sold})
	if own := patched.list(); own == first || patched.list() != own {
		t.Fatal("a patched snapshot shares the old index, or builds its own more than once")
	}
	if c.list() != first {
		t.Fatal("patching changed the old snapshot's index")
	}
}

// TestSoldOutProductsAreListedLast: an imported bookshop's best sellers are
// often sold out; a category's first page led with them, in every order.
// They follow the products in stock, each group in the order asked for, and
// among search results within the full and within the partial matches.
func TestSoldOutProductsAreListedLast(t *testing.T) {
	c := listingCatalog()
	var sold []models.Product
	for _, id := range []uint{1, 4, 6} { // the most popular of Outdoor, of Lamps, of Kitchen
		p, _ := c.Product(id)
		s := *p
		s.Stock = 0
		sold = append(sold, s)
	}
	c = c.withProducts(sold)
	outdoor, _ := c.CategoryBySlug("outdoor")
	for _, tc := range []struct {
		name string
		q    ListQuery
		want []uint
	}{
		{"popular", ListQuery{Under: outdoor}, []uint{3, 5, 2, 1, 4}},
		{"price up", ListQuery{Under: outdoor, Sort: SortPriceAsc}, []uint{5, 2, 3, 4, 1}},
		{"price down", ListQuery{Under: outdoor, Sort: SortPriceDesc}, []uint{3, 2, 5, 1, 4}},
		{"newest", ListQuery{Under: outdoor, Sort: SortNewest}, []uint{5, 3, 2, 4, 1}},
		{"page 2 of 2", ListQuery{Under: outdoor, Page: 2, PerPage: 3}, []uint{1, 4}},
		{"search: full matches, then partial ones", ListQuery{Searched: true, Candidates: []uint{1, 5, 6, 4, 2}, Full: 3}, []uint{5, 1, 6, 2, 4}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.q.PerPage == 0 {
				tc.q.PerPage = 24
			}
			if got := ids(c.List(tc.q).Products); !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}
