package web

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"storefront/models"
	"storefront/seed"
)

// testShop is a small shop on a temporary SQLite file behind the real router.
type testShop struct {
	t   testing.TB
	db  *models.DB
	srv *Server
	ts  *httptest.Server
}

const testPassword = "correct horse battery"

// mustOpenShop creates a database with two categories, a few products, a
// shopper and a published homepage layout, and starts the server.
func mustOpenShop(tb testing.TB) *testShop {
	tb.Helper()
	db, done, err := models.OpenScratch(tb.TempDir(), "shop.db")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(done)
	ctx := context.Background()
	outdoor := models.Category{Slug: "outdoor", Name: "Outdoor"}
	must(tb, db.W.Create(&outdoor).Error)
	tents := models.Category{Slug: "tents", Name: "Tents", ParentID: &outdoor.ID}
	kitchen := models.Category{Slug: "kitchen", Name: "Kitchen"}
	must(tb, db.W.Create(&tents).Error)
	must(tb, db.W.Create(&kitchen).Error)
	hiking := models.Category{Slug: "hiking", Name: "Hiking"}
	must(tb, db.W.Create(&hiking).Error)
	now := time.Now().UTC()
	products := []models.Product{
		{ExternalID: "SKU-1", Slug: "alpine-trail-tent", Title: "Alpine Trail Tent", Brand: "Summit", CategoryID: tents.ID, PriceCents: 19999, Stock: 5, Active: true, Popularity: 10, Description: "A light two-person tent."},
		{ExternalID: "SKU-2", Slug: "ridge-dome-tent", Title: "Ridge Dome Tent", Brand: "Northway", CategoryID: tents.ID, PriceCents: 12950, Stock: 20, Active: true, Popularity: 8, Description: "Roomy family dome."},
		{ExternalID: "SKU-3", Slug: "cast-iron-skillet", Title: "Cast Iron Skillet", Brand: "Hearth", CategoryID: kitchen.ID, PriceCents: 3999, Stock: 50, Active: true, Popularity: 20, Description: "Pre-seasoned 26 cm pan."},
		{ExternalID: "SKU-4", Slug: "chef-knife", Title: "Chef Knife", Brand: "Hearth", CategoryID: kitchen.ID, PriceCents: 5900, Stock: 0, Active: true, Popularity: 5, Description: "Forged steel blade."},
		{ExternalID: "SKU-5", Slug: "trail-lantern", Title: "Trail Lantern", Brand: "Summit", CategoryID: outdoor.ID, PriceCents: 2450, Stock: 12, Active: true, Popularity: 3, CreatedAt: now, Description: "Rechargeable LED lantern."},
	}
	for i := 1; i <= 12; i++ {
		products = append(products, models.Product{ExternalID: fmt.Sprintf("SKU-K%d", i), Slug: fmt.Sprintf("linen-tea-towel-%d", i),
			Title: fmt.Sprintf("Linen Tea Towel No. %d", i), Brand: "Hearth", CategoryID: kitchen.ID, PriceCents: int64(900 + i*100),
			Stock: 30, Active: true, Popularity: float64(i) / 10, CreatedAt: now.AddDate(0, 0, -i), Description: "Woven linen towel."})
	}
	for i := 1; i <= 8; i++ {
		products = append(products, models.Product{ExternalID: fmt.Sprintf("SKU-H%d", i), Slug: fmt.Sprintf("ridge-daypack-%d", i),
			Title: fmt.Sprintf("Ridge Daypack %d L", 10+i*5), Brand: "Packwell", CategoryID: hiking.ID, PriceCents: int64(4000 + i*500),
			Stock: 15, Active: true, Popularity: float64(i) / 20, CreatedAt: now.AddDate(0, -1, -i), Description: "Hiking daypack."})
	}
	must(tb, db.W.Create(&products).Error)
	_, err = db.CreateShopper(ctx, "Ada Shopper", "ada@example.com", testPassword)
	must(tb, err)
	page, err := db.PageByKey(ctx, models.HomePage)
	must(tb, err)
	slots := []models.Slot{
		{PageID: page.ID, Position: 1, Type: models.SlotHero, Title: "Autumn Sale", Link: "/c/outdoor", Locked: true, Enabled: true, Size: 3, Audience: "everyone"},
		{PageID: page.ID, Position: 2, Type: models.SlotPopular, Title: "Best sellers", Strategy: "popular", Enabled: true, Size: 4, Audience: "everyone"},
		{PageID: page.ID, Position: 3, Type: models.SlotNewArrivals, Title: "New arrivals", Strategy: "new", Enabled: true, Size: 4, Audience: "everyone"},
	}
	must(tb, db.W.Create(&slots).Error)
	_, err = db.PublishDraft(ctx, models.HomePage, "test")
	must(tb, err)
	// Every visitor is personalized: the control group (5 % by default) is
	// tested on its own, and random visitor ids would put some tests' visitors in it.
	must(tb, db.SetSetting(ctx, "", models.SettingControlPercent, "0"))

	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, err := New(ctx, Config{Addr: "127.0.0.1:0", Logger: logger}, db)
	must(tb, err)
	ts := httptest.NewServer(srv.Handler())
	tb.Cleanup(func() {
		ts.Close()
		srv.Close(context.Background())
	})
	return &testShop{t: tb, db: db, srv: srv, ts: ts}
}

