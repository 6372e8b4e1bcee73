package web

import (
	"context"
	"net/http"
	"net/url"
	"sync/atomic"
	"testing"

	"storefront/models"
)

// readCountingStore counts the sessions read by listing them all.
type readCountingStore struct {
	*models.SessionStore
	read atomic.Int64
}

func (s *readCountingStore) AllCtx(ctx context.Context) (map[string][]byte, error) {
	all, err := s.SessionStore.AllCtx(ctx)
	s.read.Add(int64(len(all)))
	return all, err
}

// TestSigningOutEverywhereReadsNoOtherSession: the fifteenth outside
// attack. "Sign out on every other device" (and a password change, reset or
// deletion) read and decoded every stored session of the shop to find the
// shopper's: with 100,000 sessions stored (a busy shop's signed-in
// shoppers, or an hour of an attacker's add-to-cart messages) each post
// cost the server 1.7 s, and a dozen at once from one shopper answered 503
// and held everyone's homepage for 20 s. Now the shopper's sessions are
// found by the owner kept beside each, and no other session is read.
func TestSigningOutEverywhereReadsNoOtherSession(t *testing.T) {
	shop := mustOpenShop(t)
	counting := &readCountingStore{SessionStore: shop.srv.sessionStore}
	shop.srv.sessions.Store = counting
	// Other visitors' sessions: each shown a message (added to the cart).
	p := shop.product("SKU-1")
	for range 40 {
		v := shop.newClient()
		if res := v.post(productPath(p), "/cart/add", url.Values{"product_id": {utoa(p.ID)}, "quantity": {"1"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("a visitor's add to cart: %d", res.StatusCode)
		}
	}
	_, err := shop.db.CreateShopper(context.Background(), "Bo Shopper", "bo@example.com", testPassword)
	must(t, err)
	bo := shop.newClient()
	if res := bo.post("/login", "/login", url.Values{"email": {"bo@example.com"}, "password": {testPassword}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("Bo's login: %d", res.StatusCode)
	}
	laptop, phone := shop.shopperClient(), shop.shopperClient()
	var stored int64
	must(t, shop.db.R.Raw(`SELECT COUNT(*) FROM sessions`).Scan(&stored).Error)
	res, _ := laptop.send(http.MethodPost, "/account/sessions/end", url.Values{"_csrf": {laptop.token("/account")}}, nil)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("signing out other devices: %d", res.StatusCode)
	}
	if n := counting.read.Load(); n > 0 {
		t.Errorf("signing the shopper's other devices out read %d of the %d stored sessions, want none of the others", n, stored)
	}
	if phone.isShopper() {
		t.Error("the shopper's phone is still signed in")
	}
	if !laptop.isShopper() || !bo.isShopper() {
		t.Errorf("this device signed in: %v, another shopper signed in: %v; want both", laptop.isShopper(), bo.isShopper())
	}
}
