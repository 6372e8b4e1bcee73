package web

import (
	"context"
	"encoding/csv"
	"errors"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/labstack/echo/v4"

	"storefront/models"
)

// addStaff creates a staff member with the test password.
func (s *testShop) addStaff(role string) string {
	s.t.Helper()
	hash, err := models.HashPassword(testPassword)
	must(s.t, err)
	email := role + "@example.com"
	must(s.t, s.db.W.Create(&models.Staff{Email: email, Name: "Test " + role, PasswordHash: hash, Role: role}).Error)
	return email
}

// staffClient logs a new staff member with role in through /admin/login.
func (s *testShop) staffClient(role string) *client {
	s.t.Helper()
	email := s.addStaff(role)
	c := s.newClient()
	res := c.post("/admin/login", "/admin/login", url.Values{"email": {email}, "password": {testPassword}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/admin/layout" {
		s.t.Fatalf("staff login: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	return c
}

func (s *testShop) shopperClient() *client {
	s.t.Helper()
	c := s.newClient()
	res := c.post("/login", "/login", url.Values{"email": {"ada@example.com"}, "password": {testPassword}})
	if res.StatusCode != http.StatusSeeOther {
		s.t.Fatalf("shopper login: %d", res.StatusCode)
	}
	return c
}

// adminRoutes lists the admin routes (except login) with :id filled in.
func adminRoutes(t *testing.T, s *Server) []*echo.Route {
	t.Helper()
	var out []*echo.Route
	for _, r := range s.Echo().Routes() {
		if !strings.HasPrefix(r.Path, "/admin") || r.Path == "/admin/login" || r.Path == "/admin/setup" || r.Method == echo.RouteNotFound {
			continue
		}
		out = append(out, &echo.Route{Method: r.Method, Path: strings.ReplaceAll(r.Path, ":id", "1")})
	}
	if len(out) < 20 {
		t.Fatalf("only %d admin routes registered", len(out))
	}
	return out
}

func (c *client) request(method, from, path string) *http.Response {
	c.shop.t.Helper()
	if method == http.MethodPost {
		return c.post(from, path, nil)
	}
	res, err := c.hc.Get(c.shop.ts.URL + path)
	must(c.shop.t, err)
	res.Body.Close()
	return res
}

func TestAdminAccessControl(t *testing.T) {
	shop := mustOpenShop(t)
	routes := adminRoutes(t, shop.srv)
	shopper := shop.shopperClient()
	anon := shop.newClient()
	merch := shop.staffClient(models.RoleMerchandiser)
	for _, r := range routes {
		t.Run(r.Method+" "+r.Path, func(t *testing.T) {
			// A valid CSRF token, so a 403 comes from the role check.
			if res := shopper.request(r.Method, "/account", r.Path); res.StatusCode != http.StatusForbidden {
				t.Errorf("shopper: status %d, want 403", res.StatusCode)
			}
			res := anon.request(r.Method, "/login", r.Path)
			if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/admin/login") {
				t.Errorf("anonymous: %d to %q, want a redirect to /admin/login", res.StatusCode, res.Header.Get("Location"))
			}
			if strings.HasPrefix(r.Path, "/admin/api-keys") || strings.HasPrefix(r.Path, "/admin/settings") || strings.HasPrefix(r.Path, "/admin/staff") {
				if res := merch.request(r.Method, "/admin/layout", r.Path); res.StatusCode != http.StatusForbidden {
					t.Errorf("merchandiser: status %d, want 403", res.StatusCode)
				}
			}
		})
	}
	t.Run("wrong staff password", func(t *testing.T) {
		res := shop.newClient().post("/admin/login", "/admin/login", url.Values{"email": {"merchandiser@example.com"}, "password": {"nope nope nope"}})
		if res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("status %d, want 401", res.StatusCode)
		}
	})
	t.Run("logout ends the staff session", func(t *testing.T) {
		if res := merch.post("/admin/layout", "/admin/logout", nil); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("logout: %d", res.StatusCode)
		}
		if res, _ := merch.get("/admin/layout"); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("after logout: %d, want a redirect to the login", res.StatusCode)
		}
	})
}

