package web

import (
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// loginLimiter limits attempts per client address and per account, so
// neither one address nor a spread of addresses can guess passwords fast.
type loginLimiter struct {
	mu      sync.Mutex
	buckets map[string]*limiterEntry
	perIP   rate.Limit
	perAcct rate.Limit
	burst   int
}

type limiterEntry struct {
	l    *rate.Limiter
	seen time.Time
}

func newLoginLimiter() *loginLimiter {
	return &loginLimiter{buckets: map[string]*limiterEntry{}, perIP: rate.Every(6 * time.Second), perAcct: rate.Every(12 * time.Second), burst: 10}
}

func (l *loginLimiter) get(key string, r rate.Limit) *rate.Limiter {
	now := time.Now()
	e, ok := l.buckets[key]
	if !ok {
		if len(l.buckets) > 100000 {
			for k, v := range l.buckets {
				if now.Sub(v.seen) > 10*time.Minute {
					delete(l.buckets, k)
				}
			}
		}
		e = &limiterEntry{l: rate.NewLimiter(r, l.burst)}
		l.buckets[key] = e
	}
	e.seen = now
	return e.l
}

// allow reports whether another attempt from ip for account may be tried.
func (l *loginLimiter) allow(ip, account string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	okIP := l.get("ip:"+ip, l.perIP).Allow()
	okAcct := l.get("acct:"+strings.ToLower(strings.TrimSpace(account)), l.perAcct).Allow()
	return okIP && okAcct
}
