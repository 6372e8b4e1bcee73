package web

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"storefront/models"
	"storefront/templates"
)

func (s *Server) account(c echo.Context) error {
	return s.renderAccount(c, http.StatusOK, nil)
}

// renderAccount shows the account page; deleteErrors, keyed by field id,
// are the reasons a request to delete the account was refused, shown at
// the fields of its form and in a summary that takes the focus.
func (s *Server) renderAccount(c echo.Context, status int, deleteErrors map[string]string) error {
	u := userOf(c)
	ctx := c.Request().Context()
	sh, err := s.db.ShopperByID(ctx, u.ShopperID)
	if errors.Is(err, models.ErrNotFound) {
		// Deleted by another process a moment ago: signed out.
		if err := s.sessions.Destroy(ctx); err != nil {
			return err
		}
		return c.Redirect(http.StatusSeeOther, "/login?next=/account")
	}
	if err != nil {
		return err
	}
	vm := templates.AccountPage{Base: s.base(c, "Your account"), Name: sh.Name, OptOut: sh.OptOut, DeleteErrors: deleteErrors}
	if sh.Email != nil {
		vm.Email = *sh.Email
	}
	if vm.Events, err = s.db.CountUserEvents(ctx, sh.ExternalID); err != nil {
		return err
	}
	orders, err := s.db.OrdersOf(ctx, sh.ID)
	if err != nil {
		return err
	}
	vm.Orders = len(orders)
	return render(c, status, templates.Account(vm))
}

func (s *Server) accountPersonalization(c echo.Context) error {
	optOut := c.FormValue("opt_out") == "true"
	err := s.db.SetOptOut(c.Request().Context(), userOf(c).ShopperID, optOut)
	s.userChanged(userOf(c).Key())
	if err != nil {
		return err
	}
	if optOut {
		s.flash(c, "Personalization is off. Your homepage is now the same as everyone's.")
	} else {
		s.flash(c, "Personalization is on.")
	}
	return c.Redirect(http.StatusSeeOther, "/account")
}

// accountExport downloads everything stored about the shopper as JSON.
func (s *Server) accountExport(c echo.Context) error {
	// Include what this visit tracked a moment ago.
	if err := s.events.Flush(c.Request().Context()); err != nil {
		return err
	}
	data, err := s.db.ExportShopper(c.Request().Context(), userOf(c).ShopperID)
	if err != nil {
		return err
	}
	b, err := json.MarshalIndent(data, "", "  ")
	if err != nil {
		return err
	}
	c.Response().Header().Set("Content-Disposition", `attachment; filename="storefront-my-data.json"`)
	return c.Blob(http.StatusOK, "application/json", b)
}

func (s *Server) accountDelete(c echo.Context) error {
	if c.FormValue("confirm") != "yes" {
		return s.renderAccount(c, http.StatusUnprocessableEntity, map[string]string{
			"delete-confirm": "Tick the box to confirm that you want to delete your account."})
	}
	ctx := c.Request().Context()
	// The password, not only the session (ASVS 3.7.1): a session left open
	// at a shared computer, or taken over, must not end the account and its
	// history for good. Guesses are limited like the password change's.
	if ok, wait := s.limiter.allow(c.Request().Context(), c.RealIP(), loginAccount("password:", s.shopperEmail(ctx, userOf(c).ShopperID))); !ok {
		refuseAttempt(c, wait)
		return s.renderAccount(c, http.StatusTooManyRequests, map[string]string{
			"delete-current": waitMessage("Too many attempts.", wait) + " Your account was not deleted."})
	}
	if err := s.db.CheckShopperPassword(ctx, userOf(c).ShopperID, c.FormValue("current")); err != nil {
		var ve *models.ValidationError
		if errors.As(err, &ve) {
			return s.renderAccount(c, http.StatusUnprocessableEntity, map[string]string{
				"delete-current": ve.Fields["current"] + " Your account was not deleted."})
		}
		return err
	}
	// Page views tracked just before are still queued; write them first so
	// the deletion removes them too.
	if err := s.events.Flush(ctx); err != nil {
		return err
	}
	u := userOf(c)
	err := s.db.DeleteShopper(ctx, u.ShopperID)
	s.userChanged(u.Key())
	if err != nil {
		return err
	}
	// At once: no page, API answer or command serves the shopper again,
	// no other device stays signed in, and the stored models are
	// rewritten without them in the background.
	s.shop.Forget(u.ShopperKey)
	if err := s.endSessionsOf(ctx, u.ShopperID); err != nil {
		return err
	}
	if err := s.sessions.Destroy(ctx); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/?deleted=1")
}

