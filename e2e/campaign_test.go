package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"storefront/models"
	"storefront/seed"
)

// TestCampaignPageForms: the forms a merchandiser builds a campaign page
// with, each checked where a shopper sees its effect: create the page, add
// a row and a banner, add a creative and edit it, publish, disable the row
// and publish again, and roll back to the first version.
func TestCampaignPageForms(t *testing.T) {
	t.Parallel()
	s := startWorld(t)
	b := newBrowser(t, s)
	const editor = "/admin/campaigns/spring-walks"

	b.step(t, "create the campaign page", func(t *testing.T, b *tab) {
		b.adminLogIn()
		b.open("/admin/campaigns", `[data-testid="campaign-form"]`)
		b.fill(`#f-title`, "Spring walks", `#f-slug`, "Spring walks")
		b.follow(`[data-testid="create-campaign"]`, `[data-testid="campaign-form"]`)
		if got := b.text(`#f-slug + .field-error, [data-testid="campaign-form"] .has-error .field-error`); !strings.Contains(got, "lowercase") {
			t.Fatalf("a bad address is not explained: %q", got)
		}
		b.fill(`#f-slug`, "spring-walks")
		b.follow(`[data-testid="create-campaign"]`, `[data-testid="layout-list"]`)
		if got := b.path(); got != editor {
			t.Fatalf("creating landed on %q, want %s", got, editor)
		}
		if got := b.text(`h1`); got != "Campaign: Spring walks" {
			t.Fatalf("the editor is titled %q", got)
		}
	})

	b.step(t, "add a row and a banner", func(t *testing.T, b *tab) {
		b.follow(`[data-testid="add-slot"]`, `[data-testid="slot-form"]`)
		b.do("choose the type", chromedpSetValue(`#f-type`, models.SlotPopular))
		b.fill(`#f-title`, "Walkers' favourites", `#f-size`, "4")
		b.follow(`[data-testid="save-slot"]`, `[data-testid="layout-list"]`)
		b.follow(`[data-testid="add-slot"]`, `[data-testid="slot-form"]`)
		if !shown(b, `[data-testid="products-fieldset"]`) {
			t.Fatal("a new row's form hides its products")
		}
		b.do("choose the type", chromedpSetValue(`#f-type`, models.SlotBanner))
		for _, sel := range []string{`[data-testid="products-fieldset"]`, `[data-testid="filters-fieldset"]`, `#f-size`, `#f-strategy`, `[data-testid="product-picker"]`} {
			if shown(b, sel) {
				t.Fatalf("a banner's form shows %s, which a banner does not use", sel)
			}
		}
		b.fill(`#f-title`, "Spring banner")
		b.follow(`[data-testid="save-slot"]`, `[data-testid="layout-list"]`)
		if n := b.count(`[data-testid="layout-slot"]`); n != 2 {
			t.Fatalf("the campaign's draft lists %d slots, want 2", n)
		}
		if n := len(s.draftSlotIDs()); n < 5 {
			t.Fatalf("the homepage draft lost slots: %d types", n)
		}
	})

	b.step(t, "add a creative to the banner and edit it", func(t *testing.T, b *tab) {
		b.follow(`[data-testid="layout-slot"]:last-child [data-testid="slot-title"]`, `[data-testid="creatives"]`)
		b.shotWidths("admin-campaign-banner")
		if shown(b, `[data-testid="products-fieldset"]`) || !shown(b, `#f-title`) {
			t.Fatal("the saved banner's form shows product fields or hides its title")
		}
		b.follow(`[data-testid="add-creative"]`, `[data-testid="creative-form"]`)
		b.fill(`#f-title`, "Boots for spring", `#f-text`, "Light boots for muddy paths.", `#f-link`, "javascript:alert(1)")
		b.follow(`[data-testid="save-creative"]`, `[data-testid="form-errors"]`)
		// The example is one of the shop's own category pages, as in the
		// field's hint.
		example := eval[string](b, `document.querySelector('#f-link').placeholder`)
		if got := b.text(`#f-link ~ .field-error`); !strings.HasPrefix(example, "/c/") || !strings.Contains(got, "such as "+example) {
			t.Fatalf("a bad link is not explained with the shop's own example %q: %q", example, got)
		}
		b.fill(`#f-link`, "/c/outdoor")
		b.follow(`[data-testid="save-creative"]`, `[data-testid="creatives"]`)
		b.follow(`[data-testid="edit-creative"]`, `[data-testid="creative-form"]`)
		b.fill(`#f-title`, "Boots for spring walks")
		b.follow(`[data-testid="save-creative"]`, `[data-testid="creatives"]`)
		if got := b.text(`[data-testid="creative-title"]`); got != "Boots for spring walks" {
			t.Fatalf("the banner lists its creative as %q", got)
		}
	})

	b.step(t, "publish, and a shopper sees the banner and the row", func(t *testing.T, b *tab) {
		b.open(editor, `[data-testid="layout-list"]`)
		b.shotWidths("admin-campaign-editor")
		b.publishDraft()
		shopper := b.incognito()
		shopper.open("/l/spring-walks", `[data-testid="banner"]`)
		shopper.shotWidths("campaign-page")
		if got := shopper.text(`[data-testid="banner"] :is(h1, h2)`); got != "Boots for spring walks" {
			t.Fatalf("the banner shows %q", got)
		}
		if shopper.count(`section[data-slot-type="popular"] [data-product-id]`) == 0 {
			t.Fatal("the campaign page has no products in its row")
		}
		shopper.follow(`[data-testid="banner"]`, `main`)
		if got := shopper.path(); got != "/c/outdoor" {
			t.Fatalf("the banner led to %q", got)
		}
	})

	b.step(t, "disable the row, publish, then roll back", func(t *testing.T, b *tab) {
		b.open(editor, `[data-testid="layout-list"]`)
		b.follow(`[data-testid="layout-slot"]:first-child [data-testid="toggle-enabled"]`, `[data-testid="layout-list"]`)
		b.publishDraft()
		shopper := b.incognito()
		shopper.open("/l/spring-walks", `[data-testid="banner"]`)
		if n := shopper.count(`section[data-slot-type="popular"]`); n != 0 {
			t.Fatalf("the disabled row is still shown")
		}
		b.open(editor+"/versions", `[data-testid="versions"]`)
		if n := b.count(`[data-testid="version"]`); n != 2 {
			t.Fatalf("the campaign's history lists %d versions, want 2", n)
		}
		b.follow(`[data-testid="version"]:last-child [data-testid="rollback"]`, `[data-testid="confirm-rollback"]`)
		b.follow(`[data-testid="confirm-rollback"]`, `[data-testid="versions"]`)
		eventually(t, 8*time.Second, func() string {
			shopper.open("/l/spring-walks", `[data-testid="banner"]`)
			if shopper.count(`section[data-slot-type="popular"]`) == 0 {
				return "after the rollback the row is still missing"
			}
			return ""
		})
	})
}

