package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"storefront/models"
	"storefront/web"
)

// TestAShopperPicksAColourThenASize: an imported shirt is one SKU per
// colour and size. On "Red – S" the page offers a row of colours and a row
// of sizes; the shopper picks Navy (the size stays S), then L (the colour
// stays Navy), and that shirt goes in the cart. The sold-out size is a
// link that says so; the rows pass axe at desktop and phone widths.
func TestAShopperPicksAColourThenASize(t *testing.T) {
	t.Parallel()
	s := startShop(t, func(db *models.DB) {
		var cat models.Category
		must(t, db.W.Where("slug = ?", "outdoor").First(&cat).Error)
		for _, colour := range []string{"Red", "Navy"} {
			for _, size := range []string{"S", "M", "L"} {
				stock := 4
				if colour == "Red" && size == "M" {
					stock = 0
				}
				must(t, db.W.Create(&models.Product{ExternalID: "TEE-" + colour + "-" + size,
					Slug:  strings.ToLower("trail-tee-" + colour + "-" + size),
					Title: "Trail Tee – " + colour + " – " + size, Brand: "Summit", CategoryID: cat.ID, PriceCents: 2900,
					Stock: stock, Active: true, GroupID: "TEE", Description: "Quick-dry."}).Error)
			}
		}
	})
	b := newBrowser(t, s)
	src := axeSource(t)
	b.step(t, "a row of colours and a row of sizes", func(t *testing.T, b *tab) {
		b.open(web.ProductURL(s.product("TEE-Red-S")), `[data-testid="options"]`)
		if got := b.text(`[data-testid="options"]`); strings.Join(strings.Fields(got), " ") != "Colour Red Navy Size S M sold out L" {
			t.Errorf("options read %q", got)
		}
		if n := b.count(`[data-testid="options"] [aria-current="page"]`); n != 2 {
			t.Errorf("%d current values, want Red and S", n)
		}
		if got := b.text(`[data-testid="options"] a[href="` + web.ProductURL(s.product("TEE-Red-M")) + `"]`); !strings.Contains(got, "sold out") {
			t.Errorf("the sold-out size's link reads %q", got)
		}
		for _, width := range []int64{1280, phoneWidth} {
			b.do("viewport", chromedp.EmulateViewport(width, 900))
			for _, v := range b.axe(src, "option grid") {
				t.Errorf("at %d px: %s (%s): %s\n  %s", width, v.ID, v.Impact, v.Help, strings.Join(v.Nodes, "\n  "))
			}
		}
	})
	b.step(t, "a colour keeps the size, a size keeps the colour", func(t *testing.T, b *tab) {
		b.follow(`[data-testid="options"] a[href="`+web.ProductURL(s.product("TEE-Navy-S"))+`"]`, `[data-testid="add-to-cart"]`)
		if got := b.text(`[data-testid="product-title"]`); got != "Trail Tee – Navy – S" {
			t.Fatalf("Navy led to %q", got)
		}
		b.follow(`[data-testid="options"] a[href="`+web.ProductURL(s.product("TEE-Navy-L"))+`"]`, `[data-testid="add-to-cart"]`)
		if got := b.text(`[data-testid="product-title"]`); got != "Trail Tee – Navy – L" {
			t.Fatalf("L led to %q", got)
		}
		b.follow(`[data-testid="add-to-cart"]`, `[data-testid="cart-line"]`)
		if got := b.text(`[data-testid="cart-line"]`); !strings.Contains(got, "Navy – L") {
			t.Errorf("the cart holds %q", got)
		}
	})
}
