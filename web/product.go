package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"storefront/models"
	"storefront/templates"
)

// parseProductID reads "123" or "123-some-slug".
func parseProductID(raw string) (uint, bool) {
	if i := strings.IndexByte(raw, '-'); i >= 0 {
		raw = raw[:i]
	}
	id, err := strconv.ParseUint(raw, 10, 32)
	if err != nil || id == 0 {
		return 0, false
	}
	return uint(id), true
}

// product shows one product and records the view (and the click, when the
// visitor came from a homepage row).
func (s *Server) product(c echo.Context) error {
	id, ok := parseProductID(c.Param("id"))
	if !ok {
		return echo.ErrNotFound
	}
	ctx := c.Request().Context()
	p, err := s.db.ProductByID(ctx, id)
	if err != nil {
		return err
	}
	canonical := ProductURL(p)
	if "/p/"+c.Param("id") != canonical {
		q := c.Request().URL.RawQuery
		if q != "" {
			canonical += "?" + q
		}
		return c.Redirect(http.StatusMovedPermanently, canonical)
	}
	if slot := c.QueryParam("slot"); slot != "" && len(slot) <= 32 {
		pos, _ := strconv.Atoi(c.QueryParam("pos"))
		s.track(c, models.EventClick, p.ID, slot, pos, "")
	}
	s.track(c, models.EventView, p.ID, "", 0, "")

	cat := s.catalog.Load()
	vm := templates.ProductPage{Base: s.base(c, p.Title), ID: p.ID, ExternalID: p.ExternalID, Title: p.Title,
		Brand: p.Brand, Description: p.Description, PriceCents: p.PriceCents, Stock: p.Stock, Active: p.Active,
		Image: ImageURL(p)}
	vm.Description = truncate(p.Description, 160)
	vm.Base.Description = vm.Description
	vm.Description = p.Description
	if n, ok := cat.CategoryBySlug(p.Category.Slug); ok {
		for _, a := range n.Path() {
			vm.Crumbs = append(vm.Crumbs, templates.Link{Label: a.Name, URL: "/c/" + a.Slug})
		}
	}
	vm.AlsoBought, vm.Similar = s.relatedProducts(c, p)
	return render(c, http.StatusOK, templates.Product(vm))
}

// relatedProducts fills the product page's rows. Until a model is trained
// they come from the same category, most popular first.
func (s *Server) relatedProducts(c echo.Context, p *models.Product) (alsoBought, similar []templates.Card) {
	cat := s.catalog.Load()
	for _, id := range cat.Popular {
		q, _ := cat.Product(id)
		if q.ID == p.ID || q.CategoryID != p.CategoryID {
			continue
		}
		similar = append(similar, card(q, "", "", 0))
		if len(similar) == 8 {
			break
		}
	}
	return nil, similar
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return strings.TrimSpace(string(r[:n-1])) + "…"
}
