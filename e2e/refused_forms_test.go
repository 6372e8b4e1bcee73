package e2e

import (
	"context"
	"strings"
	"testing"

	"storefront/models"
)

// TestRefusedAdminFormsKeepWhatWasTyped: the admin's settings, staff and
// API key forms, submitted with one field wrong, say what is wrong next to
// that field and in a summary at the top of the reloaded page (which takes
// the focus and links to the field: the settings' last fields and the staff
// form, under the staff list, are out of view there, on a phone most of
// all), keep everything else the admin typed, and save nothing; the
// corrected form then saves.
func TestRefusedAdminFormsKeepWhatWasTyped(t *testing.T) {
	t.Parallel()
	s := startShop(t)
	b := newAdmin(t, s)
	ctx := context.Background()

	b.step(t, "settings with a time zone that does not exist", func(t *testing.T, b *tab) {
		b.open("/admin/settings", `[data-testid="settings-form"]`)
		b.fill(`#name`, "Hazel & Oak", `#time_zone`, "Europe/Atlantis", `#footer_text`, "Open every day but Monday")
		b.follow(`[data-testid="settings-form"] button[type="submit"]`, `[data-testid="time_zone-error"]`)
		b.shotWidths("admin-settings-refused")
		if got := b.text(`[data-testid="time_zone-error"]`); !strings.Contains(got, "Europe/Berlin") {
			t.Fatalf("the time zone's error reads %q, with no example of one that exists", got)
		}
		b.summarySays(t, "#time_zone", "Europe/Berlin")
		if name, zone, footer := b.value(`#name`), b.value(`#time_zone`), b.value(`#footer_text`); name != "Hazel & Oak" || zone != "Europe/Atlantis" || footer != "Open every day but Monday" {
			t.Fatalf("after the refusal the form shows name %q, zone %q, footer %q", name, zone, footer)
		}
		if got := shopName(t, s); got == "Hazel & Oak" {
			t.Fatal("the refused form saved the shop's name")
		}
		b.fill(`#time_zone`, "Europe/Berlin")
		b.follow(`[data-testid="settings-form"] button[type="submit"]`, `[data-testid="flash"]`)
		if got := shopName(t, s); got != "Hazel & Oak" {
			t.Fatalf("the corrected form saved the name %q", got)
		}
	})

	b.step(t, "a staff member with an address that is not one", func(t *testing.T, b *tab) {
		b.open("/admin/staff", `[data-testid="staff-form"]`)
		b.fill(`#email`, "nia@", `#name`, "Nia Okafor")
		b.do("choose the role", chromedpSetValue(`#new-role`, models.RoleAdmin))
		b.follow(`[data-testid="add-staff"]`, `[data-testid="email-error"]`)
		b.shotWidths("admin-staff-refused")
		b.summarySays(t, "#email", "email")
		if email, name, role := b.value(`#email`), b.value(`#name`), b.value(`#new-role`); email != "nia@" || name != "Nia Okafor" || role != models.RoleAdmin {
			t.Fatalf("after the refusal the form shows email %q, name %q, role %q", email, name, role)
		}
		if _, err := s.db.StaffByEmail(ctx, "nia@"); err == nil {
			t.Fatal("the refused form added the staff member")
		}
		b.fill(`#email`, "nia@example.com")
		b.follow(`[data-testid="add-staff"]`, `[data-testid="new-password"]`)
		st, err := s.db.StaffByEmail(ctx, "nia@example.com")
		must(t, err)
		if st.Name != "Nia Okafor" || st.Role != models.RoleAdmin {
			t.Fatalf("the corrected form added %q as %q", st.Name, st.Role)
		}
	})

	b.step(t, "an API key without a name", func(t *testing.T, b *tab) {
		b.open("/admin/api-keys", `[data-testid="apikey-form"]`)
		b.fill(`#key-name`, "  ")
		b.do("choose the scope", chromedpSetValue(`#key-scope`, models.ScopeRecommendations))
		b.follow(`[data-testid="create-key"]`, `[data-testid="name-error"]`)
		if got := b.value(`#key-scope`); got != models.ScopeRecommendations {
			t.Fatalf("after the refusal the scope is %q", got)
		}
		if b.count(`[data-testid="new-secret"]`) != 0 {
			t.Fatal("the refused form shows a new key")
		}
		b.fill(`#key-name`, "Partner feed")
		b.follow(`[data-testid="create-key"]`, `[data-testid="new-secret"]`)
		if got := b.text(`[data-testid="api-keys"]`); !strings.Contains(got, "Partner feed") || !strings.Contains(got, models.ScopeRecommendations) {
			t.Fatalf("the key list reads %q", got)
		}
	})
}

// shopName is the shop's name as stored.
func shopName(t testing.TB, s *shop) string {
	t.Helper()
	set, err := s.db.ShopSettings(context.Background())
	must(t, err)
	return set.Name
}

// summarySays checks the error summary a refused form's page starts with:
// it has the focus, and it says want with a link to the field.
func (b *tab) summarySays(t *testing.T, field, want string) {
	t.Helper()
	if b.count(`[data-testid="error-summary"]`) != 1 {
		t.Fatalf("the refused form's page has no error summary\n%s", b.where())
	}
	if !eval[bool](b, `document.activeElement === document.querySelector('[data-testid="error-summary"]')`) {
		t.Fatal("the error summary does not have the focus")
	}
	link := `[data-testid="error-summary"] a[href="` + field + `"]`
	if b.count(link) != 1 {
		t.Fatalf("the summary has no link to %s: %q", field, b.text(`[data-testid="error-summary"]`))
	}
	if got := b.text(link); !strings.Contains(strings.ToLower(got), strings.ToLower(want)) {
		t.Fatalf("the summary's line for %s reads %q", field, got)
	}
}
