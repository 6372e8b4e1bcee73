package web

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"storefront/models"
	"storefront/shop"
)

// visitorIn finds a visitor id that Assign puts in the arm labelled want.
func visitorIn(t *testing.T, want string, controlPct float64, exp *models.Experiment) string {
	t.Helper()
	for i := range 10_000 {
		vid := "testvisitor" + utoa(uint(i))
		if shop.Assign(vid, controlPct, exp).Label == want {
			return vid
		}
	}
	t.Fatalf("no visitor lands in %s", want)
	return ""
}

// withVisitor is a client whose visitor cookie is vid.
func (s *testShop) withVisitor(vid string) *client {
	c := s.newClient()
	u, _ := url.Parse(s.ts.URL)
	c.hc.Jar.SetCookies(u, []*http.Cookie{{Name: visitorCookie, Value: s.srv.signVisitor(vid), Path: "/"}})
	return c
}

func armEvents(t *testing.T, s *testShop, typ string) map[string]int {
	t.Helper()
	must(t, s.srv.events.Flush(context.Background()))
	var rows []struct {
		Arm string
		N   int
	}
	must(t, s.db.R.Raw("SELECT COALESCE(arm, '') AS arm, COUNT(*) AS n FROM events WHERE type = ? GROUP BY arm", typ).Scan(&rows).Error)
	out := map[string]int{}
	for _, r := range rows {
		out[r.Arm] = r.N
	}
	return out
}

func slotTitles(doc *goquery.Document) []string {
	var out []string
	doc.Find("section[data-slot-id] h2").Each(func(_ int, h *goquery.Selection) { out = append(out, h.Text()) })
	return out
}

func hasSlot(doc *goquery.Document, title string) bool {
	for _, t := range slotTitles(doc) {
		if t == title {
			return true
		}
	}
	return false
}

