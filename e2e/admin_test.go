package e2e

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"storefront/models"
)

// The seeded world locks every homepage slot (see buildWorld), so each
// shopper's homepage shows the slots in the merchandiser's order and the
// tests below can expect an exact order.

func slotItem(id string) string { return `[data-testid="layout-slot"][data-slot-id="` + id + `"]` }

// TestMerchandiserDragsASlotAndShoppersSeeTheNewOrder: on the layout editor
// the merchandiser drags "Trending now" by its handle above "Recommended for
// you"; the draft keeps the new order across a reload, shoppers keep the old
// order until the draft is published, and then see the new one.
func TestMerchandiserDragsASlotAndShoppersSeeTheNewOrder(t *testing.T) {
	t.Parallel()
	s := startWorld(t)
	ids := s.draftSlotIDs()
	trending, recommended := ids[models.SlotTrending], ids[models.SlotRecommended]
	merch := newBrowser(t, s)
	shopper := merch.incognito()

	var before, after []string
	merch.step(t, "log in to the layout editor", func(t *testing.T, b *tab) {
		b.adminLogIn()
		if got := b.path(); got != "/admin/layout" {
			t.Fatalf("staff login landed on %q, want /admin/layout", got)
		}
		before = b.layoutOrder()
		ti, ri := slices.Index(before, trending), slices.Index(before, recommended)
		if ti < 0 || ri < 0 || ti < ri {
			t.Fatalf("editor lists %v; want recommended (%s) above trending (%s)", before, recommended, trending)
		}
		after = moved(before, trending, ri)
	})

	shopper.step(t, "a shopper sees the published order", func(t *testing.T, b *tab) {
		b.shopperLogIn("shopper00002@example.com")
		home := b.homeSlots()
		if got, want := home, inOrderOf(before, home); !slices.Equal(got, want) {
			t.Fatalf("homepage slots %v, want the published order %v", got, want)
		}
		if slices.Index(home, recommended) > slices.Index(home, trending) {
			t.Fatalf("homepage %v shows trending above recommended before any change", home)
		}
	})

	merch.step(t, "drag Trending above Recommended", func(t *testing.T, b *tab) {
		// admin.js saves the order and reloads the editor; the stale mark
		// tells the reloaded page from the dragged one.
		// Press the trending slot's handle and release it over the upper
		// part of the recommended slot: SortableJS then puts it above.
		from := b.point(slotItem(trending)+` [data-testid="drag-handle"]`, 0.5)
		to := b.point(slotItem(recommended)+` [data-testid="drag-handle"]`, 0.5)
		to.y = b.point(slotItem(recommended), 0.25).y
		b.do("mark the page", chromedp.Evaluate[chromedp.Void](`document.documentElement.setAttribute("data-e2e-stale", "")`))
		b.drag(`[data-testid="layout-list"]`, from, to, 8)
		b.do("wait for the saved order", waitVisible(`html:not([data-e2e-stale]) [data-testid="layout-list"]`))
		if got := b.layoutOrder(); !slices.Equal(got, after) {
			t.Fatalf("after the drag the editor lists %v, want %v", got, after)
		}
		// The editor confirms the save and says the draft now differs from
		// the live page.
		if got := b.text(`[data-testid="flash"]`); !strings.Contains(got, "Saved the new order") {
			t.Fatalf("no confirmation after the drag, flash %q", got)
		}
		if b.count(`[data-testid="pending"]`) != 1 {
			t.Fatal("the editor does not say the draft has unpublished changes")
		}
		if got := b.text(`[data-testid="pending"]`); !strings.Contains(got, "eordered") {
			t.Fatalf("unpublished changes %q do not mention the new order", got)
		}
		b.shot("admin-layout-editor")
	})

	merch.step(t, "the draft order survives a reload", func(t *testing.T, b *tab) {
		b.open("/admin/layout", `[data-testid="layout-list"]`)
		if got := b.layoutOrder(); !slices.Equal(got, after) {
			t.Fatalf("reloaded editor lists %v, want the dragged order %v", got, after)
		}
	})

	shopper.step(t, "shoppers do not see the draft", func(t *testing.T, b *tab) {
		home := b.homeSlots()
		if got, want := home, inOrderOf(before, home); !slices.Equal(got, want) {
			t.Fatalf("homepage slots %v before publishing, want the published order %v", got, want)
		}
	})

	merch.step(t, "publish", func(t *testing.T, b *tab) {
		b.publishDraft()
		if got := b.text(`[data-testid="flash"]`); !strings.Contains(got, "Published version") {
			t.Fatalf("no confirmation of publishing, flash %q", got)
		}
		if b.count(`[data-testid="pending"]`) != 0 {
			t.Fatalf("the editor still reports unpublished changes: %q", b.text(`[data-testid="pending"]`))
		}
	})

	shopper.step(t, "the shopper's homepage shows the new order", func(t *testing.T, b *tab) {
		eventually(t, 8*time.Second, func() string {
			home := b.homeSlots()
			if want := inOrderOf(after, home); !slices.Equal(home, want) {
				return fmt.Sprintf("homepage slots %v, want the new order %v", home, want)
			}
			if !slices.Contains(home, trending) || !slices.Contains(home, recommended) {
				return fmt.Sprintf("homepage slots %v lack trending %s or recommended %s", home, trending, recommended)
			}
			return ""
		})
		if got := b.text(`main section[data-slot-id]:nth-of-type(2) h2`); got != "Trending now" {
			t.Fatalf("the row under the hero is %q, want Trending now", got)
		}
	})
}

