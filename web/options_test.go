package web

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"storefront/models"
)

// TestAColourAndSizeGroupOffersAColourAndASize: a product page of a model
// sold in colours and sizes ("Trail Shirt – Red – S") offers a row of
// colours and a row of sizes, not one button per combination ("Red – S",
// "Red – M", …): a colour keeps the size, a size keeps the colour, a size
// sold out in this colour says so, and a size this colour does not come
// in says which colour it leads to. Labels that are no grid (each colour
// in one size only) stay one row.
func TestAColourAndSizeGroupOffersAColourAndASize(t *testing.T) {
	shop := mustOpenShop(t)
	titles := map[string]string{"SKU-H1": "Trail Shirt – Red – S", "SKU-H2": "Trail Shirt – Red – M",
		"SKU-H3": "Trail Shirt – Navy – S", "SKU-H4": "Trail Shirt – Navy – M", "SKU-H5": "Trail Shirt – Navy – L",
		"SKU-H6": "Rain Cap – Red – S", "SKU-H7": "Rain Cap – Navy – M"}
	for ext, title := range titles {
		group := "SHIRT"
		if strings.HasPrefix(title, "Rain Cap") {
			group = "CAP"
		}
		must(t, shop.db.W.Model(&models.Product{}).Where("external_id = ?", ext).
			Updates(map[string]any{"title": title, "group_id": group}).Error)
	}
	must(t, shop.db.W.Model(&models.Product{}).Where("external_id = ?", "SKU-H2").Update("stock", 0).Error)
	must(t, shop.srv.shop.RefreshCatalog(context.Background(), true))
	redS, redM, navyS, navyM, navyL := shop.product("SKU-H1"), shop.product("SKU-H2"), shop.product("SKU-H3"),
		shop.product("SKU-H4"), shop.product("SKU-H5")

	for _, c := range []struct {
		page *models.Product
		want []string
	}{
		{redS, []string{
			"Colour: Red(current) Navy->" + productPath(navyS),
			"Size: S(current) M sold out->" + productPath(redM) + " L in Navy->" + productPath(navyL),
		}},
		{navyM, []string{
			"Colour: Red->" + productPath(redM) + " Navy(current)",
			"Size: S->" + productPath(navyS) + " M(current) L->" + productPath(navyL),
		}},
		{shop.product("SKU-H6"), []string{
			"Options: Red – S(current) Navy – M->" + productPath(shop.product("SKU-H7")),
		}},
	} {
		res, doc := shop.newClient().get(productPath(c.page))
		if res.StatusCode != http.StatusOK {
			t.Fatalf("product page %d", res.StatusCode)
		}
		var got []string
		doc.Find(`[data-testid="options"] [data-testid="option-row"]`).Each(func(_ int, h *goquery.Selection) {
			row := h.Text() + ":"
			h.Next().Find(`[data-testid="option"]`).Each(func(_ int, o *goquery.Selection) {
				row += " " + strings.Join(strings.Fields(o.Text()), " ")
				if o.AttrOr("aria-current", "") == "page" {
					row += "(current)"
				} else {
					row += "->" + o.AttrOr("href", "")
				}
			})
			got = append(got, row)
		})
		if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
			t.Errorf("on %s the options read\n%s\nwant\n%s", c.page.Title, strings.Join(got, "\n"), strings.Join(c.want, "\n"))
		}
	}
}

