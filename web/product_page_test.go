package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"storefront/models"
	"storefront/recommender"
	shopsvc "storefront/shop"
)

// A product on sale shows its regular price struck through and the saving,
// on its card and its page; the page lists its details and the shop's
// shipping and returns text; an imported image URL is used and allowed by
// the content security policy.
func TestProductPageSaleDetailsShippingAndImage(t *testing.T) {
	shop := mustOpenShop(t)
	ctx := context.Background()
	p := shop.product("SKU-1")
	must(t, shop.db.W.Exec("UPDATE products SET compare_at_cents = ?, image_url = ? WHERE id = ?",
		p.PriceCents*2, "https://img.example.com/tent.jpg", p.ID).Error)
	st, err := shop.db.ShopSettings(ctx)
	must(t, err)
	st.ShippingText = "Free delivery in 2–3 days on orders over $50.\n\nExpress next day for $9."
	st.ReturnsText = "Return anything within 30 days for a full refund."
	must(t, shop.db.SaveShopSettings(ctx, "test", st))
	shop.srv.shopChanged()
	must(t, shop.srv.shop.RefreshCatalog(ctx, true))

	c := shop.newClient()
	res, doc := c.get(productPath(p))
	if res.StatusCode != 200 {
		t.Fatalf("product page: %d", res.StatusCode)
	}
	price := doc.Find(`[data-testid="product-price"]`)
	if price.Find(`[data-testid="compare-at"]`).Length() != 1 || strings.TrimSpace(price.Find(`[data-testid="discount"]`).Text()) != "-50%" {
		t.Fatalf("sale price block: %q", strings.Join(strings.Fields(price.Text()), " "))
	}
	if !strings.Contains(doc.Find(`[data-testid="saving"]`).Text(), "(50%)") {
		t.Fatalf("saving: %q", doc.Find(`[data-testid="saving"]`).Text())
	}
	details := map[string]string{}
	doc.Find(`[data-testid="product-details"] dt`).Each(func(_ int, dt *goquery.Selection) {
		details[dt.Text()] = strings.TrimSpace(dt.Next().Text())
	})
	if details["Brand"] != p.Brand || details["Item number"] != "SKU-1" || details["Category"] == "" || details["Availability"] == "" {
		t.Errorf("details %v", details)
	}
	ship := doc.Find(`[data-testid="shipping-returns"]`).Text()
	if !strings.Contains(ship, "Free delivery in 2–3 days") || strings.Contains(ship, "Express") || !strings.Contains(ship, "30 days") {
		t.Errorf("shipping and returns block %q: want the first paragraph of each", ship)
	}
	if src := doc.Find(`img.product-image`).AttrOr("src", ""); src != "https://img.example.com/tent.jpg" {
		t.Errorf("image %q, want the imported URL", src)
	}
	if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "img-src 'self' data: https://img.example.com;") {
		t.Errorf("CSP does not allow the imported image's host: %s", csp)
	}

	// The sale page lists it, with the discount on its card.
	_, doc = c.get("/sale")
	card := doc.Find(`[data-testid="product-card"][data-product-id="` + utoa(p.ID) + `"]`)
	if card.Length() != 1 || card.Find(`[data-testid="discount"]`).Text() != "-50%" {
		t.Fatalf("the sale page does not show product %d with its discount", p.ID)
	}
	if res, _ := c.get("/sale?c=no-such-category"); res.StatusCode != 404 {
		t.Fatalf("sale page for an unknown category: %d", res.StatusCode)
	}
	// A product not on sale shows one price.
	var plain models.Product
	must(t, shop.db.R.Where("compare_at_cents = 0 AND active").First(&plain).Error)
	_, doc = c.get(productPath(&plain))
	if doc.Find(`[data-testid="product-price"] [data-testid="compare-at"]`).Length() != 0 || doc.Find(`[data-testid="saving"]`).Length() != 0 {
		t.Fatal("a product without a compare-at price shows a sale")
	}
}

