package web

import (
	"context"
	"net/http"
	"slices"
	"testing"

	"storefront/models"
)

// TestAProductPageShowsAGroupInThePagesSize: on the page of a hat in size
// L, a coat its rows show comes in M and L, and the rows show it in L, the
// size of the page's own product (the size the homepage offers a shopper
// who keeps to L), not in M, the size the model ranked first.
func TestAProductPageShowsAGroupInThePagesSize(t *testing.T) {
	shop := mustOpenShop(t)
	trainShop(t, shop)
	shop.srv.shop.Model().PrepareRelated()
	hat := shop.product("SKU-H1")
	rows := func() []string {
		t.Helper()
		res, doc := shop.newClient().get(productPath(hat))
		if res.StatusCode != http.StatusOK {
			t.Fatalf("product page %d", res.StatusCode)
		}
		return append(cardIDs(doc, `[data-testid="also-bought"]`), cardIDs(doc, `[data-testid="similar"]`)...)
	}
	before := rows()
	if len(before) == 0 {
		t.Fatal("the page shows no product, the test needs one")
	}
	var others []models.Product
	must(t, shop.db.W.Where("active = ? AND stock > 0", true).Order("id").Find(&others).Error)
	var spare []string // in stock, neither the page's product nor on its rows
	for _, q := range others {
		if id := utoa(q.ID); q.ID != hat.ID && !slices.Contains(before, id) {
			spare = append(spare, id)
		}
	}
	if len(spare) < 2 {
		t.Fatalf("%d spare products, the test needs 2", len(spare))
	}
	set := func(id, group, title string) {
		must(t, shop.db.W.Model(&models.Product{}).Where("id = ?", id).Updates(map[string]any{"group_id": group, "title": title}).Error)
	}
	set(utoa(hat.ID), "HAT", "Hat Nord – L")
	set(spare[0], "HAT", "Hat Nord – M")
	set(before[0], "COAT", "Coat Nord – M")
	set(spare[1], "COAT", "Coat Nord – L")
	must(t, shop.srv.shop.RefreshCatalog(context.Background(), true))
	after := rows()
	if !slices.Contains(after, spare[1]) || slices.Contains(after, before[0]) {
		t.Errorf("the page of the hat in L shows %v, want the coat in L (%s), not in M (%s)", after, spare[1], before[0])
	}
}
