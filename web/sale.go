package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"storefront/models"
	"storefront/shop"
	"storefront/templates"
)

// maxSaleCards bounds the sale page; it lists the most popular first.
const maxSaleCards = 96

// sale lists the products on sale (price below the compare-at price) that
// can be bought now, optionally under one category (?c=slug).
func (s *Server) sale(c echo.Context) error {
	cat := s.shop.Catalog()
	vm := templates.SalePage{Base: s.base(c, "On sale")}
	var under *shop.CatNode
	if slug := c.QueryParam("c"); slug != "" {
		n, ok := cat.CategoryBySlug(slug)
		if !ok || !cat.Listed(n) {
			// As its own page: a category with nothing a shopper can
			// browse has no sale either.
			return echo.NewHTTPError(http.StatusNotFound, "There is no category "+slug+".")
		}
		under, vm.Category, vm.CategoryURL = n, n.Name, "/c/"+n.Slug
		vm.Base.Title = "On sale in " + n.Name
	}
	// One card per product group (the sizes of one model): its most
	// popular product on sale, named by the group when more are.
	groups := map[string]bool{}
	skip := func(p *models.Product) bool {
		// A product found by search only is listed nowhere, the sale
		// page included (a Magento export's visibility "Search").
		if !p.OnSale() || !p.InListings() || p.GroupID != "" && groups[p.GroupID] {
			return true
		}
		groups[p.GroupID] = p.GroupID != "" // TopIn takes every product skip lets through
		return false
	}
	for _, p := range cat.TopIn(cat.Popular, under, maxSaleCards, skip) {
		cd := card(p, "", "", 0)
		onSale := 0
		for _, q := range cat.Group(p.GroupID) {
			if q.OnSale() && q.InStock() {
				onSale++
			}
		}
		if onSale > 1 {
			cd.Title = cat.DisplayName(p) // the card stands for the sizes on sale
		}
		vm.Cards = append(vm.Cards, cd)
		vm.MaxDiscount = max(vm.MaxDiscount, p.DiscountPercent())
	}
	return render(c, http.StatusOK, templates.Sale(vm))
}
