package e2e

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"storefront/models"
)

// TestARowsPriceRangeFollowsTheCatalog: a merchandiser narrows a row to a
// price range; when the catalog form raises the price of one of its
// products above the range, shoppers no longer see it in the row, and when
// it lowers the price of one the range left out into it, they see that one
// there, without waiting for the next training.
func TestARowsPriceRangeFollowsTheCatalog(t *testing.T) {
	t.Parallel()
	s := startWorld(t)
	trending := s.draftSlotIDs()[models.SlotTrending]
	sel := `section[data-slot-id="` + trending + `"] [data-product-id]`
	b := newBrowser(t, s)
	var cards, wide []string
	trained := map[string]int64{} // the prices of wide's products as the model knows them
	var maxCents int64

	b.step(t, "the row is narrowed to a price range", func(t *testing.T, b *tab) {
		shopper := b.incognito()
		shopper.open("/", `section[data-slot-id]`)
		wide = shopper.attrs(sel, "data-product-id") // the row before it is narrowed
		for _, id := range wide {
			var p models.Product
			must(t, s.db.R.First(&p, id).Error)
			trained[id] = p.PriceCents
		}
		var n int64
		must(t, s.db.R.Model(&models.Product{}).Where("active AND stock > 0").Count(&n).Error)
		var median models.Product
		must(t, s.db.R.Where("active AND stock > 0").Order("price_cents, id").Offset(int(n/2)).First(&median).Error)
		maxCents = median.PriceCents
		b.adminLogIn()
		b.open("/admin/layout/slots/"+trending+"/edit", `[data-testid="slot-form"]`)
		b.fill(`input[name="max_price"]`, fmt.Sprintf("%d.%02d", maxCents/100, maxCents%100))
		b.follow(`[data-testid="save-slot"]`, `[data-testid="layout-list"]`)
		b.publishDraft()
		shopper = b.incognito()
		eventually(t, 8*time.Second, func() string {
			shopper.open("/", `section[data-slot-id]`)
			if cards = shopper.attrs(sel, "data-product-id"); len(cards) == 0 {
				return "the narrowed row shows no cards"
			}
			return ""
		})
	})

	b.step(t, "a product repriced above the range leaves the row", func(t *testing.T, b *tab) {
		id, err := strconv.ParseUint(cards[0], 10, 32)
		must(t, err)
		var p models.Product
		must(t, s.db.R.First(&p, id).Error)
		row := `[data-testid="catalog-row"][data-product-id="` + cards[0] + `"]`
		high := maxCents * 2
		b.open("/admin/catalog?q="+p.ExternalID, row)
		b.fill(row+` input[name="price"]`, fmt.Sprintf("%d.%02d", high/100, high%100))
		b.follow(row+` [data-testid="save-product"]`, `[data-testid="confirm-price"]`)
		b.follow(`[data-testid="confirm-price-save"]`, `[data-testid="flash"]`)
		if got := s.product(p.ExternalID).PriceCents; got != high {
			t.Fatalf("the price is %d cents, want %d", got, high)
		}
		// A new visitor each time: a visitor's second homepage moves
		// the cards they passed over on the first down the row.
		eventually(t, 8*time.Second, func() string {
			shopper := b.incognito()
			shopper.open("/", `section[data-slot-id]`)
			now := shopper.attrs(sel, "data-product-id")
			if slices.Contains(now, cards[0]) {
				return fmt.Sprintf("product %s, now at %d cents, is still in the row under %d: %v", cards[0], high, maxCents, now)
			}
			return ""
		})
	})

	b.step(t, "a product repriced into the range joins the row", func(t *testing.T, b *tab) {
		// The best of the row before it was narrowed that the range left
		// out (at the price it had then, which the model was trained on).
		var p *models.Product
		for _, id := range wide {
			n, err := strconv.ParseUint(id, 10, 32)
			must(t, err)
			var q models.Product
			must(t, s.db.R.First(&q, n).Error)
			if trained[id] > maxCents {
				p = &q
				break
			}
		}
		if p == nil {
			t.Fatalf("every product of the row before the range (%v) is within it", wide)
		}
		id := strconv.FormatUint(uint64(p.ID), 10)
		row := `[data-testid="catalog-row"][data-product-id="` + id + `"]`
		low := maxCents - 1
		b.open("/admin/catalog?q="+p.ExternalID, row)
		b.fill(row+` input[name="price"]`, fmt.Sprintf("%d.%02d", low/100, low%100))
		b.follow(row+` [data-testid="save-product"]`, `[data-testid="flash"], [data-testid="confirm-price"]`)
		if b.count(`[data-testid="confirm-price"]`) > 0 {
			b.follow(`[data-testid="confirm-price-save"]`, `[data-testid="flash"]`)
		}
		if got := s.product(p.ExternalID).PriceCents; got != low {
			t.Fatalf("the price is %d cents, want %d", got, low)
		}
		eventually(t, 8*time.Second, func() string {
			shopper := b.incognito()
			shopper.open("/", `section[data-slot-id]`)
			if now := shopper.attrs(sel, "data-product-id"); !slices.Contains(now, id) {
				return fmt.Sprintf("product %s, now at %d cents, is not in the row under %d: %v", id, low, maxCents, now)
			}
			return ""
		})
	})
}

