package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"storefront/models"
	"storefront/seed"
)

// phoneWidth × phoneHeight is the viewport the phone tests and screenshots use.
const phoneWidth, phoneHeight = 390, 844

// shotBoth takes a screenshot at desktop width and at phone width.
func (b *tab) shotBoth(name string) {
	b.t.Helper()
	if os.Getenv("STOREFRONT_SCREENSHOTS") == "" {
		return
	}
	b.shot(name + "-1280")
	// Reloaded at each width, as a phone would load it.
	b.do("phone viewport", chromedp.EmulateViewport(phoneWidth, phoneHeight), chromedp.Reload())
	b.shot(name + "-390")
	b.do("desktop viewport", chromedp.EmulateViewport(1280, 900), chromedp.Reload())
}

// TestSearchInTheDemoWorld: a shopper searches the seeded demo world as
// shoppers type: a query some products match fully and others partly, a
// misspelling, an unknown word; completion as they type; filters and sort
// on the results.
func TestSearchInTheDemoWorld(t *testing.T) {
	t.Parallel()
	s := startWorld(t)
	b := newBrowser(t, s)

	b.step(t, "full matches first, then partial ones", func(t *testing.T, b *tab) {
		b.open("/", `section[data-slot-type="hero"]`)
		b.fill(`#q`, "wireless headphones")
		b.follow(`form.search button[type="submit"]`, `[data-testid="result-count"]`)
		first := strings.ToLower(b.text(`.card-title`))
		if !strings.Contains(first, "wireless") {
			t.Fatalf("first result %q does not say wireless", first)
		}
		if b.count(`[data-testid="partial-head"]`) != 1 {
			t.Fatal("no heading before the partial matches")
		}
		b.shotBoth("search-partial")
	})

	b.step(t, "a misspelling is corrected, with the way back", func(t *testing.T, b *tab) {
		b.open("/search?q=headphnes", `[data-testid="suggestion"]`)
		if got := b.text(`[data-testid="corrected"]`); got != "headphones" {
			t.Fatalf("showing results for %q", got)
		}
		if !strings.Contains(strings.ToLower(b.text(`.card-title`)), "headphones") {
			t.Fatal("corrected results are not headphones")
		}
		b.shotBoth("search-misspelling")
		b.follow(`[data-testid="search-instead"]`, `[data-testid="no-results"]`)
		if b.count(`[data-testid="corrected"]`) != 0 {
			t.Fatal("searching exactly still corrects")
		}
	})

	b.step(t, "an unknown word is left out and said so", func(t *testing.T, b *tab) {
		b.open("/search?q="+url.QueryEscape("tent zorbulax"), `[data-testid="unknown-words"]`)
		if got := b.text(`[data-testid="unknown-words"]`); !strings.Contains(got, "zorbulax") {
			t.Fatalf("notice %q", got)
		}
		if !strings.Contains(strings.ToLower(b.text(`.card-title`)), "tent") {
			t.Fatal("the known word found nothing")
		}
		b.shotBoth("search-unknown-word")
		b.open("/search?q=zorbulax", `[data-testid="no-results"]`)
		if b.count(`[data-testid="browse-departments"] a`) == 0 {
			t.Fatal("nothing to browse when nothing matched")
		}
	})

	b.step(t, "completion as you type opens a product", func(t *testing.T, b *tab) {
		b = b.incognito() // a tab of its own: one tab's time limit would not cover every step
		b.open("/", `#q`)
		// Wait for the list of the whole word: a slow typist's earlier
		// letters may answer first.
		b.do("type", chromedp.SendKeys(chromedp.CSS(`#q`), "headph"), chromedp.WaitVisible(chromedp.CSS(`#q-suggest[data-for="headph"] [role=option]`)))
		if got := b.text(`#q-suggest .suggest-category`); !strings.HasPrefix(got, "Headphones") {
			t.Fatalf("first suggestion %q, want the Headphones category", got)
		}
		if b.count(`#q-suggest .suggest-product`) == 0 {
			t.Fatal("no product suggested")
		}
		b.follow(`#q-suggest .suggest-product a`, `[data-testid="product-title"]`)
		if !strings.Contains(strings.ToLower(b.text(`[data-testid="product-title"]`)), "head") {
			t.Fatalf("opened %q", b.text(`[data-testid="product-title"]`))
		}
	})

	b.step(t, "filters and sort on the results", func(t *testing.T, b *tab) {
		b = b.incognito()
		b.open("/search?q=tent", `[data-testid="brand-facet"]`)
		total := b.text(`[data-testid="result-count"]`)
		brand := eval[string](b, `document.querySelector('[data-testid="brand-facet"] input').value`)
		count := strings.Trim(b.text(`[data-testid="brand-count"]`), "()")
		b.do("tick a brand", chromedp.Click(chromedp.CSS(`[data-testid="brand-facet"] input`)))
		b.follow(`[data-testid="filters"] button[type="submit"]`, `[data-testid="result-count"]`)
		if got := b.text(`[data-testid="result-count"]`); got != count+" results" || got == total {
			t.Fatalf("after choosing %s (%s): %q (before %q)", brand, count, got, total)
		}
		for _, br := range eval[[]string](b, `Array.from(document.querySelectorAll('.grid .card-brand')).map(e => e.textContent.trim())`) {
			if !strings.EqualFold(br, brand) {
				t.Fatalf("a %s product listed under brand %s", br, brand)
			}
		}
		b.follow(`.sorts a[href*="sort=price_asc"]`, `.sorts .current`)
		prices := eval[[]string](b, `Array.from(document.querySelectorAll('.grid .card-price')).map(e => e.textContent.trim())`)
		if len(prices) < 2 || priceOf(t, prices[0]) > priceOf(t, prices[len(prices)-1]) {
			t.Fatalf("not cheapest first: %v", prices)
		}
	})
}

