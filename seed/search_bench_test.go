package seed

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"storefront/models"
	"storefront/search"
	"storefront/shop"
)

// benchQueries are the relevance set's queries plus a few broad ones.
func benchQueries() []string {
	qs := []string{"black", "gift", "organic cotton", "waterproof jacket for kids", "zorbulax"}
	for _, r := range demoRelevance {
		qs = append(qs, r.query)
	}
	return qs
}

// demoShop builds the demo catalog of n products as the shop holds it: the
// snapshot and a search index.
func demoShop(b *testing.B, n int) (*shop.Catalog, *search.Index) {
	b.Helper()
	c := buildCatalog(DefaultSeed, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), n)
	cats := slices.Clone(c.cats)
	for i := range cats {
		cats[i].ID = uint(i + 1)
		if p := c.catParent[i]; p >= 0 {
			parent := uint(p + 1)
			cats[i].ParentID = &parent
		}
	}
	products := slices.Clone(c.products)
	docs := make([]search.Doc, 0, len(products))
	for i := range products {
		p := &products[i]
		p.ID = uint(i + 1)
		leaf := &c.leaves[c.prodLeaf[i]]
		p.CategoryID = uint(leaf.cat + 1)
		p.Popularity = popularityByRank(leaf.items, int32(i))
		if p.Active {
			docs = append(docs, search.Doc{ID: p.ID, Title: p.Title, Brand: p.Brand, Description: p.Description, Popularity: p.Popularity,
				Category: c.cats[c.catParent[leaf.cat]].Name + " " + c.cats[leaf.cat].Name})
		}
	}
	ix, err := search.Open("")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { ix.Close() })
	if _, err := ix.Sync(docs); err != nil {
		b.Fatal(err)
	}
	ix.SetSynonyms(search.Defaults())
	return shop.BuildCatalog(cats, products), ix
}

// BenchmarkSearchPage is the work of one search results page: the search,
// then filtering, facets, sorting and paging from the snapshot. It reports
// the p50 and p99 of single requests.
//
//	go test -run '^$' -bench BenchmarkSearchPage -benchtime 2000x ./seed
func BenchmarkSearchPage(b *testing.B) {
	for _, n := range []int{5000, 50000} {
		b.Run(fmt.Sprintf("products=%d", n), func(b *testing.B) {
			cat, ix := demoShop(b, n)
			qs := benchQueries()
			ctx := context.Background()
			lat := make([]time.Duration, 0, b.N)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				start := time.Now()
				r, err := ix.Search(ctx, qs[i%len(qs)], true)
				if err != nil {
					b.Fatal(err)
				}
				sort := []string{shop.SortRelevance, shop.SortPriceAsc}[i%2]
				cat.List(shop.ListQuery{Searched: true, Candidates: r.IDs, Full: r.Full, Sort: sort, Page: 1, PerPage: 24})
				lat = append(lat, time.Since(start))
			}
			reportPercentiles(b, lat)
		})
	}
}

// BenchmarkCategoryPage lists a department page, sorted and filtered by
// price, from the snapshot.
//
//	go test -run '^$' -bench BenchmarkCategoryPage -benchtime 2000x ./seed
func BenchmarkCategoryPage(b *testing.B) {
	for _, n := range []int{5000, 50000} {
		b.Run(fmt.Sprintf("products=%d", n), func(b *testing.B) {
			cat, _ := demoShop(b, n)
			var nodes []*shop.CatNode
			for _, r := range cat.Roots {
				nodes = append(nodes, r)
				nodes = append(nodes, r.Children...)
			}
			lat := make([]time.Duration, 0, b.N)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				start := time.Now()
				q := shop.ListQuery{Under: nodes[i%len(nodes)], Sort: []string{models.SortPopular, models.SortPriceAsc, models.SortPriceDesc}[i%3], Page: 1 + i%3, PerPage: 24}
				if i%4 == 0 {
					q.MaxPrice = 10000
				}
				cat.List(q)
				lat = append(lat, time.Since(start))
			}
			reportPercentiles(b, lat)
		})
	}
}

func reportPercentiles(b *testing.B, lat []time.Duration) {
	slices.Sort(lat)
	at := func(p float64) float64 {
		return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds()) / 1000
	}
	b.ReportMetric(at(0.50), "p50-ms")
	b.ReportMetric(at(0.99), "p99-ms")
}
