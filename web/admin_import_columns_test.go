package web

import (
	"net/http"
	"strings"
	"testing"

	"storefront/models"
	"storefront/seed"
)

// TestImportFormNamesEveryColumn: the import form's hints name every
// column the import reads, optional ones included (compare_at_price, the
// sale price's regular price, was missing), before and after an upload.
func TestImportFormNamesEveryColumn(t *testing.T) {
	shop := mustOpenShop(t)
	admin := shop.staffClient(models.RoleAdmin)
	preq, popt := seed.ProductColumns()
	ereq, eopt := seed.EventColumns()
	check := func(t *testing.T, hint string, required, optional []string) {
		t.Helper()
		if !strings.Contains(hint, strings.Join(required, ",")) {
			t.Errorf("hint %q lacks the required columns %v", hint, required)
		}
		for _, col := range optional {
			if !strings.Contains(hint, col) {
				t.Errorf("hint %q does not name the optional column %s", hint, col)
			}
		}
	}
	res, doc := admin.get("/admin/import")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("import page: %d", res.StatusCode)
	}
	check(t, doc.Find(`[data-testid="products-columns"]`).Text(), preq, popt)
	check(t, doc.Find(`[data-testid="events-columns"]`).Text(), ereq, eopt)

	products := strings.Join(preq, ",") + ",compare_at_price\nNEW-1,Garden Hose,,Garden,Flow,24.50,7,,30.00\n"
	_, doc = admin.upload("/admin/import", "/admin/import", nil, map[string][2]string{"products": {"p.csv", products}})
	check(t, doc.Find(`[data-testid="products-columns"]`).Text(), preq, popt)
}
