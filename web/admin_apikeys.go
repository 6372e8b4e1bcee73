package web

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"storefront/models"
	"storefront/templates"
)

// apiKeyScopes are the scope choices, short enough for a phone's select
// (the form's hint says what each allows).
var apiKeyScopes = []templates.Option{
	{Value: models.ScopeEvents, Label: "Events"},
	{Value: models.ScopeRecommendations, Label: "Recommendations"},
	{Value: models.ScopeAll, Label: "All"},
}

func (s *Server) apiKeysPage(c echo.Context) (templates.AdminAPIKeysPage, error) {
	vm := templates.AdminAPIKeysPage{AdminBase: s.adminBase(c, "API keys", "api-keys"), Scopes: apiKeyScopes, Scope: models.ScopeEvents}
	keys, err := s.db.ListAPIKeys(c.Request().Context())
	if err != nil {
		return vm, err
	}
	for _, k := range keys {
		row := templates.AdminAPIKeyRow{ID: k.ID, Name: k.Name, Prefix: k.Prefix, Scope: k.Scope, Created: templates.LocalTime(c.Request().Context(), k.CreatedAt)}
		if k.RevokedAt != nil {
			row.Revoked = templates.LocalTime(c.Request().Context(), *k.RevokedAt)
		}
		vm.Keys = append(vm.Keys, row)
	}
	return vm, nil
}

func (s *Server) adminAPIKeys(c echo.Context) error {
	vm, err := s.apiKeysPage(c)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, templates.AdminAPIKeys(vm))
}

// adminAPIKeyCreate makes a key and shows its secret in this response only;
// it is never stored, so it cannot be shown again.
func (s *Server) adminAPIKeyCreate(c echo.Context) error {
	name, scope := c.FormValue("name"), c.FormValue("scope")
	secret, k, err := s.db.CreateAPIKey(c.Request().Context(), staffName(c), name, scope)
	var ve *models.ValidationError
	if err != nil && !errors.As(err, &ve) {
		return err
	}
	vm, lerr := s.apiKeysPage(c)
	if lerr != nil {
		return lerr
	}
	if ve != nil {
		vm.Name, vm.Scope, vm.Errors = name, scope, ve.Fields
		return render(c, http.StatusUnprocessableEntity, templates.AdminAPIKeys(vm))
	}
	vm.NewSecret, vm.NewName = secret, k.Name
	s.log.Info("api key created", "api_key_id", k.ID, "scope", k.Scope)
	return render(c, http.StatusOK, templates.AdminAPIKeys(vm))
}

func (s *Server) adminAPIKeyRevoke(c echo.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	if err := s.db.RevokeAPIKey(c.Request().Context(), staffName(c), id); err != nil {
		return err
	}
	s.flash(c, "Revoked the key. Clients using it are refused from now on.")
	return c.Redirect(http.StatusSeeOther, "/admin/api-keys")
}
