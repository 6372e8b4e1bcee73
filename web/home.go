package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"storefront/models"
	"storefront/templates"
)

// home composes the homepage from the published layout.
func (s *Server) home(c echo.Context) error {
	ctx := c.Request().Context()
	slots, _, err := s.db.PublishedLayout(ctx, models.HomePage)
	if err != nil {
		return err
	}
	vm := templates.HomePage{Base: s.base(c, ""), ShowReasons: true}
	vm.Slots = s.composeHome(c, slots)
	return render(c, http.StatusOK, templates.Home(vm))
}

// composeHome fills each enabled, scheduled slot; a slot with nothing to
// show is left out, and no product appears twice on the page.
func (s *Server) composeHome(c echo.Context, slots []models.Slot) []templates.HomeSlot {
	cat := s.catalog.Load()
	used := map[uint]bool{}
	now := time.Now()
	var out []templates.HomeSlot
	for _, sl := range slots {
		if !sl.Enabled || (sl.StartsAt != nil && now.Before(*sl.StartsAt)) || (sl.EndsAt != nil && now.After(*sl.EndsAt)) {
			continue
		}
		size := sl.Size
		if size <= 0 {
			size = 8
		}
		var ids []uint
		reason := ""
		switch sl.Type {
		case models.SlotHero:
			size = min(size, 3)
			ids, reason = s.categoryTop(cat, sl.Category, sl.Link), "Featured"
		case models.SlotNewArrivals:
			ids, reason = cat.Newest, "New arrival"
		case models.SlotCollection:
			for _, ext := range splitList(sl.Pins) {
				if p, ok := cat.ProductByExt(ext); ok && p.InStock() {
					ids = append(ids, p.ID)
				}
			}
			reason = "Picked by our team"
		case models.SlotCategory:
			ids = s.categoryTop(cat, sl.Category, "")
			reason = "Popular in this category"
		case models.SlotRecentlyViewed, models.SlotBecauseViewed, models.SlotRecommended:
			continue
		default:
			ids, reason = cat.Popular, "Popular right now"
		}
		hs := templates.HomeSlot{ID: sl.ID, Type: sl.Type, Strategy: sl.Strategy, Title: sl.Title, Subtitle: sl.Subtitle, Link: sl.Link}
		slotKey := slotKey(sl.ID)
		for _, id := range ids {
			if len(hs.Cards) == size {
				break
			}
			p, ok := cat.Product(id)
			if !ok || used[id] || !p.InStock() {
				continue
			}
			used[id] = true
			hs.Cards = append(hs.Cards, card(p, reason, slotKey, len(hs.Cards)+1))
		}
		if len(hs.Cards) == 0 && sl.Type != models.SlotHero {
			continue
		}
		hs.Position = len(out) + 1
		out = append(out, hs)
	}
	return out
}

func slotKey(id uint) string { return "s" + utoa(id) }

// categoryTop returns the most popular products under a category slug (or
// the category a link such as /c/outdoor points to).
func (s *Server) categoryTop(cat *Catalog, slug, link string) []uint {
	if slug == "" && strings.HasPrefix(link, "/c/") {
		slug = strings.TrimPrefix(link, "/c/")
	}
	n, ok := cat.CategoryBySlug(slug)
	if !ok {
		return cat.Popular
	}
	in := map[uint]bool{}
	for _, id := range n.Descendants {
		in[id] = true
	}
	var ids []uint
	for _, id := range cat.Popular {
		if p, _ := cat.Product(id); in[p.CategoryID] {
			ids = append(ids, id)
		}
	}
	return ids
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}
