package shop

import (
	"fmt"
	"slices"
	"strconv"
	"testing"
	"time"

	"storefront/models"
)

func TestGroupNaming(t *testing.T) {
	for _, tc := range []struct {
		titles []string
		name   string
		labels []string
	}{
		{[]string{"Dress Élise – S", "Dress Élise – M", "Dress Élise – L"}, "Dress Élise", []string{"S", "M", "L"}},
		{[]string{"Linen Shirt - size M", "Linen Shirt - Size L"}, "Linen Shirt", []string{"M", "L"}},
		{[]string{"Wool Scarf, Red", "Wool Scarf, Navy Blue"}, "Wool Scarf", []string{"Red", "Navy Blue"}},
		{[]string{"Tee (S)", "Tee (M)"}, "Tee", []string{"(S)", "(M)"}},
		{[]string{"Runner Ace – EU 38", "Runner Ace – EU 38.5"}, "Runner Ace", []string{"38", "38.5"}},
		{[]string{"Linen Shirt – Blue – S", "Linen Shirt – Blue – M"}, "Linen Shirt – Blue", []string{"S", "M"}},
		{[]string{"T-Shirt Basic M", "T-Shirt Basic L"}, "T-Shirt Basic", []string{"M", "L"}},
		{[]string{"Robe « Élise » – taille S", "Robe « Élise » – taille M"}, "Robe « Élise »", []string{"S", "M"}},
		{[]string{"Red Wool Scarf", "Navy Blue Wool Scarf"}, "Wool Scarf", []string{"Red", "Navy Blue"}},
		{[]string{"Sneaker Low 42", "sneaker low 43"}, "Sneaker Low", []string{"42", "43"}},
		// Magento names a configurable product's variants with a hyphen
		// and no spaces; its parent row may be in the group too.
		{[]string{"Chunky Knit Throw-Oatmeal", "Chunky Knit Throw-Sage"}, "Chunky Knit Throw", []string{"Oatmeal", "Sage"}},
		{[]string{"Turkish Cotton Towel-Hand", "Turkish Cotton Towel-Bath", "Turkish Cotton Towel"}, "Turkish Cotton Towel",
			[]string{"Turkish Cotton Towel-Hand", "Turkish Cotton Towel-Bath", "Turkish Cotton Towel"}},
		{[]string{"Chaz Kangeroo Hoodie-XS-Black", "Chaz Kangeroo Hoodie-S-Orange"}, "Chaz Kangeroo Hoodie", []string{"XS-Black", "S-Orange"}},
		{[]string{"Double-Wall Tumbler Red", "Double-Wall Tumbler Blue"}, "Double-Wall Tumbler", []string{"Red", "Blue"}},
		{[]string{"T-Shirt Red", "T-Shirt Blue"}, "T-Shirt", []string{"Red", "Blue"}},
		{[]string{"Red Kids-Tee", "Blue Kids-Tee"}, "Kids-Tee", []string{"Red", "Blue"}},
		// Titles that share nothing: each keeps its own.
		{[]string{"Crimson Élise", "Navy gown"}, "", []string{"Crimson Élise", "Navy gown"}},
		// One title adds nothing: the group is named, the titles tell the options apart.
		{[]string{"Trail Runner", "Trail Runner Wide"}, "Trail Runner", []string{"Trail Runner", "Trail Runner Wide"}},
		// Shared words without a letter are no name.
		{[]string{"– Alpha", "– Beta"}, "", []string{"– Alpha", "– Beta"}},
		{[]string{"Solo Dress – S"}, "", []string{"Solo Dress – S"}},
	} {
		name, labels := groupNaming(tc.titles)
		if name != tc.name || !slices.Equal(labels, tc.labels) {
			t.Errorf("groupNaming(%q) = %q %q, want %q %q", tc.titles, name, labels, tc.name, tc.labels)
		}
	}
}

// groupedCatalog: a fashion category with the dress Élise in three sizes
// (M sold out, L dearer), a tee in two colours, a coat in 200 sizes (one
// in stock, the last) and two products of their own, one of them with a
// group_id no other product shares.
func groupedCatalog() *Catalog {
	cats := []models.Category{{ID: 1, Name: "Dresses", Slug: "dresses"}}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var ps []models.Product
	add := func(title, group, brand string, price int64, stock int, pop float64) {
		id := uint(len(ps) + 1)
		ps = append(ps, models.Product{ID: id, ExternalID: "p" + strconv.Itoa(int(id)), Title: title, GroupID: group, CategoryID: 1, Brand: brand,
			PriceCents: price, Popularity: pop, Active: true, Stock: stock, CreatedAt: now.Add(time.Duration(id) * time.Hour)})
	}
	add("Dress Élise – S", "ELISE", "Atelier", 4900, 3, 50) // 1
	add("Dress Élise – M", "ELISE", "Atelier", 4900, 0, 90) // 2, most popular but sold out
	add("Dress Élise – L", "ELISE", "Atelier", 5900, 2, 10) // 3
	add("Red Tee", "TEE", "Basics", 1500, 5, 30)            // 4
	add("Blue Tee", "TEE", "Basics", 1500, 5, 40)           // 5
	for k := range 200 {
		stock := 0
		if k == 199 {
			stock = 1
		}
		add(fmt.Sprintf("Coat Nord – %d", k), "COAT", "Nord", 20000+int64(k), stock, float64(k)/100) // 6..205
	}
	add("Silk Scarf", "", "Atelier", 2500, 4, 20)      // 206
	add("Belt Solo – 90", "BELT", "Basics", 900, 4, 5) // 207, alone in its group
	return BuildCatalog(cats, ps)
}

