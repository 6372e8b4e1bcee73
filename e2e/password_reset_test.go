package e2e

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"storefront/web"
	"storefront/web/smtptest"
)

// mailingTo configures a shop to send its emails to relay.
func mailingTo(t testing.TB, relay *smtptest.Server) func(cfg *web.Config, url string) {
	return func(cfg *web.Config, url string) {
		m, err := web.NewMailer(relay.Addr, "Outdoor Shop <shop@example.com>", url, "", "")
		must(t, err)
		cfg.Mail = m
	}
}

// A shopper who forgot their password follows "Forgot your password?" from
// the login page, asks for a link, opens the link the email brings, sets a
// new password (a mismatch is said at its field) and logs in with it; the
// link then no longer works.
func TestShopperResetsAForgottenPassword(t *testing.T) {
	t.Parallel()
	relay := smtptest.Start(t)
	s := startShopWith(t, mailingTo(t, relay))
	b := newBrowser(t, s)
	fresh := "a fresh password of ada 9"
	var path string

	b.step(t, "the login page leads to the form", func(t *testing.T, b *tab) {
		b.open("/login", `[data-testid="forgot-link"]`)
		b.follow(`[data-testid="forgot-link"]`, `[data-testid="forgot-form"]`)
	})
	b.step(t, "asking for a link says what happens next", func(t *testing.T, b *tab) {
		b.fill(`#email`, "ada@example.com")
		b.follow(`[data-testid="forgot-submit"]`, `[data-testid="reset-sent"]`)
		if got := b.text(`[data-testid="reset-sent"]`); !strings.Contains(got, "ada@example.com") || !strings.Contains(got, "30 minutes") {
			t.Errorf("the page says %q", got)
		}
	})
	b.step(t, "the email brings a link", func(t *testing.T, b *tab) {
		mail := relay.Wait(t, 10*time.Second)
		link := regexp.MustCompile(`http://\S+/password/reset\?token=\S+`).FindString(mail.Body)
		if !strings.HasPrefix(link, s.URL+"/password/reset?token=") {
			t.Fatalf("no link to the shop in %q", mail.Body)
		}
		path = strings.TrimPrefix(link, s.URL)
	})
	b.step(t, "two different passwords are refused at their field", func(t *testing.T, b *tab) {
		b.open(path, `[data-testid="reset-form"]`)
		b.fill(`#password`, fresh, `#confirm`, "not the same one")
		b.follow(`[data-testid="reset-submit"]`, `[data-testid="confirm-error"]`)
		if got := b.text(`[data-testid="confirm-error"]`); got != "The two passwords differ." {
			t.Errorf("error %q", got)
		}
	})
	b.step(t, "the new password is set and logs in", func(t *testing.T, b *tab) {
		b.fill(`#password`, fresh, `#confirm`, fresh)
		b.follow(`[data-testid="reset-submit"]`, `[data-testid="flash"]`)
		if got := b.text(`[data-testid="flash"]`); !strings.Contains(got, "password is changed") || b.path() != "/login" {
			t.Fatalf("on %s: %q", b.path(), got)
		}
		b.logIn("ada@example.com", fresh)
		b.open("/account", `[data-testid="password-link"]`)
	})
	b.step(t, "the link works once", func(t *testing.T, b *tab) {
		b.open(path, `[data-testid="reset-expired"]`)
	})
}
