package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"storefront/models"
)

// TestTheShopperPaysTheTotalTheCheckoutShowed: the checkout page says "Pay
// $X and place order", and its form placed an order from whatever the cart
// held when it was sent. A price the merchant raised after the page was
// shown (a typo fixed, a sale ended), or a line added in another tab, was
// charged without the shopper ever seeing it: the fourteenth attack's
// shopper saw $274.99 and paid $27,499.00. Now the form names the cart it
// showed, and any other cart sends the shopper back to the page with the
// new total, nothing asked of the payment provider.
func TestTheShopperPaysTheTotalTheCheckoutShowed(t *testing.T) {
	base := mustOpenShop(t)
	pay := &recordingProvider{}
	shop := startShopWith(t, base.db, pay)
	ctx := context.Background()
	c := shop.shopperClient()
	tent, lantern := shop.product("SKU-1"), shop.product("SKU-5")
	c.post(productPath(tent), "/cart/add", url.Values{"product_id": {utoa(tent.ID)}, "quantity": {"1"}})
	shopper := shopperIDOf(t, shop, "ada@example.com")
	orders := func() int {
		os, err := shop.db.OrdersOf(ctx, shopper)
		must(t, err)
		return len(os)
	}
	formOf := func(doc *goquery.Document) url.Values {
		form := url.Values{"name": {"Ada Shopper"}, "email": {"ada@example.com"}, "street": {"1 Main St"},
			"city": {"Leeds"}, "postcode": {"LS1 4AP"}, "country": {"GB"}}
		for _, f := range []string{"idempotency_key", "cart_digest"} {
			v, _ := doc.Find(`input[name="` + f + `"]`).Attr("value")
			form.Set(f, v)
		}
		return form
	}
	placeButton := func(doc *goquery.Document) string {
		return strings.Join(strings.Fields(doc.Find(`[data-testid="place-order"]`).Text()), " ")
	}
	setPrice := func(cents int64) {
		must(t, shop.db.W.Model(&models.Product{}).Where("id = ?", tent.ID).Update("price_cents", cents).Error)
	}
	setPrice(27499)

	// The merchant raises the price a hundredfold after the page was shown.
	_, doc := c.get("/checkout")
	if got := placeButton(doc); got != "Pay $274.99 and place order" {
		t.Fatalf("the checkout's button says %q", got)
	}
	shown := formOf(doc)
	setPrice(2749900)
	res, doc := c.postPage("/checkout", "/checkout", shown)
	if res.StatusCode != http.StatusConflict || orders() != 0 || len(pay.authorized) != 0 {
		t.Fatalf("a price raised since the page was shown: %d, %d orders, authorized %v; want 409, no order, nothing authorized",
			res.StatusCode, orders(), pay.authorized)
	}
	if msg := doc.Find(`[data-testid="checkout-error"]`).Text(); !strings.Contains(msg, "Your cart changed since this page was shown") {
		t.Errorf("the refusal says %q", strings.TrimSpace(msg))
	}
	if got := placeButton(doc); got != "Pay $27,499.00 and place order" {
		t.Errorf("the page after the refusal says %q, want the new total", got)
	}
	// The page it gives back shows the new total, and its form orders.
	setPrice(27499)
	_, doc = c.get("/checkout")
	shown = formOf(doc)

	// A line added in another tab after the page was shown.
	c.post(productPath(lantern), "/cart/add", url.Values{"product_id": {utoa(lantern.ID)}, "quantity": {"2"}})
	if res := c.post("/checkout", "/checkout", shown); res.StatusCode != http.StatusConflict || orders() != 0 {
		t.Fatalf("a line added since the page was shown: %d, %d orders; want 409, none", res.StatusCode, orders())
	}
	// A form naming no cart (sent by a script, or a page from before).
	_, doc = c.get("/checkout")
	shown = formOf(doc)
	blind := url.Values{}
	for k, v := range shown {
		blind[k] = v
	}
	blind.Del("cart_digest")
	if res := c.post("/checkout", "/checkout", blind); res.StatusCode != http.StatusConflict || orders() != 0 {
		t.Fatalf("a form naming no cart: %d, %d orders; want 409, none", res.StatusCode, orders())
	}
	// The form of the page shown for this cart orders it, at its price.
	if res := c.post("/checkout", "/checkout", shown); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("the form of the cart shown: %d, want 303", res.StatusCode)
	}
	os, err := shop.db.OrdersOf(ctx, shopper)
	must(t, err)
	if want := 27499 + 2*lantern.PriceCents; len(os) != 1 || os[0].TotalCents != want {
		t.Fatalf("orders %+v, want one of %d cents", os, want)
	}
	if len(pay.authorized) != 1 {
		t.Errorf("the provider was asked %d times, want once", len(pay.authorized))
	}
}