// TestPreviewAsAShopperShowsTheirRows: the merchandiser disables a slot in
// the draft and previews the draft as a seeded shopper, found by email:
// the page says it is a preview, follows the draft, and shows that
// shopper's own rows built from what they viewed, each card with its reason.
func TestPreviewAsAShopperShowsTheirRows(t *testing.T) {
	t.Parallel()
	s := startWorld(t)
	ids := s.draftSlotIDs()
	trending := ids[models.SlotTrending]
	const email, key = "shopper00003@example.com", "u00003"

	// What the shopper did, as the database knows it.
	ctx := context.Background()
	hist, err := s.db.UserInteractions(ctx, key, time.Time{}, 60)
	must(t, err)
	if len(hist) == 0 {
		t.Fatalf("the seeded shopper %s has no history", key)
	}
	seen := map[string]bool{}      // product ids as cards print them
	seenTitle := map[string]bool{} // product titles
	for _, h := range hist {
		p, err := s.db.ProductByExternalID(ctx, h.ItemID)
		must(t, err)
		seen[strconv.FormatUint(uint64(p.ID), 10)] = true
		seenTitle[p.Title] = true
	}

	b := newBrowser(t, s)
	b.step(t, "disable Trending in the draft", func(t *testing.T, b *tab) {
		b.adminLogIn()
		b.follow(slotItem(trending)+` [data-testid="toggle-enabled"]`, `[data-testid="layout-list"]`)
		if b.count(slotItem(trending)+`.disabled`) != 1 {
			t.Fatal("the trending slot is not shown as disabled in the draft")
		}
	})

	b.step(t, "preview the draft as the shopper", func(t *testing.T, b *tab) {
		b.open("/admin/preview", `[data-testid="preview-form"]`)
		b.fill(`#as`, email)
		b.follow(`[data-testid="preview-form"] button[type="submit"]`, `[data-testid="preview-banner"]`)
		banner := b.text(`[data-testid="preview-banner"]`)
		for _, want := range []string{"draft", key} {
			if !strings.Contains(banner, want) {
				t.Fatalf("preview banner %q does not mention %q", banner, want)
			}
		}
		if n := b.count(`section[data-slot-type="trending"]`); n != 0 {
			t.Fatal("the preview shows the trending row the draft disabled")
		}

		because := b.text(`section[data-slot-type="because_viewed"] h2`)
		anchor, ok := strings.CutPrefix(because, "Because you viewed ")
		if !ok || !seenTitle[anchor] {
			t.Fatalf("first personal row %q does not name a product %s viewed", because, key)
		}
		recent := b.attrs(`section[data-slot-type="recently_viewed"] [data-product-id]`, "data-product-id")
		if len(recent) == 0 {
			t.Fatal("the preview has no recently viewed row for a shopper with history")
		}
		for _, id := range recent {
			if !seen[id] {
				t.Fatalf("recently viewed shows product %s, which %s never looked at", id, key)
			}
		}
		// The preview shows why each card is there: on the card, or once in
		// the heading of a row whose cards share it (a recently viewed
		// row's heading is its reason).
		rows := `section[data-slot-id]:not([data-slot-type="hero"]):not([data-slot-type="recently_viewed"])`
		cards := b.count(rows + ` [data-testid="product-card"]`)
		reasons := b.count(rows + ` [data-testid="product-card"] [data-testid="reason"]`)
		shared := b.count(rows + `:has([data-testid="row-reason"], [data-reason-in-heading]) [data-testid="product-card"]`)
		if cards == 0 || reasons+shared != cards {
			t.Fatalf("%d of %d cards show a reason and %d share their row's, want all", reasons, cards, shared)
		}
		b.shot("admin-preview-as-shopper")
	})

	b.step(t, "preview as a new visitor has no personal rows", func(t *testing.T, b *tab) {
		b.open("/admin/preview", `[data-testid="preview-form"]`)
		b.follow(`[data-testid="preview-new"]`, `[data-testid="preview-banner"]`)
		if got := b.text(`[data-testid="preview-banner"]`); !strings.Contains(got, "new visitor") {
			t.Fatalf("preview banner %q does not say new visitor", got)
		}
		for _, typ := range []string{"because_viewed", "recently_viewed"} {
			if n := b.count(`section[data-slot-type="` + typ + `"]`); n != 0 {
				t.Fatalf("a new visitor's preview shows a %s row", typ)
			}
		}
	})

	b.step(t, "shoppers still see the published page", func(t *testing.T, b *tab) {
		if home := b.homeSlots(); !slices.Contains(home, trending) {
			t.Fatalf("the live homepage %v lost the trending row before publishing", home)
		}
	})
}

