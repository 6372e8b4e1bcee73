package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"storefront/models"
)

// TestCampaignPageLifecycle: a merchandiser creates a campaign page, edits
// its draft (which shoppers do not see), publishes it, and rolls it back;
// the campaign's editor cannot touch the homepage's slots, and outside its
// window the page says the campaign has ended and offers products.
func TestCampaignPageLifecycle(t *testing.T) {
	shop := mustOpenShop(t)
	ctx := context.Background()
	c := shop.staffClient(models.RoleMerchandiser)
	visitor := shop.newClient()

	if res, _ := visitor.get("/l/winter"); res.StatusCode != http.StatusNotFound {
		t.Fatalf("an unknown campaign answers %d, want 404", res.StatusCode)
	}
	res := c.post("/admin/campaigns", "/admin/campaigns", url.Values{"title": {"Winter camp"}, "slug": {"Winter Camp!"}})
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("a bad address was accepted: %d", res.StatusCode)
	}
	res = c.post("/admin/campaigns", "/admin/campaigns", url.Values{"title": {"Winter camp"}, "slug": {"winter"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/admin/campaigns/winter" {
		t.Fatalf("create: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	if res := c.post("/admin/campaigns", "/admin/campaigns", url.Values{"title": {"Again"}, "slug": {"winter"}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("a second campaign at the same address: %d", res.StatusCode)
	}
	p, err := shop.db.CampaignBySlug(ctx, "winter")
	must(t, err)
	rev := func() string {
		_, r, err := shop.db.DraftSlots(ctx, p.Key)
		must(t, err)
		return strconv.Itoa(r)
	}
	form := url.Values{"type": {models.SlotCategory}, "title": {"Tents for winter"}, "category": {"tents"}, "size": {"4"},
		"audience": {"everyone"}, "enabled": {"true"}, "revision": {rev()}}
	if res := c.post("/admin/campaigns/winter/slots/new", "/admin/campaigns/winter/slots", form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("add slot: %d", res.StatusCode)
	}
	draft, _, err := shop.db.DraftSlots(ctx, p.Key)
	must(t, err)
	if len(draft) != 1 || draft[0].Title != "Tents for winter" {
		t.Fatalf("campaign draft %+v", draft)
	}
	home, _, err := shop.db.DraftSlots(ctx, models.HomePage)
	must(t, err)
	if len(home) != 3 {
		t.Fatalf("the homepage draft changed: %d slots", len(home))
	}
	// A homepage slot is not editable through the campaign's editor.
	if res, _ := c.get("/admin/campaigns/winter/slots/" + utoa(home[0].ID) + "/edit"); res.StatusCode != http.StatusNotFound {
		t.Fatalf("editing a homepage slot through the campaign: %d", res.StatusCode)
	}
	if res := c.post("/admin/campaigns/winter", "/admin/campaigns/winter/slots/"+utoa(home[1].ID)+"/delete", url.Values{"revision": {rev()}}); res.StatusCode != http.StatusNotFound {
		t.Fatalf("removing a homepage slot through the campaign: %d", res.StatusCode)
	}

	// Published, the page shows the slot; the homepage does not.
	if res := c.post("/admin/campaigns/winter/publish", "/admin/campaigns/winter/publish", url.Values{"revision": {rev()}, "confirm": {"yes"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("publish: %d", res.StatusCode)
	}
	res, doc := visitor.get("/l/winter")
	if res.StatusCode != http.StatusOK || doc.Find(`section[data-slot-id="`+utoa(draft[0].ID)+`"] [data-product-id]`).Length() == 0 {
		t.Fatalf("campaign page %d without its tents row", res.StatusCode)
	}
	if got := homeOrder(visitor); strings.Contains(strings.Join(got, ","), utoa(draft[0].ID)) {
		t.Fatalf("the campaign's slot is on the homepage: %v", got)
	}

	// Edit and publish again, then roll back to version 1.
	form.Set("title", "Sleep warm")
	form.Set("revision", rev())
	c.post("/admin/campaigns/winter", "/admin/campaigns/winter/slots/"+utoa(draft[0].ID), form)
	c.post("/admin/campaigns/winter/publish", "/admin/campaigns/winter/publish", url.Values{"revision": {rev()}, "confirm": {"yes"}})
	if _, doc := visitor.get("/l/winter"); !strings.Contains(doc.Find("h2").Text(), "Sleep warm") {
		t.Fatalf("the second version is not live: %q", doc.Find("h2").Text())
	}
	vs, _, err := shop.db.Versions(ctx, p.Key)
	must(t, err)
	_, doc = c.get("/admin/campaigns/winter/versions")
	if doc.Find(`[data-testid="version"]`).Length() != 2 {
		t.Fatalf("the campaign's history lists %d versions, want 2", doc.Find(`[data-testid="version"]`).Length())
	}
	homeVs, _, err := shop.db.Versions(ctx, models.HomePage)
	must(t, err)
	if res := c.post("/admin/campaigns/winter/versions", "/admin/campaigns/winter/versions/"+utoa(homeVs[0].ID)+"/rollback", nil); res.StatusCode != http.StatusNotFound {
		t.Fatalf("rolling the campaign back to a homepage version: %d", res.StatusCode)
	}
	if res := c.post("/admin/campaigns/winter/versions", "/admin/campaigns/winter/versions/"+utoa(vs[1].ID)+"/rollback", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("rollback: %d", res.StatusCode)
	}
	if _, doc := visitor.get("/l/winter"); !strings.Contains(doc.Find("h2").Text(), "Tents for winter") {
		t.Fatalf("after the rollback the page shows %q", doc.Find("h2").Text())
	}

	// Ended: a friendly page with products, not a 404.
	yesterday := time.Now().UTC().Add(-24 * time.Hour).Format(datetimeLocal)
	res = c.post("/admin/campaigns/winter", "/admin/campaigns/winter/settings", url.Values{"title": {"Winter camp"}, "ends_at": {yesterday}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("saving the window: %d", res.StatusCode)
	}
	res, doc = visitor.get("/l/winter")
	if res.StatusCode != http.StatusGone || !strings.Contains(doc.Find(`[data-testid="campaign-over"]`).Text(), "has ended") {
		t.Fatalf("ended campaign: %d %q", res.StatusCode, doc.Find(`[data-testid="campaign-over"]`).Text())
	}
	if doc.Find(`[data-product-id]`).Length() == 0 {
		t.Fatal("the ended page offers no products")
	}
	if href, _ := doc.Find(`[data-product-id] a`).First().Attr("href"); strings.Contains(href, "slot=") {
		t.Fatalf("a card of the ended page is attributed to a slot: %s", href)
	}
	var log []models.AuditLog
	must(t, shop.db.R.Where("action LIKE ?", "campaign.%").Order("id").Find(&log).Error)
	if len(log) != 2 || log[1].Action != "campaign.update" || !strings.Contains(log[1].Detail, "window") {
		t.Fatalf("campaign audit entries %+v", log)
	}
}