// accountPasswordForm shows the form to change the shopper's password.
func (s *Server) accountPasswordForm(c echo.Context) error {
	vm := templates.AccountPasswordPage{Base: s.base(c, "Change your password")}
	return render(c, http.StatusOK, templates.AccountPassword(vm))
}

// accountPassword changes the shopper's password with their current one,
// ends their sessions on every other device and keeps this one signed in
// under a new session id.
func (s *Server) accountPassword(c echo.Context) error {
	ctx := c.Request().Context()
	u := userOf(c)
	vm := templates.AccountPasswordPage{Base: s.base(c, "Change your password")}
	sh, err := s.db.ShopperByID(ctx, u.ShopperID)
	if err != nil {
		return err
	}
	email := ""
	if sh.Email != nil {
		email = *sh.Email
	}
	// Guesses of the current password are limited like logins: per
	// address, and per account in buckets of their own, so signing in on a
	// few devices does not use up the change.
	answered, err := s.changePassword(c, loginAccount("password:", email), func(current string) error {
		return s.db.CheckShopperPassword(ctx, sh.ID, current)
	}, func(current, password string) error {
		return s.db.ChangeShopperPassword(ctx, sh.ID, current, password)
	}, func(status int, errs map[string]string) error {
		vm.Errors = errs
		return render(c, status, templates.AccountPassword(vm))
	})
	if answered {
		return err
	}
	if err := s.keepOnlyThisSession(ctx, sh.ID); err != nil {
		return err
	}
	s.log.Info("shopper password changed", "shopper_id", sh.ID)
	s.flash(c, "Your password is changed. Your other devices are signed out.")
	return c.Redirect(http.StatusSeeOther, "/account")
}

// accountSignOutOthers signs the shopper out on every other device (a
// phone lost, a shared computer left signed in) and keeps this one signed
// in under a new session id. The password is not asked: whoever holds
// this session could change it anyway, and signing out takes nothing away
// from the account.
func (s *Server) accountSignOutOthers(c echo.Context) error {
	ctx := c.Request().Context()
	id := userOf(c).ShopperID
	if err := s.keepOnlyThisSession(ctx, id); err != nil {
		return err
	}
	s.log.Info("shopper signed out of other devices", "shopper_id", id)
	s.flash(c, "You are signed out on every other device.")
	return c.Redirect(http.StatusSeeOther, "/account")
}

// keepOnlyThisSession ends every stored session of the shopper (this one's
// too) and saves this request's session again under a new id, so a copy of
// the old cookie signs nobody in.
func (s *Server) keepOnlyThisSession(ctx context.Context, shopperID uint) error {
	if err := s.endSessionsOf(ctx, shopperID); err != nil {
		return err
	}
	if err := s.sessions.RenewToken(ctx); err != nil {
		return err
	}
	s.sessions.Put(ctx, sessShopperID, int(shopperID))
	s.sessions.Put(ctx, sessSeen, s.now().Unix())
	return nil
}

// shopperEmail is a shopper's email, "" when unknown: the account the
// limiter counts guesses of their current password on.
func (s *Server) shopperEmail(ctx context.Context, id uint) string {
	sh, err := s.db.ShopperByID(ctx, id)
	if err != nil || sh.Email == nil {
		return ""
	}
	return *sh.Email
}
