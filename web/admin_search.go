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
	return s.renderAdminSearch(c, http.StatusOK, "", nil)
}

// renderAdminSearch shows the page with text in the form, or the list in
// use when text is empty.
func (s *Server) renderAdminSearch(c echo.Context, status int, text string, problems []string) error {
	inUse, own, err := s.shop.SynonymsText(c.Request().Context())
	if err != nil {
		return err
	}
	if text == "" && problems == nil {
		text = inUse
	}
	idx := s.shop.Search()
	vm := templates.AdminSearchPage{AdminBase: s.adminBase(c, "Search", "search"), Synonyms: text, Problems: problems,
		Indexed: idx.Len(), Stored: idx.Stored(), Own: own, Starter: search.DefaultSynonyms}
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

// adminSynonymsReset drops the shop's own list for the starter list.
func (s *Server) adminSynonymsReset(c echo.Context) error {
	if err := s.shop.ResetSynonyms(c.Request().Context(), staffName(c)); err != nil {
		return err
	}
	s.flash(c, "Search uses the starter synonym list again.")
	return c.Redirect(http.StatusSeeOther, "/admin/search")
}
