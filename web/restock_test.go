package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"storefront/models"
)

// pollingInstance serves shop's database from a second server that looks
// for other instances' changes every 2 s: the default on PostgreSQL; a
// SQLite file is polled every 30 s by default.
func pollingInstance(t *testing.T, shop *testShop) *testShop {
	t.Helper()
	db, err := models.Open(shop.db.Target())
	must(t, err)
	t.Cleanup(func() { db.Close() })
	second := startShopConfig(t, db, Config{Poll: 2 * time.Second})
	second.srv.Start()
	return second
}

// until checks again every 100 ms until check says nothing is wrong, and
// fails with what it says after within.
func until(t *testing.T, within time.Duration, check func() string) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		wrong := check()
		if wrong == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal(wrong)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// homeRows lists the homepage's rows, each its slot type and product ids.
func homeRows(doc *goquery.Document) []string {
	var rows []string
	doc.Find("section[data-slot-id]").Each(func(_ int, s *goquery.Selection) {
		ids := s.Find("[data-product-id]").Map(func(_ int, c *goquery.Selection) string { return c.AttrOr("data-product-id", "") })
		rows = append(rows, s.AttrOr("data-slot-type", "")+" "+strings.Join(ids, ","))
	})
	return rows
}

// restockedShows says what a shopper of s misses of product p, which should
// be in stock everywhere: the homepage's best sellers, its page's
// add-to-cart, the popular row of a product page of its category, its
// category page and search, in stock; "" when nothing.
func restockedShows(c *client, p *models.Product, neighbour *models.Product) string {
	id := utoa(p.ID)
	card := `[data-product-id="` + id + `"]`
	if _, doc := c.get("/"); doc.Find("section[data-slot-id] "+card).Length() == 0 {
		return fmt.Sprintf("the homepage's rows %q miss the restocked product %s", homeRows(doc), id)
	}
	if _, doc := c.get(productPath(p)); doc.Find(`[data-testid="add-to-cart"]`).Length() == 0 {
		return "the restocked product's page offers no add-to-cart"
	}
	if _, doc := c.get(productPath(neighbour)); doc.Find(card).Length() == 0 {
		return "the product page of " + neighbour.Title + " misses the restocked product among its category's popular products"
	}
	for _, path := range []string{"/c/kitchen", "/search?q=skillet"} {
		_, doc := c.get(path)
		if got := doc.Find(card); got.Length() == 0 || strings.Contains(got.Text(), "Out of stock") {
			return fmt.Sprintf("%s shows the restocked product as %q", path, strings.Join(strings.Fields(got.Text()), " "))
		}
	}
	return ""
}

// soldOutShows says what a shopper of s still sees of product p, sold
// out: "" when it is gone from the best sellers and marked out of stock
// on its category page.
func soldOutShows(c *client, p *models.Product) string {
	id := utoa(p.ID)
	card := `[data-product-id="` + id + `"]`
	if _, doc := c.get("/"); doc.Find("section[data-slot-id] "+card).Length() != 0 {
		return fmt.Sprintf("the homepage's rows %q still show the sold-out product %s", homeRows(doc), id)
	}
	if _, doc := c.get("/c/kitchen"); !strings.Contains(doc.Find(card).Text(), "Out of stock") {
		return "the category page does not say the product is out of stock"
	}
	return ""
}

// TestARestockedProductIsBackEverywhere: a merchant's best seller sells
// out and is restocked in the admin's catalog form, then sells out by an
// order and is restocked by a catalog import. After each restock the
// product is back, in stock, in the homepage's best sellers, a product
// page's popular row, its category page and search, and goes into a
// cart, on the instance that saved it at once and on another instance on
// the same database within its poll. A restock saved in the form was
// patched into the snapshot without putting the product back into the
// lists of products in stock, and the refresh after it found the
// database as the patch showed it: missing from the best sellers until
// something other than stock changed.
func TestARestockedProductIsBackEverywhere(t *testing.T) {
	a := mustOpenShop(t)
	a.srv.Start() // as serve does: an import's reload is the refresh loop's
	b := pollingInstance(t, a)
	merch := a.staffClient(models.RoleMerchandiser)
	skillet, towel := a.product("SKU-3"), a.product("SKU-K1")
	onA, onB := a.newClient(), b.newClient()
	for _, c := range []*client{onA, onB} {
		if wrong := restockedShows(c, skillet, towel); wrong != "" {
			t.Fatal("before: " + wrong)
		}
	}
	stock := func(n string) {
		t.Helper()
		res := merch.post("/admin/catalog?q=skillet", "/admin/catalog/"+utoa(skillet.ID), url.Values{"price": {"39.99"}, "stock": {n}, "active": {"true"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("saving stock %s: %d", n, res.StatusCode)
		}
	}
	buys := func(c *client, qty int) {
		t.Helper()
		if res := c.post(productPath(skillet), "/cart/add", url.Values{"product_id": {utoa(skillet.ID)}, "quantity": {fmt.Sprint(qty)}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("add to cart: %d", res.StatusCode)
		}
		_, doc := c.get("/cart")
		if line := doc.Find(`[data-testid="cart-line"][data-product-id="` + utoa(skillet.ID) + `"]`); line.Length() != 1 || line.Find(`[data-testid="line-sold-out"]`).Length() != 0 {
			t.Fatalf("the cart's line of the restocked product: %q", strings.Join(strings.Fields(line.Text()), " "))
		}
	}
	const poll = 10 * time.Second // B's poll is 2 s

	// Sold out in the admin, then restocked there.
	stock("0")
	if wrong := soldOutShows(onA, skillet); wrong != "" {
		t.Fatal("A: " + wrong)
	}
	until(t, poll, func() string { return soldOutShows(onB, skillet) })
	stock("6")
	if wrong := restockedShows(onA, skillet, towel); wrong != "" {
		t.Fatal("A, after the restock in the form: " + wrong)
	}
	until(t, poll, func() string { return restockedShows(onB, skillet, towel) })

	// Sold out by an order, restocked by an import.
	shopper := a.shopperClient()
	buys(shopper, 6)
	shopper.checkout("Ada Shopper", "ada@example.com")
	if wrong := soldOutShows(onA, skillet); wrong != "" {
		t.Fatal("A, after the order: " + wrong)
	}
	until(t, poll, func() string { return soldOutShows(onB, skillet) })
	admin := a.staffClient(models.RoleAdmin)
	products := "id,title,description,category,brand,price,stock,created_at\n" +
		"SKU-3,Cast Iron Skillet,Pre-seasoned 26 cm pan.,Kitchen,Hearth,39.99,9,\n"
	res, doc := admin.upload("/admin/import", "/admin/import", nil, map[string][2]string{"products": {"restock.csv", products}})
	action, ok := doc.Find(`[data-testid="import-job"] form`).Attr("action")
	if res.StatusCode != http.StatusOK || !ok {
		t.Fatalf("upload: %d, apply form %v", res.StatusCode, ok)
	}
	if res = admin.post("/admin/import", action, nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("apply: %d", res.StatusCode)
	}
	until(t, 20*time.Second, func() string {
		if p := a.product("SKU-3"); p.Stock != 9 {
			return fmt.Sprintf("the import left stock %d", p.Stock)
		}
		return ""
	})
	until(t, poll, func() string { return restockedShows(onA, skillet, towel) })
	until(t, poll, func() string { return restockedShows(onB, skillet, towel) })
	buys(onA, 1)
	buys(onB, 1)
}
