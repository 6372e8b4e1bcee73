package web

import (
	"context"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"storefront/models"
)

// TestAProductPageLeavesOutItsOwnGroup: products of one group (the sizes of
// one model, an import's group_id) are not recommended on each other's
// pages, and a row holds one product of any other group.
func TestAProductPageLeavesOutItsOwnGroup(t *testing.T) {
	shop := mustOpenShop(t)
	trainShop(t, shop)
	shop.srv.shop.Model().PrepareRelated()
	pack := shop.product("SKU-H1")
	rows := func() []string {
		t.Helper()
		res, doc := shop.newClient().get(productPath(pack))
		if res.StatusCode != http.StatusOK {
			t.Fatalf("product page %d", res.StatusCode)
		}
		return append(cardIDs(doc, `[data-testid="also-bought"]`), cardIDs(doc, `[data-testid="similar"]`)...)
	}
	before := rows()
	if len(before) < 3 {
		t.Fatalf("the page shows %d products, the test needs 3", len(before))
	}
	// The first product shown becomes another size of the page's own; the
	// next two two sizes of one other model.
	ctx := context.Background()
	group := func(id, g string) {
		must(t, shop.db.W.Model(&models.Product{}).Where("id = ?", id).Update("group_id", g).Error)
	}
	group(utoa(pack.ID), "PACK")
	group(before[0], "PACK")
	group(before[1], "OTHER")
	group(before[2], "OTHER")
	must(t, shop.srv.shop.RefreshCatalog(ctx, true))
	after := rows()
	if slices.Contains(after, before[0]) {
		t.Errorf("the page recommends %s, of its own group: %v", before[0], after)
	}
	if slices.Contains(after, before[1]) && slices.Contains(after, before[2]) {
		t.Errorf("the page recommends both %s and %s, of one group: %v", before[1], before[2], after)
	}
	if !slices.Contains(after, before[1]) {
		t.Errorf("the page no longer recommends %s, the first of its group: %v", before[1], after)
	}
}

// TestARowNamesItsProductsByTheirGroup: a row of recommendations (the
// homepage's, a product page's) and the drawn picture name a product of a
// group by its model ("Trail Tent"), not by the size the row happens to
// hold ("Trail Tent – S"), as the listings do; the picture keeps the
// colour the product's own title says.
func TestARowNamesItsProductsByTheirGroup(t *testing.T) {
	shop := mustOpenShop(t)
	trainShop(t, shop)
	shop.srv.shop.Model().PrepareRelated()
	pack := shop.product("SKU-H1")
	res, doc := shop.newClient().get(productPath(pack))
	if res.StatusCode != http.StatusOK {
		t.Fatalf("product page %d", res.StatusCode)
	}
	related := append(cardIDs(doc, `[data-testid="also-bought"]`), cardIDs(doc, `[data-testid="similar"]`)...)
	_, doc = shop.newClient().get("/")
	home := cardIDs(doc, `[data-slot-id]`)
	if len(related) < 2 || len(home) < 2 {
		t.Fatalf("the product page shows %d products and the homepage %d, the test needs 2 each", len(related), len(home))
	}
	// Each row's first product becomes size S of a model whose size M is
	// a product neither page shows.
	rename := func(id, title, group string) {
		must(t, shop.db.W.Model(&models.Product{}).Where("id = ?", id).
			Updates(map[string]any{"title": title, "group_id": group}).Error)
	}
	var products []models.Product
	must(t, shop.db.R.Order("id").Find(&products).Error)
	spare := func() string {
		for _, p := range products {
			if id := utoa(p.ID); id != utoa(pack.ID) && !slices.Contains(related, id) && !slices.Contains(home, id) {
				products = slices.DeleteFunc(products, func(q models.Product) bool { return q.ID == p.ID })
				return id
			}
		}
		t.Fatal("no product left to be another size")
		return ""
	}
	rename(related[0], "Trail Tent – S", "TENT")
	rename(spare(), "Trail Tent – M", "TENT")
	rename(home[0], "Fjord Rain Jacket – Red – S", "JACKET")
	rename(spare(), "Fjord Rain Jacket – Navy – M", "JACKET")
	must(t, shop.srv.shop.RefreshCatalog(context.Background(), true))

	titleOf := func(doc *goquery.Document, sel, id string) string {
		t.Helper()
		return strings.TrimSpace(doc.Find(sel + ` [data-product-id="` + id + `"] .card-title`).First().Text())
	}
	_, doc = shop.newClient().get(productPath(pack))
	if got := titleOf(doc, `section.slot`, related[0]); got != "Trail Tent" {
		t.Errorf("the product page's row calls %s %q, want the model's name %q", related[0], got, "Trail Tent")
	}
	_, doc = shop.newClient().get("/")
	if got := titleOf(doc, `[data-slot-id]`, home[0]); got != "Fjord Rain Jacket" {
		t.Errorf("the homepage's row calls %s %q, want the model's name %q", home[0], got, "Fjord Rain Jacket")
	}
	res = shop.newClient().do(http.MethodGet, "/img/p/"+home[0]+".svg")
	raw, err := io.ReadAll(res.Body)
	res.Body.Close()
	must(t, err)
	// Named by the model, drawn in the colour its title says.
	if svg := string(raw); !strings.Contains(svg, "Fjord Rain Jacket · red") || strings.Contains(svg, "– S") {
		t.Errorf("the drawn picture is not the red jacket named by its model: %s", svg)
	}
}
