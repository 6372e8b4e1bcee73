package web

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"storefront/models"
)

// TestPublishStepChecksTheDraft: the publish step composes the draft for a
// sample of shoppers and lists an empty row, an out-of-stock pin, a broken
// link, an ended schedule and two overlapping campaigns, with a
// confirmation button; a clean draft reports no problems.
func TestPublishStepChecksTheDraft(t *testing.T) {
	shop := mustOpenShop(t)
	c := shop.staffClient(models.RoleMerchandiser)
	ctx := context.Background()

	_, doc := c.get("/admin/layout/publish")
	if doc.Find(`[data-testid="health-ok"]`).Length() != 1 || doc.Find(`[data-testid="confirm-publish"]`).Length() != 1 {
		t.Fatalf("a clean draft: %s", doc.Find("main").Text())
	}

	page, err := shop.db.PageByKey(ctx, models.HomePage)
	must(t, err)
	now := time.Now().UTC()
	past, soon, later := now.AddDate(0, 0, -2), now.Add(time.Hour), now.AddDate(0, 0, 7)
	pastEnd := now.AddDate(0, 0, -1)
	bad := []models.Slot{
		{PageID: page.ID, Position: 10, Type: models.SlotCollection, Title: "Sold out picks", Pins: "SKU-4", Enabled: true, Size: 4, Audience: "everyone"},
		{PageID: page.ID, Position: 11, Type: models.SlotCollection, Title: "Knives", Pins: "SKU-4,SKU-3", Enabled: true, Size: 4, Audience: "everyone"},
		{PageID: page.ID, Position: 12, Type: models.SlotTrending, Title: "Dead link", Link: "/c/no-such-category", Enabled: true, Size: 4, Audience: "everyone"},
		{PageID: page.ID, Position: 13, Type: models.SlotTrending, Title: "Summer sale", StartsAt: &past, EndsAt: &pastEnd, Enabled: true, Size: 4, Audience: "everyone"},
		{PageID: page.ID, Position: 14, Type: models.SlotNewArrivals, Title: "Launch A", StartsAt: &soon, EndsAt: &later, Enabled: true, Size: 4, Audience: "everyone"},
		{PageID: page.ID, Position: 15, Type: models.SlotNewArrivals, Title: "Launch B", StartsAt: &now, EndsAt: &later, Enabled: true, Size: 4, Audience: "everyone"},
	}
	must(t, shop.db.W.Create(&bad).Error)

	_, doc = c.get("/admin/layout/publish")
	issues := map[string]string{}
	doc.Find(`[data-testid="health-issue"]`).Each(func(_ int, s *goquery.Selection) {
		issues[s.Find("strong").Text()] += s.Text() + " [" + s.AttrOr("data-severity", "") + "]"
	})
	for slot, want := range map[string]string{
		"Sold out picks": "empty for every sampled shopper",
		"Knives":         "SKU-4 (out of stock)",
		"Dead link":      "/c/no-such-category leads to a page that does not exist",
		"Summer sale":    "schedule ended",
		"Launch B":       "overlaps “Launch A”",
	} {
		if !strings.Contains(issues[slot], want) {
			t.Errorf("health check on %q: %q, want %q", slot, issues[slot], want)
		}
	}
	if got := doc.Find(`[data-testid="confirm-publish"]`).Text(); !strings.Contains(got, "Publish anyway") {
		t.Errorf("with errors the button reads %q", got)
	}
	if t.Failed() {
		t.Logf("all issues: %v", issues)
	}
}
