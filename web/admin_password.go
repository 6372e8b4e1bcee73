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
	limit := "" // a forced change has no current password to guess
	if !st.MustChangePassword {
		// Guesses of the current password here count with the account's
		// logins, so a session cannot be used to guess it faster.
		limit = loginAccount("staff:", st.Email)
	}
	answered, err := s.changePassword(c, limit, func(current string) error {
		return s.db.CheckOwnStaffPassword(ctx, u.StaffID, current)
	}, func(current, password string) error {
		return s.db.ChangeOwnStaffPassword(ctx, u.StaffID, current, password)
	}, func(status int, errs map[string]string) error {
		vm.Errors = errs
		return render(c, status, templates.StaffPassword(vm))
	})
	if answered {
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

// changePassword is what the shopper's and the staff password forms share:
// the new password typed twice alike, guesses of the current one limited
// like logins under limitKey ("" for none), and the change's validation
// errors shown on the form (show renders it with a status and the errors
// by field), every one of them at once: a wrong current password, a new one
// too short and a confirmation that differs are said together, not one per
// submission (check tells whether the current password is right without
// changing anything). answered says the form was shown again (err is then
// what showing it returned) or the change failed; otherwise the password
// is changed.
func (s *Server) changePassword(c echo.Context, limitKey string, check func(current string) error,
	change func(current, password string) error, show func(status int, errs map[string]string) error) (answered bool, err error) {
	current, pw := c.FormValue("current"), c.FormValue("password")
	errs := map[string]string{}
	if msg := models.ValidateNewPassword(pw); msg != "" {
		errs["password"] = msg
	}
	if pw != c.FormValue("confirm") {
		errs["confirm"] = "The two passwords differ."
	}
	if limitKey != "" {
		if ok, wait := s.limiter.allow(c.Request().Context(), c.RealIP(), limitKey); !ok {
			refuseAttempt(c, wait)
			errs["current"] = waitMessage("Too many attempts.", wait)
			return true, show(http.StatusTooManyRequests, errs)
		}
	}
	if len(errs) > 0 {
		err := check(current)
		var ve *models.ValidationError
		if errors.As(err, &ve) {
			for f, msg := range ve.Fields {
				if errs[f] == "" {
					errs[f] = msg
				}
			}
		} else if err != nil {
			return true, err
		}
		return true, show(http.StatusUnprocessableEntity, errs)
	}
	err = change(current, pw)
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		return true, show(http.StatusUnprocessableEntity, ve.Fields)
	}
	return err != nil, err
}
