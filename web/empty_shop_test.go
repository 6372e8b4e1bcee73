package web

import (
	"net/http"
	"strings"
	"testing"

	"storefront/models"
)

// A shop served before its first import has no department to browse: its
// homepage said "Browse the categories above" over a header without any.
func TestAnEmptyShopsHomepageSaysNothingIsOnSaleYet(t *testing.T) {
	db, done, err := models.OpenScratch(t.TempDir(), "empty.db")
	must(t, err)
	t.Cleanup(done)
	shop := startShop(t, db)
	res, doc := shop.newClient().get("/")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET / = %d", res.StatusCode)
	}
	if doc.Find(`[data-testid="nothing-on-sale"]`).Length() != 1 {
		t.Errorf("the empty shop's homepage does not say nothing is on sale yet: %q", strings.TrimSpace(doc.Find("main").Text()))
	}
	if strings.Contains(doc.Find("main").Text(), "categories above") {
		t.Error("the empty shop's homepage sends shoppers to categories it does not have")
	}
}
