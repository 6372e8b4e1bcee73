package e2e

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"testing"
	"time"

	"storefront/models"
	storeshop "storefront/shop"
)

// TestAnItemIdWithACommaCanBePinned: ids are the merchant's own strings, so
// an imported "CH,1" is one product. The picker pins it, the slot form
// saves it back (a comma inside an id doubled: "CH,,1") and, published, the
// shopper's trending row starts with it although it was created after the
// model was trained.
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

	b.step(t, "published, the row starts with the product added since training", func(t *testing.T, b *tab) {
		if _, known := s.srv.Shop().Model().Item("CH,1"); known {
			t.Fatal("the model knows CH,1: the test needs a product created after training")
		}
		b.publishDraft()
		shopper := b.incognito()
		eventually(t, 8*time.Second, func() string {
			shopper.open("/", `section[data-slot-id]`)
			cards := shopper.attrs(`section[data-slot-id="`+trending+`"] [data-product-id]`, "data-product-id")
			if len(cards) == 0 || cards[0] != fmt.Sprint(comma.ID) {
				return fmt.Sprintf("the trending row's cards are %v, want the pinned %d first", cards, comma.ID)
			}
			return ""
		})
	})
}
