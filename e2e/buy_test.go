package e2e

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"storefront/models"
	"storefront/web"
)

// TestBuyFlow is a new shopper's first purchase: from the header's category
// nav to a product, two of it into the cart, registration on the way to
// checkout, the order placed and the stock gone down.
func TestBuyFlow(t *testing.T) {
	t.Parallel()
	s := startShop(t)
	b := newBrowser(t, s)
	tent := s.product("SKU-1") // 5 in stock, $199.99
	tentCard := fmt.Sprintf(`.grid [data-product-id="%d"] a.card-link`, tent.ID)

	b.step(t, "browse a category from the header", func(t *testing.T, b *tab) {
		b.open("/", `section[data-slot-type="hero"]`)
		b.follow(`nav.cat-nav a[href="/c/outdoor"]`, `[data-testid="filters"]`)
		if got := b.text("main h1"); got != "Outdoor" {
			t.Fatalf("category heading %q, want Outdoor", got)
		}
		if b.count(`[data-testid="subcategories"] a[href="/c/tents"]`) != 1 {
			t.Fatal("the Outdoor page does not offer its Tents subcategory")
		}
		// Outdoor lists its subcategories' products too.
		if got := b.text(`[data-testid="result-count"]`); got != "5 products" {
			t.Fatalf("result count %q, want 5 products", got)
		}
		if b.count(tentCard) != 1 {
			t.Fatalf("the tent is not listed under Outdoor")
		}
	})

	b.step(t, "open a product", func(t *testing.T, b *tab) {
		b.follow(tentCard, `[data-testid="product-title"]`)
		if got := b.text(`[data-testid="product-title"]`); got != tent.Title {
			t.Fatalf("product title %q, want %q", got, tent.Title)
		}
		if got := b.text(`[data-testid="product-price"]`); got != "$199.99" {
			t.Fatalf("price %q, want $199.99", got)
		}
		if got := b.text(`[data-testid="stock-count"]`); got != "5" {
			t.Fatalf("stock shown %q, want 5", got)
		}
		if got := b.path(); got != web.ProductURL(tent) {
			t.Fatalf("product address %q, want %q", got, web.ProductURL(tent))
		}
	})

	b.step(t, "add two to the cart", func(t *testing.T, b *tab) {
		b.fill(`#quantity`, "2")
		b.follow(`[data-testid="add-to-cart"]`, `[data-testid="cart-total"]`)
		if got := b.path(); got != "/cart" {
			t.Fatalf("after adding: on %q, want /cart", got)
		}
		if got := b.text(`[data-testid="flash"]`); !strings.Contains(got, tent.Title) {
			t.Fatalf("no confirmation naming the product, flash %q", got)
		}
		if got := b.value(`[data-testid="line-quantity"]`); got != "2" {
			t.Fatalf("cart quantity %q, want 2", got)
		}
		if got := b.text(`[data-testid="cart-total"]`); got != "$399.98" {
			t.Fatalf("cart total %q, want $399.98", got)
		}
		if got := b.text(`[data-testid="cart-count"]`); got != "2" {
			t.Fatalf("header cart badge %q, want 2", got)
		}
	})

	b.step(t, "checkout asks to log in, then register", func(t *testing.T, b *tab) {
		b.follow(`[data-testid="checkout"]`, `[data-testid="auth-form"]`)
		u, err := url.Parse(b.path())
		must(t, err)
		if u.Path != "/login" || u.Query().Get("next") != "/checkout" {
			t.Fatalf("checkout sent an anonymous visitor to %q, want /login?next=/checkout", u)
		}
		b.follow(`.auth a[href^="/register"]`, `#name`)
		if got := b.text("main h1"); got != "Create your account" {
			t.Fatalf("register heading %q", got)
		}
		b.fill(`#name`, "Grace Hopper", `#email`, "grace@example.com", `#password`, "violet kettle harbour 42")
		b.follow(`[data-testid="auth-submit"]`, `[data-testid="account-link"]`)
		if got := b.text(`[data-testid="account-link"]`); got != "Grace Hopper" {
			t.Fatalf("header shows %q, want the new shopper's name", got)
		}
		if got := b.text(`[data-testid="flash"]`); !strings.Contains(got, "Welcome") {
			t.Fatalf("no welcome after registering, flash %q", got)
		}
		// The anonymous cart now belongs to the account.
		if got := b.text(`[data-testid="cart-count"]`); got != "2" {
			t.Fatalf("cart badge after registering %q, want 2", got)
		}
		// Registering from the login page returns the shopper to checkout.
		if got := b.path(); got != "/checkout" {
			t.Fatalf("registration landed on %q, want /checkout", got)
		}
		b.do("wait for checkout", waitVisible(`[data-testid="checkout-form"]`))
	})

	b.step(t, "place the order", func(t *testing.T, b *tab) {
		if got := b.value(`[data-testid="field-name"]`); got != "Grace Hopper" {
			t.Fatalf("checkout name prefilled %q, want Grace Hopper", got)
		}
		if got := b.value(`[data-testid="field-email"]`); got != "grace@example.com" {
			t.Fatalf("checkout email prefilled %q, want grace@example.com", got)
		}
		if got := b.text(`[data-testid="place-order"]`); !strings.Contains(got, "$399.98") {
			t.Fatalf("pay button %q does not show $399.98", got)
		}
		b.fill(`#street`, "1 Harbour Road", `#city`, "Arlington", `#postcode`, "22201", `#country`, "USA")
		b.follow(`[data-testid="place-order"]`, `[data-testid="order-confirmed"]`)
		if !strings.HasPrefix(b.path(), "/orders/") {
			t.Fatalf("confirmation at %q, want /orders/…", b.path())
		}
		order := b.text(`[data-testid="order"]`)
		for _, want := range []string{"2 × " + tent.Title, "$399.98", "Arlington"} {
			if !strings.Contains(order, want) {
				t.Fatalf("confirmation %q lacks %q", order, want)
			}
		}
		if got := b.text(`[data-testid="cart-count"]`); got != "0" {
			t.Fatalf("cart badge after ordering %q, want 0", got)
		}
	})

	b.step(t, "orders lists the order", func(t *testing.T, b *tab) {
		b.follow(`.account-nav a[href="/orders"]`, `[data-testid="order"]`)
		if got := b.text("main h1"); got != "Your orders" {
			t.Fatalf("orders heading %q", got)
		}
		if n := b.count(`[data-testid="order"]`); n != 1 {
			t.Fatalf("%d orders listed, want 1", n)
		}
		if n := b.count(fmt.Sprintf(`[data-testid="order"] li[data-product-id="%d"]`, tent.ID)); n != 1 {
			t.Fatal("the order does not list the tent")
		}
	})

	b.step(t, "stock went down by two", func(t *testing.T, b *tab) {
		b.open(web.ProductURL(tent), `[data-testid="stock-count"]`)
		if got := b.text(`[data-testid="stock-count"]`); got != "3" {
			t.Fatalf("product page shows stock %q after buying 2 of 5, want 3", got)
		}
		if got := s.product("SKU-1").Stock; got != 3 {
			t.Fatalf("database stock %d, want 3", got)
		}
		orders, err := s.db.OrdersOf(context.Background(), shopperID(t, s, "grace@example.com"))
		must(t, err)
		if len(orders) != 1 || orders[0].TotalCents != 39998 || orders[0].Status != models.OrderPaid {
			t.Fatalf("orders in the database: %+v, want one paid order of 39998 cents", orders)
		}
	})
}

// shopperID finds a shopper's id by email.
func shopperID(t testing.TB, s *shop, email string) uint {
	t.Helper()
	var id uint
	must(t, s.db.R.Model(&models.Shopper{}).Where("email = ?", email).Pluck("id", &id).Error)
	if id == 0 {
		t.Fatalf("no shopper %s", email)
	}
	return id
}
