package e2e

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"storefront/models"
)

// TestAGermanShopsAdminWritesItsPricesAndTimes: a Berlin shop that writes
// prices 1.234,56 € sets its settings, then works in the admin. The slot
// form shows the row's price range as the shop writes amounts (it showed
// 50.00 with no currency) and saves it back unchanged; a pin outside the
// range is refused in euros; the layout page, the publish check, the
// preview and the analytics give times in Berlin time and amounts in euros
// (they said UTC and $ whatever the settings were).
func TestAGermanShopsAdminWritesItsPricesAndTimes(t *testing.T) {
	t.Parallel()
	s := startShop(t)
	b := newAdmin(t, s)

	b.step(t, "the shop writes euros as 1.234,56 € in Berlin", func(t *testing.T, b *tab) {
		b.open("/admin/settings", `[data-testid="settings-form"]`)
		b.do("currency and format", chromedpSetValue(`#currency`, "EUR"), chromedpSetValue(`#number_format`, "1.234,56"),
			chromedp.Evaluate[chromedp.Void](`document.querySelector('[data-testid="field-symbol_after"]').checked = true`))
		b.fill(`#time_zone`, "Europe/Berlin")
		b.follow(`[data-testid="save-settings"]`, `[data-testid="settings-form"]`)
		if got := b.text(`[data-testid="price-example"]`); got != "1.234,56 €" {
			t.Fatalf("prices look like %q", got)
		}
	})

	var slot models.Slot
	b.step(t, "a row under 50 € refuses a pin of 199,99 € in euros", func(t *testing.T, b *tab) {
		b.open("/admin/layout/slots/new", `[data-testid="slot-form"]`)
		b.do("choose the type", chromedpSetValue(`#f-type`, models.SlotPopular))
		b.fill(`#f-title`, "Unter 50 €", `input[name="min_price"]`, "5,00", `input[name="max_price"]`, "50,00", `#f-pins`, "SKU-1")
		b.follow(`[data-testid="save-slot"]`, `[data-testid="pins-error"]`)
		if got := b.text(`[data-testid="pins-error"]`); !strings.Contains(got, "costs 199,99 €, above the slot's maximum price 50,00 €") {
			t.Fatalf("the pin is refused saying %q", got)
		}
		b.fill(`#f-pins`, "")
		b.follow(`[data-testid="save-slot"]`, `[data-testid="layout-list"]`)
		must(t, s.db.R.Where("title = ?", "Unter 50 €").First(&slot).Error)
		if slot.MinPrice != 500 || slot.MaxPrice != 5000 {
			t.Fatalf("the row's range is %d–%d cents, want 500–5000", slot.MinPrice, slot.MaxPrice)
		}
	})

	b.step(t, "the slot form shows the range as the shop writes it and saves it back", func(t *testing.T, b *tab) {
		b.follow(`a[data-testid="slot-title"][href$="/`+strconv.FormatUint(uint64(slot.ID), 10)+`/edit"]`, `[data-testid="slot-form"]`)
		if lo, hi := b.value(`input[name="min_price"]`), b.value(`input[name="max_price"]`); lo != "5,00" || hi != "50,00" {
			t.Fatalf("the form shows the range as %q – %q, want 5,00 – 50,00", lo, hi)
		}
		if got := b.text(`[data-testid="slot-form"]`); !strings.Contains(got, "Max (€)") {
			t.Errorf("the price fields do not name the currency:\n%s", got)
		}
		b.shotWidths("admin-slot-form-euros")
		b.fill(`#f-title`, "Unter 50 Euro")
		b.follow(`[data-testid="save-slot"]`, `[data-testid="layout-list"]`)
		must(t, s.db.R.First(&slot, slot.ID).Error)
		if slot.Title != "Unter 50 Euro" || slot.MinPrice != 500 || slot.MaxPrice != 5000 {
			t.Fatalf("after saving the form unchanged the row is %q, %d–%d cents", slot.Title, slot.MinPrice, slot.MaxPrice)
		}
	})

	// A row whose schedule ended, for the publish check and the preview.
	ended := time.Date(2026, 1, 15, 17, 30, 0, 0, time.UTC) // 18:30 in Berlin
	must(t, s.db.W.Model(&models.Slot{}).Where("id = ?", slot.ID).Update("ends_at", ended).Error)

	b.step(t, "the layout, the publish check and the preview speak Berlin time", func(t *testing.T, b *tab) {
		b.open("/admin/layout", `[data-testid="layout-list"]`)
		if got := b.text("main"); strings.Contains(got, "UTC") || !strings.Contains(got, " CET") && !strings.Contains(got, " CEST") {
			t.Errorf("the layout page does not give Berlin time:\n%s", got)
		}
		b.follow(`[data-testid="publish"]`, `[data-testid="confirm-publish"]`)
		if got := b.text(`[data-testid="health"]`); !strings.Contains(got, "Its schedule ended on Jan 15 18:30 CET") {
			t.Errorf("the publish check reads:\n%s", got)
		}
		b.open("/admin/preview?as=ada@example.com", `[data-testid="off-slots"]`)
		if got := b.text(`[data-testid="off-slots"]`); !strings.Contains(got, "its schedule ended Jan 15 18:30 CET") {
			t.Errorf("the preview's rows off the page read:\n%s", got)
		}
	})

	b.step(t, "analytics count revenue in euros", func(t *testing.T, b *tab) {
		s.newVisitors(1) // an impression, so the totals are shown
		b.open("/admin/analytics", `[data-testid="range-form"]`)
		deadline := time.Now().Add(20 * time.Second)
		for b.count(`[data-testid="analytics-total"]`) == 0 && time.Now().Before(deadline) {
			time.Sleep(500 * time.Millisecond)
			b.open("/admin/analytics", `[data-testid="range-form"]`)
		}
		if got := b.text(`[data-testid="analytics-total"]`); !strings.Contains(got, "0,00 €") || strings.Contains(got, "$") {
			t.Errorf("the totals read:\n%s", got)
		}
	})
}

