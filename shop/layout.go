package shop

import (
	"context"
	"reflect"
	"sync"
	"sync/atomic"
	"time"

	"storefront/models"
)

// layoutCache keeps the published layouts (the homepage and campaign
// pages) and slot engagement in memory, so a page view costs no layout
// queries. A stale copy is refreshed by one request at a time while every
// other request keeps serving it: the engagement aggregate scans recent
// impressions and must never hold up the homepage (profiling showed it
// doing so every few seconds).
type layoutCache struct {
	mu           sync.Mutex
	pages        map[string]*cachedLayout // by page key
	engagement   map[string]models.SlotStats
	engLoaded    time.Time // engagement
	engRefreshes bool
	gen          atomic.Uint64 // bumped whenever a published layout differs
}

// cachedLayout is one page's published slots.
type cachedLayout struct {
	slots      []models.Slot
	loaded     time.Time
	refreshing bool
}

const (
	layoutTTL     = 5 * time.Second
	engagementTTL = time.Minute // it only nudges the order of free slots
)

// PublishedHome returns the published homepage slots, from memory when fresh.
func (s *Shop) PublishedHome(ctx context.Context) ([]models.Slot, error) {
	return s.PublishedPage(ctx, models.HomePage)
}

// PublishedPage returns the published slots of an existing page, from
// memory when fresh.
func (s *Shop) PublishedPage(ctx context.Context, key string) ([]models.Slot, error) {
	s.layout.mu.Lock()
	if s.layout.pages == nil {
		s.layout.pages = map[string]*cachedLayout{}
	}
	e := s.layout.pages[key]
	if e == nil {
		e = &cachedLayout{}
		s.layout.pages[key] = e
	}
	slots := e.slots
	if slots != nil && (time.Since(e.loaded) < layoutTTL || e.refreshing) {
		s.layout.mu.Unlock()
		s.refreshEngagement(ctx)
		return slots, nil
	}
	e.refreshing = true
	gen := s.layout.gen.Load()
	s.layout.mu.Unlock()

	fresh, _, err := s.db.PublishedLayout(ctx, key)
	s.layout.mu.Lock()
	e.refreshing = false
	if err == nil && s.layout.gen.Load() != gen {
		// Published while this read ran: what it read may predate the
		// publish, so serve it to this request only and reload next time.
		s.layout.mu.Unlock()
		return fresh, nil
	}
	if err != nil {
		s.layout.mu.Unlock()
		if slots != nil {
			s.log.Warn("layout reload failed, serving the previous one", "page", key, "err", err)
			return slots, nil
		}
		return nil, err
	}
	if fresh == nil {
		fresh = []models.Slot{}
	}
	if slots == nil || !reflect.DeepEqual(slots, fresh) {
		s.layout.gen.Add(1)
	}
	e.slots, e.loaded = fresh, time.Now()
	s.layout.mu.Unlock()
	s.refreshEngagement(ctx)
	return fresh, nil
}

// refreshEngagement reloads slot engagement in the background when it is
// stale: the aggregate grows with traffic, so no page view waits for it.
func (s *Shop) refreshEngagement(context.Context) {
	s.layout.mu.Lock()
	if s.layout.engRefreshes || time.Since(s.layout.engLoaded) < engagementTTL {
		s.layout.mu.Unlock()
		return
	}
	select {
	case <-s.stop:
		s.layout.mu.Unlock()
		return // closing: no new background work
	default:
	}
	s.layout.engRefreshes = true
	s.layout.mu.Unlock()
	// Tracked, so Close waits for it; cancelled when the shop stops.
	s.background.Add(1)
	go func() {
		defer s.background.Done()
		ctx, cancel := context.WithTimeout(s.life, 30*time.Second)
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

// LayoutChanged drops the cached layouts after a publish or rollback of any
// page.
func (s *Shop) LayoutChanged() {
	s.layout.mu.Lock()
	s.layout.pages = nil
	s.layout.gen.Add(1)
	s.layout.mu.Unlock()
}

// SlotEngagement returns a slot's recent impressions and clicks.
func (s *Shop) SlotEngagement(key string) models.SlotStats {
	s.layout.mu.Lock()
	defer s.layout.mu.Unlock()
	return s.layout.engagement[key]
}

// LoadEngagement reads slot engagement now, instead of in the background.
func (s *Shop) LoadEngagement(ctx context.Context) error {
	eng, err := s.db.SlotEngagement(ctx, time.Now().Add(-14*24*time.Hour))
	if err != nil {
		return err
	}
	s.layout.mu.Lock()
	s.layout.engagement, s.layout.engLoaded = eng, time.Now()
	s.layout.mu.Unlock()
	return nil
}
