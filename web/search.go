package web

import (
	"maps"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode"

	"github.com/labstack/echo/v4"

	"storefront/models"
	"storefront/search"
	"storefront/shop"
	"storefront/templates"
)

// search shows the products matching a query, with facets, sorting and
// paging from the catalog snapshot, and records the search.
func (s *Server) search(c echo.Context) error {
	q := strings.TrimSpace(c.QueryParam("q"))
	vm := templates.SearchPage{Base: s.base(c, "Search")}
	if len(q) > search.MaxQueryLength {
		vm.TooLong = true
		q = strings.ToValidUTF8(q[:search.MaxQueryLength], "")
	}
	vm.Q, vm.Base.Query = q, q
	cat := s.shop.Catalog()
	if q == "" {
		vm.Suggestions = departmentLinks(cat)
		return render(c, http.StatusOK, templates.Search(vm))
	}
	vm.Base.Title = "Search: " + q
	vals := c.QueryParams()
	if rest, low, high, ok := search.PriceWords(q); ok && vals.Get("min") == "" && vals.Get("max") == "" {
		// A budget typed in the query ("dress under 50") is the page's
		// price filter, shown as applied and removable like one chosen.
		v := maps.Clone(vals)
		v.Set("q", rest)
		v.Del("page")
		if low != "" {
			v.Set("min", low)
		}
		if high != "" {
			v.Set("max", high)
		}
		return c.Redirect(http.StatusFound, "/search?"+v.Encode())
	}
	if p := itemNumberMatch(cat, q, true); p != nil && len(vals) == 1 {
		// The item number the product page shows: its page, not "nothing matched".
		s.track(c, models.EventSearch, 0, "", 0, q)
		return c.Redirect(http.StatusFound, ProductURL(p))
	}
	f := parseListFilters(vals, searchSorts)
	// The results are the same for every viewer: served from their rendered
	// body while the catalog snapshot and the index generation they were
	// built from are current (both read before searching). Long queries
	// are not kept.
	ix := s.shop.Search()
	ver := s.pageVersion(c)
	cat = ver.Catalog
	key := ""
	if len(c.Request().URL.RawQuery) <= 256 && !vm.TooLong {
		key = "s" + strconv.FormatUint(ix.Generation(), 10) + "?" + vals.Encode()
		if bd, ok := s.bodies.get(key, ver); ok {
			if f.page == 1 {
				s.track(c, models.EventSearch, 0, "", 0, q)
			}
			return renderCached(c, http.StatusOK, vm.Base, bd)
		}
	}
	exact := vals.Get("exact") == "1"
	var under *shop.CatNode
	if slug := vals.Get("cat"); slug != "" {
		under, _ = cat.CategoryBySlug(slug)
	}
	// The filters are applied to the ranked matches: with one set, rank
	// more than the best MaxHits, or the ones it keeps may all be past them.
	limit := search.MaxHits
	if under != nil || len(f.brands) > 0 || f.minP > 0 || f.maxP > 0 {
		limit = search.MaxFilteredHits
	}
	res, err := ix.SearchUpTo(c.Request().Context(), q, !exact, limit)
	if err != nil {
		return err
	}
	lst := cat.List(shop.ListQuery{Under: under, Searched: true, Candidates: res.IDs, Full: res.Full, Brands: f.brands, MinPrice: f.minP, MaxPrice: f.maxP,
		Sort: f.sort, Page: f.page, PerPage: perPage})
	if lst.Total == 0 && len(res.IDs) == 0 && len(vals) <= 2 && (len(vals) == 1 || exact) {
		// Nothing matched a single word that is an item number without a
		// digit (a shop's codes such as YuvYDNC): its product's page.
		if p := itemNumberMatch(cat, q, false); p != nil {
			s.track(c, models.EventSearch, 0, "", 0, q)
			return c.Redirect(http.StatusFound, ProductURL(p))
		}
	}
	if f.page > 1 && f.page > lst.Pages {
		return c.Redirect(http.StatusFound, f.lastPageLink("/search", lst.Pages))
	}
	if f.page == 1 {
		s.track(c, models.EventSearch, 0, "", 0, q)
	}
	from := (lst.Page - 1) * perPage
	cards := listedCards(lst, "search", from)
	vm.Total, vm.Unknown = lst.Total, res.Unknown
	if res.Corrected != "" {
		vm.Corrected = res.Corrected
		vm.InsteadURL = "/search?q=" + url.QueryEscape(q) + "&exact=1"
	}
	vm.Facets, vm.Results = listView("/search", f, searchSorts, lst, cards)
	if lst.Full < lst.Total {
		vm.Results.PartialFrom = max(lst.Full-from, 0)
	}
	vm.Results.CountLabel = templates.Plural(lst.Total, "result", "results")
	applied := 0
	if under != nil {
		applied = 1
	}
	vm.Facets.Applied = f.applied(applied)
	vm.Facets.CategoryTitle = "Category"
	for _, cc := range lst.Categories {
		fl := templates.FacetLink{Label: cc.Node.Name, URL: f.link("/search", "cat", cc.Node.Slug), Count: cc.Count}
		if under != nil && cc.Node.ID == under.ID {
			fl.Active, fl.URL = true, f.link("/search", "cat", "")
		}
		vm.Facets.Categories = append(vm.Facets.Categories, fl)
		if len(vm.Facets.Categories) == 12 {
			break
		}
	}
	if lst.Total == 0 && len(res.IDs) == 0 {
		vm.Suggestions = departmentLinks(cat)
	}
	csrf := vm.CSRF
	vm.CSRF = csrfMark
	bd, err := renderBody(c.Request().Context(), templates.SearchBody(vm))
	if err != nil {
		return err
	}
	if key != "" {
		// The results come from the index (its generation is in the key)
		// and from what the catalog says of the matched products: their
		// cards, counts and order (sold-out last) follow whether each is in
		// stock, not how many are left. So another shopper's order that
		// leaves them in stock keeps the page, as it keeps a category's.
		shown := searchShown(cat, res.IDs)
		if vm.Suggestions != nil {
			shown.Everything() // the departments it suggests instead
		}
		s.bodies.put(key, ver, bd, shown)
	}
	vm.CSRF = csrf // the layout around the body (the header's logout form) needs the real token
	return renderCached(c, http.StatusOK, vm.Base, bd)
}

