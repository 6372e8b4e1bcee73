package web

import (
	"context"
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
	old := defaultDeadlines
	defaultDeadlines.page = 4 * time.Second
	quick := startShopWith(t, base.db, pay)
	defaultDeadlines = old
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
