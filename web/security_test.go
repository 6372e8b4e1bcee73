package web

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/labstack/echo/v4"

	"storefront/models"
)

// serveShop starts another server, with its own configuration, on the
// database of an existing test shop. tweak runs before the first request.
func serveShop(tb testing.TB, db *models.DB, cfg Config, useTLS bool, tweak func(*Server)) *testShop {
	tb.Helper()
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	srv, err := New(context.Background(), cfg, db)
	must(tb, err)
	if tweak != nil {
		tweak(srv)
	}
	ts := httptest.NewUnstartedServer(srv.Handler())
	if useTLS {
		ts.StartTLS()
	} else {
		ts.Start()
	}
	tb.Cleanup(func() {
		ts.Close()
		srv.Close(context.Background())
	})
	return &testShop{t: tb, db: db, srv: srv, ts: ts}
}

// cookie returns the value of a cookie the client holds for the shop.
func (c *client) cookie(name string) string {
	u, _ := url.Parse(c.shop.ts.URL)
	for _, ck := range c.hc.Jar.Cookies(u) {
		if ck.Name == name {
			return ck.Value
		}
	}
	return ""
}

// withSession is a new browser that presents only this session token, as
// an attacker replaying a stolen or old cookie would.
func (s *testShop) withSession(token string) *client {
	s.t.Helper()
	c := s.newClient()
	u, _ := url.Parse(s.ts.URL)
	c.hc.Jar.SetCookies(u, []*http.Cookie{{Name: "sf_session", Value: token, Path: "/"}})
	return c
}

// isShopper reports whether the client's session is a logged-in shopper.
func (c *client) isShopper() bool {
	c.shop.t.Helper()
	res, _ := c.get("/account")
	return res.StatusCode == http.StatusOK
}

// send makes a request with an exact form and headers (no CSRF token is
// added) and parses the answer.
func (c *client) send(method, path string, form url.Values, header map[string]string) (*http.Response, *goquery.Document) {
	c.shop.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, c.shop.ts.URL+path, body)
	must(c.shop.t, err)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := c.hc.Do(req)
	must(c.shop.t, err)
	defer res.Body.Close()
	doc, err := goquery.NewDocumentFromReader(res.Body)
	must(c.shop.t, err)
	return res, doc
}

// token is the CSRF token of a page's forms.
// postPage submits a form with the CSRF token of the page at from and
// parses the page it answers with (no redirect followed).
func (c *client) postPage(from, path string, form url.Values) (*http.Response, *goquery.Document) {
	c.shop.t.Helper()
	form.Set("_csrf", c.token(from))
	return c.send(http.MethodPost, path, form, nil)
}

func (c *client) token(from string) string {
	c.shop.t.Helper()
	_, doc := c.get(from)
	tok := csrf(doc)
	if tok == "" {
		c.shop.t.Fatalf("no CSRF token on %s", from)
	}
	return tok
}

func (s *testShop) sessionExists(token string) bool {
	s.t.Helper()
	var n int64
	must(s.t, s.db.R.Raw(`SELECT COUNT(*) FROM sessions WHERE token = ?`, token).Scan(&n).Error)
	return n > 0
}

func findCookie(res *http.Response, name string) *http.Cookie {
	for _, ck := range res.Cookies() {
		if ck.Name == name {
			return ck
		}
	}
	return nil
}

func TestSessionCookieFlags(t *testing.T) {
	for _, tc := range []struct {
		name   string
		secure bool
	}{{"plain http", false}, {"behind TLS with --secure-cookies", true}} {
		t.Run(tc.name, func(t *testing.T) {
			shop := serveShop(t, mustOpenShop(t).db, Config{SecureCookies: tc.secure}, tc.secure, nil)
			c := shop.newClient()
			first, _ := c.get("/login")
			res := c.post("/login", "/login", url.Values{"email": {"ada@example.com"}, "password": {testPassword}})
			if res.StatusCode != http.StatusSeeOther {
				t.Fatalf("login: %d", res.StatusCode)
			}
			csrfName := csrfCookieName(tc.secure)
			if tc.secure != strings.HasPrefix(csrfName, "__Host-") {
				t.Errorf("CSRF cookie %q with secure cookies %t: the __Host- prefix is for TLS only", csrfName, tc.secure)
			}
			sessName := sessionCookieName(tc.secure)
			vidName, _ := visitorCookieName(tc.secure)
			cookies := map[string]*http.Cookie{sessName: findCookie(res, sessName),
				csrfName: findCookie(first, csrfName), vidName: findCookie(first, vidName)}
			for name, ck := range cookies {
				// Behind TLS every cookie of the shop carries the __Host-
				// prefix, so no sibling subdomain can plant one.
				if tc.secure != strings.HasPrefix(name, "__Host-") {
					t.Errorf("cookie %q with secure cookies %t: the __Host- prefix is for TLS, and needed there", name, tc.secure)
				}
				if ck != nil && (ck.Path != "/" || ck.Domain != "") {
					t.Errorf("%s: Path %q Domain %q; a __Host- cookie needs Path / and no Domain", name, ck.Path, ck.Domain)
				}
			}
			for name, ck := range cookies {
				if ck == nil {
					t.Fatalf("no %s cookie set", name)
				}
				if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Secure != tc.secure {
					t.Errorf("%s: HttpOnly=%t SameSite=%v Secure=%t; want HttpOnly, Lax, Secure=%t", name, ck.HttpOnly, ck.SameSite, ck.Secure, tc.secure)
				}
			}
			if hsts := res.Header.Get("Strict-Transport-Security"); (hsts != "") != tc.secure {
				t.Errorf("Strict-Transport-Security %q with secure cookies %t", hsts, tc.secure)
			}
		})
	}
}

// A page on a sibling subdomain of the shop's domain is the same site: it
// could set the double-submit CSRF cookie for the shop's parent domain and
// then post a form carrying that token, which Echo accepts from a same-site
// request. Behind TLS the token is read only from a __Host- cookie, which a
// browser keeps only when the shop's own host set it, so a planted sf_csrf
// is ignored and the post refused.
func TestPlantedCSRFCookieIsRefused(t *testing.T) {
	shop := serveShop(t, mustOpenShop(t).db, Config{SecureCookies: true}, true, nil)
	tent := shop.product("SKU-1")
	c := shop.newClient()
	c.get("/")
	const planted = "planted-by-a-sibling-subdomain-0"
	form := url.Values{"_csrf": {planted}, "product_id": {utoa(tent.ID)}, "quantity": {"1"}}
	req, err := http.NewRequest(http.MethodPost, shop.ts.URL+"/cart/add", strings.NewReader(form.Encode()))
	must(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-site")
	req.AddCookie(&http.Cookie{Name: "sf_csrf", Value: planted})
	req.AddCookie(&http.Cookie{Name: "sf_vid", Value: c.cookie("sf_vid")})
	res, err := c.hc.Do(req)
	must(t, err)
	res.Body.Close()
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("a post with a planted CSRF cookie and its token: %d, want 403", res.StatusCode)
	}
	if _, doc := c.get("/cart"); doc.Find(`[data-testid="cart-total"]`).Length() != 0 {
		t.Error("the forged add to cart changed the cart")
	}
	// The shop's own token still works.
	if res := c.post(productPath(tent), "/cart/add", url.Values{"product_id": {utoa(tent.ID)}, "quantity": {"1"}}); res.StatusCode != http.StatusSeeOther {
		t.Errorf("add to cart with the shop's own token behind TLS: %d", res.StatusCode)
	}
}

func TestSessionIDRotatesAtLogin(t *testing.T) {
	for _, tc := range []struct{ name, loginPath, protected string }{
		{"shopper", "/login", "/account"},
		{"staff (privilege change)", "/admin/login", "/admin/layout"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			shop := mustOpenShop(t)
			email := "ada@example.com"
			if tc.loginPath == "/admin/login" {
				email = shop.addStaff(models.RoleMerchandiser)
			}
			c := shop.newClient()
			// A visitor's session exists before login (the cart flash uses it);
			// an attacker who planted or read it must not inherit the login.
			tent := shop.product("SKU-1")
			c.post(productPath(tent), "/cart/add", url.Values{"product_id": {utoa(tent.ID)}, "quantity": {"1"}})
			before := c.cookie("sf_session")
			if before == "" {
				t.Fatal("no session before login")
			}
			res := c.post(tc.loginPath, tc.loginPath, url.Values{"email": {email}, "password": {testPassword}})
			if res.StatusCode != http.StatusSeeOther {
				t.Fatalf("login: %d", res.StatusCode)
			}
			after := c.cookie("sf_session")
			if after == "" || after == before {
				t.Fatalf("session id not rotated at login: before %q, after %q", before, after)
			}
			if shop.sessionExists(before) {
				t.Error("the pre-login session is still stored")
			}
			if res, _ := shop.withSession(before).get(tc.protected); res.StatusCode == http.StatusOK {
				t.Errorf("replaying the pre-login session id opens %s", tc.protected)
			}
			if res, _ := shop.withSession(after).get(tc.protected); res.StatusCode != http.StatusOK {
				t.Errorf("the new session id does not open %s: %d", tc.protected, res.StatusCode)
			}
		})
	}
}

func TestLogoutEndsSessionOnServer(t *testing.T) {
	shop := mustOpenShop(t)
	c := shop.shopperClient()
	tok := c.cookie("sf_session")
	if !shop.withSession(tok).isShopper() {
		t.Fatal("the session does not work before logout")
	}
	if res := c.post("/account", "/logout", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout: %d", res.StatusCode)
	}
	if shop.sessionExists(tok) {
		t.Error("session row kept after logout")
	}
	if shop.withSession(tok).isShopper() {
		t.Fatal("a copy of the old session cookie still logs in after logout")
	}
}

