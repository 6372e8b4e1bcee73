package web

import (
	"context"
	"slices"
	"testing"
	"time"

	"storefront/models"
	"storefront/recommender"
)

// TestNewForYouReachesMatchingShoppers: products added after the model was
// trained, with no events at all, reach the shoppers whose history is like
// them through "new for you" (the API and any slot with that strategy),
// without retraining: a cook gets the new kitchen product ahead of the new
// daypack, a camper the other way round.
func TestNewForYouReachesMatchingShoppers(t *testing.T) {
	shop := mustOpenShop(t)
	trainShop(t, shop)
	ctx := context.Background()
	kitchen, err := shop.db.CategoryBySlug(ctx, "kitchen")
	must(t, err)
	hiking, err := shop.db.CategoryBySlug(ctx, "hiking")
	must(t, err)
	now := time.Now()
	launches := []models.Product{
		{ExternalID: "NEW-K", Slug: "linen-tea-towel-set", Title: "Linen Tea Towel Set", Brand: "Hearth", CategoryID: kitchen.ID,
			PriceCents: 2900, Stock: 10, Active: true, CreatedAt: now, Description: "Three linen tea towels."},
		{ExternalID: "NEW-H", Slug: "ridge-daypack-40", Title: "Ridge Daypack 40 L", Brand: "Packwell", CategoryID: hiking.ID,
			PriceCents: 7900, Stock: 10, Active: true, CreatedAt: now, Description: "A roomy daypack."},
	}
	must(t, shop.db.W.Create(&launches).Error)
	must(t, shop.srv.shop.RefreshCatalog(ctx, true))
	if _, known := shop.srv.shop.Model().Item("NEW-K"); known {
		t.Fatal("the model knows the new product: the test needs products created after training")
	}
	for _, c := range []struct{ user, first, second string }{{"cook3", "NEW-K", "NEW-H"}, {"camper3", "NEW-H", "NEW-K"}} {
		items, err := shop.srv.RecommendFor(ctx, recommender.Request{User: c.user, N: 6, Strategy: recommender.NewForYou, ExcludeSeen: true})
		must(t, err)
		var got []string
		for _, it := range items {
			got = append(got, it.ItemID)
		}
		i, j := slices.Index(got, c.first), slices.Index(got, c.second)
		if i < 0 || (j >= 0 && j < i) {
			t.Fatalf("%s got %v: want %s, ahead of %s", c.user, got, c.first, c.second)
		}
	}
}
