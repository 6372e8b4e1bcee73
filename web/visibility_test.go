package web

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"storefront/models"
	"storefront/seed"
)

// TestMagentoVisibilityDecidesWhereAShopperFindsAProduct: a shop imported
// from a Magento 2 export lists a product "Catalog" in its category but
// does not find it by search, finds a product "Search" by search but does
// not list it, and shows a product "Not Visible Individually" that no
// configurable product lists nowhere, as Magento did.
func TestMagentoVisibilityDecidesWhereAShopperFindsAProduct(t *testing.T) {
	db, done, err := models.OpenScratch(t.TempDir(), "shop.db")
	must(t, err)
	t.Cleanup(done)
	file := filepath.Join(t.TempDir(), "catalog_product.csv")
	must(t, os.WriteFile(file, []byte("id,product_type,title,description,category,brand,visibility,price,compare_at_price,stock,created_at\n"+
		"LID-1,simple,Replacement Teapot Lid,,Kitchen/Teapots,Fern,Not Visible Individually,4,,40,\n"+
		"GIFT-1,simple,Gift Card Sleeve,,Kitchen/Teapots,Fern,Search,2,3,40,\n"+
		"BED-1,simple,Tasselled Teapot Cosy,,Kitchen/Teapots,Fern,Catalog,24,30,4,\n"+
		"POT-1,simple,Stoneware Teapot,,Kitchen/Teapots,Fern,\"Catalog, Search\",29,,5,\n"), 0o600))
	if _, err := seed.ImportWith(context.Background(), db, seed.ImportOptions{Products: file}, io.Discard); err != nil {
		t.Fatal(err)
	}
	shop := startShop(t, db)
	visitor := shop.newClient()
	on := func(path string) map[string]bool {
		t.Helper()
		res, doc := visitor.get(path)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", path, res.StatusCode)
		}
		got := map[string]bool{}
		for _, id := range cardIDs(doc, "main") {
			got[id] = true
		}
		return got
	}
	id := func(ext string) string { return utoa(shop.product(ext).ID) }
	listed := on("/c/teapots")
	if !listed[id("POT-1")] || !listed[id("BED-1")] || listed[id("GIFT-1")] || listed[id("LID-1")] {
		t.Errorf("the category lists %v; want the teapot and the cosy only", listed)
	}
	// The sale page lists like a category: the cosy (listed, not
	// searched), not the sleeve (searched, not listed), both on sale.
	onSale := on("/sale")
	if !onSale[id("BED-1")] || onSale[id("GIFT-1")] {
		t.Errorf("the sale page lists %v; want the cosy and not the sleeve", onSale)
	}
	for q, want := range map[string]map[string]bool{
		"sleeve": {"GIFT-1": true},
		"cosy":   {"BED-1": false},
		"lid":    {"LID-1": false},
		"teapot": {"POT-1": true, "BED-1": false},
	} {
		found := on("/search?q=" + q)
		for ext, w := range want {
			if found[id(ext)] != w {
				t.Errorf("a search for %q finds %s: %v, want %v", q, ext, found[id(ext)], w)
			}
		}
	}
}
