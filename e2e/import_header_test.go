package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"storefront/models"
)

// TestARefusedProductsHeaderIsOneProblem: a merchant uploads their old
// platform's products export (semicolons, as a German spreadsheet saves
// it, and its own name for the brand column) with a year of events of
// those products. The preview lists one
// problem, the header's, and how to fix it, not the header followed by
// one "unknown product id" per event; the events' own problems are still
// listed, and nothing is written.
func TestARefusedProductsHeaderIsOneProblem(t *testing.T) {
	t.Parallel()
	s := startShop(t)
	b := newAdmin(t, s)
	dir := t.TempDir()
	products, events := filepath.Join(dir, "artikel.csv"), filepath.Join(dir, "ereignisse.csv")
	must(t, os.WriteFile(products, []byte("id;title;description;category;Hersteller;price;stock;created_at\n"+
		"ART-1;Akku-Bohrschrauber GSR 18V;;Werkzeug > Akku-Bohrschrauber;Bosch;1.299,00;4;2025-01-01\n"+
		"ART-2;Winkelschleifer GWS 7-125;;Werkzeug > Winkelschleifer;Bosch;59,90;10;2025-01-01\n"), 0o644))
	var ev strings.Builder
	ev.WriteString("user_id,product_id,type,timestamp\n")
	for i := range 40 {
		ev.WriteString("K1000" + itoa(i%7) + ",ART-" + itoa(1+i%2) + ",view,2026-03-01T10:00:00Z\n")
	}
	ev.WriteString("K10001,ART-1,purchase,gestern\n")
	must(t, os.WriteFile(events, []byte(ev.String()), 0o644))
	var before int64
	must(t, s.db.R.Table("events").Count(&before).Error)

	b.step(t, "the preview lists the header and the bad timestamp only", func(t *testing.T, b *tab) {
		b.open("/admin/import", `[data-testid="import-form"]`)
		b.do("choose the files",
			chromedp.SetUploadFiles(chromedp.CSS(`#products`), []string{products}),
			chromedp.SetUploadFiles(chromedp.CSS(`#events`), []string{events}))
		b.follow(`[data-testid="preview-import"]`, `[data-testid="import-problems"]`)
		rows := eval[[]string](b, `Array.from(document.querySelectorAll('[data-testid="import-problem"]'), r => r.innerText.replace(/\s+/g, " ").trim())`)
		if len(rows) != 2 || !strings.Contains(rows[0], `does not read the file's column "Hersteller"`) || !strings.Contains(rows[1], `"gestern"`) {
			t.Fatalf("the problems listed: %q", rows)
		}
		if got := b.text(`[data-testid="import-problems-summary"]`); !strings.HasPrefix(got, "2 problems found") {
			t.Fatalf("the summary reads %q", got)
		}
		if b.count(`[data-testid="apply-import"]`) != 0 {
			t.Fatal("a refused import can be applied")
		}
		b.shotWidths("admin-import-refused-header")
	})
	var after, imported int64
	must(t, s.db.R.Table("events").Count(&after).Error)
	must(t, s.db.R.Table("products").Where("external_id IN ?", []string{"ART-1", "ART-2"}).Count(&imported).Error)
	if after != before || imported != 0 {
		t.Fatalf("a refused import wrote: %d events before, %d after, %d of its products", before, after, imported)
	}
}

// TestAnExportWithDecimalCommasIsImported: the German shop's export, saved
// again with commas between the columns, still writes its prices as
// 1.299,00 and 59,90. The preview lists no problem (it listed one per
// product), and once applied the products cost 1299.00 and 59.90.
func TestAnExportWithDecimalCommasIsImported(t *testing.T) {
	t.Parallel()
	s := startShop(t)
	b := newAdmin(t, s)
	products := writeTemp(t, "artikel.csv", productsHeader+
		"ART-1,Akku-Bohrschrauber GSR 18V,,Werkzeug > Akku-Bohrschrauber,Bosch,\"1.299,00\",4,2025-01-01T00:00:00Z\n"+
		"ART-2,Winkelschleifer GWS 7-125,,Werkzeug > Winkelschleifer,Bosch,\"59,90\",10,2025-01-01T00:00:00Z\n")

	b.step(t, "preview and apply", func(t *testing.T, b *tab) {
		b.previewProducts(products, `[data-testid="import-counts"]`)
		if n := b.count(`[data-testid="import-problem"]`); n != 0 {
			t.Fatalf("%d problems: %s", n, b.text(`[data-testid="import-problems"]`))
		}
		b.follow(`[data-testid="apply-import"]`, `[data-testid="import-result"]`)
	})
	for sku, want := range map[string]int64{"ART-1": 129900, "ART-2": 5990} {
		var p struct{ PriceCents int64 }
		must(t, s.db.R.Table("products").Select("price_cents").Where("external_id = ?", sku).Take(&p).Error)
		if p.PriceCents != want {
			t.Errorf("%s costs %d cents, want %d", sku, p.PriceCents, want)
		}
	}
}

