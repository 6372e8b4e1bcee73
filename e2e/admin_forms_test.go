package e2e

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"storefront/models"
)

// chromedpSetValue chooses an option of a select, as a person would, and
// tells the page it changed.
func chromedpSetValue(sel, value string) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => { const e = document.querySelector(%q); e.value = %q;
		e.dispatchEvent(new Event("change", {bubbles: true})); })()`, sel, value))
}

// The admin's forms, one test each: the merchandiser submits the form in the
// browser and the test checks its effect where a merchandiser or a shopper
// would see it, and in the database.

// TestMerchandiserEditsAnExistingSlot: the edit form of a saved slot saves
// the new title, subtitle and size (it once posted to an address with a
// trailing slash, was redirected as a GET and lost the edit; a row's
// subtitle was stored but never shown); the editor and the reopened form
// show the change, and after publishing shoppers see it.
func TestMerchandiserEditsAnExistingSlot(t *testing.T) {
	t.Parallel()
	s := startWorld(t)
	trending := s.draftSlotIDs()[models.SlotTrending]
	id, err := strconv.ParseUint(trending, 10, 32)
	must(t, err)
	b := newBrowser(t, s)

	b.step(t, "open the slot's edit form from the editor", func(t *testing.T, b *tab) {
		b.adminLogIn()
		b.shotWidths("admin-layout-editor")
		b.follow(slotItem(trending)+` [data-testid="slot-title"]`, `[data-testid="slot-form"]`)
		b.shotWidths("admin-slot-form")
		if got := b.value(`#f-title`); got != "Trending now" {
			t.Fatalf("the edit form shows title %q, want Trending now", got)
		}
	})

	b.step(t, "change the title and size and save", func(t *testing.T, b *tab) {
		b.fill(`#f-title`, "Hot this week", `#f-subtitle`, "What our regulars buy now", `#f-size`, "5")
		b.follow(`[data-testid="save-slot"]`, `[data-testid="layout-list"]`)
		if got := b.path(); got != "/admin/layout" {
			t.Fatalf("saving landed on %q, want /admin/layout", got)
		}
		if got := b.text(`[data-testid="flash"]`); !strings.Contains(got, "Hot this week") {
			t.Fatalf("no confirmation of the save, flash %q", got)
		}
		if got := b.text(slotItem(trending) + ` [data-testid="slot-title"]`); got != "Hot this week" {
			t.Fatalf("the editor lists the slot as %q", got)
		}
		if got := b.text(`[data-testid="pending"]`); !strings.Contains(got, "Hot this week") && !strings.Contains(got, "hanged") {
			t.Fatalf("unpublished changes %q do not mention the edit", got)
		}
	})

	b.step(t, "the saved values are in the database and the form", func(t *testing.T, b *tab) {
		sl, err := s.db.SlotByID(context.Background(), uint(id))
		must(t, err)
		if sl.Title != "Hot this week" || sl.Subtitle != "What our regulars buy now" || sl.Size != 5 {
			t.Fatalf("stored slot has title %q, subtitle %q and size %d", sl.Title, sl.Subtitle, sl.Size)
		}
		b.open("/admin/layout/slots/"+trending+"/edit", `[data-testid="slot-form"]`)
		if got, size := b.value(`#f-title`), b.value(`#f-size`); got != "Hot this week" || size != "5" {
			t.Fatalf("the reopened form shows title %q and size %q", got, size)
		}
	})

	b.step(t, "publish, and a shopper sees the new title and size", func(t *testing.T, b *tab) {
		b.open("/admin/layout", `[data-testid="layout-list"]`)
		b.publishDraft()
		shopper := b.incognito()
		eventually(t, 8*time.Second, func() string {
			shopper.open("/", `section[data-slot-id]`)
			sel := `section[data-slot-id="` + trending + `"]`
			if shopper.count(sel) == 0 {
				return "the homepage has no trending row"
			}
			if got := shopper.text(sel + ` h2`); got != "Hot this week" {
				return "the trending row is titled " + strconv.Quote(got)
			}
			if shopper.count(sel+` [data-testid="row-subtitle"]`) == 0 {
				return "the trending row shows no subtitle"
			}
			if got := shopper.text(sel + ` [data-testid="row-subtitle"]`); got != "What our regulars buy now" {
				return "the trending row's subtitle reads " + strconv.Quote(got)
			}
			if n := shopper.count(sel + ` [data-product-id]`); n == 0 || n > 5 {
				return "the trending row shows " + strconv.Itoa(n) + " cards, want 1 to 5"
			}
			return ""
		})
	})
}

