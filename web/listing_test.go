package web

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

func TestCategoryPageFromSnapshot(t *testing.T) {
	shop := mustOpenShop(t)
	c := shop.newClient()
	t.Run("page past the end redirects to the last page", func(t *testing.T) {
		res, _ := c.get("/c/kitchen?page=99&sort=price_asc")
		if res.StatusCode != http.StatusFound || res.Header.Get("Location") != "/c/kitchen?sort=price_asc" {
			t.Fatalf("status %d to %q", res.StatusCode, res.Header.Get("Location"))
		}
		res, _ = c.get("/c/hiking?page=99&brand=Packwell")
		if res.StatusCode != http.StatusFound || res.Header.Get("Location") != "/c/hiking?brand=Packwell" {
			t.Fatalf("status %d to %q", res.StatusCode, res.Header.Get("Location"))
		}
	})
	t.Run("brand counts follow the price filter", func(t *testing.T) {
		_, doc := c.get("/c/kitchen?max=15")
		// Tea towels 10..15 (six) are Hearth under 15; the skillet and knife are not.
		if got := doc.Find(`[data-testid="brand-count"]`).First().Text(); got != "(6)" {
			t.Errorf("Hearth count under $15 is %q, want (6)", got)
		}
		if got := doc.Find(`[data-testid="result-count"]`).Text(); got != "6 products" {
			t.Errorf("result count %q", got)
		}
	})
	t.Run("price ranges and subcategory counts", func(t *testing.T) {
		_, doc := c.get("/c/outdoor")
		if doc.Find(`[data-testid="price-range"]`).Length() < 2 {
			t.Error("no price ranges")
		}
		if got := strings.Join(strings.Fields(doc.Find(`[data-testid="subcategories"] a`).First().Text()), " "); got != "Tents 2" {
			t.Errorf("subcategory chip %q", got)
		}
	})
}

func TestSearchPage(t *testing.T) {
	shop := mustOpenShop(t)
	c := shop.newClient()
	t.Run("full matches first, then partial ones under a heading", func(t *testing.T) {
		_, doc := c.get("/search?q=trail+tent")
		first := doc.Find(`.card-title`).First().Text()
		if first != "Alpine Trail Tent" {
			t.Errorf("first result %q", first)
		}
		head := doc.Find(`[data-testid="partial-head"]`)
		if head.Length() != 1 {
			t.Fatal("no heading for partial matches")
		}
		if n := head.Next().Find(`[data-testid="product-card"]`).Length(); n != 2 {
			t.Errorf("%d partial matches, want the dome tent and the lantern", n)
		}
	})
	t.Run("misspelling: showing results for, search instead for", func(t *testing.T) {
		_, doc := c.get("/search?q=skilet")
		if got := doc.Find(`[data-testid="corrected"]`).Text(); got != "skillet" {
			t.Fatalf("corrected %q", got)
		}
		href, _ := doc.Find(`[data-testid="search-instead"]`).Attr("href")
		if href != "/search?q=skilet&exact=1" {
			t.Fatalf("search instead link %q", href)
		}
		_, doc = c.get(href)
		if doc.Find(`[data-testid="no-results"]`).Length() != 1 || doc.Find(`[data-testid="corrected"]`).Length() != 0 {
			t.Error("searching exactly still corrects")
		}
	})
	t.Run("unknown word left out and said so", func(t *testing.T) {
		_, doc := c.get("/search?q=purple+tent")
		if !strings.Contains(doc.Find(`[data-testid="unknown-words"]`).Text(), "“purple”") {
			t.Errorf("notice: %q", doc.Find(`[data-testid="unknown-words"]`).Text())
		}
		if doc.Find(`[data-testid="product-card"]`).Length() != 2 {
			t.Error("tents not shown")
		}
	})
	t.Run("facets and sort on results", func(t *testing.T) {
		_, doc := c.get("/search?q=ridge&sort=price_asc")
		if doc.Find(`[data-testid="category-facet"] a`).Length() != 2 {
			t.Errorf("category facet: %q", doc.Find(`[data-testid="category-facet"]`).Text())
		}
		titles := doc.Find(`.card-title`).Map(func(_ int, s *goquery.Selection) string { return s.Text() })
		if len(titles) != 9 || titles[0] != "Ridge Daypack 15 L" || titles[8] != "Ridge Dome Tent" {
			t.Errorf("by price: %q", titles)
		}
		_, doc = c.get("/search?q=ridge&cat=tents")
		if doc.Find(`[data-testid="product-card"]`).Length() != 1 {
			t.Error("category filter not applied")
		}
		res, _ := c.get("/search?q=ridge&page=7")
		if res.StatusCode != http.StatusFound || res.Header.Get("Location") != "/search?q=ridge" {
			t.Errorf("page past the end: %d to %q", res.StatusCode, res.Header.Get("Location"))
		}
	})
}

func TestSearchSuggest(t *testing.T) {
	shop := mustOpenShop(t)
	c := shop.newClient()
	res, err := c.hc.Get(shop.ts.URL + "/search/suggest?q=ten")
	must(t, err)
	defer res.Body.Close()
	var got []suggestion
	must(t, json.NewDecoder(res.Body).Decode(&got))
	if len(got) < 3 || got[0].Kind != "category" || got[0].URL != "/c/tents" || got[1].Kind != "product" {
		t.Fatalf("suggestions %+v", got)
	}
	for _, s := range got[1:] {
		if !strings.Contains(s.Label, "Tent") {
			t.Errorf("%q suggested for ten", s.Label)
		}
	}
}
