package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// Attack inputs for a post-login redirect or a slot link: each would lead a
// browser off the site.
var offSiteNexts = []string{
	"//evil.example/phish", "/\\evil.example", "/\t/evil.example/phish", "/\n/evil.example", "/\r\n/evil.example",
	"/\x00/evil.example", "\\\\evil.example", "https://evil.example/", "http://evil.example", "javascript:alert(1)",
	"evil.example", "/%2F/evil.example", "/\u0085/evil.example", " /", "",
}

func TestSafeNextKeepsOnlySitePaths(t *testing.T) {
	for _, next := range offSiteNexts {
		if got := safeNext(next); got != "/" {
			t.Errorf("safeNext(%q) = %q, want /", next, got)
		}
	}
	for _, next := range []string{"/", "/account", "/checkout?step=2", "/c/outdoor?page=2&sort=price", "/p/12-tent#reviews", "/search?q=%2F%2Fx"} {
		if got := safeNext(next); got != next {
			t.Errorf("safeNext(%q) = %q, want it kept", next, got)
		}
	}
}

// The finding: /login?next=/%09/evil.example/phish sent the shopper, after a
// good login, to /<tab>/evil.example/phish, which browsers read as
// //evil.example/phish. Register the same.
func TestLoginAndRegisterDoNotRedirectOffSite(t *testing.T) {
	shop := mustOpenShop(t)
	for _, raw := range []string{"/%09/evil.example/phish", "/%5Cevil.example", "//evil.example", "/%0d%0a/evil.example"} {
		next, _ := url.QueryUnescape(raw)
		c := shop.newClient()
		_, doc := c.get("/login?next=" + raw)
		if v, _ := doc.Find(`input[name="next"]`).Attr("value"); v != "/" && v != "" {
			t.Errorf("login form for next=%s carries %q", raw, v)
		}
		res := c.post("/login", "/login", url.Values{"email": {"ada@example.com"}, "password": {testPassword}, "next": {next}})
		if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || loc != "/" {
			t.Errorf("login with next=%s: %d to %q, want / on this site", raw, res.StatusCode, loc)
		}
		reg := shop.newClient()
		res = reg.post("/register", "/register", url.Values{"name": {"New"}, "email": {"new" + utoa(uint(len(raw))) + "@example.com"},
			"password": {"a long enough password"}, "next": {next}})
		if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || loc != "/" {
			t.Errorf("register with next=%s: %d to %q, want /", raw, res.StatusCode, loc)
		}
	}
	// A real path survives the round trip through the login page, query included.
	c := shop.newClient()
	res, _ := c.get("/checkout?from=cart&x=1")
	if loc := res.Header.Get("Location"); loc != "/login?next="+url.QueryEscape("/checkout?from=cart&x=1") {
		t.Fatalf("checkout for a visitor sends to %q", loc)
	}
	res = c.post("/login", "/login", url.Values{"email": {"ada@example.com"}, "password": {testPassword}, "next": {"/checkout?from=cart&x=1"}})
	if loc := res.Header.Get("Location"); loc != "/checkout?from=cart&x=1" {
		t.Errorf("after login: %q, want back to the checkout", loc)
	}
}

func TestSlotLinksAreHTTPSOrSitePaths(t *testing.T) {
	for _, l := range append(offSiteNexts[:len(offSiteNexts)-1], "http://shop.example/sale", "https://", "https:///path", "https://user:pw@evil.example",
		"https://evil.example/\t", `https://x.example/"onmouseover="`, "ftp://files.example", "HTTPS://upper.example",
		"https://brand%2Eexample/", "https://\x90\x90.example/") {
		if l == "https://evil.example/" {
			continue // an https address is allowed
		}
		if validSlotLink(l) {
			t.Errorf("slot link %q accepted", l)
		}
	}
	for _, l := range []string{"/c/outdoor", "/search?q=tent", "https://brand.example/summer", "https://brand.example", "https://bücher.example/herbst"} {
		if !validSlotLink(l) {
			t.Errorf("slot link %q refused", l)
		}
	}
}

// FuzzSafeNext: whatever comes in, the redirect target stays on the site,
// even read the way a browser reads it (tabs and newlines dropped,
// backslashes as slashes).
func FuzzSafeNext(f *testing.F) {
	for _, s := range append(offSiteNexts, "/account", "/c/x?y=1#z", "/%09/x", "/\\/x", "/./\\x") {
		f.Add(s)
	}
	base, _ := url.Parse("https://shop.example/login")
	f.Fuzz(func(t *testing.T, next string) {
		got := safeNext(next)
		if got != "/" && got != next {
			t.Fatalf("safeNext(%q) = %q: neither kept nor replaced", next, got)
		}
		browser := strings.NewReplacer("\t", "", "\n", "", "\r", "", "\\", "/").Replace(got)
		u, err := url.Parse(browser)
		if err != nil {
			t.Fatalf("safeNext(%q) = %q does not parse: %v", next, got, err)
		}
		if r := base.ResolveReference(u); r.Host != "shop.example" || r.Scheme != "https" {
			t.Fatalf("safeNext(%q) = %q leads to %s", next, got, r)
		}
		if !validSlotLink(next) {
			return
		}
		link, err := url.Parse(strings.NewReplacer("\t", "", "\n", "", "\r", "", "\\", "/").Replace(next))
		if err != nil {
			t.Fatalf("slot link %q accepted but does not parse as a browser reads it", next)
		}
		if r := base.ResolveReference(link); r.Scheme != "https" || r.Host != "shop.example" && !strings.HasPrefix(next, "https://"+r.Host) {
			t.Fatalf("slot link %q leads to %s: neither this site nor the https address it says", next, r)
		}
	})
}
