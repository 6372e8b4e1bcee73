package web

import (
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"storefront/models"
	"storefront/templates"
)

// adminVersions lists the published versions of the edited page.
func (s *Server) adminVersions(c echo.Context) error {
	ed := editedPageOf(c)
	vs, page, err := s.db.Versions(c.Request().Context(), ed.key)
	if err != nil {
		return err
	}
	vm := templates.AdminVersionsPage{AdminBase: s.adminBase(c, "Versions", ed.nav("versions")), Page: ed.view}
	for _, v := range vs {
		live := page.PublishedVersionID != nil && *page.PublishedVersionID == v.ID
		vm.Versions = append(vm.Versions, templates.AdminVersionRow{ID: v.ID, Number: v.Number, Author: v.Author,
			When: templates.LocalTime(c.Request().Context(), v.CreatedAt), Summary: v.Summary, Live: live})
	}
	return render(c, http.StatusOK, templates.AdminVersions(vm))
}

// adminRollback publishes an earlier version again and resets the draft to it.
func (s *Server) adminRollback(c echo.Context) error {
	ed := editedPageOf(c)
	id, err := paramID(c)
	if err != nil {
		return err
	}
	v, err := s.db.Rollback(c.Request().Context(), ed.key, id, staffName(c))
	if err != nil {
		return err
	}
	s.layoutChanged()
	s.flash(c, fmt.Sprintf("Rolled back: version %d is live. %s", v.Number, v.Summary))
	return c.Redirect(http.StatusSeeOther, ed.view.Versions)
}

// adminRollbackConfirm asks before a rollback, saying what it brings back.
func (s *Server) adminRollbackConfirm(c echo.Context) error {
	ed := editedPageOf(c)
	id, err := paramID(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	vs, _, err := s.db.Versions(ctx, ed.key)
	if err != nil {
		return err
	}
	for _, v := range vs {
		if v.ID == id {
			vm := templates.AdminRollbackPage{AdminBase: s.adminBase(c, "Roll back", ed.nav("versions")), Page: ed.view, ID: v.ID, Number: v.Number,
				Author: v.Author, When: templates.LocalTime(ctx, v.CreatedAt)}
			return render(c, http.StatusOK, templates.AdminRollback(vm))
		}
	}
	return models.ErrNotFound
}