func TestSessionTimeouts(t *testing.T) {
	t.Run("configured", func(t *testing.T) {
		srv := mustOpenShop(t).srv
		sm := srv.sessions
		if srv.idleTimeout != 72*time.Hour || sm.Lifetime != 14*24*time.Hour || !sm.Cookie.HttpOnly {
			t.Fatalf("idle %s, lifetime %s, HttpOnly %t; want 72h, 336h, true", srv.idleTimeout, sm.Lifetime, sm.Cookie.HttpOnly)
		}
	})
	// Idle expiry runs on the server's clock, which the tests move by hand.
	t.Run("idle session expires on the server", func(t *testing.T) {
		clock := newTestClock()
		shop := serveShop(t, mustOpenShop(t).db, Config{}, false, func(s *Server) { s.now = clock.Now })
		tok := shop.shopperClient().cookie("sf_session")
		if !shop.withSession(tok).isShopper() {
			t.Fatal("fresh session not logged in")
		}
		clock.Advance(72*time.Hour - time.Minute)
		if !shop.withSession(tok).isShopper() {
			t.Fatal("session ended before the idle timeout")
		}
		clock.Advance(72*time.Hour + time.Minute)
		if shop.withSession(tok).isShopper() {
			t.Fatal("session still valid after the idle timeout")
		}
		if shop.sessionExists(tok) {
			t.Fatal("the idle session is still stored on the server")
		}
	})
	t.Run("an active session stays signed in past the idle timeout", func(t *testing.T) {
		clock := newTestClock()
		shop := serveShop(t, mustOpenShop(t).db, Config{}, false, func(s *Server) { s.now = clock.Now })
		tok := shop.shopperClient().cookie("sf_session")
		for range 10 { // 10 visits 20 hours apart: 200 hours, each gap under 72
			clock.Advance(20 * time.Hour)
			if !shop.withSession(tok).isShopper() {
				t.Fatal("an active session was signed out as idle")
			}
		}
	})
	t.Run("page views do not rewrite the session", func(t *testing.T) {
		shop := mustOpenShop(t)
		c := shop.shopperClient()
		stored := func() string {
			var data []byte
			must(t, shop.db.R.Raw("SELECT data FROM sessions WHERE token = ?", c.cookie("sf_session")).Row().Scan(&data))
			return string(data)
		}
		c.get("/") // shows (and so removes) the welcome message
		before := stored()
		for range 3 {
			c.get("/")
			c.get("/c/outdoor")
		}
		if stored() != before {
			t.Fatal("reading pages rewrote the stored session: a write per page view")
		}
	})
	t.Run("absolute lifetime ends an active session", func(t *testing.T) {
		t.Parallel()
		shop := serveShop(t, mustOpenShop(t).db, Config{}, false, func(s *Server) {
			s.sessions.Lifetime, s.idleTimeout = 4*time.Second, time.Hour
		})
		c := shop.shopperClient()
		tok := c.cookie("sf_session")
		start := time.Now()
		for time.Since(start) < 1500*time.Millisecond {
			if !shop.withSession(tok).isShopper() {
				t.Fatal("session ended before its lifetime")
			}
			time.Sleep(500 * time.Millisecond)
		}
		time.Sleep(time.Until(start.Add(5 * time.Second)))
		if shop.withSession(tok).isShopper() {
			t.Fatal("an active session outlived its absolute lifetime")
		}
	})
}

// slowRefill keeps the limiter's burst but stops it refilling during a
// test, so a slow machine cannot earn an extra attempt between requests.
func slowRefill(s *Server) {
	s.limiter.perIP.every, s.limiter.perPair.every, s.limiter.perAcct.every = time.Hour, time.Hour, time.Hour
}

func loginForm(tok, email, password string) url.Values {
	return url.Values{"_csrf": {tok}, "email": {email}, "password": {password}}
}

func TestLoginRateLimit(t *testing.T) {
	t.Run("per account, with a clear message", func(t *testing.T) {
		shop := serveShop(t, mustOpenShop(t).db, Config{}, false, slowRefill)
		c := shop.newClient()
		tok := c.token("/login")
		for i := 1; i <= shop.srv.limiter.perPair.burst; i++ {
			if res, _ := c.send(http.MethodPost, "/login", loginForm(tok, "ada@example.com", "wrong password"), nil); res.StatusCode != http.StatusUnauthorized {
				t.Fatalf("attempt %d: %d, want 401", i, res.StatusCode)
			}
		}
		res, doc := c.send(http.MethodPost, "/login", loginForm(tok, "ada@example.com", testPassword), nil)
		if res.StatusCode != http.StatusTooManyRequests {
			t.Fatalf("attempt after the allowance: %d, want 429", res.StatusCode)
		}
		if msg := doc.Find(`[data-testid="auth-error"]`).Text(); !strings.Contains(msg, "Too many login attempts") || !strings.Contains(msg, "Wait") {
			t.Fatalf("message %q does not say what happened and what to do", msg)
		}
		if c.isShopper() {
			t.Fatal("the right password got through the limit")
		}
	})
	t.Run("per address, whatever X-Forwarded-For says", func(t *testing.T) {
		shop := serveShop(t, mustOpenShop(t).db, Config{}, false, slowRefill)
		c := shop.newClient()
		tok := c.token("/login")
		for i := 1; i <= 11; i++ {
			res, _ := c.send(http.MethodPost, "/login", loginForm(tok, "user"+utoa(uint(i))+"@example.com", "wrong password"),
				map[string]string{"X-Forwarded-For": "203.0.113." + utoa(uint(i))})
			want := http.StatusUnauthorized
			if i == 11 {
				want = http.StatusTooManyRequests
			}
			if res.StatusCode != want {
				t.Fatalf("attempt %d: %d, want %d", i, res.StatusCode, want)
			}
		}
	})
	t.Run("per account across addresses", func(t *testing.T) {
		l := newLoginLimiter()
		for i := range l.perAcct.burst {
			if ok, _ := l.allow(context.Background(), "198.51.100."+utoa(uint(i)), "ada@example.com"); !ok {
				t.Fatalf("attempt %d refused", i+1)
			}
		}
		if ok, _ := l.allow(context.Background(), "198.51.100.200", " ADA@example.com"); ok {
			t.Fatal("one more address could keep guessing the same account")
		}
		if ok, _ := l.allow(context.Background(), "198.51.100.201", "bob@example.com"); !ok {
			t.Fatal("another account from a fresh address was refused")
		}
	})
}

// Behind the reverse proxy the deployment docs put in front (nginx, a TLS
// terminator), every request comes from the proxy's address. Told which
// proxies to trust, the shop limits each client by the address the proxy
// forwarded for: one client spending its allowance does not lock every
// other shopper out, and what a client writes into X-Forwarded-For itself
// changes nothing. Without the setting, X-Forwarded-For is ignored.
func TestLoginLimitsEachClientBehindATrustedProxy(t *testing.T) {
	proxies, err := ParseTrustedProxies("127.0.0.1, 10.0.0.0/24")
	must(t, err)
	shop := serveShop(t, mustOpenShop(t).db, Config{TrustedProxies: proxies}, false, slowRefill)
	// nginx's $proxy_add_x_forwarded_for: what the client sent, then the
	// address it connected from.
	via := func(client string, spoofed ...string) map[string]string {
		return map[string]string{"X-Forwarded-For": strings.Join(append(spoofed, client), ", ")}
	}
	attacker := shop.newClient()
	tok := attacker.token("/login")
	for i := 1; i <= shop.srv.limiter.perIP.burst+1; i++ {
		// Each guess claims another address in front of the real one.
		res, _ := attacker.send(http.MethodPost, "/login", loginForm(tok, "user"+utoa(uint(i))+"@example.com", "wrong password"),
			via("203.0.113.66", "198.51.100."+utoa(uint(i))))
		want := http.StatusUnauthorized
		if i > shop.srv.limiter.perIP.burst {
			want = http.StatusTooManyRequests
		}
		if res.StatusCode != want {
			t.Fatalf("guess %d through the proxy: %d, want %d", i, res.StatusCode, want)
		}
	}
	owner := shop.newClient()
	tok = owner.token("/login")
	if res, _ := owner.send(http.MethodPost, "/login", loginForm(tok, "ada@example.com", testPassword), via("198.51.100.7")); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("a shopper behind the same proxy after another client's guesses: %d, want 303 (signed in)", res.StatusCode)
	}

	for _, bad := range []string{"10.0.0.0/33", "proxy.internal", "0.0.0.0/0"} {
		if _, err := ParseTrustedProxies(bad); err == nil {
			t.Errorf("trusted proxy %q accepted", bad)
		}
	}
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.RemoteAddr = "203.0.113.9:4711" // not a proxy: its header is its own
	req.Header.Set("X-Forwarded-For", "198.51.100.7")
	if got := clientIP(proxies, nil)(req); got != "203.0.113.9" {
		t.Errorf("a client connecting directly is %s, want its own address 203.0.113.9", got)
	}
}

