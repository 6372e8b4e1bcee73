package web

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"storefront/models"
	"storefront/shop"
	"storefront/templates"
)

// previewVisitorKey is the user key of the anonymous visitor a draft is
// previewed as; it has no history, so it sees the cold-start page.
const previewVisitorKey = "v:preview"

// adminPreview renders the draft homepage as a chosen shopper (by external
// id or email) or as a new visitor, with every card's reason shown. Without
// ?as= it shows the chooser.
func (s *Server) adminPreview(c echo.Context) error {
	ed := editedPageOf(c)
	ctx := c.Request().Context()
	as := strings.TrimSpace(c.QueryParam("as"))
	if as == "" {
		return s.previewChooser(c, "", "", http.StatusOK)
	}
	v := Viewer{Key: previewVisitorKey}
	who := "a new visitor"
	if as != "new" {
		sh, err := s.db.FindShopper(ctx, as)
		if errors.Is(err, models.ErrNotFound) {
			return s.previewChooser(c, as, "No shopper has that id or email.", http.StatusNotFound)
		}
		if err != nil {
			return err
		}
		v = Viewer{Key: sh.ExternalID, ShopperID: sh.ID, LoggedIn: true, OptOut: sh.OptOut}
		who = sh.ExternalID
		if sh.Name != "" {
			who = sh.Name + " (" + sh.ExternalID + ")"
		}
	}
	slots, _, err := s.db.DraftSlots(ctx, ed.key)
	if err != nil {
		return err
	}
	vm := templates.HomePage{Base: s.base(c, "Preview"), ShowReasons: true, OptedOut: v.OptOut,
		Preview: "Preview of the draft as " + who + ". Shoppers do not see this until it is published. " +
			"Each row says what filled it and what it left out; each card, its source and score."}
	exp := s.shop.ExplainHome(ctx, v, slots, time.Now())
	info := &templates.PreviewInfo{Action: ed.view.Preview, As: as, SKU: strings.TrimSpace(c.QueryParam("why"))}
	for _, es := range exp.Slots {
		hs := homeSlot(es.HomeSlot, v)
		for i, it := range es.Items {
			hs.Cards[i].Source, hs.Cards[i].Score = it.Source, it.Score
		}
		if len(es.Items) == 0 && es.Creative == nil && es.Slot.Type != models.SlotHero {
			// Like the shopper's page, the preview has no empty rows; the
			// panel says why they are missing.
			why := "nothing to show for this shopper"
			if len(es.Left) > 0 {
				why += fmt.Sprintf(" (%d candidates left out, e.g. %s: %s)", len(es.Left), es.Left[0].SKU, es.Left[0].Why)
			}
			info.Off = append(info.Off, templates.Option{Value: offTitle(*es.Slot), Label: why})
			continue
		}
		hs.Explain = &templates.SlotExplain{Source: es.Source}
		for _, l := range es.Left {
			hs.Explain.Left = append(hs.Explain.Left, templates.LeftOut{SKU: l.SKU, Title: l.Title, Why: l.Why, InTitle: l.InTitle})
		}
		vm.Slots = append(vm.Slots, hs)
	}
	for _, off := range exp.Off {
		why := off.Why
		if !off.At.IsZero() {
			why += " " + off.At.In(s.shopZone(c)).Format("Jan 2 15:04 MST")
		}
		info.Off = append(info.Off, templates.Option{Value: offTitle(*off.Slot), Label: why})
	}
	for _, sl := range exp.NotForShopper {
		info.Off = append(info.Off, templates.Option{Value: offTitle(*sl), Label: "for the audience “" + sl.Audience + "”, which this shopper is not in"})
	}
	if info.SKU != "" {
		info.Answer = exp.WhyNot(info.SKU)
	}
	vm.PreviewInfo = info
	c.Response().Header().Set("X-Robots-Tag", "noindex")
	return render(c, http.StatusOK, templates.Home(vm))
}

// offTitle names a row the preview lists as off the shopper's page. The
// row's title placeholders ({category}, {anchor}) are read as the words a
// merchant understands: the row is not on the page, so nothing filled them.
func offTitle(sl models.Slot) string {
	return shop.TitlePlaceholders.Replace(slotRow(sl, false, false, nil).Title)
}

func (s *Server) previewChooser(c echo.Context, as, msg string, status int) error {
	ed := editedPageOf(c)
	vm := templates.AdminPreviewPage{AdminBase: s.adminBase(c, "Preview", ed.nav("preview")), Page: ed.view, As: as, Error: msg}
	recent, err := s.db.RecentShoppers(c.Request().Context(), 12)
	if err != nil {
		return err
	}
	vm.Example = "a shopper's id or email address"
	if len(recent) > 0 {
		vm.Example = recent[0].ExternalID
		if e := recent[0].Email; e != nil && *e != "" {
			vm.Example += " or " + *e
		}
	}
	for _, sh := range recent {
		label := sh.ExternalID
		if sh.Name != "" {
			label = sh.Name + " (" + sh.ExternalID + ")"
		}
		vm.Recent = append(vm.Recent, templates.Option{Value: sh.ExternalID, Label: label})
	}
	return render(c, status, templates.AdminPreview(vm))
}