// TestCampaignEndedPage: the demo world's campaign is linked from the
// homepage hero and live; once the merchandiser ends it with the
// campaign's date form, shoppers get a friendly "has ended" page with
// products, not a 404.
func TestCampaignEndedPage(t *testing.T) {
	t.Parallel()
	s := startWorld(t)
	b := newBrowser(t, s)
	editor := "/admin/campaigns/" + seed.DemoCampaign

	b.step(t, "the hero leads to the live campaign", func(t *testing.T, b *tab) {
		b.open("/", `section[data-slot-type="hero"]`)
		b.follow(`section[data-slot-type="hero"] .hero a.button`, `[data-testid="banner"]`)
		if got := b.path(); got != "/l/"+seed.DemoCampaign {
			t.Fatalf("the hero led to %q", got)
		}
		if b.count(`section[data-slot-id] [data-product-id]`) == 0 {
			t.Fatal("the campaign page shows no products")
		}
	})

	b.step(t, "end the campaign", func(t *testing.T, b *tab) {
		b.adminLogIn()
		b.open(editor, `[data-testid="campaign-settings"]`)
		b.do("show the form", chromedpOpenDetails(`[data-testid="campaign-settings"] details`))
		yesterday := time.Now().UTC().Add(-24 * time.Hour).Format("2006-01-02T15:04")
		b.do("set the end", chromedpSetValue(`#c-ends`, yesterday))
		b.follow(`[data-testid="save-campaign"]`, `[data-testid="campaign-not-live"]`)
	})

	b.step(t, "shoppers see that it has ended, with products", func(t *testing.T, b *tab) {
		shopper := b.incognito()
		shopper.open("/l/"+seed.DemoCampaign, `[data-testid="campaign-over"]`)
		shopper.shotWidths("campaign-ended")
		if got := shopper.text(`[data-testid="campaign-over"] h1`); !strings.Contains(got, "has ended") {
			t.Fatalf("the ended page says %q", got)
		}
		if shopper.count(`[data-product-id]`) == 0 {
			t.Fatal("the ended page offers no products")
		}
	})
}

// chromedpOpenDetails opens a <details> element.
func chromedpOpenDetails(sel string) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.querySelector(%q).open = true`, sel))
}

// shown reports whether the page has an element for sel that takes up room.
func shown(b *tab, sel string) bool {
	b.t.Helper()
	return eval[bool](b, fmt.Sprintf(`(() => { const e = document.querySelector(%q); return !!e && e.getClientRects().length > 0; })()`, sel))
}
