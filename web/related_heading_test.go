package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"storefront/models"
	"storefront/recommender"
	shopsvc "storefront/shop"
)

// TestAProductPagesFirstRowSaysWhatIsTrue: a shop without orders headed
// every product page's first row "Customers also bought", over products the
// model had filled it with for want of any bought together. The heading now
// says what the cards are: "You may also like" in a shop trained without
// events, "Customers also viewed" when shoppers viewed them with the
// product and bought nothing, "Customers also bought" once they bought
// them together.
func TestAProductPagesFirstRowSaysWhatIsTrue(t *testing.T) {
	shop := mustOpenShop(t)
	ctx := context.Background()
	pack := shop.product("SKU-H1")
	visitor := shop.newClient()
	heading := func(stage string) string {
		t.Helper()
		shop.srv.shop.ReloadModel(ctx)
		if shop.srv.shop.Model() == nil {
			t.Fatalf("%s: no model", stage)
		}
		shop.srv.shop.Model().PrepareRelated()
		res, doc := visitor.get(productPath(pack))
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s: product page %d", stage, res.StatusCode)
		}
		row := doc.Find(`[data-testid="also-bought"]`)
		if row.Find("[data-product-id]").Length() == 0 {
			t.Fatalf("%s: the first row is empty", stage)
		}
		return strings.TrimSpace(row.Find("h2").Text())
	}
	train := func(events []models.Event) {
		t.Helper()
		must(t, shop.db.InsertEvents(ctx, events))
		cfg := recommender.DefaultConfig()
		cfg.ALS.Factors, cfg.ALS.Iterations, cfg.SVD.Rank = 4, 5, 2
		_, err := shopsvc.TrainAndStore(ctx, shop.db, cfg, nil)
		must(t, err)
	}
	train(nil)
	if got := heading("no events"); got != "You may also like" {
		t.Errorf("a shop without events heads the first row %q", got)
	}

	// Shoppers view the daypack with the tea towels, and buy nothing.
	var towels []models.Product
	for i := 1; i <= 8; i++ {
		towels = append(towels, *shop.product(fmt.Sprintf("SKU-K%d", i)))
	}
	at := time.Now().Add(-48 * time.Hour)
	event := func(user string, p *models.Product, typ string) models.Event {
		id := p.ID
		at = at.Add(time.Second)
		return models.Event{UserKey: user, ProductID: &id, Type: typ, CreatedAt: at}
	}
	var views []models.Event
	for u := range 20 {
		user := fmt.Sprintf("viewer%d", u)
		views = append(views, event(user, pack, models.EventView))
		for _, p := range towels {
			views = append(views, event(user, &p, models.EventView))
		}
	}
	train(views)
	if got := heading("views"); got != "Customers also viewed" {
		t.Errorf("a shop whose shoppers viewed the products together heads the first row %q", got)
	}

	// Then they buy them together.
	var orders []models.Event
	for u := range 20 {
		user := fmt.Sprintf("buyer%d", u)
		orders = append(orders, event(user, pack, models.EventPurchase))
		for _, p := range towels {
			orders = append(orders, event(user, &p, models.EventPurchase))
		}
	}
	train(orders)
	if got := heading("orders"); got != "Customers also bought" {
		t.Errorf("a shop whose shoppers bought the products together heads the first row %q", got)
	}
}
