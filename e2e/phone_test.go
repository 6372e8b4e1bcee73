package e2e

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"storefront/models"
)

// TestShopperPagesDoNotScrollSidewaysOnAPhone opens every main shopper page
// of the demo world (long titles, many categories and facets, real
// recommendations) at a 390px phone width, as a visitor and as a signed-in
// shopper with a cart: none is wider than the screen, and every link,
// button and field is at least 24 × 24 px, big enough to tap.
func TestShopperPagesDoNotScrollSidewaysOnAPhone(t *testing.T) {
	t.Parallel()
	s := startWorld(t)
	var p models.Product
	// The longest title of a product on sale: the most for a phone to fit.
	must(t, s.db.R.Where("active AND stock > 5 AND compare_at_cents > price_cents").Order("LENGTH(title) DESC").First(&p).Error)
	product := "/p/" + itoa(int(p.ID)) + "-" + p.Slug
	var cat struct{ Slug string }
	must(t, s.db.R.Raw(`SELECT c.slug FROM categories c JOIN products p ON p.category_id = c.id
		GROUP BY c.slug ORDER BY COUNT(*) DESC, c.slug LIMIT 1`).Scan(&cat).Error)
	word := strings.Fields(p.Title)[len(strings.Fields(p.Title))-1]
	b := newBrowser(t, s)
	b.do("phone viewport", chromedp.EmulateViewport(phoneWidth, phoneHeight, chromedp.EmulateMobile, chromedp.EmulateTouch))

	who := "visitor"
	fits := func(t *testing.T, b *tab, name, path, sel string) {
		t.Helper()
		t.Run(name, func(t *testing.T) {
			b := *b
			b.t = t
			b.open(path, sel)
			if w := eval[float64](&b, "window.innerWidth"); w != phoneWidth {
				t.Fatalf("%s: the window is %vpx wide, want %d (a page too wide for the screen is zoomed out)", path, w, phoneWidth)
			}
			if sw := eval[float64](&b, "document.documentElement.scrollWidth"); sw > phoneWidth {
				t.Errorf("%s is %vpx wide on a %dpx phone: %s", path, sw, phoneWidth, strings.Join(eval[[]string](&b, overflowJS), "; "))
			}
			if small := eval[[]string](&b, smallTargetsJS); len(small) > 0 {
				t.Errorf("%s: controls under 24 × 24 px on a phone: %s", path, strings.Join(small, "; "))
			}
			if os.Getenv("STOREFRONT_SCREENSHOTS") != "" {
				shot := who + "-" + strings.ReplaceAll(name, " ", "-")
				b.shot(shot + "-390")
				b.do("desktop viewport", chromedp.EmulateViewport(1280, 900), chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(sel)))
				b.shot(shot + "-1280")
				b.do("phone viewport", chromedp.EmulateViewport(phoneWidth, phoneHeight, chromedp.EmulateMobile, chromedp.EmulateTouch), chromedp.Reload())
			}
		})
	}

	b.step(t, "visitor", func(t *testing.T, b *tab) {
		fits(t, b, "home", "/", `section[data-slot-id]`)
		fits(t, b, "category", "/c/"+cat.Slug, `[data-product-id]`)
		fits(t, b, "product", product, `[data-testid="add-to-cart"]`)
		fits(t, b, "search", "/search?q="+word, `[data-product-id]`)
		fits(t, b, "search with a typo", "/search?q=backpak+waterproof", `main`)
		// A query of one long word (a pasted address, a held key) is
		// repeated in the heading and the no-results line: both wrap.
		fits(t, b, "search for one long word", "/search?q="+strings.Repeat("abcdefghij", 30), `[data-testid="no-results"]`)
		fits(t, b, "sale", "/sale", `[data-product-id]`)
		fits(t, b, "login", "/login", `[data-testid="auth-form"]`)
	})

	b.step(t, "shopper with a cart", func(t *testing.T, b *tab) {
		who = "shopper"
		b.shopperLogIn(s.tastes()[0].email)
		b.open(product, `[data-testid="add-to-cart"]`)
		b.follow(`[data-testid="add-to-cart"]`, `[data-testid="cart-total"]`)
		fits(t, b, "home", "/", `section[data-slot-id]`)
		fits(t, b, "cart", "/cart", `[data-testid="checkout"]`)
		fits(t, b, "checkout", "/checkout", `[data-testid="place-order"]`)
		fits(t, b, "account", "/account", `[data-testid="account-name"]`)
		fits(t, b, "interests", "/account/interests", `main h1`)
		fits(t, b, "orders", "/orders", `main h1`)
	})
}

// TestARowsSeeAllLinkStaysOnOneLineOnAPhone: on a 390 px phone, a row
// whose heading takes two lines ("Warme Textilien für den Herbst") keeps
// its "See all" link on one line beside it; it broke into "See" over
// "all".
func TestARowsSeeAllLinkStaysOnOneLineOnAPhone(t *testing.T) {
	t.Parallel()
	s := startShop(t, func(db *models.DB) {
		must(t, db.W.Model(&models.Slot{}).Where("title = ?", "Best sellers").
			Updates(map[string]any{"title": "Warme Textilien für den Herbst", "link": "/c/outdoor"}).Error)
		_, err := db.PublishDraft(context.Background(), models.HomePage, "e2e")
		must(t, err)
	})
	b := newBrowser(t, s)
	b.do("phone viewport", chromedp.EmulateViewport(phoneWidth, phoneHeight, chromedp.EmulateMobile, chromedp.EmulateTouch))
	link := `section[data-slot-type="popular"] .row-head > a`
	b.open("/", link)
	b.shot("row-see-all")
	// The lines of the link's text (the link itself, a flex item, is one box).
	if lines := eval[int](b, `(() => { const r = document.createRange(); r.selectNodeContents(document.querySelector(`+quote(link)+`)); return r.getClientRects().length })()`); lines != 1 {
		t.Fatalf("the row's See all link takes %d lines on a phone", lines)
	}
	if head := eval[float64](b, `document.querySelector('section[data-slot-type="popular"] .row-head h2').getClientRects()[0].height`); head < 40 {
		t.Fatalf("the heading is %.0f px high: it fits one line, so the test shows nothing", head)
	}
}
