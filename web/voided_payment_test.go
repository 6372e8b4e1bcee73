package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"storefront/models"
	"storefront/payment"
)

// replayingProvider answers a repeated idempotency key with the
// authorization it gave first, voided or not, and refuses to capture a
// voided one: what card processors do.
type replayingProvider struct {
	mu       sync.Mutex
	byKey    map[string]payment.Authorization
	voided   map[string]bool
	captured []string
	// authorizing runs while a payment is authorized (another buyer
	// taking the last one meanwhile).
	authorizing func()
}

func (*replayingProvider) Name() string    { return "Replaying Pay" }
func (*replayingProvider) Simulated() bool { return false }
func (p *replayingProvider) Authorize(_ context.Context, c payment.Charge) (payment.Authorization, error) {
	if p.authorizing != nil {
		p.authorizing()
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if a, ok := p.byKey[c.IdempotencyKey]; ok {
		return a, nil
	}
	a := payment.Authorization{ID: "auth_" + c.IdempotencyKey, AmountCents: c.AmountCents}
	p.byKey[c.IdempotencyKey] = a
	return a, nil
}
func (p *replayingProvider) Capture(_ context.Context, a payment.Authorization) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.voided[a.ID] {
		return errors.New("authorization was voided")
	}
	p.captured = append(p.captured, a.ID)
	return nil
}
func (p *replayingProvider) Void(_ context.Context, a payment.Authorization) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.voided[a.ID] = true
	return nil
}

// TestNoOrderStandsOnAVoidedPayment: a checkout refused after its payment
// was authorized (a product sold out meanwhile) voids the authorization,
// and the form kept its key. Submitted again once the product was back,
// the provider answered the key with the voided authorization and the
// order was placed on it: goods sold for money no longer held, the capture
// failing in the log only. The refused form now comes back with a new
// key, and the old one is refused.
func TestNoOrderStandsOnAVoidedPayment(t *testing.T) {
	base := mustOpenShop(t)
	pay := &replayingProvider{byKey: map[string]payment.Authorization{}, voided: map[string]bool{}}
	shop := startShopWith(t, base.db, pay)
	ctx := context.Background()
	c := shop.shopperClient()
	tent := shop.product("SKU-1")
	form := func(key string) url.Values {
		return url.Values{"idempotency_key": {key}, "cart_digest": {c.shownCart()}, "name": {"Ada Shopper"}, "email": {"ada@example.com"},
			"street": {"1 Main St"}, "city": {"Leeds"}, "postcode": {"LS1 4AP"}, "country": {"GB"}}
	}
	c.post(productPath(tent), "/cart/add", url.Values{"product_id": {utoa(tent.ID)}, "quantity": {"1"}})
	setStock := func(n int) {
		must(t, shop.db.W.Model(&models.Product{}).Where("id = ?", tent.ID).Update("stock", n).Error)
	}

	// Sold out while the payment was authorized: refused, voided.
	pay.authorizing = func() { setStock(0) }
	const used = "checkout-form-key-0001"
	res, doc := c.postPage("/checkout", "/checkout", form(used))
	if res.StatusCode != http.StatusConflict || !pay.voided["auth_"+used] {
		t.Fatalf("sold out: %d, voided %v; want 409 and the authorization voided", res.StatusCode, pay.voided)
	}
	fresh, _ := doc.Find(`input[name="idempotency_key"]`).Attr("value")
	if fresh == "" || fresh == used {
		t.Errorf("the refused form came back with the key %q, want a new one", fresh)
	}

	// Back in stock; the old form (or a replay of it) again.
	pay.authorizing = nil
	setStock(5)
	res, doc = c.postPage("/checkout", "/checkout", form(used))
	orders, err := shop.db.OrdersOf(ctx, shopperIDOf(t, shop, "ada@example.com"))
	must(t, err)
	for _, o := range orders {
		if pay.voided[o.PaymentRef] {
			t.Fatalf("order %d was placed on the voided authorization %s (answer %d)", o.ID, o.PaymentRef, res.StatusCode)
		}
	}
	if res.StatusCode != http.StatusConflict || !strings.Contains(doc.Find(`[role="alert"], .error, .flash`).Text()+doc.Text(), "already used for a payment that did not go through") {
		t.Errorf("the voided form again: %d, want 409 saying the form was used", res.StatusCode)
	}
	again, _ := doc.Find(`input[name="idempotency_key"]`).Attr("value")
	if again == "" || again == used {
		t.Errorf("the refused form came back with the key %q, want a new one", again)
	}

	// The form as the page gave it back places the order, on a new
	// authorization that is captured.
	res = c.post("/checkout", "/checkout", form(fresh))
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("the new form: %d, want 303 to the order", res.StatusCode)
	}
	orders, err = shop.db.OrdersOf(ctx, shopperIDOf(t, shop, "ada@example.com"))
	must(t, err)
	if len(orders) != 1 || orders[0].PaymentRef != "auth_"+fresh || !slices.Contains(pay.captured, "auth_"+fresh) {
		t.Fatalf("orders %+v, captured %v: want one order on the new form's captured authorization", orders, pay.captured)
	}
}

// TestASoldOutCartIsRefusedBeforeTheCardIsAuthorized: a product that sold
// out after the checkout page was shown is refused before the provider is
// asked, so the shopper's card holds nothing (an authorization shows on a
// statement until it is voided) and the page names the product.
func TestASoldOutCartIsRefusedBeforeTheCardIsAuthorized(t *testing.T) {
	base := mustOpenShop(t)
	pay := &replayingProvider{byKey: map[string]payment.Authorization{}, voided: map[string]bool{}}
	shop := startShopWith(t, base.db, pay)
	c := shop.shopperClient()
	tent := shop.product("SKU-1")
	c.post(productPath(tent), "/cart/add", url.Values{"product_id": {utoa(tent.ID)}, "quantity": {"2"}})
	must(t, shop.db.W.Model(&models.Product{}).Where("id = ?", tent.ID).Update("stock", 1).Error)
	form := url.Values{"idempotency_key": {"checkout-form-key-0002"}, "cart_digest": {c.shownCart()}, "name": {"Ada Shopper"}, "email": {"ada@example.com"},
		"street": {"1 Main St"}, "city": {"Leeds"}, "postcode": {"LS1 4AP"}, "country": {"GB"}}
	res, doc := c.postPage("/checkout", "/checkout", form)
	if res.StatusCode != http.StatusConflict || !strings.Contains(doc.Text(), "only 1 of") {
		t.Fatalf("a cart of 2 with 1 left: %d, want 409 naming what is left", res.StatusCode)
	}
	if len(pay.byKey) != 0 {
		t.Fatalf("the provider was asked to authorize %v for a cart that could not be ordered", pay.byKey)
	}
}
