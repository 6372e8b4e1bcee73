package web

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"storefront/models"
)

// Every page view stored a row, however fast one client asked: one visitor
// cookie from one address stored 1,700 views a second (2,000 with a search
// each from four addresses: 37 MB of the database a minute), kept for good
// and read by every training. A visitor or shopper has at most 120 events
// recorded a minute and an address its budget for all of them; past either
// the pages are served, their behaviour not recorded, and a minute later
// it is again.
func TestOneClientCannotFillTheEventsTable(t *testing.T) {
	clock := newTestClock()
	proxies, err := ParseTrustedProxies("127.0.0.1")
	must(t, err)
	shop := serveShop(t, mustOpenShop(t).db, Config{TrustedProxies: proxies, EventsPerMinute: 300}, false, func(s *Server) {
		if s.eventBudget != nil {
			s.eventBudget.now = clock.Now
		}
	})
	ctx := context.Background()
	tent, stove := shop.product("SKU-1"), shop.product("SKU-2")
	recorded := func(keys ...string) int64 {
		t.Helper()
		must(t, shop.srv.events.Flush(ctx))
		var n int64
		must(t, shop.db.R.Model(&models.Event{}).Where("user_key IN ? AND type IN ?", keys,
			[]string{models.EventView, models.EventSearch}).Count(&n).Error)
		return n
	}
	from := func(addr string) map[string]string { return map[string]string{"X-Forwarded-For": addr} }
	browse := func(c *client, addr string, n int) {
		t.Helper()
		for i := range n {
			path := productPath(tent)
			switch i % 3 {
			case 1:
				path = productPath(stove)
			case 2:
				path = "/search?q=" + url.QueryEscape("tent "+utoa(uint(i)))
			}
			if res, _ := c.send(http.MethodGet, path, nil, from(addr)); res.StatusCode != http.StatusOK {
				t.Fatalf("%s: %d", path, res.StatusCode)
			}
		}
	}
	keyOf := func(c *client) string { return "v:" + shop.srv.visitorOf(c.cookie(visitorCookie)) }

	// One visitor reading 400 pages in a minute: 120 recorded.
	script := shop.newClient()
	browse(script, "203.0.113.1", 400)
	if got := recorded(keyOf(script)); got != userEventsPerMinute {
		t.Fatalf("one visitor's 400 pages in a minute: %d views and searches recorded, want %d", got, userEventsPerMinute)
	}
	// Ten visitors of one address, 60 pages each: the address's 300.
	var keys []string
	for range 10 {
		c := shop.newClient()
		browse(c, "203.0.113.2", 60)
		keys = append(keys, keyOf(c))
	}
	if got := recorded(keys...); got != 300 {
		t.Fatalf("ten visitors of one address, 600 pages in a minute: %d recorded, want the address's 300", got)
	}
	// Another address is recorded meanwhile, and the pages were served to
	// everyone (above: each 200).
	other := shop.newClient()
	browse(other, "203.0.113.3", 3)
	if got := recorded(keyOf(other)); got != 3 {
		t.Fatalf("a shopper of another address: %d of 3 recorded", got)
	}
	// A minute later the script's visitor is recorded again.
	clock.Advance(time.Minute)
	before := recorded(keyOf(script))
	browse(script, "203.0.113.1", 3)
	if got := recorded(keyOf(script)) - before; got != 3 {
		t.Fatalf("the visitor's pages a minute later: %d of 3 recorded", got)
	}
}
