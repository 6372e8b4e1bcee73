package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"storefront/models"
	"storefront/templates"
)

// adminCustomers finds a customer by the id the shop's files give them
// (or by their address) and shows how they claim their history.
func (s *Server) adminCustomers(c echo.Context) error {
	q := strings.TrimSpace(c.QueryParam("q"))
	if len(q) > models.MaxEmailLength {
		q = q[:models.MaxEmailLength]
	}
	vm := templates.AdminCustomersPage{Query: q}
	if q != "" {
		vm.Searched = true
		sh, err := s.findCustomer(c, q)
		if err != nil && !errors.Is(err, models.ErrNotFound) {
			return err
		}
		if sh != nil {
			if vm.Customer, err = s.customerView(c, sh); err != nil {
				return err
			}
			vm.Email = vm.Customer.ClaimEmail
		}
	}
	return s.customersPage(c, http.StatusOK, vm)
}

// findCustomer finds a customer by their files' id, their id here, or an
// address: the one they log in with or the one given to them.
func (s *Server) findCustomer(c echo.Context, q string) (*models.Shopper, error) {
	ctx := c.Request().Context()
	if !strings.Contains(q, "@") {
		return s.db.FindCustomer(ctx, models.NormalID(q), "")
	}
	sh, err := s.db.FindCustomer(ctx, "", q)
	if errors.Is(err, models.ErrNotFound) {
		if sh, err = s.db.CustomerByClaimEmail(ctx, q); errors.Is(err, models.ErrNotFound) {
			return s.db.FindCustomer(ctx, q, "") // imported under their address
		}
	}
	return sh, err
}

func (s *Server) customerView(c echo.Context, sh *models.Shopper) (*templates.AdminCustomer, error) {
	ctx := c.Request().Context()
	v := &templates.AdminCustomer{ID: sh.ID, UserID: sh.FileID(), Name: sh.Name, Claimable: sh.ClaimsImport()}
	if v.UserID != sh.ExternalID {
		v.Key = sh.ExternalID
	}
	if sh.Email != nil {
		v.Account = *sh.Email
	} else if sh.PasswordHash != "" {
		v.Account = "a password without an address"
	}
	if sh.ClaimEmail != nil {
		v.ClaimEmail = *sh.ClaimEmail
		taken, err := s.db.EmailRegistered(ctx, v.ClaimEmail)
		if err != nil {
			return nil, err
		}
		v.Registered = taken
	}
	n, err := s.db.CountUserEvents(ctx, sh.ExternalID)
	if err != nil {
		return nil, err
	}
	v.Events = n
	return v, nil
}

func (s *Server) customersPage(c echo.Context, status int, vm templates.AdminCustomersPage) error {
	vm.AdminBase = s.adminBase(c, "Customers", "customers")
	return render(c, status, templates.AdminCustomers(vm))
}

// adminCustomerEmail gives an imported customer without an account the
// address they claim their history with (audited).
func (s *Server) adminCustomerEmail(c echo.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	email := c.FormValue("email")
	sh, err := s.db.SetCustomerEmail(ctx, id, email, staffName(c))
	var ve *models.ValidationError
	switch {
	case errors.As(err, &ve):
		cur, ferr := s.db.ShopperByID(ctx, id)
		if ferr != nil {
			return ferr
		}
		vm := templates.AdminCustomersPage{Query: cur.FileID(), Searched: true, Email: email, Errors: ve.Fields}
		if vm.Customer, err = s.customerView(c, cur); err != nil {
			return err
		}
		return s.customersPage(c, http.StatusUnprocessableEntity, vm)
	case errors.Is(err, models.ErrHasAccount):
		return echo.NewHTTPError(http.StatusConflict, "This customer has an account (they set a password): the address they log in with is theirs, and the shop does not change it.")
	case err != nil:
		return err
	}
	s.flash(c, "Saved the address of customer "+sh.FileID()+": \"Forgot your password?\" on the login page now sends them a first password.")
	return c.Redirect(http.StatusSeeOther, "/admin/customers?q="+url.QueryEscape(sh.FileID()))
}
