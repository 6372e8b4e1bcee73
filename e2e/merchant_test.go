package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"storefront/models"
)

// A merchant's own shop from zero, in the browser: the first-run setup,
// the shop settings, staff management and the import preview. Each test
// submits the form and checks the effect where the merchant and shoppers
// see it.

const adminPassword = "a sturdy admin password"

// addAdminAndLogIn creates an admin account and logs the browser in with it.
func (b *tab) addAdminAndLogIn(s *shop) {
	b.t.Helper()
	_, err := s.db.CreateStaff(context.Background(), "e2e", models.NewStaff{Email: "owner@example.com", Role: models.RoleAdmin, Password: adminPassword})
	must(b.t, err)
	b.open("/admin/login", "#email")
	b.fill(`#email`, "owner@example.com", `#password`, adminPassword)
	b.follow(`[data-testid="auth-submit"]`, `[data-testid="admin-nav"]`)
}

// newAdmin opens a browser on s, logged in as a fresh admin.
func newAdmin(t testing.TB, s *shop) *tab {
	b := newBrowser(t, s)
	b.addAdminAndLogIn(s)
	return b
}

// productsHeader is the products file's header in its documented order.
const productsHeader = "id,title,description,category,brand,price,stock,created_at\n"

// writeTemp writes body to a file called name in a fresh temporary
// directory and returns its path.
func writeTemp(t testing.TB, name, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	must(t, os.WriteFile(path, []byte(body), 0o644))
	return path
}

// previewProducts opens the admin's import form, chooses file as the
// products file and previews it, waiting until the preview shows sel.
func (b *tab) previewProducts(file, sel string) {
	b.t.Helper()
	b.open("/admin/import", `[data-testid="import-form"]`)
	b.do("choose the file", chromedp.SetUploadFiles(chromedp.CSS(`#products`), []string{file}))
	b.follow(`[data-testid="preview-import"]`, sel)
}

// importProducts previews file as the products file through the admin's
// import form and applies it, waiting for the import's result.
func (b *tab) importProducts(file string) {
	b.t.Helper()
	b.previewProducts(file, `[data-testid="apply-import"]`)
	b.follow(`[data-testid="apply-import"]`, `[data-testid="import-result"]`)
}

// TestFirstRunSetup: a shop without staff opens the one-time setup link,
// a common password is refused with a message, then the first admin is
// created and logged in; the link then leads nowhere.
func TestFirstRunSetup(t *testing.T) {
	t.Parallel()
	s := startShop(t)
	token, err := s.db.CreateSetupToken(context.Background())
	must(t, err)
	b := newBrowser(t, s)
	link := "/admin/setup?token=" + token

	b.step(t, "a common password is refused", func(t *testing.T, b *tab) {
		b.open(link, `[data-testid="setup-form"]`)
		b.fill(`#shop_name`, "Hazel & Oak", `#name`, "Hazel", `#email`, "hazel@example.com", `#password`, "password123")
		b.follow(`[data-testid="setup-submit"]`, `[data-testid="password-error"]`)
		if got := b.value(`#email`); got != "hazel@example.com" {
			t.Fatalf("the form lost the email: %q", got)
		}
	})

	b.step(t, "the first admin is created and lands on the settings", func(t *testing.T, b *tab) {
		b.fill(`#password`, adminPassword)
		b.follow(`[data-testid="setup-submit"]`, `[data-testid="settings-form"]`)
		if got := b.value(`#name`); got != "Hazel & Oak" {
			t.Fatalf("the settings name the shop %q", got)
		}
		list, err := s.db.StaffList(context.Background())
		must(t, err)
		if len(list) != 1 || list[0].Email != "hazel@example.com" || list[0].Role != models.RoleAdmin {
			t.Fatalf("staff after setup: %+v", list)
		}
	})

	b.step(t, "the setup link is gone", func(t *testing.T, b *tab) {
		b.open(link, `[data-testid="error-page"]`)
		if got := b.text(`[data-testid="error-page"] .status`); got != "404" {
			t.Fatalf("the used link shows status %q, want 404", got)
		}
	})
}

