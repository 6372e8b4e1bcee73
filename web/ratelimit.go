package web

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/labstack/echo/v4"
	"golang.org/x/time/rate"

	"storefront/models"
)

// loginAllowanceSweep is how many attempts an instance spends from the
// shared account allowances between deletions of the whole ones, which
// bounds the table to the accounts named within an allowance's refill
// (12 minutes) and a few hundred more.
const loginAllowanceSweep = 256

// maxLimiterKeys bounds the limiter's memory: the least recently used
// buckets are forgotten first (about 200 bytes each, so a few MiB at most,
// whatever clients send).
const maxLimiterKeys = 20_000

// loginLimiter limits attempts per client address, per address and
// account, and per account, so neither one address nor a spread of
// addresses can guess passwords fast.
//
// The per-account allowance is the one a load balancer in front of several
// instances cannot keep (it limits by address, not by the account a form
// names), so a server keeps it in the database (shared), spent by every
// instance alike; the address limits stay per instance, in memory.
//
// One address cannot lock an owner out: an account's allowance is spent only
// by attempts the address limits let through, and one address may spend
// less of it than it refills. A refusal is a back-off (wait some seconds),
// never a lock-out.
type loginLimiter struct {
	mu      sync.Mutex
	buckets *lru.Cache[string, *rate.Limiter]
	perIP   limit // one address, any accounts (shared networks log in a lot)
	perPair limit // one address, one account
	perAcct limit // one account, all addresses: ASVS's 100 failures an hour
	// perReset is one address's reset links, to any accounts: the login
	// limits alone let one address have the shop mail 600 owners an hour.
	perReset limit
	now      func() time.Time // the clock; settable in tests
	// shared, when set, keeps the per-account allowance for every instance
	// (models.SpendLoginAllowance); nil keeps it here, in memory. When it
	// fails (the database unreachable) the one in memory is used.
	shared sharedAllowance
	log    *slog.Logger
	// share, when set, says how many instances serve the database: each
	// keeps its share of the limits kept here (shared).
	share func() int
}

// sharedAllowance spends one attempt of key's allowance lim at now, or
// says how long until one is left.
type sharedAllowance func(ctx context.Context, key string, now time.Time, lim limit) (bool, time.Duration, error)

// limit is a token bucket's refill rate and burst.
type limit struct {
	every time.Duration
	burst int
}

func newLoginLimiter() *loginLimiter {
	buckets, err := lru.New[string, *rate.Limiter](maxLimiterKeys)
	if err != nil {
		panic(err) // only for a size ≤ 0
	}
	return &loginLimiter{buckets: buckets, now: time.Now,
		perIP:   limit{every: 6 * time.Second, burst: 10},
		perPair: limit{every: time.Minute, burst: 5},
		perAcct: limit{every: 36 * time.Second, burst: 20},
		// Five at once, then one every 12 minutes: a household or an
		// office behind one address asks for a few; a script asking for
		// every address it knows mails at most ten owners an hour.
		perReset: limit{every: 12 * time.Minute, burst: 5},
	}
}

// bucket returns the limiter for key, creating it when it is new, at this
// instance's share of lim.
func (l *loginLimiter) bucket(key string, lim limit) *rate.Limiter {
	return sharedBucket(l.buckets, key, lim, l.share, l.now())
}

// sharedBucket is buckets' limiter for key at this instance's share of lim
// (instances: loginLimiter.share), created when it is new, brought to the
// share when the instances' count changed it.
func sharedBucket(buckets *lru.Cache[string, *rate.Limiter], key string, lim limit, instances func() int, now time.Time) *rate.Limiter {
	lim = lim.share(instances)
	if b, ok := buckets.Get(key); ok {
		lim.apply(b, now)
		return b
	}
	b := rate.NewLimiter(rate.Every(lim.every), lim.burst)
	buckets.Add(key, b)
	return b
}

// rareWarning says when a warning is worth logging: the first, then at
// most one a period (its owner's lock held).
type rareWarning struct{ last time.Time }

// due reports whether a warning at now is logged, at most one every, and
// counts it so.
func (w *rareWarning) due(now time.Time, every time.Duration) bool {
	if now.Sub(w.last) < every {
		return false
	}
	w.last = now
	return true
}

// share is one instance's part of lim when instances (nil: one) serve the
// database together: N instances each refill N times slower and hold a
// burst of an N-th (rounded up, at least one), so together they allow
// about the figure, not N times it.
func (lim limit) share(instances func() int) limit {
	if instances == nil {
		return lim
	}
	n := instances()
	if n <= 1 {
		return lim
	}
	return limit{every: lim.every * time.Duration(n), burst: shareOf(lim.burst, n)}
}

// shareOf is an n-th of burst, rounded up, at least one.
func shareOf(burst, n int) int { return max((burst+n-1)/n, 1) }

// apply sets b to lim when the instances' count changed it.
func (lim limit) apply(b *rate.Limiter, now time.Time) {
	if b.Burst() != lim.burst {
		b.SetBurstAt(now, lim.burst)
	}
	if want := rate.Every(lim.every); b.Limit() != want {
		b.SetLimitAt(now, want)
	}
}

// allow reports whether another attempt from ip for account may be tried;
// when not, it says how long to wait.
func (l *loginLimiter) allow(ctx context.Context, ip, account string) (bool, time.Duration) {
	return l.allowWith(ctx, ip, account, false)
}

