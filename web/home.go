package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"
	"weak"

	"github.com/labstack/echo/v4"

	"storefront/models"
	"storefront/recommender"
	"storefront/shop"
	"storefront/templates"
)

// home serves the published homepage, composed once per viewer between
// their events (or once a minute for everyone without personal rows), and
// records, per slot, where on the page it was shown and how many cards it
// held. The writer sums a viewer's impressions per slot and minute into one
// row (models.ImpressionBucket), which keeps page views cheap for the
// single writer.
func (s *Server) home(c echo.Context) error {
	ctx := c.Request().Context()
	ver, slots, err := s.homeLayout(c)
	if err != nil {
		return err
	}
	u := userOf(c)
	// The control group and experiment arms see their own page; the arm is
	// part of every cache key below.
	a := s.shop.Assign(ctx, u.VisitorID)
	slots = s.shop.ArmSlots(a, slots)
	st := s.viewers.get(u.Key())
	v, err := s.viewerOf(ctx, st, u)
	if err != nil {
		return err
	}
	v.Control = a.Control
	e, err := s.homePage(ctx, st, v, ver, a.Label, slots)
	if err != nil {
		return err
	}
	if tracks(c) {
		s.trackShown(c, v.Key, a.Label, e.shown)
	}
	b := s.base(c, "")
	if e.body.parts == nil {
		vm := e.vm
		vm.Base = b
		return render(c, http.StatusOK, templates.Home(vm))
	}
	return renderCached(c, http.StatusOK, b, e.body)
}

// trackShown records one impression per slot a page showed, with the
// experiment arm the viewer is in ("" for none); the writer sums them per
// viewer, slot, position and minute. The rows a view adds (a viewer's first
// view of the minute, a row shown at another place) spend the client's
// event budget like any event: they are one per row of the page for each
// visitor cookie a client holds, so a client holding many cookies stored
// six rows a minute for each, past its address's budget.
func (s *Server) trackShown(c echo.Context, userKey, arm string, shown []shownSlot) {
	if len(shown) == 0 {
		return
	}
	evs := make([]models.Event, 0, len(shown))
	for _, sl := range shown {
		ev := eventFor(userKey, models.EventImpression, 0, sl.slot, sl.position, "")
		ev.Value = float64(sl.cards)
		ev.Arm = arm
		if sl.creative != 0 {
			ev.Query = models.CreativeQuery(sl.creative)
		}
		evs = append(evs, ev)
	}
	var allow func(rows int) bool // nil: no budget
	if s.eventBudget != nil {
		ip := c.RealIP()
		allow = func(rows int) bool { return s.eventBudget.allowN(ip, userKey, rows) }
	}
	tracked, err := s.events.TrackImpressionsWithin(allow, evs...)
	if err != nil {
		s.log.Warn("impressions not queued", "err", err)
	} else if !tracked {
		s.eventBudget.refused(s.log)
	}
}

// shownSlots lists the rows of a page that showed cards.
func shownSlots(slots []templates.HomeSlot) []shownSlot {
	var out []shownSlot
	for _, sl := range slots {
		switch {
		case sl.Banner != nil:
			out = append(out, shownSlot{slot: slotKey(sl.ID), position: sl.Position, cards: 1, creative: sl.Banner.ID})
		case len(sl.Cards) > 0:
			out = append(out, shownSlot{slot: slotKey(sl.ID), position: sl.Position, cards: len(sl.Cards)})
		}
	}
	return out
}

// homeLayout returns the published homepage slots and the versions they
// belong to: the versions are read first, so a page built from them is never
// filed under versions newer than its inputs.
func (s *Server) homeLayout(c echo.Context) (pageVersion, []models.Slot, error) {
	ctx := c.Request().Context()
	ver := s.pageVersion(c)
	slots, err := s.publishedHome(ctx)
	if err == nil && s.shop.Versions().Layout != ver.Layout {
		// The layout was (re)loaded meanwhile: take its new version.
		ver = s.pageVersion(c)
		slots, err = s.publishedHome(ctx)
	}
	return ver, slots, err
}