// TestAGermanShopsCatalogEditsPrices: in a shop that writes 1.234,56 €,
// the catalog's price fields show 89,00 (they showed 89.00), a stock edit
// leaves the price alone, and a new price typed as the shop writes it,
// 79,50, is saved and shown back so.
func TestAGermanShopsCatalogEditsPrices(t *testing.T) {
	t.Parallel()
	s := startShop(t)
	b := newAdmin(t, s)
	b.step(t, "the shop writes 1.234,56", func(t *testing.T, b *tab) {
		b.open("/admin/settings", `[data-testid="settings-form"]`)
		b.do("format", chromedpSetValue(`#currency`, "EUR"), chromedpSetValue(`#number_format`, "1.234,56"))
		b.follow(`[data-testid="save-settings"]`, `[data-testid="settings-form"]`)
	})
	p := s.product("SKU-7")
	row := `[data-testid="catalog-row"][data-product-id="` + strconv.FormatUint(uint64(p.ID), 10) + `"]`
	b.step(t, "a stock edit keeps the price", func(t *testing.T, b *tab) {
		b.open("/admin/catalog?q=SKU-7", row)
		if got := b.value(row + ` input[name="price"]`); got != "89,00" {
			t.Fatalf("the price field reads %q, want 89,00", got)
		}
		b.fill(row+` input[name="stock"]`, "3")
		b.follow(row+` [data-testid="save-product"]`, `[data-testid="catalog"]`)
		if got := s.product("SKU-7"); got.Stock != 3 || got.PriceCents != 8900 {
			t.Fatalf("after the stock edit: stock %d, price %d cents\n%s", got.Stock, got.PriceCents, b.where())
		}
	})
	b.step(t, "a new price typed as the shop writes it", func(t *testing.T, b *tab) {
		b.open("/admin/catalog?q=SKU-7", row)
		b.fill(row+` input[name="price"]`, "79,50")
		b.follow(row+` [data-testid="save-product"]`, `[data-testid="catalog"]`)
		if got := s.product("SKU-7").PriceCents; got != 7950 {
			t.Fatalf("the price is %d cents, want 7950\n%s", got, b.where())
		}
		b.open("/admin/catalog?q=SKU-7", row)
		if got := b.value(row + ` input[name="price"]`); got != "79,50" {
			t.Fatalf("the price field reads %q, want 79,50", got)
		}
	})
}