func priceOf(t *testing.T, s string) float64 {
	t.Helper()
	var v float64
	if _, err := fmt.Sscanf(strings.NewReplacer("$", "", ",", "").Replace(strings.TrimSpace(s)), "%f", &v); err != nil {
		t.Fatalf("price %q: %v", s, err)
	}
	return v
}

// TestMerchandiserMaintainsSynonyms: a word no product uses finds nothing;
// the merchandiser adds it to a synonym group in the admin and the same
// search finds the group's products; a bad list is refused with the problem
// and its line, focused.
func TestMerchandiserMaintainsSynonyms(t *testing.T) {
	t.Parallel()
	s := startWorld(t)
	b := newBrowser(t, s)

	b.step(t, "before: the word finds nothing", func(t *testing.T, b *tab) {
		b.open("/search?q=anorak", `[data-testid="no-results"]`)
	})

	b.step(t, "a list with a mistake is refused and says where", func(t *testing.T, b *tab) {
		b.adminLogIn()
		b.follow(`[data-testid="admin-nav"] a[href="/admin/search"]`, `[data-testid="synonyms-form"]`)
		if got := b.value(`#synonyms`); !strings.Contains(got, "waterproof, weatherproof") {
			t.Fatalf("the form does not show the synonyms in use: %q", got)
		}
		if got := b.text(`[data-testid="synonyms-source"]`); !strings.Contains(got, "the starter list") {
			t.Fatalf("the page does not say the starter list is in use: %q", got)
		}
		b.fill(`#synonyms`, "anorak, jacket\nlonely\n")
		b.follow(`[data-testid="save-synonyms"]`, `[data-testid="error-summary"]`)
		if got := b.text(`[data-testid="error-summary"]`); !strings.Contains(got, "line 2") {
			t.Fatalf("error summary %q does not name line 2", got)
		}
		if !eval[bool](b, `document.activeElement === document.querySelector('[data-testid="error-summary"]')`) {
			t.Fatal("the error summary does not have the focus")
		}
		if got, _, _ := s.srv.Shop().SynonymsText(context.Background()); strings.Contains(got, "anorak") {
			t.Fatal("a refused list was stored")
		}
	})

	b.step(t, "a good list is saved and used by the next search", func(t *testing.T, b *tab) {
		b.fill(`#synonyms`, "anorak, jacket\nwaterproof, weatherproof\n")
		b.follow(`[data-testid="save-synonyms"]`, `[data-testid="flash"]`)
		if got := b.text(`[data-testid="flash"]`); !strings.Contains(got, "2 synonym groups") {
			t.Fatalf("flash %q", got)
		}
		stored, own, err := s.srv.Shop().SynonymsText(context.Background())
		must(t, err)
		if stored != "anorak, jacket\nwaterproof, weatherproof\n" || !own {
			t.Fatalf("stored %q (own list %v)", stored, own)
		}
		if got := b.text(`[data-testid="synonyms-source"]`); !strings.Contains(got, "this shop's list") {
			t.Fatalf("after saving, the page says %q", got)
		}
		shopper := b.incognito() // a visitor, in a tab of its own
		shopper.open("/search?q=anorak", `[data-testid="result-count"]`)
		if got := strings.ToLower(shopper.text(`.card-title`)); !strings.Contains(got, "jacket") {
			t.Fatalf("anorak now finds %q first", got)
		}
	})

	b.step(t, "going back to the starter list", func(t *testing.T, b *tab) {
		b.do("open the starter list", chromedp.Click(chromedp.CSS(`.starter-list > summary`)))
		b.follow(`[data-testid="reset-synonyms"]`, `[data-testid="flash"]`)
		if got := b.text(`[data-testid="synonyms-source"]`); !strings.Contains(got, "the starter list") {
			t.Fatalf("after the reset, the page says %q", got)
		}
		if got := b.value(`#synonyms`); !strings.Contains(got, "flashlight, torch") || strings.Contains(got, "anorak") {
			t.Fatalf("after the reset, the form shows %q", got)
		}
		b.incognito().open("/search?q=anorak", `[data-testid="no-results"]`)
	})
}

