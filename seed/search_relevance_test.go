package seed

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"storefront/search"
)

// demoRelevance is the relevance test set on the demo world: natural queries
// (plurals, synonyms, stop words, misspellings, several words) and the
// category their top ten results should come from. It is judged on the
// generated catalog the demo shop is seeded with, not on hand-picked ids.
var demoRelevance = []struct {
	query    string
	category string
	title    string // a word every one of the top three titles contains, when set
}{
	{"tent", "Tents", "tent"},
	{"waterproof tent", "Tents", "tent"},
	{"family tents", "Tents", "family"},
	{"sleeping bag", "Sleeping Bags", "sleeping"},
	{"hiking backpack", "Backpacks", "backpack"},
	{"hiking boots", "Hiking Boots", "boot"},
	{"headlamp", "Headlamps & Lanterns", "headlamp"},
	{"frying pan", "Cookware", "pan"},
	{"chef knife", "Knives", "knife"},
	{"french press", "Coffee & Tea", "press"},
	{"espresso machine", "Small Appliances", "espresso"},
	{"wireless headphones", "Headphones", "wireless"},
	{"earbuds", "Headphones", "earbuds"},
	{"bluetooth speaker", "Speakers", "speaker"},
	{"mechanical keyboard", "Keyboards & Mice", "keyboard"},
	{"smartwatch", "Smartwatches", "smartwatch"},
	{"duvet cover", "Bedding", "duvet"},
	{"floor lamp", "Lighting", "lamp"},
	{"washable rug", "Rugs", "rug"},
	{"rain jacket", "Jackets", "jacket"},
	{"jumper", "Knitwear", ""},
	{"t-shirt", "T-Shirts", ""},
	{"slim jeans", "Jeans", "jeans"},
	{"sneakers", "Sneakers", ""},
	{"running shoes for men", "Running Shoes", "running"},
	{"yoga mat", "Yoga", "yoga"},
	{"bike helmet", "Cycling", "helmet"},
	{"kettlebell", "Fitness Equipment", "kettlebell"},
	{"face serum", "Skincare", "serum"},
	{"shampoo", "Hair Care", "shampoo"},
	{"perfume", "Fragrance", "perfume"},
	{"lipstick", "Makeup", "lipstick"},
	{"board game", "Board Games", "game"},
	{"kids puzzle", "Puzzles", "puzzle"},
	{"jigsaw puzzles", "Puzzles", "jigsaw"},
	{"teddy bear", "Plush Toys", "teddy"},
	{"marble run", "Building Sets", "marble"},
	// Misspellings.
	{"headphnes", "Headphones", "headphones"},
	{"backpak", "Backpacks", ""},
	{"sleping bag", "Sleeping Bags", "sleeping"},
	{"moisturizer", "Skincare", ""},
	{"kettlebel", "Fitness Equipment", "kettlebell"},
}

// demoRelevanceThreshold is the mean share of the top ten results that must
// come from the expected category. Measured 0.99 (go test -v -run TestSearchRelevanceDemo ./seed).
const demoRelevanceThreshold = 0.95

func TestSearchRelevanceDemo(t *testing.T) {
	c := buildCatalog(DefaultSeed, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), 5000)
	docs := make([]search.Doc, 0, len(c.products))
	catOf := map[uint]string{}
	titleOf := map[uint]string{}
	for i, p := range c.products {
		if !p.Active {
			continue
		}
		id := uint(i + 1)
		leaf := &c.leaves[c.prodLeaf[i]]
		cat := c.cats[leaf.cat].Name
		path := c.cats[c.catParent[leaf.cat]].Name + " " + cat
		catOf[id], titleOf[id] = cat, p.Title
		docs = append(docs, search.Doc{ID: id, Title: p.Title, Brand: p.Brand, Category: path, Description: p.Description,
			Popularity: popularityByRank(leaf.items, int32(i))})
	}
	ix, err := search.Open("")
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if _, err := ix.Sync(docs); err != nil {
		t.Fatal(err)
	}
	ix.SetSynonyms(search.Defaults())

	var sum float64
	for _, tc := range demoRelevance {
		r, err := ix.Search(context.Background(), tc.query, true)
		if err != nil {
			t.Fatal(err)
		}
		top := r.IDs[:min(10, len(r.IDs))]
		if len(top) == 0 {
			t.Errorf("%q found nothing", tc.query)
			continue
		}
		right := 0
		for _, id := range top {
			if catOf[id] == tc.category {
				right++
			}
		}
		p := float64(right) / 10
		sum += p
		for k, id := range top[:min(3, len(top))] {
			if tc.title != "" && !strings.Contains(strings.ToLower(titleOf[id]), tc.title) {
				t.Errorf("%q: result %d is %q, want a title with %q", tc.query, k+1, titleOf[id], tc.title)
			}
		}
		note := ""
		if r.Corrected != "" {
			note = " (showing results for " + r.Corrected + ")"
		}
		t.Logf("%-24s P@10 in %-20s %.1f%s", tc.query, tc.category, p, note)
	}
	mean := sum / float64(len(demoRelevance))
	t.Logf("mean category precision@10 over %d queries: %.3f (threshold %.2f)", len(demoRelevance), mean, demoRelevanceThreshold)
	if mean < demoRelevanceThreshold {
		t.Errorf("mean category precision@10 %.3f is below %.2f", mean, demoRelevanceThreshold)
	}
}

// popularityByRank gives a product a Zipf weight by its rank in its leaf,
// as the demo's behaviour makes it.
func popularityByRank(items []int32, idx int32) float64 {
	for r, it := range items {
		if it == idx {
			return 100 / math.Pow(float64(r+1), zipfExponent)
		}
	}
	panic(fmt.Sprint("product not in its leaf: ", idx))
}
