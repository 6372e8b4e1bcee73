package web

import (
	"context"
	"slices"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"storefront/models"
)

// A row's category, brands and price range hold against the catalog as it
// is now, not as the model was trained on it: a product a merchandiser
// reprices, rebrands or moves leaves the rows it no longer fits at once.
func TestARowsFiltersFollowTheLiveCatalog(t *testing.T) {
	shop := mustOpenShop(t)
	trainShop(t, shop)
	ctx := context.Background()
	page, err := shop.db.PageByKey(ctx, models.HomePage)
	must(t, err)
	row := models.Slot{PageID: page.ID, Position: 4, Type: models.SlotPopular, Title: "Hearth kitchen under 50", Strategy: "popular",
		Category: "kitchen", Brands: "Hearth", MaxPrice: 5000, Size: 6, Enabled: true, Locked: true, Audience: "everyone"}
	must(t, shop.db.W.Create(&row).Error)
	_, err = shop.db.PublishDraft(ctx, models.HomePage, "test")
	must(t, err)
	shop.srv.shop.LayoutChanged()
	shown := func() []string {
		_, doc := shop.newClient().get("/")
		var ids []string
		doc.Find(`section[data-slot-id="` + utoa(row.ID) + `"] [data-product-id]`).Each(func(_ int, s *goquery.Selection) {
			ids = append(ids, s.AttrOr("data-product-id", ""))
		})
		return ids
	}
	before := shown()
	if len(before) < 4 {
		t.Fatalf("the row shows %v before any change, want at least 4 products", before)
	}
	var tents models.Category
	must(t, shop.db.W.Where("slug = ?", "tents").First(&tents).Error)
	changes := []struct {
		what  string
		field string
		value any
	}{
		{"repriced to 60.00, above the row's 50.00", "price_cents", 6000},
		{"rebranded Summit, not the row's Hearth", "brand", "Summit"},
		{"moved to Tents, outside the row's Kitchen", "category_id", tents.ID},
	}
	for k, ch := range changes {
		id := before[k]
		must(t, shop.db.W.Model(&models.Product{}).Where("id = ?", id).Update(ch.field, ch.value).Error)
		must(t, shop.srv.shop.RefreshCatalog(ctx, true))
		if now := shown(); slices.Contains(now, id) {
			t.Errorf("product %s %s is still in the row: %v", id, ch.what, now)
		}
	}
	if now := shown(); !slices.Contains(now, before[3]) {
		t.Errorf("the unchanged product %s left the row: %v", before[3], now)
	}
}

// Before the first training the rows come from the catalog's popularity,
// and a row's brands and price range hold there too.
func TestARowsFiltersHoldBeforeTheFirstTraining(t *testing.T) {
	shop := mustOpenShop(t)
	ctx := context.Background()
	page, err := shop.db.PageByKey(ctx, models.HomePage)
	must(t, err)
	row := models.Slot{PageID: page.ID, Position: 4, Type: models.SlotPopular, Title: "Hearth under 20", Strategy: "popular",
		Brands: "Hearth", MaxPrice: 2000, Size: 8, Enabled: true, Locked: true, Audience: "everyone"}
	must(t, shop.db.W.Create(&row).Error)
	_, err = shop.db.PublishDraft(ctx, models.HomePage, "test")
	must(t, err)
	shop.srv.shop.LayoutChanged()
	_, doc := shop.newClient().get("/")
	n := 0
	doc.Find(`section[data-slot-id="` + utoa(row.ID) + `"] [data-product-id]`).Each(func(_ int, s *goquery.Selection) {
		n++
		var p models.Product
		must(t, shop.db.R.First(&p, s.AttrOr("data-product-id", "")).Error)
		if p.Brand != "Hearth" || p.PriceCents > 2000 {
			t.Errorf("the row for Hearth under 20.00 shows %s by %s at %d cents", p.ExternalID, p.Brand, p.PriceCents)
		}
	})
	if n == 0 {
		t.Error("the row shows nothing; the tea towels (Hearth, 10.00 to 19.00) fit it")
	}
}
