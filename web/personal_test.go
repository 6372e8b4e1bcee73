package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"storefront/models"
	"storefront/recommender"
	shopsvc "storefront/shop"
)

// trainShop gives the test shop behaviour with two clear tastes (outdoor
// and kitchen), trains a model and serves it.
func trainShop(t *testing.T, shop *testShop) {
	t.Helper()
	ctx := context.Background()
	var products []models.Product
	must(t, shop.db.R.Order("id").Find(&products).Error)
	byCat := map[uint][]models.Product{}
	for _, p := range products {
		if p.InStock() {
			byCat[p.CategoryID] = append(byCat[p.CategoryID], p)
		}
	}
	var events []models.Event
	at := time.Now().Add(-48 * time.Hour)
	add := func(user string, p models.Product, typ string) {
		id := p.ID
		events = append(events, models.Event{UserKey: user, ProductID: &id, Type: typ, CreatedAt: at})
		at = at.Add(time.Second)
	}
	kitchen, _ := shop.db.CategoryBySlug(ctx, "kitchen")
	tents, _ := shop.db.CategoryBySlug(ctx, "tents")
	hiking, _ := shop.db.CategoryBySlug(ctx, "hiking")
	outdoorItems := append(append(byCat[tents.ID], shop.product("SKU-5").Clone()), byCat[hiking.ID]...)
	for i := range 30 {
		for _, p := range outdoorItems {
			add(fmt.Sprintf("camper%d", i), p, models.EventView)
		}
		for j, p := range byCat[kitchen.ID] {
			if (i+j)%3 != 0 {
				add(fmt.Sprintf("cook%d", i), p, models.EventView)
			}
		}
	}
	must(t, shop.db.InsertEvents(ctx, events))
	cfg := recommender.DefaultConfig()
	cfg.ALS.Factors, cfg.ALS.Iterations, cfg.SVD.Rank = 4, 5, 2
	_, err := shopsvc.TrainAndStore(ctx, shop.db, cfg, nil)
	must(t, err)
	shop.srv.shop.ReloadModel(ctx)
	if shop.srv.shop.Model() == nil {
		t.Fatal("model not loaded")
	}
}

// rowProducts returns the products of a homepage's first row of slotType.
func rowProducts(t *testing.T, shop *testShop, doc *goquery.Document, slotType string) []*models.Product {
	t.Helper()
	var out []*models.Product
	doc.Find(`section[data-slot-type="` + slotType + `"]`).First().Find("[data-product-id]").Each(func(_ int, s *goquery.Selection) {
		id, _ := s.Attr("data-product-id")
		if pid, ok := parseProductID(id); ok {
			p, err := shop.db.ProductByID(context.Background(), pid)
			must(t, err)
			out = append(out, p)
		}
	})
	return out
}

func share(ps []*models.Product, slug string) float64 {
	if len(ps) == 0 {
		return 0
	}
	n := 0
	for _, p := range ps {
		if p.Category.Slug == slug {
			n++
		}
	}
	return float64(n) / float64(len(ps))
}

func loginAs(t testing.TB, shop *testShop, name, email string) (*client, *models.Shopper) {
	t.Helper()
	sh, err := shop.db.CreateShopper(context.Background(), name, email, testPassword)
	must(t, err)
	c := shop.newClient()
	res := c.post("/login", "/login", url.Values{"email": {email}, "password": {testPassword}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("login %s: %d", email, res.StatusCode)
	}
	return c, sh
}

func TestHomepageFollowsEachShoppersTaste(t *testing.T) {
	shop := mustOpenShop(t)
	// Add a recommended row to the published layout.
	ctx := context.Background()
	page, err := shop.db.PageByKey(ctx, models.HomePage)
	must(t, err)
	must(t, shop.db.W.Create(&models.Slot{PageID: page.ID, Position: 4, Type: models.SlotRecommended, Title: "Recommended for you",
		Strategy: "hybrid", Enabled: true, Size: 4, Audience: "everyone"}).Error)
	_, err = shop.db.PublishDraft(ctx, models.HomePage, "test")
	must(t, err)
	trainShop(t, shop)

	camper, _ := loginAs(t, shop, "Camper", "camper@example.com")
	cook, _ := loginAs(t, shop, "Cook", "cook@example.com")
	// Each shopper looks at a few products of their taste.
	camper.get(productPath(shop.product("SKU-1")))
	camper.get(productPath(shop.product("SKU-2")))
	cook.get(productPath(shop.product("SKU-3")))
	cook.get(productPath(shop.product("SKU-K1")))
	must(t, shop.srv.events.Close(ctx))
	shop.srv.events = models.NewEventWriter(shop.db, 100, 100, time.Millisecond, shop.srv.log)

	_, campDoc := camper.get("/")
	_, cookDoc := cook.get("/")
	campRow := rowProducts(t, shop, campDoc, models.SlotRecommended)
	cookRow := rowProducts(t, shop, cookDoc, models.SlotRecommended)
	if len(campRow) == 0 || len(cookRow) == 0 {
		t.Fatalf("recommended rows: camper %d items, cook %d", len(campRow), len(cookRow))
	}
	if share(cookRow, "kitchen") < 0.75 {
		t.Fatalf("cook's recommended row is not mostly kitchen: %v", titles(cookRow))
	}
	if share(campRow, "kitchen") > 0.5 {
		t.Fatalf("camper's recommended row is mostly kitchen: %v", titles(campRow))
	}
	if campDoc.Find(`section[data-slot-type="because_viewed"], section[data-slot-type="recently_viewed"]`).Length() == 0 &&
		strings.Join(titles(campRow), "|") == strings.Join(titles(cookRow), "|") {
		t.Fatal("two shoppers with different histories see the same homepage")
	}
	// Every card says why it is there, itself or, when every card of the
	// row shares it, once in the row's heading (a recently viewed row's
	// heading is its reason, and so is "New arrivals" when its cards are).
	campDoc.Find("section[data-slot-id]").Each(func(_ int, row *goquery.Selection) {
		if row.Find(`[data-testid="row-reason"], [data-reason-in-heading]`).Length() > 0 {
			if row.Find(`[data-testid="reason"]`).Length() > 0 {
				t.Fatalf("row %q has a shared reason and still repeats reasons on cards", row.Find("h2").Text())
			}
			return
		}
		if row.AttrOr("data-slot-type", "") == models.SlotRecentlyViewed {
			return
		}
		row.Find("[data-product-id]").Each(func(_ int, s *goquery.Selection) {
			if s.Find(`[data-testid="reason"]`).Length() == 0 {
				t.Fatalf("card %s in row %q has no reason", s.AttrOr("data-product-id", "?"), row.Find("h2").Text())
			}
		})
	})
	// Reasons drawn from the shopper's history link to the page that
	// explains them; the personal row has at least one.
	linked := campDoc.Find(`section[data-slot-type="recommended"] [data-testid="reason"] a[href="/account/interests"], section[data-slot-type="recommended"] [data-testid="row-reason"] a[href="/account/interests"]`).Length()
	if linked == 0 {
		t.Fatal("no personal reason links to /account/interests")
	}
	// A visitor without history is not told the shop picked anything for
	// them.
	_, anonDoc := shop.newClient().get("/")
	anonDoc.Find("section[data-slot-id] h2, [data-testid=row-reason]").Each(func(_ int, h *goquery.Selection) {
		if strings.Contains(strings.ToLower(h.Text()), "for you") {
			t.Fatalf("a visitor's homepage says %q", h.Text())
		}
	})
	if anonDoc.Find(`[data-testid="reason"] a, [data-testid="row-reason"] a`).Length() != 0 {
		t.Fatal("a visitor's reasons link to the interests page")
	}
}

func titles(ps []*models.Product) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Title)
	}
	return out
}