// apiStatus calls the recommendations API with a key and returns the status.
func apiStatus(t testing.TB, s *shop, key string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.URL+"/api/v1/recommendations?user_id=u00001&n=3", nil)
	must(t, err)
	req.Header.Set("Authorization", "Bearer "+key)
	res, err := http.DefaultClient.Do(req)
	must(t, err)
	res.Body.Close()
	return res.StatusCode
}

// TestSlotFormsCreateLockPinAndRemove: the slot forms a merchandiser uses
// to build a row: create a slot, lock its position, pin a product with the
// no-JavaScript product picker, publish it for shoppers, and remove it.
func TestSlotFormsCreateLockPinAndRemove(t *testing.T) {
	t.Parallel()
	s := startWorld(t)
	b := newBrowser(t, s)
	var id string
	var sku, title string

	b.step(t, "create a slot", func(t *testing.T, b *tab) {
		b.adminLogIn()
		before := b.layoutOrder()
		b.follow(`[data-testid="add-slot"]`, `[data-testid="slot-form"]`)
		b.do("choose the type", chromedpSetValue(`#f-type`, models.SlotPopular))
		b.fill(`#f-title`, "Weekend deals", `#f-size`, "4")
		b.follow(`[data-testid="save-slot"]`, `[data-testid="layout-list"]`)
		after := b.layoutOrder()
		if len(after) != len(before)+1 {
			t.Fatalf("the editor lists %d slots after adding one to %d", len(after), len(before))
		}
		id = after[len(after)-1]
		if got := b.text(slotItem(id) + ` [data-testid="slot-title"]`); got != "Weekend deals" {
			t.Fatalf("the new slot is listed as %q", got)
		}
		n, err := strconv.ParseUint(id, 10, 32)
		must(t, err)
		sl, err := s.db.SlotByID(context.Background(), uint(n))
		must(t, err)
		if sl.Type != models.SlotPopular || sl.Size != 4 || !sl.Enabled {
			t.Fatalf("stored slot %+v", sl)
		}
	})

	b.step(t, "lock its position", func(t *testing.T, b *tab) {
		b.follow(slotItem(id)+` [data-testid="toggle-locked"]`, `[data-testid="layout-list"]`)
		if b.count(slotItem(id)+`.locked`) != 1 || !strings.Contains(b.text(slotItem(id)), "Locked") {
			t.Fatal("the editor does not show the slot as locked")
		}
		if got := b.text(slotItem(id) + ` [data-testid="toggle-locked"]`); got != "Unlock" {
			t.Fatalf("the lock button now reads %q, want Unlock", got)
		}
		n, _ := strconv.ParseUint(id, 10, 32)
		sl, err := s.db.SlotByID(context.Background(), uint(n))
		must(t, err)
		if !sl.Locked {
			t.Fatal("the stored slot is not locked")
		}
	})

	b.step(t, "pin a product with the picker", func(t *testing.T, b *tab) {
		// An in-stock product the row would not show on its own: the
		// least popular one.
		var p models.Product
		must(t, s.db.R.Where("active AND stock > 0").Order("popularity").First(&p).Error)
		sku, title = p.ExternalID, p.Title
		b.open("/admin/products/search?slot="+id+"&q="+sku, `[data-testid="picker-results"]`)
		b.follow(`[data-testid="picker-hit"][data-sku="`+sku+`"] [data-testid="add-to-pins"]`, `[data-testid="slot-form"]`)
		if got := b.value(`#f-pins`); got != sku {
			t.Fatalf("the slot's pins field holds %q, want %s", got, sku)
		}
		if got := b.text(`[data-testid="flash"]`); !strings.Contains(got, sku) {
			t.Fatalf("no confirmation of the pin, flash %q", got)
		}
	})

	b.step(t, "publish, and a shopper sees the new row with the pin first", func(t *testing.T, b *tab) {
		b.open("/admin/layout", `[data-testid="layout-list"]`)
		b.publishDraft()
		shopper := b.incognito()
		eventually(t, 8*time.Second, func() string {
			shopper.open("/", `section[data-slot-id]`)
			sel := `section[data-slot-id="` + id + `"]`
			if shopper.count(sel) == 0 {
				return "the homepage has no Weekend deals row"
			}
			cards := shopper.attrs(sel+` [data-product-id]`, "data-product-id")
			if len(cards) == 0 || len(cards) > 4 {
				return fmt.Sprintf("the row shows %d cards, want 1 to 4", len(cards))
			}
			if got := shopper.text(sel + ` [data-testid="product-card"]`); !strings.Contains(got, title) {
				return fmt.Sprintf("the row's first card is %q, want the pinned %s", got, title)
			}
			return ""
		})
	})

	b.step(t, "remove the slot", func(t *testing.T, b *tab) {
		b.open("/admin/layout", `[data-testid="layout-list"]`)
		b.follow(slotItem(id)+` [data-testid="remove-slot"]`, `[data-testid="confirm-remove"]`)
		b.follow(`[data-testid="confirm-remove"]`, `[data-testid="layout-list"]`)
		if slices.Contains(b.layoutOrder(), id) {
			t.Fatal("the editor still lists the removed slot")
		}
		n, _ := strconv.ParseUint(id, 10, 32)
		if _, err := s.db.SlotByID(context.Background(), uint(n)); err == nil {
			t.Fatal("the removed slot is still stored")
		}
	})
}

