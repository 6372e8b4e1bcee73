package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"storefront/models"
)

// TestTheShopMailsOnlyDomainsOfTheInternet: x@[10.0.0.5], x@intranet,
// x@localhost and x@127.0.0.1 are valid addresses, and registration took
// them; "Forgot your password?" then had the shop's relay deliver a reset
// email to a host on its own network (an address literal is delivered to
// that address, a name of one label is looked up in the relay's own search
// domain). Registration refuses them, saying why, and the mailer sends
// nothing to one an account already holds (an import's customer, an
// account from before) — the forgotten-password page answers as for any
// address; an address on an internet domain is mailed as before.
func TestTheShopMailsOnlyDomainsOfTheInternet(t *testing.T) {
	shop, relay := resetShop(t)
	ctx := context.Background()
	inside := []string{"eve@[127.0.0.1]", "eve@[10.0.0.5]", "eve@intranet", "eve@localhost", "eve@mail.localhost", "eve@127.0.0.1", "eve@10.0.0.5"}
	c := shop.newClient()
	for _, email := range inside {
		_, doc := c.get("/register")
		res, doc := c.send(http.MethodPost, "/register", url.Values{"name": {"Eve"}, "email": {email},
			"password": {"a long unique passphrase 11"}, "_csrf": {csrf(doc)}}, nil)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(doc.Text(), "on a domain of the internet") {
			t.Errorf("registering %s: %d, want 422 saying why", email, res.StatusCode)
		}
		var n int64
		must(t, shop.db.R.Model(&models.Shopper{}).Where("email = ?", email).Count(&n).Error)
		if n != 0 {
			t.Errorf("%s: an account was made", email)
		}
	}
	// An account that holds such an address already.
	must(t, shop.db.W.Model(&models.Shopper{}).Where("email = ?", "ada@example.com").Update("email", "ada@[127.0.0.1]").Error)
	_, doc := c.get("/password/forgot")
	res, _ := c.send(http.MethodPost, "/password/forgot", url.Values{"email": {"ada@[127.0.0.1]"}, "_csrf": {csrf(doc)}}, nil)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("asking for a link: %d", res.StatusCode)
	}
	relay.None(t, 500*time.Millisecond)
	if err := shop.srv.cfg.Mail.Send("x@intranet", "Test", "Hello"); err == nil {
		t.Error("the mailer sent to x@intranet")
	}
	// An internet domain is mailed, a subdomain and an IDN too.
	for _, email := range []string{"eve@mail.example.co.uk", "eve@bücher.example"} {
		if _, err := shop.db.CreateShopper(ctx, "Eve", email, "a long unique passphrase 11"); err != nil {
			t.Fatalf("registering %s: %v", email, err)
		}
		if to, body := askForLink(t, shop.newClient(), relay, email); to != email || resetLink.FindString(body) == "" {
			t.Errorf("%s: the link went to %q", email, to)
		}
	}
}

// TestACustomerIsNotGivenAnAddressTheShopDoesNotMail: the merchant gives an
// imported customer the address their first password is sent to, with a
// customers file or on the customer page. An address on the shop's own
// network, which the mailer no longer mails, is refused at its line and at
// the field, so the merchant learns it instead of the customer never
// getting their link.
func TestACustomerIsNotGivenAnAddressTheShopDoesNotMail(t *testing.T) {
	shop, _ := resetShop(t)
	ctx := context.Background()
	admin := shop.staffClient(models.RoleAdmin)
	events := "user_id,product_id,type,timestamp\ncust0050,SKU-1,view," + time.Now().Add(-time.Hour).UTC().Format(time.RFC3339) + "\n"
	res, doc := admin.upload("/admin/import", "/admin/import", nil, map[string][2]string{"events": {"orders.csv", events},
		"customers": {"customers.csv", "user_id,email\ncust0050,eve@intranet\n"}})
	got := strings.Join(strings.Fields(doc.Find(`[data-testid="import-problem"]`).Text()), " ")
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(got, `"eve@intranet": the shop sends no email to a name that is not on the internet`) {
		t.Fatalf("a customers file giving eve@intranet: %d %q", res.StatusCode, got)
	}
	applyUpload(t, admin, map[string][2]string{"events": {"orders.csv", events},
		"customers": {"customers.csv", "user_id,email\ncust0050,eve@example.com\n"}})
	_, doc = admin.get("/admin/customers?q=cust0050")
	action, ok := doc.Find(`[data-testid="customer-email-form"]`).Attr("action")
	if !ok {
		t.Fatal("no address form on cust0050's page")
	}
	if res := admin.post("/admin/customers?q=cust0050", action, url.Values{"email": {"eve@[10.0.0.5]"}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("giving cust0050 eve@[10.0.0.5]: %d, want 422", res.StatusCode)
	}
	if sh, err := shop.db.FindCustomer(ctx, "cust0050", ""); err != nil || sh.ClaimEmail == nil || *sh.ClaimEmail != "eve@example.com" {
		t.Fatalf("cust0050 stored as %+v (%v)", sh, err)
	}
}
