package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"storefront/models"
	"storefront/web"
)

// testTimeout bounds everything one test does in the browser.
const testTimeout = 150 * time.Second

// chromiumPath finds the browser: $CHROMIUM when set (and only it), else
// Debian's /usr/bin/chromium or the usual names on PATH.
func chromiumPath() string {
	if p := os.Getenv("CHROMIUM"); p != "" {
		if p, err := exec.LookPath(p); err == nil {
			return p
		}
		return ""
	}
	for _, name := range []string{"/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// tab is one browser tab pointed at a shop.
type tab struct {
	t       testing.TB
	ctx     context.Context // carries the per-test timeout
	browser context.Context // the tab without the timeout, for diagnostics
	base    string
}

// newBrowser starts a headless Chromium with a fresh profile, 1280×900, and
// returns a tab on the shop. It skips the test when Chromium is missing,
// unless STOREFRONT_REQUIRE_BROWSER=1.
func newBrowser(t testing.TB, s *shop) *tab {
	t.Helper()
	path := chromiumPath()
	if path == "" {
		if os.Getenv("STOREFRONT_REQUIRE_BROWSER") == "1" {
			t.Fatal("Chromium not found ($CHROMIUM, chromium on PATH) and STOREFRONT_REQUIRE_BROWSER=1")
		}
		t.Skip("Chromium not found: install it (apt-get install chromium) or set $CHROMIUM to run the browser tests")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.NoSandbox, // Debian's chromium runs as root in CI only without it
		chromedp.Headless,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-dev-shm-usage", true), // /dev/shm is small in containers
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("password-store", "basic"),
		chromedp.Flag("force-color-profile", "srgb"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	browserCtx, cancelBrowser := chromedp.NewContext(allocCtx)
	// Start the browser on a context without the timeout: the context of the
	// first Do owns the browser's life.
	if err := chromedp.Do(browserCtx); err != nil {
		cancelBrowser()
		cancelAlloc()
		t.Fatalf("start Chromium at %s: %v", path, err)
	}
	ctx, cancelTimeout := context.WithTimeout(browserCtx, testTimeout)
	t.Cleanup(func() {
		cancelTimeout()
		cancelBrowser()
		cancelAlloc()
	})
	return &tab{t: t, ctx: ctx, browser: browserCtx, base: s.URL}
}

// do runs steps and fails the test with the page's address and text.
func (b *tab) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		b.t.Fatalf("%s: %v\n%s", what, err, b.where())
	}
}

// where describes the page the browser is on, for failure messages.
func (b *tab) where() string {
	ctx, cancel := context.WithTimeout(b.browser, 3*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](
		`"on " + location.href + "\n" + (document.querySelector("main") || document.body || {innerText: ""}).innerText.slice(0, 800)`))
	if err != nil {
		return "(page unavailable: " + err.Error() + ")"
	}
	return s
}

// open navigates to a path of the shop and waits for sel to be visible.
func (b *tab) open(path, sel string) {
	b.t.Helper()
	b.do("open "+path, chromedp.Navigate(b.base+path), chromedp.WaitVisible(chromedp.CSS(sel)))
}

// follow clicks what a shopper would click and waits until the next page
// shows sel. The old page is marked first, so an element that both pages
// have cannot satisfy the wait early. sel must be one compound selector.
func (b *tab) follow(click, sel string) {
	b.t.Helper()
	b.do("click "+click+" and wait for "+sel,
		chromedp.Evaluate[chromedp.Void](`document.documentElement.setAttribute("data-e2e-stale", "")`),
		chromedp.Click(chromedp.CSS(click)),
		chromedp.WaitVisible(chromedp.CSS("html:not([data-e2e-stale]) "+sel)),
	)
}

// fill replaces the text of form fields, typing like a shopper.
func (b *tab) fill(fields ...string) {
	b.t.Helper()
	if len(fields)%2 != 0 {
		b.t.Fatal("fill wants selector, text pairs")
	}
	for i := 0; i < len(fields); i += 2 {
		sel, text := fields[i], fields[i+1]
		q, _ := json.Marshal(sel)
		// SetValue(sel, "") reports an empty value as a failure, so clear in JS.
		steps := []chromedp.Action[chromedp.Void]{
			chromedp.WaitVisible(chromedp.CSS(sel)),
			chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.querySelector(%s).value = ""`, q)),
		}
		if text != "" {
			steps = append(steps, chromedp.SendKeys(chromedp.CSS(sel), text))
		}
		b.do("fill "+sel, steps...)
	}
}

// text is the visible text of the first element matching sel.
func (b *tab) text(sel string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil && strings.Contains(err.Error(), "No node with given id found") {
		// The browser's node ids can lag a page that has just loaded (the
		// element was found on it, then read by an id of the page before):
		// read it once more.
		s, err = chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel)))
	}
	if err != nil {
		b.t.Fatalf("read text of %s: %v\n%s", sel, err, b.where())
	}
	return strings.Join(strings.Fields(s), " ")
}

// value is the current value of a form field.
func (b *tab) value(sel string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Value(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("read value of %s: %v\n%s", sel, err, b.where())
	}
	return s
}

// eval evaluates a JavaScript expression and decodes its result.
func eval[T any](b *tab, expr string) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		b.t.Fatalf("evaluate %s: %v\n%s", expr, err, b.where())
	}
	return v
}

// count is how many elements match sel right now (no waiting).
func (b *tab) count(sel string) int {
	b.t.Helper()
	q, _ := json.Marshal(sel)
	return eval[int](b, fmt.Sprintf("document.querySelectorAll(%s).length", q))
}

// visible reports whether the first element matching sel is rendered and
// has a size, right now.
func (b *tab) visible(sel string) bool {
	b.t.Helper()
	q, _ := json.Marshal(sel)
	return eval[bool](b, fmt.Sprintf(`(() => { const e = document.querySelector(%s); if (!e) return false;
		const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0 && getComputedStyle(e).visibility !== "hidden"; })()`, q))
}

// path is the address bar without scheme and host.
func (b *tab) path() string {
	b.t.Helper()
	return eval[string](b, "location.pathname + location.search")
}

// screenshot saves a full-page PNG into $STOREFRONT_SCREENSHOTS, when set,
// so CI never writes into the repository.
func (b *tab) screenshot(name string) {
	b.t.Helper()
	dir := os.Getenv("STOREFRONT_SCREENSHOTS")
	if dir == "" {
		return
	}
	buf, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	must(b.t, os.MkdirAll(dir, 0o755))
	must(b.t, os.WriteFile(filepath.Join(dir, name+".png"), buf, 0o644))
}

// logIn submits the login form the browser is on.
func (b *tab) logIn(email, password string) {
	b.t.Helper()
	b.fill(`#email`, email, `#password`, password)
	b.follow(`[data-testid="auth-submit"]`, `[data-testid="account-link"]`)
}

// checkOut puts product in the cart from its page, goes to checkout and
// logs in there as email, ending on the checkout form.
func (b *tab) checkOut(product *models.Product, email string) {
	b.t.Helper()
	b.open(web.ProductURL(product), `[data-testid="add-to-cart"]`)
	b.follow(`[data-testid="add-to-cart"]`, `[data-testid="cart-total"]`)
	b.follow(`[data-testid="checkout"]`, `[data-testid="auth-form"]`)
	b.logIn(email, testPassword)
	b.do("checkout form", waitVisible(`[data-testid="checkout-form"]`))
}

// waitVisible waits for a CSS selector to be visible.
func waitVisible(sel string) chromedp.Action[chromedp.Void] {
	return chromedp.WaitVisible(chromedp.CSS(sel))
}

// on is the same tab reporting failures to t, for a second tab used inside
// a step.
func (b *tab) on(t *testing.T) *tab {
	sub := *b
	sub.t = t
	return &sub
}

// step runs one stage of a journey as a subtest with its own t. Stages build
// on each other, so the journey stops at the first one that fails.
func (b *tab) step(t *testing.T, name string, f func(t *testing.T, b *tab)) {
	t.Helper()
	ok := t.Run(name, func(t *testing.T) { f(t, b.on(t)) })
	if !ok {
		t.FailNow()
	}
}
