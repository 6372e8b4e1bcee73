package web

import (
	"log/slog"
	"sync"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"golang.org/x/time/rate"
)

// eventBudget bounds the behaviour the pages record (views, clicks,
// searches, adds to cart) per client address (IPv6: per /64) and per
// visitor or shopper. Every page view stored a row, whoever asked and
// however fast: one client with one visitor cookie stored 1,700 views a
// second, a row of about 400 bytes each with a search's words, into a
// table kept for good by default (no retention set) and read whole by
// every training, so an outsider grew the disk by gigabytes an hour and
// the training's time and memory with it. The new-visitor budget bounds
// how many visitors an address makes, not what each of them does.
//
// A visitor or shopper has userPerMinute recorded a minute (a minute's
// worth at once): what a person reading pages makes, and the rate the
// training's bot guard already takes for a script's (120 events a minute
// kept up for a minute). An address has perMinute for all its visitors and
// shoppers together, so the visitor cookies an address collects over time
// are no way round it; an office behind one address shares it. Past either
// the page is served as always, its behaviour not recorded.
type eventBudget struct {
	mu      sync.Mutex
	buckets *lru.Cache[string, *rate.Limiter]
	address limit
	user    limit
	now     func() time.Time // settable in tests
	warned  rareWarning      // when refusing was last logged
	share   func() int       // instances serving the database (loginLimiter.share)
}

// userEventsPerMinute is what one visitor or shopper has recorded a
// minute: twice a page a second for a minute is a script (recommender's
// bot guard: a peak of 120 events a minute kept over 60 s).
const userEventsPerMinute = 120

// maxEventBudgetKeys bounds the buckets kept (addresses and viewers); a
// viewer dropped from it starts again with a minute's worth, its address's
// bucket still bounds it.
const maxEventBudgetKeys = 100_000

// newEventBudget allows perMinute recorded events a minute per address and
// at most userEventsPerMinute per viewer; nil (no bound) when perMinute ≤ 0.
func newEventBudget(perMinute int) *eventBudget {
	if perMinute <= 0 {
		return nil
	}
	buckets, err := lru.New[string, *rate.Limiter](maxEventBudgetKeys)
	if err != nil {
		panic(err)
	}
	user := min(perMinute, userEventsPerMinute)
	return &eventBudget{buckets: buckets, now: time.Now,
		address: limit{every: time.Minute / time.Duration(perMinute), burst: perMinute},
		user:    limit{every: time.Minute / time.Duration(user), burst: user}}
}

// allow spends one recorded event of ip's address and of the viewer
// userKey when both have one, and reports whether it did; neither is spent
// when either is out.
func (b *eventBudget) allow(ip, userKey string) bool {
	return b.allowN(ip, userKey, 1)
}

// allowN is allow for n events at once (a page's impression rows): all of
// them or none. A bucket holding fewer than n when full (an instance's
// share of the burst, when many serve the database) is asked for all it
// holds, so a page of many rows is not refused for good.
func (b *eventBudget) allowN(ip, userKey string, n int) bool {
	if b == nil {
		return true
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.now()
	addr := sharedBucket(b.buckets, "a:"+addressKey(ip), b.address, b.share, now)
	user := sharedBucket(b.buckets, "u:"+userKey, b.user, b.share, now)
	nAddr, nUser := min(n, addr.Burst()), min(n, user.Burst())
	if addr.TokensAt(now) < float64(nAddr) || user.TokensAt(now) < float64(nUser) {
		return false
	}
	addr.AllowN(now, nAddr)
	user.AllowN(now, nUser)
	return true
}

// wait is how long until ip's address and the viewer userKey both have an
// event again.
func (b *eventBudget) wait(ip, userKey string) time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.now()
	var longest time.Duration
	for _, key := range []string{"a:" + addressKey(ip), "u:" + userKey} {
		l, ok := b.buckets.Get(key)
		if !ok {
			continue
		}
		if short := 1 - l.TokensAt(now); short > 0 && l.Limit() > 0 {
			longest = max(longest, time.Duration(short/float64(l.Limit())*float64(time.Second)))
		}
	}
	return longest
}

// refused logs, at most once a minute, that behaviour went unrecorded:
// behind a reverse proxy the shop was not told of (--trusted-proxies)
// every visitor shares the proxy's address and its budget.
func (b *eventBudget) refused(log *slog.Logger) {
	b.mu.Lock()
	due := b.warned.due(b.now(), time.Minute)
	b.mu.Unlock()
	if due {
		log.Warn("a client address or visitor went over its recorded events a minute: their pages are served, their behaviour not recorded (--events-per-minute; behind a reverse proxy give its address with --trusted-proxies)")
	}
}
