package web

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"storefront/models"
	"storefront/recommender"
	shopsvc "storefront/shop"
)

// TestMagentoVisibilityDecidesWhereAShopperFindsAProduct: a shop imported
// from a Magento 2 export lists a product "Catalog" in its category but
// does not find it by search, finds a product "Search" by search but does
// not list it, and shows a product "Not Visible Individually" that no
// configurable product lists nowhere, as Magento did.
func TestMagentoVisibilityDecidesWhereAShopperFindsAProduct(t *testing.T) {
	shop := startImportedShop(t, "id,product_type,title,description,category,brand,visibility,price,compare_at_price,stock,created_at\n"+
		"LID-1,simple,Replacement Teapot Lid,,Kitchen/Teapots,Fern,Not Visible Individually,4,,40,\n"+
		"GIFT-1,simple,Gift Card Sleeve,,Kitchen/Teapots,Fern,Search,2,3,40,\n"+
		"BED-1,simple,Tasselled Teapot Cosy,,Kitchen/Teapots,Fern,Catalog,24,30,4,\n"+
		"POT-1,simple,Stoneware Teapot,,Kitchen/Teapots,Fern,\"Catalog, Search\",29,,5,\n", "")
	visitor := shop.newClient()
	on := func(path string) map[string]bool {
		t.Helper()
		res, doc := visitor.get(path)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", path, res.StatusCode)
		}
		got := map[string]bool{}
		for _, id := range cardIDs(doc, "main") {
			got[id] = true
		}
		return got
	}
	id := func(ext string) string { return utoa(shop.product(ext).ID) }
	listed := on("/c/teapots")
	if !listed[id("POT-1")] || !listed[id("BED-1")] || listed[id("GIFT-1")] || listed[id("LID-1")] {
		t.Errorf("the category lists %v; want the teapot and the cosy only", listed)
	}
	// The sale page lists like a category: the cosy (listed, not
	// searched), not the sleeve (searched, not listed), both on sale.
	onSale := on("/sale")
	if !onSale[id("BED-1")] || onSale[id("GIFT-1")] {
		t.Errorf("the sale page lists %v; want the cosy and not the sleeve", onSale)
	}
	for q, want := range map[string]map[string]bool{
		"sleeve": {"GIFT-1": true},
		"cosy":   {"BED-1": false},
		"lid":    {"LID-1": false},
		"teapot": {"POT-1": true, "BED-1": false},
	} {
		found := on("/search?q=" + q)
		for ext, w := range want {
			if found[id(ext)] != w {
				t.Errorf("a search for %q finds %s: %v, want %v", q, ext, found[id(ext)], w)
			}
		}
	}
}