func must(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}

// client is a browser-like HTTP client with cookies that does not follow
// redirects, so tests can assert where they point.
type client struct {
	shop *testShop
	hc   *http.Client
}

func (s *testShop) newClient() *client {
	jar, _ := cookiejar.New(nil)
	return &client{shop: s, hc: &http.Client{Jar: jar, Transport: s.ts.Client().Transport, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// get fetches a page and parses it.
func (c *client) get(path string) (*http.Response, *goquery.Document) {
	c.shop.t.Helper()
	res, err := c.hc.Get(c.shop.ts.URL + path)
	must(c.shop.t, err)
	defer res.Body.Close()
	doc, err := goquery.NewDocumentFromReader(res.Body)
	must(c.shop.t, err)
	return res, doc
}

// csrf reads the CSRF token from a page's first form.
func csrf(doc *goquery.Document) string {
	v, _ := doc.Find(`input[name="_csrf"]`).First().Attr("value")
	return v
}

// post submits a form with the CSRF token taken from the page at from.
func (c *client) post(from, path string, form url.Values) *http.Response {
	c.shop.t.Helper()
	_, doc := c.get(from)
	if form == nil {
		form = url.Values{}
	}
	if form.Get("_csrf") == "" {
		form.Set("_csrf", csrf(doc))
	}
	req, err := http.NewRequest(http.MethodPost, c.shop.ts.URL+path, strings.NewReader(form.Encode()))
	must(c.shop.t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := c.hc.Do(req)
	must(c.shop.t, err)
	res.Body.Close()
	return res
}

// checkout places an order of the cart c holds, delivered to name at
// email, and fails the test unless the checkout is accepted.
func (c *client) checkout(name, email string) {
	c.shop.t.Helper()
	_, doc := c.get("/checkout")
	key, _ := doc.Find(`input[name="idempotency_key"]`).Attr("value")
	form := url.Values{"idempotency_key": {key}, "cart_digest": {cartDigestIn(doc)}, "name": {name}, "email": {email},
		"street": {"1 Main St"}, "city": {"Springfield"}, "postcode": {"12345"}, "country": {"USA"}}
	if res := c.post("/checkout", "/checkout", form); res.StatusCode != http.StatusSeeOther {
		c.shop.t.Fatalf("checkout: %d", res.StatusCode)
	}
}

// follow GETs the Location of a redirect.
func (c *client) follow(res *http.Response) (*http.Response, *goquery.Document) {
	c.shop.t.Helper()
	loc := res.Header.Get("Location")
	if loc == "" {
		c.shop.t.Fatalf("expected a redirect, got %d", res.StatusCode)
	}
	return c.get(loc)
}

// cartDigestIn is the cart digest a checkout page carries in its form.
func cartDigestIn(doc *goquery.Document) string {
	v, _ := doc.Find(`input[name="cart_digest"]`).Attr("value")
	return v
}

// shownCart opens the checkout page, as a browser does before the form is
// sent, and gives the digest of the cart it shows ("" for an empty cart).
func (c *client) shownCart() string {
	c.shop.t.Helper()
	_, doc := c.get("/checkout")
	return cartDigestIn(doc)
}

func (s *testShop) product(ext string) *models.Product {
	s.t.Helper()
	p, err := s.db.ProductByExternalID(context.Background(), ext)
	must(s.t, err)
	return p
}

func productPath(p *models.Product) string { return fmt.Sprintf("/p/%d-%s", p.ID, p.Slug) }

// startImportedShop imports products (a products file's text) and, unless
// events is "", events into a new shop on a temporary SQLite file, as
// `storefront import` does, and serves it.
func startImportedShop(tb testing.TB, products, events string) *testShop {
	tb.Helper()
	db, done, err := models.OpenScratch(tb.TempDir(), "shop.db")
	must(tb, err)
	tb.Cleanup(done)
	dir := tb.TempDir()
	opts := seed.ImportOptions{Products: filepath.Join(dir, "products.csv")}
	must(tb, os.WriteFile(opts.Products, []byte(products), 0o600))
	if events != "" {
		opts.Events = filepath.Join(dir, "events.csv")
		must(tb, os.WriteFile(opts.Events, []byte(events), 0o600))
	}
	if _, err := seed.ImportWith(context.Background(), db, opts, io.Discard); err != nil {
		tb.Fatal(err)
	}
	return startShop(tb, db)
}

// importDone reads an import's progress page until the import is done
// and returns that page; the test fails if it failed or took over 20 s.
func (c *client) importDone(jobPage string) *goquery.Document {
	t := c.shop.t
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		_, doc := c.get(jobPage)
		state, _ := doc.Find(`[data-testid="import-job"]`).Attr("data-state")
		if state == "done" {
			return doc
		}
		if state == "failed" || time.Now().After(deadline) {
			t.Fatalf("import state %q: %s", state, doc.Find(`[data-testid="import-failure"]`).Text())
		}
	}
}
