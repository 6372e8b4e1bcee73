package web

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"storefront/models"
)

// TestPreparedProductPagesAreTheFirstViewsAndFollowTheCatalog checks that
// a product page prepared before anyone viewed it is the page a first view
// renders, layout included, and is served as it was kept; and that a price
// change, a stock change, a sell-out and hiding a product show on the next
// view of prepared pages, prepared again after each change or not.
func TestPreparedProductPagesAreTheFirstViewsAndFollowTheCatalog(t *testing.T) {
	shop := mustOpenShop(t)
	ctx := context.Background()
	trainShop(t, shop)
	srv := shop.srv
	tent, other := shop.product("SKU-1"), shop.product("SKU-2")
	visitor := shop.newClient()
	page := func(path string) (string, *goquery.Document) {
		t.Helper()
		res, doc := visitor.get(path)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", path, res.StatusCode)
		}
		html, err := doc.Html()
		must(t, err)
		return html, doc
	}
	entry := func(p *models.Product) *bodyEntry { return srv.bodies.entry("p" + utoa(p.ID) + "|") }
	forget := srv.bodies.clear
	prepare := func() {
		t.Helper()
		srv.prepareProductPagesOnce(ctx, preparedFor{})
		for _, p := range []*models.Product{tent, other} {
			if e := entry(p); e == nil || e.body.plain.Load() == nil {
				t.Fatalf("%s: no page prepared, or without its layout", p.ExternalID)
			}
		}
	}

	page("/") // the visitor's cookies, as a browser arriving has them
	tentFirst, _ := page(productPath(tent))
	otherFirst, doc := page(productPath(other))
	if !slices.Contains(cardIDs(doc, "main"), utoa(tent.ID)) {
		t.Fatal("the other tent's page does not show the tent in its rows")
	}
	forget()
	prepare()
	kept, layout := entry(tent), entry(tent).body.plain.Load()
	if got, _ := page(productPath(tent)); got != tentFirst {
		t.Fatalf("the prepared page differs from the first view:\n%s\n---\n%s", got, tentFirst)
	}
	if got, _ := page(productPath(other)); got != otherFirst {
		t.Fatal("the other tent's prepared page differs from its first view")
	}
	if entry(tent) != kept || entry(tent).body.plain.Load() != layout {
		t.Fatal("the prepared page or its layout was built again at its first view")
	}

	change := func(what string, value any) {
		t.Helper()
		must(t, shop.db.W.Model(&models.Product{}).Where("id = ?", tent.ID).Update(what, value).Error)
		must(t, srv.shop.ProductsChanged(ctx, tent.ID))
	}
	price := func() string {
		_, doc := page(productPath(tent))
		return strings.TrimSpace(doc.Find(`[data-testid="product-price"]`).Text())
	}
	stock := func() string {
		_, doc := page(productPath(tent))
		return strings.TrimSpace(doc.Find(`[data-testid="stock"]`).Text())
	}
	before := price()
	change("price_cents", 17777)
	if got := price(); got == before || !strings.Contains(got, "177.77") {
		t.Fatalf("after a price change the prepared page says %q (before %q)", got, before)
	}
	prepare()
	if got := price(); !strings.Contains(got, "177.77") {
		t.Fatalf("prepared again after a price change, the page says %q", got)
	}

	change("stock", 2)
	if got := stock(); !strings.Contains(got, "Only 2 left") {
		t.Fatalf("after a stock change the prepared page says %q", got)
	}
	prepare()
	if got := stock(); !strings.Contains(got, "Only 2 left") {
		t.Fatalf("prepared again after a stock change, the page says %q", got)
	}

	change("stock", 0)
	if got := stock(); !strings.Contains(got, "Out of stock") {
		t.Fatalf("after a sell-out the prepared page says %q", got)
	}
	srv.prepareProductPagesOnce(ctx, preparedFor{})
	if _, doc := page(productPath(other)); slices.Contains(cardIDs(doc, "main"), utoa(tent.ID)) {
		t.Fatal("the other tent's prepared page still recommends the sold-out tent")
	}

	change("stock", 4)
	change("active", false)
	srv.prepareProductPagesOnce(ctx, preparedFor{})
	if got := stock(); !strings.Contains(got, "No longer available") {
		t.Fatalf("after the tent was hidden its page says %q", got)
	}
	if _, doc := page(productPath(other)); slices.Contains(cardIDs(doc, "main"), utoa(tent.ID)) {
		t.Fatal("the other tent's prepared page still recommends the hidden tent")
	}
}