// TestCatalogPriceForm: a price typed with a decimal comma is saved as
// that price and shown on the product page; a price that changes by more
// than half is saved only after the merchandiser confirms it; an ambiguous
// price ("1,299") is refused at the field, and a price with its thousands
// grouped by a space, as the import reads it ("1 299,00"), is saved.
func TestCatalogPriceForm(t *testing.T) {
	t.Parallel()
	s := startWorld(t)
	var p models.Product
	must(t, s.db.R.Where("active AND stock > 0 AND price_cents > 2000").Order("id").First(&p).Error)
	row := `[data-testid="catalog-row"][data-product-id="` + fmt.Sprint(p.ID) + `"]`
	lower := p.PriceCents * 8 / 10 // 20 % off: no confirmation
	comma := fmt.Sprintf("%d,%02d", lower/100, lower%100)
	b := newBrowser(t, s)

	b.step(t, "a price with a decimal comma", func(t *testing.T, b *tab) {
		b.adminLogIn()
		b.open("/admin/catalog?q="+p.ExternalID, row)
		b.fill(row+` input[name="price"]`, comma)
		b.follow(row+` [data-testid="save-product"]`, `[data-testid="catalog"]`)
		if got := b.text(`[data-testid="flash"]`); !strings.Contains(got, "Saved") {
			t.Fatalf("no confirmation, flash %q\n%s", got, b.where())
		}
		if got := s.product(p.ExternalID).PriceCents; got != lower {
			t.Fatalf("typed %s, stored %d cents, want %d", comma, got, lower)
		}
		want := fmt.Sprintf("$%d.%02d", lower/100, lower%100)
		eventually(t, 8*time.Second, func() string {
			b.open(fmt.Sprintf("/p/%d", p.ID), `[data-testid="product-price"]`)
			if got := b.text(`[data-testid="product-price"]`); got != want {
				return "the product page shows " + got + ", want " + want
			}
			return ""
		})
	})

	b.step(t, "a price three times higher asks first", func(t *testing.T, b *tab) {
		b.open("/admin/catalog?q="+p.ExternalID, row)
		high := lower * 3
		b.fill(row+` input[name="price"]`, fmt.Sprintf("%d.%02d", high/100, high%100))
		b.follow(row+` [data-testid="save-product"]`, `[data-testid="confirm-price"]`)
		if got := b.text(`[data-testid="confirm-price"]`); !strings.Contains(got, "+200%") {
			t.Fatalf("the confirmation %q does not give the change", got)
		}
		if got := s.product(p.ExternalID).PriceCents; got != lower {
			t.Fatalf("the price was saved before the confirmation: %d cents", got)
		}
		b.follow(`[data-testid="confirm-price-save"]`, `[data-testid="flash"]`)
		if got := s.product(p.ExternalID).PriceCents; got != high {
			t.Fatalf("after confirming, the price is %d cents, want %d", got, high)
		}
	})

	// At least 1000 and over 1.5 times the price: it asks first.
	units := max(1000, p.PriceCents*12/100+1)
	grouped := func(sep string) string { return fmt.Sprintf("%d%s%03d", units/1000, sep, units%1000) }

	b.step(t, "an ambiguous price is refused at the field", func(t *testing.T, b *tab) {
		b.open("/admin/catalog?q="+p.ExternalID, row)
		b.fill(row+` input[name="price"]`, grouped(","))
		b.follow(row+` [data-testid="save-product"]`, row+` [data-testid="price-error"]`)
		if got := b.text(row + ` [data-testid="price-error"]`); !strings.Contains(got, "is ambiguous: write "+grouped(",")+".00 if the comma groups thousands") {
			t.Fatalf("the field says %q", got)
		}
		if got := s.product(p.ExternalID).PriceCents; got != lower*3 {
			t.Fatalf("an ambiguous price was stored: %d cents", got)
		}
		b.shotWidths("admin-catalog-ambiguous-price")
	})

	b.step(t, "a price with thousands grouped by a space", func(t *testing.T, b *tab) {
		typed := grouped(" ") + ",00"
		b.fill(row+` input[name="price"]`, typed)
		b.follow(row+` [data-testid="save-product"]`, row+` [data-testid="confirm-price"]`)
		b.follow(`[data-testid="confirm-price-save"]`, `[data-testid="flash"]`)
		if got := s.product(p.ExternalID).PriceCents; got != units*100 {
			t.Fatalf("typed %q, stored %d cents, want %d", typed, got, units*100)
		}
		want := "$" + grouped(",") + ".00"
		eventually(t, 8*time.Second, func() string {
			b.open(fmt.Sprintf("/p/%d", p.ID), `[data-testid="product-price"]`)
			if got := b.text(`[data-testid="product-price"]`); got != want {
				return "the product page shows " + got + ", want " + want
			}
			return ""
		})
	})
}

