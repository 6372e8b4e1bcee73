package web

import (
	"context"
	"net/http"
	"net/url"
	"testing"
)

// A shopper who left their account signed in on a lost phone signs it out
// from their laptop: the phone and every other device of theirs are signed
// out, the laptop stays signed in under a new session id (a copy of its
// old cookie signs nobody in), and another shopper's session is untouched.
func TestASignOutOfOtherDevicesLeavesOnlyThisOne(t *testing.T) {
	shop := mustOpenShop(t)
	_, err := shop.db.CreateShopper(context.Background(), "Bo Shopper", "bo@example.com", testPassword)
	must(t, err)
	laptop, phone, tablet := shop.shopperClient(), shop.shopperClient(), shop.shopperClient()
	bo := shop.newClient()
	if res := bo.post("/login", "/login", url.Values{"email": {"bo@example.com"}, "password": {testPassword}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("Bo's login: %d", res.StatusCode)
	}
	if _, doc := laptop.get("/account"); doc.Find(`form[action="/account/sessions/end"] button`).Length() != 1 {
		t.Fatal("the account page has no button to sign out other devices")
	}
	old := laptop.cookie("sf_session")
	res, _ := laptop.send(http.MethodPost, "/account/sessions/end", url.Values{"_csrf": {laptop.token("/account")}}, nil)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/account" {
		t.Fatalf("signing out other devices: %d to %q, want 303 to /account", res.StatusCode, res.Header.Get("Location"))
	}
	if res, doc := laptop.get("/account"); res.StatusCode != http.StatusOK {
		t.Errorf("the device that signed the others out was signed out itself: /account answered %d", res.StatusCode)
	} else if got := doc.Find(`[data-testid="flash"]`).Text(); got != "You are signed out on every other device." {
		t.Errorf("the account page says %q, want that the other devices were signed out", got)
	}
	if now := laptop.cookie("sf_session"); now == old || now == "" {
		t.Error("the session id did not change")
	}
	if phone.isShopper() || tablet.isShopper() {
		t.Error("another device of the shopper is still signed in")
	}
	if !bo.isShopper() {
		t.Error("another shopper was signed out")
	}
	if shop.withSession(old).isShopper() {
		t.Error("a copy of the old session cookie still signs the shopper in")
	}
	// Without the form's token nothing happens.
	other := shop.shopperClient()
	if res, _ := laptop.send(http.MethodPost, "/account/sessions/end", url.Values{}, nil); res.StatusCode != http.StatusBadRequest {
		t.Errorf("without a CSRF token: %d, want 400", res.StatusCode)
	}
	if !other.isShopper() {
		t.Error("a post without a CSRF token signed out another device")
	}
}
