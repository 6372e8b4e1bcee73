package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"storefront/models"
)

// followResetLink opens a mailed reset link as c and sets pw with it,
// answering the status of the link's page and of setting the password.
func followResetLink(t *testing.T, shop *testShop, c *client, link, pw string) (opened, set int) {
	t.Helper()
	path := strings.TrimPrefix(link, shop.ts.URL)
	token, _ := url.QueryUnescape(strings.TrimPrefix(path, "/password/reset?token="))
	res, _ := c.get(path)
	_, doc := c.get("/password/forgot") // the form's token, whatever the link's page says
	sent, _ := c.send(http.MethodPost, "/password/reset", url.Values{"token": {token}, "password": {pw}, "confirm": {pw}, "_csrf": {csrf(doc)}}, nil)
	return res.StatusCode, sent.StatusCode
}

// TestALinkMailedBeforeAnAddressCorrectionNoLongerClaims: a customers file
// gave an imported customer a mistyped address; whoever holds that address
// asked "Forgot your password?" and was mailed a first-password link; the
// admin then corrected the address on the customer page. Before, the link
// still worked and made the customer's history an account under the
// corrected address with the stranger's password (twentieth outside
// attack). A link now works only while the customer's address is the one
// it was mailed to; a link asked for with the corrected address works.
func TestALinkMailedBeforeAnAddressCorrectionNoLongerClaims(t *testing.T) {
	shop, relay := resetShop(t)
	admin := shop.staffClient(models.RoleAdmin)
	at := time.Now().Add(-48 * time.Hour).UTC().Format(time.RFC3339)
	applyUpload(t, admin, map[string][2]string{"events": {"orders.csv", "user_id,product_id,type,timestamp\ncust0042,SKU-3,purchase," + at + "\n"},
		"customers": {"customers.csv", "user_id,email,name\ncust0042,grace@exmaple.com,Grace Hopper\n"}})

	stranger := shop.newClient()
	_, body := askForLink(t, stranger, relay, "grace@exmaple.com")
	link := resetLink.FindString(body)
	if link == "" {
		t.Fatalf("no link mailed to the mistyped address:\n%s", body)
	}
	_, doc := admin.get("/admin/customers?q=cust0042")
	action, ok := doc.Find(`[data-testid="customer-email-form"]`).Attr("action")
	if !ok {
		t.Fatal("no address form on cust0042's page")
	}
	if res := admin.post("/admin/customers?q=cust0042", action, url.Values{"email": {"grace@example.com"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("correcting the address: %d", res.StatusCode)
	}

	pw := "a stranger takes the history"
	if opened, set := followResetLink(t, shop, stranger, link, pw); opened != http.StatusGone || set != http.StatusGone {
		t.Errorf("the link mailed to the mistyped address after the correction: its page %d, setting the password %d (want 410, 410)", opened, set)
	}
	if res := shop.newClient().post("/login", "/login", url.Values{"email": {"grace@example.com"}, "password": {pw}}); res.StatusCode == http.StatusSeeOther {
		t.Fatal("the stranger logs in to the customer's history with the corrected address")
	}

	// The customer asks with the corrected address and claims.
	grace := shop.newClient()
	to, body := askForLink(t, grace, relay, "grace@example.com")
	pw = "grace claims her history 42"
	if _, set := followResetLink(t, shop, grace, resetLink.FindString(body), pw); to != "grace@example.com" || set != http.StatusSeeOther {
		t.Fatalf("the corrected address's link (to %q): %d", to, set)
	}
	if res := shop.newClient().post("/login", "/login", url.Values{"email": {"grace@example.com"}, "password": {pw}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("grace logs in: %d", res.StatusCode)
	}
}
