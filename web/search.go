package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"storefront/models"
	"storefront/templates"
)

// search ranks products for a query and records the search.
func (s *Server) search(c echo.Context) error {
	raw := c.QueryParam("q")
	q := strings.TrimSpace(raw)
	vm := templates.SearchPage{Base: s.base(c, "Search"), Q: q}
	if len(q) > models.MaxQueryLength {
		vm.TooLong = true
		q = q[:models.MaxQueryLength]
		vm.Q = q
	}
	vm.Base.Query = q
	if q != "" {
		vm.Base.Title = "Search: " + q
	}
	page, _ := strconv.Atoi(c.QueryParam("page"))
	if page < 1 {
		page = 1
	}
	cat := s.shop.Catalog()
	if q != "" {
		res := cat.Search.Search(q, page, perPage)
		vm.Total, vm.Suggestion = res.Total, res.Suggestion
		for i, id := range res.IDs {
			if p, ok := cat.Product(id); ok {
				vm.Cards = append(vm.Cards, card(p, "", "search", (page-1)*perPage+i+1))
			}
		}
		vm.Pages, vm.Prev, vm.Next = pagination(res.Total, page, perPage, func(p int) string {
			return "/search?q=" + url.QueryEscape(q) + "&page=" + strconv.Itoa(p)
		})
		if page == 1 {
			s.track(c, models.EventSearch, 0, "", 0, q)
		}
	}
	if q == "" || vm.Total == 0 {
		// Suggest the biggest categories and a few best sellers.
		for _, r := range cat.Roots {
			vm.Suggestions = append(vm.Suggestions, templates.Link{Label: r.Name, URL: "/c/" + r.Slug})
		}
		for i, id := range cat.Popular {
			if i == 8 {
				break
			}
			p, _ := cat.Product(id)
			vm.Cards = append(vm.Cards, card(p, "Popular right now", "", 0))
		}
	}
	return render(c, http.StatusOK, templates.Search(vm))
}
