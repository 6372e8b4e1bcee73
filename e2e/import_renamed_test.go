package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestImportListsCustomersKeptApart: a merchant imports an events file one
// of whose user_ids is the id of an account registered here. Once applied,
// the result lists that customer with the id the shop keeps them under,
// the one the events API and recommend take, and the list fits a phone.
func TestImportListsCustomersKeptApart(t *testing.T) {
	t.Parallel()
	s := startShop(t)
	b := newAdmin(t, s)
	file := writeTemp(t, "old-shop-events.csv", "user_id,product_id,type,timestamp\n"+
		s.ada.ExternalID+",SKU-1,view,2026-05-01T10:00:00Z\n"+
		"walk-in-7,SKU-2,view,2026-05-01T10:05:00Z\n")

	b.step(t, "the result names the id the shop keeps the customer under", func(t *testing.T, b *tab) {
		b.open("/admin/import", `[data-testid="import-form"]`)
		b.do("choose the file", chromedp.SetUploadFiles(chromedp.CSS(`#events`), []string{file}))
		b.follow(`[data-testid="preview-import"]`, `[data-testid="apply-import"]`)
		b.follow(`[data-testid="apply-import"]`, `[data-testid="import-renamed"]`)
		row := strings.Join(strings.Fields(b.text(`[data-testid="import-renamed"] tbody tr`)), " ")
		if want := s.ada.ExternalID + " " + s.ada.ExternalID + "~imported"; row != want {
			t.Fatalf("the renamed customer reads %q, want %q", row, want)
		}
		if n := b.count(`[data-testid="import-renamed"] tbody tr`); n != 1 {
			t.Fatalf("%d customers listed as kept apart, want 1 (walk-in-7 kept their id)", n)
		}
		b.shotWidths("admin-import-renamed")
		b.do("phone viewport", chromedp.EmulateViewport(390, 844))
		if sw := eval[float64](b, "document.documentElement.scrollWidth"); sw > 390 {
			t.Errorf("the import result is %.0f px wide on a 390 px phone", sw)
		}
	})
}
