package e2e

import (
	"strings"
	"testing"

	"storefront/models"
	"storefront/web"
)

// A merchant's own catalog holds what the demo world never has: free
// products (an import takes a price of 0), products without a brand, long
// supplier titles. These tests walk such a shop as its shoppers and staff.

// TestAFreeProductIsOrdered: a shopper orders a free product (a sticker
// pack the catalog prices at 0): checkout asks for no payment, the order is
// placed at 0 and the stock falls.
func TestAFreeProductIsOrdered(t *testing.T) {
	t.Parallel()
	s := startShop(t)
	must(t, s.db.W.Model(&models.Product{}).Where("external_id = ?", "SKU-10").Update("price_cents", 0).Error)
	free := s.product("SKU-10")
	b := newBrowser(t, s)

	b.step(t, "reach checkout with the free product", func(t *testing.T, b *tab) {
		b.open(web.ProductURL(free), `[data-testid="add-to-cart"]`)
		b.follow(`[data-testid="add-to-cart"]`, `[data-testid="cart-total"]`)
		b.follow(`[data-testid="checkout"]`, `[data-testid="auth-form"]`)
		b.logIn("ada@example.com", testPassword)
		b.do("checkout form", waitVisible(`[data-testid="checkout-form"]`))
		if got := b.text(`[data-testid="place-order"]`); got != "Place order" {
			t.Fatalf("the button of a free order reads %q", got)
		}
	})

	b.step(t, "the order is placed", func(t *testing.T, b *tab) {
		b.fill(`#street`, "Straße des 17. Juni 135", `#city`, "Berlin", `#postcode`, "10623", `#country`, "Germany")
		b.follow(`[data-testid="place-order"]`, `[data-testid="order-confirmed"]`)
		if got := b.text(`[data-testid="order"]`); !strings.Contains(got, "Berlin") || !strings.Contains(got, "$0.00") {
			t.Fatalf("confirmation %q", got)
		}
		if n := s.orderCount(); n != 1 {
			t.Fatalf("%d orders, want 1", n)
		}
		if got := s.product("SKU-10").Stock; got != free.Stock-1 {
			t.Fatalf("stock %d after the order, want %d", got, free.Stock-1)
		}
	})
}
