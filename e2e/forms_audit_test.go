package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"storefront/models"
)

// The forms no other test submitted in the browser, one test each: the
// form is submitted as a person would and its effect is checked where a
// person would see it, and in the database. docs/forms.md lists every form of
// templates/ with the test that submits it.

// TestShopperTurnsPersonalizationOffAndOn: the privacy form of an existing
// account turns personalization off (the account page says so, the
// account is opted out) and on again.
func TestShopperTurnsPersonalizationOffAndOn(t *testing.T) {
	t.Parallel()
	s := startShop(t)
	b := newBrowser(t, s)
	optedOut := func() bool {
		var sh models.Shopper
		must(t, s.db.R.First(&sh, s.ada.ID).Error)
		return sh.OptOut
	}
	b.step(t, "turn it off", func(t *testing.T, b *tab) {
		b.open("/login", "#email")
		b.logIn("ada@example.com", testPassword)
		b.open("/account", `[data-testid="optout-toggle"]`)
		b.follow(`[data-testid="optout-toggle"]`, `[data-testid="optout-state"]`)
		if got := b.text(`[data-testid="optout-state"]`); !strings.Contains(got, "off") {
			t.Fatalf("after turning it off the account says %q", got)
		}
		if !optedOut() {
			t.Fatal("the account is not opted out in the database")
		}
	})
	b.step(t, "turn it on again", func(t *testing.T, b *tab) {
		b.follow(`[data-testid="optout-toggle"]`, `[data-testid="optout-state"]`)
		if got := b.text(`[data-testid="optout-state"]`); !strings.Contains(got, "on") || strings.Contains(got, "off") {
			t.Fatalf("after turning it on the account says %q", got)
		}
		if optedOut() {
			t.Fatal("the account is still opted out in the database")
		}
	})
}

// TestShopperLogsOutFromTheHeader: the header's log out button ends the
// shopper's session: the header offers to log in, the account page asks
// for it.
func TestShopperLogsOutFromTheHeader(t *testing.T) {
	t.Parallel()
	s := startShop(t)
	b := newBrowser(t, s)
	b.open("/login", "#email")
	b.logIn("ada@example.com", testPassword)
	b.follow(`[data-testid="header-logout"]`, `[data-testid="login-link"]`)
	if b.count(`[data-testid="account-link"]`) != 0 {
		t.Fatal("after logging out the header still names the shopper")
	}
	b.open("/account", `body`)
	if got := b.path(); !strings.HasPrefix(got, "/login") {
		t.Fatalf("after logging out /account shows %q, want the login page", got)
	}
}

// TestStaffLogsOutOfTheAdmin: the admin's log out button ends the staff
// session: the admin pages ask to log in again.
func TestStaffLogsOutOfTheAdmin(t *testing.T) {
	t.Parallel()
	s := startShop(t)
	b := newAdmin(t, s)
	b.open("/admin/layout", `[data-testid="admin-logout"]`)
	b.follow(`[data-testid="admin-logout"]`, `body`)
	b.open("/admin/layout", `body`)
	if got := b.path(); !strings.HasPrefix(got, "/admin/login") || b.count(`[data-testid="admin-nav"]`) != 0 {
		t.Fatalf("after logging out /admin/layout shows %q", got)
	}
}

