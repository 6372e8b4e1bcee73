package web

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// oldCookies is a browser behind TLS holding only the given cookies of
// the names the shop used before it served there.
func (s *testShop) oldCookies(cookies ...*http.Cookie) *client {
	s.t.Helper()
	c := s.newClient()
	u, _ := url.Parse(s.ts.URL)
	for _, ck := range cookies {
		ck.Path = "/"
	}
	c.hc.Jar.SetCookies(u, cookies)
	return c
}

// A shop that starts serving behind TLS renames its session and visitor
// cookies (__Host-sf_session, __Host-sf_vid). The upgrade signs nobody out:
// a session signed in before it, and a visitor id the shop signed before
// it, are taken once under the old names and reissued under the new ones.
// What was issued after it never had the old names, so a page on a sibling
// subdomain planting one of those (its own session: the shopper signed into
// the attacker's account; its own visitor id: the shopper's cart and views
// read by the attacker) is ignored, and so is an unsigned visitor id.
func TestOldCookieNamesAreTakenOnceBehindTLS(t *testing.T) {
	plain := mustOpenShop(t)
	before := plain.shopperClient()
	before.get("/")
	oldSession, oldVisitor := before.cookie(SessionCookie), before.cookie(visitorCookie)
	oldID := plain.srv.visitorOf(oldVisitor)
	if oldSession == "" || oldID == "" {
		t.Fatalf("the plain shop issued session %q, visitor %q", oldSession, oldVisitor)
	}

	shop := serveShop(t, plain.db, Config{SecureCookies: true}, true, nil)
	c := shop.oldCookies(&http.Cookie{Name: SessionCookie, Value: oldSession}, &http.Cookie{Name: visitorCookie, Value: oldVisitor})
	res, _ := c.get("/account")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("a shopper signed in before the shop served behind TLS: /account answered %d, want 200 (signed out by the upgrade)", res.StatusCode)
	}
	for _, name := range []string{SessionCookie, visitorCookie} {
		if ck := findCookie(res, name); ck == nil || ck.MaxAge >= 0 {
			t.Errorf("the old cookie %s is not dropped: %+v", name, ck)
		}
	}
	newSession := c.cookie(hostSessionCookie)
	if newSession == "" || newSession == oldSession {
		t.Errorf("session reissued under %s as %q (old id %q): want a new id", hostSessionCookie, newSession, oldSession)
	}
	if shop.sessionExists(oldSession) {
		t.Error("the old session id still works: taken more than once")
	}
	if got, _ := shop.srv.readVisitor(c.cookie(hostVisitorCookie)); got != oldID {
		t.Errorf("visitor reissued as %q, want the old id %q (its cart and history kept)", got, oldID)
	}
	if res, _ := c.get("/account"); res.StatusCode != http.StatusOK {
		t.Errorf("under the new names: /account answered %d", res.StatusCode)
	}

	// Issued behind TLS, planted under the old names by a sibling
	// subdomain.
	attacker := shop.shopperClient()
	attacker.get("/")
	planted, plantedVisitor := attacker.cookie(hostSessionCookie), attacker.cookie(hostVisitorCookie)
	if planted == "" || plantedVisitor == "" {
		t.Fatal("the attacker holds no session or visitor cookie of the TLS shop")
	}
	attackerID, _ := shop.srv.readVisitor(plantedVisitor)
	victim := shop.oldCookies(&http.Cookie{Name: SessionCookie, Value: planted}, &http.Cookie{Name: visitorCookie, Value: plantedVisitor})
	if res, _ := victim.get("/account"); res.StatusCode == http.StatusOK {
		t.Error("a session signed in behind TLS, planted as sf_session, signed the victim into the attacker's account")
	}
	if got, _ := shop.srv.readVisitor(victim.cookie(hostVisitorCookie)); got == "" || got == attackerID {
		t.Errorf("a visitor id issued behind TLS, planted as sf_vid, was taken: %q (the attacker's %q)", got, attackerID)
	}
	if !shop.sessionExists(planted) {
		t.Error("the attacker's own session was ended by the planting")
	}
	legacy := randomToken(visitorIDBytes)
	victim = shop.oldCookies(&http.Cookie{Name: visitorCookie, Value: legacy})
	victim.get("/")
	if got, _ := shop.srv.readVisitor(victim.cookie(hostVisitorCookie)); got == legacy {
		t.Error("an unsigned visitor id, which anyone can make, was taken under the old name behind TLS")
	}

	// Every instance started later keeps the first one's moment.
	since, err := plain.db.HostCookiesSince(context.Background(), shop.srv.hostCookiesSince.AddDate(0, 0, 1))
	must(t, err)
	if !since.Equal(shop.srv.hostCookiesSince) {
		t.Errorf("HostCookiesSince moved from %v to %v", shop.srv.hostCookiesSince, since)
	}
}

