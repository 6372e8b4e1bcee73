package e2e

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"storefront/models"
	"storefront/web"
)

// TestAShopperPlacesTheOrderAgainAfterTheShopWasBusy: the shop is too busy
// to place an order within its request's time. The shopper sees the
// checkout page again with the message, the address they typed and a
// button to place the order again; the shop has recovered when they click
// it, and the order is placed once, the stock taken once.
//
// The shop is two instances on one database behind one address: the
// first order goes to an instance whose requests have less time than
// placing an order leaves for its answer (models.CheckoutAnswerReserve),
// so it is always too busy to place one; every request after it goes to
// an instance with the usual time.
func TestAShopperPlacesTheOrderAgainAfterTheShopWasBusy(t *testing.T) {
	t.Parallel()
	s := startShop(t)
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	busySrv, err := web.New(ctx, web.Config{Addr: "127.0.0.1:0", Logger: quiet, PageTimeout: models.CheckoutAnswerReserve * 3 / 4}, s.db)
	must(t, err)
	busy := httptest.NewServer(busySrv.Handler()) // 127.0.0.1 only
	t.Cleanup(func() {
		busy.Close()
		busySrv.Close(context.Background())
	})

	var recovered atomic.Bool
	proxyTo := func(raw string) *httputil.ReverseProxy {
		u, err := url.Parse(raw)
		must(t, err)
		return &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(u)
			r.Out.Host = r.In.Host // one shop's address to both instances
		}}
	}
	usual, slow := proxyTo(s.URL), proxyTo(busy.URL)
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.URL.Path == "/checkout" && !recovered.Swap(true) {
			slow.ServeHTTP(w, r)
			return
		}
		usual.ServeHTTP(w, r)
	}))
	t.Cleanup(front.Close)
	shop := *s
	shop.URL = front.URL

	lantern := s.product("SKU-3")
	b := newBrowser(t, &shop)
	b.checkOut(lantern, "ada@example.com")
	b.fill(`#street`, "10 Downing Street", `#city`, "London", `#postcode`, "SW1A 2AA", `#country`, "United Kingdom")
	first := b.value(`input[name="idempotency_key"]`)

	b.follow(`[data-testid="place-order"]`, `[data-testid="checkout-error"]`)
	b.shotWidths("checkout-busy")
	if got := b.text(`[data-testid="checkout-error"]`); !strings.Contains(got, "Nothing was ordered and nothing was charged") {
		t.Fatalf("the busy answer says %q", got)
	}
	want := fmt.Sprintf("Pay $%d.%02d and place the order again", lantern.PriceCents/100, lantern.PriceCents%100)
	if got := strings.Join(strings.Fields(b.text(`[data-testid="place-order"]`)), " "); got != want {
		t.Fatalf("the busy answer's button says %q, want %q", got, want)
	}
	if got := b.value(`#street`); got != "10 Downing Street" {
		t.Fatalf("the address typed is gone: street %q", got)
	}
	if again := b.value(`input[name="idempotency_key"]`); again == "" || again == first {
		t.Fatalf("the form came back with the key %q, want a new one (it was %q)", again, first)
	}
	if n := s.orderCount(); n != 0 || s.product("SKU-3").Stock != lantern.Stock {
		t.Fatalf("the busy answer left %d orders and stock %d (was %d)", n, s.product("SKU-3").Stock, lantern.Stock)
	}

	b.follow(`[data-testid="place-order"]`, `[data-testid="order-confirmed"]`)
	if n := s.orderCount(); n != 1 {
		t.Fatalf("%d orders after placing it again, want 1", n)
	}
	if got := s.product("SKU-3").Stock; got != lantern.Stock-1 {
		t.Fatalf("stock %d after the order, want %d (taken once)", got, lantern.Stock-1)
	}
}