func TestTruncateCountsRunes(t *testing.T) {
	old := func(s string, n int) string { // the former version: every rune converted
		if r := []rune(s); len(r) > n {
			return strings.TrimSpace(string(r[:n-1])) + "…"
		}
		return s
	}
	for _, s := range []string{"", "short", strings.Repeat("é", 10), strings.Repeat("é", 11), strings.Repeat("ab ", 4) + "cdefg", "日本語のテキストです。長い説明", "a\u00a0b c d e f g h"} {
		for _, n := range []int{1, 5, 10, 11, 160} {
			if got, want := truncate(s, n), old(s, n); got != want {
				t.Errorf("truncate(%q, %d) = %q, want %q", s, n, got, want)
			}
		}
	}
}

// relatedOracle ranks a product page's two rows the way the page did before
// they were read from lists ranked once per model: Recommend over the whole
// catalog, AlsoBought and then Similar without the first row, live stock.
func relatedOracle(m *recommender.Model, cat *shopsvc.Catalog, p *models.Product) (bought, similar []string) {
	avail := func(ext string) bool {
		q, ok := cat.ProductByExt(ext)
		return ok && q.InStock()
	}
	exclude := map[string]bool{p.ExternalID: true}
	for _, r := range m.Recommend(recommender.Request{Strategy: recommender.AlsoBought, Anchor: p.ExternalID, N: 8, Exclude: exclude, Available: avail}) {
		q, _ := cat.ProductByExt(r.ItemID)
		bought = append(bought, utoa(q.ID))
		exclude[r.ItemID] = true
	}
	for _, r := range m.Recommend(recommender.Request{Strategy: recommender.Similar, Anchor: p.ExternalID, N: 8, Exclude: exclude, Available: avail}) {
		q, _ := cat.ProductByExt(r.ItemID)
		similar = append(similar, utoa(q.ID))
	}
	return bought, similar
}

// TestProductPageRowsFollowStockAndRetrain checks the "customers also
// bought" and "similar items" rows of a product page against Recommend's
// ranking over the whole catalog: as first served, after one of their
// products sold out (it leaves the row at once, the next candidate takes
// its place) and after a retrain on behaviour that pairs the product with
// other ones (the new model's rows, not the old model's ranked lists).
func TestProductPageRowsFollowStockAndRetrain(t *testing.T) {
	shop := mustOpenShop(t)
	trainShop(t, shop)
	ctx := context.Background()
	srv := shop.srv
	pack := shop.product("SKU-H1")
	visitor := shop.newClient()
	rows := func(stage string) (bought, similar []string) {
		t.Helper()
		srv.shop.Model().PrepareRelated() // the lists the background ranks, ready
		for range 2 {                     // rendered, then from the cached body
			res, doc := visitor.get(productPath(pack))
			if res.StatusCode != http.StatusOK {
				t.Fatalf("%s: product page %d", stage, res.StatusCode)
			}
			bought, similar = cardIDs(doc, `[data-testid="also-bought"]`), cardIDs(doc, `[data-testid="similar"]`)
			wb, ws := relatedOracle(srv.shop.Model(), srv.shop.Catalog(), pack)
			if !slices.Equal(bought, wb) || !slices.Equal(similar, ws) {
				t.Fatalf("%s: the page shows %v / %v, the model ranks %v / %v", stage, bought, similar, wb, ws)
			}
		}
		if len(bought)+len(similar) == 0 {
			t.Fatalf("%s: no related products", stage)
		}
		return bought, similar
	}
	bought, similar := rows("first")

	// A product of the rows sells out.
	gone := append(slices.Clone(bought), similar...)[0]
	id, _ := strconv.ParseUint(gone, 10, 32)
	must(t, shop.db.W.Exec("UPDATE products SET stock = 0 WHERE id = ?", id).Error)
	must(t, srv.shop.ProductsChanged(ctx, uint(id)))
	bought, similar = rows("after a stock-out")
	if slices.Contains(bought, gone) || slices.Contains(similar, gone) {
		t.Fatalf("sold-out product %s still shown", gone)
	}

	// A retrain on behaviour pairing the daypack with tea towels.
	towels := map[string]bool{}
	var events []models.Event
	at := time.Now().Add(-24 * time.Hour)
	for u := range 60 {
		for _, ext := range []string{"SKU-H1", "SKU-K1", "SKU-K2", "SKU-K3", "SKU-K4"} {
			p := shop.product(ext)
			towels[utoa(p.ID)] = ext != "SKU-H1"
			events = append(events, models.Event{UserKey: fmt.Sprintf("towel-fan%d", u), ProductID: &p.ID, Type: models.EventPurchase, CreatedAt: at})
			at = at.Add(time.Second)
		}
	}
	if slices.ContainsFunc(bought, func(id string) bool { return towels[id] }) {
		t.Fatalf("a towel is bought with the daypack before anyone did: %v", bought)
	}
	must(t, shop.db.InsertEvents(ctx, events))
	before := srv.shop.Model()
	cfg := recommender.DefaultConfig()
	cfg.ALS.Factors, cfg.ALS.Iterations, cfg.SVD.Rank = 4, 5, 2
	_, err := shopsvc.TrainAndStore(ctx, shop.db, cfg, nil)
	must(t, err)
	srv.shop.ReloadModel(ctx)
	if srv.shop.Model() == before {
		t.Fatal("the retrained model was not swapped in")
	}
	bought, _ = rows("after a retrain")
	if !slices.ContainsFunc(bought, func(id string) bool { return towels[id] }) {
		t.Fatalf("after the retrain no towel is bought with the daypack: %v", bought)
	}
}

