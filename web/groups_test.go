package web

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"storefront/models"
)

// TestAProductPageLeavesOutItsOwnGroup: products of one group (the sizes of
// one model, an import's group_id) are not recommended on each other's
// pages, and a row holds one product of any other group.
func TestAProductPageLeavesOutItsOwnGroup(t *testing.T) {
	shop := mustOpenShop(t)
	trainShop(t, shop)
	shop.srv.shop.Model().PrepareRelated()
	pack := shop.product("SKU-H1")
	rows := func() []string {
		t.Helper()
		res, doc := shop.newClient().get(productPath(pack))
		if res.StatusCode != http.StatusOK {
			t.Fatalf("product page %d", res.StatusCode)
		}
		return append(cardIDs(doc, `[data-testid="also-bought"]`), cardIDs(doc, `[data-testid="similar"]`)...)
	}
	before := rows()
	if len(before) < 3 {
		t.Fatalf("the page shows %d products, the test needs 3", len(before))
	}
	// The first product shown becomes another size of the page's own; the
	// next two two sizes of one other model.
	ctx := context.Background()
	group := func(id, g string) {
		must(t, shop.db.W.Model(&models.Product{}).Where("id = ?", id).Update("group_id", g).Error)
	}
	group(utoa(pack.ID), "PACK")
	group(before[0], "PACK")
	group(before[1], "OTHER")
	group(before[2], "OTHER")
	must(t, shop.srv.shop.RefreshCatalog(ctx, true))
	after := rows()
	if slices.Contains(after, before[0]) {
		t.Errorf("the page recommends %s, of its own group: %v", before[0], after)
	}
	if slices.Contains(after, before[1]) && slices.Contains(after, before[2]) {
		t.Errorf("the page recommends both %s and %s, of one group: %v", before[1], before[2], after)
	}
	if !slices.Contains(after, before[1]) {
		t.Errorf("the page no longer recommends %s, the first of its group: %v", before[1], after)
	}
}

// TestARowNamesItsProductsByTheirGroup: a row of recommendations (the
// homepage's, a product page's) and the drawn picture name a product of a
// group by its model ("Trail Tent"), not by the size the row happens to
// hold ("Trail Tent – S"), as the listings do; the picture keeps the
// colour the product's own title says.
func TestARowNamesItsProductsByTheirGroup(t *testing.T) {
	shop := mustOpenShop(t)
	trainShop(t, shop)
	shop.srv.shop.Model().PrepareRelated()
	pack := shop.product("SKU-H1")
	res, doc := shop.newClient().get(productPath(pack))
	if res.StatusCode != http.StatusOK {
		t.Fatalf("product page %d", res.StatusCode)
	}
	related := append(cardIDs(doc, `[data-testid="also-bought"]`), cardIDs(doc, `[data-testid="similar"]`)...)
	_, doc = shop.newClient().get("/")
	home := cardIDs(doc, `[data-slot-id]`)
	if len(related) < 2 || len(home) < 2 {
		t.Fatalf("the product page shows %d products and the homepage %d, the test needs 2 each", len(related), len(home))
	}
	// Each row's first product becomes size S of a model whose size M is
	// a product neither page shows.
	rename := func(id, title, group string) {
		must(t, shop.db.W.Model(&models.Product{}).Where("id = ?", id).
			Updates(map[string]any{"title": title, "group_id": group}).Error)
	}
	var products []models.Product
	must(t, shop.db.R.Order("id").Find(&products).Error)
	spare := func() string {
		for _, p := range products {
			if id := utoa(p.ID); id != utoa(pack.ID) && !slices.Contains(related, id) && !slices.Contains(home, id) {
				products = slices.DeleteFunc(products, func(q models.Product) bool { return q.ID == p.ID })
				return id
			}
		}
		t.Fatal("no product left to be another size")
		return ""
	}
	rename(related[0], "Trail Tent – S", "TENT")
	rename(spare(), "Trail Tent – M", "TENT")
	rename(home[0], "Fjord Rain Jacket – Red – S", "JACKET")
	rename(spare(), "Fjord Rain Jacket – Navy – M", "JACKET")
	must(t, shop.srv.shop.RefreshCatalog(context.Background(), true))

	titleOf := func(doc *goquery.Document, sel, id string) string {
		t.Helper()
		return strings.TrimSpace(doc.Find(sel + ` [data-product-id="` + id + `"] .card-title`).First().Text())
	}
	_, doc = shop.newClient().get(productPath(pack))
	if got := titleOf(doc, `section.slot`, related[0]); got != "Trail Tent" {
		t.Errorf("the product page's row calls %s %q, want the model's name %q", related[0], got, "Trail Tent")
	}
	_, doc = shop.newClient().get("/")
	if got := titleOf(doc, `[data-slot-id]`, home[0]); got != "Fjord Rain Jacket" {
		t.Errorf("the homepage's row calls %s %q, want the model's name %q", home[0], got, "Fjord Rain Jacket")
	}
	res = shop.newClient().do(http.MethodGet, "/img/p/"+home[0]+".svg")
	raw, err := io.ReadAll(res.Body)
	res.Body.Close()
	must(t, err)
	// Named by the model, drawn in the colour its title says.
	if svg := string(raw); !strings.Contains(svg, "Fjord Rain Jacket · red") || strings.Contains(svg, "– S") {
		t.Errorf("the drawn picture is not the red jacket named by its model: %s", svg)
	}
}

