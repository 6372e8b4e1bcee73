package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"storefront/models"
)

// applyUpload previews files on the admin's import page and applies them,
// answering the finished job's page.
func applyUpload(t *testing.T, admin *client, files map[string][2]string) *goquery.Document {
	t.Helper()
	res, doc := admin.upload("/admin/import", "/admin/import", nil, files)
	action, ok := doc.Find(`[data-testid="import-job"] form`).Attr("action")
	if res.StatusCode != http.StatusOK || !ok {
		t.Fatalf("preview: %d %q", res.StatusCode, strings.Join(strings.Fields(doc.Find(`[data-testid="import-problems"]`).Text()), " "))
	}
	res = admin.post("/admin/import", action, nil)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("apply: %d", res.StatusCode)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		_, doc = admin.get(res.Header.Get("Location"))
		state, _ := doc.Find(`[data-testid="import-job"]`).Attr("data-state")
		if state == "done" || state == "failed" {
			return doc
		}
		if time.Now().After(deadline) {
			t.Fatalf("import state %q", state)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestACustomerImportedUnderAShopSystemIdClaimsTheirHistory: a shop's
// export names customers by its system's ids (cust0042). The admin's
// import takes a customers file (user_id,email[,name]) beside the events
// file, refusing a row that names no customer or an address a registered
// account uses; the admin's customer page sets or corrects one customer's
// address (admins only, audited). "Forgot your password?" with that
// address then sends the customer their first password, and with it they
// log in to their imported history, still under the id cust0042. An
// address a shopper registers after it was given stays the registered
// account's, and the customer page says so. Before, the import read no
// customers file and nobody imported under such an id could log in.
func TestACustomerImportedUnderAShopSystemIdClaimsTheirHistory(t *testing.T) {
	shop, relay := resetShop(t)
	ctx := context.Background()
	publishRecentlyViewedFirst(t, shop)
	admin := shop.staffClient(models.RoleAdmin)
	at := time.Now().Add(-48 * time.Hour).UTC()
	ts := func(m int) string { return at.Add(time.Duration(m) * time.Minute).Format(time.RFC3339) }
	events := "user_id,product_id,type,timestamp\n" +
		"cust0042,SKU-1,view," + ts(0) + "\ncust0042,SKU-3,view," + ts(1) + "\ncust0042,SKU-3,purchase," + ts(2) + "\n" +
		"cust0043,SKU-2,view," + ts(3) + "\ncust0044,SKU-2,view," + ts(4) + "\n"
	problems := func(doc *goquery.Document) []string {
		var got []string
		doc.Find(`[data-testid="import-problem"]`).Each(func(_ int, s *goquery.Selection) {
			got = append(got, strings.Join(s.Find("td").Map(func(_ int, td *goquery.Selection) string { return td.Text() }), " "))
		})
		return got
	}

	// Refused: an unknown customer, a registered account's address.
	res, doc := admin.upload("/admin/import", "/admin/import", nil, map[string][2]string{"events": {"orders.csv", events},
		"customers": {"customers.csv", "user_id,email\ncust9999,someone@example.com\ncust0043,ADA@example.com\n"}})
	got := problems(doc)
	if res.StatusCode != http.StatusUnprocessableEntity || len(got) != 2 ||
		!strings.HasPrefix(got[0], `customers.csv 2 user_id unknown user_id "cust9999"`) ||
		!strings.HasPrefix(got[1], "customers.csv 3 email ada@example.com is the address of an account registered here") {
		t.Fatalf("a customers file naming a stranger and a registered address: %d %q", res.StatusCode, got)
	}
	doc = applyUpload(t, admin, map[string][2]string{"events": {"orders.csv", events},
		"customers": {"customers.csv", "user_id,email,name\ncust0042,Grace.Hopper@Example.com,Grace Hopper\ncust0044,ida@example.com,\n"}})
	if r := doc.Find(`[data-testid="import-result"]`).Text(); !strings.Contains(r, "2 customers given an email address") {
		t.Fatalf("the import's result: %q %s", r, doc.Find(`[data-testid="import-failure"]`).Text())
	}
	trainShop(t, shop)

	// The customers page: admins only.
	if res, _ := shop.staffClient(models.RoleMerchandiser).get("/admin/customers?q=cust0043"); res.StatusCode != http.StatusForbidden {
		t.Errorf("a merchandiser opened the customers page: %d", res.StatusCode)
	}
	_, doc = admin.get("/admin/customers?q=cust0042")
	if got := doc.Find(`[data-testid="field-email"]`).AttrOr("value", ""); got != "grace.hopper@example.com" {
		t.Errorf("cust0042's page shows the address %q", got)
	}
	_, doc = admin.get("/admin/customers?q=cust0043")
	action, ok := doc.Find(`[data-testid="customer-email-form"]`).Attr("action")
	if !ok {
		t.Fatalf("no address form on cust0043's page: %q", strings.Join(strings.Fields(doc.Find("main").Text()), " "))
	}
	res = admin.post("/admin/customers?q=cust0043", action, url.Values{"email": {"ADA@Example.com"}})
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("a registered account's address given to cust0043: %d", res.StatusCode)
	}
	res = admin.post("/admin/customers?q=cust0043", action, url.Values{"email": {"Zoe@Example.com"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("saving cust0043's address: %d", res.StatusCode)
	}
	if sh, err := shop.db.FindCustomer(ctx, "cust0043", ""); err != nil || sh.ClaimEmail == nil || *sh.ClaimEmail != "zoe@example.com" {
		t.Fatalf("cust0043 stored as %+v (%v)", sh, err)
	}
	logs, _, err := shop.db.AuditLogs(ctx, 1, 50)
	must(t, err)
	if !slices.ContainsFunc(logs, func(l models.AuditLog) bool {
		return l.Action == "customer.email" && l.Target == "cust0043" && l.Actor != "" && !strings.Contains(l.Detail, "zoe@")
	}) {
		t.Errorf("the address change is not in the audit log (or the log keeps the address): %+v", logs)
	}

	// Grace asks for her first password with the address the file gave.
	c := shop.newClient()
	ask := func(email string) (to, body string) { return askForLink(t, c, relay, email) }
	to, body := ask("GRACE.HOPPER@example.com")
	link := resetLink.FindString(body)
	if to != "grace.hopper@example.com" || link == "" || !strings.Contains(body, "Hello Grace Hopper,") || !strings.Contains(body, "shopped with us before") {
		t.Fatalf("grace was sent to %q:\n%s", to, body)
	}
	pw := "grace claims her history 42"
	if _, set := followResetLink(t, shop, c, link, pw); set != http.StatusSeeOther {
		t.Fatalf("setting the password: %d", set)
	}
	grace := shop.newClient()
	if res := grace.post("/login", "/login", url.Values{"email": {"grace.hopper@example.com"}, "password": {pw}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("grace cannot log in with the address and her password: %d", res.StatusCode)
	}
	_, doc = grace.get("/")
	if got := strings.TrimSpace(doc.Find(`[data-testid="account-link"]`).Text()); got != "Grace Hopper" {
		t.Errorf("the header's account link says %q, want the file's name", got)
	}
	row := cardIDs(doc, `section[data-slot-type="recently_viewed"]`)
	tent, lantern := shop.product("SKU-1"), shop.product("SKU-3")
	if !slices.Contains(row, utoa(tent.ID)) || slices.Contains(row, utoa(lantern.ID)) {
		t.Errorf("recently viewed %v: want the tent viewed before the import, not the lantern bought", row)
	}
	// Her history and her recommendations stay under the file's id.
	sh, err := shop.db.FindCustomer(ctx, "cust0042", "")
	must(t, err)
	if n, _ := shop.db.CountUserEvents(ctx, "cust0042"); sh.ExternalID != "cust0042" || sh.Email == nil || *sh.Email != "grace.hopper@example.com" || sh.ClaimEmail != nil || n != 3 {
		t.Errorf("after the claim: %+v, %d events under cust0042", sh, n)
	}

	// A shopper registers the address given to cust0043: the account
	// keeps it, the customer page says so, and the link goes to the account.
	loginAs(t, shop, "Zoe Registered", "zoe@example.com")
	_, doc = admin.get("/admin/customers?q=cust0043")
	if doc.Find(`[data-testid="customer-email-registered"]`).Length() != 1 {
		t.Errorf("cust0043's page does not say an account now uses the address: %q", strings.Join(strings.Fields(doc.Find("main").Text()), " "))
	}
	if _, body := ask("zoe@example.com"); strings.Contains(body, "shopped with us before") {
		t.Errorf("the registered address's link went to the imported customer:\n%s", body)
	}
	// The same bounds as every link: three an hour to one customer.
	for i := range models.PasswordResetsPerHour + 1 {
		_, _, err := shop.db.StartPasswordReset(ctx, "ida@example.com", time.Now())
		if i < models.PasswordResetsPerHour && err != nil || i == models.PasswordResetsPerHour && !errors.Is(err, models.ErrTooManyResets) {
			t.Fatalf("link %d for ida: %v", i+1, err)
		}
	}
}