// TestLayoutEditorMovesASlotDownAndRemovesACreative: in the editor of the
// saved layout, the ↓ button moves an existing slot one place down (the
// list and the draft agree), and a saved banner's creative is removed from
// its form.
func TestLayoutEditorMovesASlotDownAndRemovesACreative(t *testing.T) {
	t.Parallel()
	s := startShop(t, func(db *models.DB) {
		page, err := db.PageByKey(context.Background(), models.HomePage)
		must(t, err)
		must(t, db.W.Create(&models.Slot{PageID: page.ID, Position: 5, Type: models.SlotBanner, Title: "Spring", Enabled: true, Size: 1, Audience: "everyone",
			Creatives: []models.Creative{{ID: 1, Title: "Boots for spring", Link: "/c/outdoor"}, {ID: 2, Title: "Tents for summer", Link: "/c/tents"}}}).Error)
	})
	b := newAdmin(t, s)
	draft := func() []string {
		slots, _, err := s.db.DraftSlots(context.Background(), models.HomePage)
		must(t, err)
		var titles []string
		for _, sl := range slots {
			titles = append(titles, sl.Title)
		}
		return titles
	}
	b.step(t, "move Best sellers down", func(t *testing.T, b *tab) {
		b.open("/admin/layout", `[data-testid="layout-list"]`)
		before := b.layoutOrder()
		if len(before) < 3 {
			t.Fatalf("the editor lists %v", before)
		}
		b.follow(`[data-testid="layout-slot"]:nth-child(2) [data-testid="move-down"]`, `[data-testid="layout-list"]`)
		after := b.layoutOrder()
		if len(after) != len(before) || after[1] != before[2] || after[2] != before[1] {
			t.Fatalf("the editor lists %v after moving the second of %v down", after, before)
		}
		if got := draft(); len(got) < 3 || got[1] != "New arrivals" || got[2] != "Best sellers" {
			t.Fatalf("the draft holds %v", got)
		}
	})
	b.step(t, "remove a creative of the banner", func(t *testing.T, b *tab) {
		b.open("/admin/layout", `[data-testid="layout-list"]`)
		b.follow(`[data-testid="layout-slot"]:last-child [data-testid="slot-title"]`, `[data-testid="creatives"]`)
		if n := b.count(`[data-testid="creative-title"]`); n != 2 {
			t.Fatalf("the banner lists %d creatives, want 2", n)
		}
		b.follow(`[data-testid="remove-creative"]`, `[data-testid="creatives"]`)
		if got := b.text(`[data-testid="creatives"]`); strings.Contains(got, "Boots for spring") || !strings.Contains(got, "Tents for summer") {
			t.Fatalf("after removing the first creative the banner lists %q", got)
		}
		slots, _, err := s.db.DraftSlots(context.Background(), models.HomePage)
		must(t, err)
		banner := slots[len(slots)-1]
		if len(banner.Creatives) != 1 || banner.Creatives[0].Title != "Tents for summer" {
			t.Fatalf("the draft's banner holds %+v", banner.Creatives)
		}
	})
}

// TestAdminUploadsAndRemovesTheLogo: the logo form puts the shop's logo in
// the header shoppers see; the remove button takes it away again.
func TestAdminUploadsAndRemovesTheLogo(t *testing.T) {
	t.Parallel()
	s := startShop(t)
	b := newAdmin(t, s)
	shopper := b.incognito()
	b.step(t, "upload a logo", func(t *testing.T, b *tab) {
		b.open("/admin/settings", `[data-testid="logo-form"]`)
		b.do("choose the file", chromedp.SetUploadFiles(chromedp.CSS(`#logo`), []string{writePhoto(t, 120, 48)}))
		b.follow(`[data-testid="upload-logo"]`, `[data-testid="current-logo"]`)
		shopper := shopper.on(t)
		eventually(t, 8e9, func() string {
			shopper.open("/", `header`)
			if src := eval[string](shopper, `(document.querySelector("header a img") || {}).getAttribute?.("src") || ""`); !strings.Contains(src, "logo") {
				return "the header shows the image " + src + ", not the logo"
			}
			return ""
		})
	})
	b.step(t, "remove it", func(t *testing.T, b *tab) {
		b.follow(`[data-testid="remove-logo"]`, `[data-testid="logo-form"]`)
		if b.count(`[data-testid="current-logo"]`) != 0 {
			t.Fatal("the settings still show a logo")
		}
		shopper := shopper.on(t)
		eventually(t, 8e9, func() string {
			shopper.open("/", `header`)
			if src := eval[string](shopper, `(document.querySelector("header a img") || {}).getAttribute?.("src") || ""`); strings.Contains(src, "logo") {
				return "the header still shows the logo " + src
			}
			return ""
		})
	})
}