// TestARenamedGroupsPictureShowsAtOnce: a drawn picture names the
// product's group, and was cached a day: after a rename of the group's
// products a shopper saw the old name that long. Now a browser asks again
// each time, answered 304 while the drawing is the same and with the new
// name once it changed.
func TestARenamedGroupsPictureShowsAtOnce(t *testing.T) {
	shop := mustOpenShop(t)
	var two []models.Product
	must(t, shop.db.R.Where("image_url = ''").Order("id").Limit(2).Find(&two).Error)
	if len(two) < 2 {
		t.Fatal("the test shop has no two drawn products")
	}
	rename := func(title string) {
		for k, p := range two {
			must(t, shop.db.W.Model(&models.Product{}).Where("id = ?", p.ID).
				Updates(map[string]any{"title": fmt.Sprintf("%s – %c", title, 'S'+k), "group_id": "G1"}).Error)
		}
		must(t, shop.srv.shop.RefreshCatalog(context.Background(), true))
	}
	path := "/img/p/" + utoa(two[0].ID) + ".svg"
	get := func(etag string) (*http.Response, string) {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, shop.ts.URL+path, nil)
		must(t, err)
		if etag != "" {
			req.Header.Set("If-None-Match", etag)
		}
		res, err := shop.newClient().hc.Do(req)
		must(t, err)
		defer res.Body.Close()
		raw, err := io.ReadAll(res.Body)
		must(t, err)
		return res, string(raw)
	}
	rename("Harbour Lantern")
	res, svg := get("")
	etag := res.Header.Get("ETag")
	if !strings.Contains(svg, "Harbour Lantern") || etag == "" || !strings.Contains(res.Header.Get("Cache-Control"), "no-cache") {
		t.Fatalf("the drawing: %q, ETag %q, Cache-Control %q", svg, etag, res.Header.Get("Cache-Control"))
	}
	if res, _ := get(etag); res.StatusCode != http.StatusNotModified {
		t.Errorf("the same drawing asked again: %d, want 304", res.StatusCode)
	}
	rename("Quay Lamp")
	res, svg = get(etag)
	if res.StatusCode != http.StatusOK || !strings.Contains(svg, "Quay Lamp") || strings.Contains(svg, "Harbour") {
		t.Errorf("after the rename: %d %q, want the new name", res.StatusCode, svg)
	}
}

// TestAPageShowsAMarketplaceItemOnce: a marketplace's export lists one item
// once per seller, each listing under its own id with the item's title and
// brand and no group_id. A homepage row showed the item twice, two cards a
// shopper cannot tell apart (half the rows of the fifteenth outside check's
// marketplace); a product page's rows showed another seller's listing of
// the page's own item. Now a page holds one listing of an item; a product
// with the same title under another brand is another product.
func TestAPageShowsAMarketplaceItemOnce(t *testing.T) {
	shop := mustOpenShop(t)
	trainShop(t, shop)
	shop.srv.shop.Model().PrepareRelated()
	ctx := context.Background()
	rows := func(doc *goquery.Document) [][]string {
		var out [][]string
		doc.Find("section[data-slot-id]").Each(func(_ int, s *goquery.Selection) {
			var ids []string
			s.Find("[data-product-id]").Each(func(_ int, c *goquery.Selection) { ids = append(ids, c.AttrOr("data-product-id", "")) })
			out = append(out, ids)
		})
		return out
	}
	_, doc := shop.newClient().get("/")
	var row []string
	for _, r := range rows(doc) {
		if len(r) >= 4 {
			row = r
			break
		}
	}
	pack := shop.product("SKU-H1")
	_, pdoc := shop.newClient().get(productPath(pack))
	related := append(cardIDs(pdoc, `[data-testid="also-bought"]`), cardIDs(pdoc, `[data-testid="similar"]`)...)
	if len(row) < 4 || len(related) < 2 {
		t.Fatalf("the homepage's first full row has %d products and the product page %d, the test needs 4 and 2", len(row), len(related))
	}
	var first models.Product
	must(t, shop.db.R.First(&first, "id = ?", row[0]).Error)
	relist := func(id, title, brand string) {
		must(t, shop.db.W.Model(&models.Product{}).Where("id = ?", id).
			Updates(map[string]any{"title": title, "brand": brand, "group_id": ""}).Error)
	}
	// The row's second product becomes another seller's listing of its
	// first (the title written in another case, as sellers do); its third
	// the same title under another brand. The product page's first related
	// product becomes a listing of the page's own item.
	relist(row[1], strings.ToUpper(first.Title), first.Brand)
	relist(row[2], first.Title, first.Brand+" Rival")
	relist(related[0], pack.Title, pack.Brand)
	must(t, shop.srv.shop.RefreshCatalog(ctx, true))

	_, doc = shop.newClient().get("/")
	for _, r := range rows(doc) {
		if slices.Contains(r, row[0]) && slices.Contains(r, row[1]) {
			t.Errorf("a homepage row shows %s and %s, two listings of %q: %v", row[0], row[1], first.Title, r)
		}
	}
	page := slices.Concat(rows(doc)...)
	if !slices.Contains(page, row[2]) {
		t.Errorf("the homepage no longer shows %s, %q by another brand: %v", row[2], first.Title, page)
	}
	_, pdoc = shop.newClient().get(productPath(pack))
	after := append(cardIDs(pdoc, `[data-testid="also-bought"]`), cardIDs(pdoc, `[data-testid="similar"]`)...)
	if slices.Contains(after, related[0]) {
		t.Errorf("the product page of %q recommends %s, another listing of it: %v", pack.Title, related[0], after)
	}
}
