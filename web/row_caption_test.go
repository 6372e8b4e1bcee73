package web

import (
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// TestTheNewArrivalsRowSaysNewArrivalOnce: its cards all share the reason
// "New arrival", which the row showed under its heading "New arrivals".
// The heading says it now, with no caption and no card saying it again,
// while a row whose shared reason adds to its heading keeps the caption.
func TestTheNewArrivalsRowSaysNewArrivalOnce(t *testing.T) {
	shop := mustOpenShop(t)
	trainShop(t, shop)
	_, doc := shop.newClient().get("/")
	row := doc.Find(`section[data-slot-type="new_arrivals"]`)
	if row.Length() != 1 || row.Find(`[data-product-id]`).Length() < 2 {
		t.Fatalf("want one New arrivals row with cards, have %d rows", row.Length())
	}
	if h := row.Find(`h2`); h.Text() != "New arrivals" || h.AttrOr("data-reason-in-heading", "absent") == "absent" {
		t.Errorf("heading %q is not marked as the row's reason", h.Text())
	}
	if n := row.Find(`[data-testid="row-reason"], [data-testid="reason"]`).Length(); n != 0 {
		t.Errorf("the row repeats its heading %d times: %q", n, row.Find(`[data-testid="row-reason"], [data-testid="reason"]`).Text())
	}
	// Every other row says why each card is there: on the card or once
	// under a heading that does not say it.
	doc.Find(`section[data-slot-id]:not([data-slot-type="hero"]):not([data-slot-type="new_arrivals"])`).Each(func(_ int, s *goquery.Selection) {
		cards := s.Find(`[data-product-id]`).Length()
		said := s.Find(`[data-testid="reason"]`).Length()
		if s.Find(`[data-testid="row-reason"]`).Length() == 1 {
			said = cards
		}
		if cards == 0 || said != cards {
			t.Errorf("row %q: %d of %d cards say why", s.Find("h2").Text(), said, cards)
		}
	})
}
