package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"storefront/models"
)

func TestPagesRender(t *testing.T) {
	shop := mustOpenShop(t)
	c := shop.newClient()
	tent := shop.product("SKU-1")
	tests := []struct {
		name, path string
		status     int
		selector   string
	}{
		{"homepage slots", "/", 200, `section[data-slot-id][data-slot-type="popular"][data-strategy="popular"] [data-product-id]`},
		{"category with children", "/c/outdoor", 200, `[data-testid="subcategories"] a[href="/c/tents"]`},
		{"product", productPath(tent), 200, `[data-testid="product-title"]`},
		{"search", "/search?q=tent", 200, `[data-product-id]`},
		{"cart", "/cart", 200, `[data-testid="cart-empty"]`},
		{"login", "/login", 200, `form input[name="_csrf"]`},
		{"missing page", "/no/such/page", 404, `[data-testid="error-page"]`},
		{"missing product", "/p/99999", 404, `[data-testid="error-page"]`},
		{"missing category", "/c/nope", 404, `[data-testid="error-page"]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, doc := c.get(tt.path)
			if res.StatusCode != tt.status {
				t.Fatalf("GET %s: status %d, want %d", tt.path, res.StatusCode, tt.status)
			}
			if doc.Find(tt.selector).Length() == 0 {
				t.Fatalf("GET %s: no %s", tt.path, tt.selector)
			}
		})
	}
}

func TestProductSlugRedirectsToCanonical(t *testing.T) {
	shop := mustOpenShop(t)
	tent := shop.product("SKU-1")
	res, _ := shop.newClient().get("/p/" + utoa(tent.ID))
	if res.StatusCode != http.StatusMovedPermanently || res.Header.Get("Location") != productPath(tent) {
		t.Fatalf("got %d to %q, want 301 to %q", res.StatusCode, res.Header.Get("Location"), productPath(tent))
	}
}

func TestCategoryFiltersAndSort(t *testing.T) {
	shop := mustOpenShop(t)
	c := shop.newClient()
	tests := []struct {
		query string
		want  []string
	}{
		{"sort=price_asc", []string{"Trail Lantern", "Ridge Dome Tent", "Alpine Trail Tent"}},
		{"sort=price_desc", []string{"Alpine Trail Tent", "Ridge Dome Tent", "Trail Lantern"}},
		{"brand=Summit&sort=price_asc", []string{"Trail Lantern", "Alpine Trail Tent"}},
		{"min=100&max=150", []string{"Ridge Dome Tent"}},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			_, doc := c.get("/c/outdoor?" + tt.query)
			var got []string
			doc.Find(".card-title").Each(func(_ int, s *goquery.Selection) { got = append(got, s.Text()) })
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestSearchTypoAndEmpty(t *testing.T) {
	shop := mustOpenShop(t)
	c := shop.newClient()
	_, doc := c.get("/search?q=skilet")
	if !strings.Contains(doc.Find(".card-title").First().Text(), "Skillet") {
		t.Fatalf("typo search did not find the skillet: %q", doc.Find("main").Text())
	}
	if doc.Find(`[data-testid="suggestion"]`).Length() == 0 {
		t.Fatal("typo search shows no suggestion")
	}
	_, doc = c.get("/search?q=zzzzqqq")
	if doc.Find(`[data-testid="no-results"]`).Length() == 0 {
		t.Fatalf("no-result search does not say so: %s", doc.Find("main").Text())
	}
	_, doc = c.get("/search?q=")
	if doc.Find(`[data-testid="search-empty"]`).Length() == 0 || doc.Find(".chip").Length() == 0 {
		t.Fatal("empty search does not suggest anything")
	}
}

func TestCartCheckoutAndOrders(t *testing.T) {
	shop := mustOpenShop(t)
	c := shop.newClient()
	tent := shop.product("SKU-1")
	res := c.post(productPath(tent), "/cart/add", url.Values{"product_id": {utoa(tent.ID)}, "quantity": {"2"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("add to cart: %d", res.StatusCode)
	}
	_, doc := c.get("/cart")
	if got := doc.Find(`[data-testid="cart-total"]`).Text(); got != "$399.98" {
		t.Fatalf("cart total %q, want $399.98", got)
	}
	// Checkout needs an account: logging in keeps the anonymous cart.
	res = c.post("/login", "/login", url.Values{"email": {"ada@example.com"}, "password": {testPassword}, "next": {"/checkout"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/checkout" {
		t.Fatalf("login: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	_, doc = c.get("/checkout")
	key, _ := doc.Find(`input[name="idempotency_key"]`).Attr("value")
	form := url.Values{"_csrf": {csrf(doc)}, "idempotency_key": {key}, "cart_digest": {cartDigestIn(doc)}, "name": {"Ada"}, "email": {"ada@example.com"},
		"street": {"1 Main St"}, "city": {"Springfield"}, "postcode": {"12345"}, "country": {"USA"}}

	// A missing field is shown next to the field and nothing is ordered.
	bad := url.Values{}
	for k, v := range form {
		bad[k] = v
	}
	bad.Set("city", "")
	res = c.post("/checkout", "/checkout", bad)
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("invalid checkout: %d", res.StatusCode)
	}

	res = c.post("/checkout", "/checkout", form)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("checkout: %d", res.StatusCode)
	}
	// Submitting the same form again finds the same order.
	again := c.post("/checkout", "/checkout", form)
	if again.Header.Get("Location") != res.Header.Get("Location") {
		t.Fatalf("double submit went to %q, first to %q", again.Header.Get("Location"), res.Header.Get("Location"))
	}
	_, doc = c.follow(res)
	if doc.Find(`[data-testid="order-confirmed"]`).Length() == 0 {
		t.Fatal("no confirmation")
	}
	_, doc = c.get("/orders")
	if n := doc.Find(`[data-testid="order"]`).Length(); n != 1 {
		t.Fatalf("%d orders listed, want 1", n)
	}
	if got := shop.product("SKU-1").Stock; got != 3 {
		t.Fatalf("stock %d after buying 2 of 5, want 3", got)
	}
	// Another shopper cannot see the order.
	other := shop.newClient()
	_, err := shop.db.CreateShopper(context.Background(), "Bob", "bob@example.com", testPassword)
	must(t, err)
	other.post("/login", "/login", url.Values{"email": {"bob@example.com"}, "password": {testPassword}})
	if r, _ := other.get(res.Header.Get("Location")); r.StatusCode != http.StatusNotFound {
		t.Fatalf("another shopper's order: %d, want 404", r.StatusCode)
	}
}

func TestFormsRejectMissingCSRF(t *testing.T) {
	shop := mustOpenShop(t)
	c := shop.newClient()
	c.get("/")
	tent := shop.product("SKU-1")
	res := c.post("/", "/cart/add", url.Values{"_csrf": {"forged"}, "product_id": {utoa(tent.ID)}, "quantity": {"1"}})
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("forged POST: %d, want 403", res.StatusCode)
	}
}

func TestEventsAreRecorded(t *testing.T) {
	shop := mustOpenShop(t)
	c := shop.newClient()
	tent := shop.product("SKU-1")
	c.get(productPath(tent) + "?slot=s2&pos=1")
	c.get("/search?q=tent")
	must(t, shop.srv.events.Close(context.Background()))
	var types []string
	must(t, shop.db.R.Table("events").Order("id").Pluck("type", &types).Error)
	want := "click,view,search"
	if strings.Join(types, ",") != want {
		t.Fatalf("events %v, want %s", types, want)
	}
	_ = time.Second
}

func TestServerErrorPageShowsRequestID(t *testing.T) {
	shop := mustOpenShop(t)
	c := shop.newClient()
	c.get("/")
	r, err := shop.db.R.DB()
	must(t, err)
	must(t, r.Close()) // every read now fails
	res, doc := c.get("/cart")
	if res.StatusCode != http.StatusInternalServerError {
		t.Fatalf("GET /cart with the database gone: %d, want 500", res.StatusCode)
	}
	id := doc.Find(`[data-testid="request-id"]`).Text()
	if id == "" || id != res.Header.Get("X-Request-Id") {
		t.Fatalf("error page shows request id %q, header has %q", id, res.Header.Get("X-Request-Id"))
	}
	if body := doc.Text(); strings.Contains(body, "goroutine") || strings.Contains(body, "database is closed") || strings.Contains(body, ".go:") {
		t.Fatal("the error page leaks internals")
	}
}

func TestCatalogRefreshOnlyWhenChanged(t *testing.T) {
	shop := mustOpenShop(t)
	ctx := context.Background()
	before := shop.srv.shop.Catalog()
	must(t, shop.srv.shop.RefreshCatalog(ctx, false))
	if shop.srv.shop.Catalog() != before {
		t.Fatal("an unchanged catalog was rebuilt")
	}
	tent := shop.product("SKU-1")
	time.Sleep(5 * time.Millisecond) // a later updated_at
	must(t, shop.db.UpdateProductAdmin(ctx, "test", tent.ID, models.ProductEdit{PriceCents: tent.PriceCents, CompareAtCents: tent.CompareAtCents, Stock: 0, Active: true}, nil))
	must(t, shop.srv.shop.RefreshCatalog(ctx, false))
	after := shop.srv.shop.Catalog()
	if after == before {
		t.Fatal("a stock change did not refresh the catalog")
	}
	if p, _ := after.Product(tent.ID); p.InStock() {
		t.Fatal("the refreshed catalog still shows the tent in stock")
	}
}
