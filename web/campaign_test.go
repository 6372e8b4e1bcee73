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

// TestBannerCreatives: a merchandiser adds a banner slot and its creatives
// (a bad link or an image the CSP would block is refused, with the field
// named); after publishing, a shopper sees one creative, its impression is
// recorded, and a click on it is counted and leads to the creative's link.
func TestBannerCreatives(t *testing.T) {
	shop := mustOpenShop(t)
	ctx := context.Background()
	c := shop.staffClient(models.RoleMerchandiser)
	visitor := shop.newClient()
	c.post("/admin/campaigns", "/admin/campaigns", url.Values{"title": {"Spring"}, "slug": {"spring"}})
	p, err := shop.db.CampaignBySlug(ctx, "spring")
	must(t, err)
	rev := func() string {
		_, r, err := shop.db.DraftSlots(ctx, p.Key)
		must(t, err)
		return strconv.Itoa(r)
	}
	res := c.post("/admin/campaigns/spring/slots/new", "/admin/campaigns/spring/slots", url.Values{"type": {models.SlotBanner},
		"title": {"Spring banner"}, "audience": {"everyone"}, "enabled": {"true"}, "locked": {"true"}, "revision": {rev()}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("add banner: %d", res.StatusCode)
	}
	draft, _, err := shop.db.DraftSlots(ctx, p.Key)
	must(t, err)
	banner := draft[0]
	base := "/admin/campaigns/spring/slots/" + utoa(banner.ID)
	bad := []struct{ field, link, image string }{
		{"link", "javascript:alert(1)", ""},
		{"image", "/c/tents", "https://evil.example.com/x.png"},
	}
	for _, b := range bad {
		res := c.post(base+"/creatives/new", base+"/creatives", url.Values{"title": {"Tents"}, "link": {b.link}, "image": {b.image}, "revision": {rev()}})
		sl, err := shop.db.SlotByID(ctx, banner.ID)
		must(t, err)
		if res.StatusCode != http.StatusUnprocessableEntity || len(sl.Creatives) != 0 {
			t.Fatalf("creative with a bad %s: %d, %d creatives stored", b.field, res.StatusCode, len(sl.Creatives))
		}
	}
	for _, cr := range []url.Values{
		{"title": {"Tents for spring"}, "text": {"Light tents for the first nights out."}, "link": {"/c/tents"}, "category": {"tents"}},
		{"title": {"Spring kitchen"}, "link": {"/c/kitchen"}, "category": {"kitchen"}, "image": {"/static/favicon.svg"}},
	} {
		cr.Set("revision", rev())
		if res := c.post(base+"/creatives/new", base+"/creatives", cr); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("add creative %s: %d", cr.Get("title"), res.StatusCode)
		}
	}
	// Edit the first creative's title.
	edit := url.Values{"title": {"Tents for spring nights"}, "link": {"/c/tents"}, "category": {"tents"}, "revision": {rev()}}
	if res := c.post(base+"/creatives/1/edit", base+"/creatives/1", edit); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("edit creative: %d", res.StatusCode)
	}
	_, doc := c.get(base + "/edit")
	if got := doc.Find(`[data-testid="creative-title"]`).First().Text(); got != "Tents for spring nights" {
		t.Fatalf("the banner's form lists %q", got)
	}
	if res := c.post("/admin/campaigns/spring/publish", "/admin/campaigns/spring/publish", url.Values{"revision": {rev()}, "confirm": {"yes"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("publish: %d", res.StatusCode)
	}
	_, doc = visitor.get("/l/spring")
	b := doc.Find(`section[data-slot-type="banner"] [data-testid="banner"]`)
	if b.Length() != 1 {
		t.Fatalf("the campaign page shows %d banners", b.Length())
	}
	cid := b.AttrOr("data-creative-id", "")
	href := b.AttrOr("href", "")
	if href != "/b/"+utoa(banner.ID)+"/"+cid {
		t.Fatalf("banner links to %q", href)
	}
	res, _ = visitor.get(href)
	want := map[string]string{"1": "/c/tents", "2": "/c/kitchen"}[cid]
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != want {
		t.Fatalf("clicking creative %s: %d to %q, want %s", cid, res.StatusCode, res.Header.Get("Location"), want)
	}
	if res, _ := visitor.get("/b/" + utoa(banner.ID) + "/99"); res.Header.Get("Location") != "/" {
		t.Fatalf("an unknown creative leads to %q", res.Header.Get("Location"))
	}
	must(t, shop.srv.events.Flush(ctx))
	var evs []models.Event
	must(t, shop.db.R.Where("slot = ? AND query = ?", "s"+utoa(banner.ID), models.CreativeQuery(mustAtoi(t, cid))).Order("id").Find(&evs).Error)
	types := map[string]int{}
	for _, e := range evs {
		types[e.Type]++
	}
	if len(evs) != 2 || types[models.EventImpression] != 1 || types[models.EventClick] != 1 {
		t.Fatalf("creative events %+v, want an impression and a click", evs)
	}
	eng, err := shop.db.SlotEngagement(ctx, time.Now().Add(-time.Hour))
	must(t, err)
	if st := eng[models.CreativeKey("s"+utoa(banner.ID), models.CreativeQuery(mustAtoi(t, cid)))]; st.Impressions != 1 || st.Clicks != 1 {
		t.Fatalf("creative engagement %+v", st)
	}
}

func mustAtoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	must(t, err)
	return n
}

