package web

import (
	"log/slog"
	"sync"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/labstack/echo/v4"
	"golang.org/x/time/rate"
)

// visitorBudget bounds how many new visitors one client address (IPv6:
// per /64) has tracked: every request without the shop's visitor cookie is
// a new visitor, so a loop of cookieless page views was that many distinct
// "shoppers" viewing one product, which the recommender's bot guard (one
// user's volume and rate) and its dedup (one user's repeats) cannot see:
// 1,500 of them from one address in 5 s put an item with one event on
// every visitor's "Popular this week". A visitor minted over the budget is
// served as any other, with a cart, but its behaviour is not recorded
// (its cookie carries a signed mark) until the budget of its address has
// room again, when it becomes a tracked visitor under the same id.
type visitorBudget struct {
	mu      sync.Mutex
	buckets *lru.Cache[string, *rate.Limiter]
	every   time.Duration
	burst   int
	now     func() time.Time // settable in tests
	warned  rareWarning      // when refusing was last logged
	share   func() int       // instances serving the database (loginLimiter.share)
}

// newVisitorBudget allows perMinute new tracked visitors a minute per
// address, a minute's worth at once; nil (no bound) when perMinute ≤ 0.
func newVisitorBudget(perMinute int) *visitorBudget {
	if perMinute <= 0 {
		return nil
	}
	buckets, err := lru.New[string, *rate.Limiter](maxLimiterKeys)
	if err != nil {
		panic(err)
	}
	return &visitorBudget{buckets: buckets, every: time.Minute / time.Duration(perMinute), burst: perMinute, now: time.Now}
}

// allow spends one new tracked visitor of ip's address, if it has one.
func (b *visitorBudget) allow(ip string) bool {
	if b == nil {
		return true
	}
	key := addressKey(ip)
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.now()
	return sharedBucket(b.buckets, key, limit{every: b.every, burst: b.burst}, b.share, now).AllowN(now, 1)
}

// refused logs, at most once a minute, that an address went over its
// budget: behind a reverse proxy the shop was not told of
// (--trusted-proxies) every visitor shares the proxy's address.
func (b *visitorBudget) refused(log *slog.Logger) {
	b.mu.Lock()
	due := b.warned.due(b.now(), time.Minute)
	b.mu.Unlock()
	if due {
		log.Warn("a client address went over its new visitors a minute: their visits are served but not recorded (--new-visitors-per-minute; behind a reverse proxy give its address with --trusted-proxies)")
	}
}

// tracks reports whether the request's behaviour is recorded: not for a
// HEAD (a monitor), nor for a page a browser fetched as part of another
// (fetchedAsPart), nor for a visitor over its address's budget (a signed-in
// shopper always is: accounts are limited by registration).
func tracks(c echo.Context) bool {
	u := userOf(c)
	return !isHead(c) && !fetchedAsPart(c) && (u.LoggedIn() || !u.Untracked)
}

// fetchedAsPart reports whether a browser fetched the request as a part of
// another page (a picture, a script, a style sheet, a frame) rather than
// opening it, as every current browser says in Sec-Fetch-Dest. Such a
// request is no view, search or homepage seen: an imported product whose
// image_url is a page of the shop (`/p/5`, `/search?q=…`, `/`) had every
// shopper who opened it also "view" product 5 or search for what the
// supplier wrote, in their own name and history. A request without the
// header (an older browser, a script) and the shop's own fetches ("empty")
// are recorded as before.
func fetchedAsPart(c echo.Context) bool {
	switch c.Request().Header.Get("Sec-Fetch-Dest") {
	case "", "document", "empty":
		return false
	}
	return true
}
