package web

import (
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"

	"storefront/models"
	"storefront/templates"
)

const perPage = 24

var sortLabels = []struct{ key, label string }{
	{models.SortPopular, "Popular"},
	{models.SortPriceAsc, "Price: low to high"},
	{models.SortPriceDesc, "Price: high to low"},
	{models.SortNewest, "Newest"},
}

// parsePrice reads a whole-currency price bound ("25") into cents.
func parsePrice(raw string) (int64, bool) {
	if raw == "" {
		return 0, true
	}
	v, err := strconv.ParseFloat(raw, 64)
	// !(v >= 0) also refuses NaN, which every comparison lets through.
	if err != nil || !(v >= 0) || v > 1e7 {
		return 0, false
	}
	return int64(math.Round(v * 100)), true
}

// category lists a category and everything below it, with filters.
func (s *Server) category(c echo.Context) error {
	ver := s.pageVersion(c)
	cat := ver.Catalog
	node, ok := cat.CategoryBySlug(c.Param("slug"))
	if !ok {
		return echo.ErrNotFound
	}
	q := c.QueryParams()
	// The listing is the same for every viewer: served from its rendered
	// body while the catalog snapshot it was built from is current. Long
	// queries are not kept (nobody links to them).
	key := ""
	if len(c.Request().URL.RawQuery) <= 256 {
		key = "c" + node.Slug + "?" + q.Encode()
		if bd, ok := s.bodies.get(key, ver); ok {
			b := s.base(c, node.Name)
			return render(c, http.StatusOK, templates.Page(b, bd.with(b.CSRF)))
		}
	}
	sortKey := q.Get("sort")
	valid := false
	for _, s := range sortLabels {
		valid = valid || s.key == sortKey
	}
	if !valid {
		sortKey = models.SortPopular
	}
	page, _ := strconv.Atoi(q.Get("page"))
	if page < 1 {
		page = 1
	}
	vm := templates.CategoryPage{Base: s.base(c, node.Name), Name: node.Name, Slug: node.Slug, Sort: sortKey,
		MinPrice: q.Get("min"), MaxPrice: q.Get("max")}
	minP, ok1 := parsePrice(vm.MinPrice)
	maxP, ok2 := parsePrice(vm.MaxPrice)
	if !ok1 || !ok2 || (maxP > 0 && minP > maxP) {
		vm.PriceError = "Enter prices as whole numbers, with the minimum below the maximum."
		minP, maxP = 0, 0
	}
	brands := q["brand"]
	if len(brands) > 20 {
		brands = brands[:20]
	}
	ctx := c.Request().Context()
	products, total, err := s.db.ListProducts(ctx, models.ProductQuery{CategoryIDs: node.Descendants, Brands: brands,
		MinPrice: minP, MaxPrice: maxP, Sort: sortKey, Page: page, PerPage: perPage, ActiveOnly: true})
	if err != nil {
		return err
	}
	brandCounts, err := s.db.BrandsIn(ctx, node.Descendants)
	if err != nil {
		return err
	}
	chosen := map[string]bool{}
	for _, b := range brands {
		chosen[b] = true
	}
	for _, b := range brandCounts {
		vm.Brands = append(vm.Brands, templates.Facet{Label: b.Brand, Value: b.Brand, Count: b.N, Checked: chosen[b.Brand]})
	}
	for _, a := range node.Path() {
		vm.Crumbs = append(vm.Crumbs, templates.Link{Label: a.Name, URL: "/c/" + a.Slug})
	}
	for _, ch := range node.Children {
		vm.Children = append(vm.Children, templates.Link{Label: ch.Name, URL: "/c/" + ch.Slug})
	}
	for i := range products {
		vm.Cards = append(vm.Cards, card(&products[i], "", "", 0))
	}
	vm.Total = total
	base := "/c/" + node.Slug
	withQ := func(key, val string) string {
		v := url.Values{}
		for k, vs := range q {
			v[k] = vs
		}
		v.Set(key, val)
		if key != "page" {
			v.Del("page")
		}
		return base + "?" + v.Encode()
	}
	for _, so := range sortLabels {
		vm.Sorts = append(vm.Sorts, templates.Link{Label: so.label, URL: withQ("sort", so.key), Active: so.key == sortKey})
	}
	vm.Pages, vm.Prev, vm.Next = pagination(int(total), page, perPage, func(p int) string { return withQ("page", strconv.Itoa(p)) })
	bd, err := renderBody(ctx, templates.CategoryBody(vm))
	if err != nil {
		return err
	}
	if key != "" {
		s.bodies.put(key, ver, bd)
	}
	return render(c, http.StatusOK, templates.Page(vm.Base, bd.with(vm.CSRF)))
}

// pagination builds page links around the current page.
func pagination(total, page, per int, urlFor func(int) string) (links []templates.Link, prev, next string) {
	pages := (total + per - 1) / per
	if pages <= 1 {
		return nil, "", ""
	}
	if page > 1 {
		prev = urlFor(page - 1)
	}
	if page < pages {
		next = urlFor(page + 1)
	}
	last := 0
	for p := 1; p <= pages; p++ {
		if p != 1 && p != pages && (p < page-2 || p > page+2) {
			continue
		}
		if last != 0 && p > last+1 {
			links = append(links, templates.Link{Label: "…"})
		}
		links = append(links, templates.Link{Label: fmt.Sprint(p), URL: urlFor(p), Active: p == page})
		last = p
	}
	return links, prev, next
}