// allowReset is allow for a password reset link: the address's reset
// limit comes first. It counts every request, whether an account uses the
// address or not, so a refusal (the same for any address) tells nothing
// about accounts.
func (l *loginLimiter) allowReset(ctx context.Context, ip, account string) (bool, time.Duration) {
	return l.allowWith(ctx, ip, account, true)
}

func (l *loginLimiter) allowWith(ctx context.Context, ip, account string, reset bool) (bool, time.Duration) {
	now := l.now()
	if l.shared == nil {
		return l.allowHere(ip, account, reset, now, true)
	}
	// The address limits first, unspent: the account's allowance is spent
	// only for what they let through. No lock is held while the database
	// answers; two attempts of one address at that moment may both pass
	// its check, and the second then spends nothing of it.
	if ok, wait := l.allowHere(ip, account, reset, now, false); !ok {
		return false, wait
	}
	ok, wait, err := l.shared(ctx, accountKey(account), now, l.perAcct)
	if err != nil {
		if l.log != nil {
			l.log.Warn("login limit: the shared account allowance is unavailable; this instance's own is used", "err", err)
		}
		return l.allowHere(ip, account, reset, now, true)
	}
	if !ok {
		return false, wait
	}
	l.spendHere(ip, account, reset, now)
	return true, 0
}

// limitsFor lists the buckets an attempt passes, in order; withAccount adds
// the account's own.
func (l *loginLimiter) limitsFor(ip, account string, reset, withAccount bool) []keyedLimit {
	addr, acct := addressKey(ip), accountKey(account)
	limits := []keyedLimit{{"ip:" + addr, l.perIP}, {"pair:" + accountKey(addr+"\x00"+acct), l.perPair}}
	if withAccount {
		limits = append(limits, keyedLimit{"acct:" + acct, l.perAcct})
	}
	if reset {
		limits = append([]keyedLimit{{"reset-ip:" + addr, l.perReset}}, limits...)
	}
	return limits
}

type keyedLimit struct {
	key string
	lim limit
}

// spendHere spends an allowed attempt from the address limits in memory.
func (l *loginLimiter) spendHere(ip, account string, reset bool, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, k := range l.limitsFor(ip, account, reset, false) {
		l.bucket(k.key, k.lim).AllowN(now, 1)
	}
}

// allowHere checks the limits kept in memory. whole: all of them, the
// account's too, spent when they all allow the attempt; otherwise the
// address limits alone, unspent (the account's allowance is shared).
func (l *loginLimiter) allowHere(ip, account string, reset bool, now time.Time, whole bool) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	limits := l.limitsFor(ip, account, reset, whole)
	// In this order, and a refusal stops there: a bucket is created or
	// spent only for what the earlier limits let through.
	var pass []*rate.Limiter
	for _, k := range limits {
		b := l.bucket(k.key, k.lim)
		if wait := waitForN(b, now, 1); wait > 0 {
			return false, wait
		}
		pass = append(pass, b)
	}
	if !whole {
		return true, 0
	}
	for _, b := range pass {
		b.AllowN(now, 1)
	}
	return true, 0
}

// waitForN is how long until bucket b holds n tokens; 0 when it does now.
func waitForN(b *rate.Limiter, now time.Time, n int) time.Duration {
	tokens := b.TokensAt(now)
	if tokens >= float64(n) {
		return 0
	}
	return time.Duration(math.Ceil((float64(n)-tokens)/float64(b.Limit())*1000)) * time.Millisecond
}

// addressKey is the client's address; IPv6 clients are limited per /64,
// the block one subscriber usually holds, so rotating through it does not
// give fresh allowances.
func addressKey(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip[:min(len(ip), 64)]
	}
	if a.Is6() && !a.Is4In6() {
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.Unmap().String()
}

// loginAccount is the account a form's attempt is counted on: the form's
// kind and the email as the shop reads it (trimmed, lower-cased and in
// Unicode normal form C, as models.NormalizeEmail does). The kind is added after the email is
// trimmed: "staff:"+"\t admin@…" kept the tab, and every variant of
// leading white space was an account of its own with a fresh allowance,
// while the login trimmed it and checked the admin's password.
func loginAccount(kind, email string) string {
	if len(email) > models.MaxEmailLength+64 {
		// Never an account (NormalizeEmail refuses it); not worth folding.
		return kind + strings.ToLower(strings.TrimSpace(email))
	}
	return kind + models.FoldEmail(email)
}

// accountKey is a fixed-size key for what the client typed: the same for
// any spelling of an address, and 64 bytes whether the client sent an
// email or a megabyte.
func accountKey(account string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(account))))
	return hex.EncodeToString(sum[:])
}

// waitMessage tells a refused client how long to wait, in whole seconds.
func waitMessage(prefix string, wait time.Duration) string {
	switch secs := int(math.Ceil(wait.Seconds())); {
	case secs <= 1:
		return prefix + " Wait a second and try again."
	case secs <= 90:
		return prefix + " Wait " + strconv.Itoa(secs) + " seconds and try again."
	default:
		return prefix + " Wait " + strconv.Itoa((secs+59)/60) + " minutes and try again."
	}
}

// refuseAttempt answers a rate-limited form with 429, a Retry-After header
// and the page that says how long to wait.
func refuseAttempt(c echo.Context, wait time.Duration) {
	c.Response().Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
}
