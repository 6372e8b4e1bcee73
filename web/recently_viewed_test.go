package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"

	"storefront/models"
)

// A shopper views a lantern and a tent and buys the lantern: the homepage's
// "Recently viewed" row still offers the tent to go back to, but not the
// lantern they now own (it is in their orders), with a model trained
// before the purchase or after it.
func TestRecentlyViewedLeavesOutWhatTheShopperBought(t *testing.T) {
	shop := mustOpenShop(t)
	ctx := context.Background()
	publishRecentlyViewedFirst(t, shop)
	trainShop(t, shop)
	buyer, _ := loginAs(t, shop, "Lu Buyer", "lu@example.com")
	tent, lantern := shop.product("SKU-1"), shop.product("SKU-3")
	buyer.get(productPath(tent))
	buyer.get(productPath(lantern))
	if res := buyer.post(productPath(lantern), "/cart/add", url.Values{"product_id": {utoa(lantern.ID)}, "quantity": {"1"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("add to cart: %d", res.StatusCode)
	}
	buyer.checkout("Lu", "lu@example.com")
	check := func(when string) {
		t.Helper()
		must(t, shop.srv.events.Close(ctx))
		shop.srv.events = models.NewEventWriter(shop.db, 100, 100, time.Millisecond, shop.srv.log)
		_, doc := buyer.get("/")
		row := cardIDs(doc, `section[data-slot-type="recently_viewed"]`)
		if slices.Contains(row, utoa(lantern.ID)) {
			t.Fatalf("%s: the recently viewed row offers the lantern the shopper bought: %v", when, row)
		}
		if !slices.Contains(row, utoa(tent.ID)) {
			t.Fatalf("%s: the recently viewed row lost the tent the shopper only viewed: %v", when, row)
		}
	}
	check("before the next training")
	trainShop(t, shop)
	check("after it")
}

// publishRecentlyViewedFirst publishes the shop's homepage with a
// "Recently viewed" row of eight first.
func publishRecentlyViewedFirst(t *testing.T, shop *testShop) {
	t.Helper()
	ctx := context.Background()
	page, err := shop.db.PageByKey(ctx, models.HomePage)
	must(t, err)
	must(t, shop.db.W.Create(&models.Slot{PageID: page.ID, Position: 1, Type: models.SlotRecentlyViewed, Title: "Recently viewed",
		Strategy: "recent", Enabled: true, Size: 8, Audience: "everyone"}).Error)
	_, err = shop.db.PublishDraft(ctx, models.HomePage, "test")
	must(t, err)
}
