package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"storefront/models"
)

// TestAPinMustMeetTheSlotsFilters: the slot form refuses a pin outside the
// slot's category, brands or price range and says which filter (the
// no-JavaScript picker too), and saves a pin that meets them.
func TestAPinMustMeetTheSlotsFilters(t *testing.T) {
	shop := mustOpenShop(t)
	c := shop.staffClient(models.RoleMerchandiser)
	ids, _ := shop.draft()
	slot := utoa(ids[1])
	save := func(fields url.Values) (*http.Response, *goquery.Document) {
		t.Helper()
		return shop.postSlotForm(t, c, c.hc, slot, "Kitchen under 50", fields)
	}
	for _, tc := range []struct {
		name   string
		fields url.Values
		want   []string
	}{
		{"category", url.Values{"category": {"kitchen"}, "pins": {"SKU-3,SKU-1"}},
			[]string{"SKU-1 (Alpine Trail Tent) is in Tents, outside the slot's category Kitchen"}},
		{"price", url.Values{"max_price": {"50"}, "pins": {"SKU-2"}},
			[]string{"SKU-2 (Ridge Dome Tent) costs $129.50, above the slot's maximum price $50.00"}},
		{"brands", url.Values{"brands": {"Hearth"}, "pins": {"SKU-5"}},
			[]string{"SKU-5 (Trail Lantern) is by Summit, not one of the slot's brands (Hearth)"}},
		{"two filters", url.Values{"category": {"kitchen"}, "min_price": {"30"}, "pins": {"SKU-K1"}},
			[]string{"SKU-K1 (Linen Tea Towel No. 1) costs $10.00, below the slot's minimum price $30.00"}},
	} {
		t.Run("refused: "+tc.name, func(t *testing.T) {
			res, doc := save(tc.fields)
			if res.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422", res.StatusCode)
			}
			got := doc.Find(`[data-testid="pins-error"]`).Text()
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("the pins error %q does not say %q", got, w)
				}
			}
			sl, err := shop.db.SlotByID(context.Background(), ids[1])
			must(t, err)
			if sl.Pins != "" {
				t.Errorf("the slot was saved with pins %q", sl.Pins)
			}
		})
	}

	t.Run("saved: pins that meet the filters", func(t *testing.T) {
		res, doc := save(url.Values{"category": {"kitchen"}, "max_price": {"50"}, "pins": {"SKU-3,SKU-K1"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("status %d, want 303; errors %q", res.StatusCode, doc.Find(".field-error").Text())
		}
		sl, err := shop.db.SlotByID(context.Background(), ids[1])
		must(t, err)
		if sl.Pins != "SKU-3,SKU-K1" || sl.Category != "kitchen" || sl.MaxPrice != 5000 {
			t.Fatalf("stored pins %q, category %q, max %d", sl.Pins, sl.Category, sl.MaxPrice)
		}
	})

	t.Run("the picker refuses a pin outside the filters", func(t *testing.T) {
		_, rev := shop.draft()
		_, doc := c.get("/admin/layout/slots/" + slot + "/edit")
		form := url.Values{"_csrf": {csrf(doc)}, "revision": {strconv.Itoa(rev)}, "field": {"pins"}, "sku": {"SKU-1"}}
		res, err := c.hc.PostForm(shop.ts.URL+"/admin/layout/slots/"+slot+"/add", form)
		must(t, err)
		defer res.Body.Close()
		doc, err = goquery.NewDocumentFromReader(res.Body)
		must(t, err)
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("status %d, want 422", res.StatusCode)
		}
		if got := doc.Find(`[data-testid="pins-error"]`).Text(); !strings.Contains(got, "Not pinned: SKU-1 (Alpine Trail Tent) is in Tents, outside the slot's category Kitchen") {
			t.Errorf("the pins error says %q", got)
		}
		sl, err := shop.db.SlotByID(context.Background(), ids[1])
		must(t, err)
		if sl.Pins != "SKU-3,SKU-K1" {
			t.Errorf("the picker changed the pins to %q", sl.Pins)
		}
	})
}

// TestAPinTheCatalogMovesOutOfTheFiltersIsDropped: a pin that met its
// slot's price range leads the row; once its price rises above the range
// the row no longer pins it, and the publish check says why.
func TestAPinTheCatalogMovesOutOfTheFiltersIsDropped(t *testing.T) {
	shop := mustOpenShop(t)
	trainShop(t, shop)
	ctx := context.Background()
	page, err := shop.db.PageByKey(ctx, models.HomePage)
	must(t, err)
	row := models.Slot{PageID: page.ID, Position: 4, Type: models.SlotPopular, Title: "Kitchen under 50", Strategy: "popular",
		Category: "kitchen", MaxPrice: 5000, Pins: "SKU-K1", Size: 4, Enabled: true, Locked: true, Audience: "everyone"}
	must(t, shop.db.W.Create(&row).Error)
	_, err = shop.db.PublishDraft(ctx, models.HomePage, "test")
	must(t, err)
	shop.srv.shop.LayoutChanged()
	k1 := shop.product("SKU-K1")
	first := func() (string, string) {
		_, doc := shop.newClient().get("/")
		sec := doc.Find(`section[data-slot-id="` + utoa(row.ID) + `"]`)
		return sec.Find("[data-product-id]").First().AttrOr("data-product-id", ""), sec.Text()
	}
	if id, text := first(); id != utoa(k1.ID) || !strings.Contains(text, "Pinned by our team") {
		t.Fatalf("before the change the row starts with product %q, want the pinned %d; row %q", id, k1.ID, text)
	}

	must(t, shop.db.W.Model(&models.Product{}).Where("id = ?", k1.ID).Update("price_cents", 6000).Error)
	must(t, shop.srv.shop.RefreshCatalog(ctx, true))
	if _, text := first(); strings.Contains(text, "Pinned by our team") {
		t.Errorf("at 60.00 the row under 50 still pins it: %q", text)
	}
	c := shop.staffClient(models.RoleMerchandiser)
	_, doc := c.get("/admin/layout/publish")
	if got := doc.Find(`[data-testid="health"]`).Text(); !strings.Contains(got, "SKU-K1 (costs $60.00, above the slot's maximum price $50.00)") {
		t.Errorf("the publish check does not say why the pin is not shown: %q", got)
	}
}

