package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"storefront/web"
)

// TestLoginMergesAnonymousCart: what a visitor put in the cart before
// logging in joins what the account already had; nothing is lost.
func TestLoginMergesAnonymousCart(t *testing.T) {
	t.Parallel()
	s := startShop(t)
	lantern, skillet := s.product("SKU-3"), s.product("SKU-6") // $24.50, $39.99
	// Ada left a skillet in her cart on another device.
	must(t, s.db.AddToCart(context.Background(), s.ada.ExternalID, skillet.ID, 1))
	b := newBrowser(t, s)
	line := func(id uint) string { return fmt.Sprintf(`tr[data-testid="cart-line"][data-product-id="%d"]`, id) }

	b.step(t, "visitor adds a lantern", func(t *testing.T, b *tab) {
		b.open(web.ProductURL(lantern), `[data-testid="add-to-cart"]`)
		b.follow(`[data-testid="add-to-cart"]`, `[data-testid="cart-total"]`)
		if b.count(`[data-testid="cart-line"]`) != 1 || b.count(line(lantern.ID)) != 1 {
			t.Fatalf("visitor's cart should hold only the lantern")
		}
		if got := b.text(`[data-testid="login-link"]`); got != "Log in" {
			t.Fatalf("visitor sees %q, want a Log in link", got)
		}
	})

	b.step(t, "log in as a shopper with a skillet in the cart", func(t *testing.T, b *tab) {
		b.follow(`[data-testid="login-link"]`, `[data-testid="auth-form"]`)
		b.logIn("ada@example.com", testPassword)
		if got := b.text(`[data-testid="account-link"]`); got != "Ada Shopper" {
			t.Fatalf("header shows %q after login, want Ada Shopper", got)
		}
		if got := b.text(`[data-testid="cart-count"]`); got != "2" {
			t.Fatalf("cart badge %q after login, want 2 (lantern + skillet)", got)
		}
	})

	b.step(t, "cart shows both", func(t *testing.T, b *tab) {
		b.follow(`[data-testid="cart-link"]`, `[data-testid="cart-total"]`)
		if n := b.count(`[data-testid="cart-line"]`); n != 2 {
			t.Fatalf("%d cart lines, want 2", n)
		}
		for _, p := range []struct {
			id    uint
			title string
		}{{lantern.ID, lantern.Title}, {skillet.ID, skillet.Title}} {
			if b.count(line(p.id)) != 1 {
				t.Fatalf("%s is missing from the merged cart", p.title)
			}
			if got := b.text(line(p.id) + ` .cart-product a`); got != p.title {
				t.Fatalf("cart line shows %q, want %q", got, p.title)
			}
		}
		if got := b.text(`[data-testid="cart-total"]`); got != "$64.49" {
			t.Fatalf("cart total %q, want $64.49", got)
		}
	})

	b.step(t, "the visitor's cart is gone after logout", func(t *testing.T, b *tab) {
		b.follow(`[data-testid="account-link"]`, `[data-testid="logout"]`)
		b.follow(`[data-testid="logout"]`, `[data-testid="login-link"]`)
		if got := b.text(`[data-testid="cart-count"]`); got != "0" {
			t.Fatalf("cart badge %q after logout, want 0: the merged lines belong to the account", got)
		}
	})
}

// TestCartQuantityStopsAtStock: the cart's quantity box offers no more
// than is left, and a form that asks for more anyway (an old page, no
// browser checks) is refused with how many are left, the line unchanged.
func TestCartQuantityStopsAtStock(t *testing.T) {
	t.Parallel()
	s := startShop(t)
	tent := s.product("SKU-1") // 5 in stock, $199.99
	b := newBrowser(t, s)

	b.step(t, "two tents in the cart", func(t *testing.T, b *tab) {
		b.open(web.ProductURL(tent), `[data-testid="add-to-cart"]`)
		b.fill(`#quantity`, "2")
		b.follow(`[data-testid="add-to-cart"]`, `[data-testid="cart-total"]`)
		if got := eval[string](b, `document.querySelector('[data-testid="line-quantity"]').max`); got != "5" {
			t.Fatalf("the quantity box allows up to %q, want the 5 in stock", got)
		}
	})

	b.step(t, "ask for nine", func(t *testing.T, b *tab) {
		b.do("submit nine", chromedp.Evaluate[chromedp.Void](`document.documentElement.setAttribute("data-e2e-stale", "");
			document.querySelector('[data-testid="line-quantity"]').value = "9";
			document.querySelector('form.qty-form').submit()`),
			chromedp.WaitVisible(chromedp.CSS(`html:not([data-e2e-stale]) [data-testid="cart-total"]`)))
		if got := b.text(`[data-testid="flash"]`); !strings.Contains(got, "only 5") || !strings.Contains(got, tent.Title) {
			t.Fatalf("flash %q, want a refusal naming the 5 left of %s", got, tent.Title)
		}
		if got := b.value(`[data-testid="line-quantity"]`); got != "2" {
			t.Fatalf("cart quantity %q after the refusal, want 2", got)
		}
		if got := b.text(`[data-testid="cart-total"]`); got != "$399.98" {
			t.Fatalf("cart total %q, want $399.98", got)
		}
	})

	b.step(t, "add the other three, then one more", func(t *testing.T, b *tab) {
		b.open(web.ProductURL(tent), `[data-testid="add-to-cart"]`)
		b.fill(`#quantity`, "3")
		b.follow(`[data-testid="add-to-cart"]`, `[data-testid="cart-total"]`)
		if got := b.value(`[data-testid="line-quantity"]`); got != "5" {
			t.Fatalf("cart quantity %q, want 5", got)
		}
		b.open(web.ProductURL(tent), `[data-testid="add-to-cart"]`)
		b.follow(`[data-testid="add-to-cart"]`, `[data-testid="flash"]`)
		if got := b.text(`[data-testid="flash"]`); !strings.Contains(got, "already holds all 5") {
			t.Fatalf("flash %q after adding a sixth of five, want that the cart already holds all 5", got)
		}
		if got := b.text(`[data-testid="cart-count"]`); got != "5" {
			t.Fatalf("cart badge %q, want 5", got)
		}
	})
}

