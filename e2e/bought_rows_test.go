package e2e

import (
	"fmt"
	"testing"

	"storefront/web"
)

// TestAProductPageLeavesOutWhatTheShopperBought: a shopper buys the ridge
// tent through the checkout from the alpine tent's "similar items" row; back
// on the alpine tent's page, the row no longer offers the tent they bought
// and still offers the rest.
func TestAProductPageLeavesOutWhatTheShopperBought(t *testing.T) {
	t.Parallel()
	s := startShop(t)
	b := newBrowser(t, s)
	tent, ridge := s.product("SKU-1"), s.product("SKU-2")
	inRows := func(b *tab, id uint) int {
		return b.count(fmt.Sprintf(`[data-testid="similar"] [data-product-id="%d"], [data-testid="also-bought"] [data-product-id="%d"]`, id, id))
	}
	var before int

	b.step(t, "log in and open the alpine tent", func(t *testing.T, b *tab) {
		b.open("/login", `#email`)
		b.logIn("ada@example.com", testPassword)
		b.open(web.ProductURL(tent), `[data-testid="similar"]`)
		if inRows(b, ridge.ID) != 1 {
			t.Fatal("the alpine tent's similar items do not offer the ridge tent")
		}
		before = b.count(`[data-testid="similar"] [data-product-id]`)
	})

	b.step(t, "buy the ridge tent from the row", func(t *testing.T, b *tab) {
		b.follow(fmt.Sprintf(`[data-testid="similar"] [data-product-id="%d"] a.card-link`, ridge.ID), `[data-testid="add-to-cart"]`)
		b.follow(`[data-testid="add-to-cart"]`, `[data-testid="cart-total"]`)
		b.follow(`[data-testid="checkout"]`, `[data-testid="checkout-form"]`)
		b.fill(`#street`, "1 Harbour Road", `#city`, "Arlington", `#postcode`, "22201", `#country`, "USA")
		b.follow(`[data-testid="place-order"]`, `[data-testid="order-confirmed"]`)
	})

	b.step(t, "the alpine tent's page no longer offers it", func(t *testing.T, b *tab) {
		b.open(web.ProductURL(tent), `[data-testid="similar"]`)
		if inRows(b, ridge.ID) != 0 {
			t.Fatal("the alpine tent's page recommends the ridge tent the shopper just bought")
		}
		if got := b.count(`[data-testid="similar"] [data-product-id]`); got != before-1 {
			t.Fatalf("similar items show %d products after the purchase, want the other %d", got, before-1)
		}
	})
}