// A load balancer that writes its client with a port (or an IPv6 client in
// brackets) still tells its clients apart: before, Echo trusted no entry of
// such a header and every client behind the proxy was the proxy itself, one
// login allowance for all of them.
func TestClientsBehindAProxyThatWritesPortsAreToldApart(t *testing.T) {
	proxies, err := ParseTrustedProxies("127.0.0.1, 10.0.0.0/24")
	must(t, err)
	extract := clientIP(proxies, nil)
	for _, c := range []struct{ header, want string }{
		{"203.0.113.5:4711", "203.0.113.5"},
		{"[2001:db8::7]:443", "2001:db8::7"},
		{"[2001:db8::8]", "2001:db8::8"},
		{"198.51.100.9:1, 203.0.113.6:50123", "203.0.113.6"}, // the client's own entry is skipped
		{"203.0.113.7:80, 10.0.0.2:9000", "203.0.113.7"},     // through two trusted proxies
		{"203.0.113.8", "203.0.113.8"},
		{"proxy.example:80", "10.0.0.1"}, // no address: the proxy's own, as before
	} {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.RemoteAddr = "10.0.0.1:34567"
		req.Header.Set("X-Forwarded-For", c.header)
		if got := extract(req); got != c.want {
			t.Errorf("X-Forwarded-For %q: the client is %s, want %s", c.header, got, c.want)
		}
		if got := req.Header.Get("X-Forwarded-For"); got != c.header {
			t.Errorf("the request's header was rewritten to %q", got)
		}
	}
	// Two shoppers behind such a balancer: one's failed logins do not
	// spend the other's allowance.
	shop := serveShop(t, mustOpenShop(t).db, Config{TrustedProxies: proxies}, false, slowRefill)
	via := func(client string) map[string]string { return map[string]string{"X-Forwarded-For": client} }
	attacker := shop.newClient()
	tok := attacker.token("/login")
	for i := 1; i <= shop.srv.limiter.perIP.burst+1; i++ {
		res, _ := attacker.send(http.MethodPost, "/login", loginForm(tok, "user"+utoa(uint(i))+"@example.com", "wrong password"), via("203.0.113.66:"+utoa(uint(40000+i))))
		if i > shop.srv.limiter.perIP.burst && res.StatusCode != http.StatusTooManyRequests {
			t.Fatalf("guess %d: %d, want 429", i, res.StatusCode)
		}
	}
	owner := shop.newClient()
	tok = owner.token("/login")
	if res, _ := owner.send(http.MethodPost, "/login", loginForm(tok, "ada@example.com", testPassword), via("198.51.100.7:51515")); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("a shopper behind the same balancer after another client's guesses: %d, want 303 (signed in)", res.StatusCode)
	}
}

// Behind a trusted proxy every request's X-Forwarded-For is read for ports:
// a header of bare addresses, the usual one, is passed on as it is and costs
// no allocation (it allocated a slice of its entries and each address parsed
// on every request).
func TestBareForwardedAddressesAreReadWithoutAllocating(t *testing.T) {
	for _, header := range []string{"203.0.113.5", "198.51.100.9, 203.0.113.6", "2001:db8::7, 10.0.0.2", "unknown"} {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.Header.Set("X-Forwarded-For", header)
		if got := withoutPorts(req); got != req {
			t.Errorf("X-Forwarded-For %q: the request was copied", header)
		}
		if n := testing.AllocsPerRun(50, func() { withoutPorts(req) }); n != 0 {
			t.Errorf("X-Forwarded-For %q: %.0f allocations a request, want none", header, n)
		}
	}
}

// Every spelling of an account that logs in to it spends its allowance:
// the staff and registration limits keyed "staff:"+email before trimming,
// so each variant of leading white space (" admin@…", "\t\tadmin@…") was
// an account of its own while the login trimmed it and checked the
// admin's password. Spread over addresses, guesses were not limited at
// all (ASVS's 100 failures an hour per account).
func TestEverySpellingOfAnAccountSharesItsLimit(t *testing.T) {
	proxies, err := ParseTrustedProxies("127.0.0.1")
	must(t, err)
	shop := serveShop(t, mustOpenShop(t).db, Config{TrustedProxies: proxies}, false, slowRefill)
	email := shop.addStaff(models.RoleAdmin)
	burst := shop.srv.limiter.perAcct.burst
	for _, form := range []struct{ path, field string }{{"/admin/login", "staff"}, {"/login", "shopper"}} {
		account := email
		if form.field == "shopper" {
			account = "ada@example.com"
		}
		attacker := shop.newClient()
		tok := attacker.token(form.path)
		for i := 0; i <= burst; i++ {
			// One guess per address, each with another spelling of the account.
			spelling := strings.Repeat(" ", i%4) + strings.Repeat("\t", i/4) + strings.ToUpper(account[:1]) + account[1:]
			res, _ := attacker.send(http.MethodPost, form.path, loginForm(tok, spelling, "wrong password"),
				map[string]string{"X-Forwarded-For": "198.51." + utoa(uint(len(form.path))) + "." + utoa(uint(i+1))})
			want := http.StatusUnauthorized
			if i >= burst {
				want = http.StatusTooManyRequests
			}
			if res.StatusCode != want {
				t.Fatalf("%s guess %d (%q) from its own address: %d, want %d: the account's %d guesses are spent", form.field, i+1, spelling, res.StatusCode, want, burst)
			}
		}
	}

}

// testClock is a clock tests move by hand instead of sleeping.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func newTestClock() *testClock { return &testClock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)} }

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// Huge or endless distinct emails must not grow the server: buckets are
// bounded, keys have a fixed size, and refused attempts create nothing.
func TestLoginLimiterMemoryIsBounded(t *testing.T) {
	l := newLoginLimiter()
	l.now = newTestClock().Now // no refills while the test runs
	huge := strings.Repeat("a", 1<<20) + "@example.com"
	for i := range 400 {
		l.allow(context.Background(), "203.0.113.7", huge+utoa(uint(i)))
	}
	if n := l.buckets.Len(); n != 1+2*10 {
		t.Errorf("%d buckets after 400 attempts from one address (10 let through), want 21: refused attempts must not create buckets", n)
	}
	for _, k := range l.buckets.Keys() {
		if len(k) > 80 {
			t.Fatalf("a bucket key of %d bytes: keys must not grow with the input", len(k))
		}
	}
	for i := range maxLimiterKeys + 5000 {
		l.allow(context.Background(), fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255), "user"+utoa(uint(i))+"@example.com")
	}
	if n := l.buckets.Len(); n > maxLimiterKeys {
		t.Errorf("%d buckets, more than the bound %d", n, maxLimiterKeys)
	}
	// IPv6 clients are one client per /64.
	for i := range 20 {
		l.allow(context.Background(), fmt.Sprintf("2001:db8:1:2::%x", i+1), "v6-"+utoa(uint(i))+"@example.com")
	}
	if ok, _ := l.allow(context.Background(), "2001:db8:1:2:ffff::1", "other@example.com"); ok {
		t.Error("a fresh address in the same /64 got a fresh allowance")
	}
}

// What the per-address limit refuses must not spend the per-account
// allowance: one address cannot lock many owners out. A refusal is a
// back-off of seconds, not a lock-out.
func TestAddressRefusalsDoNotLockAccountsOut(t *testing.T) {
	clock := newTestClock()
	l := newLoginLimiter()
	l.now = clock.Now
	for i := range 300 {
		l.allow(context.Background(), "203.0.113.9", "owner"+utoa(uint(i%30))+"@example.com")
	}
	for i := range 30 {
		if ok, wait := l.allow(context.Background(), "198.51.100.1"+utoa(uint(i)), "owner"+utoa(uint(i))+"@example.com"); !ok {
			t.Fatalf("owner %d refused from their own address after another address's attempts (wait %s)", i, wait)
		}
	}
	// One address guessing one account without pause for an hour cannot
	// use up the account's allowance: it gets less than the account refills.
	for range 600 {
		clock.Advance(6 * time.Second)
		l.allow(context.Background(), "203.0.113.10", "owner7@example.com")
	}
	if ok, wait := l.allow(context.Background(), "198.51.100.77", "owner7@example.com"); !ok {
		t.Fatalf("one address guessing for an hour locked the owner out (wait %s)", wait)
	}
	// Many addresses can exhaust it: then the owner waits seconds.
	for i := range 40 {
		l.allow(context.Background(), "192.0.2."+utoa(uint(i)), "target@example.com")
	}
	ok, wait := l.allow(context.Background(), "198.51.100.250", "target@example.com")
	if ok || wait <= 0 || wait > l.perAcct.every {
		t.Fatalf("exhausted account: ok=%v wait=%s, want a refusal of at most %s", ok, wait, l.perAcct.every)
	}
	clock.Advance(wait)
	if ok, _ := l.allow(context.Background(), "198.51.100.250", "target@example.com"); !ok {
		t.Fatal("still refused after the back-off")
	}
}

func TestLoginRefusalSaysHowLongToWait(t *testing.T) {
	shop := mustOpenShop(t)
	clock := newTestClock()
	shop.srv.limiter.now = clock.Now
	// One attempt each: every bcrypt check takes a while.
	shop.srv.limiter.perIP.burst, shop.srv.limiter.perPair.burst, shop.srv.limiter.perAcct.burst = 1, 1, 1
	for _, path := range []string{"/login", "/admin/login", "/register"} {
		c := shop.newClient()
		tok := c.token(path)
		var res *http.Response
		var doc *goquery.Document
		for range 2 {
			res, doc = c.send(http.MethodPost, path, url.Values{"_csrf": {tok}, "name": {"X"}, "email": {"probe@example.com"}, "password": {"wrong password"}}, nil)
		}
		msg := doc.Find(`[data-testid="auth-error"]`).Text()
		if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" || !strings.Contains(msg, "seconds and try again") {
			t.Errorf("%s: %d Retry-After=%q %q, want 429 saying how many seconds to wait", path, res.StatusCode, res.Header.Get("Retry-After"), msg)
		}
		clock.Advance(time.Minute)
	}
}