// TestMerchandiserSeesAnAdminStyled403: a merchandiser who opens an
// admin-only page stays in the admin, told the page is for admins.
func TestMerchandiserSeesAnAdminStyled403(t *testing.T) {
	t.Parallel()
	s := startWorld(t)
	b := newBrowser(t, s)
	b.adminLogIn()
	b.open("/admin/api-keys", `[data-testid="admin-forbidden"]`)
	if got := b.text(`[data-testid="admin-forbidden"] h1`); !strings.Contains(got, "admin") {
		t.Fatalf("the 403 page says %q", got)
	}
	if b.count(`a[href="/admin/layout"]`) == 0 || b.count(`[data-testid="api-keys"]`) != 0 {
		t.Fatal("the 403 page is not in the admin's frame, or shows the keys")
	}
	if status := eval[int](b, `performance.getEntriesByType("navigation")[0].responseStatus`); status != http.StatusForbidden {
		t.Fatalf("status %d, want 403", status)
	}
}

// TestAdminOnlyForms: an admin creates an API key that then works against
// the API, revokes it so it no longer does, and sets the retention period.
func TestAdminOnlyForms(t *testing.T) {
	t.Parallel()
	s := startWorld(t)
	b := newBrowser(t, s)
	var secret string

	b.step(t, "create an API key", func(t *testing.T, b *tab) {
		b.addAdminAndLogIn(s) // the demo admin must first choose a password (TestDemoStaffChoosesOwnPassword)
		b.open("/admin/api-keys", `[data-testid="apikey-form"]`)
		b.fill(`#key-name`, "Partner feed")
		b.do("choose the scope", chromedpSetValue(`#key-scope`, models.ScopeRecommendations))
		b.follow(`[data-testid="create-key"]`, `[data-testid="new-secret"]`)
		secret = b.text(`[data-testid="secret"]`)
		if !strings.Contains(b.text(`[data-testid="api-keys"]`), "Partner feed") {
			t.Fatal("the key list does not show the new key")
		}
		if code := apiStatus(t, s, secret); code != http.StatusOK {
			t.Fatalf("the new key gets %d from the API, want 200", code)
		}
		// With a key listed, a phone still reads the page without it
		// scrolling sideways (the key table scrolls in its own box).
		b.do("phone width", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
		if bad := eval[[]string](b, overflowJS); len(bad) > 0 {
			t.Errorf("the API keys page with a key scrolls sideways at 390px: %s", strings.Join(bad, "; "))
		}
		b.do("desktop width", chromedp.EmulateViewport(1280, 900))
		b.shotWidths("admin-api-keys")
	})

	b.step(t, "revoke it", func(t *testing.T, b *tab) {
		b.open("/admin/api-keys", `[data-testid="api-keys"]`)
		b.do("find the key's row", chromedp.Evaluate[chromedp.Void](`Array.from(document.querySelectorAll('[data-testid="api-key"]'))
			.find(r => r.cells[0].innerText.trim() === "Partner feed").setAttribute("data-e2e-key", "")`))
		b.follow(`[data-e2e-key] [data-testid="revoke"]`, `[data-testid="api-keys"]`)
		if !strings.Contains(b.text(`[data-testid="api-keys"]`), "Revoked") {
			t.Fatal("the key list does not show the key as revoked")
		}
		if code := apiStatus(t, s, secret); code != http.StatusUnauthorized {
			t.Fatalf("the revoked key gets %d from the API, want 401", code)
		}
	})

	b.step(t, "set the retention period", func(t *testing.T, b *tab) {
		b.open("/admin/model", `[data-testid="retention-days"]`)
		b.fill(`[data-testid="retention-days"]`, "400")
		b.follow(`#retention button[type="submit"]`, `[data-testid="flash"]`)
		if got := b.text(`[data-testid="flash"]`); !strings.Contains(got, "Retention saved") {
			t.Fatalf("no confirmation, flash %q", got)
		}
		if got := b.value(`[data-testid="retention-days"]`); got != "400" {
			t.Fatalf("the form shows %q days after saving 400", got)
		}
		if days, err := s.db.RetentionDays(context.Background()); err != nil || days != 400 {
			t.Fatalf("stored retention %d days (%v), want 400", days, err)
		}
	})
}

// TestRetrainForm: the merchandiser starts a training run from the model
// page and the page then shows a newer model.
func TestRetrainForm(t *testing.T) {
	t.Parallel()
	s := startWorld(t)
	b := newBrowser(t, s)
	b.step(t, "retrain", func(t *testing.T, b *tab) {
		b.adminLogIn()
		b.open("/admin/model", `[data-testid="trained-at"]`)
		before, err := s.db.LatestModelArtifact(context.Background())
		must(t, err)
		b.follow(`[data-testid="retrain"]`, `[data-testid="model-status"]`)
		if got := b.text(`[data-testid="flash"]`); !strings.Contains(got, "Training started") {
			t.Fatalf("no confirmation, flash %q", got)
		}
		eventually(t, 120*time.Second, func() string {
			now, err := s.db.LatestModelArtifact(context.Background())
			if err != nil || now.ID == before.ID {
				return fmt.Sprintf("no newer model stored (%v)", err)
			}
			return ""
		})
		// The run evaluates the model after storing it, then finishes.
		eventually(t, 120*time.Second, func() string {
			b.open("/admin/model", `[data-testid="trained-at"]`)
			if b.count(`[data-testid="retrain"][disabled]`) != 0 {
				return "the model page still says a training is running"
			}
			return ""
		})
	})
}

// publishDraft goes from the layout editor through the publish step (its
// health check) and confirms.
func (b *tab) publishDraft() {
	b.t.Helper()
	b.follow(`[data-testid="publish"]`, `[data-testid="confirm-publish"]`)
	if b.count(`[data-testid="health"]`) != 1 {
		b.t.Fatalf("the publish step shows no health check\n%s", b.where())
	}
	b.shotWidths("admin-publish-health")
	b.follow(`[data-testid="confirm-publish"]`, `[data-testid="layout-list"]`)
}

// TestPreviewExplainsRowsAndAnswersWhyNot: previewing the draft as a
// seeded shopper, every row says what filled it, every card its source and
// score, a disabled slot is listed as off the page, rows list what they
// left out, and asking about a left-out product gives its reason.
func TestPreviewExplainsRowsAndAnswersWhyNot(t *testing.T) {
	t.Parallel()
	s := startWorld(t)
	trending := s.draftSlotIDs()[models.SlotTrending]
	b := newBrowser(t, s)

	b.step(t, "disable a slot and preview as a shopper", func(t *testing.T, b *tab) {
		b.adminLogIn()
		b.follow(slotItem(trending)+` [data-testid="toggle-enabled"]`, `[data-testid="layout-list"]`)
		b.open("/admin/preview", `[data-testid="preview-form"]`)
		if hint := b.text(`[data-testid="as-hint"]`); !strings.Contains(hint, "u0") {
			t.Fatalf("the shopper hint %q names no real shopper id", hint)
		}
		b.fill(`#as`, "u00003")
		b.follow(`[data-testid="preview-form"] button[type="submit"]`, `[data-testid="preview-panel"]`)
		rows := b.count(`section[data-slot-id]`)
		if rows == 0 || b.count(`section[data-slot-id] [data-testid="slot-source"]`) != rows {
			t.Fatalf("%d rows, %d say what filled them", rows, b.count(`section[data-slot-id] [data-testid="slot-source"]`))
		}
		cards := b.count(`section[data-slot-id] [data-testid="product-card"]`)
		if cards == 0 || b.count(`section[data-slot-id] [data-testid="card-source"]`) != cards {
			t.Fatalf("%d cards, %d show their source and score", cards, b.count(`section[data-slot-id] [data-testid="card-source"]`))
		}
		if got := b.text(`[data-testid="off-slots"]`); !strings.Contains(got, "Trending now") || !strings.Contains(got, "disabled") {
			t.Fatalf("slots off the page: %q, want Trending now, disabled", got)
		}
		b.shotWidths("admin-preview-explained")
	})

	b.step(t, "ask why a left-out product is not shown", func(t *testing.T, b *tab) {
		skus := b.attrs(`[data-testid="left-out"]`, "data-sku")
		if len(skus) == 0 {
			t.Fatal("no row lists a left-out product for a shopper with history")
		}
		b.do("open the lists", chromedp.Evaluate[chromedp.Void](`document.querySelectorAll(".slot-explain details").forEach(d => d.open = true)`))
		// A product left out because another row shows it is answered with
		// that row; any other with its reason.
		sku, why := skus[0], ""
		for _, k := range skus {
			w := b.text(`[data-testid="left-out"][data-sku="` + k + `"]`)
			if why == "" || !strings.Contains(w, "already on the page") {
				sku, why = k, w
			}
			if !strings.Contains(w, "already on the page") {
				break
			}
		}
		b.fill(`#why-sku`, sku)
		b.follow(`[data-testid="why-not-form"] button[type="submit"]`, `[data-testid="why-answer"]`)
		answer := b.text(`[data-testid="why-answer"]`)
		_, reason, _ := strings.Cut(why, ": ")
		want, _, _ := strings.Cut(reason, " (in")
		if row, ok := strings.CutPrefix(reason, "already on the page (in "); ok {
			want = "It is shown in " + strings.TrimSuffix(row, ")")
		}
		if want == "" || !strings.Contains(answer, want) {
			t.Fatalf("asked about %s (left out: %q), the answer %q does not say %q", sku, why, answer, want)
		}
		b.shotWidths("admin-preview-why-not")
	})
}

// shotWidths saves screenshots of the page at desktop and phone widths
// (see shot), then returns to the desktop width.
func (b *tab) shotWidths(name string) {
	b.t.Helper()
	if os.Getenv("STOREFRONT_SCREENSHOTS") == "" {
		return
	}
	for _, w := range []int64{1280, 390} {
		b.do("resize", chromedp.EmulateViewport(w, 900))
		b.shot(fmt.Sprintf("%s-%d", name, w))
	}
	b.do("resize", chromedp.EmulateViewport(1280, 900))
}

// TestCatalogRowProblemsShowWhereTheMerchandiserIs: on a full page of the
// catalog, a price on the last row that needs a confirmation, and a stock
// that is refused, are shown in view after Save: the page comes back at
// that row, not at its top, where nothing said the edit was not saved.
func TestCatalogRowProblemsShowWhereTheMerchandiserIs(t *testing.T) {
	t.Parallel()
	s := startWorld(t)
	b := newBrowser(t, s)
	b.adminLogIn()
	b.open("/admin/catalog", `[data-testid="catalog-row"]`)
	ids := b.attrs(`[data-testid="catalog-row"]`, "data-product-id")
	if len(ids) < 40 {
		t.Fatalf("the first catalog page lists %d products", len(ids))
	}
	row := `[data-testid="catalog-row"][data-product-id="` + ids[len(ids)-1] + `"]`
	id, err := strconv.ParseUint(ids[len(ids)-1], 10, 32)
	must(t, err)
	var p models.Product
	must(t, s.db.R.First(&p, id).Error)
	inView := func(sel string) string {
		top := eval[float64](b, `document.querySelector(`+strconv.Quote(sel)+`).getBoundingClientRect().top`)
		if h := eval[float64](b, `window.innerHeight`); top < 0 || top > h {
			return fmt.Sprintf("%s is at %.0f px, outside the window's %.0f px", sel, top, h)
		}
		return ""
	}

	b.step(t, "a price three times higher asks, in view", func(t *testing.T, b *tab) {
		high := p.PriceCents*3 + 100
		b.fill(row+` input[name="price"]`, fmt.Sprintf("%d.%02d", high/100, high%100))
		b.follow(row+` [data-testid="save-product"]`, row+` [data-testid="confirm-price"]`)
		if msg := inView(row + ` [data-testid="confirm-price"]`); msg != "" {
			t.Fatal(msg)
		}
		if got := s.product(p.ExternalID).PriceCents; got != p.PriceCents {
			t.Fatalf("the price was saved before the confirmation: %d cents", got)
		}
	})

	b.step(t, "a refused stock is shown in view", func(t *testing.T, b *tab) {
		b.open("/admin/catalog", row)
		// As a browser without number fields would send it.
		b.do("a text stock field", chromedp.Evaluate[chromedp.Void](`document.querySelector(`+strconv.Quote(row+` input[name="stock"]`)+`).type = "text"`))
		b.fill(row+` input[name="stock"]`, "lots")
		b.follow(row+` [data-testid="save-product"]`, row+` .field-error`)
		if msg := inView(row + ` .field-error`); msg != "" {
			t.Fatal(msg)
		}
	})
}