// TestRollbackRestoresTheOldOrder: the merchandiser moves a slot with the
// no-JavaScript arrow, publishes, and rolls back from the version history;
// the shopper's homepage and the draft return to the old order.
func TestRollbackRestoresTheOldOrder(t *testing.T) {
	t.Parallel()
	s := startWorld(t)
	ids := s.draftSlotIDs()
	picks, arrivals := ids[models.SlotCollection], ids[models.SlotNewArrivals]
	merch := newBrowser(t, s)
	shopper := merch.incognito()

	var original []string
	var liveVersion string
	merch.step(t, "note the live version", func(t *testing.T, b *tab) {
		b.adminLogIn()
		original = b.layoutOrder()
		if slices.Index(original, arrivals)+1 != slices.Index(original, picks) {
			t.Fatalf("editor lists %v; want new arrivals (%s) right above editor's picks (%s)", original, arrivals, picks)
		}
		b.follow(`a[href="/admin/versions"]`, `[data-testid="versions"]`)
		live := b.attrs(`[data-testid="version"]:has(.tag-live)`, "data-version-id")
		if len(live) != 1 {
			t.Fatalf("%d versions marked live, want 1", len(live))
		}
		liveVersion = live[0]
	})

	merch.step(t, "move Editor's picks up and publish", func(t *testing.T, b *tab) {
		b.open("/admin/layout", `[data-testid="layout-list"]`)
		b.follow(slotItem(picks)+` [data-testid="move-up"]`, `[data-testid="layout-list"]`)
		want := moved(original, picks, slices.Index(original, arrivals))
		if got := b.layoutOrder(); !slices.Equal(got, want) {
			t.Fatalf("after moving up the editor lists %v, want %v", got, want)
		}
		b.publishDraft()
		if got := b.text(`[data-testid="flash"]`); !strings.Contains(got, "Published version") {
			t.Fatalf("no confirmation of publishing, flash %q", got)
		}
	})

	shopper.step(t, "the shopper sees the new order", func(t *testing.T, b *tab) {
		b.shopperLogIn("shopper00004@example.com")
		eventually(t, 8*time.Second, func() string {
			home := b.homeSlots()
			if pi, ai := slices.Index(home, picks), slices.Index(home, arrivals); pi < 0 || ai < 0 || pi > ai {
				return fmt.Sprintf("homepage slots %v, want editor's picks %s above new arrivals %s", home, picks, arrivals)
			}
			return ""
		})
	})

	merch.step(t, "roll back to the earlier version", func(t *testing.T, b *tab) {
		b.open("/admin/versions", `[data-testid="versions"]`)
		if n := b.count(`[data-testid="version"]`); n < 3 {
			t.Fatalf("version history lists %d versions, want the seed's, the fixture's and the new one", n)
		}
		b.follow(`[data-testid="version"][data-version-id="`+liveVersion+`"] [data-testid="rollback"]`, `[data-testid="confirm-rollback"]`)
		b.follow(`[data-testid="confirm-rollback"]`, `[data-testid="versions"]`)
		if got := b.text(`[data-testid="flash"]`); !strings.Contains(got, "Rolled back") {
			t.Fatalf("no confirmation of the rollback, flash %q", got)
		}
		b.shot("admin-versions")
	})

	shopper.step(t, "the shopper's homepage has the old order again", func(t *testing.T, b *tab) {
		eventually(t, 8*time.Second, func() string {
			home := b.homeSlots()
			if want := inOrderOf(original, home); !slices.Equal(home, want) {
				return fmt.Sprintf("homepage slots %v, want the original order %v", home, want)
			}
			if !slices.Contains(home, picks) || !slices.Contains(home, arrivals) {
				return fmt.Sprintf("homepage slots %v lack editor's picks or new arrivals", home)
			}
			return ""
		})
	})

	merch.step(t, "the draft is the rolled-back layout", func(t *testing.T, b *tab) {
		b.open("/admin/layout", `[data-testid="layout-list"]`)
		if got := b.layoutOrder(); !slices.Equal(got, original) {
			t.Fatalf("draft after rollback %v, want %v", got, original)
		}
		if b.count(`[data-testid="pending"]`) != 0 {
			t.Fatalf("the rolled-back draft differs from the live page: %q", b.text(`[data-testid="pending"]`))
		}
	})
}