func TestLoginDoesNotRevealAccounts(t *testing.T) {
	shop := mustOpenShop(t)
	staffEmail := shop.addStaff(models.RoleAdmin)
	for _, tc := range []struct{ path, known string }{{"/login", "ada@example.com"}, {"/admin/login", staffEmail}} {
		t.Run(tc.path, func(t *testing.T) {
			c := shop.newClient()
			tok := c.token(tc.path)
			res1, doc1 := c.send(http.MethodPost, tc.path, loginForm(tok, tc.known, "wrong password"), nil)
			res2, doc2 := c.send(http.MethodPost, tc.path, loginForm(tok, "nobody@example.com", "wrong password"), nil)
			msg1, msg2 := doc1.Find(`[data-testid="auth-error"]`).Text(), doc2.Find(`[data-testid="auth-error"]`).Text()
			if res1.StatusCode != res2.StatusCode || msg1 != msg2 || msg1 == "" {
				t.Fatalf("wrong password: %d %q; unknown email: %d %q; want the same answer", res1.StatusCode, msg1, res2.StatusCode, msg2)
			}
		})
	}
}

// Registration says when an email already has an account (see
// docs/security.md for why); probing it is rate limited per address.
func TestRegistrationProbingIsRateLimited(t *testing.T) {
	shop := serveShop(t, mustOpenShop(t).db, Config{}, false, slowRefill)
	c := shop.newClient()
	tok := c.token("/register")
	for i := 1; i <= 11; i++ {
		form := url.Values{"_csrf": {tok}, "name": {"Probe"}, "email": {"probe" + utoa(uint(i)) + "@example.com"}, "password": {"short"}}
		res, _ := c.send(http.MethodPost, "/register", form, nil)
		want := http.StatusUnprocessableEntity
		if i == 11 {
			want = http.StatusTooManyRequests
		}
		if res.StatusCode != want {
			t.Fatalf("attempt %d: %d, want %d", i, res.StatusCode, want)
		}
	}
}

func TestCSRFRejectsForgedRequests(t *testing.T) {
	shop := mustOpenShop(t)
	c := shop.staffClient(models.RoleAdmin)
	if res := c.post("/login", "/login", url.Values{"email": {"ada@example.com"}, "password": {testPassword}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("shopper login: %d", res.StatusCode)
	}
	valid := c.token("/account")
	_, rev := shop.draft()
	var posts []string
	for _, r := range shop.srv.Echo().Routes() {
		if r.Method == http.MethodPost && !strings.HasPrefix(r.Path, "/api/") {
			posts = append(posts, strings.ReplaceAll(r.Path, ":id", "1"))
		}
	}
	if len(posts) < 20 {
		t.Fatalf("only %d POST routes found", len(posts))
	}
	tent := shop.product("SKU-1")
	// Fields that would make each request succeed if the token were ignored.
	fields := url.Values{"product_id": {utoa(tent.ID)}, "quantity": {"1"}, "confirm": {"yes"}, "opt_out": {"true"},
		"name": {"Forged"}, "scope": {"all"}, "retention_days": {"1"}, "revision": {utoa(uint(rev))}, "price": {"0.01"}, "stock": {"0"}}
	cases := []struct {
		name   string
		token  string
		header map[string]string
	}{
		{"form without token", "", nil},
		{"form with a forged token", "forged-token", nil},
		{"htmx without token", "", map[string]string{"HX-Request": "true"}},
		{"htmx with a forged header token", "", map[string]string{"HX-Request": "true", "X-CSRF-Token": "forged-token"}},
		{"cross-site with a valid token", valid, map[string]string{"Sec-Fetch-Site": "cross-site"}},
	}
	for _, path := range posts {
		for _, tc := range cases {
			form := url.Values{}
			for k, v := range fields {
				form[k] = v
			}
			if tc.token != "" {
				form.Set("_csrf", tc.token)
			}
			res, _ := c.send(http.MethodPost, path, form, tc.header)
			if res.StatusCode != http.StatusForbidden && res.StatusCode != http.StatusBadRequest {
				t.Errorf("POST %s, %s: %d, want 403 or 400", path, tc.name, res.StatusCode)
			}
		}
	}
	// Nothing changed: still logged in, cart empty, no keys, product as it was.
	if !c.isShopper() {
		t.Error("a forged logout or delete logged the shopper out")
	}
	if n, _ := shop.db.CartCount(context.Background(), "s1"); n != 0 {
		t.Errorf("forged requests filled the cart: %d", n)
	}
	if keys, _ := shop.db.ListAPIKeys(context.Background()); len(keys) != 0 {
		t.Errorf("forged requests created %d API keys", len(keys))
	}
	if p := shop.product("SKU-1"); p.PriceCents != tent.PriceCents || p.Stock != tent.Stock {
		t.Errorf("forged requests changed the product: %+v", p)
	}
	// The page's own token is not accepted from the address: a token in a
	// URL leaks through logs, history and Referer.
	if res, _ := c.send(http.MethodPost, "/cart/add?_csrf="+url.QueryEscape(valid), url.Values{"product_id": {utoa(tent.ID)}, "quantity": {"1"}}, nil); res.StatusCode != http.StatusForbidden {
		t.Errorf("CSRF token in the query string: %d, want 403", res.StatusCode)
	}
	if n, _ := shop.db.CartCount(context.Background(), "s1"); n != 0 {
		t.Errorf("a token in the query string filled the cart: %d", n)
	}
	// The same htmx request with the page's token works, so the refusals
	// above came from the CSRF check.
	res, _ := c.send(http.MethodPost, "/cart/add", url.Values{"product_id": {utoa(tent.ID)}, "quantity": {"1"}},
		map[string]string{"HX-Request": "true", "X-CSRF-Token": valid})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("htmx request with the right token: %d", res.StatusCode)
	}
	if n, _ := shop.db.CartCount(context.Background(), "s1"); n != 1 {
		t.Fatalf("cart has %d after a valid add", n)
	}
}

const xssPayload = `<script>alert("xss")</script><img src=x onerror=alert(1)>`

// assertInert fails when a page holds a script or event handler that the
// shop did not write itself.
func assertInert(t *testing.T, what string, doc *goquery.Document) {
	t.Helper()
	doc.Find("script").Each(func(_ int, s *goquery.Selection) {
		if src, _ := s.Attr("src"); !strings.HasPrefix(src, "/static/") || strings.TrimSpace(s.Text()) != "" {
			t.Errorf("%s: script element src=%q text=%q", what, src, s.Text())
		}
	})
	doc.Find("*").Each(func(_ int, s *goquery.Selection) {
		for _, a := range s.Nodes[0].Attr {
			if strings.HasPrefix(strings.ToLower(a.Key), "on") {
				t.Errorf("%s: <%s %s=%q>", what, goquery.NodeName(s), a.Key, a.Val)
			}
		}
	})
	if n := doc.Find(`img[src="x"], svg`).FilterFunction(func(_ int, s *goquery.Selection) bool {
		_, onload := s.Attr("onload")
		return onload || s.AttrOr("src", "") == "x"
	}).Length(); n > 0 {
		t.Errorf("%s: %d injected elements", what, n)
	}
}

func TestUntrustedTextIsRenderedInert(t *testing.T) {
	shop := mustOpenShop(t)
	ctx := context.Background()
	var tents models.Category
	must(t, shop.db.R.Where("slug = ?", "tents").First(&tents).Error)
	evil := models.Product{ExternalID: "SKU-XSS", Slug: "evil-tent", Title: "Evil Tent " + xssPayload, Brand: `"><svg onload=alert(2)>`,
		CategoryID: tents.ID, PriceCents: 100, Stock: 9, Active: true, Popularity: 1000, Description: xssPayload, CreatedAt: time.Now().UTC()}
	must(t, shop.db.W.Create(&evil).Error)
	must(t, shop.srv.shop.RefreshCatalog(ctx, true))
	c := shop.newClient()
	c.post(productPath(&evil), "/cart/add", url.Values{"product_id": {utoa(evil.ID)}, "quantity": {"1"}})

	pages := []struct{ name, path, mustShow string }{
		{"product page", productPath(&evil), `Evil Tent <script>alert("xss")</script>`},
		{"category", "/c/tents", "Evil Tent <script>"},
		{"search results", "/search?q=" + url.QueryEscape("evil tent"), "Evil Tent <script>"},
		{"search query echoed", "/search?q=" + url.QueryEscape(`"><script>alert("q")</script>`), `<script>alert("q")</script>`},
		{"cart", "/cart", "Evil Tent <script>"},
		{"homepage", "/", "Evil Tent <script>"},
	}
	for _, p := range pages {
		t.Run(p.name, func(t *testing.T) {
			res, doc := c.get(p.path)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("status %d", res.StatusCode)
			}
			assertInert(t, p.path, doc)
			if !strings.Contains(doc.Text(), p.mustShow) {
				t.Errorf("the text %q is not shown as text", p.mustShow)
			}
		})
	}
	t.Run("product image", func(t *testing.T) {
		res, err := c.hc.Get(shop.ts.URL + "/img/p/" + utoa(evil.ID))
		must(t, err)
		defer res.Body.Close()
		dec := xml.NewDecoder(res.Body)
		for {
			tok, err := dec.Token()
			if errors.Is(err, io.EOF) {
				break
			}
			must(t, err)
			if el, ok := tok.(xml.StartElement); ok {
				if el.Name.Local == "script" || el.Name.Local == "img" {
					t.Fatalf("SVG holds a <%s>", el.Name.Local)
				}
				for _, a := range el.Attr {
					if strings.HasPrefix(a.Name.Local, "on") {
						t.Fatalf("SVG <%s> has %s", el.Name.Local, a.Name.Local)
					}
				}
			}
		}
	})
}

