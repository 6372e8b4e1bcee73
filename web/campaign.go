package web

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"storefront/models"
	"storefront/templates"
)

// campaign serves a campaign landing page: its published slots composed for
// the viewer like the homepage (free slots ordered per shopper). Outside
// the page's live window the shopper is told the campaign is over and
// offered products picked for them. Campaign pages are not cached: each
// view composes the page (the published layout is read from memory).
func (s *Server) campaign(c echo.Context) error {
	ctx := c.Request().Context()
	p, err := s.db.CampaignBySlug(ctx, c.Param("slug"))
	if err != nil {
		return err
	}
	u := userOf(c)
	v, err := s.viewerOf(ctx, s.viewers.get(u.Key()), u)
	if err != nil {
		return err
	}
	now := time.Now()
	if !p.Live(now) {
		return s.campaignOver(c, p, v, now)
	}
	slots, err := s.shop.PublishedPage(ctx, p.Key)
	if err != nil {
		return err
	}
	vm := templates.HomePage{Base: s.base(c, p.Title), ShowReasons: true, OptedOut: v.OptOut}
	if v.LoggedIn && !v.OptOut {
		vm.ExplainLink = InterestsPath
	}
	vm.Slots = s.composeHome(ctx, v, slots)
	if tracks(c) {
		s.trackShown(c, v.Key, "", shownSlots(vm.Slots))
	}
	return render(c, http.StatusOK, templates.Home(vm))
}

// campaignOver is the page of a campaign outside its window: what happened,
// and products picked for the shopper instead of a dead end.
func (s *Server) campaignOver(c echo.Context, p *models.Page, v Viewer, now time.Time) error {
	vm := templates.CampaignOverPage{Base: s.base(c, p.Title), Title: p.Title}
	status := http.StatusGone
	if p.StartsAt != nil && now.Before(*p.StartsAt) {
		vm.StartsAt, status = templates.LocalTime(c.Request().Context(), *p.StartsAt), http.StatusOK
	}
	picks := []models.Slot{{Type: models.SlotRecommended, Title: "More to discover", Size: 8, Enabled: true}}
	for _, hs := range s.shop.ComposeHome(c.Request().Context(), v, picks) {
		hs.Key = "" // not a slot of any layout: nothing to attribute
		vm.Slots = append(vm.Slots, homeSlot(hs, v))
	}
	c.Response().Header().Set("X-Robots-Tag", "noindex")
	return render(c, status, templates.CampaignOver(vm))
}