// TestCatalogChangeReachesPolicyAndNavigation checks that the content
// security policy and the category navigation, made once per catalog
// snapshot, follow a catalog change on the very next page: a new department
// shows in the navigation and its product's image host is allowed.
func TestCatalogChangeReachesPolicyAndNavigation(t *testing.T) {
	shop := mustOpenShop(t)
	ctx := context.Background()
	c := shop.newClient()
	navOf := func(doc *goquery.Document) []string {
		var out []string
		doc.Find(`nav.cat-nav a`).Each(func(_ int, a *goquery.Selection) { out = append(out, a.Text()) })
		return out
	}
	res, doc := c.get("/")
	if csp := res.Header.Get("Content-Security-Policy"); strings.Contains(csp, "img.garden.example") || slices.Contains(navOf(doc), "Garden") {
		t.Fatalf("the garden department before it exists: %s, %v", csp, navOf(doc))
	}
	if !slices.Contains(navOf(doc), "Kitchen") {
		t.Fatalf("navigation %v lacks Kitchen", navOf(doc))
	}
	garden := models.Category{Slug: "garden", Name: "Garden"}
	must(t, shop.db.W.Create(&garden).Error)
	must(t, shop.db.W.Create(&models.Product{ExternalID: "SKU-G1", Slug: "rake", Title: "Rake", CategoryID: garden.ID, PriceCents: 1500,
		Stock: 3, Active: true, ImageURL: "https://img.garden.example/rake.jpg"}).Error)
	must(t, shop.srv.shop.RefreshCatalog(ctx, true))
	res, doc = c.get("/")
	if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "img-src 'self' data: https://img.garden.example;") {
		t.Fatalf("the new image host is not allowed after the catalog changed: %s", csp)
	}
	if !slices.Contains(navOf(doc), "Garden") {
		t.Fatalf("navigation %v lacks the new department", navOf(doc))
	}
}

