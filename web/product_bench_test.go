package web

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"storefront/models"
)

// BenchmarkProductPage serves one product page through the real router to
// a signed-in shopper who bought nothing (the cached body everyone gets)
// and to one who bought 500 of the shop's products, among them the most
// popular of the page's category, so that the page's rows hold their
// purchases and theirs are made for them.
func BenchmarkProductPage(b *testing.B) {
	shop := mustOpenShop(b)
	ctx := context.Background()
	cat := models.Category{Slug: "bulk", Name: "Bulk"}
	must(b, shop.db.W.Create(&cat).Error)
	var products []models.Product
	for i := range 600 {
		products = append(products, models.Product{ExternalID: fmt.Sprintf("B-%03d", i), Slug: fmt.Sprintf("bulk-item-%d", i),
			Title: fmt.Sprintf("Bulk Item %d", i), Brand: "Bulkco", CategoryID: cat.ID, PriceCents: int64(1000 + i), Stock: 10,
			Active: true, Popularity: float64(1000 - i), Description: "One of many."})
	}
	must(b, shop.db.W.CreateInBatches(&products, 200).Error)
	page := productPath(&products[599])
	at := time.Now().Add(-24 * time.Hour)
	long, sh := loginAs(b, shop, "Long History", "long@example.com")
	fresh, _ := loginAs(b, shop, "No History", "fresh@example.com")
	var events []models.Event
	for i := range 500 {
		id := products[i].ID
		events = append(events, models.Event{UserKey: sh.ExternalID, ProductID: &id, Type: models.EventPurchase, CreatedAt: at.Add(time.Duration(i) * time.Second)})
	}
	must(b, shop.db.InsertEvents(ctx, events))
	must(b, shop.srv.shop.RefreshCatalog(ctx, true))
	for _, v := range []struct {
		name string
		c    *client
	}{{"bought_nothing", fresh}, {"bought_500", long}} {
		b.Run(v.name, func(b *testing.B) {
			v.c.get(page) // the cached body, the buyer's bought set
			b.ReportAllocs()
			for b.Loop() {
				res, err := v.c.hc.Get(shop.ts.URL + page)
				if err != nil {
					b.Fatal(err)
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode != http.StatusOK {
					b.Fatalf("status %d", res.StatusCode)
				}
			}
		})
	}
}

// BenchmarkProductPageVisitor serves one product page's cached body to an
// anonymous visitor who accepts gzip, as the load harness's product phase
// does, through the server's handler without a network connection: the
// shop's own work per view (middleware, the handler, the recorded view),
// which allocs/op counts, the event writer's included.
func BenchmarkProductPageVisitor(b *testing.B) {
	shop := mustOpenShop(b)
	page := productPath(shop.product("SKU-2"))
	res, _ := shop.newClient().get(page)
	var cookies []string
	for _, ck := range res.Cookies() {
		cookies = append(cookies, ck.Name+"="+ck.Value)
	}
	h := shop.srv.Handler()
	serve := func() *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, page, nil)
		req.Header.Set("Cookie", strings.Join(cookies, "; "))
		req.Header.Set("Accept-Encoding", "gzip")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	if rec := serve(); rec.Code != http.StatusOK || rec.Header().Get("Content-Encoding") != "gzip" {
		b.Fatalf("status %d, encoding %q", rec.Code, rec.Header().Get("Content-Encoding"))
	}
	b.ReportAllocs()
	for b.Loop() {
		serve()
	}
}
