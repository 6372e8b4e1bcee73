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
	shown := publishRow(t, shop, models.Slot{Title: "Hearth kitchen under 50", Category: "kitchen", Brands: "Hearth", MaxPrice: 5000})
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

// And the other way: a product the catalog reprices, rebrands or moves
// into a row's filters joins the row at once, not after the next training
// (the model knows it at its old price, brand and category).
func TestARowTakesInWhatTheCatalogMovesIntoItsFilters(t *testing.T) {
	shop := mustOpenShop(t)
	trainShop(t, shop)
	ctx := context.Background()
	shown := publishRow(t, shop, models.Slot{Title: "Hearth kitchen from 30 to 50", Category: "kitchen", Brands: "Hearth", MinPrice: 3000, MaxPrice: 5000})
	skillet, towel, tent := shop.product("SKU-3"), shop.product("SKU-K12"), shop.product("SKU-2")
	if now := shown(); !slices.Equal(now, []string{utoa(skillet.ID)}) {
		t.Fatalf("the row shows %v before any change, want only the skillet %d", now, skillet.ID)
	}
	var kitchen models.Category
	must(t, shop.db.W.Where("slug = ?", "kitchen").First(&kitchen).Error)
	for _, ch := range []struct {
		what    string
		p       *models.Product
		updates map[string]any
	}{
		{"a Hearth tea towel repriced from 21.00 to 35.00", towel, map[string]any{"price_cents": 3500}},
		{"a Northway tent moved to Kitchen, rebranded Hearth and repriced to 45.00", tent,
			map[string]any{"category_id": kitchen.ID, "brand": "Hearth", "price_cents": 4500}},
	} {
		must(t, shop.db.W.Model(&models.Product{}).Where("id = ?", ch.p.ID).Updates(ch.updates).Error)
		must(t, shop.srv.shop.ProductsChanged(ctx, ch.p.ID)) // as the catalog form does
		if now := shown(); !slices.Contains(now, utoa(ch.p.ID)) {
			t.Errorf("%s is not in the row: %v", ch.what, now)
		}
	}
	must(t, shop.srv.shop.RefreshCatalog(ctx, true)) // and a full reload
	if now := shown(); !slices.Contains(now, utoa(skillet.ID)) || len(now) != 3 {
		t.Errorf("the row shows %v, want the skillet, the towel and the tent", now)
	}
}

// publishRow publishes a locked popular row of six with the filters of sl
// on the homepage, and returns what a new visitor sees in it.
func publishRow(t *testing.T, shop *testShop, sl models.Slot) func() []string {
	t.Helper()
	ctx := context.Background()
	page, err := shop.db.PageByKey(ctx, models.HomePage)
	must(t, err)
	sl.PageID, sl.Position, sl.Type, sl.Strategy, sl.Size = page.ID, 4, models.SlotPopular, "popular", 6
	sl.Enabled, sl.Locked, sl.Audience = true, true, "everyone"
	must(t, shop.db.W.Create(&sl).Error)
	_, err = shop.db.PublishDraft(ctx, models.HomePage, "test")
	must(t, err)
	shop.srv.shop.LayoutChanged()
	return func() []string {
		_, doc := shop.newClient().get("/")
		var ids []string
		doc.Find(`section[data-slot-id="` + utoa(sl.ID) + `"] [data-product-id]`).Each(func(_ int, s *goquery.Selection) {
			ids = append(ids, s.AttrOr("data-product-id", ""))
		})
		return ids
	}
}
