package e2e

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"storefront/models"
	"storefront/templates"
)

// TestAPinOutsideTheSlotsFilters: a merchandiser pins a product of another
// category into a row filtered to one category and a price range; the form
// refuses it and names the filter. A product that meets them is pinned and
// leads the row for shoppers until the catalog form raises its price above
// the range: then the row no longer pins it, and the publish check says why.
func TestAPinOutsideTheSlotsFilters(t *testing.T) {
	t.Parallel()
	s := startWorld(t)
	ctx := context.Background()
	// The row: the least popular in-stock products of the largest leaf
	// category, at most 1.5 times the pinned product's price.
	var inside models.Product
	must(t, s.db.R.Where("active AND stock > 0 AND compare_at_cents = 0 AND category_id = (SELECT category_id FROM products WHERE active AND stock > 0 GROUP BY category_id ORDER BY COUNT(*) DESC, category_id LIMIT 1)").
		Order("popularity, id").First(&inside).Error)
	var cat models.Category
	must(t, s.db.R.First(&cat, inside.CategoryID).Error)
	var outside models.Product
	must(t, s.db.R.Where("active AND stock > 0 AND category_id <> ?", inside.CategoryID).Order("id").First(&outside).Error)
	var outsideCat models.Category
	must(t, s.db.R.First(&outsideCat, outside.CategoryID).Error)
	maxCents := inside.PriceCents * 3 / 2
	maxPrice := fmt.Sprintf("%d.%02d", maxCents/100, maxCents%100)
	trending := s.draftSlotIDs()[models.SlotTrending]
	slotID, err := strconv.ParseUint(trending, 10, 32)
	must(t, err)
	b := newBrowser(t, s)

	b.step(t, "a list of more SKUs than a slot holds is refused with its count", func(t *testing.T, b *tab) {
		b.adminLogIn()
		b.open("/admin/layout/slots/"+trending+"/edit", `[data-testid="slot-form"]`)
		many := make([]string, models.MaxSlotProducts+1)
		for i := range many {
			many[i] = fmt.Sprintf("NO-SUCH-%d", i)
		}
		b.do("paste the SKUs", chromedpSetValue(`#f-pins`, strings.Join(many, ",")))
		b.follow(`[data-testid="save-slot"]`, `[data-testid="pins-error"]`)
		want := fmt.Sprintf("List at most %d SKUs; this list has %d.", models.MaxSlotProducts, len(many))
		if got := b.text(`[data-testid="pins-error"]`); got != want {
			t.Fatalf("the pins error reads %q (%d bytes), want %q", got[:min(len(got), 200)], len(got), want)
		}
	})

	b.step(t, "a pin of another category is refused, naming the filter", func(t *testing.T, b *tab) {
		b.open("/admin/layout/slots/"+trending+"/edit", `[data-testid="slot-form"]`)
		b.do("choose the category", chromedpSetValue(`#f-category`, cat.Slug))
		b.fill(`input[name="max_price"]`, maxPrice, `#f-pins`, outside.ExternalID)
		b.follow(`[data-testid="save-slot"]`, `[data-testid="pins-error"]`)
		b.shotWidths("admin-slot-pin-refused")
		want := fmt.Sprintf("%s (%s) is in %s, outside the slot's category %s", outside.ExternalID, outside.Title, outsideCat.Name, cat.Name)
		if got := b.text(`[data-testid="pins-error"]`); !strings.Contains(got, want) {
			t.Fatalf("the pins error reads %q, want %q", got, want)
		}
		sl, err := s.db.SlotByID(ctx, uint(slotID))
		must(t, err)
		if sl.Pins != "" || sl.Category != "" {
			t.Fatalf("the refused form was saved: pins %q, category %q", sl.Pins, sl.Category)
		}
	})

	b.step(t, "a pin that meets the filters is saved and leads the row", func(t *testing.T, b *tab) {
		b.fill(`#f-pins`, inside.ExternalID)
		b.follow(`[data-testid="save-slot"]`, `[data-testid="layout-list"]`)
		sl, err := s.db.SlotByID(ctx, uint(slotID))
		must(t, err)
		if sl.Pins != inside.ExternalID || sl.Category != cat.Slug || sl.MaxPrice != maxCents {
			t.Fatalf("stored pins %q, category %q, max %d", sl.Pins, sl.Category, sl.MaxPrice)
		}
		b.publishDraft()
		shopper := b.incognito()
		eventually(t, 8*time.Second, func() string {
			shopper.open("/", `section[data-slot-id]`)
			cards := shopper.attrs(`section[data-slot-id="`+trending+`"] [data-product-id]`, "data-product-id")
			if len(cards) == 0 || cards[0] != fmt.Sprint(inside.ID) {
				return fmt.Sprintf("the row's cards are %v, want the pinned %d first", cards, inside.ID)
			}
			return ""
		})
	})

	b.step(t, "a new price above the range drops the pin", func(t *testing.T, b *tab) {
		row := `[data-testid="catalog-row"][data-product-id="` + fmt.Sprint(inside.ID) + `"]`
		high := maxCents * 2
		b.open("/admin/catalog?q="+inside.ExternalID, row)
		b.fill(row+` input[name="price"]`, fmt.Sprintf("%d.%02d", high/100, high%100))
		b.follow(row+` [data-testid="save-product"]`, `[data-testid="confirm-price"]`)
		b.follow(`[data-testid="confirm-price-save"]`, `[data-testid="flash"]`)
		if got := s.product(inside.ExternalID).PriceCents; got != high {
			t.Fatalf("the price is %d cents, want %d", got, high)
		}
		shopper := b.incognito()
		eventually(t, 8*time.Second, func() string {
			shopper.open("/", `section[data-slot-id]`)
			sel := `section[data-slot-id="` + trending + `"]`
			if text := shopper.text(sel); strings.Contains(text, "Pinned by our team") {
				return "the row still pins the product above its price range: " + text
			}
			return ""
		})
		b.open("/admin/layout", `[data-testid="layout-list"]`)
		b.follow(`[data-testid="publish"]`, `[data-testid="confirm-publish"]`)
		// Written as the shop writes prices (the default: $1,234.56).
		want := fmt.Sprintf("%s (costs %s, above the slot's maximum price %s)", inside.ExternalID,
			templates.DefaultMoney.Format(high), templates.DefaultMoney.Format(maxCents))
		if got := b.text(`[data-testid="health"]`); !strings.Contains(got, want) {
			t.Fatalf("the publish check reads %q, want %q", got, want)
		}
	})
}

