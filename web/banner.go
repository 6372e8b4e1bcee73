package web

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"storefront/models"
)

// bannerClick counts a click on a banner's creative and sends the shopper
// where the creative leads. The address names the slot and the creative;
// the link comes from the page's published layout, never from the request,
// so the address cannot send anyone elsewhere. A creative no longer
// published leads to the homepage.
func (s *Server) bannerClick(c echo.Context) error {
	slotID, err1 := strconv.ParseUint(c.Param("slot"), 10, 32)
	creative, err2 := strconv.Atoi(c.Param("creative"))
	if err1 != nil || err2 != nil || creative <= 0 {
		return echo.ErrNotFound
	}
	link := s.publishedCreativeLink(c, uint(slotID), creative)
	if link == "" {
		return c.Redirect(http.StatusSeeOther, "/")
	}
	s.track(c, models.EventClick, 0, slotKey(uint(slotID)), 1, models.CreativeQuery(creative))
	return c.Redirect(http.StatusSeeOther, link)
}

// publishedCreativeLink is the link of a creative of a published banner,
// "" when there is none.
func (s *Server) publishedCreativeLink(c echo.Context, slotID uint, creative int) string {
	ctx := c.Request().Context()
	sl, err := s.db.SlotByID(ctx, slotID)
	if err != nil {
		return ""
	}
	p, err := s.db.PageByID(ctx, sl.PageID)
	if err != nil {
		return ""
	}
	slots, err := s.shop.PublishedPage(ctx, p.Key)
	if err != nil {
		return ""
	}
	for _, pub := range slots {
		if pub.ID != slotID {
			continue
		}
		for _, cr := range pub.Creatives {
			if cr.ID == creative && validSlotLink(cr.Link) {
				return cr.Link
			}
		}
	}
	return ""
}