// Pages with a shopper's personal data (their orders and address, the
// checkout filled in with it, their data export, history and
// recommendations) are kept by no cache: after logout at a shared
// computer, Back or the browser's cache must not show them to the next
// person (ASVS 8.2.1). A visitor's cart neither.
func TestPersonalPagesAreNotCached(t *testing.T) {
	shop := mustOpenShop(t)
	ctx := context.Background()
	ada := shop.shopperClient()
	var sh models.Shopper
	must(t, shop.db.W.Where("email = ?", "ada@example.com").First(&sh).Error)
	tent := shop.product("SKU-1")
	must(t, shop.db.AddToCart(ctx, sh.ExternalID, tent.ID, 1))
	order, _, err := shop.db.PlaceOrder(ctx, sh.ExternalID, sh.ID, "ada-order-key-0123456789",
		models.Address{Name: "Ada Shopper", Email: "ada@example.com", Street: "1 Home Street", City: "Town", Postcode: "12345", Country: "X"})
	must(t, err)
	must(t, shop.db.AddToCart(ctx, sh.ExternalID, tent.ID, 1))
	for _, path := range []string{"/account", "/account/export", "/account/interests", "/orders", "/orders/" + utoa(order.ID),
		"/checkout", "/cart", "/", productPath(tent)} {
		res, _ := ada.get(path)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", path, res.StatusCode)
		}
		if cc := strings.Join(res.Header.Values("Cache-Control"), ", "); !strings.Contains(cc, "no-store") {
			t.Errorf("%s for a signed-in shopper: Cache-Control %q, want no-store", path, cc)
		}
	}
	if res, _ := shop.newClient().get("/cart"); !strings.Contains(strings.Join(res.Header.Values("Cache-Control"), ", "), "no-store") {
		t.Errorf("a visitor's cart: Cache-Control %q, want no-store", res.Header.Values("Cache-Control"))
	}
}

func TestSecurityHeadersOnEveryResponse(t *testing.T) {
	shop := mustOpenShop(t)
	staff := shop.staffClient(models.RoleMerchandiser)
	tent := shop.product("SKU-1")
	paths := []string{"/", "/login", productPath(tent), "/c/outdoor", "/search?q=tent", "/cart", "/no/such/page",
		"/healthz", "/static/app.js", "/img/p/" + utoa(tent.ID), "/api/v1/recommendations?user_id=x", "/admin/layout", "/admin/model"}
	for _, path := range paths {
		t.Run(path, func(t *testing.T) {
			res, doc := staff.get(path)
			h := res.Header
			csp := h.Get("Content-Security-Policy")
			for _, want := range []string{"default-src 'self'", "script-src 'self'", "object-src 'none'", "frame-ancestors 'none'", "base-uri 'self'", "form-action 'self'"} {
				if !strings.Contains(csp, want) {
					t.Errorf("CSP %q lacks %s", csp, want)
				}
			}
			if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
				t.Errorf("CSP allows inline code: %q", csp)
			}
			for k, want := range map[string]string{"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY",
				"Referrer-Policy": "strict-origin-when-cross-origin"} {
				if got := h.Get(k); got != want {
					t.Errorf("%s: %q, want %q", k, got, want)
				}
			}
			// Under that CSP an inline script would not run: the pages must not need one.
			if strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
				assertInert(t, path, doc)
			}
		})
	}
}

func TestOversizedBodiesAreRefused(t *testing.T) {
	shop := mustOpenShop(t)
	secret, _, err := shop.db.CreateAPIKey(context.Background(), "test", "ingest", models.ScopeEvents)
	must(t, err)
	c := shop.newClient()
	tok := c.token("/login")
	big := strings.Repeat("a", 3<<20)
	tests := []struct {
		name, path, contentType, body string
		header                        map[string]string
	}{
		{"form over 2 MB", "/cart/add", "application/x-www-form-urlencoded", "_csrf=" + tok + "&product_id=1&quantity=1&pad=" + big, nil},
		{"API body over 2 MB", "/api/v1/events", "application/json", `{"events":[],"pad":"` + big + `"}`, map[string]string{"Authorization": "Bearer " + secret}},
		{"API body over its 1 MiB cap", "/api/v1/events", "application/json", `{"events":[],"pad":"` + big[:1<<20+10] + `"}`, map[string]string{"Authorization": "Bearer " + secret}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodPost, shop.ts.URL+tt.path, strings.NewReader(tt.body))
			must(t, err)
			req.Header.Set("Content-Type", tt.contentType)
			for k, v := range tt.header {
				req.Header.Set(k, v)
			}
			res, err := c.hc.Do(req)
			must(t, err)
			res.Body.Close()
			if res.StatusCode != http.StatusRequestEntityTooLarge {
				t.Fatalf("status %d, want 413", res.StatusCode)
			}
			for _, h := range []string{"Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy"} {
				if res.Header.Get(h) == "" {
					t.Errorf("the 413 answer lacks %s", h)
				}
			}
		})
	}
}

func TestRequestDeadlinesAndServerTimeouts(t *testing.T) {
	shop := mustOpenShop(t)
	// A probe route behind the same middleware as every page.
	shop.srv.Echo().GET("/probe/deadline", func(c echo.Context) error {
		dl, ok := c.Request().Context().Deadline()
		if !ok {
			return c.String(http.StatusOK, "none")
		}
		return c.String(http.StatusOK, time.Until(dl).String())
	})
	res, err := http.Get(shop.ts.URL + "/probe/deadline")
	must(t, err)
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	left, err := time.ParseDuration(string(body))
	if err != nil || left <= 10*time.Second || left > 20*time.Second {
		t.Fatalf("request deadline %q, want about 20s", body)
	}
	srv := shop.srv.httpServer()
	if srv.ReadHeaderTimeout <= 0 || srv.ReadHeaderTimeout > 10*time.Second || srv.ReadTimeout <= 0 ||
		srv.WriteTimeout <= 0 || srv.IdleTimeout <= 0 || srv.MaxHeaderBytes <= 0 {
		t.Fatalf("server timeouts not all set: header %s, read %s, write %s, idle %s, max header %d",
			srv.ReadHeaderTimeout, srv.ReadTimeout, srv.WriteTimeout, srv.IdleTimeout, srv.MaxHeaderBytes)
	}
}

// TestEveryIDRouteIsReviewed fails when a route taking an id or owner is
// added without deciding who may use it; the IDOR tests cover the shopper ones.
func TestEveryIDRouteIsReviewed(t *testing.T) {
	reviewed := map[string]string{
		"/c/:slug":           "public catalog",
		"/p/:id":             "public catalog",
		"/img/p/:id":         "public catalog",
		"/l/:slug":           "public campaign pages; drafts are seen only through the staff preview",
		"/b/:slot/:creative": "public: a banner click, redirected only to the link of a creative of a published banner",
		"/img/u/:name":       "public: uploaded pictures, named by a hash of their content",
		"/orders/:id":        "owner checked in models.OrderOf: TestShopperCannotReachOthersData",
		"/bench/reference":   "load harness only, off unless Config.BenchReference",
	}
	shop := mustOpenShop(t)
	for _, r := range shop.srv.Echo().Routes() {
		if !strings.Contains(r.Path, ":") || strings.HasPrefix(r.Path, "/admin/") {
			continue // admin routes: staff only, TestAdminAccessControl
		}
		if reviewed[r.Path] == "" {
			t.Errorf("%s %s takes an id but has no access review", r.Method, r.Path)
		}
	}
}

