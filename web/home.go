package web

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"storefront/models"
	"storefront/recommender"
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

// Viewer is who a homepage is composed for: the requester, or the shopper a
// merchandiser previews as.
type Viewer struct {
	Key       string // user key of events and cart
	ShopperID uint
	LoggedIn  bool
	OptOut    bool
}

func (s *Server) viewerOf(ctx context.Context, u User) (Viewer, error) {
	v := Viewer{Key: u.Key(), ShopperID: u.ShopperID, LoggedIn: u.LoggedIn()}
	if u.LoggedIn() {
		sh, err := s.db.ShopperByID(ctx, u.ShopperID)
		if err != nil && !errors.Is(err, models.ErrNotFound) {
			return v, err
		}
		if sh != nil {
			v.OptOut = sh.OptOut
		}
	}
	return v, nil
}

// layoutCache keeps the published homepage and slot engagement in memory,
// so a page view costs no layout queries. A stale copy is refreshed by one
// request at a time while every other request keeps serving it: the
// engagement aggregate scans recent impressions and must never hold up
// the homepage (profiling showed it doing so every few seconds).
type layoutCache struct {
	mu           sync.Mutex
	slots        []models.Slot
	engagement   map[string]models.SlotStats
	loaded       time.Time // layout
	engLoaded    time.Time // engagement
	refreshing   bool
	engRefreshes bool
}

const (
	layoutTTL     = 5 * time.Second
	engagementTTL = time.Minute // it only nudges the order of free slots
)

func (s *Server) publishedHome(ctx context.Context) ([]models.Slot, error) {
	s.layout.mu.Lock()
	slots := s.layout.slots
	if slots != nil && (time.Since(s.layout.loaded) < layoutTTL || s.layout.refreshing) {
		s.layout.mu.Unlock()
		s.refreshEngagement(ctx)
		return slots, nil
	}
	s.layout.refreshing = true
	s.layout.mu.Unlock()

	fresh, _, err := s.db.PublishedLayout(ctx, models.HomePage)
	s.layout.mu.Lock()
	s.layout.refreshing = false
	if err != nil {
		s.layout.mu.Unlock()
		if slots != nil {
			s.log.Warn("layout reload failed, serving the previous one", "err", err)
			return slots, nil
		}
		return nil, err
	}
	if fresh == nil {
		fresh = []models.Slot{}
	}
	s.layout.slots, s.layout.loaded = fresh, time.Now()
	s.layout.mu.Unlock()
	s.refreshEngagement(ctx)
	return fresh, nil
}

// refreshEngagement reloads slot engagement in the background when it is
// stale: the aggregate grows with traffic, so no page view waits for it.
func (s *Server) refreshEngagement(context.Context) {
	s.layout.mu.Lock()
	if s.layout.engRefreshes || time.Since(s.layout.engLoaded) < engagementTTL {
		s.layout.mu.Unlock()
		return
	}
	s.layout.engRefreshes = true
	s.layout.mu.Unlock()
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		eng, err := s.db.SlotEngagement(ctx, time.Now().Add(-14*24*time.Hour))
		s.layout.mu.Lock()
		defer s.layout.mu.Unlock()
		s.layout.engRefreshes = false
		if err != nil {
			s.log.Warn("slot engagement unavailable", "err", err)
			s.layout.engLoaded = time.Now() // try again after the TTL, not on every page
			return
		}
		s.layout.engagement, s.layout.engLoaded = eng, time.Now()
	}()
}

// layoutChanged drops the cached layout after a publish or rollback.
func (s *Server) layoutChanged() {
	s.layout.mu.Lock()
	s.layout.slots = nil
	s.layout.mu.Unlock()
}

func (s *Server) slotEngagement(key string) models.SlotStats {
	s.layout.mu.Lock()
	defer s.layout.mu.Unlock()
	return s.layout.engagement[key]
}

