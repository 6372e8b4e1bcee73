package web

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/a-h/templ"

	"storefront/templates"
)

// benchHomePage is a homepage view model the size of the demo shop's:
// nine slots of eight cards with reasons.
func benchHomePage() templates.HomePage {
	vm := templates.HomePage{Base: templates.Base{Title: "Storefront", CSRF: "token", ShopperName: "Alex Morgan", CartCount: 2,
		Nav: []templates.NavCategory{{Name: "Outdoor", Slug: "outdoor"}, {Name: "Kitchen", Slug: "kitchen"}, {Name: "Home", Slug: "home"}}},
		ShowReasons: true}
	types := []string{"hero", "recommended", "because_viewed", "trending", "category", "new_arrivals", "collection", "recently_viewed", "popular"}
	for i, t := range types {
		sl := templates.HomeSlot{ID: uint(i + 1), Type: t, Strategy: "hybrid", Title: "Row " + t, Position: i + 1}
		for j := range 8 {
			id := uint(i*8 + j + 1)
			sl.Cards = append(sl.Cards, templates.Card{ID: id, ExternalID: fmt.Sprintf("SKU-%d", id), Title: fmt.Sprintf("Alpine Trail Tent %d", id),
				Brand: "Summit", PriceCents: 12999, InStock: true, URL: fmt.Sprintf("/p/%d-alpine-trail-tent?slot=s%d&pos=%d", id, i+1, j+1),
				Image: fmt.Sprintf("/img/p/%d.svg", id), Reason: "Because you viewed Ridge Dome Tent", Slot: fmt.Sprintf("s%d", i+1), Position: j + 1})
		}
		vm.Slots = append(vm.Slots, sl)
	}
	return vm
}

// BenchmarkRenderHome renders the homepage component into a pooled buffer,
// as render() does.
func BenchmarkRenderHome(b *testing.B) {
	vm := benchHomePage()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		buf := templ.GetBuffer()
		if err := templates.Home(vm).Render(ctx, buf); err != nil {
			b.Fatal(err)
		}
		b.SetBytes(int64(buf.Len()))
		templ.ReleaseBuffer(buf)
	}
}

// BenchmarkHomeHandler serves GET / through the real router and middleware
// (session, visitor cookie, CSRF, layout cache, composition without a
// trained model, impressions) on the test shop.
func BenchmarkHomeHandler(b *testing.B) {
	shop := mustOpenShop(b)
	c := shop.newClient()
	c.get("/") // visitor cookie and caches
	b.ReportAllocs()
	for b.Loop() {
		res, err := c.hc.Get(shop.ts.URL + "/")
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			b.Fatalf("status %d", res.StatusCode)
		}
	}
}

// BenchmarkHomeShopper serves a signed-in shopper's homepage, as the load
// harness's home phase does (cookies, gzip), through the server's handler
// without a network connection: the shop's own work per page (the session
// lookup, middleware, the viewer's kept page, impressions), which
// allocs/op counts.
func BenchmarkHomeShopper(b *testing.B) {
	shop := mustOpenShop(b)
	c, _ := loginAs(b, shop, "Home Shopper", "home-shopper@example.com")
	c.get("/") // the viewer's state and page
	u, _ := url.Parse(shop.ts.URL)
	var cookies []string
	for _, ck := range c.hc.Jar.Cookies(u) {
		cookies = append(cookies, ck.Name+"="+ck.Value)
	}
	h := shop.srv.Handler()
	serve := func() *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.Header.Set("Cookie", strings.Join(cookies, "; "))
		req.Header.Set("Accept-Encoding", "gzip")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	if rec := serve(); rec.Code != http.StatusOK || !strings.Contains(rec.Header().Get("Cache-Control"), "no-store") {
		b.Fatalf("status %d, Cache-Control %q: not a signed-in page", rec.Code, rec.Header().Get("Cache-Control"))
	}
	b.ReportAllocs()
	for b.Loop() {
		serve()
	}
}
