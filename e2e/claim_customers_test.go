package e2e

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"storefront/web/smtptest"
)

// A merchant imports their old shop's orders, whose customers are named
// by the shop system's ids (cust0042), with a customers file giving their
// addresses; corrects one customer's address on the admin's customer
// page; and that customer asks for a first password on the login page,
// sets it from the email's link, logs in, and finds their imported
// history (what they viewed and bought) on their account.
func TestAMerchantGivesImportedCustomersTheirAddressesAndOneLogsIn(t *testing.T) {
	t.Parallel()
	relay := smtptest.Start(t)
	s := startShopWith(t, mailingTo(t, relay))
	at := time.Now().Add(-72 * time.Hour).UTC()
	ts := func(m int) string { return at.Add(time.Duration(m) * time.Minute).Format(time.RFC3339) }
	events := writeTemp(t, "orders.csv", "user_id,product_id,type,timestamp\n"+
		"cust0042,SKU-1,view,"+ts(0)+"\ncust0042,SKU-3,purchase,"+ts(1)+"\ncust0043,SKU-2,view,"+ts(2)+"\n")
	customers := writeTemp(t, "customers.csv", "user_id,email,name\ncust0042,grace.old@example.com,Grace Hopper\ncust0043,lin@example.com,\n")
	admin := newAdmin(t, s)
	shopper := newBrowser(t, s)
	pw := "grace claims her history 42"

	admin.step(t, "the import takes the customers file", func(t *testing.T, b *tab) {
		b.open("/admin/import", `[data-testid="import-form"]`)
		b.do("choose the files", chromedp.SetUploadFiles(chromedp.CSS(`#events`), []string{events}),
			chromedp.SetUploadFiles(chromedp.CSS(`#customers`), []string{customers}))
		b.follow(`[data-testid="preview-import"]`, `[data-testid="import-customers"]`)
		if got := strings.Join(strings.Fields(b.text(`[data-testid="import-customers"] tbody tr`)), " "); got != "2 cust0042 grace.old@example.com Grace Hopper" {
			t.Errorf("the preview's first customer reads %q", got)
		}
		b.shotWidths("admin-import-customers-preview")
		b.follow(`[data-testid="apply-import"]`, `[data-testid="import-result"]`)
		if got := b.text(`[data-testid="import-result"]`); !strings.Contains(got, "2 customers given an email address") {
			t.Errorf("the result says %q", got)
		}
	})
	admin.step(t, "the admin corrects one customer's address", func(t *testing.T, b *tab) {
		b.open("/admin/customers", `[data-testid="customer-search"]`)
		b.fill(`#q`, "cust0042")
		b.follow(`[data-testid="find-customer"]`, `[data-testid="customer-email-form"]`)
		if got := b.value(`#email`); got != "grace.old@example.com" {
			t.Errorf("the customer page shows the address %q", got)
		}
		b.fill(`#email`, "Grace.Hopper@Example.com")
		b.follow(`[data-testid="save-customer-email"]`, `[data-testid="flash"]`)
		if got := b.value(`#email`); got != "grace.hopper@example.com" {
			t.Errorf("after saving, the page shows the address %q", got)
		}
		if got := b.text(`[data-testid="customer-account"]`); !strings.Contains(got, "No account yet") || !strings.Contains(got, "grace.hopper@example.com") {
			t.Errorf("the customer page says %q", got)
		}
		b.shotWidths("admin-customer")
		b.open("/admin/audit", `main`)
		if got := b.text("main"); !strings.Contains(got, "customer.email") || !strings.Contains(got, "cust0042") {
			t.Errorf("the audit log does not show the change: %q", got)
		}
	})
	var path string
	shopper.step(t, "the customer asks for a first password", func(t *testing.T, b *tab) {
		b.open("/login", `[data-testid="forgot-link"]`)
		b.follow(`[data-testid="forgot-link"]`, `[data-testid="forgot-form"]`)
		b.fill(`#email`, "grace.hopper@example.com")
		b.follow(`[data-testid="forgot-submit"]`, `[data-testid="reset-sent"]`)
		mail := relay.Wait(t, 10*time.Second)
		if strings.Join(mail.To, ",") != "grace.hopper@example.com" || !strings.Contains(mail.Body, "shopped with us before") {
			t.Fatalf("sent to %v: %q", mail.To, mail.Body)
		}
		link := regexp.MustCompile(`http://\S+/password/reset\?token=\S+`).FindString(mail.Body)
		if !strings.HasPrefix(link, s.URL+"/password/reset?token=") {
			t.Fatalf("no link to the shop in %q", mail.Body)
		}
		path = strings.TrimPrefix(link, s.URL)
	})
	shopper.step(t, "the password set logs in to the imported history", func(t *testing.T, b *tab) {
		b.open(path, `[data-testid="reset-form"]`)
		b.fill(`#password`, pw, `#confirm`, pw)
		b.follow(`[data-testid="reset-submit"]`, `[data-testid="flash"]`)
		b.logIn("grace.hopper@example.com", pw)
		if got := b.text(`[data-testid="account-link"]`); got != "Grace Hopper" {
			t.Errorf("the header's account link says %q", got)
		}
		b.open("/account/interests", `[data-testid="history"]`)
		history := b.text(`[data-testid="history"]`)
		lantern, tent := s.product("SKU-3"), s.product("SKU-1")
		if !strings.Contains(history, lantern.Title) || !strings.Contains(history, tent.Title) || !strings.Contains(strings.ToLower(history), "bought") {
			t.Errorf("the account's history does not hold the imported view and purchase: %q", history)
		}
		b.shotWidths("imported-customer-history")
		b.open("/", `[data-testid="account-link"]`)
		b.shotWidths("imported-customer-home")
	})
}
