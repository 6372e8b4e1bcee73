package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"storefront/models"
)

// TestASizeSoldOutInTheCartOffersTheOthers: a size that sells out between
// the add and the checkout is "Sold out" in the cart (not "no longer
// available": the shop still sells it), with links to the sizes of the
// same model in stock; a line on sale shows its regular price struck
// through; and the checkout names every line in the way at once.
func TestASizeSoldOutInTheCartOffersTheOthers(t *testing.T) {
	shop := mustOpenShop(t)
	ctx := context.Background()
	sizes := map[string]string{"SKU-H1": "Ridge Daypack – S", "SKU-H2": "Ridge Daypack – M", "SKU-H3": "Ridge Daypack – L"}
	for ext, title := range sizes {
		must(t, shop.db.W.Model(&models.Product{}).Where("external_id = ?", ext).
			Updates(map[string]any{"title": title, "group_id": "DAYPACK"}).Error)
	}
	must(t, shop.srv.shop.RefreshCatalog(ctx, true))
	small, tent, skillet := shop.product("SKU-H1"), shop.product("SKU-1"), shop.product("SKU-3")
	c := shop.newClient()
	if res := c.post("/login", "/login", url.Values{"email": {"ada@example.com"}, "password": {testPassword}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("login %d", res.StatusCode)
	}
	for _, p := range []*models.Product{small, tent, skillet} {
		if res := c.post(productPath(p), "/cart/add", url.Values{"product_id": {utoa(p.ID)}, "quantity": {"2"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("add %s: %d", p.ExternalID, res.StatusCode)
		}
	}
	// Size S sells out, the tent is down to one, the skillet goes on sale.
	must(t, shop.db.W.Model(&models.Product{}).Where("id = ?", small.ID).Update("stock", 0).Error)
	must(t, shop.db.W.Model(&models.Product{}).Where("id = ?", tent.ID).Update("stock", 1).Error)
	must(t, shop.db.W.Model(&models.Product{}).Where("id = ?", skillet.ID).Updates(map[string]any{"price_cents": 2999, "compare_at_cents": 3999}).Error)
	must(t, shop.srv.shop.RefreshCatalog(ctx, true))

	_, doc := c.get("/cart")
	line := doc.Find(`[data-testid="cart-line"][data-product-id="` + utoa(small.ID) + `"]`)
	if got := strings.TrimSpace(line.Find(`[data-testid="line-sold-out"]`).Text()); got != "Sold out" {
		t.Errorf("the sold-out size says %q, want Sold out (%q)", got, strings.Join(strings.Fields(line.Text()), " "))
	}
	var others []string
	line.Find(`[data-testid="line-others"] a`).Each(func(_ int, a *goquery.Selection) {
		others = append(others, strings.TrimSpace(a.Text())+" "+a.AttrOr("href", ""))
	})
	want := []string{"M " + productPath(shop.product("SKU-H2")), "L " + productPath(shop.product("SKU-H3"))}
	if strings.Join(others, "|") != strings.Join(want, "|") {
		t.Errorf("the sold-out size offers %q, want %q", others, want)
	}
	sale := doc.Find(`[data-testid="cart-line"][data-product-id="` + utoa(skillet.ID) + `"]`)
	if got := strings.TrimSpace(sale.Find(`[data-testid="compare-at"]`).Text()); !strings.Contains(got, "39.99") {
		t.Errorf("the line on sale shows no regular price (%q)", strings.Join(strings.Fields(sale.Text()), " "))
	}

	_, doc = c.get("/checkout")
	msg := strings.Join(strings.Fields(doc.Find(`main`).Text()), " ")
	for _, want := range []string{`"Ridge Daypack – S" is out of stock`, `only 1 of "Alpine Trail Tent" left`} {
		if !strings.Contains(msg, want) {
			t.Errorf("the checkout does not say %q: %.400s", want, msg)
		}
	}
}
