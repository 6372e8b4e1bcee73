package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"storefront/models"
	"storefront/web"
)

// TestASoldOutSizeLeadsToTheSizesInStock: an imported shirt is one SKU per
// size (group_id). A shopper lands on the size that sold out: the page lists
// the model's sizes by what their titles add ("S", "M", "L"), marks its own
// and the sold-out one, and the size in stock is one click away and goes in
// the cart. Before, the page said "Out of stock" and offered no way to the
// other sizes (rows of recommendations leave out the page's own group).
func TestASoldOutSizeLeadsToTheSizesInStock(t *testing.T) {
	t.Parallel()
	s := startShop(t, func(db *models.DB) {
		var cat models.Category
		must(t, db.W.Where("slug = ?", "outdoor").First(&cat).Error)
		for i, size := range []string{"S", "M", "L"} {
			stock := []int{3, 2, 0}[i]
			must(t, db.W.Create(&models.Product{ExternalID: "JKT-" + size, Slug: "rain-jacket-size-" + strings.ToLower(size),
				Title: "Rain Jacket – size " + size, Brand: "Summit", CategoryID: cat.ID, PriceCents: 8900, Stock: stock,
				Active: true, GroupID: "JKT", Description: "Taped seams."}).Error)
		}
	})
	b := newBrowser(t, s)
	src := axeSource(t)
	b.step(t, "the sold-out size lists the sizes", func(t *testing.T, b *tab) {
		b.open(web.ProductURL(s.product("JKT-L")), `[data-testid="options"]`)
		if got := b.text(`[data-testid="stock"]`); got != "Out of stock" {
			t.Fatalf("stock %q", got)
		}
		if got := b.text(`[data-testid="options"] ul`); strings.Join(strings.Fields(got), " ") != "S M L sold out" {
			t.Errorf("options read %q, want S M L (sold out)", got)
		}
		if got := b.text(`[data-testid="options"] [aria-current="page"]`); !strings.HasPrefix(got, "L") {
			t.Errorf("the current option reads %q, want L", got)
		}
		if n := b.count(`[data-testid="options"] a`); n != 2 {
			t.Errorf("%d options are links, want the 2 other sizes", n)
		}
		for _, width := range []int64{1280, phoneWidth} {
			b.do("viewport", chromedp.EmulateViewport(width, 900))
			for _, v := range b.axe(src, "sold-out size") {
				t.Errorf("at %d px: %s (%s): %s\n  %s", width, v.ID, v.Impact, v.Help, strings.Join(v.Nodes, "\n  "))
			}
		}
	})
	b.step(t, "the size in stock goes in the cart", func(t *testing.T, b *tab) {
		m := s.product("JKT-M")
		b.follow(`[data-testid="options"] a[href="`+web.ProductURL(m)+`"]`, `[data-testid="add-to-cart"]`)
		if got := b.text(`[data-testid="product-title"]`); got != "Rain Jacket – size M" {
			t.Fatalf("the option led to %q", got)
		}
		b.follow(`[data-testid="add-to-cart"]`, `[data-testid="cart-line"]`)
		if got := b.text(`[data-testid="cart-line"]`); !strings.Contains(got, "size M") {
			t.Errorf("the cart holds %q", got)
		}
	})
}
