package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"storefront/models"
)

// TestARowsSubtitleIsShown: the subtitle a merchandiser gives a row in the
// slot form is shown under its heading on the homepage (it was stored and
// shown again in the form, but only a hero printed it).
func TestARowsSubtitleIsShown(t *testing.T) {
	shop := mustOpenShop(t)
	c := shop.staffClient(models.RoleMerchandiser)
	ids, _ := shop.draft()
	best := ids[1] // "Best sellers", a popular row
	must(t, shop.db.W.Model(&models.Slot{}).Where("id = ?", best).Update("subtitle", "Chosen by our staff, every week").Error)
	_, rev := shop.draft()
	if res := c.post("/admin/layout/publish", "/admin/layout/publish", url.Values{"revision": {strconv.Itoa(rev)}, "confirm": {"yes"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("publish: %d", res.StatusCode)
	}
	_, doc := shop.newClient().get("/")
	row := doc.Find(`section[data-slot-id="` + utoa(best) + `"]`)
	if row.Length() != 1 {
		t.Fatalf("no Best sellers row on the homepage")
	}
	if got := strings.TrimSpace(row.Find(`[data-testid="row-subtitle"]`).Text()); got != "Chosen by our staff, every week" {
		t.Fatalf("the row's subtitle reads %q", got)
	}
	var others int
	doc.Find(`[data-testid="row-subtitle"]`).Each(func(_ int, s *goquery.Selection) { others++ })
	if others != 1 {
		t.Fatalf("%d subtitles on the page, want only the one given", others)
	}
}

// TestRegistrationWelcomesToTheShopByName: the flash after registering
// names the shop from its settings, not "Storefront".
func TestRegistrationWelcomesToTheShopByName(t *testing.T) {
	shop := mustOpenShop(t)
	ctx := context.Background()
	st, err := shop.db.ShopSettings(ctx)
	must(t, err)
	st.Name = "Ink & Iron"
	must(t, shop.db.SaveShopSettings(ctx, "test", st))
	shop.srv.shopChanged()
	c := shop.newClient()
	res := c.post("/register", "/register", url.Values{"name": {"Grace"}, "email": {"grace@example.com"}, "password": {"violet kettle harbour 42"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("register: %d", res.StatusCode)
	}
	_, doc := c.follow(res)
	if got := strings.TrimSpace(doc.Find(`[data-testid="flash"]`).Text()); got != "Welcome to Ink & Iron, Grace." {
		t.Fatalf("the welcome reads %q", got)
	}
}

// TestSearchingAnItemNumberOpensItsProduct: the item number a product page
// shows (the import's id) finds its product, in any case; a bare short
// number, more often a size or a year, and an inactive product's number
// are searched as words.
func TestSearchingAnItemNumberOpensItsProduct(t *testing.T) {
	shop := mustOpenShop(t)
	ctx := context.Background()
	tent := shop.product("SKU-1")
	must(t, shop.db.W.Create(&models.Product{ExternalID: "2024", Slug: "wall-calendar", Title: "Wall Calendar", CategoryID: tent.CategoryID,
		PriceCents: 900, Stock: 4, Active: true}).Error)
	must(t, shop.db.W.Model(&models.Product{}).Where("external_id = ?", "SKU-2").Update("active", false).Error)
	must(t, shop.srv.shop.RefreshCatalog(ctx, true))
	c := shop.newClient()
	for _, q := range []string{"SKU-1", "sku-1", " SKU-1 "} {
		res, _ := c.get("/search?q=" + url.QueryEscape(q))
		if res.StatusCode != http.StatusFound || res.Header.Get("Location") != productPath(tent) {
			t.Errorf("searching %q: %d to %q, want the tent's page %s", q, res.StatusCode, res.Header.Get("Location"), productPath(tent))
		}
	}
	for _, q := range []string{"2024", "SKU-2", "tent"} {
		if res, _ := c.get("/search?q=" + url.QueryEscape(q)); res.StatusCode != http.StatusOK {
			t.Errorf("searching %q: %d to %q, want the results page", q, res.StatusCode, res.Header.Get("Location"))
		}
	}
}

// TestSearchingAnItemNumberWithoutADigitOpensItsProduct: an import's id
// without a digit (a shop's case-sensitive codes, YuvYDNC and YUVyDNC two
// products) that no title or description holds opens its product, the one
// written exactly so first, instead of "nothing matched"; a word that
// titles hold is still searched.
func TestSearchingAnItemNumberWithoutADigitOpensItsProduct(t *testing.T) {
	shop := mustOpenShop(t)
	ctx := context.Background()
	tent := shop.product("SKU-1")
	lower := &models.Product{ExternalID: "YuvYDNC", Slug: "wool-socks", Title: "Wool Socks", CategoryID: tent.CategoryID, PriceCents: 900, Stock: 4, Active: true}
	upper := &models.Product{ExternalID: "YUVyDNC", Slug: "wool-cap", Title: "Wool Cap", CategoryID: tent.CategoryID, PriceCents: 900, Stock: 4, Active: true}
	named := &models.Product{ExternalID: "Tent", Slug: "tent-pegs", Title: "Pegs", CategoryID: tent.CategoryID, PriceCents: 300, Stock: 4, Active: true}
	for _, p := range []*models.Product{lower, upper, named} {
		must(t, shop.db.W.Create(p).Error)
	}
	must(t, shop.srv.shop.RefreshCatalog(ctx, true))
	c := shop.newClient()
	for q, p := range map[string]*models.Product{"YuvYDNC": lower, "YUVyDNC": upper, " YUVyDNC ": upper} {
		res, _ := c.get("/search?q=" + url.QueryEscape(q))
		if res.StatusCode != http.StatusFound || res.Header.Get("Location") != productPath(p) {
			t.Errorf("searching %q: %d to %q, want %s", q, res.StatusCode, res.Header.Get("Location"), productPath(p))
		}
	}
	for _, q := range []string{"tent", "Tent", "yuvydnc x"} {
		if res, _ := c.get("/search?q=" + url.QueryEscape(q)); res.StatusCode != http.StatusOK {
			t.Errorf("searching %q: %d to %q, want the results page", q, res.StatusCode, res.Header.Get("Location"))
		}
	}
}

// TestAProductsDescriptionKeepsItsParagraphs: a description an import wrote
// over several paragraphs is shown as paragraphs, and a product without a
// description shows no empty "About this product" heading.
func TestAProductsDescriptionKeepsItsParagraphs(t *testing.T) {
	shop := mustOpenShop(t)
	ctx := context.Background()
	must(t, shop.db.W.Model(&models.Product{}).Where("external_id = ?", "SKU-1").
		Update("description", "Sleeps two.\nWeighs 1.2 kg.\n\nPoles: aluminium.").Error)
	must(t, shop.db.W.Model(&models.Product{}).Where("external_id = ?", "SKU-2").Update("description", "").Error)
	must(t, shop.srv.shop.RefreshCatalog(ctx, true))
	c := shop.newClient()
	_, doc := c.get(productPath(shop.product("SKU-1")))
	var paras []string
	doc.Find(`[data-testid="description"] p`).Each(func(_ int, p *goquery.Selection) { paras = append(paras, p.Text()) })
	if len(paras) != 2 || paras[0] != "Sleeps two.\nWeighs 1.2 kg." || paras[1] != "Poles: aluminium." {
		t.Fatalf("the description's paragraphs are %q", paras)
	}
	_, doc = c.get(productPath(shop.product("SKU-2")))
	if doc.Find(`[data-testid="product-title"]`).Length() != 1 {
		t.Fatal("no product page")
	}
	if strings.Contains(doc.Find("main").Text(), "About this product") {
		t.Fatal("a product without a description shows an empty 'About this product'")
	}
}

// TestCheckoutOfAProductNoLongerSold: a product the merchant deactivates
// while it sits in a shopper's cart is refused at checkout as no longer
// sold, not as "only 5 left in stock" (its stock), and nothing is ordered.
func TestCheckoutOfAProductNoLongerSold(t *testing.T) {
	shop := mustOpenShop(t)
	c := shop.shopperClient()
	tent := shop.product("SKU-1")
	if res := c.post(productPath(tent), "/cart/add", url.Values{"product_id": {utoa(tent.ID)}, "quantity": {"1"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("add to cart: %d", res.StatusCode)
	}
	_, doc := c.get("/checkout")
	key, _ := doc.Find(`input[name="idempotency_key"]`).Attr("value")
	must(t, shop.db.W.Model(&models.Product{}).Where("id = ?", tent.ID).Update("active", false).Error)
	form := url.Values{"_csrf": {csrf(doc)}, "idempotency_key": {key}, "cart_digest": {cartDigestIn(doc)}, "name": {"Ada"}, "email": {"ada@example.com"},
		"street": {"1 Main St"}, "city": {"Springfield"}, "postcode": {"12345"}, "country": {"USA"}}
	req, err := http.NewRequest(http.MethodPost, shop.ts.URL+"/checkout", strings.NewReader(form.Encode()))
	must(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := c.hc.Do(req)
	must(t, err)
	defer res.Body.Close()
	doc, err = goquery.NewDocumentFromReader(res.Body)
	must(t, err)
	if res.StatusCode != http.StatusConflict {
		t.Fatalf("checkout: %d, want 409", res.StatusCode)
	}
	want := `Sorry, "Alpine Trail Tent" is no longer sold. Remove it from your cart.`
	if got := strings.TrimSpace(doc.Find(`[data-testid="checkout-error"]`).Text()); got != want {
		t.Fatalf("checkout says %q, want %q", got, want)
	}
	var orders int64
	must(t, shop.db.R.Model(&models.Order{}).Count(&orders).Error)
	if orders != 0 {
		t.Fatalf("%d orders placed", orders)
	}
}

// TestCheckoutSaysAtOnceWhatCannotBeOrdered: opening the checkout with a
// cart line that can no longer be ordered as it is (deactivated, sold out,
// more than is left) says so above the form, before the shopper types an
// address and pays.
func TestCheckoutSaysAtOnceWhatCannotBeOrdered(t *testing.T) {
	shop := mustOpenShop(t)
	c := shop.shopperClient()
	tent := shop.product("SKU-1") // 5 in stock
	if res := c.post(productPath(tent), "/cart/add", url.Values{"product_id": {utoa(tent.ID)}, "quantity": {"3"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("add to cart: %d", res.StatusCode)
	}
	say := func() string {
		res, doc := c.get("/checkout")
		if res.StatusCode != http.StatusOK {
			t.Fatalf("checkout: %d", res.StatusCode)
		}
		return strings.TrimSpace(doc.Find(`[data-testid="checkout-error"]`).Text())
	}
	if got := say(); got != "" {
		t.Fatalf("a cart that can be ordered opens the checkout with %q", got)
	}
	for _, tc := range []struct {
		col  string
		val  any
		want string
	}{
		{"stock", 2, `Sorry, only 2 of "Alpine Trail Tent" left in stock. Change the quantity in your cart.`},
		{"stock", 0, `Sorry, "Alpine Trail Tent" is out of stock. Remove it from your cart.`},
		{"active", false, `Sorry, "Alpine Trail Tent" is no longer sold. Remove it from your cart.`},
	} {
		must(t, shop.db.W.Model(&models.Product{}).Where("id = ?", tent.ID).Update(tc.col, tc.val).Error)
		if got := say(); got != tc.want {
			t.Errorf("%s %v: the checkout opens with %q, want %q", tc.col, tc.val, got, tc.want)
		}
	}
	// Adding it again (its id in a form kept from before) says the same,
	// not that it is out of stock.
	if res := c.post(productPath(tent), "/cart/add", url.Values{"product_id": {utoa(tent.ID)}, "quantity": {"1"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("adding a product no longer sold: %d", res.StatusCode)
	}
	_, doc := c.get(productPath(tent))
	if got, want := strings.TrimSpace(doc.Find(`[data-testid="flash"]`).Text()), "Sorry, this product is no longer sold."; got != want {
		t.Errorf("adding a product no longer sold says %q, want %q", got, want)
	}
}

// TestARowsBrandMayHoldACommaAndMustExist: the slot form's brands are the
// catalog's own, whatever their spelling: "hachette, ltd." is the one brand
// "Hachette, Ltd." (it was stored as the two brands "Hachette" and "Ltd.",
// which no product has, and the row came out empty), the row shows that
// brand's products, and a brand no product has is refused, named.
func TestARowsBrandMayHoldACommaAndMustExist(t *testing.T) {
	shop := mustOpenShop(t)
	ctx := context.Background()
	must(t, shop.db.W.Model(&models.Product{}).Where("external_id IN ?", []string{"SKU-K1", "SKU-K2"}).Update("brand", "Hachette, Ltd.").Error)
	must(t, shop.srv.shop.RefreshCatalog(ctx, true))
	c := shop.staffClient(models.RoleMerchandiser)
	ids, _ := shop.draft()
	slot := utoa(ids[1])
	save := func(brands string) (*http.Response, *goquery.Document) {
		t.Helper()
		_, rev := shop.draft()
		_, doc := c.get("/admin/layout/slots/" + slot + "/edit")
		form := url.Values{"_csrf": {csrf(doc)}, "revision": {strconv.Itoa(rev)}, "type": {models.SlotPopular}, "title": {"Best sellers"},
			"strategy": {"popular"}, "size": {"4"}, "audience": {"everyone"}, "enabled": {"true"}, "brands": {brands}}
		res, err := c.hc.PostForm(shop.ts.URL+"/admin/layout/slots/"+slot, form)
		must(t, err)
		defer res.Body.Close()
		doc, err = goquery.NewDocumentFromReader(res.Body)
		must(t, err)
		return res, doc
	}
	res, doc := save("Summit, Hearth, Acme")
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("an unknown brand: status %d, want 422", res.StatusCode)
	}
	if got := strings.TrimSpace(doc.Find(`[data-testid="brands-error"]`).Text()); got != "No product has the brand Acme." {
		t.Fatalf("the brands error reads %q", got)
	}
	res, doc = save("hachette,  ltd., Summit")
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("status %d, want 303; errors %q", res.StatusCode, doc.Find(".field-error").Text())
	}
	sl, err := shop.db.SlotByID(ctx, ids[1])
	must(t, err)
	if strings.Join(splitList(sl.Brands), "|") != "Hachette, Ltd.|Summit" {
		t.Fatalf("stored brands %q read back as %q", sl.Brands, splitList(sl.Brands))
	}
	_, doc = c.get("/admin/layout/slots/" + slot + "/edit")
	if got := doc.Find(`#f-brands`).AttrOr("value", ""); got != "Hachette, Ltd., Summit" {
		t.Fatalf("the reopened form shows brands %q", got)
	}
	_, rev := shop.draft()
	if res := c.post("/admin/layout/publish", "/admin/layout/publish", url.Values{"revision": {strconv.Itoa(rev)}, "confirm": {"yes"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("publish: %d", res.StatusCode)
	}
	_, doc = shop.newClient().get("/")
	var shown []string
	doc.Find(`section[data-slot-id="` + slot + `"] [data-product-id]`).Each(func(_ int, s *goquery.Selection) {
		id, _ := strconv.ParseUint(s.AttrOr("data-product-id", ""), 10, 32)
		p, _ := shop.srv.shop.Catalog().Product(uint(id))
		shown = append(shown, p.Brand)
	})
	if !slices.Contains(shown, "Hachette, Ltd.") || slices.ContainsFunc(shown, func(b string) bool { return b != "Hachette, Ltd." && b != "Summit" }) {
		t.Fatalf("the row shows brands %q, want Hachette, Ltd. and Summit only", shown)
	}
}

// TestAnEmptyPriceRangeIsNoLink: a price range the other filters leave
// empty is shown with its (0) but not as a link to an empty page.
func TestAnEmptyPriceRangeIsNoLink(t *testing.T) {
	shop := mustOpenShop(t)
	_, doc := shop.newClient().get("/c/outdoor?brand=Northway")
	ranges := doc.Find(`[data-testid="price-range"]`)
	if ranges.Length() < 2 {
		t.Fatalf("%d price ranges", ranges.Length())
	}
	empty := 0
	ranges.Each(func(_ int, r *goquery.Selection) {
		zero := strings.TrimSpace(r.Find(".count").Text()) == "(0)"
		if zero {
			empty++
		}
		if _, link := r.Attr("href"); link == zero {
			t.Errorf("price range %q: a link %v, with count %q", strings.Join(strings.Fields(r.Text()), " "), link, r.Find(".count").Text())
		}
	})
	if empty == 0 {
		t.Fatal("no empty price range to check: the test shop changed")
	}
}

// TestAnAssetsErrorPageNamesTheShop: the error page of an address served
// outside the pages' middleware (a product picture that does not exist)
// names the shop from its settings, as every other page does.
func TestAnAssetsErrorPageNamesTheShop(t *testing.T) {
	shop := mustOpenShop(t)
	ctx := context.Background()
	st, err := shop.db.ShopSettings(ctx)
	must(t, err)
	st.Name = "Ink & Iron"
	must(t, shop.db.SaveShopSettings(ctx, "test", st))
	shop.srv.shopChanged()
	for _, path := range []string{"/img/p/999999", "/img/u/" + strings.Repeat("ab", 32) + ".jpg", "/no-such-page"} {
		res, doc := shop.newClient().get(path)
		if res.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", path, res.StatusCode)
		}
		if got := doc.Find(`[data-testid="shop-name"]`).Text(); got != "Ink & Iron" {
			t.Errorf("%s: the error page names the shop %q", path, got)
		}
	}
}
