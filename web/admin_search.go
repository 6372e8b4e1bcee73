package web

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"storefront/search"
	"storefront/templates"
)

// adminSearch shows the search settings: the synonym groups in use.
func (s *Server) adminSearch(c echo.Context) error {
	text, err := s.shop.SynonymsText(c.Request().Context())
	if err != nil {
		return err
	}
	return s.renderAdminSearch(c, http.StatusOK, text, nil)
}

func (s *Server) renderAdminSearch(c echo.Context, status int, text string, problems []string) error {
	idx := s.shop.Search()
	vm := templates.AdminSearchPage{AdminBase: s.adminBase(c, "Search", "search"), Synonyms: text, Problems: problems,
		Indexed: idx.Len(), Stored: idx.Stored()}
	if syn, bad := search.ParseSynonyms(text); bad == nil {
		vm.Groups = syn.Len()
	}
	return render(c, status, templates.AdminSearch(vm))
}

// adminSynonymsSave checks and stores the synonym groups; a list with any
// problem is shown again with every problem listed, and nothing changes.
func (s *Server) adminSynonymsSave(c echo.Context) error {
	text := c.FormValue("synonyms")
	if len(text) > 64<<10 {
		return s.renderAdminSearch(c, http.StatusUnprocessableEntity, text[:64<<10], []string{"The list is longer than 64 KB; shorten it."})
	}
	groups, problems, err := s.shop.SaveSynonyms(c.Request().Context(), staffName(c), text)
	if err != nil {
		return err
	}
	if problems != nil {
		return s.renderAdminSearch(c, http.StatusUnprocessableEntity, text, problems)
	}
	s.flash(c, "Saved "+strconv.Itoa(groups)+" synonym groups. They apply to the next search.")
	return c.Redirect(http.StatusSeeOther, "/admin/search")
}
