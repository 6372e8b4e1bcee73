package web

import (
	"net/http"
	"sync"

	"github.com/labstack/echo/v4"

	"storefront/templates"
)

// benchReference serves the homepage template filled with a fixed set of
// popular products: no recommender, no per-user queries, no tracking. The
// load harness (bench/) compares the personalized homepage with it, so the
// cost of personalization is measured side by side in one binary. It is
// registered only when Config.BenchReference is set.
func (s *Server) benchReference(c echo.Context) error {
	slots := s.referenceSlots(c)
	b := templates.Base{Title: "Storefront", Path: c.Request().URL.Path}
	if tok, ok := c.Get("csrf").(string); ok {
		b.CSRF = tok
	}
	if cat := s.shop.Catalog(); cat != nil {
		b.Nav = nav(cat)
	}
	return render(c, http.StatusOK, templates.Home(templates.HomePage{Base: b, Slots: slots, ShowReasons: true}))
}

// referenceSlots builds the reference rows once: the published slots'
// titles and sizes, filled in order with the catalog's best sellers.
func (s *Server) referenceSlots(c echo.Context) []templates.HomeSlot {
	s.reference.once.Do(func() {
		cat := s.shop.Catalog()
		slots, err := s.publishedHome(c.Request().Context())
		if err != nil {
			s.log.Warn("reference page without layout", "err", err)
		}
		next := 0
		for _, sl := range slots {
			if !sl.Enabled {
				continue
			}
			hs := templates.HomeSlot{ID: sl.ID, Type: sl.Type, Strategy: "reference", Title: sl.Title,
				Subtitle: sl.Subtitle, Link: sl.Link, Position: len(s.reference.slots) + 1}
			size := sl.Size
			if size <= 0 {
				size = 8
			}
			if sl.Type == "hero" {
				size = min(size, 3)
			}
			for len(hs.Cards) < size && next < len(cat.Popular) {
				p, _ := cat.Product(cat.Popular[next])
				next++
				hs.Cards = append(hs.Cards, card(p, "Popular right now", slotKey(sl.ID), len(hs.Cards)+1))
			}
			s.reference.slots = append(s.reference.slots, hs)
		}
	})
	return s.reference.slots
}

// referencePage holds the precomputed reference rows.
type referencePage struct {
	once  sync.Once
	slots []templates.HomeSlot
}