// TestAnAddBeyondTheStockSaysWhatWentIn: the product page's quantity field
// allows the whole stock whatever the cart already holds. A shopper with 3
// of the 5 lanterns in the cart asks for 5 more: 2 go in, and the cart says
// so instead of "Added", which let the shopper believe they had 8.
func TestAnAddBeyondTheStockSaysWhatWentIn(t *testing.T) {
	t.Parallel()
	s := startShop(t)
	must(t, s.db.W.Exec("UPDATE products SET stock = 5 WHERE external_id = ?", "SKU-3").Error)
	lantern := s.product("SKU-3")
	b := newBrowser(t, s)
	b.step(t, "3 go in as asked", func(t *testing.T, b *tab) {
		b.open(web.ProductURL(lantern), `[data-testid="add-to-cart"]`)
		b.fill(`#quantity`, "3")
		b.follow(`[data-testid="add-to-cart"]`, `[data-testid="cart-total"]`)
		if got := b.text(`[data-testid="flash"]`); got != "Added “Trail Lantern” to your cart." {
			t.Errorf("flash %q", got)
		}
	})
	b.step(t, "5 more: 2 go in, and the flash says so", func(t *testing.T, b *tab) {
		b.open(web.ProductURL(lantern), `[data-testid="add-to-cart"]`)
		b.fill(`#quantity`, "5")
		b.follow(`[data-testid="add-to-cart"]`, `[data-testid="cart-total"]`)
		if got, want := b.text(`[data-testid="flash"]`), "Added 2 of the 5 “Trail Lantern” you asked for: your cart now holds 5, all you can order."; got != want {
			t.Errorf("flash %q, want %q", got, want)
		}
		if got := b.value(`[data-testid="line-quantity"]`); got != "5" {
			t.Errorf("the line holds %q, want 5", got)
		}
	})
}

// TestUpdatingALineRemovedInAnotherWindow: a shopper's cart is open in two
// windows; one removes the lantern, then the other, still showing it, asks
// for 2. The cart said "Cart updated." and showed no lantern; it says the
// lantern is no longer in the cart.
func TestUpdatingALineRemovedInAnotherWindow(t *testing.T) {
	t.Parallel()
	s := startShop(t)
	lantern := s.product("SKU-3")
	b := newBrowser(t, s)
	b.open(web.ProductURL(lantern), `[data-testid="add-to-cart"]`)
	b.follow(`[data-testid="add-to-cart"]`, `[data-testid="cart-line"]`)
	// The other window: the same cookies post the line's remove form.
	b.do("remove the line from another window", chromedp.Evaluate[chromedp.Void](`(async () => {
		const f = document.querySelector('[data-testid="remove"]').form;
		await fetch(f.action, {method: "POST", body: new URLSearchParams(new FormData(f))});
	})()`, chromedp.EvalAwaitPromise))
	b.fill(`[data-testid="line-quantity"]`, "2")
	b.follow(`.qty-form button[type="submit"]`, `[data-testid="flash"]`)
	want := "“Trail Lantern” is no longer in your cart: it was removed, perhaps in another window. Add it again from its page."
	if got := b.text(`[data-testid="flash"]`); got != want {
		t.Fatalf("the cart says %q, want %q", got, want)
	}
	if n := b.count(`[data-testid="cart-line"]`); n != 0 {
		t.Fatalf("%d lines in the cart, want none", n)
	}
}