// searchShown records what a results page shows of the catalog: every
// matched product as a card (the page's facets and counts read them all).
func searchShown(cat *Catalog, ids []uint) *shop.Shown {
	shown := cat.Shows()
	for _, id := range ids {
		if p, ok := cat.Product(id); ok {
			shown.Card(p)
		}
	}
	return shown
}

// itemNumberMatch is the active product whose item number (the import's
// id, shown on its page as "Item number") the query is, as written or in
// upper or lower case. Only a query that looks like one: a single word,
// with a digit when withDigit (before the words are searched: a word
// without one is more often a word, and the search runs first), and not a
// bare number of up to four digits, which is more often a size or a year
// ("500", "2024") than an item number.
func itemNumberMatch(cat *Catalog, q string, withDigit bool) *models.Product {
	if strings.ContainsFunc(q, unicode.IsSpace) || (withDigit && !strings.ContainsFunc(q, unicode.IsDigit)) {
		return nil
	}
	if len(q) <= 4 && !strings.ContainsFunc(q, func(r rune) bool { return !unicode.IsDigit(r) }) {
		return nil
	}
	for _, v := range []string{q, strings.ToUpper(q), strings.ToLower(q)} {
		if p, ok := cat.ProductByExt(v); ok && p.Active {
			return p
		}
	}
	return nil
}

func departmentLinks(cat *Catalog) []templates.Link {
	roots := cat.Browsable()
	out := make([]templates.Link, 0, len(roots))
	for _, r := range roots {
		out = append(out, templates.Link{Label: r.Name, URL: "/c/" + r.Slug})
	}
	return out
}
