package web

import (
	"context"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"storefront/models"
)

// TestAProductImportedAfterTrainingLeadsNewArrivals: a merchant trains the
// shop, then imports more products (a second import through the admin
// form), one of them in a category the shop did not have. Without
// retraining, the row of the new category shows its product instead of
// being left out, and the homepage's "New arrivals" row starts with the
// newest of the others (no product shows twice on a page); a new product
// out of stock is not shown.
func TestAProductImportedAfterTrainingLeadsNewArrivals(t *testing.T) {
	shop := mustOpenShop(t)
	trainShop(t, shop)
	ctx := context.Background()
	admin := shop.staffClient(models.RoleAdmin)
	now := time.Now().UTC()
	products := "id,title,description,category,brand,price,stock,created_at\n" +
		"ARR-1,Copper Kettle,A copper kettle.,Home > Kitchen,Hearth,39.00,5," + now.Add(-time.Hour).Format(time.RFC3339) + "\n" +
		"ARR-2,Garden Hose,A long hose.,Garden > Watering,Flow,24.50,7," + now.Format(time.RFC3339) + "\n" +
		"ARR-3,Copper Ladle,A copper ladle.,Home > Kitchen,Hearth,19.00,0," + now.Format(time.RFC3339) + "\n"
	res, doc := admin.upload("/admin/import", "/admin/import", nil, map[string][2]string{"products": {"more-products.csv", products}})
	if res.StatusCode != http.StatusOK {
		t.Fatalf("upload: %d: %s", res.StatusCode, doc.Find(`[data-testid="import-problem"]`).Text())
	}
	action, ok := doc.Find(`[data-testid="import-job"] form`).Attr("action")
	if !ok {
		t.Fatal("no apply form")
	}
	if res = admin.post("/admin/import", action, nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("apply: %d", res.StatusCode)
	}
	admin.importDone(res.Header.Get("Location"))
	if _, known := shop.srv.shop.Model().Item("ARR-2"); known {
		t.Fatal("the model knows the imported product: the test needs a product added after training")
	}
	// The shop reloads its catalog within a moment of an import; at once here.
	must(t, shop.srv.shop.RefreshCatalog(ctx, true))
	hose := shop.product("ARR-2")
	var watering models.Category
	must(t, shop.db.R.First(&watering, hose.CategoryID).Error)
	page, err := shop.db.PageByKey(ctx, models.HomePage)
	must(t, err)
	arrivals := models.Slot{PageID: page.ID, Position: 2, Type: models.SlotNewArrivals, Title: "Just in", Size: 4, Enabled: true, Locked: true, Audience: "everyone"}
	must(t, shop.db.W.Create(&arrivals).Error)
	garden := models.Slot{PageID: page.ID, Position: 1, Type: models.SlotCategory, Title: "For the garden", Category: watering.Slug, Size: 4,
		Enabled: true, Locked: true, Audience: "everyone"}
	must(t, shop.db.W.Create(&garden).Error)
	_, err = shop.db.PublishDraft(ctx, models.HomePage, "test")
	must(t, err)
	shop.srv.shop.LayoutChanged()

	_, doc = shop.newClient().get("/")
	cards := func(sl models.Slot) []string {
		var ids []string
		doc.Find(`section[data-slot-id="` + utoa(sl.ID) + `"] [data-product-id]`).Each(func(_ int, s *goquery.Selection) {
			ids = append(ids, s.AttrOr("data-product-id", ""))
		})
		return ids
	}
	kettle, ladle := shop.product("ARR-1"), shop.product("ARR-3")
	if got := cards(garden); len(got) == 0 || got[0] != utoa(hose.ID) {
		t.Errorf("the row of the category %q created by the import shows %v, want its product %d", watering.Name, got, hose.ID)
	}
	got := cards(arrivals)
	if len(got) == 0 || got[0] != utoa(kettle.ID) {
		t.Errorf("New arrivals shows %v, want the imported product %d first", got, kettle.ID)
	}
	if slices.Contains(got, utoa(ladle.ID)) || slices.Contains(got, utoa(hose.ID)) {
		t.Errorf("New arrivals shows the sold-out imported product %d or the garden row's %d: %v", ladle.ID, hose.ID, got)
	}
}
