package web

import (
	"context"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"storefront/models"
)

// A product on sale shows its regular price struck through and the saving,
// on its card and its page; the page lists its details and the shop's
// shipping and returns text; an imported image URL is used and allowed by
// the content security policy.
func TestProductPageSaleDetailsShippingAndImage(t *testing.T) {
	shop := mustOpenShop(t)
	ctx := context.Background()
	p := shop.product("SKU-1")
	must(t, shop.db.W.Exec("UPDATE products SET compare_at_cents = ?, image_url = ? WHERE id = ?",
		p.PriceCents*2, "https://img.example.com/tent.jpg", p.ID).Error)
	st, err := shop.db.ShopSettings(ctx)
	must(t, err)
	st.ShippingText = "Free delivery in 2–3 days on orders over $50.\n\nExpress next day for $9."
	st.ReturnsText = "Return anything within 30 days for a full refund."
	must(t, shop.db.SaveShopSettings(ctx, "test", st))
	shop.srv.shopChanged()
	must(t, shop.srv.shop.RefreshCatalog(ctx, true))

	c := shop.newClient()
	res, doc := c.get(productPath(p))
	if res.StatusCode != 200 {
		t.Fatalf("product page: %d", res.StatusCode)
	}
	price := doc.Find(`[data-testid="product-price"]`)
	if price.Find(`[data-testid="compare-at"]`).Length() != 1 || strings.TrimSpace(price.Find(`[data-testid="discount"]`).Text()) != "-50%" {
		t.Fatalf("sale price block: %q", strings.Join(strings.Fields(price.Text()), " "))
	}
	if !strings.Contains(doc.Find(`[data-testid="saving"]`).Text(), "(50%)") {
		t.Fatalf("saving: %q", doc.Find(`[data-testid="saving"]`).Text())
	}
	details := map[string]string{}
	doc.Find(`[data-testid="product-details"] dt`).Each(func(_ int, dt *goquery.Selection) {
		details[dt.Text()] = strings.TrimSpace(dt.Next().Text())
	})
	if details["Brand"] != p.Brand || details["Item number"] != "SKU-1" || details["Category"] == "" || details["Availability"] == "" {
		t.Errorf("details %v", details)
	}
	ship := doc.Find(`[data-testid="shipping-returns"]`).Text()
	if !strings.Contains(ship, "Free delivery in 2–3 days") || strings.Contains(ship, "Express") || !strings.Contains(ship, "30 days") {
		t.Errorf("shipping and returns block %q: want the first paragraph of each", ship)
	}
	if src := doc.Find(`img.product-image`).AttrOr("src", ""); src != "https://img.example.com/tent.jpg" {
		t.Errorf("image %q, want the imported URL", src)
	}
	if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "img-src 'self' data: https://img.example.com;") {
		t.Errorf("CSP does not allow the imported image's host: %s", csp)
	}

	// The sale page lists it, with the discount on its card.
	_, doc = c.get("/sale")
	card := doc.Find(`[data-testid="product-card"][data-product-id="` + utoa(p.ID) + `"]`)
	if card.Length() != 1 || card.Find(`[data-testid="discount"]`).Text() != "-50%" {
		t.Fatalf("the sale page does not show product %d with its discount", p.ID)
	}
	if res, _ := c.get("/sale?c=no-such-category"); res.StatusCode != 404 {
		t.Fatalf("sale page for an unknown category: %d", res.StatusCode)
	}
	// A product not on sale shows one price.
	var plain models.Product
	must(t, shop.db.R.Where("compare_at_cents = 0 AND active").First(&plain).Error)
	_, doc = c.get(productPath(&plain))
	if doc.Find(`[data-testid="product-price"] [data-testid="compare-at"]`).Length() != 0 || doc.Find(`[data-testid="saving"]`).Length() != 0 {
		t.Fatal("a product without a compare-at price shows a sale")
	}
}

func TestTruncateCountsRunes(t *testing.T) {
	old := func(s string, n int) string { // the former version: every rune converted
		if r := []rune(s); len(r) > n {
			return strings.TrimSpace(string(r[:n-1])) + "…"
		}
		return s
	}
	for _, s := range []string{"", "short", strings.Repeat("é", 10), strings.Repeat("é", 11), strings.Repeat("ab ", 4) + "cdefg", "日本語のテキストです。長い説明", "a\u00a0b c d e f g h"} {
		for _, n := range []int{1, 5, 10, 11, 160} {
			if got, want := truncate(s, n), old(s, n); got != want {
				t.Errorf("truncate(%q, %d) = %q, want %q", s, n, got, want)
			}
		}
	}
}
