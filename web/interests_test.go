package web

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"storefront/models"
)

func TestInterestsPageShowsEvidenceAndForgets(t *testing.T) {
	shop := mustOpenShop(t)
	trainShop(t, shop)
	c, sh := loginAs(t, shop, "Camper", "camper-interests@example.com")
	tent := shop.product("SKU-1")
	c.get(productPath(tent))
	c.get(productPath(shop.product("SKU-2")))
	c.get(productPath(shop.product("SKU-3")))

	res, doc := c.get("/account/interests")
	if res.StatusCode != 200 {
		t.Fatalf("interests page: %d", res.StatusCode)
	}
	cats := doc.Find(`[data-testid="interest"][data-kind="category"]`)
	if cats.Length() == 0 {
		t.Fatalf("no category interest after viewing three products:\n%s", doc.Find("main").Text())
	}
	first := cats.First()
	slug := first.AttrOr("data-value", "")
	if first.Find(".evidence a").Length() == 0 {
		t.Fatalf("interest %q shows no evidence", slug)
	}
	if doc.Find(`[data-testid="history"] [data-product-id]`).Length() != 3 {
		t.Fatalf("history lists %d products, want 3", doc.Find(`[data-testid="history"] [data-product-id]`).Length())
	}
	if got := doc.Find(`[data-testid="interest-price"]`).Text(); !strings.Contains(got, "$") {
		t.Fatalf("price band %q", got)
	}
	_, acc := c.get("/account")
	if acc.Find(`a[href="/account/interests"]`).Length() == 0 {
		t.Fatal("the account page does not link to the interests page")
	}

	// Bad forms are refused with a clear message.
	for _, form := range []url.Values{{"kind": {"colour"}, "value": {"red"}}, {"kind": {"category"}, "value": {"no-such-category"}}, {"kind": {"brand"}, "value": {""}}} {
		if res := c.post("/account/interests", "/account/interests/remove", form); res.StatusCode != 400 {
			t.Fatalf("remove %v: status %d, want 400", form, res.StatusCode)
		}
	}

	// Removing the category forgets the events behind it, and only them.
	before, err := shop.db.CountUserEvents(context.Background(), sh.ExternalID)
	must(t, err)
	res = c.post("/account/interests", "/account/interests/remove", url.Values{"kind": {"category"}, "value": {slug}})
	if res.StatusCode != 303 {
		t.Fatalf("remove interest: %d", res.StatusCode)
	}
	_, doc = c.get("/account/interests")
	if doc.Find(`[data-testid="interest"][data-value="`+slug+`"]`).Length() != 0 {
		t.Fatalf("interest %s still listed after removing it", slug)
	}
	if doc.Find(`[data-testid="hidden-interests"] [data-value="category:`+slug+`"]`).Length() != 1 {
		t.Fatalf("removed interest %s is not listed as hidden", slug)
	}
	after, err := shop.db.CountUserEvents(context.Background(), sh.ExternalID)
	must(t, err)
	if after >= before || after == 0 {
		t.Fatalf("events %d → %d after removing one of several interests", before, after)
	}
	fresh, err := shop.db.ShopperByID(context.Background(), sh.ID)
	must(t, err)
	if fresh.HistoryEditedAt == nil || time.Since(*fresh.HistoryEditedAt) > time.Minute {
		t.Fatalf("history edit time not recorded: %v", fresh.HistoryEditedAt)
	}

	// Show it again.
	if res := c.post("/account/interests", "/account/interests/show", url.Values{"value": {"category:" + slug}}); res.StatusCode != 303 {
		t.Fatalf("show again: %d", res.StatusCode)
	}
	if res := c.post("/account/interests", "/account/interests/show", url.Values{"value": {"nonsense"}}); res.StatusCode != 400 {
		t.Fatalf("show a malformed interest: %d, want 400", res.StatusCode)
	}
	fresh, err = shop.db.ShopperByID(context.Background(), sh.ID)
	must(t, err)
	if fresh.HiddenInterests != "" {
		t.Fatalf("hidden interests after showing the only one again: %q", fresh.HiddenInterests)
	}

	// Forget one product.
	hist := doc.Find(`[data-testid="history"] [data-product-id]`)
	id := hist.First().AttrOr("data-product-id", "")
	if res := c.post("/account/interests", "/account/interests/forget", url.Values{"product_id": {id}}); res.StatusCode != 303 {
		t.Fatalf("forget item: %d", res.StatusCode)
	}
	_, doc = c.get("/account/interests")
	if doc.Find(`[data-testid="history"] [data-product-id="`+id+`"]`).Length() != 0 {
		t.Fatalf("product %s still in the history after removing it", id)
	}

	// Reset forgets everything but the orders.
	if res := c.post("/account", "/account/interests/reset", nil); res.StatusCode != 303 {
		t.Fatalf("reset: %d", res.StatusCode)
	}
	n, err := shop.db.CountUserEvents(context.Background(), sh.ExternalID)
	must(t, err)
	_, doc = c.get("/account/interests")
	// The page view of the interests page itself is no product event.
	if hist, err := shop.db.ShopperHistory(context.Background(), sh.ExternalID, 10); err != nil || len(hist) != 0 {
		t.Fatalf("after reset: %d history entries (%v), %d events", len(hist), err, n)
	}
	if doc.Find(`[data-testid="interests-empty"]`).Length() == 0 {
		t.Fatal("after a reset the page does not say it knows nothing")
	}
}

