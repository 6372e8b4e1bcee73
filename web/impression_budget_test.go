package web

import (
	"context"
	"net/http"
	"testing"

	"storefront/models"
)

// A homepage view stores an impression row per row of the page for the
// viewer's first view of a minute, and those rows spent no event budget:
// a client holding many visitor cookies (minted from many addresses, or
// collected over hours within the new-visitor budget) stored six rows a
// minute for each from one address, past that address's budget (1,500
// cookies: 9,000 rows in a minute where its page views stopped at 1,242).
// The rows now spend the budget like any event; a viewer's further views
// of the minute spend only for rows they add.
func TestImpressionsSpendTheEventBudget(t *testing.T) {
	clock := newTestClock()
	proxies, err := ParseTrustedProxies("127.0.0.1")
	must(t, err)
	const budget = 60
	shop := serveShop(t, mustOpenShop(t).db, Config{TrustedProxies: proxies, EventsPerMinute: budget}, false, func(s *Server) {
		if s.eventBudget != nil {
			s.eventBudget.now = clock.Now
		}
	})
	ctx := context.Background()
	from := func(addr string) map[string]string { return map[string]string{"X-Forwarded-For": addr} }
	keyOf := func(c *client) string { return "v:" + shop.srv.visitorOf(c.cookie(visitorCookie)) }
	recorded := func(typ string, keys ...string) int64 {
		t.Helper()
		must(t, shop.srv.events.Flush(ctx))
		var n int64
		must(t, shop.db.R.Model(&models.Event{}).Where("user_key IN ? AND type = ?", keys, typ).Count(&n).Error)
		return n
	}
	view := func(c *client, path, addr string) {
		t.Helper()
		if res, _ := c.send(http.MethodGet, path, nil, from(addr)); res.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", path, res.StatusCode)
		}
	}

	// How many rows one view adds: a viewer of another address.
	first := shop.newClient()
	view(first, "/", "203.0.113.1")
	rows := recorded(models.EventImpression, keyOf(first))
	if rows < 2 {
		t.Fatalf("a homepage view stored %d impression rows; the test needs a page of several rows", rows)
	}

	// Cookies collected elsewhere, each viewing the homepage from one
	// address: the address's budget, not rows times cookies.
	var keys []string
	crowd := 3 * budget / int(rows)
	for range crowd {
		c := shop.newClient()
		view(c, "/cart", "198.51.100.1") // the cookie, minted elsewhere
		view(c, "/", "203.0.113.2")
		keys = append(keys, keyOf(c))
	}
	if got := recorded(models.EventImpression, keys...); got > budget || got == 0 {
		t.Fatalf("%d visitor cookies viewing the homepage from one address: %d impression rows, want at most the address's %d a minute (and some)",
			crowd, got, budget)
	}

	// A viewer's later views of the minute add rows only where the page
	// changed (the free rows are ordered per view) and spend only those:
	// twenty homepage views, then their product view is still recorded.
	reader := shop.newClient()
	for range 20 {
		view(reader, "/", "203.0.113.3")
	}
	tent := shop.product("SKU-1")
	view(reader, productPath(tent), "203.0.113.3")
	if got := recorded(models.EventImpression, keyOf(reader)); got == 0 || got >= 20*rows {
		t.Fatalf("twenty homepage views in a minute: %d impression rows, want some, and fewer than a row per row of every view (%d)", got, 20*rows)
	}
	if got := recorded(models.EventView, keyOf(reader)); got != 1 {
		t.Fatalf("the product view after twenty homepage views: %d recorded, want 1", got)
	}
}

// Many instances each hold a share of the burst: a viewer's is 3 of 120
// with 40 instances, fewer than the rows of a homepage. A page's rows then
// spend what the bucket holds instead of being refused for good.
func TestAPageOfMoreRowsThanAnInstancesShareIsRecorded(t *testing.T) {
	b := newEventBudget(1200)
	b.share = func() int { return 40 }
	if !b.allowN("203.0.113.4", "v:many-instances", 9) {
		t.Fatal("nine rows with a share of three: refused")
	}
	if b.allowN("203.0.113.4", "v:many-instances", 9) {
		t.Fatal("nine rows again at once: allowed, the share spent")
	}
}