// TestExperimentArmsAreStickyCachedApartAndRecorded: visitors of two layout
// arms get their own arm's page, even when both would share the cached
// anonymous page; an arm survives login; impressions, clicks, carts and the
// order carry it; the control group gets the same slots without
// personalization.
func TestExperimentArmsAreStickyCachedApartAndRecorded(t *testing.T) {
	s := mustOpenShop(t)
	ctx := context.Background()
	must(t, s.db.SetSetting(ctx, "test", models.SettingControlPercent, "10"))
	page, err := s.db.PageByKey(ctx, models.HomePage)
	must(t, err)
	must(t, s.db.SaveSlot(ctx, models.HomePage, page.DraftRevision, "test", &models.Slot{Type: models.SlotRecentlyViewed, Title: "Recently viewed",
		Enabled: true, Size: 4, Audience: "everyone"}))
	_, err = s.db.PublishDraft(ctx, models.HomePage, "test")
	must(t, err)
	// The draft adds a row the live layout does not have.
	page, err = s.db.PageByKey(ctx, models.HomePage)
	must(t, err)
	must(t, s.db.SaveSlot(ctx, models.HomePage, page.DraftRevision, "test", &models.Slot{Type: models.SlotTrending, Title: "Trending in the draft",
		Enabled: true, Size: 4, Audience: "everyone"}))
	exp := &models.Experiment{Name: "Trending row", Kind: models.ExperimentLayout, MDEPercent: 10, BaselineRate: 0.05,
		Arms: []models.ExperimentArm{{Name: "Live", Source: models.ArmLive, Weight: 50}, {Name: "Draft", Source: models.ArmDraft, Weight: 50}}}
	must(t, s.db.CreateExperiment(ctx, "test", exp))
	must(t, s.db.StartExperiment(ctx, "test", exp.ID))
	s.srv.shop.ExperimentsChanged()
	running, err := s.db.RunningExperiment(ctx)
	must(t, err)

	live, draft := running.Arms[0].Label(), running.Arms[1].Label()
	liveVisitor := s.withVisitor(visitorIn(t, live, 10, running))
	draftVisitor := s.withVisitor(visitorIn(t, draft, 10, running))
	_, doc := liveVisitor.get("/")
	if hasSlot(doc, "Trending in the draft") {
		t.Fatalf("live arm sees the draft's row: %v", slotTitles(doc))
	}
	_, doc = draftVisitor.get("/")
	if !hasSlot(doc, "Trending in the draft") {
		t.Fatalf("draft arm does not see the draft's row (cached page of the other arm?): %v", slotTitles(doc))
	}
	// Signing in keeps the visitor cookie, and with it the arm.
	_, err = s.db.CreateShopper(ctx, "Arm Shopper", "arm@example.com", testPassword)
	must(t, err)
	if res := draftVisitor.post("/login", "/login", url.Values{"email": {"arm@example.com"}, "password": {testPassword}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: %d", res.StatusCode)
	}
	_, doc = draftVisitor.get("/")
	if !hasSlot(doc, "Trending in the draft") {
		t.Fatalf("after login the visitor left the draft arm: %v", slotTitles(doc))
	}
	tent := s.product("SKU-1")
	draftVisitor.get(productPath(tent) + "?slot=s1&pos=1")
	draftVisitor.post(productPath(tent), "/cart/add", url.Values{"product_id": {utoa(tent.ID)}, "quantity": {"1"}})
	_, doc = draftVisitor.get("/checkout")
	key, _ := doc.Find(`input[name="idempotency_key"]`).Attr("value")
	res := draftVisitor.post("/checkout", "/checkout", url.Values{"_csrf": {csrf(doc)}, "idempotency_key": {key}, "cart_digest": {cartDigestIn(doc)}, "name": {"Arm"},
		"email": {"arm@example.com"}, "street": {"1 Main St"}, "city": {"Springfield"}, "postcode": {"12345"}, "country": {"USA"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("checkout: %d", res.StatusCode)
	}
	for typ, want := range map[string]string{models.EventImpression: draft, models.EventClick: draft, models.EventAddToCart: draft, models.EventPurchase: draft} {
		if got := armEvents(t, s, typ); got[want] == 0 {
			t.Errorf("%s events by arm %v: none in %s", typ, got, want)
		}
	}
	if got := armEvents(t, s, models.EventImpression); got[live] == 0 {
		t.Errorf("impressions by arm %v: none for the live arm %s", got, live)
	}
	var orderArm string
	must(t, s.db.R.Raw("SELECT arm FROM orders ORDER BY id DESC LIMIT 1").Scan(&orderArm).Error)
	if orderArm != draft {
		t.Errorf("order recorded in arm %q, want %q", orderArm, draft)
	}

	// The control group: the live slots, nothing personal, recorded as such.
	trainShop(t, s)
	for _, c := range []*client{liveVisitor, s.withVisitor(visitorIn(t, models.ArmLabelControl, 10, running))} {
		c.get(productPath(s.product("SKU-3")))
		c.get(productPath(s.product("SKU-K1")))
	}
	must(t, s.srv.events.Flush(ctx))
	s.srv.userChanged("v:"+visitorIn(t, live, 10, running), "v:"+visitorIn(t, models.ArmLabelControl, 10, running))
	_, doc = liveVisitor.get("/")
	if !hasSlot(doc, "Recently viewed") {
		t.Fatalf("a personalized visitor does not see their recently viewed row: %v", slotTitles(doc))
	}
	control := s.withVisitor(visitorIn(t, models.ArmLabelControl, 10, running))
	_, doc = control.get("/")
	if hasSlot(doc, "Trending in the draft") {
		t.Fatal("the control group sees an experiment arm")
	}
	if n := doc.Find(`section[data-slot-type="recently_viewed"], section[data-slot-type="because_viewed"], [data-testid="optout-notice"]`).Length(); n != 0 {
		t.Fatalf("the control group sees %d personal rows or an opt-out notice", n)
	}
	if !hasSlot(doc, "Best sellers") {
		t.Fatalf("the control group lacks the merchandiser's rows: %v", slotTitles(doc))
	}
	if got := armEvents(t, s, models.EventImpression); got[models.ArmLabelControl] == 0 {
		t.Errorf("impressions by arm %v: none for the control group", got)
	}
}
