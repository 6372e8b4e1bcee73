package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"storefront/models"
	"storefront/templates"
)

// requireStaff lets through staff with one of roles. Anonymous visitors are
// sent to the staff login; anyone else signed in (a shopper, or staff with
// another role) gets 403. The role is read again from the database, so a
// demoted, deactivated or deleted staff member loses access at once.
func (s *Server) requireStaff(roles ...string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			u := userOf(c)
			if u.StaffID == 0 {
				if u.LoggedIn() {
					return echo.ErrForbidden
				}
				return c.Redirect(http.StatusSeeOther, "/admin/login?next="+url.QueryEscape(safeNext(c.Request().URL.RequestURI())))
			}
			st, err := s.db.StaffByID(c.Request().Context(), u.StaffID)
			if err == nil && !st.Active() {
				err = models.ErrNotFound
			}
			if errors.Is(err, models.ErrNotFound) {
				s.clearStaff(c)
				return c.Redirect(http.StatusSeeOther, "/admin/login")
			}
			if err != nil {
				return err
			}
			if st.PasswordGeneration != s.sessions.GetInt(c.Request().Context(), sessStaffPwGen) {
				// The password was set since this session signed in (a
				// reset, or a change on another device): sign in again.
				s.clearStaff(c)
				s.flash(c, "The password of this account was changed. Log in with the new password.")
				return c.Redirect(http.StatusSeeOther, "/admin/login")
			}
			if !slices.Contains(roles, st.Role) {
				// Staff stay in the admin's own frame, told what they may not
				// do and who can.
				vm := templates.AdminForbiddenPage{AdminBase: s.adminBase(c, "Not allowed", ""), Role: st.Role, Needs: strings.Join(roles, " or ")}
				return render(c, http.StatusForbidden, templates.AdminForbidden(vm))
			}
			// A password that was given (the published demo passwords) is
			// changed before anything else.
			if st.MustChangePassword && c.Path() != "/admin/password" && c.Path() != "/admin/logout" {
				return c.Redirect(http.StatusSeeOther, "/admin/password")
			}
			return next(c)
		}
	}
}

// adminNoStore keeps admin pages (API secrets, drafts) out of caches.
func adminNoStore(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Response().Header().Set("Cache-Control", "no-store")
		return next(c)
	}
}

func (s *Server) clearStaff(c echo.Context) {
	ctx := c.Request().Context()
	s.sessions.Remove(ctx, sessStaffID)
	s.sessions.Remove(ctx, sessStaffName)
	s.sessions.Remove(ctx, sessStaffRole)
	s.sessions.Remove(ctx, sessStaffPwGen)
}

// staffName is who admin changes are recorded under in the audit log.
func staffName(c echo.Context) string {
	u := userOf(c)
	if u.StaffName != "" {
		return u.StaffName
	}
	return "staff #" + strconv.FormatUint(uint64(u.StaffID), 10)
}

func (s *Server) adminLoginForm(c echo.Context) error {
	if userOf(c).StaffID != 0 {
		return c.Redirect(http.StatusSeeOther, "/admin/layout")
	}
	return render(c, http.StatusOK, templates.Auth(templates.AuthPage{Base: s.base(c, "Staff log in"), Staff: true, Next: adminNext(c.QueryParam("next"))}))
}

// signInStaff renews the session token (a planted session id cannot be
// promoted) and puts the staff member in the session.
func (s *Server) signInStaff(ctx context.Context, st *models.Staff) error {
	if err := s.sessions.RenewToken(ctx); err != nil {
		return err
	}
	name := st.Name
	if name == "" {
		name = st.Email
	}
	s.sessions.Put(ctx, sessStaffID, int(st.ID))
	s.sessions.Put(ctx, sessStaffName, name)
	s.sessions.Put(ctx, sessStaffRole, st.Role)
	s.sessions.Put(ctx, sessStaffPwGen, st.PasswordGeneration)
	s.sessions.Put(ctx, sessSeen, s.now().Unix())
	return nil
}

