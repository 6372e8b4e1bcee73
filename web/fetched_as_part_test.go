package web

import (
	"context"
	"net/http"
	"testing"

	"storefront/models"
)

// An import's image_url may be a path of the shop (a picture a server in
// front of it answers), so a supplier's file could name a page instead:
// the skillet's picture `/p/<tent>`, or `/search?q=…`. Every shopper who
// opened the skillet then had their browser fetch the tent's page as a
// picture, recorded as their own view of the tent (signed-in shoppers are
// always recorded, and they are the buyers whose views popularity trusts),
// and a search they never typed. A page fetched as a part of another
// (Sec-Fetch-Dest: image, script, style, iframe …) records nothing; the
// same pages opened (document) still do.
func TestAPageFetchedAsAPictureRecordsNothing(t *testing.T) {
	shop := mustOpenShop(t)
	ctx := context.Background()
	tent, skillet := shop.product("SKU-1"), shop.product("SKU-3")
	must(t, shop.db.W.Model(&models.Product{}).Where("id = ?", skillet.ID).Update("image_url", productPath(tent)).Error)
	must(t, shop.srv.shop.RefreshCatalog(ctx, true))
	ada := shop.shopperClient()
	if _, doc := ada.get(productPath(skillet)); doc.Find(`img.product-image[src="`+productPath(tent)+`"]`).Length() != 1 {
		t.Fatalf("the skillet's page does not show the tent's page as its picture; the test's premise is gone")
	}
	count := func(typ string, productID uint, query string) int64 {
		t.Helper()
		must(t, shop.srv.events.Flush(ctx))
		q := shop.db.R.Model(&models.Event{}).Where("type = ?", typ)
		if productID != 0 {
			q = q.Where("product_id = ?", productID)
		}
		if query != "" {
			q = q.Where("query = ?", query)
		}
		var n int64
		must(t, q.Count(&n).Error)
		return n
	}
	fetch := func(dest, path string) {
		t.Helper()
		h := map[string]string{"Sec-Fetch-Site": "same-origin", "Sec-Fetch-Mode": "no-cors", "Sec-Fetch-Dest": dest}
		if dest == "document" {
			h["Sec-Fetch-Mode"] = "navigate"
		}
		if res, _ := ada.send(http.MethodGet, path, nil, h); res.StatusCode != http.StatusOK {
			t.Fatalf("GET %s as %s: %d", path, dest, res.StatusCode)
		}
	}
	const planted = "planted by a supplier"
	views, searches, seen := count(models.EventView, tent.ID, ""), count(models.EventSearch, 0, planted), count(models.EventImpression, 0, "")
	for _, dest := range []string{"image", "script", "style", "iframe", "object", "font"} {
		fetch(dest, productPath(tent))
		fetch(dest, "/search?q=planted+by+a+supplier")
		fetch(dest, "/")
	}
	if got := count(models.EventView, tent.ID, "") - views; got != 0 {
		t.Errorf("the tent's page fetched as a picture, script, style, frame, object and font: %d views of the tent recorded for the shopper, want 0", got)
	}
	if got := count(models.EventSearch, 0, planted) - searches; got != 0 {
		t.Errorf("a search page fetched as a part of another: %d searches recorded, want 0", got)
	}
	if got := count(models.EventImpression, 0, "") - seen; got != 0 {
		t.Errorf("the homepage fetched as a part of another: %d rows recorded as seen, want 0", got)
	}
	// Opened, each is recorded as before (as it is without the header).
	fetch("document", productPath(tent))
	fetch("document", "/search?q=planted+by+a+supplier")
	fetch("document", "/")
	if got := count(models.EventView, tent.ID, "") - views; got != 1 {
		t.Errorf("the tent's page opened: %d views recorded, want 1", got)
	}
	if got := count(models.EventSearch, 0, planted) - searches; got != 1 {
		t.Errorf("the search opened: %d searches recorded, want 1", got)
	}
	if got := count(models.EventImpression, 0, "") - seen; got == 0 {
		t.Error("the homepage opened: no row recorded as seen")
	}
}