// TestRowsOfRecommendationsShowOnlyWhatTheCatalogLists: a row of
// recommendations is a listing, as Magento's related, up-sell and
// cross-sell blocks are: a product an import marked "Search" (found by
// search only) is in no row (the homepage's, a department's, a product
// page's, the API's), before and after training, however well it sells;
// a department whose products are all "Search" gets no homepage row
// leading to its page, which is not found; the slot editor refuses to pin
// such a product and says why. A shopper who found it by search and
// viewed it still sees it among the recently viewed.
func TestRowsOfRecommendationsShowOnlyWhatTheCatalogLists(t *testing.T) {
	products := "id,title,description,category,brand,visibility,price,stock,created_at\n"
	for i := range 8 {
		products += fmt.Sprintf("POT-%d,Stoneware Teapot %d,,Kitchen/Teapots,Fern,\"Catalog, Search\",%d,20,2025-01-01T00:00:00Z\n", i, i, 20+i)
		products += fmt.Sprintf("MUG-%d,Enamel Mug %d,,Kitchen/Mugs,Fern,Catalog,%d,20,2025-01-01T00:00:00Z\n", i, i, 8+i)
		products += fmt.Sprintf("TOWEL-%d,Linen Towel %d,,Bath/Towels,Fern,,%d,20,2025-01-01T00:00:00Z\n", i, i, 12+i)
	}
	hidden := []string{"GIFT-1", "GIFT-2", "CARD-1", "CARD-2", "CARD-3"}
	products += "GIFT-1,Gift Card Sleeve,,Kitchen/Teapots,Fern,Search,2,50,2025-01-01T00:00:00Z\n" +
		"GIFT-2,Gift Wrap Sheet,,Kitchen/Mugs,Fern,Search,1,50,2025-01-01T00:00:00Z\n"
	for i := 1; i <= 3; i++ {
		products += fmt.Sprintf("CARD-%d,Greeting Card %d,,Cards/Birthday,Inkwell,Search,3,50,2025-01-01T00:00:00Z\n", i, i)
	}
	events := "user_id,product_id,type,timestamp\n"
	at := time.Now().UTC().AddDate(0, 0, -20)
	for u := range 60 {
		// Everyone buys the search-only products: the shop's best sellers.
		for k, ext := range append([]string{fmt.Sprintf("POT-%d", u%8), fmt.Sprintf("MUG-%d", u%8), fmt.Sprintf("TOWEL-%d", (u+3)%8)}, hidden...) {
			typ := "view"
			if k >= 3 || u%3 == 0 {
				typ = "purchase"
			}
			events += fmt.Sprintf("u%d,%s,%s,%s\n", u, ext, typ, at.Add(time.Duration(u*20+k)*time.Minute).Format(time.RFC3339))
		}
	}
	ctx := context.Background()
	shop := startImportedShop(t, products, events)
	db := shop.db
	isHidden := map[string]bool{}
	for _, ext := range hidden {
		isHidden[utoa(shop.product(ext).ID)] = true
	}
	check := func(when string) {
		t.Helper()
		visitor := shop.newClient()
		res, doc := visitor.get("/")
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s: homepage %d", when, res.StatusCode)
		}
		if n := doc.Find("[data-product-id]").Length(); n < 8 {
			t.Fatalf("%s: the homepage shows %d products", when, n)
		}
		doc.Find("[data-product-id]").Each(func(_ int, card *goquery.Selection) {
			if id := card.AttrOr("data-product-id", ""); isHidden[id] {
				t.Errorf("%s: the homepage's row %q shows product %s, found by search only", when, card.Closest("section").Find("h2").First().Text(), id)
			}
		})
		if doc.Find(`section[data-slot-id] a[href="/c/cards"]`).Length() > 0 {
			t.Errorf("%s: the homepage has a row leading to /c/cards, whose products are all found by search only", when)
		}
		if res, _ := visitor.get("/c/cards"); res.StatusCode != http.StatusNotFound {
			t.Errorf("%s: /c/cards answers %d, want 404", when, res.StatusCode)
		}
		res, doc = visitor.get(productPath(shop.product("POT-1")))
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s: product page %d", when, res.StatusCode)
		}
		if n := doc.Find("main [data-product-id]").Length(); n == 0 {
			t.Errorf("%s: the product page shows no row", when)
		}
		doc.Find("main [data-product-id]").Each(func(_ int, card *goquery.Selection) {
			if id := card.AttrOr("data-product-id", ""); isHidden[id] {
				t.Errorf("%s: the teapot's page shows product %s, found by search only, in a row", when, id)
			}
		})
		for _, user := range []string{"u1", "stranger"} {
			recs, err := shop.srv.shop.RecommendFor(ctx, recommender.Request{User: user, N: 20, Strategy: recommender.Hybrid, ExcludeSeen: true})
			must(t, err)
			if len(recs) == 0 {
				t.Errorf("%s: nothing recommended to %s", when, user)
			}
			for _, r := range recs {
				if slices.Contains(hidden, r.ItemID) {
					t.Errorf("%s: %s is recommended %s, found by search only", when, user, r.ItemID)
				}
			}
		}
	}
	check("before training")
	cfg := recommender.DefaultConfig()
	cfg.ALS.Factors, cfg.ALS.Iterations, cfg.SVD.Rank = 4, 5, 2
	_, err := shopsvc.TrainAndStore(ctx, db, cfg, nil)
	must(t, err)
	shop.srv.shop.ReloadModel(ctx)
	check("after training")

	// Found by search and viewed: among the recently viewed, as the
	// shopper's own history.
	visitor := shop.newClient()
	if _, doc := visitor.get("/search?q=sleeve"); doc.Find(`main [data-product-id="`+utoa(shop.product("GIFT-1").ID)+`"]`).Length() == 0 {
		t.Fatal("a search for the sleeve does not find it")
	}
	visitor.get(productPath(shop.product("GIFT-1")))
	must(t, shop.srv.events.Flush(ctx))
	_, doc := visitor.get("/")
	if doc.Find(`section[data-slot-type="recently_viewed"] [data-product-id="`+utoa(shop.product("GIFT-1").ID)+`"]`).Length() == 0 {
		t.Error("the sleeve the visitor viewed is not among the recently viewed")
	}

	// The slot editor says which categories no row can fill, and refuses
	// to pin a product found by search only.
	admin := shop.staffClient("admin")
	_, newForm := admin.get("/admin/layout/slots/new")
	if got := strings.TrimSpace(newForm.Find(`select[name="category"] option[value="cards"]`).Text()); !strings.Contains(got, "found by search only") {
		t.Errorf("the slot form offers the department of search-only cards as %q", got)
	}
	if got := strings.TrimSpace(newForm.Find(`select[name="category"] option[value="kitchen"]`).Text()); got != "Kitchen" {
		t.Errorf("the slot form offers Kitchen as %q", got)
	}
	slots, _, err := db.DraftSlots(ctx, models.HomePage)
	must(t, err)
	var row *models.Slot
	for i := range slots {
		if slots[i].Type == models.SlotTrending || slots[i].Type == models.SlotRecommended {
			row = &slots[i]
			break
		}
	}
	if row == nil {
		t.Fatalf("no trending or personal slot in %+v", slots)
	}
	_, edit := admin.get("/admin/layout/slots/" + utoa(row.ID) + "/edit")
	form := url.Values{"_csrf": {csrf(edit)}}
	edit.Find(`[data-testid="slot-form"] input[name], [data-testid="slot-form"] select[name], [data-testid="slot-form"] textarea[name]`).Each(func(_ int, in *goquery.Selection) {
		name := in.AttrOr("name", "")
		switch {
		case name == "_csrf":
		case goquery.NodeName(in) == "select":
			form.Set(name, in.Find("option[selected]").AttrOr("value", ""))
		case in.AttrOr("type", "") == "checkbox" || in.AttrOr("type", "") == "radio":
			if _, on := in.Attr("checked"); on {
				form.Add(name, in.AttrOr("value", "on"))
			}
		case goquery.NodeName(in) == "textarea":
			form.Set(name, in.Text())
		default:
			form.Set(name, in.AttrOr("value", ""))
		}
	})
	form.Set("pins", "GIFT-1")
	res, err := admin.hc.PostForm(shop.ts.URL+"/admin/layout/slots/"+utoa(row.ID), form)
	must(t, err)
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(body), "found by search only") {
		t.Errorf("pinning the sleeve: %d, want 422 saying it is found by search only", res.StatusCode)
	}
}
