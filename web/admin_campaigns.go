package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"storefront/models"
	"storefront/templates"
)

// The layout editor's handlers work on one page: the homepage, or the
// campaign page a /admin/campaigns/<slug> address names. A middleware on
// each route says which (homeEditor, campaignEditor).

// editedPage is the page a layout editor request works on.
type editedPage struct {
	key  string
	view templates.PageEditor
}

// nav is the admin nav entry to highlight: the homepage's editor has an
// entry per step; a campaign's steps are all under Campaigns.
func (ed *editedPage) nav(homeEntry string) string {
	if ed.key == models.HomePage {
		return homeEntry
	}
	return ed.view.Nav
}

const ctxEditedPage = "edited-page"

var homeEditorView = templates.PageEditor{Name: "Homepage layout", Noun: "the homepage", Editor: "/admin/layout",
	Preview: "/admin/preview", Versions: "/admin/versions", Public: "/", Nav: "layout"}

// editorOf describes the editor of a page.
func editorOf(p *models.Page) *editedPage {
	slug := p.Slug()
	if slug == "" {
		return &editedPage{key: models.HomePage, view: homeEditorView}
	}
	base := "/admin/campaigns/" + slug
	return &editedPage{key: p.Key, view: templates.PageEditor{Name: "Campaign: " + p.Title, Noun: "this campaign page",
		Editor: base, Preview: base + "/preview", Versions: base + "/versions", Public: "/l/" + slug, Nav: "campaigns"}}
}

// editedPageOf returns the page the request edits.
func editedPageOf(c echo.Context) *editedPage {
	if ed, ok := c.Get(ctxEditedPage).(*editedPage); ok {
		return ed
	}
	return &editedPage{key: models.HomePage, view: homeEditorView}
}

// homeEditor makes the editor's handlers work on the homepage.
func (s *Server) homeEditor(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Set(ctxEditedPage, &editedPage{key: models.HomePage, view: homeEditorView})
		return next(c)
	}
}

// campaignEditor makes the editor's handlers work on the campaign page the
// address names; an unknown one is not found.
func (s *Server) campaignEditor(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		p, err := s.db.CampaignBySlug(c.Request().Context(), c.Param("slug"))
		if err != nil {
			return err
		}
		c.Set(ctxEditedPage, editorOf(p))
		return next(c)
	}
}

// editedSlot returns a draft slot of the edited page; a slot of another
// page is not found here.
func (s *Server) editedSlot(c echo.Context, id uint) (*models.Slot, error) {
	ctx := c.Request().Context()
	sl, err := s.db.SlotByID(ctx, id)
	if err != nil {
		return nil, err
	}
	p, err := s.db.PageByKey(ctx, editedPageOf(c).key)
	if err != nil {
		return nil, err
	}
	if sl.PageID != p.ID {
		return nil, models.ErrNotFound
	}
	return sl, nil
}

// adminCampaigns lists the campaign pages with the form to create one.
func (s *Server) adminCampaigns(c echo.Context) error {
	return s.renderCampaigns(c, http.StatusOK, templates.CampaignFields{}, nil)
}

func (s *Server) renderCampaigns(c echo.Context, status int, f templates.CampaignFields, errs map[string]string) error {
	ctx := c.Request().Context()
	ps, err := s.db.CampaignPages(ctx)
	if err != nil {
		return err
	}
	f.Zone = s.shopZone(c).String()
	vm := templates.AdminCampaignsPage{AdminBase: s.adminBase(c, "Campaigns", "campaigns"), F: f, Errors: errs}
	now := time.Now()
	for i := range ps {
		p := &ps[i]
		row := templates.AdminCampaignRow{Slug: p.Slug(), Title: p.Title, Window: campaignWindow(p, s.shopZone(c)), Live: p.Live(now),
			Published: p.PublishedVersionID != nil}
		vm.Campaigns = append(vm.Campaigns, row)
	}
	return render(c, status, templates.AdminCampaigns(vm))
}

// campaignWindow says when a campaign is live, for merchandisers.
func campaignWindow(p *models.Page, loc *time.Location) string {
	return scheduleText(p.StartsAt, p.EndsAt, time.Now(), loc)
}

// campaignFields are a campaign's saved values as the form shows them.
func campaignFields(p *models.Page, loc *time.Location) templates.CampaignFields {
	f := templates.CampaignFields{Slug: p.Slug(), Title: p.Title, Zone: zoneOr(loc).String()}
	if p.StartsAt != nil {
		f.StartsAt = p.StartsAt.In(zoneOr(loc)).Format(datetimeLocal)
	}
	if p.EndsAt != nil {
		f.EndsAt = p.EndsAt.In(zoneOr(loc)).Format(datetimeLocal)
	}
	return f
}

// readCampaignForm reads the campaign form onto p.
func readCampaignForm(c echo.Context, p *models.Page, loc *time.Location) (templates.CampaignFields, map[string]string) {
	f := templates.CampaignFields{Slug: strings.TrimSpace(c.FormValue("slug")), Title: strings.TrimSpace(c.FormValue("title")),
		StartsAt: c.FormValue("starts_at"), EndsAt: c.FormValue("ends_at"), Zone: zoneOr(loc).String()}
	errs := map[string]string{}
	p.Title = f.Title
	var err error
	if p.StartsAt, err = parseDatetimeLocal(f.StartsAt, loc); err != nil {
		errs["window"] = "Enter the start as a date and time."
	}
	if p.EndsAt, err = parseDatetimeLocal(f.EndsAt, loc); err != nil {
		errs["window"] = "Enter the end as a date and time."
	}
	return f, errs
}

// adminCampaignCreate creates a campaign page and opens its editor.
func (s *Server) adminCampaignCreate(c echo.Context) error {
	p := &models.Page{}
	f, errs := readCampaignForm(c, p, s.shopZone(c))
	p.Key = models.CampaignKey(f.Slug)
	if len(errs) == 0 {
		err := s.db.SaveCampaign(c.Request().Context(), staffName(c), p)
		if errs, err = fieldErrors(err); err != nil {
			return err
		}
	}
	if len(errs) > 0 {
		return s.renderCampaigns(c, http.StatusUnprocessableEntity, f, errs)
	}
	s.flash(c, "Created the campaign “"+p.Title+"”. Add its slots, then publish it.")
	return c.Redirect(http.StatusSeeOther, editorOf(p).view.Editor)
}

// adminCampaignUpdate changes a campaign's name and live window; they take
// effect at once (the slots wait for a publish).
func (s *Server) adminCampaignUpdate(c echo.Context) error {
	ctx := c.Request().Context()
	p, err := s.db.CampaignBySlug(ctx, c.Param("slug"))
	if err != nil {
		return err
	}
	f, errs := readCampaignForm(c, p, s.shopZone(c))
	if len(errs) == 0 {
		err = s.db.SaveCampaign(ctx, staffName(c), p)
		if errs, err = fieldErrors(err); err != nil {
			return err
		}
	}
	if len(errs) > 0 {
		vm, err := s.layoutPage(c)
		if err != nil {
			return err
		}
		f.Slug = p.Slug()
		vm.Campaign, vm.CampaignErrors = &f, errs
		return render(c, http.StatusUnprocessableEntity, templates.AdminLayoutEditor(vm))
	}
	s.flash(c, "Saved the campaign’s name and dates.")
	return c.Redirect(http.StatusSeeOther, editorOf(p).view.Editor)
}