func TestShopperCannotReachOthersData(t *testing.T) {
	shop := mustOpenShop(t)
	ctx := context.Background()
	bob, err := shop.db.CreateShopper(ctx, "Bob Other", "bob@example.com", testPassword)
	must(t, err)
	ridge, tent := shop.product("SKU-2"), shop.product("SKU-1")
	// Bob has a cart line and an order with his address.
	must(t, shop.db.AddToCart(ctx, bob.ExternalID, tent.ID, 1))
	bobOrder, _, err := shop.db.PlaceOrder(ctx, bob.ExternalID, bob.ID, "bob-order-key-0123456789",
		models.Address{Name: "Bob Other", Email: "bob@example.com", Street: "9 Private Lane", City: "Hidden", Postcode: "00000", Country: "X"})
	must(t, err)
	must(t, shop.db.AddToCart(ctx, bob.ExternalID, ridge.ID, 2))
	bobCart := func() int {
		n, err := shop.db.CartCount(ctx, bob.ExternalID)
		must(t, err)
		return n
	}

	ada := shop.shopperClient()
	t.Run("orders/:id of another shopper is not found", func(t *testing.T) {
		res, doc := ada.get("/orders/" + utoa(bobOrder.ID))
		if res.StatusCode != http.StatusNotFound || strings.Contains(doc.Text(), "Private Lane") {
			t.Fatalf("status %d; page shows Bob's address: %t", res.StatusCode, strings.Contains(doc.Text(), "Private Lane"))
		}
		_, doc = ada.get("/orders")
		if doc.Find(`[data-testid="order"]`).Length() != 0 {
			t.Fatal("Ada's order list shows Bob's order")
		}
		if res, _ := shop.newClient().get("/orders/" + utoa(bobOrder.ID)); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("anonymous: %d, want a redirect to log in", res.StatusCode)
		}
	})
	t.Run("cart changes only touch the caller's cart", func(t *testing.T) {
		for _, qty := range []string{"0", "7"} {
			res := ada.post("/account", "/cart/update", url.Values{"product_id": {utoa(ridge.ID)}, "quantity": {qty},
				"owner": {bob.ExternalID}, "owner_key": {bob.ExternalID}, "shopper_id": {utoa(bob.ID)}})
			if res.StatusCode != http.StatusSeeOther {
				t.Fatalf("update: %d", res.StatusCode)
			}
			if got := bobCart(); got != 2 {
				t.Fatalf("after Ada set quantity %s, Bob's cart holds %d, want 2", qty, got)
			}
		}
		res := ada.post("/account", "/cart/add", url.Values{"product_id": {utoa(tent.ID)}, "quantity": {"1"}, "owner_key": {bob.ExternalID}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("add: %d", res.StatusCode)
		}
		if got := bobCart(); got != 2 {
			t.Fatalf("Ada's add went to Bob's cart: %d", got)
		}
		if n, _ := shop.db.CartCount(ctx, "s1"); n != 1 {
			t.Fatalf("Ada's cart holds %d, want her 1 tent", n)
		}
	})
	t.Run("checkout with another shopper's form key is refused", func(t *testing.T) {
		_, doc := ada.get("/checkout")
		form := url.Values{"_csrf": {csrf(doc)}, "idempotency_key": {"bob-order-key-0123456789"}, "cart_digest": {cartDigestIn(doc)}, "name": {"Ada"}, "email": {"ada@example.com"},
			"street": {"1 Main St"}, "city": {"Springfield"}, "postcode": {"12345"}, "country": {"USA"}}
		res, doc := ada.send(http.MethodPost, "/checkout", form, nil)
		if res.StatusCode != http.StatusForbidden || strings.Contains(doc.Text(), "Private Lane") {
			t.Fatalf("status %d to %q, want 403: %s", res.StatusCode, res.Header.Get("Location"), doc.Find("main").Text())
		}
	})
	t.Run("account routes use the session, never a parameter", func(t *testing.T) {
		_, doc := ada.get("/account?id=" + utoa(bob.ID) + "&shopper_id=" + utoa(bob.ID))
		if name := doc.Find(`[data-testid="account-name"]`).Text(); name != "Ada Shopper" {
			t.Fatalf("account page shows %q", name)
		}
		res, err := ada.hc.Get(shop.ts.URL + "/account/export?shopper_id=" + utoa(bob.ID) + "&user=" + bob.ExternalID)
		must(t, err)
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if !strings.Contains(string(body), "ada@example.com") || strings.Contains(string(body), "bob@example.com") || strings.Contains(string(body), "Private Lane") {
			t.Fatal("export is not Ada's alone")
		}
		ada.post("/account", "/account/personalization", url.Values{"opt_out": {"true"}, "shopper_id": {utoa(bob.ID)}})
		if b, _ := shop.db.ShopperByID(ctx, bob.ID); b.OptOut {
			t.Fatal("Ada changed Bob's opt-out")
		}
		ada.post("/account", "/account/delete", url.Values{"confirm": {"yes"}, "current": {testPassword}, "shopper_id": {utoa(bob.ID)}})
		if _, err := shop.db.ShopperByID(ctx, bob.ID); err != nil {
			t.Fatalf("Ada's delete removed Bob: %v", err)
		}
		if o, err := shop.db.OrderOf(ctx, bob.ID, bobOrder.ID); err != nil || o.Street != "9 Private Lane" {
			t.Fatalf("Bob's order changed: %+v, %v", o, err)
		}
	})
}

func TestAPIKeyChecks(t *testing.T) {
	shop := mustOpenShop(t)
	ctx := context.Background()
	mk := func(scope string) string {
		secret, _, err := shop.db.CreateAPIKey(ctx, "test", scope+" key", scope)
		must(t, err)
		return secret
	}
	events, recs, all, revoked := mk(models.ScopeEvents), mk(models.ScopeRecommendations), mk(models.ScopeAll), mk(models.ScopeAll)
	k, err := shop.db.APIKeyByToken(ctx, revoked)
	must(t, err)
	must(t, shop.db.RevokeAPIKey(ctx, "test", k.ID))

	eventBody := `{"events":[{"user_id":"u1","product_id":"SKU-1","type":"view"}]}`
	tests := []struct {
		name, method, path, header, key string
		want                            int
	}{
		{"no key", "POST", "/api/v1/events", "", "", 401},
		{"unknown key", "POST", "/api/v1/events", "Authorization", "Bearer sf_notakeyatall0000000000000000000000000000", 401},
		{"malformed key", "GET", "/api/v1/recommendations?user_id=u1", "Authorization", "Bearer hunter2", 401},
		{"revoked key", "POST", "/api/v1/events", "Authorization", "Bearer " + revoked, 401},
		{"recommendations key on events", "POST", "/api/v1/events", "Authorization", "Bearer " + recs, 403},
		{"events key on recommendations", "GET", "/api/v1/recommendations?user_id=u1", "Authorization", "Bearer " + events, 403},
		{"events key on events", "POST", "/api/v1/events", "Authorization", "Bearer " + events, 202},
		{"X-API-Key header", "POST", "/api/v1/events", "X-API-Key", events, 202},
		{"recommendations key", "GET", "/api/v1/recommendations?user_id=u1", "Authorization", "Bearer " + recs, 200},
		{"all-scope key", "GET", "/api/v1/recommendations?user_id=u1", "Authorization", "Bearer " + all, 200},
		// The scheme's name is case-insensitive (RFC 9110 §11.1); some
		// HTTP clients and proxies write it in lower case.
		{"lower-case scheme", "GET", "/api/v1/recommendations?user_id=u1", "Authorization", "bearer " + recs, 200},
		{"upper-case scheme", "POST", "/api/v1/events", "Authorization", "BEARER " + events, 202},
		{"another scheme", "POST", "/api/v1/events", "Authorization", "Basic " + events, 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body io.Reader
			if tt.method == "POST" {
				body = strings.NewReader(eventBody)
			}
			req, err := http.NewRequest(tt.method, shop.ts.URL+tt.path, body)
			must(t, err)
			req.Header.Set("Content-Type", "application/json")
			if tt.header != "" {
				req.Header.Set(tt.header, tt.key)
			}
			res, err := http.DefaultClient.Do(req)
			must(t, err)
			defer res.Body.Close()
			if res.StatusCode != tt.want {
				t.Fatalf("status %d, want %d", res.StatusCode, tt.want)
			}
			if tt.want >= 400 {
				// A JSON error that says what is wrong with the key, not a page's wording.
				var out struct{ Error string }
				if err := json.NewDecoder(res.Body).Decode(&out); err != nil || !strings.Contains(out.Error, "API key") {
					t.Errorf("answer %q (%v), want a JSON error about the API key", out.Error, err)
				}
			}
		})
	}
	t.Run("only hashes at rest", func(t *testing.T) {
		var rows []map[string]any
		must(t, shop.db.R.Raw(`SELECT * FROM api_keys`).Scan(&rows).Error)
		for _, row := range rows {
			for col, v := range row {
				for _, secret := range []string{events, recs, all, revoked} {
					if s, ok := v.(string); ok && strings.Contains(s, secret[len(models.APIKeyPrefix)+6:]) {
						t.Fatalf("column %s holds a key secret", col)
					}
				}
			}
		}
	})
}