// TestAShopifyStyleVariantGroupOffersAColourAndASize: an export that names
// its variants as Shopify does ("Maxi Dress - Terracotta / S") gets a row of
// colours and a row of sizes; its product page offered one row of ten
// "Terracotta / XS" … "Sage / XL" buttons headed "Options".
func TestAShopifyStyleVariantGroupOffersAColourAndASize(t *testing.T) {
	shop := mustOpenShop(t)
	titles := map[string]string{"SKU-H1": "Maxi Dress - Terracotta / S", "SKU-H2": "Maxi Dress - Terracotta / M",
		"SKU-H3": "Maxi Dress - Sage / S", "SKU-H4": "Maxi Dress - Sage / M"}
	for ext, title := range titles {
		must(t, shop.db.W.Model(&models.Product{}).Where("external_id = ?", ext).
			Updates(map[string]any{"title": title, "group_id": "DRESS"}).Error)
	}
	must(t, shop.srv.shop.RefreshCatalog(context.Background(), true))
	_, doc := shop.newClient().get(productPath(shop.product("SKU-H1")))
	var got []string
	doc.Find(`[data-testid="options"] [data-testid="option-row"]`).Each(func(_ int, h *goquery.Selection) {
		row := h.Text() + ":"
		h.Next().Find(`[data-testid="option"]`).Each(func(_ int, o *goquery.Selection) {
			row += " " + strings.Join(strings.Fields(o.Text()), " ")
		})
		got = append(got, row)
	})
	if want := "Colour: Terracotta Sage\nSize: S M"; strings.Join(got, "\n") != want {
		t.Errorf("the options read\n%s\nwant\n%s", strings.Join(got, "\n"), want)
	}
	for _, c := range []struct {
		in   string
		want []string
	}{
		{"Red / S", []string{"Red", "S"}}, {"Navy/White", []string{"Navy/White"}}, {"S/M", []string{"S/M"}}, {"Red – S/M", []string{"Red", "S/M"}},
	} {
		if got := splitOption(c.in); !slices.Equal(got, c.want) {
			t.Errorf("splitOption(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestOptionRowNames: a row is named for what its values are.
func TestOptionRowNames(t *testing.T) {
	for _, c := range []struct {
		values []string
		want   string
	}{
		{[]string{"S", "M", "XL", "3XL"}, "Size"},
		{[]string{"EU 38", "EU 39", "42.5"}, "Size"},
		{[]string{"Forest Green", "Navy/White", "black"}, "Colour"},
		{[]string{"Wool", "Cotton"}, "Options"}, // materials, not colours
		{[]string{"Red – S", "Navy – M"}, "Options"},
	} {
		if got := optionRowName(c.values); got != c.want {
			t.Errorf("optionRowName(%q) = %q, want %q", c.values, got, c.want)
		}
	}
}

// TestSizesAreOfferedSmallestFirst: sizes read in the order a shop lists
// its products ("M", "L", "S") are offered smallest first.
func TestSizesAreOfferedSmallestFirst(t *testing.T) {
	for _, c := range []struct{ in, want []string }{
		{[]string{"M", "L", "S", "XL", "XS", "3XL", "XXL"}, []string{"XS", "S", "M", "L", "XL", "XXL", "3XL"}},
		{[]string{"EU 42", "EU 38", "EU 40.5"}, []string{"EU 38", "EU 40.5", "EU 42"}},
		{[]string{"L/XL", "S/M"}, []string{"S/M", "L/XL"}},
	} {
		got := slices.Clone(c.in)
		slices.SortStableFunc(got, compareSizes)
		if !slices.Equal(got, c.want) {
			t.Errorf("%q sorted %q, want %q", c.in, got, c.want)
		}
	}
}

// TestAGroupOfTheWholeCatalogOffersNoOptions: a supplier's file that gives
// every row one group_id made each product page list every product of the
// group, the whole catalog (20,000 options: 1.8 MB and 0.6 s a page, for
// anyone to ask page after page). A group of more than maxGroupOptions
// products offers none; a group within it still offers its products.
func TestAGroupOfTheWholeCatalogOffersNoOptions(t *testing.T) {
	shop := mustOpenShop(t)
	ctx := context.Background()
	var cat models.Category
	must(t, shop.db.W.Where("slug = ?", "kitchen").First(&cat).Error)
	products := make([]models.Product, maxGroupOptions)
	for i := range products {
		ext := fmt.Sprintf("SKU-G%d", i)
		products[i] = models.Product{ExternalID: ext, Slug: models.Slugify(ext), Title: fmt.Sprintf("Tea Towel – %d", i),
			CategoryID: cat.ID, PriceCents: 900, Stock: 5, Active: true, GroupID: "ONE"}
	}
	must(t, shop.db.W.CreateInBatches(&products, 500).Error)
	must(t, shop.srv.shop.RefreshCatalog(ctx, true))
	options := func() int {
		t.Helper()
		res, doc := shop.newClient().get(productPath(shop.product("SKU-G7")))
		if res.StatusCode != http.StatusOK {
			t.Fatalf("product page %d", res.StatusCode)
		}
		return doc.Find(`[data-testid="option"]`).Length()
	}
	if got := options(); got != maxGroupOptions {
		t.Fatalf("a group of %d products offers %d options, want each of them", maxGroupOptions, got)
	}
	must(t, shop.db.W.Create(&models.Product{ExternalID: "SKU-G-LAST", Slug: "sku-g-last", Title: "Tea Towel – last",
		CategoryID: cat.ID, PriceCents: 900, Stock: 5, Active: true, GroupID: "ONE"}).Error)
	must(t, shop.srv.shop.RefreshCatalog(ctx, true))
	if got := options(); got != 0 {
		t.Errorf("a group of %d products offers %d options on each of its pages, want none", maxGroupOptions+1, got)
	}
}
