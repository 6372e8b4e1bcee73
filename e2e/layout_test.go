package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"storefront/web"
)

// smallTargetsJS lists the controls a finger cannot be sure to hit: links,
// buttons and fields under 24 × 24 px (WCAG 2.2 target size, minimum). A
// box or radio button in a label counts as its label, which takes the tap
// too; a link in running text (a sentence, a table cell's words) is left
// out, as WCAG leaves it out.
const smallTargetsJS = `(() => {
	const out = [];
	const words = p => {
		let t = p.textContent;
		for (const c of p.querySelectorAll("a, button")) t = t.replace(c.textContent, "");
		return t.replace(/[\s›·|,]/g, "") !== "";
	};
	for (const el of document.querySelectorAll("a[href], button, input:not([type=hidden]), select, textarea, summary")) {
		if (!el.checkVisibility({visibilityProperty: true}) || el.closest(".visually-hidden, .skip")) continue;
		let r = el.getBoundingClientRect();
		if (r.width === 0 || r.height === 0) continue;
		if (/^(checkbox|radio)$/.test(el.type) && el.closest("label")) r = el.closest("label").getBoundingClientRect();
		if (r.width >= 24 && r.height >= 24) continue;
		if (getComputedStyle(el).display === "inline" && el.parentElement && words(el.parentElement)) continue;
		const name = (el.textContent || el.getAttribute("aria-label") || el.name || "").trim().replace(/\s+/g, " ").slice(0, 30);
		out.push(el.tagName.toLowerCase() + " " + JSON.stringify(name) + " " + Math.round(r.width) + "×" + Math.round(r.height));
	}
	return out.slice(0, 8);
})()`

// overflowJS lists elements that stick out past the right edge of the page
// and are not inside a scrolling container, or says how wide the page is
// when nothing in particular is to blame. A phone shopper sees either as a
// page that wobbles sideways.
const overflowJS = `(() => {
	const w = document.documentElement.clientWidth;
	if (document.documentElement.scrollWidth <= w) return [];
	const out = [];
	for (const el of document.body.querySelectorAll("*")) {
		const r = el.getBoundingClientRect();
		if (r.width === 0 || r.right <= w + 1) continue;
		// A scrolling ancestor clips an element only if it is, or is inside,
		// the element's containing block: an absolutely positioned element
		// escapes scrollers between it and its nearest positioned ancestor.
		let clipped = false, escapes = ["absolute", "fixed"].includes(getComputedStyle(el).position);
		for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
			const cs = getComputedStyle(p);
			if (escapes && cs.position === "static") continue;
			escapes = false;
			if (cs.overflowX !== "visible") { clipped = true; break; }
		}
		if (clipped) continue;
		const cls = typeof el.className === "string" && el.className.trim() ? "." + el.className.trim().split(/\s+/).join(".") : "";
		out.push(el.tagName.toLowerCase() + cls + " (right edge " + Math.round(r.right) + "px)");
	}
	if (out.length === 0) out.push("page is " + document.documentElement.scrollWidth + "px wide");
	return out.slice(0, 6);
})()`

// cutSelectJS lists the visible selects narrower than the choice they
// show (its text, the select's padding and its arrow): a select squeezed
// by a table cell on a phone showed "Admi" for "Admin".
const cutSelectJS = `(() => {
	const out = [];
	for (const s of document.querySelectorAll("select")) {
		const r = s.getBoundingClientRect();
		if (r.width === 0 || s.selectedIndex < 0) continue;
		const cs = getComputedStyle(s);
		const probe = document.createElement("span");
		probe.style.cssText = "position:absolute;visibility:hidden;white-space:pre";
		probe.style.font = cs.font;
		probe.textContent = s.options[s.selectedIndex].text;
		document.body.appendChild(probe);
		const need = probe.getBoundingClientRect().width + parseFloat(cs.paddingLeft) + parseFloat(cs.paddingRight) + 16;
		probe.remove();
		if (r.width + 1 < need) out.push((s.id || s.name) + " is " + Math.round(r.width) + "px for \"" + probe.textContent + "\" (" + Math.round(need) + "px)");
	}
	return out.slice(0, 6);
})()`

// footerGapJS measures the space between the last of the page's content and
// the footer.
const footerGapJS = `(() => {
	const main = document.querySelector("main"), footer = document.querySelector("footer");
	let bottom = 0;
	for (const el of main.querySelectorAll("*")) {
		const r = el.getBoundingClientRect();
		if (r.height > 0) bottom = Math.max(bottom, r.bottom);
	}
	return footer.getBoundingClientRect().top - bottom;
})()`