// TestAdminChangesShopSettings: the admin renames the shop, switches to
// euros written the European way and sets a footer; every shopper page
// shows them.
func TestAdminChangesShopSettings(t *testing.T) {
	t.Parallel()
	s := startShop(t)
	b := newAdmin(t, s)

	b.step(t, "a bad time zone is refused", func(t *testing.T, b *tab) {
		b.open("/admin/settings", `[data-testid="settings-form"]`)
		b.fill(`#time_zone`, "Mars/Olympus")
		b.follow(`[data-testid="save-settings"]`, `[data-testid="time_zone-error"]`)
	})

	b.step(t, "save the shop's name, currency and footer", func(t *testing.T, b *tab) {
		b.fill(`#name`, "Hazel & Oak", `#time_zone`, "Europe/Berlin", `#footer_text`, "Family-run since 1962.",
			`#returns_text`, "Return anything within 30 days.")
		b.do("choose euros", chromedp.SetValue(chromedp.CSS(`#currency`), "EUR"), chromedp.SetValue(chromedp.CSS(`#number_format`), "1.234,56"),
			chromedp.Click(chromedp.CSS(`[data-testid="field-symbol_after"]`)))
		b.follow(`[data-testid="save-settings"]`, `[data-testid="flash"]`)
		b.screenshot("merchant-settings")
		if got := b.text(`[data-testid="price-example"]`); got != "1.234,56 €" {
			t.Fatalf("the example price reads %q", got)
		}
	})

	b.step(t, "shoppers see them on every page", func(t *testing.T, b *tab) {
		shopper := b.incognito()
		for _, path := range []string{"/", "/c/kitchen", "/p/" + strconv.FormatUint(uint64(s.product("SKU-6").ID), 10), "/search?q=tent", "/cart"} {
			shopper.open(path, `[data-testid="shop-name"]`)
			if got := shopper.text(`[data-testid="shop-name"]`); got != "Hazel & Oak" {
				t.Errorf("%s names the shop %q", path, got)
			}
			if got := shopper.text(`[data-testid="footer-text"]`); got != "Family-run since 1962." {
				t.Errorf("%s footer %q", path, got)
			}
		}
		shopper.open("/p/"+strconv.FormatUint(uint64(s.product("SKU-6").ID), 10), `[data-testid="product-price"]`)
		if got := shopper.text(`[data-testid="product-price"]`); got != "39,99 €" {
			t.Errorf("the skillet costs %q, want 39,99 €", got)
		}
		shopper.follow(`[data-testid="policies-link"]`, `[data-testid="policies"]`)
		if got := shopper.text(`[data-testid="policies"]`); !strings.Contains(got, "Return anything within 30 days.") {
			t.Errorf("the returns page reads %q", got)
		}
	})

	b.step(t, "a new shopper is welcomed to the shop by its name", func(t *testing.T, b *tab) {
		shopper := b.incognito()
		shopper.open("/register", `#name`)
		shopper.fill(`#name`, "Grace", `#email`, "grace@example.com", `#password`, "violet kettle harbour 42")
		shopper.follow(`[data-testid="auth-submit"]`, `[data-testid="flash"]`)
		if got := shopper.text(`[data-testid="flash"]`); got != "Welcome to Hazel & Oak, Grace." {
			t.Errorf("the welcome after registering reads %q", got)
		}
	})
}

