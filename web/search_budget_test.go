package web

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// A budget typed in the query ("tea towel under £15") is the results
// page's price filter: the towels up to 15, the filter shown applied.
// Searched as words it listed every towel and whatever mentions 15.
func TestABudgetInTheQueryIsThePriceFilter(t *testing.T) {
	shop := mustOpenShop(t)
	c := shop.newClient()
	res, _ := c.get("/search?q=tea+towel+under+%C2%A315")
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusFound || loc != "/search?max=15&q=tea+towel" {
		t.Fatalf("status %d to %q, want the search for tea towel up to 15", res.StatusCode, loc)
	}
	res, doc := c.get(loc)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d", res.StatusCode)
	}
	if got := doc.Find(`[data-testid="result-count"]`).Text(); got != "6 results" {
		t.Errorf("result count %q, want the 6 towels of 10 to 15", got)
	}
	doc.Find(`[data-testid="product-card"] [data-testid="price"]`).Each(func(_ int, s *goquery.Selection) {
		p, err := strconv.ParseFloat(strings.Trim(strings.TrimSpace(s.Text()), "$"), 64)
		if err != nil || p > 15 {
			t.Errorf("a card priced %q", s.Text())
		}
	})
	if v, _ := doc.Find(`input[name="max"]`).Attr("value"); v != "15" {
		t.Errorf("the price filter's maximum reads %q, want 15", v)
	}
	// A price filter the shopper set is theirs; a number that is no
	// budget is searched.
	for _, u := range []string{"/search?q=tea+towel+under+15&max=20", "/search?q=ridge+daypack+25"} {
		if res, _ := c.get(u); res.StatusCode != http.StatusOK {
			t.Errorf("%s: status %d, want the results", u, res.StatusCode)
		}
	}
}