// TestSlotAnalyticsCountAShoppersClick: a shopper sees the homepage and
// clicks a card in the trending row; the merchandiser's analytics count one
// more click and the row's impressions for that slot, with charts.
func TestSlotAnalyticsCountAShoppersClick(t *testing.T) {
	t.Parallel()
	s := startWorld(t)
	trending := s.draftSlotIDs()[models.SlotTrending]
	row := `[data-testid="analytics-slots"] [data-testid="analytics-row"][data-slot="s` + trending + `"]`
	merch := newBrowser(t, s)
	shopper := merch.incognito()

	// figures reads the trending slot's impressions and clicks for the
	// default period (which ends today); the seeded world already has some.
	figures := func(b *tab) (imps, clicks int) {
		b.t.Helper()
		b.open("/admin/analytics", `[data-testid="range-form"]`)
		if b.count(row) == 0 {
			return 0, 0
		}
		num := func(sel string) int {
			n, err := strconv.Atoi(strings.ReplaceAll(b.text(sel), ",", ""))
			if err != nil {
				b.t.Fatalf("analytics figure %s: %v", sel, err)
			}
			return n
		}
		return num(row + ` td:nth-child(2)`), num(row + ` [data-testid="clicks"]`)
	}

	var imps, clicks int
	merch.step(t, "note the trending slot's figures", func(t *testing.T, b *tab) {
		b.adminLogIn()
		imps, clicks = figures(b)
	})

	var shown int
	shopper.step(t, "see the homepage and click a trending card", func(t *testing.T, b *tab) {
		b.shopperLogIn("shopper00005@example.com")
		b.open("/", `section[data-slot-type="trending"] [data-product-id]`)
		shown = b.count(`section[data-slot-type="trending"] [data-product-id]`)
		b.follow(`section[data-slot-type="trending"] [data-product-id] a.card-link`, `[data-testid="product-title"]`)
	})

	merch.step(t, "analytics count the impressions and the click", func(t *testing.T, b *tab) {
		// Events reach the database through the event writer, a moment
		// later; impressions are summed per viewer and minute first
		// (models.ImpressionBucket), so rather than wait for the minute to
		// end, the test hands them over as a shutdown would.
		must(t, s.srv.Events().Flush(context.Background()))
		eventually(t, 8*time.Second, func() string {
			i, c := figures(b)
			if i < imps+shown || c < clicks+1 {
				return fmt.Sprintf("trending shows %d impressions and %d clicks; before the shopper's visit %d and %d, want at least %d more impressions and 1 more click",
					i, c, imps, clicks, shown)
			}
			return ""
		})
		if !b.visible(`[data-testid="clicks-chart"]`) || !b.visible(`[data-testid="impressions-chart"]`) {
			t.Fatal("analytics draw no charts")
		}
		if got := b.text(row + ` td:first-child`); got != "Trending now" {
			t.Fatalf("analytics name the trending slot %q", got)
		}
		b.shot("admin-analytics")
	})
}