// draft returns the draft slot ids in order and the revision.
func (s *testShop) draft() ([]uint, int) {
	s.t.Helper()
	slots, rev, err := s.db.DraftSlots(context.Background(), models.HomePage)
	must(s.t, err)
	ids := make([]uint, len(slots))
	for i, sl := range slots {
		ids[i] = sl.ID
	}
	return ids, rev
}

func homeOrder(c *client) []string {
	_, doc := c.get("/")
	var ids []string
	doc.Find("section[data-slot-id]").Each(func(_ int, s *goquery.Selection) { ids = append(ids, s.AttrOr("data-slot-id", "")) })
	return ids
}

func idStrings(ids []uint) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = utoa(id)
	}
	return out
}

func TestAdminLayoutEditing(t *testing.T) {
	shop := mustOpenShop(t)
	c := shop.staffClient(models.RoleMerchandiser)
	ids, rev := shop.draft()
	rv := func(r int) string { return strconv.Itoa(r) }

	t.Run("editor lists draft slots with drag handles", func(t *testing.T) {
		_, doc := c.get("/admin/layout")
		if n := doc.Find(`[data-testid="layout-slot"][data-slot-id] [data-testid="drag-handle"]`).Length(); n != len(ids) {
			t.Fatalf("%d slots with handles, want %d", n, len(ids))
		}
		if doc.Find(`script[src^="/static/sortable.min."]`).Length() != 1 {
			t.Fatal("sortable.min.js not loaded")
		}
	})

	t.Run("move down changes the draft order", func(t *testing.T) {
		res := c.post("/admin/layout", "/admin/layout/slots/"+utoa(ids[0])+"/move?dir=down", url.Values{"revision": {rv(rev)}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("status %d", res.StatusCode)
		}
		got, _ := shop.draft()
		want := []uint{ids[1], ids[0], ids[2]}
		if strings.Join(idStrings(got), ",") != strings.Join(idStrings(want), ",") {
			t.Fatalf("order %v, want %v", got, want)
		}
	})

	t.Run("stale revision is a conflict and changes nothing", func(t *testing.T) {
		before, err := shop.db.SlotByID(context.Background(), ids[1])
		must(t, err)
		form := url.Values{"revision": {rv(rev)}, "type": {models.SlotPopular}, "title": {"Overwritten"}, "strategy": {"popular"},
			"size": {"4"}, "audience": {"everyone"}, "enabled": {"true"}}
		res := c.post("/admin/layout", "/admin/layout/slots/"+utoa(ids[1]), form)
		if res.StatusCode != http.StatusConflict {
			t.Fatalf("status %d, want 409", res.StatusCode)
		}
		after, err := shop.db.SlotByID(context.Background(), ids[1])
		must(t, err)
		if after.Title != before.Title {
			t.Fatalf("title changed to %q", after.Title)
		}
		res = c.post("/admin/layout", "/admin/layout/slots/"+utoa(ids[1])+"/move?dir=down", url.Values{"revision": {rv(rev)}})
		if res.StatusCode != http.StatusConflict {
			t.Fatalf("stale move: status %d, want 409", res.StatusCode)
		}
	})

	t.Run("a form posted with a trailing slash is saved, not redirected", func(t *testing.T) {
		// A redirect would turn the POST into a GET and lose the edit.
		_, cur := shop.draft()
		form := url.Values{"revision": {rv(cur)}, "type": {models.SlotPopular}, "title": {"Best sellers this week"}, "strategy": {"popular"},
			"size": {"6"}, "audience": {"everyone"}, "enabled": {"true"}}
		res := c.post("/admin/layout/slots/"+utoa(ids[1])+"/edit", "/admin/layout/slots/"+utoa(ids[1])+"/", form)
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/admin/layout" {
			t.Fatalf("status %d to %q, want 303 to /admin/layout", res.StatusCode, res.Header.Get("Location"))
		}
		sl, err := shop.db.SlotByID(context.Background(), ids[1])
		must(t, err)
		if sl.Title != "Best sellers this week" || sl.Size != 6 {
			t.Fatalf("saved title %q size %d", sl.Title, sl.Size)
		}
		// Pages read with a trailing slash still move to their one address.
		res, err = c.hc.Get(shop.ts.URL + "/admin/layout/")
		must(t, err)
		res.Body.Close()
		if res.StatusCode != http.StatusMovedPermanently || res.Header.Get("Location") != "/admin/layout" {
			t.Fatalf("GET with a slash: %d to %q, want 301 to /admin/layout", res.StatusCode, res.Header.Get("Location"))
		}
	})

	t.Run("the edit form posts to the slot's address", func(t *testing.T) {
		_, doc := c.get("/admin/layout/slots/" + utoa(ids[1]) + "/edit")
		if got := doc.Find(`[data-testid="slot-form"]`).AttrOr("action", ""); got != "/admin/layout/slots/"+utoa(ids[1]) {
			t.Fatalf("edit form action %q", got)
		}
	})

	t.Run("edit with validation errors shows them next to the fields", func(t *testing.T) {
		_, cur := shop.draft()
		form := url.Values{"revision": {rv(cur)}, "type": {"bogus"}, "size": {"99"}, "min_price": {"abc"}, "pins": {"NOPE-1"}, "audience": {"everyone"}}
		_, doc := c.get("/admin/layout/slots/" + utoa(ids[1]) + "/edit")
		form.Set("_csrf", csrf(doc))
		res, err := c.hc.PostForm(shop.ts.URL+"/admin/layout/slots/"+utoa(ids[1]), form)
		must(t, err)
		defer res.Body.Close()
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("status %d, want 422", res.StatusCode)
		}
		doc, err = goquery.NewDocumentFromReader(res.Body)
		must(t, err)
		for _, f := range []string{"type", "size", "price", "pins"} {
			if doc.Find(`[data-testid="`+f+`-error"]`).Length() == 0 {
				t.Errorf("no error shown for %s", f)
			}
		}
	})

	t.Run("add a slot, then drag-and-drop reorder", func(t *testing.T) {
		_, cur := shop.draft()
		form := url.Values{"revision": {rv(cur)}, "type": {models.SlotCollection}, "title": {"Staff picks"}, "strategy": {""},
			"size": {"4"}, "audience": {"everyone"}, "enabled": {"true"}, "pins": {"SKU-3, SKU-1,SKU-3"}, "min_price": {"10.50"},
			"starts_at": {"2020-01-01T09:30"}}
		if res := c.post("/admin/layout", "/admin/layout/slots", form); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("create: status %d", res.StatusCode)
		}
		got, cur := shop.draft()
		if len(got) != 4 {
			t.Fatalf("%d slots after create", len(got))
		}
		sl, err := shop.db.SlotByID(context.Background(), got[3])
		must(t, err)
		if sl.Pins != "SKU-3,SKU-1" || sl.MinPrice != 1050 || sl.StartsAt == nil || sl.StartsAt.Hour() != 9 {
			t.Fatalf("saved %+v", sl)
		}
		order := []uint{got[3], got[0], got[1], got[2]}
		res := c.post("/admin/layout", "/admin/layout/reorder", url.Values{"revision": {rv(cur)}, "ids": {strings.Join(idStrings(order), ",")}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("reorder: status %d", res.StatusCode)
		}
		if now, _ := shop.draft(); strings.Join(idStrings(now), ",") != strings.Join(idStrings(order), ",") {
			t.Fatalf("order %v, want %v", now, order)
		}
	})

	t.Run("product picker finds products", func(t *testing.T) {
		_, doc := c.get("/admin/products/search?q=tent&slot=" + utoa(ids[0]))
		if doc.Find(`[data-testid="picker-hit"][data-sku="SKU-1"] [data-testid="add-to-pins"]`).Length() == 0 {
			t.Fatal("no add-to-pins form for SKU-1")
		}
		req, _ := http.NewRequest(http.MethodGet, shop.ts.URL+"/admin/products/search?q=skillet", nil)
		req.Header.Set("HX-Request", "true")
		res, err := c.hc.Do(req)
		must(t, err)
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if strings.Contains(string(body), "<html") || !strings.Contains(string(body), `data-pick="pins" data-sku="SKU-3"`) {
			t.Fatalf("htmx fragment: %s", body)
		}
	})

	t.Run("disable, remove", func(t *testing.T) {
		now, cur := shop.draft()
		if res := c.post("/admin/layout", "/admin/layout/slots/"+utoa(now[0])+"/toggle", url.Values{"revision": {rv(cur)}, "field": {"enabled"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("toggle: %d", res.StatusCode)
		}
		sl, _ := shop.db.SlotByID(context.Background(), now[0])
		if sl.Enabled {
			t.Fatal("still enabled")
		}
		_, cur = shop.draft()
		if res := c.post("/admin/layout/slots/"+utoa(now[0])+"/delete", "/admin/layout/slots/"+utoa(now[0])+"/delete", url.Values{"revision": {rv(cur)}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("delete: %d", res.StatusCode)
		}
		if _, err := shop.db.SlotByID(context.Background(), now[0]); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("slot still there: %v", err)
		}
	})
}

// sameOrder reports whether the slots shown on the homepage appear in the
// order of want (slots with nothing to show are left out of the page).
func sameOrder(shown, want []string) bool {
	in := map[string]bool{}
	for _, id := range shown {
		in[id] = true
	}
	var w []string
	for _, id := range want {
		if in[id] {
			w = append(w, id)
		}
	}
	return len(shown) >= 2 && strings.Join(w, ",") == strings.Join(shown, ",")
}

func TestAdminPublishAndRollback(t *testing.T) {
	shop := mustOpenShop(t)
	c := shop.staffClient(models.RoleMerchandiser)
	visitor := shop.newClient()
	// Locked slots keep their place for every shopper, so the homepage order
	// is the layout order and does not depend on the recommender.
	must(t, shop.db.W.Model(&models.Slot{}).Where("1 = 1").Update("locked", true).Error)
	_, err := shop.db.PublishDraft(context.Background(), models.HomePage, "test")
	must(t, err)
	ids, rev := shop.draft()
	original := idStrings(ids)
	if got := homeOrder(visitor); !sameOrder(got, original) {
		t.Fatalf("homepage %v, want the order of %v", got, original)
	}
	c.post("/admin/layout", "/admin/layout/slots/"+utoa(ids[1])+"/move?dir=up", url.Values{"revision": {strconv.Itoa(rev)}})
	want := idStrings([]uint{ids[1], ids[0], ids[2]})
	if got := homeOrder(visitor); !sameOrder(got, original) {
		t.Fatalf("draft leaked to the homepage before publishing: %v", got)
	}
	_, rev = shop.draft()
	_, doc := c.get("/admin/preview?as=ada@example.com")
	if !strings.Contains(doc.Find(`[data-testid="preview-banner"]`).Text(), "Ada Shopper (s1)") {
		t.Fatalf("preview banner %q", doc.Find(`[data-testid="preview-banner"]`).Text())
	}
	var preview []string
	doc.Find("section[data-slot-id]").Each(func(_ int, s *goquery.Selection) { preview = append(preview, s.AttrOr("data-slot-id", "")) })
	if !sameOrder(preview, want) {
		t.Fatalf("preview shows %v, want the draft %v", preview, want)
	}
	if res := c.post("/admin/layout", "/admin/layout/publish", url.Values{"revision": {strconv.Itoa(rev)}}); res.Header.Get("Location") != "/admin/layout/publish" {
		t.Fatalf("publishing without the confirmation: %d to %q, want the publish step", res.StatusCode, res.Header.Get("Location"))
	}
	if res := c.post("/admin/layout/publish", "/admin/layout/publish", url.Values{"revision": {strconv.Itoa(rev)}, "confirm": {"yes"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("publish: %d", res.StatusCode)
	}
	if got := homeOrder(visitor); !sameOrder(got, want) {
		t.Fatalf("after publish the homepage shows %v, want the order of %v", got, want)
	}
	vs, _, err := shop.db.Versions(context.Background(), models.HomePage)
	must(t, err)
	first := vs[1] // the all-locked baseline
	_, doc = c.get("/admin/versions")
	if doc.Find(`[data-testid="version"]`).Length() != 3 || doc.Find(`[data-version-id="`+utoa(first.ID)+`"] [data-testid="rollback"]`).Length() != 1 {
		t.Fatal("versions page does not offer a rollback to the first version")
	}
	if res := c.post("/admin/versions", "/admin/versions/"+utoa(first.ID)+"/rollback", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("rollback: %d", res.StatusCode)
	}
	if got := homeOrder(visitor); !sameOrder(got, original) {
		t.Fatalf("after rollback the homepage shows %v, want the order of %v", got, original)
	}
	if now, _ := shop.draft(); strings.Join(idStrings(now), ",") != strings.Join(original, ",") {
		t.Fatalf("rollback left the draft at %v", now)
	}
}

func TestAdminAnalyticsAndCSV(t *testing.T) {
	shop := mustOpenShop(t)
	c := shop.staffClient(models.RoleMerchandiser)
	ids, _ := shop.draft()
	tent := shop.product("SKU-1")
	key := slotKey(ids[1])
	now := time.Now().UTC()
	pid := tent.ID
	must(t, shop.db.InsertEvents(context.Background(), []models.Event{
		{UserKey: "s1", ProductID: &pid, Type: models.EventImpression, Slot: key, Position: 1, CreatedAt: now.Add(-time.Minute)},
		{UserKey: "s1", ProductID: &pid, Type: models.EventClick, Slot: key, Position: 1, CreatedAt: now.Add(-30 * time.Second)},
		{UserKey: "s1", ProductID: &pid, Type: models.EventPurchase, Value: 199.99, CreatedAt: now},
	}))
	today := now.Format(time.DateOnly)
	_, doc := c.get("/admin/analytics")
	row := doc.Find(`[data-testid="analytics-slots"] [data-testid="analytics-row"][data-slot="` + key + `"]`)
	if row.Length() != 1 || strings.TrimSpace(row.Find(`[data-testid="clicks"]`).Text()) != "1" {
		t.Fatalf("no row with 1 click for %s: %q", key, row.Text())
	}
	if !strings.Contains(row.Text(), "Best sellers") || !strings.Contains(row.Text(), "$199.99") || !strings.Contains(row.Text(), "100.0%") {
		t.Fatalf("row %q lacks title, revenue or CTR", row.Text())
	}
	if doc.Find(`svg[data-testid="clicks-chart"] polyline`).Length() != 1 || doc.Find(`svg[data-testid="impressions-chart"] rect`).Length() != 1 {
		t.Fatal("charts not drawn")
	}

	res, err := c.hc.Get(shop.ts.URL + "/admin/analytics.csv?from=" + today + "&to=" + today)
	must(t, err)
	defer res.Body.Close()
	if !strings.Contains(res.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("Content-Disposition %q", res.Header.Get("Content-Disposition"))
	}
	recs, err := csv.NewReader(res.Body).ReadAll()
	must(t, err)
	if len(recs) != 2 || recs[0][0] != "day" || recs[1][0] != today || recs[1][1] != key || recs[1][4] != "1" || recs[1][7] != "199.99" {
		t.Fatalf("csv %v", recs)
	}
	if res, _ := c.get("/admin/analytics?from=2026-13-01"); res.StatusCode != http.StatusOK {
		t.Fatalf("bad date: %d", res.StatusCode)
	}
}

// TestAnalyticsDaysAreTheShops: in a shop whose time zone's date is not
// UTC's right now, analytics' "today" is the shop's date, and a click just
// now is counted on it (it was on UTC's date, a day off).
func TestAnalyticsDaysAreTheShops(t *testing.T) {
	now := time.Now()
	zone := "Pacific/Kiritimati" // UTC+14: another date from 10:00 UTC on
	if now.UTC().Hour() < 10 {
		zone = "Pacific/Pago_Pago" // UTC-11: another date until 11:00 UTC
	}
	loc, err := time.LoadLocation(zone)
	must(t, err)
	shop := mustOpenShop(t)
	admin := shop.staffClient(models.RoleAdmin)
	form := url.Values{"name": {"Storefront"}, "currency": {"USD"}, "number_format": {"1,234.56"},
		"time_zone": {zone}, "contact_email": {"hello@shop.example"}}
	if res := admin.post("/admin/settings", "/admin/settings", form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save settings: %d", res.StatusCode)
	}
	ids, _ := shop.draft()
	key := slotKey(ids[1])
	pid := shop.product("SKU-1").ID
	must(t, shop.db.InsertEvents(context.Background(), []models.Event{
		{UserKey: "s1", ProductID: &pid, Type: models.EventClick, Slot: key, Position: 1, CreatedAt: time.Now().UTC()}}))
	today := time.Now().In(loc).Format(time.DateOnly)
	if today == time.Now().UTC().Format(time.DateOnly) {
		t.Fatalf("%s's date is UTC's (%s): the test needs another", zone, today)
	}
	_, doc := admin.get("/admin/analytics")
	if got := doc.Find(`input[name="to"]`).AttrOr("value", ""); got != today {
		t.Fatalf("analytics ends on %s, want the shop's today %s (%s)", got, today, zone)
	}
	if !strings.Contains(doc.Find(".hint").Text(), zone) {
		t.Fatalf("the page does not say its days are %s's", zone)
	}
	row := doc.Find(`[data-testid="analytics-slots"] [data-testid="analytics-row"][data-slot="` + key + `"]`)
	if strings.TrimSpace(row.Find(`[data-testid="clicks"]`).Text()) != "1" {
		t.Fatalf("the click just now is not counted in the shop's last 14 days: %q", row.Text())
	}
	res, err := admin.hc.Get(shop.ts.URL + "/admin/analytics.csv?from=" + today + "&to=" + today)
	must(t, err)
	defer res.Body.Close()
	recs, err := csv.NewReader(res.Body).ReadAll()
	must(t, err)
	if len(recs) != 2 || recs[1][0] != today || recs[1][4] != "1" {
		t.Fatalf("csv of the shop's today %s: %v", today, recs)
	}
}

func TestAdminCatalogEditAndAudit(t *testing.T) {
	shop := mustOpenShop(t)
	c := shop.staffClient(models.RoleMerchandiser)
	lantern := shop.product("SKU-5")
	_, doc := c.get("/admin/catalog?q=lantern")
	if doc.Find(`[data-testid="catalog-row"]`).Length() != 1 {
		t.Fatal("search did not find exactly the lantern")
	}
	res := c.post("/admin/catalog", "/admin/catalog/"+utoa(lantern.ID), url.Values{"price": {"19.99"}, "stock": {"7"}, "active": {"true"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("status %d", res.StatusCode)
	}
	if p := shop.product("SKU-5"); p.PriceCents != 1999 || p.Stock != 7 || !p.Active {
		t.Fatalf("product now %d cents, stock %d, active %t", p.PriceCents, p.Stock, p.Active)
	}
	if res := c.post("/admin/catalog", "/admin/catalog/"+utoa(lantern.ID), url.Values{"price": {"1.999"}, "stock": {"7"}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("bad price: %d, want 422", res.StatusCode)
	}
	_, doc = c.get("/admin/audit")
	entry := doc.Find(`[data-testid="audit-entry"]`).First().Text()
	if !strings.Contains(entry, "product.update") || !strings.Contains(entry, "SKU-5") || !strings.Contains(entry, "Test merchandiser") {
		t.Fatalf("newest audit entry %q", entry)
	}
}

func TestAdminAPIKeys(t *testing.T) {
	shop := mustOpenShop(t)
	c := shop.staffClient(models.RoleAdmin)
	ctx := context.Background()
	_, doc := c.get("/admin/api-keys")
	form := url.Values{"name": {"Tracker"}, "scope": {"events"}, "_csrf": {csrf(doc)}}
	res, err := c.hc.PostForm(shop.ts.URL+"/admin/api-keys", form)
	must(t, err)
	doc, err = goquery.NewDocumentFromReader(res.Body)
	res.Body.Close()
	must(t, err)
	secret := strings.TrimSpace(doc.Find(`[data-testid="secret"]`).Text())
	if !regexp.MustCompile(`^sf_[A-Za-z0-9_-]{40,}$`).MatchString(secret) {
		t.Fatalf("secret %q", secret)
	}
	k, err := shop.db.APIKeyByToken(ctx, secret)
	must(t, err)
	if k.Scope != "events" || k.Hash == secret || strings.Contains(k.Hash, secret[3:]) {
		t.Fatalf("stored key %+v", k)
	}
	if _, err := shop.db.APIKeyByToken(ctx, secret+"x"); !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("wrong token: %v", err)
	}
	res2, doc := c.get("/admin/api-keys")
	if res2.StatusCode != http.StatusOK || strings.Contains(doc.Text(), secret) || doc.Find(`[data-testid="api-key"]`).Length() != 1 {
		t.Fatal("the list shows the secret again or misses the key")
	}
	if res := c.post("/admin/api-keys", "/admin/api-keys/"+utoa(k.ID)+"/revoke", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoke: %d", res.StatusCode)
	}
	if _, err := shop.db.APIKeyByToken(ctx, secret); !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("revoked key still works: %v", err)
	}
	_, doc = c.get("/admin/audit")
	if !strings.Contains(doc.Text(), "apikey.create") || !strings.Contains(doc.Text(), "apikey.revoke") {
		t.Fatal("key changes not audited")
	}
}

// TestAdminAmountsReadWhatTheImportReads: the catalog form's price and
// regular price and the slot form's price range read an amount as the
// import reads a price (thousands grouped by spaces, no-break spaces,
// apostrophes, points or commas; a decimal point or comma; the shop's
// currency around it), and refuse at the field what the import refuses:
// "1,299" (a thousand, or 1.299?) is neither stored as 1299.00 nor as 1.30.
func TestAdminAmountsReadWhatTheImportReads(t *testing.T) {
	shop := mustOpenShop(t)
	c := shop.staffClient(models.RoleMerchandiser)
	lantern := shop.product("SKU-5")
	save := func(field, v string, price int64) (*http.Response, *goquery.Document) {
		// confirm_price: the big price changes are meant.
		form := url.Values{"price": {"19.99"}, "stock": {"7"}, "active": {"true"}, "confirm_price": {strconv.FormatInt(price, 10)}}
		form.Set(field, v)
		if field == "price" {
			form.Set("compare_at", "")
		}
		return c.postPage("/admin/catalog", "/admin/catalog/"+utoa(lantern.ID), form)
	}
	for _, tt := range []struct {
		field, in string
		want      int64
	}{
		{"price", "1 299,00", 129900},
		{"price", "1\u00a0299,00", 129900},
		{"price", "1\u202f299,50", 129950},
		{"price", "1'299.50", 129950},
		{"price", "1.299,00", 129900},
		{"price", "1,299.00", 129900},
		{"price", "$1,299.00", 129900},
		{"price", "USD 1 299", 129900},
		{"price", "12,5", 1250},
		{"compare_at", "2 499,00", 249900},
	} {
		price := tt.want
		if tt.field != "price" {
			price = 1999
		}
		res, doc := save(tt.field, tt.in, price)
		if res.StatusCode != http.StatusSeeOther || doc.Find(`[data-testid="price-error"], [data-testid="compare_at-error"]`).Length() > 0 {
			t.Errorf("%s %q: status %d, %q", tt.field, tt.in, res.StatusCode, doc.Find(".field-error").Text())
			continue
		}
		p := shop.product("SKU-5")
		if got := map[string]int64{"price": p.PriceCents, "compare_at": p.CompareAtCents}[tt.field]; got != tt.want {
			t.Errorf("%s %q saved as %d cents, want %d", tt.field, tt.in, got, tt.want)
		}
	}
	before := shop.product("SKU-5")
	for _, tt := range []struct{ field, in, says string }{
		{"price", "1,299", `"1,299" is ambiguous: write 1,299.00 if the comma groups thousands, or 1.299,00 if it is a decimal comma.`},
		{"price", "1.299", "three decimals or a point grouping thousands"},
		{"price", "12 34,00", "Cannot parse"},
		{"price", "1 299,00 zł", `"1 299,00 zł" is in PLN, but the shop's prices are in USD`},
		{"price", "-5", "is negative"},
		{"price", "", "Enter a price like 19.99"},
		{"compare_at", "2,499", "ambiguous"},
	} {
		res, doc := save(tt.field, tt.in, 0)
		got := doc.Find(`[data-testid="` + tt.field + `-error"]`).Text()
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(got, tt.says) {
			t.Errorf("%s %q: status %d, field says %q; want 422 saying %q", tt.field, tt.in, res.StatusCode, got, tt.says)
		}
	}
	if p := shop.product("SKU-5"); p.PriceCents != before.PriceCents || p.CompareAtCents != before.CompareAtCents {
		t.Errorf("a refused amount was stored: %d/%d cents, was %d/%d", p.PriceCents, p.CompareAtCents, before.PriceCents, before.CompareAtCents)
	}

	// The slot form's price range reads the same notations.
	_, cur := shop.draft()
	form := url.Values{"revision": {strconv.Itoa(cur)}, "type": {models.SlotCollection}, "title": {"Big tickets"}, "strategy": {""},
		"size": {"4"}, "audience": {"everyone"}, "enabled": {"true"}, "pins": {"SKU-1"}, "min_price": {"1 000,00"}, "max_price": {"$2,500.00"}}
	if res, doc := c.postPage("/admin/layout", "/admin/layout/slots", form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("create slot: status %d, %q", res.StatusCode, doc.Find(".field-error").Text())
	}
	got, cur := shop.draft()
	sl, err := shop.db.SlotByID(context.Background(), got[len(got)-1])
	must(t, err)
	if sl.MinPrice != 100000 || sl.MaxPrice != 250000 {
		t.Fatalf("slot range saved as %d..%d cents, want 100000..250000", sl.MinPrice, sl.MaxPrice)
	}
	form.Set("revision", strconv.Itoa(cur))
	form.Set("max_price", "2,500")
	res, doc := c.postPage("/admin/layout", "/admin/layout/slots", form)
	if says := doc.Find(`[data-testid="price-error"]`).Text(); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(says, "Max: \"2,500\" is ambiguous") {
		t.Fatalf("slot max 2,500: status %d, field says %q", res.StatusCode, says)
	}
}

// TestAdminSearchFindsAccentsUnaccented: the staff catalog and the slot
// form's product picker find "Müller" from "muller", as a merchant types it.
func TestAdminSearchFindsAccentsUnaccented(t *testing.T) {
	shop := mustOpenShop(t)
	c := shop.staffClient(models.RoleMerchandiser)
	var p models.Product
	must(t, shop.db.W.Where("external_id = ?", "SKU-5").First(&p).Error)
	p.Title = "Müller Trail Lantern"
	must(t, shop.db.W.Save(&p).Error)
	for _, q := range []string{"muller", "MÜLLER", "Müller"} {
		_, doc := c.get("/admin/catalog?q=" + url.QueryEscape(q))
		if rows := doc.Find(`[data-testid="catalog-row"]`); rows.Length() != 1 || !strings.Contains(rows.Text(), "SKU-5") {
			t.Errorf("catalog %q: %d rows: %s", q, rows.Length(), rows.Text())
		}
		_, doc = c.get("/admin/products/search?q=" + url.QueryEscape(q))
		if doc.Find(`[data-testid="picker-hit"][data-sku="SKU-5"]`).Length() != 1 {
			t.Errorf("picker %q does not offer SKU-5", q)
		}
	}
}

// TestTheLayoutEditorShowsASlotsBrandsAndPrices: each slot in the editor
// lists its brand and price filters beside its category, so a merchandiser
// reading the page sees why a row is narrow; it showed the category and
// nothing of a "Brightwell, Ltd., Nordvik" row's brands or its $50–$250.
func TestTheLayoutEditorShowsASlotsBrandsAndPrices(t *testing.T) {
	shop := mustOpenShop(t)
	c := shop.staffClient(models.RoleMerchandiser)
	ids, _ := shop.draft()
	must(t, shop.db.W.Model(&models.Slot{}).Where("id = ?", ids[1]).
		Updates(map[string]any{"brands": "Brightwell,, Ltd.,Nordvik", "min_price": 5000, "max_price": 25000}).Error)
	must(t, shop.db.W.Model(&models.Slot{}).Where("id = ?", ids[2]).Updates(map[string]any{"min_price": 1999}).Error)
	_, doc := c.get("/admin/layout")
	slot := func(id uint) *goquery.Selection {
		return doc.Find(`[data-testid="layout-slot"][data-slot-id="` + utoa(id) + `"]`)
	}
	if got := strings.TrimSpace(slot(ids[1]).Find(`[data-testid="slot-brands"]`).Text()); got != "Brightwell, Ltd., Nordvik" {
		t.Errorf("brands %q", got)
	}
	if got := strings.Join(strings.Fields(slot(ids[1]).Find(`[data-testid="slot-price"]`).Text()), " "); got != "$50.00 – $250.00" {
		t.Errorf("price %q", got)
	}
	if got := strings.Join(strings.Fields(slot(ids[2]).Find(`[data-testid="slot-price"]`).Text()), " "); got != "from $19.99" {
		t.Errorf("price from %q", got)
	}
	if n := slot(ids[0]).Find(`[data-testid="slot-price"], [data-testid="slot-brands"]`).Length(); n != 0 {
		t.Errorf("a slot without filters lists %d of them", n)
	}
}