// composeHome fills and orders the slots for a viewer; a slot with nothing
// to show is left out, and no product appears twice on the page.
func (s *Server) composeHome(ctx context.Context, v Viewer, slots []models.Slot) []templates.HomeSlot {
	cat := s.catalog.Load()
	m := s.model.Load()
	now := time.Now()
	personalize := !v.OptOut

	// The viewer's latest interactions: the recently viewed row, anchors for
	// "because you viewed", and everything since training for fold-in.
	var recent []recommender.Event
	var recentlyViewed, seen []string
	if personalize {
		hist, err := s.db.UserInteractions(ctx, v.Key, time.Time{}, 60)
		if err != nil {
			s.log.Warn("history unavailable", "err", err)
		}
		var since time.Time
		if m != nil {
			since = m.DataNow
		}
		for i := len(hist) - 1; i >= 0; i-- {
			recentlyViewed = append(recentlyViewed, hist[i].ItemID)
		}
		for _, h := range hist {
			if h.CreatedAt.After(since) {
				recent = append(recent, recEvent(h))
			}
		}
		if seen, err = s.db.UserItems(ctx, v.Key); err != nil {
			s.log.Warn("history unavailable", "err", err)
		}
	}

	specs := make([]recommender.SlotSpec, 0, len(slots))
	bySpec := map[string]*models.Slot{}
	for i := range slots {
		sl := &slots[i]
		if !sl.Enabled || (sl.StartsAt != nil && now.Before(*sl.StartsAt)) || (sl.EndsAt != nil && now.After(*sl.EndsAt)) {
			continue
		}
		key := slotKey(sl.ID)
		eng := s.slotEngagement(key)
		spec := recommender.SlotSpec{ID: key, Kind: recommender.SlotKind(sl.Type), Title: sl.Title, Strategy: sl.Strategy,
			Size: sl.Size, Locked: sl.Locked, Brands: splitList(sl.Brands), MinPrice: sl.MinPrice, MaxPrice: sl.MaxPrice,
			Pins: splitList(sl.Pins), Excludes: splitList(sl.Excludes), Boosts: splitList(sl.Boosts),
			Audience: sl.Audience, Impressions: eng.Impressions, Clicks: eng.Clicks}
		if slug, ok := strings.CutPrefix(sl.Audience, "affinity:"); ok {
			// Slots name categories by slug; the recommender knows names.
			if n, ok := cat.CategoryBySlug(slug); ok {
				spec.Audience = "affinity:" + n.Name
			}
		}
		slug := sl.Category
		if slug == "" && sl.Type == models.SlotHero && strings.HasPrefix(sl.Link, "/c/") {
			slug = strings.TrimPrefix(sl.Link, "/c/")
		}
		if n, ok := cat.CategoryBySlug(slug); ok {
			spec.Category = n.Name
		}
		specs = append(specs, spec)
		bySpec[key] = sl
	}
	opt := recommender.DefaultComposeOptions()
	opt.Available = func(ext string) bool {
		p, ok := cat.ProductByExt(ext)
		return ok && p.InStock()
	}
	shopper := recommender.Shopper{User: v.Key, Recent: recent, RecentlyViewed: recentlyViewed, Seen: seen, Personalize: personalize, LoggedIn: v.LoggedIn}
	composed := recommender.Compose(m, specs, shopper, opt, s.fallbackRow(cat))

	out := make([]templates.HomeSlot, 0, len(composed))
	for _, cs := range composed {
		sl := bySpec[cs.Spec.ID]
		hs := templates.HomeSlot{ID: sl.ID, Type: sl.Type, Strategy: sl.Strategy, Title: cs.Title, Subtitle: sl.Subtitle,
			Link: sl.Link, Position: len(out) + 1, Anchor: cs.Anchor}
		if hs.Link == "" && sl.Type == models.SlotCategory {
			if n, ok := cat.categoryByName(cs.Spec.Category); ok {
				hs.Link = "/c/" + n.Slug
			}
		}
		for _, it := range cs.Items {
			p, ok := cat.ProductByExt(it.ItemID)
			if !ok {
				continue
			}
			hs.Cards = append(hs.Cards, card(p, it.Reason, cs.Spec.ID, len(hs.Cards)+1))
		}
		if len(hs.Cards) == 0 && sl.Type != models.SlotHero {
			continue
		}
		out = append(out, hs)
	}
	return out
}

// fallbackRow fills a slot from the catalog's popularity when no model is
// trained yet, so the homepage always renders.
func (s *Server) fallbackRow(cat *Catalog) func(spec *recommender.SlotSpec, exclude map[string]bool, n int) []recommender.Recommendation {
	return func(spec *recommender.SlotSpec, exclude map[string]bool, n int) []recommender.Recommendation {
		ids, reason := cat.Popular, "Popular right now"
		if spec.Kind == recommender.KindNewArrivals {
			ids, reason = cat.Newest, "New arrival"
		}
		var under *CatNode
		if node, ok := cat.categoryByName(spec.Category); ok {
			under, reason = node, "Popular in "+node.Name
		}
		var out []recommender.Recommendation
		for _, p := range cat.topIn(ids, under, n, func(p *models.Product) bool { return exclude[p.ExternalID] }) {
			out = append(out, recommender.Recommendation{ItemID: p.ExternalID, Score: p.Popularity, Reason: reason})
		}
		return out
	}
}

func slotKey(id uint) string { return "s" + utoa(id) }

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}