func TestInterestsNeedALogin(t *testing.T) {
	shop := mustOpenShop(t)
	res, _ := shop.newClient().get("/account/interests")
	if res.StatusCode != 303 || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
		t.Fatalf("a visitor got %d, Location %q", res.StatusCode, res.Header.Get("Location"))
	}
}

// TestHiddenInterestsAreBounded: the brand a removal names was kept as the
// form sent it, in one column of the shopper's row read for each of their
// homepages; 20 posts of a 2 MB brand made the row 38 MB and the interests
// page 114 MB, each post slower than the last. A brand longer than any an
// import takes, or holding a line break (which split into interests of
// its own), is refused; a shopper keeps at most MaxHiddenInterests hidden
// and is told so, and the interests page stays small.
func TestHiddenInterestsAreBounded(t *testing.T) {
	shop := mustOpenShop(t)
	c, sh := loginAs(t, shop, "Hider", "hider@example.com")
	hidden := func() string {
		t.Helper()
		s, err := shop.db.ShopperByID(context.Background(), sh.ID)
		must(t, err)
		return s.HiddenInterests
	}
	for _, v := range []string{strings.Repeat("x", 200_000), strings.Repeat("b", models.MaxInterestLen), "Acme\ncategory:tents"} {
		if res := c.post("/account/interests", "/account/interests/remove", url.Values{"kind": {"brand"}, "value": {v}}); res.StatusCode != 400 {
			t.Fatalf("a brand of %d bytes: %d, want 400", len(v), res.StatusCode)
		}
	}
	if got := hidden(); got != "" {
		t.Fatalf("a refused brand was kept: %d bytes", len(got))
	}
	for i := range models.MaxHiddenInterests {
		if res := c.post("/account/interests", "/account/interests/remove", url.Values{"kind": {"brand"}, "value": {fmt.Sprintf("Brand %03d", i)}}); res.StatusCode != 303 {
			t.Fatalf("removing brand %d: %d", i, res.StatusCode)
		}
	}
	res := c.post("/account/interests", "/account/interests/remove", url.Values{"kind": {"brand"}, "value": {"One Too Many"}})
	if res.StatusCode != 303 {
		t.Fatalf("one more brand: %d", res.StatusCode)
	}
	_, doc := c.get("/account/interests")
	if msg := doc.Find(`[data-testid="flash"]`).Text(); !strings.Contains(msg, "Show one of them again") {
		t.Fatalf("the page does not say the list is full: %q", msg)
	}
	list := models.HiddenInterestList(hidden())
	if len(list) != models.MaxHiddenInterests || slices.Contains(list, "brand:One Too Many") {
		t.Fatalf("%d interests hidden, the refused one among them: %t", len(list), slices.Contains(list, "brand:One Too Many"))
	}
	// Showing one again makes room.
	if res := c.post("/account/interests", "/account/interests/show", url.Values{"value": {"brand:Brand 000"}}); res.StatusCode != 303 {
		t.Fatalf("show again: %d", res.StatusCode)
	}
	if res := c.post("/account/interests", "/account/interests/remove", url.Values{"kind": {"brand"}, "value": {"One Too Many"}}); res.StatusCode != 303 ||
		!slices.Contains(models.HiddenInterestList(hidden()), "brand:One Too Many") {
		t.Fatalf("after showing one again the removal was refused (%d)", res.StatusCode)
	}
}
