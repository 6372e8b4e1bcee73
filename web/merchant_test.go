package web

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"storefront/models"
)

// startShop serves db behind the real router, for tests that need a shop
// other than mustOpenShop's.
func startShop(tb testing.TB, db *models.DB) *testShop {
	tb.Helper()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, err := New(context.Background(), Config{Addr: "127.0.0.1:0", Logger: logger}, db)
	must(tb, err)
	ts := httptest.NewServer(srv.Handler())
	tb.Cleanup(func() {
		ts.Close()
		srv.Close(context.Background())
	})
	return &testShop{t: tb, db: db, srv: srv, ts: ts}
}

// mustOpenBareDB is a shop's database with a catalog and nothing else: no
// layout, no staff, no settings, as after a first import.
func mustOpenBareDB(tb testing.TB) *models.DB {
	tb.Helper()
	db, err := models.Open(filepath.Join(tb.TempDir(), "bare.db"))
	must(tb, err)
	tb.Cleanup(func() { db.Close() })
	for ci, name := range []string{"Garden", "Kitchen", "Toys"} {
		c := models.Category{Slug: models.Slugify(name), Name: name}
		must(tb, db.W.Create(&c).Error)
		for i := range 12 - 3*ci {
			p := models.Product{ExternalID: fmt.Sprintf("%s-%d", c.Slug, i), Slug: fmt.Sprintf("%s-item-%d", c.Slug, i),
				Title: fmt.Sprintf("%s item %d", name, i), Brand: "Acme", CategoryID: c.ID, PriceCents: int64(1000 + i),
				Stock: 10, Active: true, Popularity: float64(i)}
			must(tb, db.W.Create(&p).Error)
		}
	}
	return db
}

func TestImportedShopGetsDefaultHomepage(t *testing.T) {
	shop := startShop(t, mustOpenBareDB(t))
	res, doc := shop.newClient().get("/")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET / = %d", res.StatusCode)
	}
	slots := doc.Find("section[data-slot-id]")
	if slots.Length() < 4 {
		t.Fatalf("homepage shows %d slots, want the default rows filled from the catalog", slots.Length())
	}
	if doc.Find(`section[data-slot-type="hero"] a[href="/c/garden"]`).Length() == 0 {
		t.Error("the hero does not lead to the largest department, /c/garden")
	}
	if n := doc.Find("[data-product-id]").Length(); n < 8 {
		t.Errorf("homepage shows %d products, want full rows", n)
	}
	_, v, err := shop.db.PublishedLayout(context.Background(), models.HomePage)
	must(t, err)
	if v == nil || v.Author != models.SystemActor || v.Number != 1 {
		t.Fatalf("published version %+v, want version 1 by system", v)
	}
}