// TestAdminManagesStaff: the admin adds a merchandiser (the generated
// password logs in), resets their password (their open session ends, the
// old password stops working, the new one works), deactivates them, and is
// refused when trying to step down as the only admin.
func TestAdminManagesStaff(t *testing.T) {
	t.Parallel()
	s := startShop(t)
	b := newAdmin(t, s)
	var password string

	b.step(t, "add a merchandiser and read the password once", func(t *testing.T, b *tab) {
		b.open("/admin/staff", `[data-testid="staff-form"]`)
		b.fill(`#email`, "nia@example.com", `#name`, "Nia")
		b.follow(`[data-testid="add-staff"]`, `[data-testid="new-password"]`)
		b.screenshot("merchant-staff")
		password = b.text(`[data-testid="password"]`)
		if len(password) < 16 {
			t.Fatalf("password shown: %q", password)
		}
		if b.count(`[data-testid="staff-row"][data-email="nia@example.com"]`) != 1 {
			t.Fatal("the new merchandiser is not listed")
		}
	})

	laptop := b.incognito() // the merchandiser's own browser
	own := "nia chose this one 42"
	b.step(t, "the password logs the merchandiser in to choose her own", func(t *testing.T, b *tab) {
		laptop := laptop.on(t)
		laptop.open("/admin/login", "#email")
		laptop.fill(`#email`, "nia@example.com", `#password`, password)
		// A password the admin saw is not hers to keep (ASVS 2.3.1).
		laptop.follow(`[data-testid="auth-submit"]`, `[data-testid="password-forced"]`)
		laptop.fill(`#password`, own, `#confirm`, own)
		laptop.follow(`[data-testid="password-submit"]`, `[data-testid="layout-list"]`)
	})

	b.step(t, "reset the merchandiser's password", func(t *testing.T, b *tab) {
		b.open("/admin/staff", `[data-testid="staff-form"]`)
		b.follow(`[data-testid="staff-row"][data-email="nia@example.com"] [data-testid="reset-password"]`, `[data-testid="new-password"]`)
		fresh := b.text(`[data-testid="password"]`)
		if len(fresh) < 16 || fresh == password {
			t.Fatalf("password shown after the reset: %q (the old one was %q)", fresh, password)
		}
		if got := b.text(`[data-testid="new-password"]`); !strings.Contains(got, "nia@example.com") {
			t.Fatalf("the new password does not say whose it is: %q", got)
		}
		// The merchandiser's open session ends with the old password...
		laptop := laptop.on(t)
		laptop.open("/admin/layout", "#email")
		// ...which no longer logs in, while the new one does, to choose
		// her own again.
		laptop.fill(`#email`, "nia@example.com", `#password`, own)
		laptop.follow(`[data-testid="auth-submit"]`, `[data-testid="auth-error"]`)
		laptop.fill(`#email`, "nia@example.com", `#password`, fresh)
		laptop.follow(`[data-testid="auth-submit"]`, `[data-testid="password-forced"]`)
		laptop.fill(`#password`, own+" again", `#confirm`, own+" again")
		laptop.follow(`[data-testid="password-submit"]`, `[data-testid="layout-list"]`)
		// The admin who reset it is still signed in.
		b.open("/admin/staff", `[data-testid="staff-form"]`)
	})

	b.step(t, "deactivate the merchandiser", func(t *testing.T, b *tab) {
		b.follow(`[data-testid="staff-row"][data-email="nia@example.com"] [data-testid="deactivate"]`, `[data-testid="flash"]`)
		if b.count(`[data-testid="staff-row"][data-email="nia@example.com"] [data-testid="deactivated"]`) != 1 {
			t.Fatal("the merchandiser is not shown as deactivated")
		}
		st, err := s.db.StaffByEmail(context.Background(), "nia@example.com")
		must(t, err)
		if st.Active() {
			t.Fatal("the account is still active in the database")
		}
	})

	b.step(t, "the only admin cannot step down", func(t *testing.T, b *tab) {
		row := `[data-testid="staff-row"][data-email="owner@example.com"]`
		b.do("choose merchandiser", chromedp.SetValue(chromedp.CSS(row+` select`), models.RoleMerchandiser))
		b.follow(row+` [data-testid="change-role"]`, `[data-testid="staff-error"]`)
		if got := b.text(`[data-testid="staff-error"]`); !strings.Contains(got, "at least one active admin") {
			t.Fatalf("refusal reads %q", got)
		}
	})
}