// TestAnalyticsNamesEverySlotAndSumsUp: the analytics page fills title
// placeholders, names a campaign's slots after the campaign, shows the
// totals above the per-slot table, draws a line for every slot with clicks
// (more than the palette's eight) and folds the by-day table away.
func TestAnalyticsNamesEverySlotAndSumsUp(t *testing.T) {
	shop := mustOpenShop(t)
	ctx := context.Background()
	c := shop.staffClient(models.RoleMerchandiser)
	must(t, shop.db.SaveSlot(ctx, models.HomePage, 0, "", &models.Slot{Type: models.SlotBecauseViewed, Title: "Because you viewed {anchor}", Enabled: true}))
	p := &models.Page{Key: models.CampaignKey("fall"), Title: "Fall"}
	must(t, shop.db.SaveCampaign(ctx, "", p))
	var ids []uint
	for i := range 10 {
		sl := &models.Slot{Type: models.SlotPopular, Title: "Row " + strconv.Itoa(i), Enabled: true}
		must(t, shop.db.SaveSlot(ctx, p.Key, 0, "", sl))
		ids = append(ids, sl.ID)
	}
	home, _, err := shop.db.DraftSlots(ctx, models.HomePage)
	must(t, err)
	ids = append(ids, home[len(home)-1].ID)
	now := time.Now().UTC()
	pid := shop.product("SKU-1").ID
	var evs []models.Event
	for _, id := range ids {
		evs = append(evs,
			models.Event{UserKey: "s1", ProductID: &pid, Type: models.EventImpression, Slot: slotKey(id), Value: 2, CreatedAt: now.Add(-time.Minute)},
			models.Event{UserKey: "s1", ProductID: &pid, Type: models.EventClick, Slot: slotKey(id), CreatedAt: now.Add(-30 * time.Second)})
	}
	must(t, shop.db.InsertEvents(ctx, evs))
	_, doc := c.get("/admin/analytics")
	total := doc.Find(`[data-testid="analytics-total"]`).Text()
	if !strings.Contains(total, "22") || !strings.Contains(total, "11") || !strings.Contains(total, "50.0%") {
		t.Fatalf("totals %q, want 22 impressions, 11 clicks, 50%% CTR", total)
	}
	table := doc.Find(`[data-testid="analytics-slots"]`).Text()
	for _, want := range []string{"Fall: Row 0", "Fall: Row 9", "Because you viewed (a viewed product)"} {
		if !strings.Contains(table, want) {
			t.Errorf("the per-slot table does not name %q: %s", want, table)
		}
	}
	if n := doc.Find(`svg[data-testid="clicks-chart"] polyline`).Length(); n != 11 {
		t.Errorf("the clicks chart draws %d lines, want one for each of the 11 slots", n)
	}
	if doc.Find(`details[data-testid="by-day"] [data-testid="analytics-days"]`).Length() != 1 {
		t.Error("the by-day table is not folded away")
	}
	if doc.Find(`[data-testid="analytics-total"]`).Index() > doc.Find(`[data-testid="analytics-slots"]`).Index() {
		t.Error("the totals are not above the per-slot table")
	}
}
