package e2e

import (
	"context"
	"net/url"
	"strconv"
	"testing"

	"storefront/models"
	storeshop "storefront/shop"
)

// TestAnItemIdWithACommaCanBePinned: ids are the merchant's own strings, so
// an imported "CH,1" is one product. The picker pins it, the slot form
// saves it back (a comma inside an id doubled: "CH,,1") and the row is given it to pin.
func TestAnItemIdWithACommaCanBePinned(t *testing.T) {
	t.Parallel()
	s := startWorld(t)
	ctx := context.Background()
	var like models.Product
	must(t, s.db.R.Where("active AND stock > 0 AND compare_at_cents = 0").Order("id").First(&like).Error)
	comma := models.Product{ExternalID: "CH,1", Slug: "comma-chair", Title: "Comma Chair", Brand: like.Brand, CategoryID: like.CategoryID,
		PriceCents: like.PriceCents, Stock: 5, Active: true}
	must(t, s.db.W.Create(&comma).Error)
	must(t, s.srv.Shop().RefreshCatalog(ctx, true))
	trending := s.draftSlotIDs()[models.SlotTrending]
	slotID, err := strconv.ParseUint(trending, 10, 32)
	must(t, err)
	pins := func() []string {
		sl, err := s.db.SlotByID(ctx, uint(slotID))
		must(t, err)
		return storeshop.SplitList(sl.Pins)
	}
	b := newBrowser(t, s)

	b.step(t, "the picker pins the id as one product", func(t *testing.T, b *tab) {
		b.adminLogIn()
		hit := `[data-testid="picker-hit"][data-sku="CH,1"]`
		b.open("/admin/products/search?q="+url.QueryEscape("CH,1")+"&slot="+trending, hit)
		b.follow(hit+` [data-testid="add-to-pins"]`, `[data-testid="slot-form"]`)
		if got := pins(); len(got) != 1 || got[0] != "CH,1" {
			t.Fatalf("the slot's pins read %q, want the one id CH,1", got)
		}
		if got := b.value(`#f-pins`); got != "CH,,1" {
			t.Fatalf("the slot form shows pins %q, want CH,,1", got)
		}
	})

	b.step(t, "the slot form saves it back and the row pins it", func(t *testing.T, b *tab) {
		b.follow(`[data-testid="save-slot"]`, `[data-testid="layout-list"]`)
		if got := pins(); len(got) != 1 || got[0] != "CH,1" {
			t.Fatalf("after saving the form, the pins read %q", got)
		}
		sl, err := s.db.SlotByID(ctx, uint(slotID))
		must(t, err)
		// What composing the row is given to pin.
		if got := s.srv.Shop().Catalog().PinsWithinFilters(sl); len(got) != 1 || got[0] != "CH,1" {
			t.Fatalf("the row pins %q, want CH,1", got)
		}
	})
}
