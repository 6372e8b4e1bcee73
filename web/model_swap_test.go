package web

import (
	"context"
	"runtime"
	"testing"
	"weak"

	"storefront/recommender"
	shopsvc "storefront/shop"
)

func TestARetrainedModelLetsTheOldOneGo(t *testing.T) {
	// Pages cached from a model (homepages, product, category and search
	// bodies, a viewer's history) used to keep it for up to ten minutes,
	// and bodies no one asked for again kept it for good: after a retrain
	// two models stayed in memory. Once the next model is served, nothing
	// the caches hold keeps the old one alive.
	shop := mustOpenShop(t)
	trainShop(t, shop)
	old := weak.Make(shop.srv.shop.Model())
	c := shop.newClient()
	p := shop.product("SKU-1")
	for _, path := range []string{"/", productPath(p), "/c/outdoor", "/search?q=tent", "/"} {
		if res, _ := c.get(path); res.StatusCode != 200 {
			t.Fatalf("GET %s: %d", path, res.StatusCode)
		}
	}
	ctx := context.Background()
	cfg := recommender.DefaultConfig()
	cfg.ALS.Factors, cfg.ALS.Iterations, cfg.SVD.Rank = 4, 5, 2
	_, err := shopsvc.TrainAndStore(ctx, shop.db, cfg, nil)
	must(t, err)
	shop.srv.shop.ReloadModel(ctx)
	if shop.srv.shop.Model() == old.Value() {
		t.Fatal("the retrained model is not served")
	}
	for range 3 {
		runtime.GC()
	}
	if old.Value() != nil {
		t.Fatal("the model served before the retrain is still reachable after it")
	}
	// The caches still serve: the next pages come from the new model.
	for _, path := range []string{"/", productPath(p), "/c/outdoor"} {
		if res, _ := c.get(path); res.StatusCode != 200 {
			t.Fatalf("GET %s after the retrain: %d", path, res.StatusCode)
		}
	}
}
