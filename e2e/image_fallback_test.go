package e2e

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"storefront/models"
	"storefront/web"
)

// TestAPictureThatFailsShowsTheDrawing: a product whose image address no
// longer answers (an imported image_url on a host that is gone) shows the
// shop's drawing of it, on its page and on its card, not a broken-image box;
// so do the admin's catalog row, the product's image page and the layout
// editor's product picker.
func TestAPictureThatFailsShowsTheDrawing(t *testing.T) {
	t.Parallel()
	s := startShop(t, func(db *models.DB) {
		must(t, db.W.Model(&models.Product{}).Where("external_id = ?", "SKU-3").
			Update("image_url", "/img/u/"+strings.Repeat("ab", 32)+".jpg").Error)
	})
	lantern := s.product("SKU-3")
	drawing := "/img/p/" + strconv.FormatUint(uint64(lantern.ID), 10) + ".svg"
	b := newBrowser(t, s)
	shows := func(b *tab, sel string) {
		b.t.Helper()
		eventually(b.t, 10*time.Second, func() string {
			got := eval[string](b, `(() => { const i = document.querySelector(`+strconv.Quote(sel)+`); return i ? i.getAttribute("src") + " " + i.naturalWidth : "none" })()`)
			if !strings.HasPrefix(got, drawing+" ") || strings.HasSuffix(got, " 0") {
				return "the picture is " + got + ", want the drawing " + drawing + " loaded"
			}
			return ""
		})
	}
	b.step(t, "the product page", func(t *testing.T, b *tab) {
		b.open(web.ProductURL(lantern), `[data-testid="product-title"]`)
		shows(b, `img.product-image`)
	})
	b.step(t, "its card in search results", func(t *testing.T, b *tab) {
		b.open("/search?q=lantern", `[data-testid="result-count"]`)
		shows(b, `[data-product-id="`+strconv.FormatUint(uint64(lantern.ID), 10)+`"] img`)
	})
	id := strconv.FormatUint(uint64(lantern.ID), 10)
	a := newAdmin(t, s)
	a.step(t, "the admin's catalog row", func(t *testing.T, b *tab) {
		b.open("/admin/catalog?q=lantern", `[data-testid="catalog"]`)
		shows(b, `[data-testid="catalog-row"][data-product-id="`+id+`"] img`)
	})
	a.step(t, "the admin's image page of the product", func(t *testing.T, b *tab) {
		b.open("/admin/catalog/"+id+"/image", `[data-testid="current-image"]`)
		shows(b, `[data-testid="current-image"]`)
	})
	a.step(t, "the layout editor's product picker", func(t *testing.T, b *tab) {
		b.open("/admin/products/search?q=lantern", `[data-testid="picker-results"]`)
		shows(b, `[data-testid="picker-hit"][data-sku="SKU-3"] img`)
	})
}
