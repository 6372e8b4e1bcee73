package web

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// headerDepartments are the department links of a page's header.
func headerDepartments(doc *goquery.Document) []string {
	var out []string
	doc.Find(`nav.cat-nav a`).Each(func(_ int, a *goquery.Selection) {
		out = append(out, a.Text())
	})
	return out
}

// TestTheHeaderOffersOnlyDepartmentsAShopperCanBrowse: a department whose
// products are all off sale, or found by search only, is not in the header
// and its page is not found (it was offered and listed nothing); putting
// one of its products on sale in the admin brings it back at once.
func TestTheHeaderOffersOnlyDepartmentsAShopperCanBrowse(t *testing.T) {
	shop := startImportedShop(t, "id,title,description,category,brand,price,stock,created_at,active,visibility\n"+
		"POT-1,Stoneware Teapot,,Kitchen/Teapots,Fern,29,5,,true,\"Catalog, Search\"\n"+
		"RAKE-1,Leaf Rake,,Garden/Tools,Fern,19,5,,false,\"Catalog, Search\"\n"+
		"HOSE-1,Garden Hose,,Garden/Watering,Fern,25,5,,false,\"Catalog, Search\"\n"+
		"CARD-1,Gift Card Sleeve,,Gifts,Fern,2,40,,true,Search\n", "")
	visitor := shop.newClient()
	_, doc := visitor.get("/")
	if got := headerDepartments(doc); !slices.Equal(got, []string{"Kitchen"}) {
		t.Errorf("the header offers %q; want only Kitchen (Garden is off sale, Gifts found by search only)", got)
	}
	for _, path := range []string{"/c/garden", "/c/tools", "/c/gifts", "/sale?c=garden"} {
		if res, _ := visitor.get(path); res.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d, want 404 (nothing in it a shopper can browse)", path, res.StatusCode)
		}
	}
	if res, doc := visitor.get("/c/kitchen"); res.StatusCode != http.StatusOK || len(cardIDs(doc, "main")) != 1 {
		t.Errorf("/c/kitchen: %d with %d cards, want 200 with the teapot", res.StatusCode, len(cardIDs(doc, "main")))
	}
	if _, doc := visitor.get("/search?q=zzzzqx"); slices.Contains(linkTexts(doc.Find("main")), "Garden") {
		t.Errorf("a search that finds nothing suggests Garden, which lists nothing")
	}

	merch := shop.staffClient("merchandiser")
	// The slot editor still offers Garden (a slot may be set up before its
	// season, and an existing one keeps its category) but says it is empty.
	if got := categoryChoices(merch, "Garden"); got != "Garden (nothing on sale)" {
		t.Errorf("the slot editor offers Garden as %q; want it marked \"(nothing on sale)\"", got)
	}
	if got := categoryChoices(merch, "Kitchen"); got != "Kitchen" {
		t.Errorf("the slot editor offers Kitchen as %q", got)
	}
	rake := shop.product("RAKE-1")
	if res := merch.post("/admin/catalog", "/admin/catalog/"+utoa(rake.ID), url.Values{"price": {"19.00"}, "stock": {"5"}, "active": {"true"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("putting the rake on sale: %d", res.StatusCode)
	}
	_, doc = visitor.get("/")
	if got := headerDepartments(doc); !slices.Equal(got, []string{"Kitchen", "Garden"}) {
		t.Errorf("with the rake on sale the header offers %q; want Kitchen and Garden", got)
	}
	res, doc := visitor.get("/c/garden")
	if res.StatusCode != http.StatusOK || !slices.Contains(cardIDs(doc, "main"), utoa(rake.ID)) {
		t.Errorf("/c/garden with the rake on sale: %d, cards %v", res.StatusCode, cardIDs(doc, "main"))
	}
	if res, _ := visitor.get("/c/watering"); res.StatusCode != http.StatusNotFound {
		t.Errorf("/c/watering (its hose still off sale): %d, want 404", res.StatusCode)
	}
	if got := categoryChoices(merch, "Garden"); got != "Garden" {
		t.Errorf("with the rake on sale the slot editor offers Garden as %q", got)
	}
}

// categoryChoices is the label of the slot editor's category choice for
// the department slugged as name's lowercase.
func categoryChoices(c *client, name string) string {
	_, doc := c.get("/admin/layout/slots/new")
	return strings.TrimSpace(doc.Find(`select[name=category] option[value="` + strings.ToLower(name) + `"]`).Text())
}

func linkTexts(s *goquery.Selection) []string {
	var out []string
	s.Find("a").Each(func(_ int, a *goquery.Selection) { out = append(out, a.Text()) })
	return out
}
