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

// PinOutsideFilters says how product p falls outside slot sl's filters
// ("is in Tents, outside the slot's category Kitchen"), or "" when it
// meets them. Prices are written as in the slot form (19.99).
func (c *Catalog) PinOutsideFilters(sl *models.Slot, p *models.Product) string {
	byCategory, byBrandAndPrice := filtersApplyToPins(sl)
	var why []string
	if byCategory && sl.Category != "" {
		if want, ok := c.CategoryBySlug(sl.Category); ok && !slices.Contains(want.Descendants, p.CategoryID) {
			in := "no category"
			if n := c.CategoryOf(p); n != nil {
				in = n.Name
			}
			why = append(why, fmt.Sprintf("is in %s, outside the slot's category %s", in, want.Name))
		}
	}
	if !byBrandAndPrice {
		return strings.Join(why, " and ")
	}
	if brands := SplitList(sl.Brands); len(brands) > 0 && !slices.ContainsFunc(brands, func(b string) bool { return strings.EqualFold(b, strings.TrimSpace(p.Brand)) }) {
		by := "has no brand"
		if strings.TrimSpace(p.Brand) != "" {
			by = "is by " + p.Brand
		}
		why = append(why, fmt.Sprintf("%s, not one of the slot's brands (%s)", by, strings.Join(brands, ", ")))
	}
	switch {
	case sl.MinPrice > 0 && p.PriceCents < sl.MinPrice:
		why = append(why, fmt.Sprintf("costs %s, below the slot's minimum price %s", plainCents(p.PriceCents), plainCents(sl.MinPrice)))
	case sl.MaxPrice > 0 && p.PriceCents > sl.MaxPrice:
		why = append(why, fmt.Sprintf("costs %s, above the slot's maximum price %s", plainCents(p.PriceCents), plainCents(sl.MaxPrice)))
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
		return ok && c.PinOutsideFilters(sl, p) != ""
	})
}

// plainCents writes cents as the slot form does: 1999 → "19.99".
func plainCents(c int64) string {
	return fmt.Sprintf("%d.%02d", c/100, c%100)
}

// RowFits is the live check of a row's filters (recommender.ComposeOptions.Fits):
// whether a product, as the catalog has it now, lies under the category
// (by name), is of one of the brands and costs within the range. The model
// knows the catalog as it was at training; a product a merchandiser has
// since repriced or moved leaves the rows it no longer fits at once.
func (c *Catalog) RowFits(f recommender.RowFilters) func(item string) bool {
	var under map[uint]bool
	if f.Category != "" {
		under = map[uint]bool{}
		for _, n := range c.byCatID {
			if strings.EqualFold(n.Name, f.Category) {
				for _, id := range n.Descendants {
					under[id] = true
				}
			}
		}
	}
	return func(item string) bool {
		p, ok := c.ProductByExt(item)
		if !ok {
			return false
		}
		if under != nil && !under[p.CategoryID] {
			return false
		}
		if len(f.Brands) > 0 && !slices.ContainsFunc(f.Brands, func(b string) bool { return strings.EqualFold(strings.TrimSpace(b), strings.TrimSpace(p.Brand)) }) {
			return false
		}
		return (f.MinPrice <= 0 || p.PriceCents >= f.MinPrice) && (f.MaxPrice <= 0 || p.PriceCents <= f.MaxPrice)
	}
}
