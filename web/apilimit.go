package web

import (
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/time/rate"
)

// apiKeyLimiter bounds how fast one API key is served: a leaked key, or a
// tracker stuck in a retry loop, cannot take the database's write capacity
// (every events request waits for its batch to commit) or every
// recommendation from the shoppers' pages. Each key has its own token
// bucket, so one busy key does not slow another. Keys are made by admins,
// so the buckets are few; a revoked key's bucket is never used again.
//
// The same kind of bucket counts the events one key has stored: a request
// may carry up to MaxAPIEvents, so a bound on requests alone let one key
// store a thousand times as many events (each a row, and for a user id
// never seen before a shopper the next training reads).
type apiKeyLimiter struct {
	mu      sync.Mutex
	keys    map[uint]*rate.Limiter
	perSec  int
	burst   int
	unit    string           // what is counted: "requests" or "events"
	now     func() time.Time // settable in tests
	warned  map[uint]time.Time
	log     *slog.Logger
	refused int64
	// minBurst is the least burst an instance's share keeps (one full
	// batch of events); share says how many instances serve the database
	// (loginLimiter.share).
	minBurst int
	share    func() int
}

// newAPIKeyLimiter allows perSecond requests a second per key, two
// seconds' worth at once; nil (no bound) when perSecond ≤ 0.
func newAPIKeyLimiter(perSecond int, log *slog.Logger) *apiKeyLimiter {
	if perSecond <= 0 {
		return nil
	}
	return &apiKeyLimiter{keys: map[uint]*rate.Limiter{}, warned: map[uint]time.Time{}, perSec: perSecond, burst: 2 * perSecond,
		unit: "requests", now: time.Now, log: log}
}

// newAPIEventLimiter allows perSecond events a second per key, ten
// seconds' worth at once and never less than one full request
// (MaxAPIEvents), so every batch the API takes can be stored after a
// wait; nil (no bound) when perSecond ≤ 0.
func newAPIEventLimiter(perSecond int, log *slog.Logger) *apiKeyLimiter {
	l := newAPIKeyLimiter(perSecond, log)
	if l != nil {
		l.burst, l.unit, l.minBurst = max(10*perSecond, MaxAPIEvents), "events", MaxAPIEvents
	}
	return l
}

// allow spends one of the key's allowance, or says how long to wait for it.
func (l *apiKeyLimiter) allow(keyID uint, keyName string) (bool, time.Duration) {
	return l.allowN(keyID, keyName, 1)
}

// allowN spends n of the key's allowance at once, or none of it and says
// how long to wait until n are there.
func (l *apiKeyLimiter) allowN(keyID uint, keyName string, n int) (bool, time.Duration) {
	if l == nil {
		return true, 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	// This instance's share: N instances each refill N times slower and
	// hold an N-th of the burst (at least minBurst).
	perSec, burst, now := rate.Limit(l.perSec), l.burst, l.now()
	if l.share != nil {
		if n := l.share(); n > 1 {
			perSec, burst = perSec/rate.Limit(n), max(shareOf(burst, n), l.minBurst)
		}
	}
	b, ok := l.keys[keyID]
	if !ok {
		b = rate.NewLimiter(perSec, burst)
		l.keys[keyID] = b
	} else {
		if b.Burst() != burst {
			b.SetBurstAt(now, burst)
		}
		if b.Limit() != perSec {
			b.SetLimitAt(now, perSec)
		}
	}
	if b.AllowN(now, n) {
		return true, 0
	}
	l.refused++
	if now.Sub(l.warned[keyID]) >= time.Minute {
		l.warned[keyID] = now
		l.log.Warn("API key over its rate limit: "+l.unit+" refused (429)", "api_key_id", keyID, "api_key", keyName,
			"per_second", l.perSec, "refused_so_far", l.refused)
	}
	return false, waitForN(b, now, n)
}

// refuse answers a key over its limit: 429, Retry-After in
// whole seconds, and a JSON message saying the limit.
func (l *apiKeyLimiter) refuse(c echo.Context, wait time.Duration) error {
	secs := max(1, int(math.Ceil(wait.Seconds())))
	c.Response().Header().Set("Retry-After", strconv.Itoa(secs))
	msg := fmt.Sprintf("too many %s with this API key: at most %d a second (%d at once); retry after %d s", l.unit, l.perSec, l.burst, secs)
	if l.unit == "events" {
		msg += "; none of this batch was stored"
	}
	return echo.NewHTTPError(http.StatusTooManyRequests, msg)
}
