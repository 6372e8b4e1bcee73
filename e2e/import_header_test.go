package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestARefusedProductsHeaderIsOneProblem: a merchant uploads their old
// platform's products export (semicolons, as a German spreadsheet saves
// it) with a year of events of those products. The preview lists one
// problem, the header's, and how to fix it, not the header followed by
// one "unknown product id" per event; the events' own problems are still
// listed, and nothing is written.
func TestARefusedProductsHeaderIsOneProblem(t *testing.T) {
	t.Parallel()
	s := startShop(t)
	b := newBrowser(t, s)
	b.addAdminAndLogIn(s)
	dir := t.TempDir()
	products, events := filepath.Join(dir, "artikel.csv"), filepath.Join(dir, "ereignisse.csv")
	must(t, os.WriteFile(products, []byte("id;title;description;category;brand;price;stock;created_at\n"+
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
		if len(rows) != 2 || !strings.Contains(rows[0], "separated by semicolons") || !strings.Contains(rows[1], `"gestern"`) {
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