// TestARowOfABrandWhoseNameHoldsAComma: a merchandiser narrows a row to a
// brand whose name holds a comma ("Northpeak, Ltd."), typed in lower case;
// a brand no product has is refused first, named; once published, shoppers
// see only that brand's products in the row (the name was split into two
// brands no product has, and the row came out empty).
func TestARowOfABrandWhoseNameHoldsAComma(t *testing.T) {
	t.Parallel()
	s := startWorld(t)
	var top models.Product
	must(t, s.db.R.Where("active AND stock > 0 AND brand <> ''").Order("popularity DESC, id").First(&top).Error)
	brand := top.Brand + ", Ltd."
	must(t, s.db.W.Model(&models.Product{}).Where("brand = ?", top.Brand).Update("brand", brand).Error)
	must(t, s.srv.Shop().RefreshCatalog(context.Background(), true))
	trending := s.draftSlotIDs()[models.SlotTrending]
	sel := `section[data-slot-id="` + trending + `"] [data-product-id]`
	b := newBrowser(t, s)

	b.step(t, "a brand no product has is refused", func(t *testing.T, b *tab) {
		b.adminLogIn()
		b.open("/admin/layout/slots/"+trending+"/edit", `[data-testid="slot-form"]`)
		b.fill(`#f-brands`, "No Such Maker")
		b.follow(`[data-testid="save-slot"]`, `[data-testid="brands-error"]`)
		if got := b.text(`[data-testid="brands-error"]`); got != "No product has the brand No Such Maker." {
			t.Fatalf("the brands error reads %q", got)
		}
	})

	b.step(t, "the brand with a comma, in lower case, is one brand", func(t *testing.T, b *tab) {
		b.fill(`#f-brands`, strings.ToLower(brand))
		b.follow(`[data-testid="save-slot"]`, `[data-testid="layout-list"]`)
		b.open("/admin/layout/slots/"+trending+"/edit", `[data-testid="slot-form"]`)
		if got := b.value(`#f-brands`); got != brand {
			t.Fatalf("the reopened form shows brands %q, want %q", got, brand)
		}
		b.open("/admin/layout", `[data-testid="layout-list"]`)
		b.publishDraft()
		eventually(t, 8*time.Second, func() string {
			shopper := b.incognito()
			shopper.open("/", `section[data-slot-id]`)
			ids := shopper.attrs(sel, "data-product-id")
			if len(ids) == 0 {
				return "the row shows no cards"
			}
			for _, id := range ids {
				var p models.Product
				must(t, s.db.R.First(&p, id).Error)
				if p.Brand != brand {
					return fmt.Sprintf("the row shows %s by %q", p.ExternalID, p.Brand)
				}
			}
			return ""
		})
	})
}
