package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"storefront/models"
)

// holdProductRow holds product id's row (SQLite: the database's one write
// lock) on a connection of its own, as other shoppers buying it at the
// same moment would, until release.
func holdProductRow(t *testing.T, db *models.DB, id uint) (release func()) {
	t.Helper()
	if !db.Postgres() {
		return holdWriteLock(t, db)
	}
	other, err := models.Open(db.Target())
	must(t, err)
	w, err := other.W.DB()
	must(t, err)
	conn, err := w.Conn(context.Background())
	must(t, err)
	_, err = conn.ExecContext(context.Background(), "BEGIN")
	must(t, err)
	_, err = conn.ExecContext(context.Background(), "SELECT id FROM products WHERE id = $1 FOR UPDATE", id)
	must(t, err)
	released := false
	release = func() {
		if !released {
			released = true
			conn.ExecContext(context.Background(), "ROLLBACK")
			conn.Close()
			other.Close()
		}
	}
	t.Cleanup(release)
	return release
}

// TestACheckoutThatCannotBeServedInTimeIsToldToTryAgain: a checkout whose
// product others hold for longer than a request may take (many shoppers
// buying the last units at once on a loaded machine; on SQLite the write
// lock) is answered "try again": 503 with the checkout form and a new key,
// nothing ordered, the payment voided, not captured. Before, the request's
// deadline cancelled the order mid-statement and the shopper got the error
// page, 500 "Something went wrong". The form it gives places the order
// once the product is free.
func TestACheckoutThatCannotBeServedInTimeIsToldToTryAgain(t *testing.T) {
	base := mustOpenShop(t)
	pay := &recordingProvider{}
	shop := startShopWith(t, base.db, pay)
	// The same shop on a second instance whose requests have 4 s (20 s in
	// the shop): the checkout is sent there; logging in and placing it
	// again go through the first, with the shop's deadlines, however
	// loaded the machine.
	quick := startShopConfig(t, base.db, Config{Payments: pay, PageTimeout: 4 * time.Second})
	c := shop.shopperClient()
	tent := shop.product("SKU-1")
	c.post(productPath(tent), "/cart/add", url.Values{"product_id": {utoa(tent.ID)}, "quantity": {"1"}})
	formOf := func(doc *goquery.Document) url.Values {
		key, _ := doc.Find(`input[name="idempotency_key"]`).Attr("value")
		return url.Values{"_csrf": {csrf(doc)}, "idempotency_key": {key}, "cart_digest": {cartDigestIn(doc)}, "name": {"Ada Shopper"},
			"email": {"ada@example.com"}, "street": {"1 Main St"}, "city": {"Leeds"}, "postcode": {"LS1 4AP"}, "country": {"GB"}}
	}
	submit := func(on *testShop, form url.Values) (*http.Response, *goquery.Document) {
		req, _ := http.NewRequest(http.MethodPost, on.ts.URL+"/checkout", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		res, err := c.hc.Do(req)
		must(t, err)
		defer res.Body.Close()
		doc, err := goquery.NewDocumentFromReader(res.Body)
		must(t, err)
		return res, doc
	}
	_, doc := c.get("/checkout")
	first := formOf(doc)

	// Held past the request's deadline.
	release := holdProductRow(t, shop.db, tent.ID)
	held := time.AfterFunc(5*time.Second, release)
	res, doc := submit(quick, first)
	if res.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("checkout while the product was held past the deadline: %d %q, want 503 with the checkout form", res.StatusCode,
			strings.Join(strings.Fields(doc.Find("main").Text()), " "))
	}
	if !strings.Contains(doc.Text(), "Nothing was ordered and nothing was charged") || res.Header.Get("Retry-After") == "" {
		t.Errorf("the busy answer does not say nothing was ordered or charged, or when to retry: %q", strings.Join(strings.Fields(doc.Find("main").Text()), " "))
	}
	again := formOf(doc)
	if again.Get("idempotency_key") == "" || again.Get("idempotency_key") == first.Get("idempotency_key") {
		t.Fatalf("the busy answer's form has key %q (first %q), want a new one", again.Get("idempotency_key"), first.Get("idempotency_key"))
	}
	held.Stop()
	release()
	orders, err := shop.db.OrdersOf(context.Background(), shopperIDOf(t, shop, "ada@example.com"))
	must(t, err)
	if len(orders) != 0 || shop.product("SKU-1").Stock != 5 {
		t.Fatalf("%d orders, stock %d after the busy answer, want none and 5", len(orders), shop.product("SKU-1").Stock)
	}
	firstAuth := "rec_" + first.Get("idempotency_key")
	if !slices.Contains(pay.voided, firstAuth) || slices.Contains(pay.captured, firstAuth) {
		t.Fatalf("voided %v, captured %v: the busy checkout's payment must be voided", pay.voided, pay.captured)
	}

	// The shopper places it again with the form they were given.
	if res, doc := submit(shop, again); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/orders/") {
		t.Fatalf("placing it again: %d %q", res.StatusCode, strings.Join(strings.Fields(doc.Find("main").Text()), " "))
	}
	if got := shop.product("SKU-1").Stock; got != 4 || !slices.Contains(pay.captured, "rec_"+again.Get("idempotency_key")) {
		t.Fatalf("stock %d, captured %v after placing it again", got, pay.captured)
	}
}

