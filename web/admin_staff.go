package web

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"storefront/models"
	"storefront/templates"
)

var staffRoles = []templates.Option{{Value: models.RoleMerchandiser, Label: "Merchandiser"}, {Value: models.RoleAdmin, Label: "Admin"}}

// staffPage renders the staff list with vm's messages and form.
func (s *Server) staffPage(c echo.Context, status int, vm templates.AdminStaffPage) error {
	list, err := s.db.StaffList(c.Request().Context())
	if err != nil {
		return err
	}
	vm.AdminBase = s.adminBase(c, "Staff", "staff")
	vm.Roles = staffRoles
	if vm.Form.Role == "" {
		vm.Form.Role = models.RoleMerchandiser
	}
	me := userOf(c).StaffID
	for _, st := range list {
		vm.Staff = append(vm.Staff, templates.AdminStaffRow{ID: st.ID, Email: st.Email, Name: st.Name, Role: st.Role,
			Active: st.Active(), Created: st.CreatedAt.Format("Jan 2, 2006"), Self: st.ID == me})
	}
	return render(c, status, templates.AdminStaff(vm))
}

func (s *Server) adminStaff(c echo.Context) error {
	return s.staffPage(c, http.StatusOK, templates.AdminStaffPage{})
}

// adminStaffAdd creates an account with a generated password, shown once.
func (s *Server) adminStaffAdd(c echo.Context) error {
	form := templates.AdminStaffForm{Email: c.FormValue("email"), Name: c.FormValue("name"), Role: c.FormValue("role")}
	pw := models.GeneratePassword()
	st, err := s.db.CreateStaff(c.Request().Context(), staffName(c), models.NewStaff{Email: form.Email, Name: form.Name, Role: form.Role, Password: pw, Given: true})
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		return s.staffPage(c, http.StatusUnprocessableEntity, templates.AdminStaffPage{Form: form, Errors: ve.Fields})
	}
	if err != nil {
		return err
	}
	return s.staffPage(c, http.StatusOK, templates.AdminStaffPage{NewPassword: pw, NewFor: st.Email})
}

// staffChange runs one change on a staff account and shows the list again,
// with the refusal when the change would leave no active admin.
func (s *Server) staffChange(c echo.Context, change func(id uint) (*models.Staff, error), done string) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	st, err := change(id)
	var ve *models.ValidationError
	switch {
	case errors.Is(err, models.ErrLastAdmin):
		return s.staffPage(c, http.StatusConflict, templates.AdminStaffPage{Error: "Not changed: " + err.Error() + ". Make someone else an admin first."})
	case errors.As(err, &ve):
		msg := "Not changed."
		for _, m := range ve.Fields {
			msg = "Not changed: " + m
		}
		return s.staffPage(c, http.StatusUnprocessableEntity, templates.AdminStaffPage{Error: msg})
	case err != nil:
		return err
	}
	s.flash(c, done+" "+st.Email+".")
	return c.Redirect(http.StatusSeeOther, "/admin/staff")
}

func (s *Server) adminStaffRole(c echo.Context) error {
	role := c.FormValue("role")
	return s.staffChange(c, func(id uint) (*models.Staff, error) {
		return s.db.SetStaffRole(c.Request().Context(), staffName(c), id, role)
	}, "Changed the role of")
}

func (s *Server) adminStaffActive(c echo.Context) error {
	active := c.FormValue("active") == "1"
	done := "Deactivated"
	if active {
		done = "Reactivated"
	}
	return s.staffChange(c, func(id uint) (*models.Staff, error) {
		return s.db.SetStaffActive(c.Request().Context(), staffName(c), id, active)
	}, done)
}

func (s *Server) adminStaffRemove(c echo.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	if id == userOf(c).StaffID {
		return s.staffPage(c, http.StatusConflict, templates.AdminStaffPage{Error: "You cannot remove your own account; ask another admin."})
	}
	return s.staffChange(c, func(id uint) (*models.Staff, error) {
		return s.db.RemoveStaff(c.Request().Context(), staffName(c), id)
	}, "Removed")
}

// adminStaffPassword sets a generated password and shows it once.
func (s *Server) adminStaffPassword(c echo.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	pw := models.GeneratePassword()
	st, err := s.db.SetStaffPassword(c.Request().Context(), staffName(c), id, pw, true)
	if err != nil {
		return err
	}
	return s.staffPage(c, http.StatusOK, templates.AdminStaffPage{NewPassword: pw, NewFor: st.Email})
}
