package e2e

import (
	"strings"
	"testing"
)

// TestAnOlderImportPreviewSaysItIsNoLongerKept: the shop keeps the newest
// two imports not yet applied (each holds its files, and its preview the
// whole catalog it read in the server's memory). An admin who previewed a
// file, then two more, and clicks Apply on the first preview's page is
// told it is no longer kept and to upload again; nothing of it is written.
func TestAnOlderImportPreviewSaysItIsNoLongerKept(t *testing.T) {
	t.Parallel()
	s := startShop(t)
	b := newAdmin(t, s)
	files := []string{
		writeTemp(t, "lamps-1.csv", productsHeader+"KEPT-1,First Lamp,,Home > Lamps,Glow,24.50,7,\n"),
		writeTemp(t, "lamps-2.csv", productsHeader+"KEPT-2,Second Lamp,,Home > Lamps,Glow,24.50,7,\n"),
		writeTemp(t, "lamps-3.csv", productsHeader+"KEPT-3,Third Lamp,,Home > Lamps,Glow,24.50,7,\n"),
	}
	var first string
	for i, f := range files {
		b.previewProducts(f, `[data-testid="apply-import"]`)
		if i == 0 {
			first = eval[string](b, `document.querySelector('[data-testid="apply-import"]').form.getAttribute('action')`)
		}
	}
	if !strings.HasSuffix(first, "/apply") {
		t.Fatalf("the first preview's apply form posts to %q", first)
	}
	b.step(t, "applying the first preview", func(t *testing.T, b *tab) {
		// The first preview's page, kept open in a tab: its Apply button.
		eval[bool](b, `(() => { document.querySelector('[data-testid="apply-import"]').form.setAttribute('action', `+"`"+first+"`"+`); return true })()`)
		b.follow(`[data-testid="apply-import"]`, `[data-testid="error-page"]`)
		if got := b.text(`[data-testid="error-page"]`); !strings.Contains(got, "This import is no longer kept") || !strings.Contains(got, "Upload the files again.") {
			t.Fatalf("the page reads %q", got)
		}
		b.shotWidths("admin-import-no-longer-kept")
	})
	if _, err := s.db.ProductByExternalID(t.Context(), "KEPT-1"); err == nil {
		t.Error("the first file's product was written")
	}
}