// TestAFirstCatalogInEurosSellsInEuros: a merchant's first catalog, priced
// "129,00 €", imported through the admin's form into a shop nobody has
// configured: the result says the shop now sells in euros, and the
// shop's pages and settings show euros (before, the prices showed as
// dollars with no word of the settings). The test shop's own products
// are removed first: a shop already holding products the file does not
// list keeps its currency (seed TestAnImportLeavesTheCurrencyOfAShopWithHistory).
func TestAFirstCatalogInEurosSellsInEuros(t *testing.T) {
	t.Parallel()
	s := startShop(t, func(db *models.DB) {
		must(t, db.W.Where("1 = 1").Delete(&models.Product{}).Error)
	})
	b := newAdmin(t, s)
	products := writeTemp(t, "artikel.csv", productsHeader+
		"ART-1,Kuppelzelt Nordkap,,Outdoor > Tents,Summit,\"129,00 €\",4,2025-01-01T00:00:00Z\n")

	b.step(t, "import the catalog", func(t *testing.T, b *tab) {
		b.importProducts(products)
		if got := b.text(`[data-testid="import-result"]`); !strings.Contains(got, "now sells in EUR") {
			t.Fatalf("the import's result does not say the shop sells in euros: %q", got)
		}
	})
	b.step(t, "the shop shows euros", func(t *testing.T, b *tab) {
		b.open("/admin/settings", `[data-testid="price-example"]`)
		if got := b.text(`[data-testid="price-example"]`); !strings.Contains(got, "€") {
			t.Fatalf("the settings' price example is %q, want euros", got)
		}
		// The server's background loop reloads the catalog a moment after
		// an import; the test server runs no background loop.
		must(t, s.srv.Shop().RefreshCatalog(context.Background(), true))
		b.open("/c/tents", `[data-testid="price"]`)
		if got := b.text(`main`); !strings.Contains(got, "€129.00") {
			t.Fatalf("the tents' page does not show the imported tent at €129.00: %q", got)
		}
	})
}

// TestAHeaderOfManyUnknownColumnsIsAShortPreview: a supplier's file whose
// header holds 200,000 columns the import does not read, and not the
// brand, stock or created_at. Each missing column's problem named every
// unread column (a million made a 75 MB preview page that froze the tab);
// the preview names the first few, counts the rest, and writes nothing.
func TestAHeaderOfManyUnknownColumnsIsAShortPreview(t *testing.T) {
	t.Parallel()
	s := startShop(t)
	b := newAdmin(t, s)
	var hdr strings.Builder
	hdr.WriteString("id,title,description,category,price")
	for i := range 200_000 {
		hdr.WriteString(",c" + itoa(i))
	}
	products := writeTemp(t, "wide.csv", hdr.String()+"\nWIDE-1,Pen,,Pens,1.00\n")
	b.step(t, "the preview is a few lines", func(t *testing.T, b *tab) {
		b.previewProducts(products, `[data-testid="import-problems"]`)
		rows := eval[[]string](b, `Array.from(document.querySelectorAll('[data-testid="import-problem"]'), r => r.innerText.replace(/\s+/g, " ").trim())`)
		if len(rows) != 3 {
			t.Fatalf("%d problems listed, want brand, stock and created_at missing: %.300q", len(rows), rows)
		}
		for _, r := range rows {
			if len(r) > 1000 || !strings.Contains(r, `"c0", "c1"`) || !strings.Contains(r, "and 199990 more") {
				t.Fatalf("a problem reads (%d bytes) %.300q…, want the first columns named and the rest counted", len(r), r)
			}
		}
		if n := eval[int](b, `document.documentElement.outerHTML.length`); n > 50_000 {
			t.Fatalf("the preview page is %d characters", n)
		}
	})
	var n int64
	must(t, s.db.R.Table("products").Where("external_id = ?", "WIDE-1").Count(&n).Error)
	if n != 0 {
		t.Fatal("a refused file's product was written")
	}
}