// TestPhoneCategoryPage: on a phone the filters wait in a closed drawer
// above the products, open with their button, and stay open once a filter
// is on; the category bar shows that it scrolls.
func TestPhoneCategoryPage(t *testing.T) {
	t.Parallel()
	s := startWorld(t)
	b := newBrowser(t, s)
	b.do("phone viewport", chromedp.EmulateViewport(phoneWidth, phoneHeight))
	dept := s.departments()[0]
	slug := models.Slugify(dept)

	b.step(t, "filters start closed, products first", func(t *testing.T, b *tab) {
		b.open("/c/"+slug, `[data-testid="filter-toggle"]`)
		if eval[bool](b, `document.querySelector('[data-testid="filter-drawer"]').open`) || b.shown(`[data-testid="brand-facet"]`) {
			t.Fatal("the brand filter is open on a phone")
		}
		if top := eval[float64](b, `document.querySelector('.grid').getBoundingClientRect().top`); top > phoneHeight {
			t.Fatalf("the first products start at %.0f px, below the first screen", top)
		}
		if !eval[bool](b, `document.querySelector('.cat-nav').classList.contains('scrolls')`) {
			t.Fatal("the category bar does not show that it scrolls")
		}
		b.shot("category-phone-390")
	})

	b.step(t, "the drawer opens and a filter applies", func(t *testing.T, b *tab) {
		b.do("open the drawer", chromedp.Click(chromedp.CSS(`[data-testid="filter-toggle"]`)))
		if !b.shown(`[data-testid="brand-facet"]`) {
			t.Fatal("the drawer did not open")
		}
		b.do("tick a brand", chromedp.Click(chromedp.CSS(`[data-testid="brand-facet"] input`)))
		b.follow(`[data-testid="filters"] button[type="submit"]`, `[data-testid="result-count"]`)
		if !strings.Contains(b.path(), "brand=") {
			t.Fatalf("no brand filter in %q", b.path())
		}
		if !b.shown(`[data-testid="clear-filters"]`) || b.text(`[data-testid="filter-toggle"] .badge`) != "1" {
			t.Fatal("with a filter on, the drawer should be open and count it")
		}
	})
}

