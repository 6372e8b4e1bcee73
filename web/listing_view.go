package web

import (
	"net/url"
	"strconv"
	"strings"

	"storefront/shop"
	"storefront/templates"
)

// listFilters are the filters a category page or search results take from
// the query string.
type listFilters struct {
	vals       url.Values
	sort       string
	page       int
	brands     []string
	minP, maxP int64
	priceError string
}

// maxBrandFilters bounds the work a crafted URL can cause.
const maxBrandFilters = 20

// listingKeys are the query parameters a listing's links carry on; the
// rest of an address (anything a crafted link adds) is not repeated into
// every filter, sort and page link of the page.
var listingKeys = []string{"q", "exact", "cat", "sort", "min", "max", "page"}

// maxListingValue bounds one carried parameter (a search query's own limit
// is search.MaxQueryLength, shorter).
const maxListingValue = 512

func parseListFilters(raw url.Values, sorts []sortOption) listFilters {
	vals := url.Values{}
	for _, k := range listingKeys {
		if v := raw.Get(k); v != "" {
			if len(v) > maxListingValue {
				v = strings.ToValidUTF8(v[:maxListingValue], "")
			}
			vals.Set(k, v)
		}
	}
	brands := raw["brand"]
	if len(brands) > maxBrandFilters {
		brands = brands[:maxBrandFilters]
	}
	for _, b := range brands {
		if len(b) <= maxListingValue {
			vals.Add("brand", b)
		}
	}
	f := listFilters{vals: vals, sort: sorts[0].key}
	for _, s := range sorts {
		if s.key == vals.Get("sort") {
			f.sort = s.key
		}
	}
	f.page, _ = strconv.Atoi(vals.Get("page"))
	f.page = max(f.page, 1)
	minP, ok1 := parsePrice(vals.Get("min"))
	maxP, ok2 := parsePrice(vals.Get("max"))
	switch {
	case !ok1 || !ok2:
		// Cents are taken (12.50): "whole numbers" was untrue.
		f.priceError = "Enter prices as numbers, such as 10 or 12.50."
	case maxP > 0 && minP > maxP:
		f.priceError = "The minimum is above the maximum: enter the lower price under Min."
	default:
		f.minP, f.maxP = minP, maxP
	}
	f.brands = vals["brand"]
	return f
}

// applied counts the filters in use (not sorting or paging).
func (f listFilters) applied(extra int) int {
	n := len(f.brands) + extra
	if f.minP > 0 || f.maxP > 0 {
		n++
	}
	return n
}

// link is base with the current query string changed: each pair sets a key
// ("" deletes it). Any change but the page's goes back to page 1.
func (f listFilters) link(base string, pairs ...string) string {
	v := make(url.Values, len(f.vals))
	for k, vs := range f.vals {
		v[k] = vs
	}
	v.Del("page")
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] == "" {
			v.Del(pairs[i])
		} else {
			v.Set(pairs[i], pairs[i+1])
		}
	}
	if enc := v.Encode(); enc != "" {
		return base + "?" + enc
	}
	return base
}

type sortOption struct{ key, label string }

var categorySorts = []sortOption{
	{shop.SortPopular, "Popular"},
	{shop.SortPriceAsc, "Price: low to high"},
	{shop.SortPriceDesc, "Price: high to low"},
	{shop.SortNewest, "Newest"},
}

var searchSorts = append([]sortOption{{shop.SortRelevance, "Best match"}}, categorySorts...)

// listView builds the filter panel and result list for a listing at base.
func listView(base string, f listFilters, sorts []sortOption, lst shop.Listing, cards []templates.Card) (templates.Facets, templates.Results) {
	facets := templates.Facets{Action: base, MinPrice: f.vals.Get("min"), MaxPrice: f.vals.Get("max"), PriceError: f.priceError,
		ClearURL: f.link(base, "brand", "", "min", "", "max", "", "cat", "")}
	for _, key := range []string{"q", "exact", "cat"} {
		if v := f.vals.Get(key); v != "" {
			facets.Hidden = append(facets.Hidden, templates.Field{Name: key, Value: v})
		}
	}
	if f.sort != sorts[0].key {
		facets.Hidden = append(facets.Hidden, templates.Field{Name: "sort", Value: f.sort})
	}
	var unbranded []templates.Facet
	for _, b := range lst.Brands {
		fc := templates.Facet{Label: b.Name, Value: b.Name, Count: b.Count, Checked: b.Selected}
		if b.Name == "" {
			// An imported catalog may leave the brand out: its products are
			// a choice of their own, named and listed last.
			fc.Label = "No brand"
			unbranded = append(unbranded, fc)
			continue
		}
		facets.Brands = append(facets.Brands, fc)
	}
	facets.Brands = append(facets.Brands, unbranded...)
	for _, pr := range lst.Prices {
		url := f.link(base, "min", wholePrice(pr.Min), "max", wholePrice(pr.Max))
		if pr.Selected {
			url = f.link(base, "min", "", "max", "")
		}
		// The range's upper end is shown as the next range's start: "$25 – $50".
		shownMax := pr.Max
		if shownMax > 0 {
			shownMax++
		}
		facets.Prices = append(facets.Prices, templates.PriceFacet{Min: pr.Min, Max: shownMax, URL: url, Count: pr.Count, Active: pr.Selected})
	}
	res := templates.Results{Cards: cards, PartialFrom: -1, ClearURL: facets.ClearURL,
		CountLabel: templates.Plural(lst.Total, "product", "products"), EmptyText: "No products match these filters."}
	for _, s := range sorts {
		res.Sorts = append(res.Sorts, templates.Link{Label: s.label, URL: f.link(base, "sort", s.key), Active: s.key == f.sort})
	}
	res.Pages, res.Prev, res.Next = pagination(lst.Total, lst.Page, perPage, func(p int) string {
		if p == 1 {
			return f.link(base)
		}
		return f.link(base, "page", strconv.Itoa(p))
	})
	return facets, res
}

// wholePrice writes cents as a whole-currency query value; "" for none. A
// range's inclusive upper end (24.99) is written exactly.
func wholePrice(cents int64) string {
	if cents == 0 {
		return ""
	}
	if cents%100 == 0 {
		return strconv.FormatInt(cents/100, 10)
	}
	return strconv.FormatFloat(float64(cents)/100, 'f', 2, 64)
}

// lastPageLink is where a request for a page past the end goes: the last page.
func (f listFilters) lastPageLink(base string, pages int) string {
	if pages <= 1 {
		return f.link(base)
	}
	return f.link(base, "page", strconv.Itoa(pages))
}
