package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"storefront/models"
	"storefront/templates"
)

// A banner slot's creatives are edited one at a time, in the draft of the
// banner's page, like the slot's other fields.

// creativeParams reads the banner slot (of the edited page) and the
// creative an address names; cid is 0 for a new creative.
func (s *Server) creativeParams(c echo.Context) (*models.Slot, int, error) {
	id, err := paramID(c)
	if err != nil {
		return nil, 0, err
	}
	sl, err := s.editedSlot(c, id)
	if err != nil {
		return nil, 0, err
	}
	if sl.Type != models.SlotBanner {
		return nil, 0, echo.NewHTTPError(http.StatusBadRequest, "Only a banner slot holds creatives.")
	}
	cid := 0
	if v := c.Param("cid"); v != "" {
		if cid, err = strconv.Atoi(v); err != nil || cid <= 0 {
			return nil, 0, echo.ErrNotFound
		}
		if !slices.ContainsFunc(sl.Creatives, func(cr models.Creative) bool { return cr.ID == cid }) {
			return nil, 0, echo.ErrNotFound
		}
	}
	return sl, cid, nil
}

func (s *Server) creativeForm(c echo.Context, sl *models.Slot, cid int) (templates.AdminCreativePage, error) {
	ed := editedPageOf(c)
	_, rev, err := s.db.DraftSlots(c.Request().Context(), ed.key)
	if err != nil {
		return templates.AdminCreativePage{}, err
	}
	title := "Add a creative"
	if cid != 0 {
		title = "Edit creative"
	}
	vm := templates.AdminCreativePage{AdminBase: s.adminBase(c, title, ed.nav("layout")), Page: ed.view, SlotID: sl.ID,
		SlotTitle: slotRow(*sl, false, false, nil).Title, ID: cid, Revision: rev}
	vm.Categories = []templates.Option{{Value: "", Label: "(no category)"}}
	vm.LinkExample = linkExample(s.shop.Catalog())
	if cat := s.shop.Catalog(); cat != nil {
		var walk func(ns []*CatNode, depth int)
		walk = func(ns []*CatNode, depth int) {
			for _, n := range ns {
				vm.Categories = append(vm.Categories, templates.Option{Value: n.Slug, Label: strings.Repeat("— ", depth) + n.Name})
				walk(n.Children, depth+1)
			}
		}
		walk(cat.Roots, 0)
	}
	for _, cr := range sl.Creatives {
		if cr.ID == cid {
			vm.F = templates.CreativeFields{Title: cr.Title, Text: cr.Text, Image: cr.Image, Link: cr.Link, Category: cr.Category}
		}
	}
	return vm, nil
}

func (s *Server) adminCreativeEdit(c echo.Context) error {
	sl, cid, err := s.creativeParams(c)
	if err != nil {
		return err
	}
	vm, err := s.creativeForm(c, sl, cid)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, templates.AdminCreativeEdit(vm))
}

// adminCreativeSave adds (no cid) or changes a creative of a banner.
func (s *Server) adminCreativeSave(c echo.Context) error {
	ed := editedPageOf(c)
	sl, cid, err := s.creativeParams(c)
	if err != nil {
		return err
	}
	rev, err := formRevision(c)
	if err != nil {
		return err
	}
	vm, err := s.creativeForm(c, sl, cid)
	if err != nil {
		return err
	}
	f := templates.CreativeFields{Title: strings.TrimSpace(c.FormValue("title")), Text: strings.TrimSpace(c.FormValue("text")),
		Image: strings.TrimSpace(c.FormValue("image")), Link: strings.TrimSpace(c.FormValue("link")), Category: c.FormValue("category")}
	vm.F, vm.Revision = f, rev
	errs := map[string]string{}
	if f.Link != "" && !validSlotLink(f.Link) {
		errs["link"] = linkError(s.shop.Catalog())
	}
	if f.Image != "" && !s.imageAllowed(f.Image) {
		errs["image"] = "Use an uploaded picture, a path in the shop, or an https:// address of a host the shop's product images use."
	}
	if f.Category != "" {
		if _, ok := s.shop.Catalog().CategoryBySlug(f.Category); !ok {
			errs["category"] = "Choose a category."
		}
	}
	cr := &models.Creative{ID: cid, Title: f.Title, Text: f.Text, Image: f.Image, Link: f.Link, Category: f.Category}
	if len(errs) == 0 {
		err = s.db.SaveCreative(c.Request().Context(), ed.key, rev, staffName(c), sl.ID, cr)
		var ve *models.ValidationError
		switch {
		case errors.As(err, &ve):
			errs = ve.Fields
		case errors.Is(err, models.ErrConflict):
			vm.Conflict = conflictMessage
			return render(c, http.StatusConflict, templates.AdminCreativeEdit(vm))
		case err != nil:
			return err
		}
	}
	if len(errs) > 0 {
		vm.Errors = errs
		return render(c, http.StatusUnprocessableEntity, templates.AdminCreativeEdit(vm))
	}
	s.flash(c, "Saved the creative “"+cr.Title+"” in the draft. Publish to show it to shoppers.")
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("%s/slots/%d/edit", ed.view.Editor, sl.ID))
}

// adminCreativeDelete removes a creative from a banner's draft.
func (s *Server) adminCreativeDelete(c echo.Context) error {
	ed := editedPageOf(c)
	sl, cid, err := s.creativeParams(c)
	if err != nil {
		return err
	}
	rev, err := formRevision(c)
	if err != nil {
		return err
	}
	err = s.db.DeleteCreative(c.Request().Context(), ed.key, rev, staffName(c), sl.ID, cid)
	if errors.Is(err, models.ErrConflict) {
		return s.layoutConflict(c)
	}
	if err != nil {
		return err
	}
	s.flash(c, "Removed the creative from the draft.")
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("%s/slots/%d/edit", ed.view.Editor, sl.ID))
}

// imageAllowed reports whether the pages' content security policy lets a
// picture at this address show: a path on this site, or an https address
// on a host the catalog's images already use.
func (s *Server) imageAllowed(img string) bool {
	if strings.ContainsAny(img, " \"'<>`") {
		return false
	}
	if localPath(img) {
		return true
	}
	u, err := url.Parse(img)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil || hasControlOrBackslash(img) {
		return false
	}
	cat := s.shop.Catalog()
	return cat != nil && slices.Contains(cat.ImageOrigins, "https://"+u.Host)
}
