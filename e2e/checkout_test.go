package e2e

import (
	"strings"
	"testing"

	"storefront/models"
	"storefront/web"
)

// TestCheckoutFieldErrors: a missing field is named next to that field, the
// rest of the address is kept, and no order is placed until it is fixed.
func TestCheckoutFieldErrors(t *testing.T) {
	t.Parallel()
	s := startShop(t)
	skillet := s.product("SKU-6")
	b := newBrowser(t, s)

	b.step(t, "reach checkout", func(t *testing.T, b *tab) {
		b.open(web.ProductURL(skillet), `[data-testid="add-to-cart"]`)
		b.follow(`[data-testid="add-to-cart"]`, `[data-testid="cart-total"]`)
		b.follow(`[data-testid="checkout"]`, `[data-testid="auth-form"]`)
		b.logIn("ada@example.com", testPassword)
		if got := b.path(); got != "/checkout" {
			t.Fatalf("login from checkout went to %q, want /checkout", got)
		}
		b.do("checkout form", waitVisible(`[data-testid="checkout-form"]`))
	})

	b.step(t, "empty city is marked", func(t *testing.T, b *tab) {
		b.fill(`#street`, "10 Downing Street", `#city`, "", `#postcode`, "SW1A 2AA", `#country`, "United Kingdom")
		b.follow(`[data-testid="place-order"]`, `[data-testid="city-error"]`)
		if got := b.text(`[data-testid="city-error"]`); got != "Enter the city." {
			t.Fatalf("city error %q, want %q", got, "Enter the city.")
		}
		// Next to the field: inside the city field's own, red-bordered box,
		// right after its input.
		if b.count(`.field.has-error #city + [data-testid="city-error"]`) != 1 {
			t.Fatal("the city error is not attached to the city field")
		}
		if got := b.text(`[data-testid="checkout-error"]`); !strings.Contains(got, "correct the marked fields") {
			t.Fatalf("page-level message %q", got)
		}
		if n := b.count(`.field .field-error`); n != 1 {
			t.Fatalf("%d field errors shown, want only the city's", n)
		}
		for sel, want := range map[string]string{`#street`: "10 Downing Street", `#postcode`: "SW1A 2AA", `#country`: "United Kingdom", `#name`: "Ada Shopper"} {
			if got := b.value(sel); got != want {
				t.Fatalf("%s lost what was typed: %q, want %q", sel, got, want)
			}
		}
		if n := s.orderCount(); n != 0 {
			t.Fatalf("%d orders placed from an invalid form, want 0", n)
		}
		if got := s.product("SKU-6").Stock; got != skillet.Stock {
			t.Fatalf("stock changed to %d by an invalid checkout", got)
		}
	})

	b.step(t, "blank city counts as empty", func(t *testing.T, b *tab) {
		b.fill(`#city`, "   ")
		b.follow(`[data-testid="place-order"]`, `[data-testid="city-error"]`)
		if n := s.orderCount(); n != 0 {
			t.Fatalf("%d orders placed with a blank city, want 0", n)
		}
	})

	b.step(t, "fixing the city places the order", func(t *testing.T, b *tab) {
		b.fill(`#city`, "London")
		b.follow(`[data-testid="place-order"]`, `[data-testid="order-confirmed"]`)
		if got := b.text(`[data-testid="order"]`); !strings.Contains(got, "London") {
			t.Fatalf("confirmation %q does not ship to London", got)
		}
		if n := s.orderCount(); n != 1 {
			t.Fatalf("%d orders, want 1", n)
		}
	})

	b.step(t, "the next checkout fills in the address", func(t *testing.T, b *tab) {
		b.open(web.ProductURL(skillet), `[data-testid="add-to-cart"]`)
		b.follow(`[data-testid="add-to-cart"]`, `[data-testid="cart-total"]`)
		b.follow(`[data-testid="checkout"]`, `[data-testid="checkout-form"]`)
		for sel, want := range map[string]string{`#street`: "10 Downing Street", `#city`: "London", `#postcode`: "SW1A 2AA", `#country`: "United Kingdom", `#name`: "Ada Shopper"} {
			if got := b.value(sel); got != want {
				t.Fatalf("%s is %q on the second checkout, want the last order's %q", sel, got, want)
			}
		}
	})
}