// TestImportPreviewShowsABadRow: the admin uploads a products file with a
// bad price; the preview names the file, line and field, offers no apply,
// and nothing is written. The fixed file is then applied.
func TestImportPreviewShowsABadRow(t *testing.T) {
	t.Parallel()
	s := startShop(t)
	b := newAdmin(t, s)
	dir := t.TempDir()
	file := filepath.Join(dir, "spring-catalog.csv")
	good := "id,title,description,category,brand,price,stock,created_at\n" +
		"NEW-1,Watering Can,,Garden > Watering,Greenway,19.50,8,\n" +
		"NEW-2,Seed Tray,,Garden,Greenway,%s,12,\n"

	b.step(t, "the preview lists the bad row", func(t *testing.T, b *tab) {
		must(t, os.WriteFile(file, []byte(strings.Replace(good, "%s", "cheap", 1)), 0o644))
		b.open("/admin/import", `[data-testid="import-form"]`)
		b.do("choose the file", chromedp.SetUploadFiles(chromedp.CSS(`#products`), []string{file}))
		b.follow(`[data-testid="preview-import"]`, `[data-testid="import-problems"]`)
		b.screenshot("merchant-import-preview")
		row := b.text(`[data-testid="import-problem"]`)
		if !strings.Contains(row, "spring-catalog.csv") || b.text(`[data-testid="problem-line"]`) != "3" || b.text(`[data-testid="problem-field"]`) != "price" {
			t.Fatalf("problem row reads %q", row)
		}
		if b.count(`[data-testid="apply-import"]`) != 0 {
			t.Fatal("a file with problems can be applied")
		}
		if _, err := s.db.ProductByExternalID(context.Background(), "NEW-1"); err == nil {
			t.Fatal("the preview wrote a product")
		}
	})

	b.step(t, "the fixed file is applied", func(t *testing.T, b *tab) {
		must(t, os.WriteFile(file, []byte(strings.Replace(good, "%s", "4.25", 1)), 0o644))
		b.do("choose the file", chromedp.SetUploadFiles(chromedp.CSS(`#products`), []string{file}))
		b.follow(`[data-testid="preview-import"]`, `[data-testid="apply-import"]`)
		b.follow(`[data-testid="apply-import"]`, `[data-testid="import-result"]`)
		b.screenshot("merchant-import-done")
		if got := b.text(`[data-testid="import-result"]`); !strings.Contains(got, "2 products created") {
			t.Fatalf("result reads %q", got)
		}
		p, err := s.db.ProductByExternalID(context.Background(), "NEW-2")
		must(t, err)
		if p.PriceCents != 425 {
			t.Fatalf("imported price %d", p.PriceCents)
		}
	})
}

// TestImportNeverAttachesToAnAccount: the merchant imports an events file
// whose customer happens to have the id of Ada's account. Ada logs in and
// finds none of that customer's purchases in her taste; the customer's
// events are under a key of their own.
func TestImportNeverAttachesToAnAccount(t *testing.T) {
	t.Parallel()
	s := startShop(t)
	file := writeTemp(t, "old-shop-events.csv", "user_id,product_id,type,timestamp\n"+
		s.ada.ExternalID+",SKU-6,purchase,2026-01-10T10:00:00Z\n"+
		s.ada.ExternalID+",SKU-7,purchase,2026-01-11T10:00:00Z\n")
	b := newAdmin(t, s)

	b.step(t, "the events file is imported", func(t *testing.T, b *tab) {
		b.open("/admin/import", `[data-testid="import-form"]`)
		b.do("choose the file", chromedp.SetUploadFiles(chromedp.CSS(`#events`), []string{file}))
		b.follow(`[data-testid="preview-import"]`, `[data-testid="apply-import"]`)
		b.follow(`[data-testid="apply-import"]`, `[data-testid="import-result"]`)
		if got := b.text(`[data-testid="import-result"]`); !strings.Contains(got, "2 events") ||
			!strings.Contains(got, s.ada.ExternalID+" as "+s.ada.ExternalID+"~imported") {
			t.Fatalf("result reads %q, want it to say the customer %s is kept apart from Ada's account", got, s.ada.ExternalID)
		}
		var mine, theirs int64
		must(t, s.db.R.Model(&models.Event{}).Where("user_key = ?", s.ada.ExternalID).Count(&mine).Error)
		must(t, s.db.R.Model(&models.Event{}).Where("user_key = ?", s.ada.ExternalID+"~imported").Count(&theirs).Error)
		if mine != 0 || theirs != 2 {
			t.Fatalf("Ada's account holds %d imported events, the imported customer %d; want 0 and 2", mine, theirs)
		}
	})

	b.step(t, "Ada's taste holds none of it", func(t *testing.T, b *tab) {
		a := b.incognito()
		a.open("/login", `#email`)
		a.logIn("ada@example.com", testPassword)
		a.open("/account/interests", `[data-testid="interests-empty"]`)
		if txt := a.text(`main`); strings.Contains(txt, "Cookware") || strings.Contains(txt, "Hearth") {
			t.Fatalf("Ada's interests show the imported customer's purchases: %q", txt)
		}
	})
}
