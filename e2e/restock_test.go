package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestAProductRestockedInTheCatalogFormIsBackOnTheHomepage: a merchant's
// best seller sells out (stock 0 saved in the admin's catalog form) and is
// restocked in the same form. The shopper then finds it again in the
// homepage's rows, on its category page and in search, in stock, and puts
// it in the cart. The form's restock was patched into the shop without
// putting the product back into the lists of products in stock: the
// homepage's rows (filled from them before a model is trained) left it
// out until something other than stock changed.
func TestAProductRestockedInTheCatalogFormIsBackOnTheHomepage(t *testing.T) {
	t.Parallel()
	s := startShop(t)
	skillet := s.product("SKU-6")
	row := fmt.Sprintf(`[data-testid="catalog-row"][data-product-id="%d"]`, skillet.ID)
	card := fmt.Sprintf(`[data-product-id="%d"]`, skillet.ID)
	b := newAdmin(t, s)
	shopper := b.incognito()
	saveStock := func(t *testing.T, n int) {
		t.Helper()
		b.open("/admin/catalog?q=SKU-6", row)
		b.fill(row+` input[name="stock"]`, fmt.Sprint(n))
		b.follow(row+` [data-testid="save-product"]`, `[data-testid="catalog"]`)
		if got := b.text(`[data-testid="flash"]`); !strings.Contains(got, "Saved") {
			t.Fatalf("no confirmation, flash %q\n%s", got, b.where())
		}
		if got := s.product("SKU-6").Stock; got != n {
			t.Fatalf("saved stock %d, want %d", got, n)
		}
	}
	onHome := func(shopper *tab) bool {
		shopper.open("/", `section[data-slot-id]`)
		return shopper.count(`section[data-slot-id] `+card) > 0
	}
	if !onHome(shopper) {
		t.Fatal("the best seller is not on the homepage to begin with")
	}

	b.step(t, "sold out in the catalog form", func(t *testing.T, b *tab) {
		saveStock(t, 0)
		eventually(t, 8*time.Second, func() string {
			if onHome(shopper.on(t)) {
				return "the homepage's rows still show the sold-out skillet"
			}
			return ""
		})
	})

	b.step(t, "restocked in the catalog form", func(t *testing.T, b *tab) {
		saveStock(t, 8)
		eventually(t, 8*time.Second, func() string {
			if !onHome(shopper.on(t)) {
				return "the homepage's rows miss the restocked skillet"
			}
			return ""
		})
		shopper := shopper.on(t)
		shopper.shotWidths("restocked-home")
		for _, path := range []string{"/c/kitchen", "/search?q=skillet"} {
			shopper.open(path, card)
			if got := shopper.text(card); strings.Contains(got, "Out of stock") {
				t.Fatalf("%s shows the restocked skillet as %q", path, got)
			}
		}
	})

	b.step(t, "the shopper puts it in the cart", func(t *testing.T, b *tab) {
		shopper := shopper.on(t)
		shopper.open("/", `section[data-slot-id] `+card)
		shopper.follow(`section[data-slot-id] `+card+` a.card-link`, `[data-testid="add-to-cart"]`)
		shopper.follow(`[data-testid="add-to-cart"]`, `[data-testid="cart-line"]`)
		if got := shopper.text(fmt.Sprintf(`[data-testid="cart-line"][data-product-id="%d"]`, skillet.ID)); !strings.Contains(got, "Cast Iron Skillet") || strings.Contains(got, "Sold out") {
			t.Fatalf("the cart's line reads %q", got)
		}
	})
}
