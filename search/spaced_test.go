package search

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// A shop whose titles write as one word what shoppers type as two
// ("Sunscreen", "Backpack", "Crewneck"), beside products that use one of
// the halves ("Hydration Pack", "Screen Cleaner", "easy to care for").
var spacedShop = []struct {
	group, category string
	titles          []string
}{
	{"sunscreen", "Beauty Suncare", []string{"Sunscreen SPF 50", "Mineral Sunscreen Lotion", "Kids' Sunscreen Stick"}},
	{"skincare", "Beauty Skincare", []string{"Rose Face Toner", "Hyaluronic Serum", "Night Cream"}},
	{"backpack", "Outdoor Bags", []string{"Trekking Backpack 55L", "Laptop Backpack", "Kids' Backpack"}},
	{"daypack", "Outdoor Bags", []string{"Daypack 22L", "Ultralight Daypack"}},
	{"pack", "Outdoor Water", []string{"Hydration Pack", "Ice Pack", "Pack of 3 Bottles"}},
	{"crewneck", "Clothing Knitwear", []string{"Merino Crewneck Sweater", "Cotton Crewneck Jumper"}},
	{"turtleneck", "Clothing Knitwear", []string{"Mohair Turtleneck", "Ribbed Turtleneck Top"}},
	{"cookbook", "Books Food", []string{"The Italian Cookbook", "Vegan Cookbook", "Baking Cookbook"}},
	{"bedspread", "Home Bedding", []string{"Quilted Bedspread", "Cotton Bedspread"}},
	{"screen", "Electronics Cleaning", []string{"Screen Cleaner Spray", "Screen Wipes"}},
	{"rosewater", "Beauty Toners", []string{"Rosewater Mist", "Rose Water Toner"}},
	{"rose", "Garden Plants", []string{"Climbing Rose", "Rose Bush"}},
	{"water", "Grocery Drinks", []string{"Sparkling Water", "Still Water 6 x 1.5L"}},
}

var spacedRelevance = []struct{ query, group string }{
	{"sun screen", "sunscreen"},
	{"skin care", "skincare"},
	{"back pack", "backpack"},
	{"back packs", "backpack"},
	{"day pack", "daypack"},
	{"crew neck sweater", "crewneck"},
	{"turtle neck", "turtleneck"},
	{"cook book", "cookbook"},
	{"bed spread", "bedspread"},
	{"rose water", "rosewater"}, // both halves are catalog words too
}

func spacedShopDocs(n int) (docs []Doc, groupOf map[uint]string) {
	rng := rand.New(rand.NewPCG(5, 17))
	groupOf = map[uint]string{}
	brands := []string{"Northwind", "Kestrel", "Greenrow", "Maison Lune"}
	descs := []string{"Easy to care for.", "Packs down small.", "Back in stock for the season.", "Made to last.", "Screen-printed label."}
	for i := 0; i < n; i++ {
		g := spacedShop[i%len(spacedShop)]
		brand := brands[rng.IntN(len(brands))]
		id := uint(i + 1)
		groupOf[id] = g.group
		docs = append(docs, Doc{ID: id, Title: fmt.Sprintf("%s %s", brand, g.titles[rng.IntN(len(g.titles))]), Brand: brand,
			Category: g.category, Description: descs[rng.IntN(len(descs))], Popularity: float64(rng.IntN(100))})
	}
	return docs, groupOf
}

// "sun screen" finds the sunscreens, "back pack" the backpacks: two typed
// words the catalog writes as one are read as that word, first, ahead of
// products that only use one of the halves.
func TestSearchRelevanceSpacedWords(t *testing.T) {
	docs, groupOf := spacedShopDocs(1300)
	ix := openTest(t, "", docs)
	ix.SetSynonyms(Defaults())
	var sum float64
	for _, tc := range spacedRelevance {
		p, r := precisionAt10(t, ix, tc.query, func(id uint) bool { return groupOf[id] == tc.group })
		sum += p
		t.Logf("%-18s P@10 in %-10s %.1f unknown %q", tc.query, tc.group, p, r.Unknown)
		if len(r.IDs) == 0 || groupOf[r.IDs[0]] != tc.group {
			t.Errorf("%q: the first result is not in %s", tc.query, tc.group)
		}
		if len(r.Unknown) > 0 {
			t.Errorf("%q: %q said unknown, though the catalog writes them as one word", tc.query, r.Unknown)
		}
	}
	mean := sum / float64(len(spacedRelevance))
	t.Logf("mean precision@10 over %d queries: %.3f", len(spacedRelevance), mean)
	if mean < 0.95 {
		t.Errorf("mean precision@10 %.3f is below 0.95", mean)
	}
	// Both ways the catalog writes it: "Rosewater Mist" and "Rose Water
	// Toner" are full matches of "rose water".
	r := search(t, ix, "rose water")
	titles := map[string]bool{}
	for _, id := range r.IDs[:r.Full] {
		for _, w := range []string{"Rosewater Mist", "Rose Water Toner"} {
			if d := docs[id-1]; d.Title == d.Brand+" "+w {
				titles[w] = true
			}
		}
	}
	if len(titles) != 2 {
		t.Errorf("rose water: full matches hold %v, want both Rosewater Mist and Rose Water Toner", titles)
	}
}