// TestAProductPageDoesNotRecommendWhatTheShopperBought: a shopper who
// bought a product of another product's "similar items" row opens that page
// (served to everyone else from one cached body) and finds the product in
// none of its rows, the rows filled on past it; another shopper and an
// anonymous visitor still see it there.
func TestAProductPageDoesNotRecommendWhatTheShopperBought(t *testing.T) {
	shop := mustOpenShop(t)
	trainShop(t, shop)
	shop.srv.shop.Model().PrepareRelated()
	pack := shop.product("SKU-H1")
	rows := func(c *client) (bought, similar []string) {
		t.Helper()
		res, doc := c.get(productPath(pack))
		if res.StatusCode != http.StatusOK {
			t.Fatalf("product page %d", res.StatusCode)
		}
		return cardIDs(doc, `[data-testid="also-bought"]`), cardIDs(doc, `[data-testid="similar"]`)
	}
	visitor := shop.newClient()
	wantBought, wantSimilar := rows(visitor)
	if len(wantSimilar) == 0 {
		t.Fatal("the daypack's page shows no similar items")
	}
	x := wantSimilar[0]
	xid, _ := strconv.ParseUint(x, 10, 32)

	buyer, ada := loginAs(t, shop, "Ada Buyer", "ada.buyer@example.com")
	other, _ := loginAs(t, shop, "Bob Other", "bob.other@example.com")
	for _, c := range []*client{buyer, other} { // before the purchase: everyone's page holds x
		if _, similar := rows(c); !slices.Contains(similar, x) {
			t.Fatalf("similar row %v lacks %s before anyone bought it", similar, x)
		}
	}
	buyer.post(productPath(pack), "/cart/add", url.Values{"product_id": {x}, "quantity": {"1"}})
	_, doc := buyer.get("/checkout")
	key, _ := doc.Find(`input[name="idempotency_key"]`).Attr("value")
	res := buyer.post("/checkout", "/checkout", url.Values{"idempotency_key": {key}, "cart_digest": {cartDigestIn(doc)}, "name": {"Ada Buyer"}, "email": {"ada.buyer@example.com"},
		"street": {"1 Main St"}, "city": {"Leeds"}, "postcode": {"LS1 4AP"}, "country": {"GB"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("checkout: %d", res.StatusCode)
	}
	if p, err := shop.db.ProductByID(context.Background(), uint(xid)); err != nil || !p.InStock() {
		t.Fatalf("the bought product is no longer in stock (%v): the test needs one that is", err)
	}

	for range 2 { // rendered for the buyer, and again from the cached body's check
		bought, similar := rows(buyer)
		if slices.Contains(bought, x) || slices.Contains(similar, x) {
			t.Fatalf("the buyer is recommended %s, which they bought: %v / %v", x, bought, similar)
		}
		if len(bought)+len(similar) != len(wantBought)+len(wantSimilar) {
			t.Fatalf("the buyer's rows %v / %v are not filled on past %s (everyone's: %v / %v)", bought, similar, x, wantBought, wantSimilar)
		}
	}
	for _, c := range []*client{other, visitor} {
		if bought, similar := rows(c); !slices.Equal(bought, wantBought) || !slices.Equal(similar, wantSimilar) {
			t.Fatalf("another viewer's rows changed with the buyer's purchase: %v / %v, want %v / %v", bought, similar, wantBought, wantSimilar)
		}
	}

	// A purchase the shop's own checkout reports through the events API
	// (the buyer's views since kept what they bought): gone from the rows
	// once it is written.
	if len(wantSimilar) < 2 {
		t.Fatalf("similar row %v: the test needs two products", wantSimilar)
	}
	y := wantSimilar[1]
	yid, _ := strconv.ParseUint(y, 10, 32)
	yp, err := shop.db.ProductByID(context.Background(), uint(yid))
	must(t, err)
	apiKey, _, err := shop.db.CreateAPIKey(context.Background(), "test", "checkout", models.ScopeEvents)
	must(t, err)
	body := fmt.Sprintf(`{"events":[{"user_id":%q,"product_id":%q,"type":"purchase","value":1}]}`, ada.ExternalID, yp.ExternalID)
	if code, out := shop.postEvents(apiKey, body); code != http.StatusAccepted && code != http.StatusOK {
		t.Fatalf("events API: %d %v", code, out)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		bought, similar := rows(buyer)
		if !slices.Contains(bought, y) && !slices.Contains(similar, y) && !slices.Contains(similar, x) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("10 s after the API purchase of %s the buyer's rows hold it: %v / %v", y, bought, similar)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
