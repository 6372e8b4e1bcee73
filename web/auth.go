package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"storefront/models"
	"storefront/templates"
)

func (s *Server) loginForm(c echo.Context) error {
	if userOf(c).LoggedIn() {
		return c.Redirect(http.StatusSeeOther, "/account")
	}
	return render(c, http.StatusOK, templates.Auth(templates.AuthPage{Base: s.base(c, "Log in"), Next: safeNext(c.QueryParam("next")), CanReset: s.canHelpWithAPassword(c)}))
}

// canHelpWithAPassword reports whether a shopper who forgot their password
// has somewhere to go: a reset link by email, or without the shop's email
// the contact address its page names.
func (s *Server) canHelpWithAPassword(c echo.Context) bool {
	return s.cfg.Mail != nil || s.shopSettings(c.Request().Context()).ContactEmail != ""
}

// login checks the password, renews the session id and moves the visitor's
// cart and history onto the account.
func (s *Server) login(c echo.Context) error {
	email, pw, next := c.FormValue("email"), c.FormValue("password"), safeNext(c.FormValue("next"))
	vm := templates.AuthPage{Base: s.base(c, "Log in"), Email: email, Next: next, CanReset: s.canHelpWithAPassword(c)}
	vm.Email = shortField(email)
	if ok, wait := s.limiter.allow(c.Request().Context(), c.RealIP(), loginAccount("", email)); !ok {
		refuseAttempt(c, wait)
		vm.Error = waitMessage("Too many login attempts.", wait)
		return render(c, http.StatusTooManyRequests, templates.Auth(vm))
	}
	ctx := c.Request().Context()
	sh, err := s.db.AuthenticateShopper(ctx, email, pw)
	if errors.Is(err, models.ErrNotFound) {
		vm.Error = "That email and password do not match an account."
		return render(c, http.StatusUnauthorized, templates.Auth(vm))
	}
	if err != nil {
		return err
	}
	if err := s.logIn(c, sh); err != nil {
		return err
	}
	if sh.Name == "" {
		s.flash(c, "Welcome back.")
	} else {
		s.flash(c, "Welcome back, "+sh.Name+".")
	}
	return c.Redirect(http.StatusSeeOther, next)
}

func (s *Server) logIn(c echo.Context, sh *models.Shopper) error {
	ctx := c.Request().Context()
	u := userOf(c)
	if err := s.sessions.RenewToken(ctx); err != nil {
		return err
	}
	s.sessions.Put(ctx, sessShopperID, int(sh.ID))
	s.sessions.Put(ctx, sessShopperKey, sh.ExternalID)
	s.sessions.Put(ctx, sessShopperName, headerName(sh))
	s.sessions.Put(ctx, sessSeen, s.now().Unix())
	// The visit's events, impressions held back for their minute included,
	// are written first so the merge moves them to the account.
	if err := s.events.Flush(ctx); err != nil {
		s.log.Warn("events of the visit not written before the login", "err", err)
	}
	err := s.db.MergeVisitor(ctx, "v:"+u.VisitorID, sh.ExternalID)
	s.userChanged("v:"+u.VisitorID, sh.ExternalID)
	return err
}

// headerName is what the header's account link says: the shopper's name,
// or "Your account" for one who has none (a customer an import brought who
// set a password by email). A signed-in page is told from a visitor's by
// this name, so it is never empty.
func headerName(sh *models.Shopper) string {
	if sh.Name == "" {
		return "Your account"
	}
	return sh.Name
}

func (s *Server) registerForm(c echo.Context) error {
	return render(c, http.StatusOK, templates.Auth(templates.AuthPage{Base: s.base(c, "Create account"), Register: true, Next: safeNext(c.QueryParam("next"))}))
}

func (s *Server) register(c echo.Context) error {
	name, email, pw, next := c.FormValue("name"), c.FormValue("email"), c.FormValue("password"), safeNext(c.FormValue("next"))
	vm := templates.AuthPage{Base: s.base(c, "Create account"), Register: true, Name: name, Email: email, Next: next}
	// Per address and per email: probing which emails have accounts is as
	// slow as guessing passwords, and one client cannot block sign-ups for all.
	vm.Name, vm.Email = shortField(name), shortField(email)
	if ok, wait := s.limiter.allow(c.Request().Context(), c.RealIP(), loginAccount("register:", email)); !ok {
		refuseAttempt(c, wait)
		vm.Error = waitMessage("Too many attempts.", wait)
		return render(c, http.StatusTooManyRequests, templates.Auth(vm))
	}
	// The account keeps its network's pseudonym of the day, as a visitor
	// id does: a crowd of accounts is a crowd (shop.dropCrowds).
	origin := models.NetworkOrigin(s.visitorKey, c.RealIP(), s.now())
	sh, err := s.db.CreateShopperFrom(c.Request().Context(), origin, name, email, pw)
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		vm.Errors = ve.Fields
		return render(c, http.StatusUnprocessableEntity, templates.Auth(vm))
	}
	if err != nil {
		return err
	}
	if err := s.logIn(c, sh); err != nil {
		return err
	}
	s.flash(c, "Welcome to "+s.shopSettings(c.Request().Context()).Name+", "+sh.Name+".")
	return c.Redirect(http.StatusSeeOther, next)
}

// logout destroys the session on the server, not just the cookie.
func (s *Server) logout(c echo.Context) error {
	if err := s.sessions.Destroy(c.Request().Context()); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/")
}

// shortField cuts a submitted value before it is shown again in a form: a
// client may send megabytes where an email belongs.
func shortField(v string) string {
	const max = 320
	if len(v) <= max {
		return v
	}
	return strings.ToValidUTF8(v[:max], "")
}
