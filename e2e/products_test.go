package e2e

import (
	"fmt"
	"regexp"
	"strconv"
	"testing"
)

// TestHeroSaleIsBackedByDiscountedProducts: the demo hero promises "up to
// N% off"; its cards are discounted products, its link opens the sale's
// campaign page, a product there really is N% off, and a sale product's
// page shows the regular price, the saving, its details. Card titles are
// shown whole.
func TestHeroSaleIsBackedByDiscountedProducts(t *testing.T) {
	t.Parallel()
	s := startWorld(t)
	b := newBrowser(t, s)
	var promised int
	b.step(t, "the hero promises a sale its cards show", func(t *testing.T, b *tab) {
		b.open("/", `section[data-slot-type="hero"]`)
		m := regexp.MustCompile(`Up to (\d+)% off`).FindStringSubmatch(b.text(`section[data-slot-type="hero"] .hero p`))
		if m == nil {
			t.Fatalf("hero subtitle %q promises no discount", b.text(`section[data-slot-type="hero"] .hero p`))
		}
		promised, _ = strconv.Atoi(m[1])
		cards := b.count(`section[data-slot-type="hero"] [data-testid="product-card"]`)
		onSale := b.count(`section[data-slot-type="hero"] [data-testid="product-card"] [data-testid="discount"]`)
		if cards == 0 || onSale != cards {
			t.Fatalf("%d of the hero's %d cards are discounted", onSale, cards)
		}
		// Card titles are whole: nothing is cut off.
		cut := eval[[]string](b, `Array.from(document.querySelectorAll(".card-title")).filter(e => e.scrollHeight > e.clientHeight + 1 || e.scrollWidth > e.clientWidth + 1).map(e => e.textContent)`)
		if len(cut) > 0 {
			t.Fatalf("card titles cut off: %q", cut)
		}
	})
	b.step(t, "the campaign the hero links to has a product that much off", func(t *testing.T, b *tab) {
		b.follow(`section[data-slot-type="hero"] a.button`, `[data-testid="product-card"]`)
		if b.path() != "/l/autumn-outdoors" {
			t.Fatalf("the hero links to %s, want the demo campaign", b.path())
		}
		found := false
		for _, d := range eval[[]string](b, `Array.from(document.querySelectorAll('[data-testid="discount"]'), e => e.textContent)`) {
			if d == fmt.Sprintf("-%d%%", promised) {
				found = true
			}
		}
		if !found {
			t.Fatalf("no product on the campaign page is %d%% off", promised)
		}
		b.shot("campaign-autumn-outdoors")
	})
	b.step(t, "a sale product's page", func(t *testing.T, b *tab) {
		b.follow(`[data-testid="product-card"]:has([data-testid="discount"]) a.card-link`, `[data-testid="product-title"]`)
		if b.count(`[data-testid="product-price"] [data-testid="compare-at"]`) != 1 || b.count(`[data-testid="saving"]`) != 1 {
			t.Fatal("the product page does not show the regular price and the saving")
		}
		if n := b.count(`[data-testid="product-details"] dt`); n < 3 {
			t.Fatalf("product details list %d facts", n)
		}
		b.shot("product-on-sale")
	})
}
