package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"storefront/models"
)

// TestCatalogRegularPriceForm: the catalog form edits a product's regular
// (compare-at) price. One at or below the price is refused with the reason
// and nothing is saved; one above it puts the product on sale, which its
// page shows as a saving; emptying it ends the sale.
func TestCatalogRegularPriceForm(t *testing.T) {
	t.Parallel()
	s := startWorld(t)
	var p models.Product
	must(t, s.db.R.Where("active AND stock > 0 AND price_cents > 2000 AND compare_at_cents = 0").Order("id").First(&p).Error)
	row := `[data-testid="catalog-row"][data-product-id="` + fmt.Sprint(p.ID) + `"]`
	cents := func(c int64) string { return fmt.Sprintf("%d.%02d", c/100, c%100) }
	regular := p.PriceCents * 5 / 4
	b := newBrowser(t, s)

	b.step(t, "a regular price below the price is refused", func(t *testing.T, b *tab) {
		b.adminLogIn()
		b.open("/admin/catalog?q="+p.ExternalID, row)
		b.shotWidths("admin-catalog")
		b.fill(row+` input[name="compare_at"]`, cents(p.PriceCents-100))
		b.follow(row+` [data-testid="save-product"]`, row+` [data-testid="compare_at-error"]`)
		if got := b.text(row + ` [data-testid="compare_at-error"]`); !strings.Contains(got, "Must be above the price") {
			t.Fatalf("the regular price error reads %q", got)
		}
		if got := b.value(row + ` input[name="compare_at"]`); got != cents(p.PriceCents-100) {
			t.Fatalf("the refused form lost what was typed: %q", got)
		}
		b.shotWidths("admin-catalog-regular-price-refused")
		if got := s.product(p.ExternalID).CompareAtCents; got != 0 {
			t.Fatalf("the refused regular price was saved: %d cents", got)
		}
	})

	b.step(t, "a regular price above the price puts it on sale", func(t *testing.T, b *tab) {
		b.fill(row+` input[name="compare_at"]`, strings.Replace(cents(regular), ".", ",", 1))
		b.follow(row+` [data-testid="save-product"]`, `[data-testid="flash"]`)
		if got := s.product(p.ExternalID).CompareAtCents; got != regular {
			t.Fatalf("stored regular price %d cents, want %d", got, regular)
		}
		if got := b.value(row + ` input[name="compare_at"]`); got != cents(regular) {
			t.Fatalf("the catalog shows regular price %q, want %s", got, cents(regular))
		}
		want := fmt.Sprintf("You save $%s", cents(regular-p.PriceCents))
		eventually(t, 8*time.Second, func() string {
			b.open(fmt.Sprintf("/p/%d", p.ID), `[data-testid="product-price"]`)
			if b.count(`[data-testid="saving"]`) == 0 || !strings.Contains(b.text(`[data-testid="saving"]`), want) {
				return "the product page shows no saving " + want
			}
			return ""
		})
		b.shotWidths("product-on-sale")
	})

	b.step(t, "an empty regular price ends the sale", func(t *testing.T, b *tab) {
		b.open("/admin/catalog?q="+p.ExternalID, row)
		b.fill(row+` input[name="compare_at"]`, "")
		b.follow(row+` [data-testid="save-product"]`, `[data-testid="flash"]`)
		if got := s.product(p.ExternalID).CompareAtCents; got != 0 {
			t.Fatalf("stored regular price %d cents after emptying it", got)
		}
		eventually(t, 8*time.Second, func() string {
			b.open(fmt.Sprintf("/p/%d", p.ID), `[data-testid="product-price"]`)
			if b.count(`[data-testid="saving"]`) != 0 {
				return "the product page still shows a saving"
			}
			return ""
		})
	})
}