// TestPublishCheckNamesThePinsThatTakeARowsProducts: a merchandiser pins
// the shop's best sellers into a new collection with the slot form; the
// publish check then says the best sellers row loses its products to that
// collection's pins and advises pinning fewer there, and does not say the
// hero, filled before every row, loses its products to rows after it.
func TestPublishCheckNamesThePinsThatTakeARowsProducts(t *testing.T) {
	t.Parallel()
	s := startWorld(t)
	var top []models.Product
	must(t, s.db.R.Where("active AND stock > 0").Order("popularity DESC, id").Limit(16).Find(&top).Error)
	skus := make([]string, len(top))
	for i, p := range top {
		skus[i] = p.ExternalID
	}
	b := newBrowser(t, s)

	b.step(t, "pin the best sellers into a new collection", func(t *testing.T, b *tab) {
		b.adminLogIn()
		b.follow(`[data-testid="add-slot"]`, `[data-testid="slot-form"]`)
		b.do("choose the type", chromedpSetValue(`#f-type`, models.SlotCollection))
		b.fill(`#f-title`, "Staff favourites", `#f-size`, "16", `#f-pins`, strings.Join(skus, ","))
		b.follow(`[data-testid="save-slot"]`, `[data-testid="layout-list"]`)
	})

	b.step(t, "the publish check names the collection's pins", func(t *testing.T, b *tab) {
		b.follow(`[data-testid="publish"]`, `[data-testid="confirm-publish"]`)
		b.shotWidths("admin-publish-pins-take-products")
		var best string
		for _, issue := range eval[[]string](b, `Array.from(document.querySelectorAll('[data-testid="health-issue"]'), e => e.innerText)`) {
			if strings.HasPrefix(issue, "Best sellers:") && strings.Contains(issue, "already shown by") {
				best = issue
			}
			// The hero is filled first and shows its own pins: rows filled
			// after it take nothing from it.
			if strings.HasPrefix(issue, "Autumn Outdoor Sale:") && strings.Contains(issue, "already shown by") {
				t.Errorf("the hero is said to lose its products: %q", issue)
			}
		}
		if !strings.Contains(best, "pinned in “Staff favourites”") || !strings.Contains(best, "pin fewer there") {
			t.Fatalf("the check on Best sellers reads %q; all: %q", best, b.text(`[data-testid="health"]`))
		}
	})
}
