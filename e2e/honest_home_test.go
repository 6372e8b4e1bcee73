package e2e

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"storefront/models"
)

// TestAShopWithoutSalesClaimsNoPopularity: a merchant imports a catalog of
// products made two years ago and nothing has sold yet. The default
// homepage showed a new visitor a hero of "Our most popular picks", rows
// headed "Best sellers", "Trending now" and "New arrivals", every card
// saying "From our range". Now every heading says only what is true: the
// hero offers picks from the department's range, one row is headed "From
// our range", no row repeats another's heading, and every product in
// stock is still on the page. Once a product sells, "Best sellers" is
// back.
func TestAShopWithoutSalesClaimsNoPopularity(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := startShop(t, func(db *models.DB) {
		old := time.Now().AddDate(-2, 0, 0)
		must(t, db.W.Model(&models.Product{}).Where("1 = 1").Updates(map[string]any{"popularity": 0, "created_at": old}).Error)
		// The shop's homepage is the one an import publishes.
		must(t, db.W.Where("1 = 1").Delete(&models.Slot{}).Error)
		must(t, db.W.Where("1 = 1").Delete(&models.LayoutVersion{}).Error)
		must(t, db.W.Model(&models.Page{}).Where("key = ?", models.HomePage).Update("published_version_id", nil).Error)
		published, err := db.EnsureDefaultHomepage(ctx)
		must(t, err)
		if !published {
			t.Fatal("no default homepage published")
		}
	})
	b := newBrowser(t, s)
	claims := func(text string) bool {
		t := strings.ToLower(text)
		return strings.Contains(t, "popular") || strings.Contains(t, "best seller") || strings.Contains(t, "trending") || strings.Contains(t, "new arrival")
	}

	b.step(t, "a new visitor's homepage claims no sales", func(t *testing.T, b *tab) {
		b.open("/", `section[data-slot-id]`)
		if got := b.text(`.hero p`); got != "Picks from our Outdoor range." {
			t.Errorf("the hero says %q", got)
		}
		texts := eval[[]string](b, `Array.from(document.querySelectorAll("main h1, main h2, main .hero p, main [data-testid=row-reason], main [data-testid=reason]"), e => e.textContent.trim())`)
		for _, w := range texts {
			if claims(w) {
				t.Errorf("the page says %q of products nobody bought (all: %q)", w, texts)
			}
		}
		headings := eval[[]string](b, `Array.from(document.querySelectorAll("main h2"), e => e.textContent.trim())`)
		if !slices.Contains(headings, "From our range") {
			t.Errorf("headings %q, want a row From our range", headings)
		}
		sorted := slices.Clone(headings)
		slices.Sort(sorted)
		if len(slices.Compact(sorted)) != len(headings) {
			t.Errorf("two rows headed alike: %q", headings)
		}
		shown := b.attrs(`main [data-product-id]`, "data-product-id")
		var inStock int64
		must(t, s.db.W.Model(&models.Product{}).Where("stock > 0 AND active = ?", true).Count(&inStock).Error)
		if int64(len(shown)) != inStock {
			t.Errorf("the page shows %d products, the shop has %d in stock", len(shown), inStock)
		}
	})

	b.step(t, "once a product sells, Best sellers is back", func(t *testing.T, b *tab) {
		must(t, s.db.W.Model(&models.Product{}).Where("external_id = ?", "SKU-9").Update("popularity", 3).Error)
		must(t, s.srv.Shop().RefreshCatalog(ctx, true))
		hose := s.product("SKU-9")
		visitor := b.incognito()
		eventually(t, 70*time.Second, func() string {
			visitor.open("/", `section[data-slot-id]`)
			headings := eval[[]string](visitor, `Array.from(document.querySelectorAll("main h2"), e => e.textContent.trim())`)
			cards := visitor.attrs(`section[data-slot-type="popular"] [data-product-id]`, "data-product-id")
			if !slices.Contains(headings, "Best sellers") || len(cards) == 0 || cards[0] != fmt.Sprint(hose.ID) {
				return fmt.Sprintf("headings %q, best sellers %v; want Best sellers led by %d", headings, cards, hose.ID)
			}
			return ""
		})
	})
}