// TestCheckoutOfAProductNoLongerSold: the merchant deactivates a product
// while it waits in a shopper's cart; placing the order is refused with
// "no longer sold" (it said "only 50 left in stock", the product's stock),
// and nothing is ordered. The page's "Change your cart" leads to the cart,
// where the product is removed (the message said "Remove it from your
// cart" and offered no way there but the header's cart link).
func TestCheckoutOfAProductNoLongerSold(t *testing.T) {
	t.Parallel()
	s := startShop(t)
	skillet := s.product("SKU-6")
	b := newBrowser(t, s)
	b.checkOut(skillet, "ada@example.com")
	must(t, s.db.W.Model(&models.Product{}).Where("id = ?", skillet.ID).Update("active", false).Error)
	b.fill(`#street`, "10 Downing Street", `#city`, "London", `#postcode`, "SW1A 2AA", `#country`, "United Kingdom")
	b.follow(`[data-testid="place-order"]`, `[data-testid="checkout-error"]`)
	want := `Sorry, "` + skillet.Title + `" is no longer sold. Remove it from your cart.`
	if got := b.text(`[data-testid="checkout-error"]`); got != want {
		t.Fatalf("checkout says %q, want %q", got, want)
	}
	if n := s.orderCount(); n != 0 {
		t.Fatalf("%d orders placed, want 0", n)
	}
	// The page leads to the cart, where the product is removed.
	b.follow(`[data-testid="fix-cart"]`, `[data-testid="cart-line"]`)
	b.follow(`[data-testid="remove"]`, `[data-testid="cart-empty"]`)
}

// TestACheckoutRefusedForStockIsPlacedFromTheFormItShows: the product sells
// out between the checkout page and the click; the page says so, and its
// form comes back with a new key, because the payment it authorized was
// voided and a provider answers the old key with that voided payment. Back
// in stock, placing the order from the page places it.
func TestACheckoutRefusedForStockIsPlacedFromTheFormItShows(t *testing.T) {
	t.Parallel()
	s := startShop(t)
	skillet := s.product("SKU-6")
	setStock := func(n int) {
		must(t, s.db.W.Model(&models.Product{}).Where("id = ?", skillet.ID).Update("stock", n).Error)
	}
	b := newBrowser(t, s)
	b.checkOut(skillet, "ada@example.com")
	b.fill(`#street`, "10 Downing Street", `#city`, "London", `#postcode`, "SW1A 2AA", `#country`, "United Kingdom")
	first := b.value(`input[name="idempotency_key"]`)

	setStock(0)
	b.follow(`[data-testid="place-order"]`, `[data-testid="checkout-error"]`)
	b.shotWidths("checkout-refused-for-stock")
	if got := b.text(`[data-testid="checkout-error"]`); !strings.Contains(got, "Cast Iron Skillet") {
		t.Fatalf("the refusal says %q", got)
	}
	if n := s.orderCount(); n != 0 {
		t.Fatalf("%d orders placed of a sold-out product", n)
	}
	if again := b.value(`input[name="idempotency_key"]`); again == "" || again == first {
		t.Fatalf("the form came back with the key %q, want a new one (it was %q)", again, first)
	}

	setStock(3)
	b.follow(`[data-testid="place-order"]`, `[data-testid="order-confirmed"]`)
	if n := s.orderCount(); n != 1 {
		t.Fatalf("%d orders, want 1", n)
	}
}

// TestACheckoutWhosePriceRoseShowsTheNewTotalBeforeCharging: the merchant
// raises a price between the checkout page and the click. The click places
// no order: the page comes back saying the cart changed, with the new total
// on its button, and placing the order from that page places it at the
// price shown. Before, the order was placed at the new price from the old
// page, its button still saying the old total.
func TestACheckoutWhosePriceRoseShowsTheNewTotalBeforeCharging(t *testing.T) {
	t.Parallel()
	s := startShop(t)
	skillet := s.product("SKU-6")
	b := newBrowser(t, s)
	b.checkOut(skillet, "ada@example.com")
	b.fill(`#street`, "10 Downing Street", `#city`, "London", `#postcode`, "SW1A 2AA", `#country`, "United Kingdom")
	shown := b.text(`[data-testid="place-order"]`)

	raised := skillet.PriceCents * 100
	must(t, s.db.W.Model(&models.Product{}).Where("id = ?", skillet.ID).Update("price_cents", raised).Error)
	b.follow(`[data-testid="place-order"]`, `[data-testid="checkout-error"]`)
	b.shotWidths("checkout-cart-changed")
	if got := b.text(`[data-testid="checkout-error"]`); !strings.Contains(got, "Your cart changed since this page was shown") {
		t.Fatalf("the refusal says %q", got)
	}
	if n := s.orderCount(); n != 0 {
		t.Fatalf("%d orders placed from a page that showed %q", n, shown)
	}
	if now := b.text(`[data-testid="place-order"]`); now == shown {
		t.Fatalf("the page after the refusal still says %q", now)
	}

	b.follow(`[data-testid="place-order"]`, `[data-testid="order-confirmed"]`)
	var orders []models.Order
	must(t, s.db.R.Find(&orders).Error)
	if len(orders) != 1 || orders[0].TotalCents != raised {
		t.Fatalf("orders %+v, want one at the total shown, %d cents", orders, raised)
	}
}
