package e2e

import (
	"strings"
	"testing"
)

// A shopper changes their password from their account page: a wrong
// current password is refused next to its field, the right one changes it,
// the other browser signed in as them is signed out, and the new password
// logs in while the old one no longer does.
func TestShopperChangesTheirPassword(t *testing.T) {
	t.Parallel()
	s := startShop(t)
	b := newBrowser(t, s)
	other := b.incognito()
	fresh := "a fresh password of ada 9"

	b.step(t, "signed in on two browsers", func(t *testing.T, b *tab) {
		for _, tb := range []*tab{b, other.on(t)} {
			tb.open("/login", "#email")
			tb.logIn("ada@example.com", testPassword)
		}
	})
	b.step(t, "the account page leads to the form", func(t *testing.T, b *tab) {
		b.open("/account", `[data-testid="password-link"]`)
		b.follow(`[data-testid="password-link"]`, `[data-testid="account-password-form"]`)
	})
	b.step(t, "every mistake is said at once, at its field", func(t *testing.T, b *tab) {
		b.fill(`#current`, "not my password", `#password`, "short", `#confirm`, "shorter")
		b.follow(`[data-testid="password-submit"]`, `[data-testid="account-password-form"]`)
		if b.count(`[data-testid="error-summary"]`) == 0 {
			t.Fatalf("no error summary\n%s", b.where())
		}
		for field, want := range map[string]string{
			"current":  "That is not your current password.",
			"password": "Use at least 10 characters.",
			"confirm":  "The two passwords differ.",
		} {
			if b.count(`[data-testid="`+field+`-error"]`) == 0 {
				t.Errorf("no error at %s (want %q)\n%s", field, want, b.where())
				continue
			}
			if got := b.text(`[data-testid="` + field + `-error"]`); got != want {
				t.Errorf("%s: %q, want %q", field, got, want)
			}
			if got := b.attrs(`#`+field, "aria-describedby"); len(got) != 1 || got[0] != field+"-error" {
				t.Errorf("#%s is described by %q, want its error", field, got)
			}
			if !strings.Contains(b.text(`[data-testid="error-summary"]`), want) {
				t.Errorf("the summary %q misses %q", b.text(`[data-testid="error-summary"]`), want)
			}
		}
		if got := eval[string](b, `document.activeElement.dataset.testid || document.activeElement.tagName`); got != "error-summary" {
			t.Errorf("the focus is on %s, want the error summary", got)
		}
	})
	b.step(t, "a wrong current password is refused", func(t *testing.T, b *tab) {
		b.fill(`#current`, "not my password", `#password`, fresh, `#confirm`, fresh)
		b.follow(`[data-testid="password-submit"]`, `[data-testid="current-error"]`)
		if got := b.text(`[data-testid="current-error"]`); got != "That is not your current password." {
			t.Fatalf("error %q", got)
		}
	})
	b.step(t, "the current password changes it", func(t *testing.T, b *tab) {
		b.fill(`#current`, testPassword, `#password`, fresh, `#confirm`, fresh)
		b.follow(`[data-testid="password-submit"]`, `[data-testid="flash"]`)
		if got := b.text(`[data-testid="flash"]`); !strings.Contains(got, "password is changed") {
			t.Fatalf("flash %q", got)
		}
		if b.path() != "/account" {
			t.Fatalf("on %s, want /account", b.path())
		}
	})
	b.step(t, "the other browser is signed out", func(t *testing.T, b *tab) {
		o := other.on(t)
		o.open("/account", "#email")
	})
	b.step(t, "only the new password logs in", func(t *testing.T, b *tab) {
		o := other.on(t)
		o.fill(`#email`, "ada@example.com", `#password`, testPassword)
		o.follow(`[data-testid="auth-submit"]`, `[data-testid="auth-error"]`)
		o.logIn("ada@example.com", fresh)
	})
}

// A shopper signed in on two browsers presses "Sign out on every other
// device" on their account page: the page says so and keeps them signed
// in, and the other browser is sent to log in at its next page.
func TestShopperSignsOutTheirOtherDevices(t *testing.T) {
	t.Parallel()
	s := startShop(t)
	b := newBrowser(t, s)
	other := b.incognito()

	b.step(t, "signed in on two browsers", func(t *testing.T, b *tab) {
		for _, tb := range []*tab{b, other.on(t)} {
			tb.open("/login", "#email")
			tb.logIn("ada@example.com", testPassword)
		}
	})
	b.step(t, "the account page's button signs the others out", func(t *testing.T, b *tab) {
		b.open("/account", `[data-testid="sign-out-others"]`)
		b.shotWidths("account-sign-out-others")
		b.follow(`[data-testid="sign-out-others"]`, `[data-testid="flash"]`)
		if got := b.text(`[data-testid="flash"]`); got != "You are signed out on every other device." {
			t.Fatalf("flash %q", got)
		}
		if b.path() != "/account" {
			t.Fatalf("on %s, want /account", b.path())
		}
	})
	b.step(t, "this browser is still signed in", func(t *testing.T, b *tab) {
		b.open("/account", `[data-testid="account-name"]`)
	})
	b.step(t, "the other browser is signed out", func(t *testing.T, b *tab) {
		other.on(t).open("/account", "#email")
	})
}
