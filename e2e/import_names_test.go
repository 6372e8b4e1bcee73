package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestImportedCategoryNamesKeepTheirSlashAndScript: a merchant uploads a
// catalog whose paths use ">" with "/" inside names and a category named in
// Cyrillic. The preview shows the paths as written, and once applied each
// category has its own readable address: "CD/DVD" stays one category under
// Media, "Обувь" lives at /c/obuv. A file that separates levels with "/"
// and leaves one empty is refused with its file, line and field.
func TestImportedCategoryNamesKeepTheirSlashAndScript(t *testing.T) {
	t.Parallel()
	s := startShop(t)
	b := newAdmin(t, s)
	dir := t.TempDir()
	file := filepath.Join(dir, "catalog.csv")
	upload := func(b *tab, content, wait string) {
		b.t.Helper()
		must(b.t, os.WriteFile(file, []byte(content), 0o644))
		b.previewProducts(file, wait)
	}

	b.step(t, "a file using / for levels that leaves one empty is refused", func(t *testing.T, b *tab) {
		upload(b, productsHeader+
			"T1,Dome Tent,,Outdoor/Tents,,99,1,\n"+
			"A1,Adapter,,Cables/,,9,1,\n", `[data-testid="import-problems"]`)
		row := b.text(`[data-testid="import-problem"]`)
		if !strings.Contains(row, "catalog.csv") || b.text(`[data-testid="problem-line"]`) != "3" || b.text(`[data-testid="problem-field"]`) != "category" ||
			!strings.Contains(row, `write the paths with ">"`) {
			t.Fatalf("the problem reads %q", row)
		}
	})

	b.step(t, "a spreadsheet saved with semicolons is read as such", func(t *testing.T, b *tab) {
		upload(b, "id;title;description;category;brand;price;stock;created_at\n"+
			"T1;Dome Tent;;Outdoor;;99,50;1;\n", `[data-testid="apply-import"]`)
		if n := b.count(`[data-testid="import-problem"]`); n != 0 {
			t.Fatalf("%d problems listed for a file separated by semicolons: %q", n, b.text(`[data-testid="import-problem"]`))
		}
		if preview := b.text("main"); !strings.Contains(preview, "Dome Tent") || !strings.Contains(preview, "99.50") {
			t.Fatalf("the preview does not show the product at 99.50: %q", preview)
		}
	})

	b.step(t, "paths with > keep / in names and any script", func(t *testing.T, b *tab) {
		upload(b, productsHeader+
			"M1,Live Concert,,Media > CD/DVD,,12,3,\n"+
			"C1,USB-C Adapter,,Cables / Adapters,,9,3,\n"+
			"S1,Зимние ботинки,,Обувь,,80,3,\n", `[data-testid="apply-import"]`)
		b.shotWidths("admin-import-preview-names")
		// The form's hint (a long list of columns) wraps on a phone
		// instead of widening the page.
		b.do("phone viewport", chromedp.EmulateViewport(390, 844))
		if sw := eval[float64](b, "document.documentElement.scrollWidth"); sw > 390 {
			t.Errorf("the import page is %.0f px wide on a 390 px phone", sw)
		}
		// Nor do the preview's tables scroll sideways: each row is a card.
		if wide := eval[[]string](b, `Array.from(document.querySelectorAll('.table-scroll')).filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.querySelector('table').dataset.testid + ' ' + e.scrollWidth + '>' + e.clientWidth)`); len(wide) > 0 {
			t.Errorf("preview tables scroll sideways on a 390 px phone: %q", wide)
		}
		b.do("desktop viewport", chromedp.EmulateViewport(1280, 900))
		preview := b.text(`[data-testid="import-products"]`)
		for _, want := range []string{"Media > CD/DVD", "Cables / Adapters", "Обувь"} {
			if !strings.Contains(preview, want) {
				t.Errorf("the preview does not show the category %q: %q", want, preview)
			}
		}
		b.follow(`[data-testid="apply-import"]`, `[data-testid="import-result"]`)
		if got := b.text(`[data-testid="import-result"]`); !strings.Contains(got, "3 products created") {
			t.Fatalf("result reads %q", got)
		}
	})

	b.step(t, "each category has its own readable address", func(t *testing.T, b *tab) {
		// A running shop reloads its catalog after an import in the
		// background (shop.Start), which this test's server does not run.
		must(t, s.srv.Shop().RefreshCatalog(context.Background(), true))
		for _, c := range []struct{ path, name, product string }{
			{"/c/obuv", "Обувь", "Зимние ботинки"},
			{"/c/cd-dvd", "CD/DVD", "Live Concert"},
			{"/c/cables-adapters", "Cables / Adapters", "USB-C Adapter"},
		} {
			eventually(t, 5*time.Second, func() string {
				b.open(c.path, `main h1`)
				if got := b.text(`main h1`); got != c.name {
					return fmt.Sprintf("%s is titled %q, want %q", c.path, got, c.name)
				}
				if got := b.text(`main`); !strings.Contains(got, c.product) {
					return fmt.Sprintf("%s does not list %q", c.path, c.product)
				}
				return ""
			})
		}
		b.shotWidths("category-cyrillic")
	})
}
