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
type apiKeyLimiter struct {
	mu      sync.Mutex
	keys    map[uint]*rate.Limiter
	perSec  int
	now     func() time.Time // settable in tests
	warned  map[uint]time.Time
	log     *slog.Logger
	refused int64
}

// newAPIKeyLimiter allows perSecond requests a second per key, two
// seconds' worth at once; nil (no bound) when perSecond ≤ 0.
func newAPIKeyLimiter(perSecond int, log *slog.Logger) *apiKeyLimiter {
	if perSecond <= 0 {
		return nil
	}
	return &apiKeyLimiter{keys: map[uint]*rate.Limiter{}, warned: map[uint]time.Time{}, perSec: perSecond, now: time.Now, log: log}
}

// allow spends one request of the key, or says how long to wait for one.
func (l *apiKeyLimiter) allow(keyID uint, keyName string) (bool, time.Duration) {
	if l == nil {
		return true, 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.keys[keyID]
	if !ok {
		b = rate.NewLimiter(rate.Limit(l.perSec), 2*l.perSec)
		l.keys[keyID] = b
	}
	now := l.now()
	if b.AllowN(now, 1) {
		return true, 0
	}
	l.refused++
	if now.Sub(l.warned[keyID]) >= time.Minute {
		l.warned[keyID] = now
		l.log.Warn("API key over its rate limit: requests refused (429)", "api_key_id", keyID, "api_key", keyName,
			"per_second", l.perSec, "refused_so_far", l.refused)
	}
	return false, waitFor(b, now)
}

// refuse answers a key over its limit: 429, Retry-After in
// whole seconds, and a JSON message saying the limit.
func (l *apiKeyLimiter) refuse(c echo.Context, wait time.Duration) error {
	secs := max(1, int(math.Ceil(wait.Seconds())))
	c.Response().Header().Set("Retry-After", strconv.Itoa(secs))
	return echo.NewHTTPError(http.StatusTooManyRequests,
		fmt.Sprintf("too many requests with this API key: at most %d a second (%d at once); retry after %d s", l.perSec, 2*l.perSec, secs))
}
