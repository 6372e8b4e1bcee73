package e2e

import (
	"strings"
	"testing"

	"storefront/seed"
)

// The demo admin's password is published: its first login asks for a new
// one, refuses the given one and a mismatch, and then opens the admin.
func TestDemoStaffChoosesOwnPassword(t *testing.T) {
	t.Parallel()
	s := startWorld(t) // the seeded demo world, with the demo staff
	b := newBrowser(t, s)

	b.step(t, "the published password leads to the password form", func(t *testing.T, b *tab) {
		b.open("/admin/login", "#email")
		b.fill(`#email`, seed.DemoAdminEmail, `#password`, seed.DemoAdminPassword)
		b.follow(`[data-testid="auth-submit"]`, `[data-testid="password-forced"]`)
	})
	b.step(t, "nothing else opens before the change", func(t *testing.T, b *tab) {
		b.open("/admin/layout", `[data-testid="password-form"]`)
	})
	b.step(t, "the given password is refused", func(t *testing.T, b *tab) {
		b.fill(`#password`, seed.DemoAdminPassword, `#confirm`, seed.DemoAdminPassword)
		b.follow(`[data-testid="password-submit"]`, `[data-testid="password-error"]`)
	})
	b.step(t, "two different passwords are refused", func(t *testing.T, b *tab) {
		b.fill(`#password`, "a password of my own 42", `#confirm`, "a password of my own 43")
		b.follow(`[data-testid="password-submit"]`, `[data-testid="confirm-error"]`)
	})
	b.step(t, "a new password opens the admin", func(t *testing.T, b *tab) {
		b.fill(`#password`, "a password of my own 42", `#confirm`, "a password of my own 42")
		b.follow(`[data-testid="password-submit"]`, `[data-testid="layout-list"]`)
	})
	b.step(t, "changing it later asks for the current password", func(t *testing.T, b *tab) {
		b.follow(`[data-testid="admin-password"]`, `[data-testid="field-current"]`)
		// A wrong current password and two new ones that differ are said
		// together (the second was said only once the first was right).
		b.fill(`#current`, "not my password at all", `#password`, "a later password of mine 7", `#confirm`, "a later password of mine 8")
		b.follow(`[data-testid="password-submit"]`, `[data-testid="password-form"]`)
		for _, sel := range []string{`[data-testid="current-error"]`, `[data-testid="confirm-error"]`, `[data-testid="error-summary"]`} {
			if b.count(sel) == 0 {
				t.Fatalf("no %s\n%s", sel, b.where())
			}
		}
		b.fill(`#current`, "not my password at all", `#password`, "a later password of mine 7", `#confirm`, "a later password of mine 7")
		b.follow(`[data-testid="password-submit"]`, `[data-testid="current-error"]`)
		b.fill(`#current`, "a password of my own 42", `#password`, "a later password of mine 7", `#confirm`, "a later password of mine 7")
		b.follow(`[data-testid="password-submit"]`, `[data-testid="flash"]`)
		if got := b.text(`[data-testid="flash"]`); !strings.Contains(got, "password is changed") {
			t.Fatalf("flash %q", got)
		}
	})
	b.step(t, "the published password no longer works", func(t *testing.T, b *tab) {
		other := newBrowser(t, s)
		other.open("/admin/login", "#email")
		other.fill(`#email`, seed.DemoAdminEmail, `#password`, seed.DemoAdminPassword)
		other.follow(`[data-testid="auth-submit"]`, `[data-testid="auth-error"]`)
	})
}