// syncBuffer collects log output written from several goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestLogsCarryNoSecrets(t *testing.T) {
	logs := &syncBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	shop := serveShop(t, mustOpenShop(t).db, Config{Logger: logger}, false, nil)
	const (
		name     = "Grace Hopper"
		email    = "grace.private@example.com"
		password = "grace-secret-passphrase"
		wrong    = "grace-wrong-passphrase"
		street   = "742 Evergreen Terrace"
	)
	var secrets []string
	c := shop.newClient()
	res := c.post("/register", "/register", url.Values{"name": {name}, "email": {email}, "password": {password}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("register: %d", res.StatusCode)
	}
	secrets = append(secrets, c.cookie("sf_session"), c.cookie("sf_csrf"))
	tent := shop.product("SKU-1")
	c.post(productPath(tent), "/cart/add", url.Values{"product_id": {utoa(tent.ID)}, "quantity": {"1"}})
	_, doc := c.get("/checkout")
	key, _ := doc.Find(`input[name="idempotency_key"]`).Attr("value")
	res = c.post("/checkout", "/checkout", url.Values{"idempotency_key": {key}, "cart_digest": {cartDigestIn(doc)}, "name": {name}, "email": {email},
		"street": {street}, "city": {"Springfield"}, "postcode": {"49007"}, "country": {"USA"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("checkout: %d", res.StatusCode)
	}
	c.post("/account", "/logout", nil)
	c.post("/login", "/login", url.Values{"email": {email}, "password": {wrong}})
	c.post("/login", "/login", url.Values{"email": {email}, "password": {password}})
	secrets = append(secrets, c.cookie("sf_session"))

	admin := shop.staffClient(models.RoleAdmin)
	_, doc = admin.get("/admin/api-keys")
	res2, err := admin.hc.PostForm(shop.ts.URL+"/admin/api-keys", url.Values{"name": {"Tracker"}, "scope": {"events"}, "_csrf": {csrf(doc)}})
	must(t, err)
	doc, err = goquery.NewDocumentFromReader(res2.Body)
	res2.Body.Close()
	must(t, err)
	apiSecret := strings.TrimSpace(doc.Find(`[data-testid="secret"]`).Text())
	secrets = append(secrets, apiSecret, admin.cookie("sf_session"))
	for _, tok := range []string{apiSecret, "sf_wrongwrongwrongwrongwrongwrongwrongwrong0"} {
		req, _ := http.NewRequest(http.MethodPost, shop.ts.URL+"/api/v1/events", strings.NewReader(`{"events":[{"user_id":"`+email+`","type":"search","query":"`+street+`"}]}`))
		req.Header.Set("Authorization", "Bearer "+tok)
		if res, err := http.DefaultClient.Do(req); err == nil {
			res.Body.Close()
		}
	}

	out := logs.String()
	if !strings.Contains(out, "staff logged in") {
		t.Fatalf("log capture is not working:\n%s", out)
	}
	for _, s := range append(secrets, password, wrong, email, name, street, testPassword, "admin@example.com") {
		if s == "" {
			t.Fatal("a secret to look for is empty")
		}
		if strings.Contains(out, s) {
			t.Errorf("the log contains %q:\n%s", s, out)
		}
	}
}

func TestMetricsNeedAToken(t *testing.T) {
	db := mustOpenShop(t).db
	get := func(shop *testShop, auth string) (int, string) {
		req, _ := http.NewRequest(http.MethodGet, shop.ts.URL+"/metrics", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		res, err := http.DefaultClient.Do(req)
		must(t, err)
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	if status, _ := get(serveShop(t, db, Config{}, false, nil), ""); status != http.StatusNotFound {
		t.Errorf("/metrics without a configured token: %d, want 404 (off)", status)
	}
	shop := serveShop(t, db, Config{MetricsToken: "scrape-secret-0123456789"}, false, nil)
	for _, auth := range []string{"", "Bearer wrong", "Bearer scrape-secret-012345678", "scrape-secret-0123456789"} {
		if status, body := get(shop, auth); status != http.StatusUnauthorized || strings.Contains(body, "storefront_") {
			t.Errorf("/metrics with %q: %d, want 401 and no figures", auth, status)
		}
	}
	if status, body := get(shop, "Bearer scrape-secret-0123456789"); status != http.StatusOK || !strings.Contains(body, "storefront_http_requests_total") {
		t.Errorf("/metrics with the token: %d, want 200 with the figures", status)
	}
}

// Staff whose password was given to them (the published demo passwords)
// choose their own before anything else in the admin opens.
func TestGivenStaffPasswordMustBeChanged(t *testing.T) {
	shop := mustOpenShop(t)
	email := shop.addStaff(models.RoleAdmin)
	must(t, shop.db.W.Model(&models.Staff{}).Where("email = ?", email).Update("must_change_password", true).Error)
	c := shop.newClient()
	res := c.post("/admin/login", "/admin/login", url.Values{"email": {email}, "password": {testPassword}})
	if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || loc != "/admin/password" {
		t.Fatalf("login with a given password: %d to %q, want the password form", res.StatusCode, loc)
	}
	for _, path := range []string{"/admin/layout", "/admin/api-keys", "/admin/analytics"} {
		if res, _ := c.get(path); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/admin/password" {
			t.Errorf("%s before the change: %d %q, want the password form", path, res.StatusCode, res.Header.Get("Location"))
		}
	}
	for _, tc := range []struct{ pw, confirm string }{{testPassword, testPassword}, {"basketball", "basketball"}, {"my own new password", "my own new passw0rd"}} {
		if res := c.post("/admin/password", "/admin/password", url.Values{"password": {tc.pw}, "confirm": {tc.confirm}}); res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("new password %q/%q: %d, want 422", tc.pw, tc.confirm, res.StatusCode)
		}
	}
	if res := c.post("/admin/password", "/admin/password", url.Values{"password": {"my own new password"}, "confirm": {"my own new password"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("a good new password: %d", res.StatusCode)
	}
	if res, _ := c.get("/admin/layout"); res.StatusCode != http.StatusOK {
		t.Errorf("/admin/layout after the change: %d", res.StatusCode)
	}
	if res := shop.newClient().post("/admin/login", "/admin/login", url.Values{"email": {email}, "password": {testPassword}}); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("the given password still works: %d", res.StatusCode)
	}
}

// Changing one's own staff password outside the forced first change asks
// for the current one (ASVS 2.1.6): someone at a session left open cannot
// take the account for good and sign its owner out everywhere. Guesses of
// it count with the account's logins.
func TestStaffPasswordChangeAsksForTheCurrentOne(t *testing.T) {
	shop := serveShop(t, mustOpenShop(t).db, Config{}, false, slowRefill)
	email := shop.addStaff(models.RoleAdmin)
	c := shop.newClient()
	if res := c.post("/admin/login", "/admin/login", url.Values{"email": {email}, "password": {testPassword}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: %d", res.StatusCode)
	}
	_, doc := c.get("/admin/password")
	if doc.Find(`[data-testid="field-current"]`).Length() != 1 {
		t.Fatal("the password form does not ask for the current password")
	}
	if _, doc := c.get("/admin/layout"); doc.Find(`a[href="/admin/password"]`).Length() == 0 {
		t.Error("the admin pages do not link to the password form")
	}
	taken := "a password of the taker"
	for _, tc := range []struct{ name, current, want string }{
		{"without the current password", "", "Enter your current password."},
		{"with a wrong current password", "not the password at all", "That is not your current password."},
	} {
		res, doc := c.send(http.MethodPost, "/admin/password", url.Values{"_csrf": {c.token("/admin/password")},
			"current": {tc.current}, "password": {taken}, "confirm": {taken}}, nil)
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("%s: %d, want 422", tc.name, res.StatusCode)
		}
		if got := doc.Find(`[data-testid="current-error"]`).Text(); got != tc.want {
			t.Errorf("%s: the form says %q, want %q", tc.name, got, tc.want)
		}
	}
	var st models.Staff
	must(t, shop.db.R.Where("email = ?", email).First(&st).Error)
	if !models.CheckPassword(st.PasswordHash, testPassword) {
		t.Fatal("the password was changed without the current one")
	}
	// Guessing the current password through the session is limited like logins.
	refused := false
	for range shop.srv.limiter.perPair.burst + 1 {
		res := c.post("/admin/password", "/admin/password", url.Values{"current": {"another guess"}, "password": {taken}, "confirm": {taken}})
		if res.StatusCode == http.StatusTooManyRequests {
			refused = true
			break
		}
	}
	if !refused {
		t.Error("guesses of the current password through the form were never limited")
	}
}

// A shopper changes their password from their account (ASVS 2.1.5): the
// form asks for the current one (2.1.6), applies the password policy, and
// ends the account's sessions on every other device; this one stays
// signed in under a new session id. Afterwards only the new password logs
// in.
// Deleting the account asks for its password (ASVS 3.7.1): a session left
// open at a shared computer, or taken over, deleted the account and
// blanked its orders' name and address for good with a ticked box.
func TestAccountDeletionAsksForThePassword(t *testing.T) {
	shop := mustOpenShop(t)
	ctx := context.Background()
	ada := shop.shopperClient()
	for _, current := range []string{"", "not her password"} {
		res, doc := ada.postPage("/account", "/account/delete", url.Values{"confirm": {"yes"}, "current": {current}})
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("delete with password %q: %d, want 422 with the account page", current, res.StatusCode)
		}
		if _, err := shop.db.ShopperByID(ctx, 1); err != nil {
			t.Fatalf("delete with password %q removed the account: %v", current, err)
		}
		if msg := doc.Find(`[data-testid="delete-current-error"]`).Text(); !strings.Contains(msg, "Your account was not deleted.") {
			t.Errorf("delete with password %q: error %q", current, msg)
		}
	}
	res := ada.post("/account", "/account/delete", url.Values{"confirm": {"yes"}, "current": {testPassword}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/?deleted=1" {
		t.Fatalf("delete with the password: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	if _, err := shop.db.ShopperByID(ctx, 1); !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("the account is still there: %v", err)
	}
}

// A password an admin gives a staff member (generated and shown to the
// admin, at "Add staff" or "Reset password") must be changed at the first
// login (ASVS 2.3.1): it was the account's long-term password, known to
// the admin who read it and to whatever carried it to its owner.
func TestStaffPasswordsAnAdminGivesMustBeChanged(t *testing.T) {
	shop := mustOpenShop(t)
	ctx := context.Background()
	admin := shop.staffClient(models.RoleAdmin)
	shown := func(path string, form url.Values) string {
		t.Helper()
		form.Set("_csrf", admin.token("/admin/staff"))
		res, doc := admin.send(http.MethodPost, path, form, nil)
		pw := doc.Find(`[data-testid="password"]`).Text()
		if res.StatusCode != http.StatusOK || len(pw) < 16 {
			t.Fatalf("%s: %d, password shown %q", path, res.StatusCode, pw)
		}
		return pw
	}
	pw := shown("/admin/staff", url.Values{"email": {"nia@example.com"}, "name": {"Nia"}, "role": {models.RoleMerchandiser}})
	nia := shop.newClient()
	res := nia.post("/admin/login", "/admin/login", url.Values{"email": {"nia@example.com"}, "password": {pw}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/admin/password" {
		t.Fatalf("first login with the given password: %d to %q, want the password form", res.StatusCode, res.Header.Get("Location"))
	}
	if res, _ := nia.get("/admin/layout"); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/admin/password" {
		t.Fatalf("the layout editor before choosing a password: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	own := "nia chose this one 42"
	if res := nia.post("/admin/password", "/admin/password", url.Values{"password": {own}, "confirm": {own}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("choosing her own password: %d", res.StatusCode)
	}
	if res, _ := nia.get("/admin/layout"); res.StatusCode != http.StatusOK {
		t.Fatalf("the layout editor after choosing a password: %d", res.StatusCode)
	}
	st, err := shop.db.StaffByEmail(ctx, "nia@example.com")
	must(t, err)
	pw = shown("/admin/staff/"+utoa(st.ID)+"/password", url.Values{})
	fresh := shop.newClient()
	res = fresh.post("/admin/login", "/admin/login", url.Values{"email": {"nia@example.com"}, "password": {pw}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/admin/password" {
		t.Fatalf("first login after an admin's reset: %d to %q, want the password form", res.StatusCode, res.Header.Get("Location"))
	}
}

// A password an admin gave (or the demo's published ones) logged in
// forever until its owner replaced it: a new colleague who never signed in
// left the admin, and whatever carried the password, a standing way into
// the account. It logs in for models.GivenPasswordLifetime; one chosen by
// its owner never expires.
func TestGivenStaffPasswordsExpire(t *testing.T) {
	shop := mustOpenShop(t)
	ctx := context.Background()
	admin := shop.staffClient(models.RoleAdmin)
	give := func(path string, form url.Values) string {
		t.Helper()
		form.Set("_csrf", admin.token("/admin/staff"))
		_, doc := admin.send(http.MethodPost, path, form, nil)
		return doc.Find(`[data-testid="password"]`).Text()
	}
	age := func(email string, d time.Duration) {
		t.Helper()
		must(t, shop.db.W.Model(&models.Staff{}).Where("email = ?", email).Update("password_given_at", time.Now().Add(-d).UTC()).Error)
	}
	login := func(email, pw string) (*http.Response, *goquery.Document) {
		t.Helper()
		c := shop.newClient()
		return c.send(http.MethodPost, "/admin/login", url.Values{"_csrf": {c.token("/admin/login")}, "email": {email}, "password": {pw}}, nil)
	}

	pw := give("/admin/staff", url.Values{"email": {"kai@example.com"}, "name": {"Kai"}, "role": {models.RoleMerchandiser}})
	age("kai@example.com", models.GivenPasswordLifetime-time.Hour)
	if res, _ := login("kai@example.com", pw); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/admin/password" {
		t.Fatalf("a given password within its lifetime: %d to %q, want the password form", res.StatusCode, res.Header.Get("Location"))
	}
	age("kai@example.com", models.GivenPasswordLifetime+time.Hour)
	res, doc := login("kai@example.com", pw)
	if res.StatusCode != http.StatusUnauthorized || !strings.Contains(doc.Text(), "has expired unused") {
		t.Fatalf("a given password past its lifetime: %d, want 401 saying it expired", res.StatusCode)
	}

	// An admin's reset gives a fresh one, which the owner replaces with
	// their own: that one never expires.
	st, err := shop.db.StaffByEmail(ctx, "kai@example.com")
	must(t, err)
	pw = give("/admin/staff/"+utoa(st.ID)+"/password", url.Values{})
	kai := shop.newClient()
	if res := kai.post("/admin/login", "/admin/login", url.Values{"email": {"kai@example.com"}, "password": {pw}}); res.Header.Get("Location") != "/admin/password" {
		t.Fatalf("login after the reset: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	own := "kai picked this one 77"
	if res := kai.post("/admin/password", "/admin/password", url.Values{"password": {own}, "confirm": {own}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("choosing his own password: %d", res.StatusCode)
	}
	if st, err = shop.db.StaffByEmail(ctx, "kai@example.com"); err != nil || st.PasswordGivenAt != nil {
		t.Fatalf("his own password is still marked given: %v %v", st.PasswordGivenAt, err)
	}
	must(t, shop.db.W.Model(&models.Staff{}).Where("email = ?", "kai@example.com").Update("created_at", time.Now().AddDate(-1, 0, 0)).Error)
	if res, _ := login("kai@example.com", own); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/admin/layout" {
		t.Fatalf("his own password: %d to %q, want the layout editor", res.StatusCode, res.Header.Get("Location"))
	}
}

func TestShopperChangesTheirPassword(t *testing.T) {
	shop := serveShop(t, mustOpenShop(t).db, Config{}, false, slowRefill)
	laptop, phone := shop.shopperClient(), shop.shopperClient()
	if _, doc := laptop.get("/account"); doc.Find(`a[href="/account/password"]`).Length() == 0 {
		t.Fatal("the account page does not link to the password form")
	}
	fresh := "a fresh password of ada"
	for _, tc := range []struct{ name, current, password, confirm, field, want string }{
		{"without the current password", "", fresh, fresh, "current", "Enter your current password."},
		{"with a wrong current password", "not it at all", fresh, fresh, "current", "That is not your current password."},
		{"with a common new password", testPassword, "password123", "password123", "password", ""},
		{"with two different new passwords", testPassword, fresh, fresh + "!", "confirm", "The two passwords differ."},
	} {
		res, doc := laptop.send(http.MethodPost, "/account/password", url.Values{"_csrf": {laptop.token("/account/password")},
			"current": {tc.current}, "password": {tc.password}, "confirm": {tc.confirm}}, nil)
		got := doc.Find(`[data-testid="` + tc.field + `-error"]`).Text()
		if res.StatusCode != http.StatusUnprocessableEntity || got == "" || tc.want != "" && got != tc.want {
			t.Fatalf("%s: %d, %s error %q, want 422 and %q", tc.name, res.StatusCode, tc.field, got, tc.want)
		}
	}
	before := laptop.cookie("sf_session")
	res, _ := laptop.send(http.MethodPost, "/account/password", url.Values{"_csrf": {laptop.token("/account/password")},
		"current": {testPassword}, "password": {fresh}, "confirm": {fresh}}, nil)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/account" {
		t.Fatalf("the change: %d to %q, want 303 to /account", res.StatusCode, res.Header.Get("Location"))
	}
	if !laptop.isShopper() {
		t.Error("the device that changed the password was signed out")
	}
	if after := laptop.cookie("sf_session"); after == before || after == "" {
		t.Error("the session id did not change with the password")
	}
	if phone.isShopper() {
		t.Error("another device is still signed in after the password changed")
	}
	for pw, want := range map[string]int{testPassword: http.StatusUnauthorized, fresh: http.StatusSeeOther} {
		c := shop.newClient()
		if res := c.post("/login", "/login", url.Values{"email": {"ada@example.com"}, "password": {pw}}); res.StatusCode != want {
			t.Errorf("login with %q after the change: %d, want %d", pw, res.StatusCode, want)
		}
	}
	// Guessing the current password through a session is limited like logins.
	refused := false
	for range shop.srv.limiter.perPair.burst + 1 {
		res, _ := laptop.send(http.MethodPost, "/account/password", url.Values{"_csrf": {laptop.token("/account/password")},
			"current": {"a guess"}, "password": {"taken over now"}, "confirm": {"taken over now"}}, nil)
		if res.StatusCode == http.StatusTooManyRequests {
			refused = true
			break
		}
	}
	if !refused {
		t.Error("guesses of the current password were never limited")
	}
}

// Setting a password ends the account's other sessions: an admin's reset
// signs out every device of that staff member, and a staff member who
// changes their own password stays in on this device only.
func TestPasswordChangeEndsOtherStaffSessions(t *testing.T) {
	shop := mustOpenShop(t)
	admin := shop.addStaff(models.RoleAdmin)
	merch := shop.addStaff(models.RoleMerchandiser)
	signIn := func(email, pw string) *client {
		c := shop.newClient()
		if res := c.post("/admin/login", "/admin/login", url.Values{"email": {email}, "password": {pw}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("login of %s: %d", email, res.StatusCode)
		}
		return c
	}
	inAdmin := func(c *client) bool {
		res, _ := c.get("/admin/layout")
		return res.StatusCode == http.StatusOK
	}
	laptop, phone := signIn(merch, testPassword), signIn(merch, testPassword)
	if !inAdmin(laptop) || !inAdmin(phone) {
		t.Fatal("the merchandiser is not in the admin on both devices")
	}

	// They change their own password on the laptop: the phone is signed out.
	res := laptop.post("/admin/password", "/admin/password", url.Values{"current": {testPassword}, "password": {"a fresh own password"}, "confirm": {"a fresh own password"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("own password change: %d", res.StatusCode)
	}
	if !inAdmin(laptop) {
		t.Error("the device that changed the password was signed out")
	}
	res, _ = phone.get("/admin/layout")
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/admin/login" {
		t.Errorf("the other device after the change: %d to %q, want the login page", res.StatusCode, res.Header.Get("Location"))
	}
	if _, doc := phone.get("/admin/login"); !strings.Contains(doc.Text(), "password of this account was changed") {
		t.Error("the login page does not say why the device was signed out")
	}

	// An admin resets the merchandiser's password: the laptop is signed out too.
	var st models.Staff
	must(t, shop.db.R.Where("email = ?", merch).First(&st).Error)
	boss := signIn(admin, testPassword)
	path := fmt.Sprintf("/admin/staff/%d/password", st.ID)
	if res := boss.post("/admin/staff", path, url.Values{}); res.StatusCode != http.StatusOK {
		t.Fatalf("reset: %d", res.StatusCode)
	}
	if inAdmin(laptop) {
		t.Error("a reset password left the staff member's session open")
	}
	if !inAdmin(boss) {
		t.Error("the admin who reset someone else's password was signed out")
	}
}

// A listing's filter, sort and page links carry on the listing's own
// parameters only, bounded: an address padded with 1,000 brands and a
// parameter of its own was repeated into every link of the page, a page
// ten times the size of the request.
func TestListingLinksDoNotRepeatACraftedAddress(t *testing.T) {
	shop := mustOpenShop(t)
	c := shop.newClient()
	q := url.Values{"junk": {strings.Repeat("x", 4000)}, "brand": {"Summit"}}
	for i := range 999 {
		q.Add("brand", "b"+utoa(uint(i)))
	}
	for _, path := range []string{"/c/outdoor?", "/search?q=tent&"} {
		res, doc := c.get(path + q.Encode())
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", path, res.StatusCode)
		}
		html, _ := doc.Html()
		if strings.Contains(html, "xxxxxxxx") {
			t.Errorf("%s: the page repeats a parameter the listing does not use", path)
		}
		if strings.Contains(html, "brand=b19&") || strings.Contains(html, "brand=b998") {
			t.Errorf("%s: links repeat more than %d brands", path, maxBrandFilters)
		}
		if !strings.Contains(html, "brand=Summit") || !strings.Contains(html, "brand=b18&") {
			t.Errorf("%s: the links lost the listing's own brand filters", path)
		}
	}
}
