package web

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"storefront/models"
)

// An imported shop's anonymous visitor ids are the shop's own (often a
// counter): a cookie naming one must not hand that visitor's history to
// whoever logs in with it.
func TestForgedVisitorCookieIsNotMergedAtLogin(t *testing.T) {
	shop := mustOpenShop(t)
	var p models.Product
	must(t, shop.db.R.Where("external_id = ?", "SKU-1").First(&p).Error)
	const victim = "imported-visitor-000042"
	for range 3 {
		must(t, shop.db.W.Create(&models.Event{UserKey: "v:" + victim, ProductID: &p.ID, Type: "view", CreatedAt: time.Now().UTC().Add(-time.Hour)}).Error)
	}
	u, _ := url.Parse(shop.ts.URL)
	for i, forged := range []string{victim, victim + ".AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", victim + "."} {
		c := shop.newClient()
		c.hc.Jar.SetCookies(u, []*http.Cookie{{Name: visitorCookie, Value: forged, Path: "/"}})
		c.get("/")
		if got := c.cookie(visitorCookie); got == forged || shop.srv.visitorOf(got) == "" || shop.srv.visitorOf(got) == victim {
			t.Fatalf("cookie %q: the shop kept %q instead of issuing a signed one of its own", forged, got)
		}
		email := "mallory" + utoa(uint(i)) + "@example.com"
		sh, err := shop.db.CreateShopper(t.Context(), "Mallory", email, testPassword)
		must(t, err)
		if res := c.post("/login", "/login", url.Values{"email": {email}, "password": {testPassword}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("login: %d", res.StatusCode)
		}
		must(t, shop.srv.events.Flush(t.Context()))
		var mine, theirs int64
		must(t, shop.db.R.Model(&models.Event{}).Where("user_key = ? AND product_id = ?", sh.ExternalID, p.ID).Count(&mine).Error)
		must(t, shop.db.R.Model(&models.Event{}).Where("user_key = ?", "v:"+victim).Count(&theirs).Error)
		if mine != 0 || theirs != 3 {
			t.Fatalf("cookie %q: the account holds %d of the visitor's events, the visitor keeps %d of 3", forged, mine, theirs)
		}
	}
}

// The shop's own cookie still carries a visit into the account, on any
// instance serving the shop.
func TestSignedVisitorCookieIsMergedAtLogin(t *testing.T) {
	shop := mustOpenShop(t)
	c := shop.newClient()
	c.get("/p/alpine-trail-tent")
	vid := shop.srv.visitorOf(c.cookie(visitorCookie))
	if vid == "" {
		t.Fatalf("the shop's own cookie %q does not verify", c.cookie(visitorCookie))
	}
	// Instances on one database share the key, as they share sessions.
	if other := secondInstance(t, shop); other.srv.visitorOf(c.cookie(visitorCookie)) != vid {
		t.Fatal("a second instance on the same database does not accept the first one's visitor cookie")
	}
	var p models.Product
	must(t, shop.db.R.Where("external_id = ?", "SKU-1").First(&p).Error)
	must(t, shop.db.W.Create(&models.Event{UserKey: "v:" + vid, ProductID: &p.ID, Type: "view", CreatedAt: time.Now().UTC().Add(-time.Minute)}).Error)
	if res := c.post("/login", "/login", url.Values{"email": {"ada@example.com"}, "password": {testPassword}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: %d", res.StatusCode)
	}
	var sh models.Shopper
	must(t, shop.db.R.Where("email = ?", "ada@example.com").First(&sh).Error)
	var mine, left int64
	must(t, shop.db.R.Model(&models.Event{}).Where("user_key = ?", sh.ExternalID).Count(&mine).Error)
	must(t, shop.db.R.Model(&models.Event{}).Where("user_key = ?", "v:"+vid).Count(&left).Error)
	if mine != 1 || left != 0 {
		t.Fatalf("after login the account holds %d events of the visit, %d stay with the visitor", mine, left)
	}
}

// A visitor whose cookie the shop issued before cookies were signed keeps
// their visit across the upgrade: the same id, now signed, merged at login.
func TestAnUnsignedCookieFromBeforeTheSigningKeepsItsVisit(t *testing.T) {
	shop := mustOpenShop(t)
	legacy := randomToken(visitorIDBytes)
	var p models.Product
	must(t, shop.db.R.Where("external_id = ?", "SKU-1").First(&p).Error)
	must(t, shop.db.W.Create(&models.Event{UserKey: "v:" + legacy, ProductID: &p.ID, Type: "view", CreatedAt: time.Now().UTC().Add(-time.Hour)}).Error)
	u, _ := url.Parse(shop.ts.URL)
	c := shop.newClient()
	c.hc.Jar.SetCookies(u, []*http.Cookie{{Name: visitorCookie, Value: legacy, Path: "/"}})
	c.get("/")
	if got := shop.srv.visitorOf(c.cookie(visitorCookie)); got != legacy {
		t.Fatalf("the cookie from before the signing became visitor %q, want %q signed", got, legacy)
	}
	if res := c.post("/login", "/login", url.Values{"email": {"ada@example.com"}, "password": {testPassword}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: %d", res.StatusCode)
	}
	var sh models.Shopper
	must(t, shop.db.R.Where("email = ?", "ada@example.com").First(&sh).Error)
	var mine int64
	must(t, shop.db.R.Model(&models.Event{}).Where("user_key = ? AND product_id = ?", sh.ExternalID, p.ID).Count(&mine).Error)
	if mine != 1 {
		t.Fatalf("after login the account holds %d of the visit's events, want 1", mine)
	}
	// A visitor from before who only filled a cart keeps it too.
	carter := randomToken(visitorIDBytes)
	must(t, shop.db.W.Create(&models.CartItem{OwnerKey: "v:" + carter, ProductID: p.ID, Quantity: 2}).Error)
	c = shop.newClient()
	c.hc.Jar.SetCookies(u, []*http.Cookie{{Name: visitorCookie, Value: carter, Path: "/"}})
	c.get("/")
	if got := shop.srv.visitorOf(c.cookie(visitorCookie)); got != carter {
		t.Fatalf("the cart from before the signing became visitor %q's, want %q signed", got, carter)
	}
}