func TestOptOutShowsNonPersonalPage(t *testing.T) {
	shop := mustOpenShop(t)
	trainShop(t, shop)
	c, sh := loginAs(t, shop, "Private", "private@example.com")
	c.get(productPath(shop.product("SKU-3")))
	// The account page's switch, after a product page read the account.
	if res := c.post("/account", "/account/personalization", url.Values{"opt_out": {"true"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("opting out: %d", res.StatusCode)
	}
	if got, err := shop.db.ShopperByID(context.Background(), sh.ID); err != nil || !got.OptOut {
		t.Fatalf("the opt-out was not saved: %v", err)
	}
	_, doc := c.get("/")
	if doc.Find(`[data-testid="optout-notice"]`).Length() == 0 {
		t.Fatal("opted-out shopper is not told the page is not personalized")
	}
	if n := doc.Find(`section[data-slot-type="recently_viewed"], section[data-slot-type="because_viewed"]`).Length(); n != 0 {
		t.Fatalf("opted-out shopper sees %d personal rows", n)
	}
	doc.Find("section[data-slot-id] h2, [data-testid=row-reason]").Each(func(_ int, h *goquery.Selection) {
		if strings.Contains(strings.ToLower(h.Text()), "for you") {
			t.Fatalf("an opted-out shopper's homepage says %q", h.Text())
		}
	})
}

// TestDroppedUserNeverGetsTheirHistoryBack: a crawler's events are dropped
// by training's bot guard, so the model does not know them; the API and the
// homepage still read their raw history and never recommend it back.
func TestDroppedUserNeverGetsTheirHistoryBack(t *testing.T) {
	shop := mustOpenShop(t)
	ctx := context.Background()
	crawled := map[string]bool{}
	var events []models.Event
	at := time.Now().AddDate(0, 0, -10) // days before the shoppers below: a clock fine enough for rates
	for _, ext := range []string{"SKU-1", "SKU-2", "SKU-3", "SKU-K1"} {
		p := shop.product(ext)
		crawled[p.ExternalID] = true
		for range 1000 {
			id := p.ID
			events = append(events, models.Event{UserKey: "crawler", ProductID: &id, Type: models.EventView, CreatedAt: at})
			at = at.Add(50 * time.Millisecond)
		}
	}
	must(t, shop.db.InsertEvents(ctx, events))
	trainShop(t, shop)
	if shop.srv.shop.Model().KnownUser("crawler") {
		t.Fatal("the crawler was not dropped by training; the test cannot see raw-history exclusion")
	}
	items, err := shop.srv.RecommendFor(ctx, recommender.Request{User: "crawler", N: 100, Strategy: recommender.Hybrid, ExcludeSeen: true})
	must(t, err)
	if len(items) == 0 {
		t.Fatal("the crawler got no recommendations")
	}
	for _, it := range items {
		if crawled[it.ItemID] {
			t.Fatalf("API recommended %s to the crawler, who viewed it", it.ItemID)
		}
	}
	slots, err := shop.srv.publishedHome(ctx)
	must(t, err)
	cards := 0
	for _, sl := range shop.srv.composeHome(ctx, Viewer{Key: "crawler"}, slots) {
		if sl.Type == models.SlotRecentlyViewed {
			continue
		}
		for _, c := range sl.Cards {
			cards++
			if crawled[c.ExternalID] {
				t.Fatalf("homepage row %q shows %s to the crawler, who viewed it", sl.Title, c.ExternalID)
			}
		}
	}
	if cards == 0 {
		t.Fatal("the crawler's homepage has no cards")
	}
}