func TestAGroupIsListedOnce(t *testing.T) {
	c := groupedCatalog()
	dresses, _ := c.CategoryBySlug("dresses")
	l := c.List(ListQuery{Under: dresses, PerPage: 24})
	// Popular: the dress by its most popular size in stock (S), the tee by
	// Blue, the scarf, the belt, and the coat by its one size in stock.
	if want := []uint{1, 5, 206, 207, 205}; !slices.Equal(ids(l.Products), want) {
		t.Fatalf("cards %v, want %v", ids(l.Products), want)
	}
	if l.Total != 5 || l.Pages != 1 {
		t.Errorf("total %d pages %d, want 5 and 1", l.Total, l.Pages)
	}
	want := []ListedGroup{
		{Name: "Dress Élise", Count: 3, PriceCents: 4900, From: true}, // S 49 and L 59 in stock
		{Name: "Tee", Count: 2, PriceCents: 1500},
		{}, {},
		{Name: "Coat Nord", Count: 200, PriceCents: 20199}, // only its last size is in stock
	}
	if !slices.Equal(l.Groups, want) {
		t.Errorf("groups %+v, want %+v", l.Groups, want)
	}
	brands := map[string]int{}
	for _, b := range l.Brands {
		brands[b.Name] = b.Count
	}
	if brands["Atelier"] != 2 || brands["Basics"] != 2 || brands["Nord"] != 1 {
		t.Errorf("brand counts %v, want groups counted once: Atelier 2, Basics 2, Nord 1", brands)
	}
	rangeTotal := 0
	for _, pr := range l.Prices {
		rangeTotal += pr.Count
	}
	if rangeTotal != 5 {
		// Every group here lies in one range (the dress's sizes, 49 and
		// 59, share one), so the ranges add up to the cards.
		t.Errorf("price ranges %+v count %d, want 5", l.Prices, rangeTotal)
	}

	// Pages are pages of cards.
	p2 := c.List(ListQuery{Under: dresses, PerPage: 2, Page: 2})
	if want := []uint{206, 207}; !slices.Equal(ids(p2.Products), want) || p2.Pages != 3 || p2.Total != 5 {
		t.Errorf("page 2 of 2: %v pages %d total %d, want %v, 3, 5", ids(p2.Products), p2.Pages, p2.Total, want)
	}

	// By price: each group at its lowest price in stock.
	up := c.List(ListQuery{Under: dresses, Sort: SortPriceAsc, PerPage: 24})
	if want := []uint{207, 4, 206, 1, 205}; !slices.Equal(ids(up.Products), want) {
		t.Errorf("price up %v, want %v", ids(up.Products), want)
	}
	down := c.List(ListQuery{Under: dresses, Sort: SortPriceDesc, PerPage: 24})
	if want := []uint{205, 1, 206, 4, 207}; !slices.Equal(ids(down.Products), want) {
		t.Errorf("price down %v, want %v", ids(down.Products), want)
	}

	// A price filter picks the size it lets through, at its own price.
	dear := c.List(ListQuery{Under: dresses, MinPrice: 5000, MaxPrice: 10000, PerPage: 24})
	if !slices.Equal(ids(dear.Products), []uint{3}) || dear.Groups[0] != (ListedGroup{Count: 1, PriceCents: 5900}) {
		t.Errorf("50-100: %v %+v, want the dress's size L alone, named by its title", ids(dear.Products), dear.Groups)
	}
}

