package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestADraftInAnImportedCatalogStaysOffSale: a merchant moving from
// WooCommerce uploads their catalog with its "Published" column named
// active (1 published, -1 a draft, 0 private) and one product in two
// categories ("Coffee, Coffee > Single Origin"). The import's result says
// two products are not for sale and one listed several categories; a shopper's search finds the published
// product and not the draft or the private one. Every import put them on
// sale.
func TestADraftInAnImportedCatalogStaysOffSale(t *testing.T) {
	t.Parallel()
	s := startShop(t)
	b := newBrowser(t, s)
	b.addAdminAndLogIn(s)
	file := filepath.Join(t.TempDir(), "wc-products.csv")
	must(t, os.WriteFile(file, []byte("id,title,description,category,brand,price,stock,created_at,active\n"+
		"KF-001,Yirgacheffe Whole Bean 250g,<p>Floral.</p>,\"Coffee, Coffee > Single Origin\",Kaffa,14.50,40,,1\n"+
		"KF-900,Kenya Whole Bean 250g (coming soon),<p>Draft.</p>,Coffee > Single Origin,Kaffa,16.00,0,,-1\n"+
		"KF-901,Wholesale Whole Bean 5kg,<p>Trade only.</p>,Coffee > Blends,Kaffa,165.00,50,,0\n"), 0o644))

	b.step(t, "the import says which products are not for sale", func(t *testing.T, b *tab) {
		b.importProducts(file)
		if got := b.text(`[data-testid="import-result"]`); !strings.Contains(got, "2 products are not for sale, as the file's active column says") ||
			!strings.Contains(got, "1 product listed several categories: each is filed under the deepest it listed") {
			t.Fatalf("the result reads %q", got)
		}
		for sku, want := range map[string]bool{"KF-001": true, "KF-900": false, "KF-901": false} {
			if got := s.product(sku).Active; got != want {
				t.Errorf("%s for sale = %v, want %v", sku, got, want)
			}
		}
		b.shotWidths("admin-import-inactive")
	})

	b.step(t, "a shopper's search finds only the published product", func(t *testing.T, b *tab) {
		must(t, s.srv.Shop().RefreshCatalog(context.Background(), true))
		shopper := b.incognito()
		shopper.open("/search?q=whole+bean", `main`)
		got := shopper.text(`main`)
		if !strings.Contains(got, "Yirgacheffe") || strings.Contains(got, "Kenya") || strings.Contains(got, "Wholesale") {
			t.Fatalf("the search shows %q, want Yirgacheffe only", got)
		}
	})
}
