package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"storefront/models"
)

// A customer the shop imported under their email address (the events
// file's user_id) has no password: "Forgot your password?" mails them a
// link that sets one, and they then log in with the address to their own
// history: "Recently viewed" holds what they viewed before the import,
// less what they bought. A link whose address someone registered
// meanwhile no longer works (that account gets the next link).
func TestAnImportedCustomerSetsAPasswordByEmail(t *testing.T) {
	shop, relay := resetShop(t)
	ctx := context.Background()
	publishRecentlyViewedFirst(t, shop)
	tent, lantern := shop.product("SKU-1"), shop.product("SKU-3")
	imported := func(id string) {
		t.Helper()
		must(t, shop.db.W.Create(&models.Shopper{ExternalID: id, ImportedAs: &id}).Error)
	}
	imported("Grace.Imported@Example.com")
	imported("taken@example.com")
	at := time.Now().Add(-48 * time.Hour)
	must(t, shop.db.InsertEvents(ctx, []models.Event{
		{UserKey: "Grace.Imported@Example.com", ProductID: &tent.ID, Type: "view", CreatedAt: at},
		{UserKey: "Grace.Imported@Example.com", ProductID: &lantern.ID, Type: "view", CreatedAt: at.Add(time.Minute)},
		{UserKey: "Grace.Imported@Example.com", ProductID: &lantern.ID, Type: "purchase", CreatedAt: at.Add(2 * time.Minute)},
	}))
	trainShop(t, shop)

	c := shop.newClient()
	ask := func(email string) (to, body string) { return askForLink(t, c, relay, email) }
	set := func(link, pw string) *http.Response {
		t.Helper()
		path := strings.TrimPrefix(link, shop.ts.URL)
		token, _ := url.QueryUnescape(strings.TrimPrefix(path, "/password/reset?token="))
		_, doc := c.get(path)
		res, _ := c.send(http.MethodPost, "/password/reset", url.Values{"token": {token}, "password": {pw}, "confirm": {pw}, "_csrf": {csrf(doc)}}, nil)
		return res
	}

	to, body := ask("grace.imported@example.com")
	link := resetLink.FindString(body)
	if to != "grace.imported@example.com" || link == "" || !strings.Contains(body, "shopped with us before") {
		t.Fatalf("the imported customer was sent to %q:\n%s", to, body)
	}
	pw := "grace sets her first password 5"
	if res := set(link, pw); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/login" {
		t.Fatalf("setting the password answered %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	grace := shop.newClient()
	if res := grace.post("/login", "/login", url.Values{"email": {"Grace.Imported@example.com"}, "password": {pw}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("the imported customer cannot log in with the address and the new password (%d)", res.StatusCode)
	}
	if res, doc := grace.get("/account"); res.StatusCode != http.StatusOK || !strings.Contains(doc.Find("main").Text(), "grace.imported@example.com") {
		t.Errorf("the account page (%d) does not show the address", res.StatusCode)
	}
	_, doc := grace.get("/")
	// She gave the import no name: the header still shows her signed in.
	if got := strings.TrimSpace(doc.Find(`[data-testid="account-link"]`).Text()); got != "Your account" {
		t.Errorf("the header's account link says %q, want Your account", got)
	}
	row := cardIDs(doc, `section[data-slot-type="recently_viewed"]`)
	if !slices.Contains(row, utoa(tent.ID)) || slices.Contains(row, utoa(lantern.ID)) {
		t.Errorf("recently viewed %v: want the tent viewed before the import, not the lantern bought", row)
	}
	var n int64
	must(t, shop.db.R.Model(&models.Shopper{}).Where("imported_as = ?", "Grace.Imported@Example.com").Count(&n).Error)
	if n != 1 {
		t.Errorf("%d customers under the imported id, want the one that now has the password", n)
	}

	// Someone registers the address of another imported customer after
	// their link was sent: the link no longer sets a password.
	_, body = ask("taken@example.com")
	link = resetLink.FindString(body)
	loginAs(t, shop, "Someone Else", "taken@example.com")
	if res := set(link, "a password for the taken address 3"); res.StatusCode != http.StatusGone {
		t.Errorf("a link to an address registered meanwhile answered %d", res.StatusCode)
	}
}
