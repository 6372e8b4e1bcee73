package web

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"storefront/models"
)

// Every request without a visitor cookie is a new visitor with a cart of
// its own, and a cart change stores a line (kept 30 days) and a session for
// its message (kept an hour): one client adding to cart under a fresh
// cookie each time stored 3,000 lines and 3,000 sessions in 7 s, at a rate
// nothing bounded. A visitor's cart changes now spend a budget of their
// address's (the --events-per-minute figure, counted apart from the
// events); past it the change is refused with 429 and Retry-After, and
// nothing is stored. Signed-in shoppers (one cart an account) and other
// addresses are not held up.
func TestFreshVisitorCookiesCannotFillTheCarts(t *testing.T) {
	clock := newTestClock()
	proxies, err := ParseTrustedProxies("127.0.0.1")
	must(t, err)
	const budget = 20
	shop := serveShop(t, mustOpenShop(t).db, Config{TrustedProxies: proxies, EventsPerMinute: budget}, false, func(s *Server) {
		if s.cartWrites != nil {
			s.cartWrites.now = clock.Now
		}
	})
	tent := shop.product("SKU-1")
	rows := func() (lines, sessions int64) {
		t.Helper()
		must(t, shop.db.R.Model(&models.CartItem{}).Count(&lines).Error)
		must(t, shop.db.R.Table("sessions").Count(&sessions).Error)
		return lines, sessions
	}
	add := func(c *client, addr string) *http.Response {
		t.Helper()
		form := url.Values{"_csrf": {c.token(productPath(tent))}, "product_id": {utoa(tent.ID)}, "quantity": {"1"}}
		res, _ := c.send(http.MethodPost, "/cart/add", form, map[string]string{"X-Forwarded-For": addr})
		return res
	}
	lines0, sessions0 := rows()

	// Fresh visitors of one address: the budget's adds, then 429.
	var refused *http.Response
	for i := range 3 * budget {
		res := add(shop.newClient(), "203.0.113.7")
		if res.StatusCode == http.StatusTooManyRequests {
			refused = res
			continue
		}
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("add %d: %d", i, res.StatusCode)
		}
	}
	lines, sessions := rows()
	if lines-lines0 > budget || sessions-sessions0 > budget {
		t.Fatalf("%d fresh visitors of one address adding to cart: %d cart lines and %d sessions stored, want at most %d",
			3*budget, lines-lines0, sessions-sessions0, budget)
	}
	if refused == nil || refused.Header.Get("Retry-After") == "" {
		t.Fatalf("no add refused with Retry-After: %v", refused)
	}
	// The same for cart updates (a message's session each).
	c := shop.newClient()
	form := url.Values{"_csrf": {c.token(productPath(tent))}, "product_id": {utoa(tent.ID)}, "quantity": {"x"}}
	if res, _ := c.send(http.MethodPost, "/cart/update", form, map[string]string{"X-Forwarded-For": "203.0.113.7"}); res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("a cart update from the address past its budget: %d, want 429", res.StatusCode)
	}

	// Another address, and a signed-in shopper of the same one, add.
	if res := add(shop.newClient(), "203.0.113.8"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("a visitor of another address: %d", res.StatusCode)
	}
	shopper := shop.newClient()
	login := url.Values{"_csrf": {shopper.token("/login")}, "email": {"ada@example.com"}, "password": {testPassword}}
	if res, _ := shopper.send(http.MethodPost, "/login", login, map[string]string{"X-Forwarded-For": "203.0.113.9"}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: %d", res.StatusCode)
	}
	if res := add(shopper, "203.0.113.7"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("a signed-in shopper of the address: %d", res.StatusCode)
	}
	// A minute later the address's visitors add again.
	clock.Advance(time.Minute)
	if res := add(shop.newClient(), "203.0.113.7"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("a visitor of the address a minute later: %d", res.StatusCode)
	}
}
