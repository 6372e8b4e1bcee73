package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

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
			Price: templates.PlainAmount(c.Request().Context(), p.PriceCents), Stock: strconv.Itoa(p.Stock), Active: p.Active, URL: ProductURL(p), Image: ImageURL(p)})
		r := &vm.Rows[len(vm.Rows)-1]
		r.CompareAt = formatCompareAt(c.Request().Context(), p.CompareAtCents)
		r.WasPrice, r.WasCompareAt, r.WasStock, r.WasActive = r.Price, r.CompareAt, r.Stock, r.Active
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
	compareAt := strings.TrimSpace(c.FormValue("compare_at"))
	q, page := c.FormValue("q"), 1
	if p, err := strconv.Atoi(c.FormValue("page")); err == nil && p > 0 {
		page = p
	}
	errs := map[string]string{}
	cents, problem := s.parseAmount(c.Request().Context(), price)
	if problem != "" {
		errs["price"] = problem
	}
	var compareCents int64
	if compareAt != "" {
		if compareCents, problem = s.parseAmount(c.Request().Context(), compareAt); problem != "" {
			errs["compare_at"] = problem + " Or leave it empty when the product is not on sale."
		}
	}
	n, err := strconv.Atoi(stock)
	if err != nil {
		errs["stock"] = "Enter a whole number."
	}
	// What the form showed, so that only the fields the merchandiser
	// changed are written (an order may have sold stock since).
	was := shownProductFields(c)
	confirm := ""
	if len(errs) == 0 {
		old, err := s.db.ProductByID(c.Request().Context(), id)
		if err != nil {
			return err
		}
		// A price that moves by more than half is more often a typo than a
		// sale: ask once, for exactly this price.
		if bigPriceChange(old.PriceCents, cents) && c.FormValue("confirm_price") != strconv.FormatInt(cents, 10) {
			confirm = fmt.Sprintf("The price changes from %s to %s (%+.0f%%). Save it anyway?",
				templates.Price(c.Request().Context(), old.PriceCents), templates.Price(c.Request().Context(), cents), 100*float64(cents-old.PriceCents)/float64(old.PriceCents))
		}
	}
	if len(errs) == 0 && confirm == "" {
		err = s.db.UpdateProductAdmin(c.Request().Context(), staffName(c), id, models.ProductEdit{PriceCents: cents, CompareAtCents: compareCents, Stock: n, Active: active}, was)
		if errs, err = fieldErrors(err); err != nil {
			return err
		}
	}
	if len(errs) > 0 || confirm != "" {
		vm, err := s.catalogPage(c, q, page)
		if err != nil {
			return err
		}
		for i := range vm.Rows {
			if vm.Rows[i].ID == id {
				// The form keeps what it showed, except where a field was
				// refused because it changed meanwhile: saving again then
				// writes the merchandiser's value over the current one.
				if r := &vm.Rows[i]; was != nil {
					if _, ok := errs["price"]; !ok {
						r.WasPrice = templates.PlainAmount(c.Request().Context(), was.PriceCents)
					}
					if _, ok := errs["compare_at"]; !ok {
						r.WasCompareAt = formatCompareAt(c.Request().Context(), was.CompareAtCents)
					}
					if _, ok := errs["stock"]; !ok {
						r.WasStock = strconv.Itoa(was.Stock)
					}
					if _, ok := errs["active"]; !ok {
						r.WasActive = was.Active
					}
				}
				vm.Rows[i].Price, vm.Rows[i].Stock, vm.Rows[i].Active, vm.Rows[i].Errors = price, stock, active, errs
				vm.Rows[i].CompareAt = compareAt
				vm.Rows[i].Confirm, vm.Rows[i].ConfirmCents = confirm, strconv.FormatInt(cents, 10)
			}
		}
		status := http.StatusUnprocessableEntity
		if len(errs) == 0 {
			status = http.StatusOK // nothing is wrong yet; the merchandiser decides
		}
		return render(c, status, templates.AdminCatalog(vm))
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

// formatCompareAt is a regular price as the form shows it, with the shop's
// decimal mark: empty when the product is not on sale.
func formatCompareAt(ctx context.Context, cents int64) string {
	if cents <= 0 {
		return ""
	}
	return templates.PlainAmount(ctx, cents)
}

// shownProductFields reads the price, regular price, stock and active flag
// the catalog form showed (its was_* fields); nil when the form did not
// send them.
func shownProductFields(c echo.Context) *models.ProductEdit {
	// The form wrote these itself (templates.PlainAmount).
	cents, err := models.ParsePrice(c.FormValue("was_price"))
	if err != nil {
		return nil
	}
	var compareAt int64
	if v := c.FormValue("was_compare_at"); v != "" {
		if compareAt, err = models.ParsePrice(v); err != nil {
			return nil
		}
	}
	n, err := strconv.Atoi(c.FormValue("was_stock"))
	if err != nil {
		return nil
	}
	active, err := strconv.ParseBool(c.FormValue("was_active"))
	if err != nil {
		return nil
	}
	return &models.ProductEdit{PriceCents: cents, CompareAtCents: compareAt, Stock: n, Active: active}
}

// bigPriceChange reports whether a price moves by more than 50 %.
func bigPriceChange(old, new int64) bool {
	if old <= 0 {
		return false
	}
	d := new - old
	if d < 0 {
		d = -d
	}
	return 2*d > old
}

// parseAmount reads an amount a merchant typed into an admin field as the
// import reads a price (models.ParsePrice: "19,99", "1 299,00", "1.299,00",
// "1,299.00", "1'299.50"), with the shop's currency before or after it
// ("$1,299.00", "1 299,00 zł", "PLN 1 299"). Amounts whose notation is
// ambiguous ("1,299": a thousand, or 1.299?) are refused rather than read
// one way. problem is the sentence shown at the field, "" when read.
func (s *Server) parseAmount(ctx context.Context, v string) (cents int64, problem string) {
	amount, mark := models.SplitCurrency(v)
	if st := s.shopSettings(ctx); mark != "" && !strings.EqualFold(mark, st.CurrencySymbol()) {
		if code := models.CurrencyCode(mark); code != st.Currency {
			return 0, fmt.Sprintf("%s is in %s, but the shop's prices are in %s: enter the amount in %s.", models.Quoted(v), code, st.Currency, st.Currency)
		}
	}
	cents, err := models.ParsePrice(amount)
	if err != nil {
		if strings.TrimSpace(amount) == "" {
			return 0, "Enter a price like 19.99 or 19,99."
		}
		msg := err.Error()
		if r, n := utf8.DecodeRuneInString(msg); unicode.IsLower(r) {
			msg = string(unicode.ToUpper(r)) + msg[n:]
		}
		return 0, msg + "."
	}
	return cents, ""
}
