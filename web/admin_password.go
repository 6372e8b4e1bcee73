package web

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"storefront/models"
	"storefront/templates"
)

// adminPasswordForm lets staff choose their own password; requireStaff
// sends an account that must change its password here first.
func (s *Server) adminPasswordForm(c echo.Context) error {
	st, err := s.db.StaffByID(c.Request().Context(), userOf(c).StaffID)
	if err != nil {
		return err
	}
	vm := templates.StaffPasswordPage{Base: s.base(c, "Choose your password"), Forced: st.MustChangePassword}
	return render(c, http.StatusOK, templates.StaffPassword(vm))
}

func (s *Server) adminPassword(c echo.Context) error {
	ctx := c.Request().Context()
	u := userOf(c)
	st, err := s.db.StaffByID(ctx, u.StaffID)
	if err != nil {
		return err
	}
	vm := templates.StaffPasswordPage{Base: s.base(c, "Choose your password"), Forced: st.MustChangePassword}
	pw := c.FormValue("password")
	if pw != c.FormValue("confirm") {
		vm.Errors = map[string]string{"confirm": "The two passwords differ."}
		return render(c, http.StatusUnprocessableEntity, templates.StaffPassword(vm))
	}
	if !st.MustChangePassword {
		// Guesses of the current password here count with the account's
		// logins, so a session cannot be used to guess it faster.
		if ok, wait := s.limiter.allow(c.RealIP(), loginAccount("staff:", st.Email)); !ok {
			refuseAttempt(c, wait)
			vm.Errors = map[string]string{"current": waitMessage("Too many attempts.", wait)}
			return render(c, http.StatusTooManyRequests, templates.StaffPassword(vm))
		}
	}
	err = s.db.ChangeOwnStaffPassword(ctx, u.StaffID, c.FormValue("current"), pw)
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		vm.Errors = ve.Fields
		return render(c, http.StatusUnprocessableEntity, templates.StaffPassword(vm))
	}
	if err != nil {
		return err
	}
	// A new password is a privilege change: a new session id, and this
	// session carries the new generation (the account's others end).
	if st, err = s.db.StaffByID(ctx, u.StaffID); err != nil {
		return err
	}
	if err := s.signInStaff(ctx, st); err != nil {
		return err
	}
	s.log.Info("staff password changed", "staff_id", u.StaffID)
	s.flash(c, "Your password is changed.")
	return c.Redirect(http.StatusSeeOther, "/admin/layout")
}