// adminLogin checks a staff password (rate limited like shopper logins) and
// renews the session token so a planted session id cannot be promoted.
func (s *Server) adminLogin(c echo.Context) error {
	email, pw, next := c.FormValue("email"), c.FormValue("password"), adminNext(c.FormValue("next"))
	vm := templates.AuthPage{Base: s.base(c, "Staff log in"), Staff: true, Email: email, Next: next}
	vm.Email = shortField(email)
	if ok, wait := s.limiter.allow(c.Request().Context(), c.RealIP(), loginAccount("staff:", email)); !ok {
		refuseAttempt(c, wait)
		vm.Error = waitMessage("Too many login attempts.", wait)
		return render(c, http.StatusTooManyRequests, templates.Auth(vm))
	}
	ctx := c.Request().Context()
	st, err := s.db.AuthenticateStaff(ctx, email, pw)
	if errors.Is(err, models.ErrNotFound) {
		vm.Error = "That email and password do not match a staff account."
		return render(c, http.StatusUnauthorized, templates.Auth(vm))
	}
	if err != nil {
		return err
	}
	if st.GivenExpired(time.Now()) {
		// The right password, but one someone else gave, never replaced
		// within its lifetime: whoever read it (the admin, a chat log) no
		// longer gets in with it.
		s.log.Info("staff login with an expired given password", "staff_id", st.ID)
		vm.Error = "This password was given to you more than " + strconv.Itoa(int(models.GivenPasswordLifetime/time.Hour)) +
			" hours ago and has expired unused. Ask an admin to reset it at Staff, or run storefront staff reset-password on the server."
		return render(c, http.StatusUnauthorized, templates.Auth(vm))
	}
	if err := s.signInStaff(ctx, st); err != nil {
		return err
	}
	s.log.Info("staff logged in", "staff_id", st.ID, "role", st.Role)
	if st.MustChangePassword {
		return c.Redirect(http.StatusSeeOther, "/admin/password")
	}
	return c.Redirect(http.StatusSeeOther, next)
}

// adminLogout ends the staff part of the session; a shopper login in the
// same browser stays.
func (s *Server) adminLogout(c echo.Context) error {
	s.clearStaff(c)
	if err := s.sessions.RenewToken(c.Request().Context()); err != nil {
		return err
	}
	s.flash(c, "You are logged out of the admin.")
	return c.Redirect(http.StatusSeeOther, "/admin/login")
}

// adminNext keeps a post-login redirect inside the admin.
func adminNext(next string) string {
	next = safeNext(next)
	if next == "/admin" || len(next) > len("/admin/") && next[:len("/admin/")] == "/admin/" {
		return next
	}
	return "/admin/layout"
}

// adminBase fills the admin layout's view model.
func (s *Server) adminBase(c echo.Context, title, active string) templates.AdminBase {
	return templates.AdminBase{Base: s.base(c, title), Active: active}
}

// formRevision reads the draft revision an editor saw; 0 would skip the
// conflict check, so a missing one is refused.
func formRevision(c echo.Context) (int, error) {
	rev, err := strconv.Atoi(c.FormValue("revision"))
	if err != nil || rev <= 0 {
		return 0, echo.NewHTTPError(http.StatusBadRequest, "The form did not say which revision of the layout it edits. Reload and try again.")
	}
	return rev, nil
}

// slotRevision reads the slot id of the address and the draft revision the
// form was made from: every form that changes one slot of a draft posts both.
func slotRevision(c echo.Context) (uint, int, error) {
	id, err := paramID(c)
	if err != nil {
		return 0, 0, err
	}
	rev, err := formRevision(c)
	return id, rev, err
}

// fieldErrors splits a save's error: a validation error's messages by form
// field, or any other error for the caller to return.
func fieldErrors(err error) (map[string]string, error) {
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		return ve.Fields, nil
	}
	return nil, err
}

func paramID(c echo.Context) (uint, error) {
	id, err := strconv.ParseUint(c.Param("id"), 10, 32)
	if err != nil || id == 0 {
		return 0, echo.ErrNotFound
	}
	return uint(id), nil
}

func pageParam(c echo.Context) int {
	p, err := strconv.Atoi(c.QueryParam("page"))
	if err != nil || p < 1 {
		return 1
	}
	return min(p, 100000)
}
