package e2e

import (
	"context"
	"strings"
	"testing"

	"storefront/models"
)

// TestImportPreviewShowsWhatTheFileOverwrites: a merchant imports a file,
// then puts a product on sale and restocks it in the admin. Uploading the
// same file again previews, before anything is written, that it sets the
// price and stock back and ends the sale; applying it does so (the file
// wins, as the preview said).
func TestImportPreviewShowsWhatTheFileOverwrites(t *testing.T) {
	t.Parallel()
	s := startShop(t)
	b := newAdmin(t, s)
	file := writeTemp(t, "catalog.csv", productsHeader+
		"T1,Dome Tent,,Outdoor,,99,5,\n"+
		"T2,Camp Mug,,Outdoor,,9,3,\n")
	upload := func(b *tab) {
		b.t.Helper()
		b.previewProducts(file, `[data-testid="apply-import"]`)
	}

	b.step(t, "the first import writes the file", func(t *testing.T, b *tab) {
		upload(b)
		if b.count(`[data-testid="import-changes"]`) != 0 {
			t.Fatal("a first import lists overwrites")
		}
		b.follow(`[data-testid="apply-import"]`, `[data-testid="import-result"]`)
	})

	b.step(t, "after an admin edit, the preview shows what the file sets back", func(t *testing.T, b *tab) {
		ctx := context.Background()
		tent := s.product("T1")
		must(t, s.db.UpdateProductAdmin(ctx, "admin", tent.ID, models.ProductEdit{PriceCents: 7900, CompareAtCents: 9900, Stock: 40, Active: true}, nil))
		upload(b)
		if got := b.text(`[data-testid="import-overwrites"]`); !strings.Contains(got, "changes 1 product") || !strings.Contains(got, "price or stock of 1 product") {
			t.Fatalf("the overwrite summary reads %q", got)
		}
		if n := b.count(`[data-testid="import-change"]`); n != 1 {
			t.Fatalf("%d products listed as changed, want only T1", n)
		}
		row := b.text(`[data-testid="import-change"][data-id="T1"]`)
		for _, want := range []string{"price: 79.00 → 99.00", "sale: on sale → ends", "stock: 40 → 5"} {
			if !strings.Contains(row, want) {
				t.Errorf("T1's changes read %q, missing %q", row, want)
			}
		}
		b.shotWidths("admin-import-overwrites")
		b.follow(`[data-testid="apply-import"]`, `[data-testid="import-result"]`)
		if p := s.product("T1"); p.PriceCents != 9900 || p.Stock != 5 || p.OnSale() {
			t.Fatalf("after applying, T1 is %d cents, stock %d, on sale %t", p.PriceCents, p.Stock, p.OnSale())
		}
	})
}
