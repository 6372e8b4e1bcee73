package web

import (
	"context"
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"storefront/models"
	"storefront/shop"
	"storefront/templates"
)

// home composes the published homepage for the visitor and records, per
// slot, where on the page it was shown and how many cards it held: one
// impression row per slot keeps page views cheap for the single writer.
func (s *Server) home(c echo.Context) error {
	ctx := c.Request().Context()
	slots, err := s.publishedHome(ctx)
	if err != nil {
		return err
	}
	v, err := s.viewerOf(ctx, userOf(c))
	if err != nil {
		return err
	}
	vm := templates.HomePage{Base: s.base(c, ""), ShowReasons: true, OptedOut: v.OptOut}
	if v.LoggedIn && !v.OptOut {
		vm.ExplainLink = InterestsPath
	}
	vm.Slots = s.composeHome(ctx, v, slots)
	shown := make([]models.Event, 0, len(vm.Slots))
	for _, sl := range vm.Slots {
		if len(sl.Cards) == 0 {
			continue
		}
		e := eventFor(v.Key, models.EventImpression, 0, slotKey(sl.ID), sl.Position, "")
		e.Value = float64(len(sl.Cards))
		shown = append(shown, e)
	}
	if len(shown) > 0 {
		if err := s.events.Track(shown...); err != nil {
			s.log.Warn("impressions not queued", "err", err)
		}
	}
	return render(c, http.StatusOK, templates.Home(vm))
}

// Viewer is who a homepage is composed for (see shop.Viewer).
type Viewer = shop.Viewer

func (s *Server) viewerOf(ctx context.Context, u User) (Viewer, error) {
	v := Viewer{Key: u.Key(), ShopperID: u.ShopperID, LoggedIn: u.LoggedIn()}
	if u.LoggedIn() {
		sh, err := s.db.ShopperByID(ctx, u.ShopperID)
		if err != nil && !errors.Is(err, models.ErrNotFound) {
			return v, err
		}
		if sh != nil {
			v.OptOut, v.HistoryEditedAt = sh.OptOut, sh.HistoryEditedAt
			v.Hidden = models.HiddenInterestList(sh.HiddenInterests)
		}
	}
	return v, nil
}

func (s *Server) publishedHome(ctx context.Context) ([]models.Slot, error) {
	return s.shop.PublishedHome(ctx)
}

// layoutChanged drops the cached layout after a publish or rollback.
func (s *Server) layoutChanged() { s.shop.LayoutChanged() }

// composeHome composes the slots for a viewer as the page shows them.
func (s *Server) composeHome(ctx context.Context, v Viewer, slots []models.Slot) []templates.HomeSlot {
	composed := s.shop.ComposeHome(ctx, v, slots)
	out := make([]templates.HomeSlot, 0, len(composed))
	for _, cs := range composed {
		sl := cs.Slot
		// data-strategy says what filled the row, the type's default included.
		hs := templates.HomeSlot{ID: sl.ID, Type: sl.Type, Strategy: cs.Source, Title: cs.Title, Subtitle: sl.Subtitle,
			Link: cs.Link, Position: cs.Position, Anchor: cs.Anchor, Reason: cs.Reason, Personal: cs.Personal}
		for _, it := range cs.Items {
			cd := card(it.Product, it.Reason, cs.Key, len(hs.Cards)+1)
			if it.Personal && v.LoggedIn && !v.OptOut {
				cd.ReasonLink = InterestsPath
			}
			hs.Cards = append(hs.Cards, cd)
		}
		out = append(out, hs)
	}
	return out
}

// InterestsPath is the page where a shopper sees and edits what the shop
// thinks they like; personal reasons link to it.
const InterestsPath = "/account/interests"

var (
	slotKey   = shop.SlotKey
	splitList = shop.SplitList
)
