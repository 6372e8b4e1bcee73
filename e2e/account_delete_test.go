package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// A shopper deletes their account from the account page: the form asks for
// the password as well as the box (a session left open is not enough), a
// wrong one leaves the account and says so at the field, the right one deletes it and signs out, and
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
		b.follow(`[data-testid="delete-account"]`, `[data-testid="delete-current-error"]`)
		if got := b.text(`[data-testid="delete-current-error"]`); got != "That is not your current password. Your account was not deleted." {
			t.Fatalf("error at the password %q", got)
		}
		// The reason is where the shopper is: the focus on the summary of
		// problems at the form, the password field described by it.
		if !eval[bool](b, `document.activeElement === document.querySelector('[data-testid="error-summary"]') && document.activeElement.closest('form').action.endsWith('/account/delete')`) {
			t.Fatal("the focus is not on the delete form's error summary")
		}
		if got := eval[string](b, `document.getElementById(document.querySelector('#delete-current').getAttribute('aria-describedby')).textContent`); !strings.Contains(got, "not deleted") {
			t.Fatalf("the password field is described by %q", got)
		}
		if b.count(`[data-testid="account-link"]`) != 1 || b.count(`[data-testid="delete-account"]`) != 1 {
			t.Fatalf("on %s, signed in: %d, with the form: %d", b.path(), b.count(`[data-testid="account-link"]`), b.count(`[data-testid="delete-account"]`))
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