// TestAPinnedProductAddedAfterTrainingLeadsTheRow: a merchandiser adds
// products after the last training (the model has no row for them) and pins
// them in a trending row and in a row filtered to a category and a price
// range; each row starts with its pin at once, without retraining. A new
// product out of stock is not shown.
func TestAPinnedProductAddedAfterTrainingLeadsTheRow(t *testing.T) {
	shop := mustOpenShop(t)
	trainShop(t, shop)
	ctx := context.Background()
	kitchen, err := shop.db.CategoryBySlug(ctx, "kitchen")
	must(t, err)
	now := time.Now()
	launches := []models.Product{
		{ExternalID: "CH-1", Slug: "copper-kettle", Title: "Copper Kettle", Brand: "Hearth", CategoryID: kitchen.ID,
			PriceCents: 3900, Stock: 5, Active: true, CreatedAt: now, Description: "A copper kettle."},
		{ExternalID: "CH-2", Slug: "copper-ladle", Title: "Copper Ladle", Brand: "Hearth", CategoryID: kitchen.ID,
			PriceCents: 1900, Stock: 0, Active: true, CreatedAt: now, Description: "A copper ladle."},
		{ExternalID: "CH-3", Slug: "copper-pan", Title: "Copper Pan", Brand: "Hearth", CategoryID: kitchen.ID,
			PriceCents: 4500, Stock: 5, Active: true, CreatedAt: now, Description: "A copper pan."},
	}
	must(t, shop.db.W.Create(&launches).Error)
	must(t, shop.srv.shop.RefreshCatalog(ctx, true))
	if _, known := shop.srv.shop.Model().Item("CH-1"); known {
		t.Fatal("the model knows the new product: the test needs a product created after training")
	}
	page, err := shop.db.PageByKey(ctx, models.HomePage)
	must(t, err)
	trending := models.Slot{PageID: page.ID, Position: 4, Type: models.SlotTrending, Title: "Top picks",
		Pins: "CH-2,CH-1", Size: 4, Enabled: true, Locked: true, Audience: "everyone"}
	must(t, shop.db.W.Create(&trending).Error)
	filtered := models.Slot{PageID: page.ID, Position: 5, Type: models.SlotPopular, Title: "Kitchen under 50", Strategy: "popular",
		Category: "kitchen", MaxPrice: 5000, Pins: "CH-3", Size: 4, Enabled: true, Audience: "everyone"}
	must(t, shop.db.W.Create(&filtered).Error)
	_, err = shop.db.PublishDraft(ctx, models.HomePage, "test")
	must(t, err)
	shop.srv.shop.LayoutChanged()
	ch2 := shop.product("CH-2")
	_, doc := shop.newClient().get("/")
	for _, c := range []struct {
		sl  models.Slot
		pin string
	}{{trending, "CH-1"}, {filtered, "CH-3"}} {
		sl, pinned := c.sl, shop.product(c.pin)
		sec := doc.Find(`section[data-slot-id="` + utoa(sl.ID) + `"]`)
		var cards []string
		sec.Find("[data-product-id]").Each(func(_ int, s *goquery.Selection) { cards = append(cards, s.AttrOr("data-product-id", "")) })
		if len(cards) == 0 || cards[0] != utoa(pinned.ID) || !strings.Contains(sec.Text(), "Pinned by our team") {
			t.Errorf("the row %q has cards %v, want the pinned new product %d first; row %q", sl.Title, cards, pinned.ID, sec.Text())
		}
		if slices.Contains(cards, utoa(ch2.ID)) {
			t.Errorf("the row %q shows the sold-out new product %d: %v", sl.Title, ch2.ID, cards)
		}
	}
}

// postSlotForm submits the edit form of slot as a popular slot titled
// title, with fields over the form's own, through hc (c's cookies), and
// reads the answer.
func (s *testShop) postSlotForm(t *testing.T, c *client, hc *http.Client, slot, title string, fields url.Values) (*http.Response, *goquery.Document) {
	t.Helper()
	_, rev := s.draft()
	_, doc := c.get("/admin/layout/slots/" + slot + "/edit")
	form := url.Values{"_csrf": {csrf(doc)}, "revision": {strconv.Itoa(rev)}, "type": {models.SlotPopular}, "title": {title},
		"strategy": {"popular"}, "size": {"4"}, "audience": {"everyone"}, "enabled": {"true"}}
	for k, v := range fields {
		form[k] = v
	}
	res, err := hc.PostForm(s.ts.URL+"/admin/layout/slots/"+slot, form)
	must(t, err)
	defer res.Body.Close()
	doc, err = goquery.NewDocumentFromReader(res.Body)
	must(t, err)
	return res, doc
}
