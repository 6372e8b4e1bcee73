package web

import (
	"io"
	"net/http"
	"testing"

	"storefront/models"
)

// An uptime monitor asking HEAD sees what GET would answer, without a body
// and without counting as a visitor.
func TestHeadAnswersLikeGetWithoutABody(t *testing.T) {
	shop := mustOpenShop(t)
	must(t, shop.srv.events.Flush(t.Context()))
	var before int64
	must(t, shop.db.R.Model(&models.Event{}).Count(&before).Error)
	var tent models.Product
	must(t, shop.db.R.Where("external_id = ?", "SKU-1").First(&tent).Error)
	redirect := shop.newClient().do(http.MethodGet, "/p/"+utoa(tent.ID))
	redirect.Body.Close()
	product := redirect.Header.Get("Location") // the product's own address
	if product == "" {
		t.Fatal("/p/<id> does not redirect to the product's address")
	}
	for path, want := range map[string]int{"/": 200, product: 200, "/c/outdoor": 200, "/healthz": 200,
		"/search?q=tent": 200, "/no-such-page": 404, "/c/outdoor/": http.StatusMovedPermanently} {
		c := shop.newClient()
		get := c.do(http.MethodGet, path)
		get.Body.Close()
		res := c.do(http.MethodHead, path)
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != want || get.StatusCode != want {
			t.Errorf("%s: HEAD %d, GET %d, want %d", path, res.StatusCode, get.StatusCode, want)
		}
		if len(body) != 0 {
			t.Errorf("HEAD %s: a body of %d bytes", path, len(body))
		}
		if ct := res.Header.Get("Content-Type"); ct != get.Header.Get("Content-Type") {
			t.Errorf("HEAD %s: Content-Type %q, GET %q", path, ct, get.Header.Get("Content-Type"))
		}
	}
	// The GETs above recorded their views; HEADs add nothing.
	must(t, shop.srv.events.Flush(t.Context()))
	var withGets int64
	must(t, shop.db.R.Model(&models.Event{}).Count(&withGets).Error)
	c := shop.newClient()
	for range 3 {
		for _, p := range []string{"/", product, "/c/outdoor", "/search?q=tent"} {
			c.do(http.MethodHead, p).Body.Close()
		}
	}
	must(t, shop.srv.events.Flush(t.Context()))
	var after int64
	must(t, shop.db.R.Model(&models.Event{}).Count(&after).Error)
	if withGets == before {
		t.Fatal("the GETs recorded no events: the check below proves nothing")
	}
	if after != withGets {
		t.Fatalf("HEAD requests recorded %d events", after-withGets)
	}
}

// do makes a bodiless request with the client's cookies.
func (c *client) do(method, path string) *http.Response {
	c.shop.t.Helper()
	req, err := http.NewRequest(method, c.shop.ts.URL+path, nil)
	must(c.shop.t, err)
	res, err := c.hc.Do(req)
	must(c.shop.t, err)
	return res
}