// shown reports whether the first element matching sel is rendered, also
// counting content a closed <details> hides.
func (b *tab) shown(sel string) bool {
	b.t.Helper()
	q, _ := json.Marshal(sel)
	return eval[bool](b, fmt.Sprintf(`(() => { const e = document.querySelector(%s); return !!e && e.checkVisibility({contentVisibilityAuto: true, visibilityProperty: true}); })()`, q))
}

// axeSource is axe-core, vendored from npm for these tests only.
func axeSource(t *testing.T) string {
	t.Helper()
	src, err := os.ReadFile("testdata/axe/axe.min.js")
	must(t, err)
	return string(src)
}

type axeViolation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Help   string   `json:"help"`
	Nodes  []string `json:"nodes"`
}

func (b *tab) axe(src, page string) []axeViolation {
	b.t.Helper()
	b.do("load axe", chromedp.Evaluate[chromedp.Void](src+";void 0"))
	js, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`axe.run(document, {resultTypes: ["violations"]}).then(r => JSON.stringify(
		r.violations.filter(v => v.impact === "serious" || v.impact === "critical").map(v => ({id: v.id, impact: v.impact, help: v.help,
			nodes: v.nodes.slice(0, 3).map(n => n.target.join(" ") + " " + (n.failureSummary || "").slice(0, 160))}))))`, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("axe on %s: %v", page, err)
	}
	var vs []axeViolation
	must(b.t, json.Unmarshal([]byte(js), &vs))
	return vs
}