// TestLayoutFitsDesktopAndPhone opens the main pages at 1280px and at a
// 390px phone width: each page shows its main control and never scrolls
// sideways. With STOREFRONT_SCREENSHOTS=dir it also saves full-page shots.
func TestLayoutFitsDesktopAndPhone(t *testing.T) {
	t.Parallel()
	s := startShop(t)
	stove, tent := s.product("SKU-5"), s.product("SKU-1")
	b := newBrowser(t, s)

	// A logged-in shopper with two lines in the cart, one with a long title,
	// so cart and checkout have something to lay out.
	b.step(t, "fill a cart and log in", func(t *testing.T, b *tab) {
		for _, p := range []string{web.ProductURL(stove), web.ProductURL(tent)} {
			b.open(p, `[data-testid="add-to-cart"]`)
			b.follow(`[data-testid="add-to-cart"]`, `[data-testid="cart-total"]`)
		}
		b.follow(`[data-testid="login-link"]`, `[data-testid="auth-form"]`)
		b.logIn("ada@example.com", testPassword)
	})

	pages := []struct {
		name, path, sel string
	}{
		{"home", "/", `section[data-slot-id] [data-product-id]`},
		{"category", "/c/outdoor", `.grid [data-product-id]`},
		{"product", web.ProductURL(stove), `[data-testid="add-to-cart"]`},
		{"cart", "/cart", `[data-testid="checkout"]`},
		{"checkout", "/checkout", `[data-testid="place-order"]`},
	}
	screens := []struct {
		name          string
		width, height int64
		opts          []chromedp.EmulateViewportOption
	}{
		{"desktop", 1280, 900, nil},
		{"phone", 390, 844, []chromedp.EmulateViewportOption{chromedp.EmulateMobile, chromedp.EmulateTouch}},
	}
	for _, sc := range screens {
		b.step(t, sc.name, func(t *testing.T, b *tab) {
			b.do("set viewport", chromedp.EmulateViewport(sc.width, sc.height, sc.opts...))
			for _, p := range pages {
				t.Run(p.name, func(t *testing.T) {
					b := *b
					b.t = t
					b.open(p.path, p.sel)
					if got := eval[float64](&b, "window.innerWidth"); int64(got) != sc.width {
						t.Fatalf("viewport is %vpx wide, want %d", got, sc.width)
					}
					if !b.visible(p.sel) {
						t.Errorf("%s is not visible", p.sel)
					}
					if gap := eval[float64](&b, footerGapJS); gap < 16 {
						t.Errorf("%s: the content ends %.0fpx above the footer, want breathing room of at least 16px", p.path, gap)
					}
					if bad := eval[[]string](&b, overflowJS); len(bad) > 0 {
						t.Errorf("%s scrolls sideways at %dpx: %s", p.path, sc.width, strings.Join(bad, "; "))
					}
					b.screenshot(fmt.Sprintf("%s-%d", p.name, sc.width))
				})
			}
		})
	}
}

// TestAdminPagesFitAPhone: a merchandiser checking the shop on a phone
// (390px), or at the 320 CSS px of WCAG's reflow (1280px zoomed to 400 %),
// reads every admin page without it scrolling sideways; wide tables scroll
// inside their own box, and every select shows its whole choice.
func TestAdminPagesFitAPhone(t *testing.T) {
	t.Parallel()
	s := startShop(t)
	b := newAdmin(t, s)
	for _, width := range []int64{390, 320} {
		b.do("phone viewport", chromedp.EmulateViewport(width, 844, chromedp.EmulateMobile, chromedp.EmulateTouch))
		for _, p := range []struct{ path, sel string }{
			{"/admin", `main h1`},
			{"/admin/layout", `[data-testid="layout-slot"]`},
			{"/admin/versions", `[data-testid="versions"]`},
			{"/admin/catalog", `[data-testid="catalog"]`},
			{"/admin/staff", `[data-testid="staff-list"]`},
			{"/admin/api-keys", `main h1`},
			{"/admin/audit", `[data-testid="audit"]`},
			{"/admin/model", `main h1`},
			{"/admin/import", `[data-testid="import-form"]`},
			{"/admin/settings", `[data-testid="logo-form"]`},
			{"/admin/campaigns", `main h1`},
			{"/admin/experiments", `main h1`},
			{"/admin/analytics", `main h1`},
		} {
			t.Run(fmt.Sprintf("%s at %dpx", p.path, width), func(t *testing.T) {
				b := *b
				b.t = t
				b.open(p.path, p.sel)
				if bad := eval[[]string](&b, overflowJS); len(bad) > 0 {
					t.Errorf("%s scrolls sideways at %dpx: %s", p.path, width, strings.Join(bad, "; "))
				}
				if cut := eval[[]string](&b, cutSelectJS); len(cut) > 0 {
					t.Errorf("%s cuts a select's choice at %dpx: %s", p.path, width, strings.Join(cut, "; "))
				}
				b.shot(fmt.Sprintf("admin%s-%d", strings.ReplaceAll(p.path[len("/admin"):], "/", "-"), width))
			})
		}
	}
}
