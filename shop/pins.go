package shop

import (
	"fmt"
	"slices"
	"strings"

	"storefront/models"
	"storefront/recommender"
)

// A slot's filters (category, brands, price range) hold for its pins too: a
// merchandiser who narrows a row to kitchen knives under 50 expects no tent
// at its head. The slot form refuses a pin outside them, and serving drops
// a pin the catalog has since moved out of them (a new price, another
// category), which the health check reports.

// filtersApplyToPins reports which of a slot's filters its pins must meet:
// the filters its rows apply. A collection shows its pins and nothing
// else, recently viewed rows show no pins, a banner no products; "because
// you viewed" rows keep to brands and prices but not to a category.
func filtersApplyToPins(sl *models.Slot) (category, brandsAndPrice bool) {
	switch sl.Type {
	case models.SlotCollection, models.SlotRecentlyViewed, models.SlotBanner:
		return false, false
	case models.SlotBecauseViewed:
		return false, true
	}
	return true, true
}

// rowFilter is a row's or slot's filters resolved against the catalog.
type rowFilter struct {
	category           *CatNode      // the filter's category, for reasons; nil: none
	under              map[uint]bool // categories a product may be in; nil: any
	brands             []string      // empty: any brand
	minPrice, maxPrice int64         // 0: no bound
}

// filterMiss is how a product falls outside a rowFilter; its zero value
// means the product meets every filter.
type filterMiss struct {
	category     bool     // not under the filter's category
	brands       []string // not one of these brands (the filter's)
	below, above int64    // costs below this minimum or above this maximum
}

func (m filterMiss) any() bool {
	return m.category || len(m.brands) > 0 || m.below > 0 || m.above > 0
}

// outside is the one check of a row's filters, for pins and rows alike:
// the reasons product p, as the catalog has it now, falls outside f.
func (f rowFilter) outside(p *models.Product) filterMiss {
	var m filterMiss
	if f.under != nil && !f.under[p.CategoryID] {
		m.category = true
	}
	if len(f.brands) > 0 && !recommender.BrandIn(f.brands, p.Brand) {
		m.brands = f.brands
	}
	switch {
	case f.minPrice > 0 && p.PriceCents < f.minPrice:
		m.below = f.minPrice
	case f.maxPrice > 0 && p.PriceCents > f.maxPrice:
		m.above = f.maxPrice
	}
	return m
}

// under is the set of categories at or below n.
func under(nodes ...*CatNode) map[uint]bool {
	in := map[uint]bool{}
	for _, n := range nodes {
		for _, id := range n.Descendants {
			in[id] = true
		}
	}
	return in
}

// slotFilter is the filters slot sl's pins must meet (filtersApplyToPins).
func (c *Catalog) slotFilter(sl *models.Slot) rowFilter {
	byCategory, byBrandAndPrice := filtersApplyToPins(sl)
	var f rowFilter
	if byCategory && sl.Category != "" {
		if want, ok := c.CategoryBySlug(sl.Category); ok {
			f.category, f.under = want, under(want)
		}
	}
	if byBrandAndPrice {
		f.brands, f.minPrice, f.maxPrice = SplitList(sl.Brands), sl.MinPrice, sl.MaxPrice
	}
	return f
}

// PinOutsideFilters says how product p falls outside slot sl's filters
// ("is in Tents, outside the slot's category Kitchen"), or "" when it
// meets them. Prices are written by money, the shop's currency format
// ("12,50 €"); nil writes them as in an import (19.99).
func (c *Catalog) PinOutsideFilters(sl *models.Slot, p *models.Product, money func(int64) string) string {
	if money == nil {
		money = plainCents
	}
	f := c.slotFilter(sl)
	m := f.outside(p)
	var why []string
	if m.category {
		in := "no category"
		if n := c.CategoryOf(p); n != nil {
			in = n.Name
		}
		why = append(why, fmt.Sprintf("is in %s, outside the slot's category %s", in, f.category.Name))
	}
	if len(m.brands) > 0 {
		by := "has no brand"
		if strings.TrimSpace(p.Brand) != "" {
			by = "is by " + p.Brand
		}
		why = append(why, fmt.Sprintf("%s, not one of the slot's brands (%s)", by, strings.Join(m.brands, ", ")))
	}
	if m.below > 0 {
		why = append(why, fmt.Sprintf("costs %s, below the slot's minimum price %s", money(p.PriceCents), money(m.below)))
	}
	if m.above > 0 {
		why = append(why, fmt.Sprintf("costs %s, above the slot's maximum price %s", money(p.PriceCents), money(m.above)))
	}
	return strings.Join(why, " and ")
}

// PinsWithinFilters are the slot's pins less those the catalog knows and
// the slot's filters leave out; pins the catalog does not know stay (the
// rows skip them, the health check names them).
func (c *Catalog) PinsWithinFilters(sl *models.Slot) []string {
	pins := SplitList(sl.Pins)
	return slices.DeleteFunc(pins, func(sku string) bool {
		p, ok := c.ProductByExt(sku)
		return ok && c.PinOutsideFilters(sl, p, nil) != ""
	})
}

// plainCents writes cents as an import does: 1999 → "19.99".
func plainCents(c int64) string {
	return fmt.Sprintf("%d.%02d", c/100, c%100)
}

// RowFits is the live check of a row's filters (recommender.ComposeOptions.Fits):
// whether a product, as the catalog has it now, lies under the category
// (by name), is of one of the brands and costs within the range. The model
// knows the catalog as it was at training; a product a merchandiser has
// since repriced or moved leaves the rows it no longer fits at once.
func (c *Catalog) RowFits(f recommender.RowFilters) func(item string) bool {
	rf := rowFilter{brands: f.Brands, minPrice: f.MinPrice, maxPrice: f.MaxPrice}
	if f.Category != "" {
		// The category the recommender knows by that name (RecName); a
		// model trained before two categories shared a name names them
		// alike: every category of that name. None known: nothing fits.
		var named []*CatNode
		for _, n := range c.byCatID {
			if strings.EqualFold(c.RecName(n), f.Category) {
				named = append(named, n)
			}
		}
		if len(named) == 0 {
			for _, n := range c.byCatID {
				if strings.EqualFold(n.Name, f.Category) {
					named = append(named, n)
				}
			}
		}
		rf.under = under(named...)
	}
	return func(item string) bool {
		p, ok := c.ProductByExt(item)
		return ok && !rf.outside(p).any()
	}
}