// A shop reached over https (its own TLS, or a trusted proxy's
// X-Forwarded-Proto: https) but started without --secure-cookies sends its
// cookies without Secure and the __Host- prefix: it says so in its log,
// once. The header from a client that is not a trusted proxy is ignored.
func TestServingOverHTTPSWithoutSecureCookiesWarns(t *testing.T) {
	const warning = "serves without --secure-cookies"
	db := mustOpenShop(t).db
	for _, tc := range []struct {
		name    string
		tls     bool
		proxies string
		proto   string
		warns   bool
	}{
		{"own TLS", true, "", "", true},
		{"a trusted proxy's https", false, "127.0.0.1", "https", true},
		{"X-Forwarded-Proto from anyone", false, "", "https", false},
		{"plain http", false, "127.0.0.1", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			logs := &syncBuffer{}
			proxies, err := ParseTrustedProxies(tc.proxies)
			must(t, err)
			shop := serveShop(t, db, Config{TrustedProxies: proxies, Logger: slog.New(slog.NewTextHandler(logs, nil))}, tc.tls, nil)
			c := shop.newClient()
			for range 3 {
				c.send(http.MethodGet, "/", nil, map[string]string{"X-Forwarded-Proto": tc.proto})
			}
			if n := strings.Count(logs.String(), warning); n != map[bool]int{true: 1, false: 0}[tc.warns] {
				t.Errorf("the warning logged %d times over 3 requests, want it %t (once)", n, tc.warns)
			}
		})
	}
}

// A reverse proxy the shop was not told of makes every shopper one client:
// one login allowance, one event budget, and one busy network that
// training's crowd guard leaves out. The shop says so in its log, at most
// once an hour, naming the proxy and the flag; a request that carries no
// X-Forwarded-For, or comes through a trusted proxy, says nothing.
func TestAnUnnamedReverseProxyIsLogged(t *testing.T) {
	db := mustOpenShop(t).db
	const warning = "carry X-Forwarded-For, but it is not a trusted proxy"
	for _, tc := range []struct {
		name    string
		proxies string
		header  map[string]string
		warns   bool
	}{
		{"an unnamed proxy on the same machine", "", map[string]string{"X-Forwarded-For": "198.51.100.7"}, true},
		{"a trusted proxy", "127.0.0.1", map[string]string{"X-Forwarded-For": "198.51.100.7"}, false},
		{"a client without a proxy", "", nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			logs := &syncBuffer{}
			proxies, err := ParseTrustedProxies(tc.proxies)
			must(t, err)
			shop := serveShop(t, db, Config{TrustedProxies: proxies, Logger: slog.New(slog.NewTextHandler(logs, nil))}, false, nil)
			c := shop.newClient()
			for range 3 {
				c.send(http.MethodGet, "/", nil, tc.header)
			}
			if n := strings.Count(logs.String(), warning); n != map[bool]int{true: 1, false: 0}[tc.warns] {
				t.Errorf("the warning logged %d times over 3 requests, want it %t (once)\n%s", n, tc.warns, logs.String())
			}
			if tc.warns && !strings.Contains(logs.String(), "--trusted-proxies") {
				t.Errorf("the warning does not name the flag: %s", logs.String())
			}
		})
	}
	if got := unnamedProxy("203.0.113.9:4711", nil); got != "" {
		t.Errorf("a public address sending X-Forwarded-For (a client's own header) reads as a proxy: %q", got)
	}
}