// TestAccessibility runs axe-core on the main shopper and admin pages at
// desktop and phone widths: no serious or critical violation. It also
// checks that a failed form puts the focus on its error summary.
func TestAccessibility(t *testing.T) {
	t.Parallel()
	s := startWorld(t)
	b := newBrowser(t, s)
	src := axeSource(t)
	check := func(t *testing.T, b *tab, path, wait string) {
		t.Helper()
		b.open(path, wait)
		for _, width := range []int64{1280, phoneWidth} {
			b.do("viewport", chromedp.EmulateViewport(width, 900))
			for _, v := range b.axe(src, path) {
				t.Errorf("%s at %d px: %s (%s): %s\n  %s", path, width, v.ID, v.Impact, v.Help, strings.Join(v.Nodes, "\n  "))
			}
		}
		b.do("viewport", chromedp.EmulateViewport(1280, 900))
	}

	// Each step gets a tab of its own: a tab's time limit would not cover
	// them all.
	b.step(t, "home and category", func(t *testing.T, b *tab) {
		b = b.incognito()
		check(t, b, "/", `section[data-slot-type="hero"]`)
		check(t, b, "/c/"+models.Slugify(s.departments()[0]), `[data-testid="result-count"]`)
	})
	b.step(t, "search results", func(t *testing.T, b *tab) {
		b = b.incognito()
		check(t, b, "/search?q=tent", `[data-testid="result-count"]`)
		check(t, b, "/search?q=headphnes", `[data-testid="suggestion"]`)
		check(t, b, "/search?q=zorbulax", `[data-testid="no-results"]`)
	})
	b.step(t, "product, cart and registration", func(t *testing.T, b *tab) {
		b = b.incognito()
		b.open("/search?q=tent", `.card-link`)
		check(t, b, eval[string](b, `document.querySelector('.card-link').getAttribute('href')`), `[data-testid="product-title"]`)
		check(t, b, "/cart", `main h1`)
		check(t, b, "/register", `[data-testid="auth-form"]`)
	})

	b.step(t, "adding to the cart is read out", func(t *testing.T, b *tab) {
		b = b.incognito()
		b.open("/search?q=tent", `.card-link`)
		b.follow(`.card-link`, `[data-testid="add-to-cart"]`)
		b.follow(`[data-testid="add-to-cart"]`, `[data-testid="flash"]`)
		flash := b.text(`[data-testid="flash"]`)
		// A live region speaks when its text changes, not for the text it
		// was loaded with: the message must arrive in an empty one.
		eventually(t, 10*time.Second, func() string {
			if got := eval[string](b, `(document.querySelector('[role="status"][data-testid="announce"]') || {textContent: "(no region)"}).textContent`); got != flash {
				return fmt.Sprintf("the live region says %q, want the flash %q", got, flash)
			}
			return ""
		})
		for _, v := range b.axe(src, "/cart (with a flash)") {
			t.Errorf("cart with a flash: %s (%s): %s %v", v.ID, v.Impact, v.Help, v.Nodes)
		}
	})

	b.step(t, "campaign, orders and interests", func(t *testing.T, b *tab) {
		b = b.incognito()
		check(t, b, "/l/"+seed.DemoCampaign, `main h1`)
		b.open("/login", "#email")
		b.logIn(seed.DemoShopperEmail, seed.DemoShopperPassword)
		check(t, b, "/orders", `main h1`)
		order := eval[string](b, `(() => { const a = document.querySelector('main a[href^="/orders/"]'); return a ? a.getAttribute("href") : "" })()`)
		if order == "" {
			t.Fatal("the demo shopper has no order to open")
		}
		check(t, b, order, `main h1`)
		check(t, b, "/account/interests", `main h1`)
	})

	b.step(t, "a failed login focuses its error summary", func(t *testing.T, b *tab) {
		b = b.incognito()
		b.open("/login", "#email")
		b.fill(`#email`, seed.DemoShopperEmail, `#password`, "wrong password")
		b.follow(`[data-testid="auth-submit"]`, `[data-testid="error-summary"]`)
		if !eval[bool](b, `document.activeElement === document.querySelector('[data-testid="error-summary"]')`) {
			t.Fatal("focus is not on the error summary")
		}
		for _, v := range b.axe(src, "/login (failed)") {
			t.Errorf("failed login: %s (%s): %s %v", v.ID, v.Impact, v.Help, v.Nodes)
		}
	})

	b.step(t, "a failed checkout focuses its error summary and refuses a bad postcode", func(t *testing.T, b *tab) {
		b = b.incognito()
		b.open("/login", "#email")
		b.logIn(seed.DemoShopperEmail, seed.DemoShopperPassword)
		check(t, b, "/account", `main h1`)
		b.open("/search?q=tent", `.card-link`)
		b.follow(`.card-link`, `[data-testid="add-to-cart"]`)
		b.follow(`[data-testid="add-to-cart"]`, `[data-testid="cart-total"]`)
		b.follow(`[data-testid="checkout"]`, `[data-testid="checkout-form"]`)
		b.fill(`#postcode`, "???")
		b.follow(`[data-testid="place-order"]`, `[data-testid="error-summary"]`)
		if !eval[bool](b, `document.activeElement === document.querySelector('[data-testid="error-summary"]')`) {
			t.Fatal("focus is not on the error summary")
		}
		if got := b.text(`[data-testid="postcode-error"]`); !strings.Contains(got, "postcode") {
			t.Fatalf("postcode error %q", got)
		}
		for _, v := range b.axe(src, "/checkout (failed)") {
			t.Errorf("failed checkout: %s (%s): %s %v", v.ID, v.Impact, v.Help, v.Nodes)
		}
	})

	b.step(t, "the header's logout link logs out", func(t *testing.T, b *tab) {
		b = b.incognito()
		b.open("/login", "#email")
		b.logIn(seed.DemoShopperEmail, seed.DemoShopperPassword)
		b.open("/", `[data-testid="header-logout"]`)
		b.follow(`[data-testid="header-logout"]`, `[data-testid="login-link"]`)
	})

	for _, pages := range [][]struct{ path, wait string }{
		{{"/admin/layout", `[data-testid="layout-list"]`}, {"/admin/search", `[data-testid="synonyms-form"]`}, {"/admin/catalog", `main h1`}},
		{{"/admin/analytics", `main h1`}, {"/admin/versions", `main h1`}, {"/admin/model", `main h1`}},
		{{"/admin", `main h1`}, {"/admin/layout/slots/new", `main h1`}},
	} {
		b.step(t, "admin pages "+pages[0].path, func(t *testing.T, b *tab) {
			b = b.incognito()
			b.adminLogIn()
			for _, p := range pages {
				check(t, b, p.path, p.wait)
			}
		})
	}
}