// TestAdminChangesAStaffMembersRoleAndRemovesThem: on an existing staff
// member's row, the role form makes the merchandiser an admin, the
// deactivate and reactivate buttons take the account off and back on, and
// the remove button takes it away: the list no longer shows it and it no
// longer logs in.
func TestAdminChangesAStaffMembersRoleAndRemovesThem(t *testing.T) {
	t.Parallel()
	s := startShop(t)
	_, err := s.db.CreateStaff(context.Background(), "e2e", models.NewStaff{Email: "nia@example.com", Role: models.RoleMerchandiser, Password: adminPassword + " nia"})
	must(t, err)
	b := newAdmin(t, s)
	row := `[data-testid="staff-row"][data-email="nia@example.com"]`
	stored := func() *models.Staff {
		st, err := s.db.StaffByEmail(context.Background(), "nia@example.com")
		must(t, err)
		return st
	}
	b.step(t, "make her an admin", func(t *testing.T, b *tab) {
		b.open("/admin/staff", row)
		b.do("choose admin", chromedp.SetValue(chromedp.CSS(row+` select`), models.RoleAdmin))
		b.follow(row+` [data-testid="change-role"]`, `[data-testid="flash"]`)
		if got := b.value(row + ` select`); got != models.RoleAdmin {
			t.Fatalf("her row shows the role %q", got)
		}
		if st := stored(); st.Role != models.RoleAdmin {
			t.Fatalf("her role is %q in the database", st.Role)
		}
	})
	b.step(t, "deactivate and reactivate her", func(t *testing.T, b *tab) {
		b.follow(row+` [data-testid="deactivate"]`, `[data-testid="flash"]`)
		if stored().Active() {
			t.Fatal("deactivated, the account is still active")
		}
		b.follow(row+` [data-testid="reactivate"]`, `[data-testid="flash"]`)
		if !stored().Active() || b.count(row+` [data-testid="deactivated"]`) != 0 {
			t.Fatal("reactivated, the account is not active again")
		}
	})
	b.step(t, "remove her", func(t *testing.T, b *tab) {
		b.follow(row+` [data-testid="remove-staff"]`, `[data-testid="staff-form"]`)
		if b.count(row) != 0 {
			t.Fatal("the removed member is still listed")
		}
		if _, err := s.db.StaffByEmail(context.Background(), "nia@example.com"); err == nil {
			t.Fatal("the removed member's account is still in the database")
		}
		other := b.incognito()
		other.open("/admin/login", "#email")
		other.fill(`#email`, "nia@example.com", `#password`, adminPassword+" nia")
		other.follow(`[data-testid="auth-submit"]`, `[data-testid="auth-error"]`)
	})
}

