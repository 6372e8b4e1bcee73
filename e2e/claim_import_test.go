package e2e

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"storefront/models"
	"storefront/web/smtptest"
)

// A customer the shop imported under their email address, who never had a
// password here, reads on the login page that "Forgot your password?" sends
// one, asks for the link, sets a password with it and logs in to their own
// history; the header shows them signed in though the import gave no name.
func TestAnImportedCustomerSetsAPasswordFromTheLoginPage(t *testing.T) {
	t.Parallel()
	relay := smtptest.Start(t)
	id := "Lin.Returning@Example.com"
	s := startShopWith(t, mailingTo(t, relay), func(db *models.DB) {
		must(t, db.W.Create(&models.Shopper{ExternalID: id, ImportedAs: &id}).Error)
		var tent models.Product
		must(t, db.R.Where("external_id = ?", "SKU-1").First(&tent).Error)
		must(t, db.InsertEvents(context.Background(), []models.Event{
			{UserKey: id, ProductID: &tent.ID, Type: "view", CreatedAt: time.Now().Add(-72 * time.Hour)}}))
	})
	b := newBrowser(t, s)
	pw := "lin chooses a first password 8"
	var path string

	b.step(t, "the login page says the link also sets a first password", func(t *testing.T, b *tab) {
		b.open("/login", `[data-testid="forgot-link"]`)
		if got := b.text(`.auth`); !strings.Contains(got, "never set one here?") {
			t.Errorf("the login page says nothing to a customer without a password: %q", got)
		}
		b.follow(`[data-testid="forgot-link"]`, `[data-testid="forgot-form"]`)
		b.fill(`#email`, "lin.returning@example.com")
		b.follow(`[data-testid="forgot-submit"]`, `[data-testid="reset-sent"]`)
	})
	b.step(t, "the email brings a link to set a password", func(t *testing.T, b *tab) {
		mail := relay.Wait(t, 10*time.Second)
		if !strings.Contains(mail.Body, "shopped with us before") {
			t.Errorf("the email does not say why: %q", mail.Body)
		}
		link := regexp.MustCompile(`http://\S+/password/reset\?token=\S+`).FindString(mail.Body)
		if !strings.HasPrefix(link, s.URL+"/password/reset?token=") {
			t.Fatalf("no link to the shop in %q", mail.Body)
		}
		path = strings.TrimPrefix(link, s.URL)
	})
	b.step(t, "the password is set and logs in to the imported history", func(t *testing.T, b *tab) {
		b.open(path, `[data-testid="reset-form"]`)
		b.fill(`#password`, pw, `#confirm`, pw)
		b.follow(`[data-testid="reset-submit"]`, `[data-testid="flash"]`)
		if b.path() != "/login" {
			t.Fatalf("after setting the password: on %s", b.path())
		}
		b.logIn("lin.returning@example.com", pw)
		if got := b.text(`[data-testid="account-link"]`); got != "Your account" {
			t.Errorf("the header's account link says %q", got)
		}
		b.follow(`[data-testid="account-link"]`, `[data-testid="account-name"]`)
		if got := b.text("main"); !strings.Contains(got, "lin.returning@example.com") {
			t.Errorf("the account page does not show the address: %q", got)
		}
		// The view the import brought is the account's (this browser
		// viewed no product).
		if got := b.text("main"); !strings.Contains(got, "We keep 1 record of what you viewed") {
			t.Errorf("the account does not hold the imported history: %q", got)
		}
	})
}
