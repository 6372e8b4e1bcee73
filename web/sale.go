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
		if !ok {
			return echo.NewHTTPError(http.StatusNotFound, "There is no category "+slug+".")
		}
		under, vm.Category, vm.CategoryURL = n, n.Name, "/c/"+n.Slug
		vm.Base.Title = "On sale in " + n.Name
	}
	notOnSale := func(p *models.Product) bool { return !p.OnSale() }
	for _, p := range cat.TopIn(cat.Popular, under, maxSaleCards, notOnSale) {
		vm.Cards = append(vm.Cards, card(p, "", "", 0))
		vm.MaxDiscount = max(vm.MaxDiscount, p.DiscountPercent())
	}
	return render(c, http.StatusOK, templates.Sale(vm))
}
