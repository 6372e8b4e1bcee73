package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"storefront/models"
	"storefront/search"
	"storefront/templates"
)

const catalogPerPage = 50

// adminCatalog lists products (inactive and out of stock included) with an
// inline price/stock/active form per product.
func (s *Server) adminCatalog(c echo.Context) error {
	vm, err := s.catalogPage(c, c.QueryParam("q"), pageParam(c))
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, templates.AdminCatalog(vm))
}

func (s *Server) catalogPage(c echo.Context, q string, page int) (templates.AdminCatalogPage, error) {
	q = strings.TrimSpace(q)
	if len(q) > search.MaxQueryLength {
		q = q[:search.MaxQueryLength]
	}
	vm := templates.AdminCatalogPage{AdminBase: s.adminBase(c, "Catalog", "catalog"), Q: q, Page: page}
	ps, total, err := s.db.AdminProducts(c.Request().Context(), models.AdminProductQuery{Q: q, Page: page, PerPage: catalogPerPage})
	if err != nil {
		return vm, err
	}
	vm.Total = int(total)
	for i := range ps {
		p := &ps[i]
		vm.Rows = append(vm.Rows, templates.AdminProductRow{ID: p.ID, SKU: p.ExternalID, Title: p.Title, Brand: p.Brand,
			Price: formatCents(p.PriceCents), Stock: strconv.Itoa(p.Stock), Active: p.Active, URL: ProductURL(p)})
	}
	base := "/admin/catalog?"
	if q != "" {
		base += "q=" + url.QueryEscape(q) + "&"
	}
	vm.Pages, vm.Prev, vm.Next = pageLinks(base, page, vm.Total, catalogPerPage)
	return vm, nil
}

// adminProductUpdate saves a product's price, stock and active flag and
// refreshes the shop's in-memory catalog.
func (s *Server) adminProductUpdate(c echo.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	price, stock, active := strings.TrimSpace(c.FormValue("price")), strings.TrimSpace(c.FormValue("stock")), c.FormValue("active") == "true"
	q, page := c.FormValue("q"), 1
	if p, err := strconv.Atoi(c.FormValue("page")); err == nil && p > 0 {
		page = p
	}
	errs := map[string]string{}
	cents, err := parseCents(price)
	if err != nil {
		errs["price"] = "Enter a price like 19.99."
	}
	n, err := strconv.Atoi(stock)
	if err != nil {
		errs["stock"] = "Enter a whole number."
	}
	if len(errs) == 0 {
		err = s.db.UpdateProductAdmin(c.Request().Context(), staffName(c), id, cents, n, active)
		var ve *models.ValidationError
		if errors.As(err, &ve) {
			errs = ve.Fields
		} else if err != nil {
			return err
		}
	}
	if len(errs) > 0 {
		vm, err := s.catalogPage(c, q, page)
		if err != nil {
			return err
		}
		for i := range vm.Rows {
			if vm.Rows[i].ID == id {
				vm.Rows[i].Price, vm.Rows[i].Stock, vm.Rows[i].Active, vm.Rows[i].Errors = price, stock, active, errs
			}
		}
		return render(c, http.StatusUnprocessableEntity, templates.AdminCatalog(vm))
	}
	if err := s.shop.ProductsChanged(c.Request().Context(), id); err != nil {
		s.log.Warn("catalog not patched after an edit; it reloads shortly", "err", err)
	}
	s.flash(c, "Saved the product. The shop shows the change within a moment.")
	back := "/admin/catalog?page=" + strconv.Itoa(page)
	if q != "" {
		back += "&q=" + url.QueryEscape(q)
	}
	return c.Redirect(http.StatusSeeOther, back+"#p"+strconv.FormatUint(uint64(id), 10))
}

var errPrice = errors.New("enter a price like 19.99")

// parseCents reads a price in currency units ("19.99", "5", "1,299.5")
// into cents exactly, without going through floating point.
func parseCents(v string) (int64, error) {
	v = strings.TrimPrefix(strings.ReplaceAll(strings.TrimSpace(v), ",", ""), "$")
	whole, frac, hasDot := strings.Cut(v, ".")
	if whole == "" && (!hasDot || frac == "") || len(frac) > 2 || len(whole) > 12 {
		return 0, errPrice
	}
	for _, r := range whole + frac {
		if r < '0' || r > '9' {
			return 0, errPrice
		}
	}
	if whole == "" {
		whole = "0"
	}
	frac += strings.Repeat("0", 2-len(frac))
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return 0, errPrice
	}
	f, _ := strconv.ParseInt(frac, 10, 64)
	return w*100 + f, nil
}

// formatCents writes cents as a plain decimal for a form field: 1999 → "19.99".
func formatCents(c int64) string {
	return fmt.Sprintf("%d.%02d", c/100, c%100)
}
