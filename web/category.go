package web

import (
	"fmt"
	"math"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"storefront/shop"
	"storefront/templates"
)

const perPage = 24

// parsePrice reads a price bound in currency units ("25", "24.99") into
// cents.
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

// category lists a category and everything below it, filtered, counted,
// sorted and paged from the catalog snapshot: no query.
func (s *Server) category(c echo.Context) error {
	ver := s.pageVersion(c)
	cat := ver.Catalog
	node, ok := cat.CategoryBySlug(c.Param("slug"))
	if !ok || !cat.Listed(node) {
		// A category with nothing for sale in it is not offered (nor in
		// the header): its page would be empty.
		return echo.ErrNotFound
	}
	// The listing is the same for every viewer: served from its rendered
	// body while the catalog snapshot it was built from is current. Long
	// queries are not kept (nobody links to them).
	vals := c.QueryParams()
	key := ""
	if len(c.Request().URL.RawQuery) <= 256 {
		key = "c" + node.Slug + "?" + vals.Encode()
		if bd, ok := s.bodies.get(key, ver); ok {
			b := s.base(c, node.Name)
			return renderCached(c, http.StatusOK, b, bd)
		}
	}
	f := parseListFilters(vals, categorySorts)
	lst := cat.List(shop.ListQuery{Under: node, Brands: f.brands, MinPrice: f.minP, MaxPrice: f.maxP, Sort: f.sort, Page: f.page, PerPage: perPage})
	base := "/c/" + node.Slug
	if f.page > 1 && f.page > lst.Pages {
		return c.Redirect(http.StatusFound, f.lastPageLink(base, lst.Pages))
	}
	cards := listedCards(lst, "", 0)
	vm := templates.CategoryPage{Base: s.base(c, node.Name), Name: node.Name, Slug: node.Slug}
	vm.Facets, vm.Results = listView(base, f, categorySorts, lst, cards)
	vm.Facets.Applied = f.applied(0)
	if len(node.Children) > 0 {
		for _, cc := range lst.Categories {
			vm.Children = append(vm.Children, templates.FacetLink{Label: cc.Node.Name, URL: f.link("/c/" + cc.Node.Slug), Count: cc.Count})
		}
	}
	for _, a := range node.Path() {
		vm.Crumbs = append(vm.Crumbs, templates.Link{Label: a.Name, URL: "/c/" + a.Slug})
	}
	bd, err := renderBody(c.Request().Context(), templates.CategoryBody(vm))
	if err != nil {
		return err
	}
	if key != "" {
		// The listing of the category and below (counts, facets, pages)
		// and the cards' products with their groups: cards, which say
		// whether a product is in stock, not how many are left.
		shown := cat.Shows().Listing(node.ID)
		for _, p := range lst.Products {
			shown.Card(p)
		}
		s.bodies.put(key, ver, bd, shown)
	}
	return renderCached(c, http.StatusOK, vm.Base, bd)
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