// TestTheBusyCheckoutIsAPageOfTheShop: the checkout's answer when placing
// the order ran past the request's deadline is a page of the shop, not an
// error page: the shop's header with the cart still holding the product,
// the message read out first, the order summary, the address as typed and
// one button that says it places the order again, with a new key (it said
// "place order", as if nothing had happened). Placing it again orders
// once, takes the stock once and charges once; the first payment is
// voided. The deadline is forced by an instance whose requests have less
// time than the order leaves for its answer (models.CheckoutAnswerReserve),
// so nothing waits on a held lock.
func TestTheBusyCheckoutIsAPageOfTheShop(t *testing.T) {
	base := mustOpenShop(t)
	pay := &recordingProvider{}
	shop := startShopWith(t, base.db, pay)
	quick := startShopConfig(t, base.db, Config{Payments: pay, PageTimeout: models.CheckoutAnswerReserve * 3 / 4})
	c := shop.shopperClient()
	lantern := shop.product("SKU-3")
	c.post(productPath(lantern), "/cart/add", url.Values{"product_id": {utoa(lantern.ID)}, "quantity": {"2"}})
	_, doc := c.get("/checkout")
	key, _ := doc.Find(`input[name="idempotency_key"]`).Attr("value")
	form := url.Values{"_csrf": {csrf(doc)}, "idempotency_key": {key}, "cart_digest": {cartDigestIn(doc)}, "name": {"Ada Shopper"},
		"email": {"ada@example.com"}, "street": {"1 Main St"}, "city": {"Leeds"}, "postcode": {"LS1 4AP"}, "country": {"GB"}}
	req, _ := http.NewRequest(http.MethodPost, quick.ts.URL+"/checkout", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := c.hc.Do(req)
	must(t, err)
	doc, err = goquery.NewDocumentFromReader(res.Body)
	res.Body.Close()
	must(t, err)
	main := strings.Join(strings.Fields(doc.Find("main").Text()), " ")
	if res.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("a checkout past its deadline answered %d: %q", res.StatusCode, main)
	}
	if doc.Find(`header [data-testid="cart-count"]`).Text() != "2" || doc.Find(`[data-testid="account-link"]`).Length() != 1 {
		t.Errorf("the busy answer lacks the shop's header with the cart of 2: %q", strings.Join(strings.Fields(doc.Find("header").Text()), " "))
	}
	alert := doc.Find(`main [role="alert"]`).First()
	if !strings.Contains(alert.Find(`[data-testid="checkout-error"]`).Text(), "Nothing was ordered and nothing was charged") {
		t.Errorf("the busy message is not read out first: %q (role %q)", alert.Text(), alert.AttrOr("role", ""))
	}
	if !strings.Contains(doc.Find(".order-summary").Text(), "2 × "+lantern.Title) {
		t.Errorf("the order summary does not show the cart: %q", doc.Find(".order-summary").Text())
	}
	if got := doc.Find(`#street`).AttrOr("value", ""); got != "1 Main St" {
		t.Errorf("the address typed is gone: street %q", got)
	}
	buttons := doc.Find(`[data-testid="checkout-form"] button[type="submit"]`)
	again, _ := doc.Find(`input[name="idempotency_key"]`).Attr("value")
	if buttons.Length() != 1 || strings.Join(strings.Fields(buttons.Text()), " ") != fmt.Sprintf("Pay $%d.%02d and place the order again", 2*lantern.PriceCents/100, 2*lantern.PriceCents%100) || again == "" || again == key {
		t.Fatalf("the busy answer's form: %d buttons %q, key %q (first %q)", buttons.Length(), buttons.Text(), again, key)
	}
	if shop.product("SKU-3").Stock != lantern.Stock || shop.orderCount(t) != 0 || len(pay.captured) != 0 {
		t.Fatalf("after the busy answer: stock %d (was %d), %d orders, captured %v", shop.product("SKU-3").Stock, lantern.Stock, shop.orderCount(t), pay.captured)
	}

	// Placed again from the page, on an instance with time to place it.
	form.Set("idempotency_key", again)
	form.Set("_csrf", csrf(doc))
	form.Set("cart_digest", cartDigestIn(doc))
	if res := c.post("/checkout", "/checkout", form); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/orders/") {
		t.Fatalf("placing it again: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	if got := shop.product("SKU-3").Stock; got != lantern.Stock-2 || shop.orderCount(t) != 1 {
		t.Errorf("after placing it again: stock %d (was %d), %d orders; want the stock taken once, one order", got, lantern.Stock, shop.orderCount(t))
	}
	if !slices.Equal(pay.captured, []string{"rec_" + again}) || !slices.Contains(pay.voided, "rec_"+key) {
		t.Errorf("captured %v, voided %v: want the second payment captured once, the first voided", pay.captured, pay.voided)
	}
}

// orderCount is how many orders the shop holds.
func (s *testShop) orderCount(t *testing.T) int64 {
	t.Helper()
	var n int64
	must(t, s.db.R.Model(&models.Order{}).Count(&n).Error)
	return n
}