// TestAdminSearchForms: the catalog's search form narrows the catalog to
// the product searched for, and the product picker's own page finds a
// product to pin by its name, for the slot it was opened from.
func TestAdminSearchForms(t *testing.T) {
	t.Parallel()
	s := startShop(t)
	b := newAdmin(t, s)
	b.step(t, "the catalog's search", func(t *testing.T, b *tab) {
		b.open("/admin/catalog", `#cat-q`)
		if n := b.count(`[data-testid="catalog-row"]`); n < 5 {
			t.Fatalf("the catalog lists %d products", n)
		}
		b.fill(`#cat-q`, "skillet")
		b.follow(`#cat-q ~ button[type="submit"]`, `[data-testid="catalog"]`)
		if n, got := b.count(`[data-testid="catalog-row"]`), b.text(`[data-testid="catalog"] tbody`); n != 1 || !strings.Contains(got, "Cast Iron Skillet") {
			t.Fatalf("a search for skillet lists %d rows: %q", n, got)
		}
	})
	b.step(t, "the picker beside the slot form", func(t *testing.T, b *tab) {
		slots, _, err := s.db.DraftSlots(context.Background(), models.HomePage)
		must(t, err)
		b.open("/admin/layout/slots/"+utoa(slots[1].ID)+"/edit", `#picker-q`)
		b.fill(`#picker-q`, "lantern")
		b.do("submit the search", chromedp.SendKeys(chromedp.CSS(`#picker-q`), kb.Enter))
		b.do("wait for the results", chromedp.WaitVisible(chromedp.CSS(`[data-testid="picker-hit"][data-sku="SKU-3"] [data-testid="add-to-pins"]`)))
		if n := b.count(`[data-testid="picker-hit"]`); n != 1 {
			t.Fatalf("a search for lantern finds %d products", n)
		}
	})
	b.step(t, "the picker's page", func(t *testing.T, b *tab) {
		slots, _, err := s.db.DraftSlots(context.Background(), models.HomePage)
		must(t, err)
		id := slots[1].ID
		b.open("/admin/products/search?slot="+utoa(id), `#picker-q`)
		b.fill(`#picker-q`, "lantern")
		b.do("submit the search", chromedp.SendKeys(chromedp.CSS(`#picker-q`), kb.Enter))
		b.do("wait for the results", chromedp.WaitVisible(chromedp.CSS(`[data-testid="picker-hit"][data-sku="SKU-3"]`)))
		if got := b.path(); !strings.Contains(got, "q=lantern") || !strings.Contains(got, "slot="+utoa(id)) {
			t.Fatalf("the search landed on %q", got)
		}
		if n := b.count(`[data-testid="picker-hit"]`); n != 1 {
			t.Fatalf("a search for lantern finds %d products", n)
		}
	})
}

func utoa(n uint) string { return itoa(int(n)) }

// TestAnalyticsDateRangeForm: the analytics' date range form shows the
// period chosen: one before the shop had visitors is empty and keeps the
// dates in the form; the period up to today counts the visitor's
// impressions.
func TestAnalyticsDateRangeForm(t *testing.T) {
	t.Parallel()
	s := startShop(t)
	s.newVisitors(1)
	b := newAdmin(t, s)
	setDates := func(from, to string) chromedp.Action[chromedp.Void] {
		return chromedp.Evaluate[chromedp.Void](`(() => { const f = document.querySelector('[data-testid="range-form"]');
			f.elements.from.value = ` + quote(from) + `; f.elements.to.value = ` + quote(to) + `; })()`)
	}
	var today string // the shop's, as the form's default period ends
	b.step(t, "a period before any visitor", func(t *testing.T, b *tab) {
		b.open("/admin/analytics", `[data-testid="analytics-total"]`)
		today = b.value(`[data-testid="range-form"] [name="to"]`)
		b.do("choose January 2020", setDates("2020-01-01", "2020-01-31"))
		b.follow(`[data-testid="range-form"] button[type="submit"]`, `[data-testid="analytics-empty"]`)
		if got := b.path(); !strings.Contains(got, "from=2020-01-01") || !strings.Contains(got, "to=2020-01-31") {
			t.Fatalf("the form led to %q", got)
		}
		if from, to := b.value(`[data-testid="range-form"] [name="from"]`), b.value(`[data-testid="range-form"] [name="to"]`); from != "2020-01-01" || to != "2020-01-31" {
			t.Fatalf("the form shows %s to %s after choosing January 2020", from, to)
		}
	})
	b.step(t, "the period up to today", func(t *testing.T, b *tab) {
		b.do("choose 2020 to today", setDates("2020-01-01", today))
		b.follow(`[data-testid="range-form"] button[type="submit"]`, `[data-testid="analytics-total"]`)
		if got := b.text(`[data-testid="analytics-total"] dd`); got == "" || got == "0" {
			t.Fatalf("up to today the analytics count %q impressions", got)
		}
	})
}
