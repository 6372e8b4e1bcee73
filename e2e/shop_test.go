package e2e

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"storefront/models"
	"storefront/web"
)

// testPassword is the password of every shopper the fixture creates.
const testPassword = "correct horse battery"

// shop is a running shop on a temporary SQLite file.
type shop struct {
	t   testing.TB
	URL string
	db  *models.DB
	srv *web.Server
	ada *models.Shopper // an existing shopper: ada@example.com / testPassword
}

// startShop builds a small world directly through models — a category tree,
// ten products with stock, a shopper and a published homepage — and serves
// the real router on 127.0.0.1. Cleanup stops the server and closes the
// database. Each edit changes the world before the server loads it.
func startShop(tb testing.TB, edits ...func(db *models.DB)) *shop {
	tb.Helper()
	return startShopWith(tb, nil, edits...)
}

// startShopWith is startShop with the server's configuration changed by
// configure (given the shop's own address) before it starts.
func startShopWith(tb testing.TB, configure func(cfg *web.Config, url string), edits ...func(db *models.DB)) *shop {
	tb.Helper()
	ctx := context.Background()
	db, err := models.Open(filepath.Join(tb.TempDir(), "shop.db"))
	must(tb, err)
	tb.Cleanup(func() { db.Close() })

	outdoor := models.Category{Slug: "outdoor", Name: "Outdoor", Position: 1}
	kitchen := models.Category{Slug: "kitchen", Name: "Kitchen", Position: 2}
	garden := models.Category{Slug: "garden", Name: "Garden", Position: 3}
	for _, c := range []*models.Category{&outdoor, &kitchen, &garden} {
		must(tb, db.W.Create(c).Error)
	}
	tents := models.Category{Slug: "tents", Name: "Tents", ParentID: &outdoor.ID}
	lighting := models.Category{Slug: "lighting", Name: "Lighting", ParentID: &outdoor.ID}
	cookware := models.Category{Slug: "cookware", Name: "Cookware", ParentID: &kitchen.ID}
	for _, c := range []*models.Category{&tents, &lighting, &cookware} {
		must(tb, db.W.Create(c).Error)
	}

	now := time.Now().UTC()
	products := []models.Product{
		{ExternalID: "SKU-1", Slug: "alpine-trail-tent", Title: "Alpine Trail Tent", Brand: "Summit", CategoryID: tents.ID, PriceCents: 19999, Stock: 5, Popularity: 10, Description: "A light two-person tent for three seasons."},
		{ExternalID: "SKU-2", Slug: "ridge-dome-tent", Title: "Ridge Dome Tent", Brand: "Northway", CategoryID: tents.ID, PriceCents: 12950, Stock: 20, Popularity: 8, Description: "Roomy family dome with two porches."},
		{ExternalID: "SKU-3", Slug: "trail-lantern", Title: "Trail Lantern", Brand: "Summit", CategoryID: lighting.ID, PriceCents: 2450, Stock: 12, Popularity: 3, Description: "Rechargeable LED lantern."},
		{ExternalID: "SKU-4", Slug: "headlamp-pro", Title: "Headlamp Pro 400", Brand: "Lumen", CategoryID: lighting.ID, PriceCents: 3490, Stock: 30, Popularity: 6, Description: "400 lumens, red night mode."},
		{ExternalID: "SKU-5", Slug: "two-burner-camp-stove", Title: "Two-Burner Camp Stove with Wind Shields and Carry Case", Brand: "Northway", CategoryID: outdoor.ID, PriceCents: 7450, Stock: 9, Popularity: 4, CreatedAt: now, Description: "Cooks for six. Folds flat."},
		{ExternalID: "SKU-6", Slug: "cast-iron-skillet", Title: "Cast Iron Skillet", Brand: "Hearth", CategoryID: cookware.ID, PriceCents: 3999, Stock: 50, Popularity: 20, Description: "Pre-seasoned 26 cm pan."},
		{ExternalID: "SKU-7", Slug: "enamel-dutch-oven", Title: "Enamel Dutch Oven", Brand: "Hearth", CategoryID: cookware.ID, PriceCents: 8900, Stock: 7, Popularity: 9, Description: "5 litres, oven safe to 260 °C."},
		{ExternalID: "SKU-8", Slug: "chef-knife", Title: "Chef Knife", Brand: "Hearth", CategoryID: kitchen.ID, PriceCents: 5900, Stock: 0, Popularity: 5, Description: "Forged steel blade."},
		{ExternalID: "SKU-9", Slug: "garden-hose", Title: "Garden Hose 25 m", Brand: "Greenway", CategoryID: garden.ID, PriceCents: 2999, Stock: 15, Popularity: 2, Description: "Kink-free, with spray nozzle."},
		{ExternalID: "SKU-10", Slug: "pruning-shears", Title: "Pruning Shears", Brand: "Greenway", CategoryID: garden.ID, PriceCents: 1899, Stock: 40, Popularity: 7, CreatedAt: now.Add(-time.Hour), Description: "Bypass blades for live wood."},
	}
	for i := range products {
		products[i].Active = true
	}
	must(tb, db.W.Create(&products).Error)

	ada, err := db.CreateShopper(ctx, "Ada Shopper", "ada@example.com", testPassword)
	must(tb, err)

	page, err := db.PageByKey(ctx, models.HomePage)
	must(tb, err)
	slots := []models.Slot{
		{PageID: page.ID, Position: 1, Type: models.SlotHero, Title: "Autumn Sale", Subtitle: "Tents and lights for the long nights.", Link: "/c/outdoor", Locked: true, Enabled: true, Size: 3, Audience: "everyone"},
		{PageID: page.ID, Position: 2, Type: models.SlotPopular, Title: "Best sellers", Strategy: "popular", Enabled: true, Size: 4, Audience: "everyone"},
		{PageID: page.ID, Position: 3, Type: models.SlotNewArrivals, Title: "New arrivals", Strategy: "new", Enabled: true, Size: 4, Audience: "everyone"},
		{PageID: page.ID, Position: 4, Type: models.SlotCategory, Title: "For the kitchen", Category: "kitchen", Link: "/c/kitchen", Enabled: true, Size: 4, Audience: "everyone"},
	}
	for i := range slots {
		must(tb, db.W.Create(&slots[i]).Error)
	}
	_, err = db.PublishDraft(ctx, models.HomePage, "e2e")
	must(tb, err)
	// Every visitor is personalized: the control group (5 % by default) is
	// tested on its own, and random visitor ids would put some tests' visitors in it.
	must(tb, db.SetSetting(ctx, "", models.SettingControlPercent, "0"))
	for _, edit := range edits {
		edit(db)
	}

	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	cfg := web.Config{Addr: "127.0.0.1:0", Logger: logger}
	ts := httptest.NewUnstartedServer(nil) // listens on 127.0.0.1 only
	if configure != nil {
		configure(&cfg, "http://"+ts.Listener.Addr().String())
	}
	srv, err := web.New(ctx, cfg, db)
	if err != nil {
		ts.Close()
		tb.Fatal(err)
	}
	ts.Config.Handler = srv.Handler()
	ts.Start()
	tb.Cleanup(func() {
		ts.Close()
		srv.Close(context.Background())
	})
	return &shop{t: tb, URL: ts.URL, db: db, srv: srv, ada: ada}
}

func must(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}

// product reads a product from the database, by SKU.
func (s *shop) product(sku string) *models.Product {
	s.t.Helper()
	p, err := s.db.ProductByExternalID(context.Background(), sku)
	must(s.t, err)
	return p
}

// orderCount is the number of orders in the database.
func (s *shop) orderCount() int64 {
	s.t.Helper()
	var n int64
	must(s.t, s.db.R.Model(&models.Order{}).Count(&n).Error)
	return n
}
