package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"storefront/models"
)

// Every request without a visitor cookie was a new visitor: one client
// looping cookieless views of a product was that many "shoppers" viewing
// it (1,500 in 5 s put an item with one event on every new visitor's
// "Popular this week"). One address has at most its budget of new visitors
// tracked a minute; the others are served (a cart too) but not recorded,
// until their address has room again; signed-in shoppers always are.
func TestOneAddressCannotPoseAsACrowd(t *testing.T) {
	clock := newTestClock()
	shop := serveShop(t, mustOpenShop(t).db, Config{NewVisitorsPerMinute: 5}, false, func(s *Server) { s.newVisitors.now = clock.Now })
	ctx := context.Background()
	tent := shop.product("SKU-1")
	views := func() int64 {
		t.Helper()
		must(t, shop.srv.events.Flush(ctx))
		var n int64
		must(t, shop.db.R.Model(&models.Event{}).Where("type = ? AND product_id = ? AND user_key LIKE ?", models.EventView, tent.ID, "v:%").Count(&n).Error)
		return n
	}
	before := views()
	var last *client
	for range 20 {
		last = shop.newClient()
		if res, _ := last.get(productPath(tent)); res.StatusCode != http.StatusOK {
			t.Fatalf("product page: %d", res.StatusCode)
		}
	}
	if got := views() - before; got != 5 {
		t.Fatalf("20 new visitors from one address in a minute: %d views recorded, want the budget's 5", got)
	}
	// Unsigned cookies of the form the shop issued before it signed them
	// are adopted when the shop holds that visitor (a visitor from before
	// the upgrade keeps its cart), made-up ones are new visitors: either
	// spends the budget, so a fresh one each request is no way round.
	for i := range 10 {
		legacy := shop.newClient()
		u, _ := url.Parse(shop.ts.URL)
		legacy.hc.Jar.SetCookies(u, []*http.Cookie{{Name: visitorCookie, Value: fmt.Sprintf("legacyvisitor%03d", i), Path: "/"}})
		legacy.get(productPath(tent))
	}
	if got := views() - before; got != 5 {
		t.Fatalf("10 more visitors with made-up unsigned cookies: %d views recorded in all, want still the budget's 5", got)
	}
	marked := last.cookie(visitorCookie)
	if !strings.HasSuffix(marked, untrackedMark) {
		t.Fatalf("a visitor over the budget has cookie %q, want it marked", marked)
	}
	// Served as any other: the cart works.
	if res := last.post(productPath(tent), "/cart/add", url.Values{"product_id": {utoa(tent.ID)}, "quantity": {"1"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("an untracked visitor's add to cart: %d", res.StatusCode)
	}
	if _, doc := last.get("/cart"); doc.Find(`[data-testid="cart-total"]`).Length() == 0 {
		t.Fatal("an untracked visitor's cart is empty")
	}
	// A forged mark on another id is not a visitor of the shop's.
	id := shop.srv.visitorOf(marked)
	if got, _ := shop.srv.readVisitor("someoneelse12345" + strings.TrimPrefix(marked, id)); got != "" {
		t.Error("a marked cookie's signature was accepted for another id")
	}

	// A minute later the address has room again: the same visitor is
	// tracked from then on, under the same id (its cart kept).
	clock.Advance(time.Minute)
	mid := views()
	last.get(productPath(tent))
	if got := views() - mid; got != 1 {
		t.Fatalf("the returning visitor's view after a minute: %d recorded, want 1", got)
	}
	if now := last.cookie(visitorCookie); strings.HasSuffix(now, untrackedMark) || shop.srv.visitorOf(now) != id {
		t.Errorf("the returning visitor's cookie %q: want the same id %q, unmarked", now, id)
	}
	if _, doc := last.get("/cart"); doc.Find(`[data-testid="cart-total"]`).Length() == 0 {
		t.Error("the visitor's cart was lost when they became tracked")
	}

	// A shopper who signs in from the spent address is recorded.
	for range 10 {
		shop.newClient().get("/")
	}
	shopper := shop.shopperClient()
	shopper.get(productPath(tent))
	must(t, shop.srv.events.Flush(ctx))
	var n int64
	must(t, shop.db.R.Model(&models.Event{}).Where("type = ? AND product_id = ? AND user_key NOT LIKE ?", models.EventView, tent.ID, "v:%").Count(&n).Error)
	if n == 0 {
		t.Error("a signed-in shopper's view from an address over its budget was not recorded")
	}
}
