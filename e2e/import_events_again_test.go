package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"storefront/models"
)

// TestImportingAnOverlappingEventsExportAgainStoresOnlyWhatIsNew: a
// merchant uploads the ERP's events export every night, and each export
// repeats the day before. The second upload stores only the new event and
// says how many were already stored.
func TestImportingAnOverlappingEventsExportAgainStoresOnlyWhatIsNew(t *testing.T) {
	t.Parallel()
	s := startShop(t)
	b := newAdmin(t, s)
	dir := t.TempDir()
	products := filepath.Join(dir, "catalog.csv")
	must(t, os.WriteFile(products, []byte(productsHeader+
		"K1,Cat Scratching Post,,Pets > Cats,,29,5,\n"+
		"K2,Dog Lead,,Pets > Dogs,,12,8,\n"), 0o644))
	monday := filepath.Join(dir, "events-monday.csv")
	must(t, os.WriteFile(monday, []byte("user_id,product_id,type,timestamp\n"+
		"erp-1,K1,view,2026-03-01T00:00:00Z\n"+
		"erp-1,K1,purchase,2026-03-01T00:00:00Z\n"+
		"erp-2,K2,view,2026-03-02T00:00:00Z\n"), 0o644))
	tuesday := filepath.Join(dir, "events-tuesday.csv")
	must(t, os.WriteFile(tuesday, []byte("user_id,product_id,type,timestamp\n"+
		"erp-2,K2,view,2026-03-02T00:00:00Z\n"+
		"erp-2,K2,add_to_cart,2026-03-03T00:00:00Z\n"), 0o644))
	count := func() int64 {
		n, err := s.db.CountEventsOfUsers(context.Background(), "erp-")
		must(t, err)
		return n
	}
	upload := func(b *tab, products, events string) string {
		b.t.Helper()
		b.open("/admin/import", `[data-testid="import-form"]`)
		if products != "" {
			b.do("choose the products", chromedp.SetUploadFiles(chromedp.CSS(`#products`), []string{products}))
		}
		b.do("choose the events", chromedp.SetUploadFiles(chromedp.CSS(`#events`), []string{events}))
		b.follow(`[data-testid="preview-import"]`, `[data-testid="apply-import"]`)
		b.follow(`[data-testid="apply-import"]`, `[data-testid="import-result"]`)
		return b.text(`[data-testid="import-result"]`)
	}

	b.step(t, "monday's export is stored", func(t *testing.T, b *tab) {
		if got := upload(b, products, monday); !strings.Contains(got, "3 events") || strings.Contains(got, "already stored") {
			t.Fatalf("the result reads %q", got)
		}
		if n := count(); n != 3 {
			t.Fatalf("%d events stored, want 3", n)
		}
		// What the import did, step by step, is readable: it shared the
		// experiments' progress bar's class, 10 px high, and was cut off.
		lines := eval[int](b, `document.querySelectorAll('[data-testid="import-progress"] li').length`)
		hidden := eval[bool](b, `(() => { const o = document.querySelector('[data-testid="import-progress"]'); const l = o.lastElementChild.getBoundingClientRect(); const r = o.getBoundingClientRect(); return o.scrollHeight > o.clientHeight + 1 || l.bottom > r.bottom + 1 || r.height < 16 * o.children.length; })()`)
		if lines < 3 || hidden {
			t.Fatalf("the import's steps (%d lines) are cut off: %t", lines, hidden)
		}
		if got := b.text(`[data-testid="import-progress"]`); !strings.Contains(got, "wrote 3 events") {
			t.Errorf("the import's steps read %q", got)
		}
	})
	b.step(t, "tuesday's export, which repeats monday's last day, adds one event", func(t *testing.T, b *tab) {
		got := upload(b, "", tuesday)
		if !strings.Contains(got, "Imported: 1 event,") || !strings.Contains(got, "1 event already stored") || strings.Contains(got, "products") {
			t.Fatalf("the result reads %q", got)
		}
		if n := count(); n != 4 {
			t.Fatalf("%d events stored after the overlapping export, want 4", n)
		}
		b.shotWidths("admin-import-events-again")
	})
	b.step(t, "the same export uploaded twice stores nothing", func(t *testing.T, b *tab) {
		if got := upload(b, "", tuesday); !strings.Contains(got, "Imported: 0 events") || !strings.Contains(got, "2 events already stored") {
			t.Fatalf("the result reads %q", got)
		}
		if n := count(); n != 4 {
			t.Fatalf("%d events stored after the same export again, want 4", n)
		}
	})
	b.step(t, "with a data retention of 30 days, older events are not stored", func(t *testing.T, b *tab) {
		must(t, s.db.SetSetting(context.Background(), "owner", models.SettingEventRetentionDays, "30"))
		recent := filepath.Join(dir, "events-recent.csv")
		must(t, os.WriteFile(recent, []byte("user_id,product_id,type,timestamp\n"+
			"erp-3,K1,view,2026-03-04T00:00:00Z\n"+
			"erp-3,K1,view,"+time.Now().UTC().Add(-time.Hour).Format(time.RFC3339)+"\n"), 0o644))
		got := upload(b, "", recent)
		if !strings.Contains(got, "Imported: 1 event,") || !strings.Contains(got, "1 event older than the 30 days this shop keeps events (data retention), not stored") {
			t.Fatalf("the result reads %q", got)
		}
		if n := count(); n != 5 {
			t.Fatalf("%d events stored, want 5", n)
		}
	})
}
