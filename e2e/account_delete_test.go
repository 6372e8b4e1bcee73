package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// A shopper deletes their account from the account page: the form asks for
// the password as well as the box (a session left open is not enough), a
// wrong one leaves the account, the right one deletes it and signs out, and
// the password no longer logs in.
func TestShopperDeletesTheirAccount(t *testing.T) {
	t.Parallel()
	s := startShop(t)
	b := newBrowser(t, s)

	b.step(t, "signed in, on the account page", func(t *testing.T, b *tab) {
		b.open("/login", "#email")
		b.logIn("ada@example.com", testPassword)
		b.open("/account", `[data-testid="delete-account"]`)
	})
	b.step(t, "a wrong password keeps the account", func(t *testing.T, b *tab) {
		b.do("tick the box", chromedp.Click(chromedp.CSS(`[data-testid="delete-confirm"]`)))
		b.fill(`#delete-current`, "not my password")
		b.follow(`[data-testid="delete-account"]`, `[data-testid="flash"]`)
		if got := b.text(`[data-testid="flash"]`); got != "That is not your current password. Your account was not deleted." {
			t.Fatalf("flash %q", got)
		}
		if b.path() != "/account" || b.count(`[data-testid="account-link"]`) != 1 {
			t.Fatalf("on %s, signed in: %d", b.path(), b.count(`[data-testid="account-link"]`))
		}
	})
	b.step(t, "the password deletes it and signs out", func(t *testing.T, b *tab) {
		b.do("tick the box", chromedp.Click(chromedp.CSS(`[data-testid="delete-confirm"]`)))
		b.fill(`#delete-current`, testPassword)
		b.follow(`[data-testid="delete-account"]`, `[data-testid="login-link"]`)
		if b.path() != "/?deleted=1" {
			t.Fatalf("on %s, want the homepage", b.path())
		}
	})
	b.step(t, "the password no longer logs in", func(t *testing.T, b *tab) {
		b.open("/login", "#email")
		b.fill(`#email`, "ada@example.com", `#password`, testPassword)
		b.follow(`[data-testid="auth-submit"]`, `[data-testid="auth-error"]`)
		if got := b.text(`[data-testid="auth-error"]`); !strings.Contains(got, "do not match") {
			t.Fatalf("error %q", got)
		}
	})
}
