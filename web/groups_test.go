package web

import (
	"context"
	"net/http"
	"slices"
	"testing"

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
