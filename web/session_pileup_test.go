package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// A message shown to a visitor who is not signed in (add to cart, say)
// needs a session; a script posting forms under fresh cookies made one per
// post, each kept 14 days, and expired ones were never deleted. Such a
// session lasts an hour and is deleted once its message is shown; a
// signed-in shopper's session keeps its lifetime; the housekeeping deletes
// expired sessions.
func TestMessageSessionsAreShortLivedAndDeleted(t *testing.T) {
	shop := mustOpenShop(t)
	tent := shop.product("SKU-1")
	add := func() url.Values { return url.Values{"product_id": {utoa(tent.ID)}, "quantity": {"1"}} }

	visitor := shop.newClient()
	res := visitor.post(productPath(tent), "/cart/add", add())
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("add to cart: %d", res.StatusCode)
	}
	ck := findCookie(res, SessionCookie)
	if ck == nil || !shop.sessionExists(ck.Value) {
		t.Fatal("the visitor's message got no stored session")
	}
	if left := time.Until(ck.Expires); left > messageSessionLifetime+time.Minute || left <= 0 {
		t.Errorf("a visitor's message session lasts %s, want at most %s", left.Round(time.Minute), messageSessionLifetime)
	}
	_, doc := visitor.follow(res)
	if !strings.Contains(doc.Find("body").Text(), "Added") {
		t.Fatal("the message was not shown")
	}
	if shop.sessionExists(ck.Value) {
		t.Error("the visitor's session is still stored after its only message was shown")
	}

	shopper := shop.shopperClient()
	res = shopper.post(productPath(tent), "/cart/add", add())
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("shopper's add to cart: %d", res.StatusCode)
	}
	tok := shopper.cookie(SessionCookie)
	if ck := findCookie(res, SessionCookie); ck != nil && time.Until(ck.Expires) < 13*24*time.Hour {
		t.Errorf("a signed-in shopper's session was cut to %s by a message", time.Until(ck.Expires).Round(time.Minute))
	}
	shopper.follow(res)
	if !shop.sessionExists(tok) || !shop.withSession(tok).isShopper() {
		t.Error("showing a message ended a signed-in shopper's session")
	}

	ctx := context.Background()
	store := shop.db.Sessions()
	must(t, store.CommitCtx(ctx, "expired-session-token", []byte("x"), time.Now().Add(-time.Minute)))
	n, err := store.DeleteExpired(ctx)
	must(t, err)
	if n != 1 || shop.sessionExists("expired-session-token") {
		t.Errorf("deleted %d expired sessions, want the 1", n)
	}
	if !shop.sessionExists(tok) {
		t.Error("deleting expired sessions deleted a live one")
	}
}