func TestASearchShowsTheVariantItFoundOnce(t *testing.T) {
	c := groupedCatalog()
	// "red tee": the red tee matches every word, the blue one only "tee".
	l := c.List(ListQuery{Searched: true, Candidates: []uint{4, 5, 206}, Full: 1, PerPage: 24})
	if want := []uint{4, 206}; !slices.Equal(ids(l.Products), want) || l.Total != 2 || l.Full != 1 {
		t.Errorf("cards %v total %d full %d, want %v, 2, 1", ids(l.Products), l.Total, l.Full, want)
	}
	if l.Groups[0].Name != "Tee" || l.Groups[0].Count != 2 {
		t.Errorf("the tee's card %+v, want the group Tee of 2", l.Groups[0])
	}
	// Only the red one found: its own card, by its own title.
	red := c.List(ListQuery{Searched: true, Candidates: []uint{4}, Full: 1, PerPage: 24})
	if !slices.Equal(ids(red.Products), []uint{4}) || red.Groups[0].Name != "" || red.Groups[0].Count != 1 {
		t.Errorf("red alone: %v %+v", ids(red.Products), red.Groups)
	}
	// Sorted by price, the dress counts at its lowest price in stock.
	up := c.List(ListQuery{Searched: true, Candidates: []uint{3, 2, 1, 206}, Full: 4, Sort: SortPriceAsc, PerPage: 24})
	if want := []uint{206, 3}; !slices.Equal(ids(up.Products), want) || up.Groups[1].PriceCents != 4900 {
		t.Errorf("price up %v %+v, want %v with the dress from 49", ids(up.Products), up.Groups, want)
	}
	cats := 0
	for _, cc := range up.Categories {
		cats += cc.Count
	}
	if cats != 2 {
		t.Errorf("category counts %d, want 2 cards", cats)
	}
}

func TestACatalogWithoutGroupsListsEveryProduct(t *testing.T) {
	c := listingCatalog()
	outdoor, _ := c.CategoryBySlug("outdoor")
	if l := c.List(ListQuery{Under: outdoor, PerPage: 24}); l.Groups != nil || l.Total != 5 {
		t.Errorf("groups %v total %d, want none and 5", l.Groups, l.Total)
	}
}

func TestDisplayNameIsTheGroupsName(t *testing.T) {
	c := groupedCatalog()
	for ext, want := range map[string]string{"p1": "Dress Élise", "p4": "Tee", "p206": "Silk Scarf", "p207": "Belt Solo – 90", "nope": ""} {
		if got := c.NameOf(ext); got != want {
			t.Errorf("NameOf(%s) = %q, want %q", ext, got, want)
		}
	}
}

// TestListingsOfOneItemShareACardKey: products outside any group with one
// title and brand (a marketplace's sellers listing one item, the title in
// any case and spacing) share a card key; the same title under another
// brand, a product of a group and a product of its own keep theirs, and a
// product renamed since the snapshot is keyed by its new title.
func TestListingsOfOneItemShareACardKey(t *testing.T) {
	cats := []models.Category{{ID: 1, Name: "Audio", Slug: "audio"}}
	var ps []models.Product
	add := func(title, brand, group string) {
		id := uint(len(ps) + 1)
		ps = append(ps, models.Product{ID: id, ExternalID: "L" + strconv.Itoa(int(id)), Title: title, Brand: brand, GroupID: group,
			CategoryID: 1, Active: true, Stock: 3, PriceCents: 1000})
	}
	add("Echo Speaker", "Acme", "")     // L1
	add("ECHO  speaker", "acme", "")    // L2: another seller's listing of L1
	add("Echo Speaker", "Rival", "")    // L3: another brand
	add("Echo Speaker", "Acme", "ECHO") // L4: in a group
	add("Orbit Cable", "Acme", "")      // L5: its own
	add("Orbit Cable", "Acme", "")      // L6: a listing of L5
	c := BuildCatalog(cats, ps)
	key := c.CardKeyOf
	if key("L1") == "" || key("L1") != key("L2") {
		t.Errorf("L1 and L2 have card keys %q and %q, want one shared", key("L1"), key("L2"))
	}
	if key("L3") != "" || key("L4") != "ECHO" {
		t.Errorf("L3 (another brand) has %q, want none; L4 %q, want its group ECHO", key("L3"), key("L4"))
	}
	if key("L5") == "" || key("L5") != key("L6") || key("L5") == key("L1") {
		t.Errorf("L5 and L6 have %q and %q, want one shared, not L1's %q", key("L5"), key("L6"), key("L1"))
	}
	if key("L9") != "" {
		t.Errorf("an id the catalog does not hold has %q", key("L9"))
	}
	renamed := ps[5]
	renamed.Title = "Orbit Cable 2 m"
	patched := c.withProducts([]models.Product{renamed})
	if patched.CardKeyOf("L6") != "" || patched.CardKeyOf("L5") != "" {
		t.Errorf("after L6's rename L5 and L6 have %q and %q, want none", patched.CardKeyOf("L5"), patched.CardKeyOf("L6"))
	}
	if c.CardKeyOf("L6") == "" {
		t.Error("the rename changed the snapshot it was patched from")
	}
}
