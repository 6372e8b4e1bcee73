package web

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"storefront/models"
	"storefront/templates"
)

// adminSetupForm shows the first-run form; without a valid token, or once
// a staff account exists, the page does not exist.
func (s *Server) adminSetupForm(c echo.Context) error {
	token := c.QueryParam("token")
	ok, err := s.db.SetupTokenValid(c.Request().Context(), token)
	if err != nil {
		return err
	}
	if !ok {
		return echo.ErrNotFound
	}
	vm := templates.SetupPage{Base: s.base(c, "Set up your shop"), Token: token, ShopName: s.shopSettings(c.Request().Context()).Name}
	return render(c, http.StatusOK, templates.Setup(vm))
}

// adminSetup creates the first admin, names the shop and logs the admin in.
func (s *Server) adminSetup(c echo.Context) error {
	ctx := c.Request().Context()
	token := c.FormValue("token")
	vm := templates.SetupPage{Base: s.base(c, "Set up your shop"), Token: token, ShopName: c.FormValue("shop_name"),
		Email: c.FormValue("email"), Name: c.FormValue("name")}
	// A wrong token is refused first, before it can spend the limit or a
	// password hash: the limit's account is the one setup form, so wrong
	// tokens from anywhere kept the owner's form at 429 (and each cost a
	// bcrypt hash). The token is unguessable (256 bits); the limit bounds
	// how fast its holder's attempts hash passwords.
	valid, err := s.db.SetupTokenValid(ctx, token)
	if err != nil {
		return err
	}
	if !valid {
		return echo.ErrNotFound
	}
	if ok, wait := s.limiter.allow(c.Request().Context(), c.RealIP(), "setup"); !ok {
		refuseAttempt(c, wait)
		return echo.NewHTTPError(http.StatusTooManyRequests, waitMessage("Too many attempts.", wait))
	}
	st, err := s.db.SetupFirstAdmin(ctx, token, vm.ShopName, models.NewStaff{Email: vm.Email, Name: vm.Name, Password: c.FormValue("password")})
	var ve *models.ValidationError
	switch {
	case errors.As(err, &ve):
		if ok, terr := s.db.SetupTokenValid(ctx, token); terr != nil || !ok {
			return echo.ErrNotFound
		}
		vm.Errors = ve.Fields
		return render(c, http.StatusUnprocessableEntity, templates.Setup(vm))
	case errors.Is(err, models.ErrNotFound):
		return echo.ErrNotFound
	case err != nil:
		return err
	}
	s.shopChanged()
	if err := s.signInStaff(ctx, st); err != nil {
		return err
	}
	s.log.Info("first admin created", "staff_id", st.ID)
	s.flash(c, "Your admin account is ready. Check the shop settings next.")
	return c.Redirect(http.StatusSeeOther, "/admin/settings")
}