// homePage returns the viewer's homepage from the cache or composes it;
// arm is the viewer's experiment arm or control group (shop.Assignment).
func (s *Server) homePage(ctx context.Context, st *viewerState, v Viewer, ver pageVersion, arm string, slots []models.Slot) (*homeEntry, error) {
	now := s.now()
	st.mu.Lock()
	if st.home.valid(ver, now) && st.home.arm == arm {
		e := st.home
		st.mu.Unlock()
		return e, nil
	}
	hist, histOK := st.hist, st.histOK && st.histModel == weak.Make(ver.Model)
	st.mu.Unlock()
	cacheable := true
	if !v.OptOut && !v.Control && !histOK {
		h, err := s.shop.LoadHistory(ctx, v, ver.Model)
		if err != nil {
			// Serve a page without history rather than none, and keep it
			// out of the cache.
			s.log.Warn("history unavailable", "err", err)
			cacheable = false
		} else {
			st.mu.Lock()
			if !st.removed {
				st.hist, st.histOK, st.histModel = h, true, weak.Make(ver.Model)
			}
			st.mu.Unlock()
		}
		hist = h
	}
	if v.OptOut || v.Control || hist.Empty() && len(v.Hidden) == 0 {
		// Nothing personal to show: the page everyone in this audience
		// and arm gets this minute, or, for a viewer back without having
		// opened anything, the page of their turn (not in the control
		// group, nor for an opt-out).
		turn := 0
		if !v.OptOut && !v.Control {
			st.mu.Lock()
			turn = min(st.turns, maxTurns-1)
			if !st.removed {
				st.turns++
			}
			st.mu.Unlock()
		}
		k := sharedKey{ver: ver.kept(), minute: now.Unix() / 60, loggedIn: v.LoggedIn, optOut: v.OptOut, arm: arm}
		k.ver.catalog = 0 // the entry says which snapshots it is right on
		e, err := s.strangerHome(ctx, k, ver, turn, Viewer{LoggedIn: v.LoggedIn, OptOut: v.OptOut, Control: v.Control}, slots, cacheable)
		if err == nil && !v.OptOut && !v.Control {
			s.viewers.showed(v.Key, st, e)
		}
		return e, err
	}
	st.mu.Lock()
	v.Passed = slices.Clone(st.passed)
	st.mu.Unlock()
	e, err := s.composeEntry(ctx, v, slots, hist, ver, arm, scheduleBoundary(slots, now, now.Add(personalTTL)))
	if err == nil && cacheable {
		s.viewers.setHome(st, e)
	}
	if err == nil {
		s.viewers.showed(v.Key, st, e)
	}
	return e, err
}

// strangerHome returns the homepage shared by viewers without history on
// their turn-th homepage since their last event: turn 0 is the page every
// new viewer gets this minute; a later turn's page puts the products of the
// earlier turns' pages last (recommender.Shopper.Passed), so a viewer who
// came back without opening anything sees others first. Each turn's page is
// composed once a minute, and again when the catalog changed what it shows.
func (s *Server) strangerHome(ctx context.Context, k sharedKey, ver pageVersion, turn int, v Viewer, slots []models.Slot, cacheable bool) (*homeEntry, error) {
	var passed []string
	var read []float64
	for t := 0; ; t++ {
		k.turn = t
		e := s.shared.get(k)
		if e == nil || !e.on(ver) {
			v.Passed, v.PassedRead = passed, read
			var err error
			e, err = s.composeEntry(ctx, v, slots, shop.History{}, ver, k.arm, time.Unix((k.minute+1)*60, 0))
			if err != nil {
				return nil, err
			}
			if cacheable {
				s.shared.put(k, e)
			}
		}
		if t >= turn {
			return e, nil
		}
		passed, read = passedOn(e.vm.Slots, passed, read)
	}
}

// passedOn appends the cards of a page left without a click to passed, and
// to read the chance the viewer read each where it was: rows are read from
// the top and each from its start, so a card low on the page that they
// likely never reached says little about what they want
// (recommender.ReadChance; rows without products do not count).
func passedOn(slots []templates.HomeSlot, passed []string, read []float64) ([]string, []float64) {
	row := 0
	for _, sl := range slots {
		for i, cd := range sl.Cards {
			passed = append(passed, cd.ExternalID)
			read = append(read, recommender.ReadChance(row, i))
		}
		if len(sl.Cards) > 0 {
			row++
		}
	}
	return passed, read
}

// composeEntry composes and renders a homepage body.
func (s *Server) composeEntry(ctx context.Context, v Viewer, slots []models.Slot, h shop.History, ver pageVersion, arm string, expires time.Time) (*homeEntry, error) {
	vm := templates.HomePage{ShowReasons: true, OptedOut: v.OptOut}
	if v.LoggedIn && !v.OptOut && !v.Control {
		vm.ExplainLink = InterestsPath
	}
	vm.Slots = homeSlots(s.shop.ComposeHomeWith(v, slots, h), v)
	vm.NothingOnSale = ver.Catalog == nil || len(ver.Catalog.Browsable()) == 0
	e := &homeEntry{ver: ver.kept(), arm: arm, expires: expires, vm: vm, shown: shownSlots(vm.Slots), read: readingOrder(vm.Slots)}
	if !vm.NothingOnSale { // a page saying so is right on its snapshot alone
		e.holds = catalogShown(ver.Catalog, vm.Slots)
	}
	bd, err := renderBody(ctx, templates.HomeBody(vm))
	if err != nil {
		return nil, err
	}
	e.body, e.size = bd, bd.size()
	return e, nil
}

