package shop

import (
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"storefront/models"
)

// benchCatalog is a catalog of n products in 5 departments of 10 leaves,
// 40 brands; every product of its own (groups is 0) or, with groups > 0,
// in groups of that many sizes.
func benchCatalog(n, groups int) *Catalog {
	var cats []models.Category
	for d := range 5 {
		cats = append(cats, models.Category{ID: uint(d + 1), Name: "Dept " + strconv.Itoa(d), Slug: "d" + strconv.Itoa(d)})
	}
	for l := range 50 {
		parent := uint(l/10 + 1)
		cats = append(cats, models.Category{ID: uint(6 + l), Name: "Leaf " + strconv.Itoa(l), Slug: "l" + strconv.Itoa(l), ParentID: &parent})
	}
	r := rand.New(rand.NewPCG(1, 2))
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ps := make([]models.Product, n)
	for i := range ps {
		model := i
		if groups > 0 {
			model = i / groups
		}
		rm := rand.New(rand.NewPCG(uint64(model), 7))
		ps[i] = models.Product{ID: uint(i + 1), ExternalID: "p" + strconv.Itoa(i), Title: "Product " + strconv.Itoa(model) + " – " + strconv.Itoa(i),
			CategoryID: uint(6 + rm.IntN(50)), Brand: "Brand " + strconv.Itoa(rm.IntN(40)), PriceCents: int64(500 + rm.IntN(20000) + r.IntN(200)),
			Popularity: r.Float64(), Active: true, Stock: r.IntN(4), CreatedAt: now.Add(time.Duration(r.IntN(10000)) * time.Minute)}
		if groups > 0 {
			ps[i].GroupID = "g" + strconv.Itoa(model)
		}
	}
	return BuildCatalog(cats, ps)
}

// BenchmarkList lists department and leaf pages (three sorts, pages 1-3,
// a price filter on a quarter) and search results (1,000 candidates) of a
// 50,000-product catalog, without groups and with groups of five sizes.
//
//	go test -run '^$' -bench BenchmarkList ./shop
func BenchmarkList(b *testing.B) {
	for _, g := range []int{0, 5} {
		c := benchCatalog(50000, g)
		c.list()
		var nodes []*CatNode
		for _, r := range c.Roots {
			nodes = append(nodes, r)
			nodes = append(nodes, r.Children...)
		}
		cands := make([]uint, 1000)
		for i := range cands {
			cands[i] = uint(i*37%50000 + 1)
		}
		b.Run("category/groups="+strconv.Itoa(g), func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				q := ListQuery{Under: nodes[i%len(nodes)], Sort: []string{SortPopular, SortPriceAsc, SortPriceDesc}[i%3], Page: 1 + i%3, PerPage: 24}
				if i%4 == 0 {
					q.MaxPrice = 10000
				}
				c.List(q)
			}
		})
		b.Run("search/groups="+strconv.Itoa(g), func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				c.List(ListQuery{Searched: true, Candidates: cands, Full: 300, Sort: []string{SortRelevance, SortPriceAsc}[i%2], PerPage: 24})
			}
		})
	}
}
