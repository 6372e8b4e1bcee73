package shop

import (
	"testing"

	"storefront/models"
	"storefront/recommender"
)

// A slot's pins and its rows keep to one check of its filters: a product
// the slot form refuses as a pin (with its reasons) is one the row leaves
// out, and one it accepts is one the row may show.
func TestPinsAndRowsShareOneFilterCheck(t *testing.T) {
	c := listingCatalog()
	for _, tc := range []struct {
		name string
		slot models.Slot
		sku  uint
		why  string
	}{
		{"meets all", models.Slot{Category: "outdoor", Brands: "summit, North", MinPrice: 2000, MaxPrice: 20000}, 1, ""},
		{"category", models.Slot{Category: "kitchen"}, 4, "is in Lamps, outside the slot's category Kitchen"},
		{"brand", models.Slot{Brands: "Hearth"}, 3, "is by North, not one of the slot's brands (Hearth)"},
		{"below", models.Slot{MinPrice: 5000}, 2, "costs 49.00, below the slot's minimum price 50.00"},
		{"above", models.Slot{MaxPrice: 5000}, 3, "costs 129.00, above the slot's maximum price 50.00"},
		{"all three", models.Slot{Category: "tents", Brands: "Summit", MaxPrice: 1000}, 6,
			"is in Kitchen, outside the slot's category Tents and is by Hearth, not one of the slot's brands (Summit) and costs 39.00, above the slot's maximum price 10.00"},
		{"unknown slug filters nothing", models.Slot{Category: "nowhere"}, 6, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.slot.Type = models.SlotCategory
			p, _ := c.Product(tc.sku)
			if got := c.PinOutsideFilters(&tc.slot, p, nil); got != tc.why {
				t.Fatalf("PinOutsideFilters = %q, want %q", got, tc.why)
			}
			f := recommender.RowFilters{Brands: SplitList(tc.slot.Brands), MinPrice: tc.slot.MinPrice, MaxPrice: tc.slot.MaxPrice}
			if n, ok := c.CategoryBySlug(tc.slot.Category); ok {
				f.Category = n.Name
			}
			if fits := c.RowFits(f)(p.ExternalID); fits != (tc.why == "") {
				t.Fatalf("RowFits = %v, but the pin check says %q", fits, tc.why)
			}
		})
	}
	// A "because you viewed" row keeps to brands and prices, not a category.
	bv := models.Slot{Type: models.SlotBecauseViewed, Category: "kitchen", MaxPrice: 1000}
	p, _ := c.Product(4)
	if got, want := c.PinOutsideFilters(&bv, p, nil), "costs 24.00, above the slot's maximum price 10.00"; got != want {
		t.Fatalf("because-viewed pin: %q, want %q", got, want)
	}
	// A row filtered by a category the catalog does not know shows nothing.
	if c.RowFits(recommender.RowFilters{Category: "Nowhere"})(p.ExternalID) {
		t.Fatal("a row under an unknown category took a product")
	}
}