// catalogShown is what a homepage shows of the catalog snapshot: its
// cards' products with their groups. Its rows pick products by price,
// brand or sale, so only a change of stock leaves it right on a later
// snapshot; and its rows hold products in stock and their cards say
// nothing of how many are left, so an order that leaves a product it
// shows in stock (another shopper's) keeps it, while a sell-out or any
// other change of a product it shows (or of its group) drops it.
func catalogShown(cat *shop.Catalog, slots []templates.HomeSlot) *shop.Shown {
	if cat == nil {
		return nil
	}
	sh := cat.Shows().Picks()
	for _, sl := range slots {
		for _, cd := range sl.Cards {
			p, ok := cat.Product(cd.ID)
			if !ok {
				return nil // not of this snapshot: right on it alone
			}
			sh.Card(p)
		}
	}
	return sh
}

// scheduleBoundary is the first moment after now when a slot's schedule
// window opens or closes, or limit if none comes before it.
func scheduleBoundary(slots []models.Slot, now, limit time.Time) time.Time {
	for _, sl := range slots {
		for _, t := range []*time.Time{sl.StartsAt, sl.EndsAt} {
			if t != nil && t.After(now) && t.Before(limit) {
				limit = *t
			}
		}
	}
	return limit
}

// Viewer is who a homepage is composed for (see shop.Viewer).
type Viewer = shop.Viewer

// viewerOf describes the requester, with what their account says about
// personalization (opt-out, edited history, hidden interests) read once per
// viewer state.
func (s *Server) viewerOf(ctx context.Context, st *viewerState, u User) (Viewer, error) {
	v := Viewer{Key: u.Key(), ShopperID: u.ShopperID, LoggedIn: u.LoggedIn()}
	if !u.LoggedIn() {
		return v, nil
	}
	st.mu.Lock()
	acct, ok := st.account, st.accountOK
	st.mu.Unlock()
	if !ok {
		sh, err := s.db.ShopperByID(ctx, u.ShopperID)
		if err != nil && !errors.Is(err, models.ErrNotFound) {
			return v, err
		}
		acct = Viewer{}
		if sh != nil {
			acct.OptOut, acct.HistoryEditedAt = sh.OptOut, sh.HistoryEditedAt
			acct.Hidden = models.HiddenInterestList(sh.HiddenInterests)
		}
		st.mu.Lock()
		if !st.removed {
			st.account, st.accountOK = acct, true
		}
		st.mu.Unlock()
	}
	v.OptOut, v.HistoryEditedAt, v.Hidden = acct.OptOut, acct.HistoryEditedAt, acct.Hidden
	return v, nil
}

func (s *Server) publishedHome(ctx context.Context) ([]models.Slot, error) {
	return s.shop.PublishedHome(ctx)
}

// layoutChanged drops the cached layout after a publish or rollback.
func (s *Server) layoutChanged() { s.shop.LayoutChanged() }

// composeHome composes the slots for a viewer as the page shows them,
// without the homepage's layout cache (a campaign page).
func (s *Server) composeHome(ctx context.Context, v Viewer, slots []models.Slot) []templates.HomeSlot {
	return homeSlots(s.shop.ComposeHome(ctx, v, slots), v)
}

func homeSlots(composed []shop.HomeSlot, v Viewer) []templates.HomeSlot {
	out := make([]templates.HomeSlot, 0, len(composed))
	for _, cs := range composed {
		out = append(out, homeSlot(cs, v))
	}
	return out
}

// InterestsPath is the page where a shopper sees and edits what the shop
// thinks they like; personal reasons link to it.
const InterestsPath = "/account/interests"

// homeSlot is the view of a composed row for a viewer.
func homeSlot(cs shop.HomeSlot, v Viewer) templates.HomeSlot {
	sl := cs.Slot
	// data-strategy says what filled the row, the type's default included.
	hs := templates.HomeSlot{ID: sl.ID, Type: sl.Type, Strategy: cs.Source, Title: cs.Title, Subtitle: cs.Subtitle,
		Link: cs.Link, Position: cs.Position, Anchor: cs.Anchor, Reason: cs.Reason, Personal: cs.Personal}
	if recommender.RepeatsHeading(cs.Reason, cs.Title) {
		// "New arrivals" needs no "New arrival" under it: the heading
		// is the reason every card shares.
		hs.Reason, hs.HeadingSaysReason = "", true
	}
	if cr := cs.Creative; cr != nil {
		hs.Banner = &templates.Banner{ID: cr.ID, Title: cr.Title, Text: cr.Text, Image: cr.Image,
			URL: fmt.Sprintf("/b/%d/%d", sl.ID, cr.ID)}
	}
	for _, it := range cs.Items {
		cd := card(it.Product, it.Reason, cs.Key, len(hs.Cards)+1)
		if it.Name != "" {
			cd.Title = it.Name // the model, not one of its sizes
		}
		if it.Personal && v.LoggedIn && !v.OptOut {
			cd.ReasonLink = InterestsPath
		}
		hs.Cards = append(hs.Cards, cd)
	}
	return hs
}

var (
	slotKey   = shop.SlotKey
	splitList = shop.SplitList
)
