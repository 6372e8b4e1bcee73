package web

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"storefront/models"
	"storefront/payment"
	"storefront/seed"
)

// fakeProvider stands for a real payment provider: it moves (pretend) money
// and is not simulated.
type fakeProvider struct{}

func (fakeProvider) Name() string    { return "Test Pay" }
func (fakeProvider) Simulated() bool { return false }
func (fakeProvider) Authorize(_ context.Context, c payment.Charge) (payment.Authorization, error) {
	return payment.Authorization{ID: "test_" + c.IdempotencyKey, AmountCents: c.AmountCents}, nil
}
func (fakeProvider) Capture(context.Context, payment.Authorization) error { return nil }
func (fakeProvider) Void(context.Context, payment.Authorization) error    { return nil }

// startShop serves db behind the real router, for tests that need a shop
// other than mustOpenShop's.
func startShop(tb testing.TB, db *models.DB) *testShop {
	tb.Helper()
	return startShopWith(tb, db, nil)
}

// startShopWith is startShop with a payment provider (nil: simulated).
func startShopWith(tb testing.TB, db *models.DB, pay payment.Provider) *testShop {
	tb.Helper()
	return startShopConfig(tb, db, Config{Payments: pay})
}

// startShopConfig is startShop with cfg's settings; its address and logger
// are the test's.
func startShopConfig(tb testing.TB, db *models.DB, cfg Config) *testShop {
	tb.Helper()
	cfg.Addr, cfg.Logger = "127.0.0.1:0", slog.New(slog.NewTextHandler(io.Discard, nil))
	// Every visitor is personalized: the control group (5 % by default) is
	// tested on its own, and random visitor ids would put some tests' visitors in it.
	must(tb, db.SetSetting(context.Background(), "", models.SettingControlPercent, "0"))
	srv, err := New(context.Background(), cfg, db)
	must(tb, err)
	ts := httptest.NewServer(srv.Handler())
	tb.Cleanup(func() {
		ts.Close()
		srv.Close(context.Background())
	})
	return &testShop{t: tb, db: db, srv: srv, ts: ts}
}

// mustOpenBareDB is a shop's database with a catalog and nothing else: no
// layout, no staff, no settings, as after a first import.
func mustOpenBareDB(tb testing.TB) *models.DB {
	tb.Helper()
	db, done, err := models.OpenScratch(tb.TempDir(), "bare.db")
	must(tb, err)
	tb.Cleanup(done)
	for ci, name := range []string{"Garden", "Kitchen", "Toys"} {
		c := models.Category{Slug: models.Slugify(name), Name: name}
		must(tb, db.W.Create(&c).Error)
		for i := range 12 - 3*ci {
			p := models.Product{ExternalID: fmt.Sprintf("%s-%d", c.Slug, i), Slug: fmt.Sprintf("%s-item-%d", c.Slug, i),
				Title: fmt.Sprintf("%s item %d", name, i), Brand: "Acme", CategoryID: c.ID, PriceCents: int64(1000 + i),
				Stock: 10, Active: true, Popularity: float64(i)}
			must(tb, db.W.Create(&p).Error)
		}
	}
	return db
}

func TestImportedShopGetsDefaultHomepage(t *testing.T) {
	shop := startShop(t, mustOpenBareDB(t))
	res, doc := shop.newClient().get("/")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET / = %d", res.StatusCode)
	}
	slots := doc.Find("section[data-slot-id]")
	if slots.Length() < 4 {
		t.Fatalf("homepage shows %d slots, want the default rows filled from the catalog", slots.Length())
	}
	if doc.Find(`section[data-slot-type="hero"] a[href="/c/garden"]`).Length() == 0 {
		t.Error("the hero does not lead to the largest department, /c/garden")
	}
	if n := doc.Find("[data-product-id]").Length(); n < 8 {
		t.Errorf("homepage shows %d products, want full rows", n)
	}
	_, v, err := shop.db.PublishedLayout(context.Background(), models.HomePage)
	must(t, err)
	if v == nil || v.Author != models.SystemActor || v.Number != 1 {
		t.Fatalf("published version %+v, want version 1 by system", v)
	}
}

func TestFirstRunSetup(t *testing.T) {
	db := mustOpenBareDB(t)
	shop := startShop(t, db)
	ctx := context.Background()
	token, err := db.CreateSetupToken(ctx)
	must(t, err)
	if token == "" {
		t.Fatal("no setup token for a shop without staff")
	}
	browser := shop.newClient()
	if res, _ := browser.get("/admin/setup?token=wrong"); res.StatusCode != http.StatusNotFound {
		t.Fatalf("wrong token: %d, want 404", res.StatusCode)
	}
	page := "/admin/setup?token=" + token
	if res, doc := browser.get(page); res.StatusCode != http.StatusOK || doc.Find(`[data-testid="setup-form"]`).Length() != 1 {
		t.Fatalf("setup page: %d", res.StatusCode)
	}
	form := url.Values{"token": {token}, "shop_name": {"Hazel & Oak"}, "name": {"Hazel"}, "email": {"hazel@example.com"}, "password": {"password123"}}
	if res := browser.post(page, "/admin/setup", form); res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("common password: %d, want 422", res.StatusCode)
	}
	form.Set("token", "wrong")
	form.Set("password", "a sturdy first password")
	if res := browser.post(page, "/admin/setup", form); res.StatusCode != http.StatusNotFound {
		t.Fatalf("good form, wrong token: %d, want 404", res.StatusCode)
	}
	// Wrong tokens, from anyone, neither spend the form's attempts nor
	// hash a password: they kept the owner's setup at 429.
	for i := 0; i < 25; i++ {
		if res := browser.post(page, "/admin/setup", form); res.StatusCode != http.StatusNotFound {
			t.Fatalf("wrong token, attempt %d: %d, want 404", i+1, res.StatusCode)
		}
	}
	form.Set("token", token)
	res := browser.post(page, "/admin/setup", form)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/admin/settings" {
		t.Fatalf("setup: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	if res, doc := browser.get("/admin/settings"); res.StatusCode != http.StatusOK || doc.Find(`input[name="name"]`).AttrOr("value", "") != "Hazel & Oak" {
		t.Fatalf("the new admin is not logged in to the settings (%d) or the shop is not named", res.StatusCode)
	}
	// The page is gone, and the token cannot be used again.
	other := shop.newClient()
	if res, _ := other.get(page); res.StatusCode != http.StatusNotFound {
		t.Errorf("setup page after setup: %d, want 404", res.StatusCode)
	}
	form.Set("email", "mallory@example.com")
	form.Del("_csrf") // post filled in the first browser's token
	if res := other.post("/register", "/admin/setup", form); res.StatusCode != http.StatusNotFound {
		t.Errorf("reused token: %d, want 404", res.StatusCode)
	}
	if tok, err := db.CreateSetupToken(ctx); err != nil || tok != "" {
		t.Errorf("a shop with an admin got a setup token %q (%v)", tok, err)
	}
	list, err := db.StaffList(ctx)
	must(t, err)
	if len(list) != 1 || list[0].Email != "hazel@example.com" || list[0].Role != models.RoleAdmin {
		t.Fatalf("staff after setup: %+v", list)
	}
}

func TestShopSettingsShowOnEveryPage(t *testing.T) {
	shop := mustOpenShop(t)
	admin := shop.staffClient(models.RoleAdmin)
	form := url.Values{"name": {"Hazel & Oak"}, "currency": {"EUR"}, "number_format": {"1.234,56"}, "symbol_after": {"1"},
		"time_zone": {"Mars/Olympus"}, "contact_email": {"hello@hazel.example"}, "footer_text": {"Family-run since 1962."},
		"shipping_text": {"We ship within two days."}, "returns_text": {"Return anything within 30 days."}}
	res := admin.post("/admin/settings", "/admin/settings", form)
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("unknown time zone: %d, want 422", res.StatusCode)
	}
	form.Set("time_zone", "Europe/Berlin")
	if res := admin.post("/admin/settings", "/admin/settings", form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save settings: %d", res.StatusCode)
	}
	visitor := shop.newClient()
	skillet := productPath(shop.product("SKU-3"))
	for _, path := range []string{"/", "/c/kitchen", skillet, "/search?q=tent", "/cart", "/login", "/shipping-returns"} {
		res, doc := visitor.get(path)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d", path, res.StatusCode)
		}
		if got := doc.Find(`[data-testid="shop-name"]`).Text(); got != "Hazel & Oak" {
			t.Errorf("%s: header names the shop %q", path, got)
		}
		if title := doc.Find("title").Text(); !strings.Contains(title, "Hazel & Oak") || strings.Contains(title, "Storefront") {
			t.Errorf("%s: title %q", path, title)
		}
		if got := doc.Find(`[data-testid="footer-text"]`).Text(); got != "Family-run since 1962." {
			t.Errorf("%s: footer text %q", path, got)
		}
		if !strings.Contains(doc.Find(`[data-testid="demo-notice"]`).Text(), "Payments are simulated") {
			t.Errorf("%s: no simulated-payments notice while the simulated provider is active", path)
		}
	}
	_, doc := visitor.get(skillet)
	if got := doc.Find(`[data-testid="product-price"]`).Text(); got != "39,99 €" {
		t.Errorf("price shows as %q, want 39,99 €", got)
	}
	_, doc = visitor.get("/shipping-returns")
	if !strings.Contains(doc.Text(), "Return anything within 30 days.") {
		t.Error("the returns text is not on the shipping and returns page")
	}
	_, doc = admin.get("/admin/layout")
	if !strings.Contains(doc.Find("title").Text(), "Hazel & Oak") {
		t.Errorf("admin title %q", doc.Find("title").Text())
	}
	st, err := shop.db.ShopSettings(context.Background())
	must(t, err)
	if st.Location().String() != "Europe/Berlin" {
		t.Errorf("time zone %v", st.Location())
	}
	logs, _, err := shop.db.AuditLogs(context.Background(), 1, 10)
	must(t, err)
	if len(logs) == 0 || logs[0].Action != "settings.shop" {
		t.Errorf("settings change not audited: %+v", logs)
	}
}

func TestDemoNoticeOnlyInDemoWorldOrWithSimulatedPayments(t *testing.T) {
	shop := mustOpenShop(t)
	must(t, shop.db.MarkDemoWorld(context.Background()))
	shop.srv.shopChanged()
	_, doc := shop.newClient().get("/")
	if got := doc.Find(`[data-testid="demo-notice"]`).Text(); !strings.Contains(got, "demo shop") {
		t.Errorf("demo world notice %q", got)
	}

	real := startShopWith(t, mustOpenBareDB(t), fakeProvider{})
	_, doc = real.newClient().get("/")
	if n := doc.Find(`[data-testid="demo-notice"]`).Length(); n != 0 {
		t.Errorf("a shop with a real payment provider shows the demo notice: %q", doc.Find(`[data-testid="demo-notice"]`).Text())
	}
}

func TestStaffManagement(t *testing.T) {
	shop := mustOpenShop(t)
	admin := shop.staffClient(models.RoleAdmin)
	ctx := context.Background()

	res := admin.post("/admin/staff", "/admin/staff", url.Values{"email": {"new-merch@example.com"}, "name": {"Nia"}, "role": {models.RoleMerchandiser}})
	if res.StatusCode != http.StatusOK {
		t.Fatalf("add staff: %d", res.StatusCode)
	}
	// post() discards the body; the password is shown once, so read it from a direct submit.
	_, page := admin.get("/admin/staff")
	token := csrf(page)
	pwRes, err := admin.hc.PostForm(shop.ts.URL+"/admin/staff", url.Values{"_csrf": {token}, "email": {"second@example.com"}, "role": {models.RoleMerchandiser}})
	must(t, err)
	doc, err := goquery.NewDocumentFromReader(pwRes.Body)
	pwRes.Body.Close()
	must(t, err)
	pw := doc.Find(`[data-testid="password"]`).Text()
	if len(pw) < 16 {
		t.Fatalf("no generated password shown (%q)", pw)
	}
	merch := shop.newClient()
	if res := merch.post("/admin/login", "/admin/login", url.Values{"email": {"second@example.com"}, "password": {pw}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("the shown password does not log in: %d", res.StatusCode)
	}
	if res, _ := merch.get("/admin/staff"); res.StatusCode != http.StatusForbidden {
		t.Errorf("a merchandiser opened staff management: %d", res.StatusCode)
	}
	second, err := shop.db.StaffByEmail(ctx, "second@example.com")
	must(t, err)
	id := strconv.FormatUint(uint64(second.ID), 10)
	if res := admin.post("/admin/staff", "/admin/staff/"+id+"/active", url.Values{"active": {"0"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("deactivate: %d", res.StatusCode)
	}
	if res, _ := merch.get("/admin/layout"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("a deactivated merchandiser's session still opens the admin: %d", res.StatusCode)
	}
	if res := admin.post("/admin/staff", "/admin/staff/"+id+"/role", url.Values{"role": {models.RoleAdmin}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("change role: %d", res.StatusCode)
	}
	// The only active admin cannot step down or be deactivated.
	me, err := shop.db.StaffByEmail(ctx, "admin@example.com")
	must(t, err)
	myID := strconv.FormatUint(uint64(me.ID), 10)
	if res := admin.post("/admin/staff", "/admin/staff/"+myID+"/role", url.Values{"role": {models.RoleMerchandiser}}); res.StatusCode != http.StatusConflict {
		t.Errorf("demoting the last active admin: %d, want 409", res.StatusCode)
	}
	if res := admin.post("/admin/staff", "/admin/staff/"+myID+"/active", url.Values{"active": {"0"}}); res.StatusCode != http.StatusConflict {
		t.Errorf("deactivating the last active admin: %d, want 409", res.StatusCode)
	}
	if res := admin.post("/admin/staff", "/admin/staff/"+id+"/remove", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("remove: %d", res.StatusCode)
	}
	if _, err := shop.db.StaffByEmail(ctx, "second@example.com"); err == nil {
		t.Error("the removed account is still there")
	}
	if res := admin.post("/admin/staff", "/admin/staff", url.Values{"email": {"new-merch@example.com"}, "role": {"owner"}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("duplicate email and unknown role: %d, want 422", res.StatusCode)
	}
}

// upload posts files as a multipart form with the CSRF token of from.
func (c *client) upload(from, path string, fields map[string]string, files map[string][2]string) (*http.Response, *goquery.Document) {
	c.shop.t.Helper()
	_, page := c.get(from)
	var body strings.Builder
	w := multipart.NewWriter(&body)
	must(c.shop.t, w.WriteField("_csrf", csrf(page)))
	for k, v := range fields {
		must(c.shop.t, w.WriteField(k, v))
	}
	for field, f := range files {
		fw, err := w.CreateFormFile(field, f[0])
		must(c.shop.t, err)
		_, err = io.WriteString(fw, f[1])
		must(c.shop.t, err)
	}
	must(c.shop.t, w.Close())
	req, err := http.NewRequest(http.MethodPost, c.shop.ts.URL+path, strings.NewReader(body.String()))
	must(c.shop.t, err)
	req.Header.Set("Content-Type", w.FormDataContentType())
	res, err := c.hc.Do(req)
	must(c.shop.t, err)
	defer res.Body.Close()
	doc, err := goquery.NewDocumentFromReader(res.Body)
	must(c.shop.t, err)
	return res, doc
}

// TestAnImportOfDeletedProductsEventsSaysWhatToDo: an events export still
// holds the history of products the shop deleted, which its catalog export
// leaves out. The upload is refused with the first hundred rows, one line
// beside them says how many rows name how many such products and what to
// do, and the count of rows listed is not thrown off by that line.
func TestAnImportOfDeletedProductsEventsSaysWhatToDo(t *testing.T) {
	shop := mustOpenShop(t)
	admin := shop.staffClient(models.RoleAdmin)
	var events strings.Builder
	events.WriteString("user_id,product_id,type,timestamp\n")
	for i := 0; i < 150; i++ {
		fmt.Fprintf(&events, "g%d,DELETED-%d,view,2026-05-01T10:00:00Z\n", i, i%30)
	}
	res, doc := admin.upload("/admin/import", "/admin/import", nil, map[string][2]string{"events": {"export.csv", events.String()}})
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("upload: %d, want 422", res.StatusCode)
	}
	summary := strings.Join(strings.Fields(doc.Find(`[data-testid="import-problems-summary"]`).Text()), " ")
	if !strings.HasPrefix(summary, "150 problems found") || !strings.Contains(summary, "The first 100 are listed.") {
		t.Errorf("summary: %q", summary)
	}
	rows := doc.Find(`[data-testid="import-problem"]`)
	second := strings.Join(strings.Fields(rows.Eq(1).Text()), " ")
	if rows.Length() != 101 || !strings.Contains(second, "150 rows name 30 product ids in neither the products file nor the shop") ||
		!strings.Contains(second, "add them to the products file with active false") {
		t.Errorf("%d rows listed, the second %q", rows.Length(), second)
	}
}

func TestAdminCatalogImport(t *testing.T) {
	shop := mustOpenShop(t)
	admin := shop.staffClient(models.RoleAdmin)
	ctx := context.Background()
	products := "id,title,description,category,brand,price,stock,created_at\n" +
		"NEW-1,Garden Hose,,Garden > Watering,Flow,24.50,7,\n" +
		"SKU-1,Alpine Trail Tent,,Outdoor > Tents,Summit,189.00,3,\n" +
		"NEW-2,Bad Price,,Garden,Flow,twelve,1,\n"
	events := "user_id,product_id,type,timestamp\n" +
		"g1,NEW-1,view,2026-05-01T10:00:00Z\n" +
		"g1,NOPE,view,2026-05-01T10:01:00Z\n"

	res, doc := admin.upload("/admin/import", "/admin/import", nil, map[string][2]string{"products": {"my-products.csv", products}, "events": {"my-events.csv", events}})
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("upload with bad rows: %d, want 422", res.StatusCode)
	}
	var got []string
	doc.Find(`[data-testid="import-problem"]`).Each(func(_ int, s *goquery.Selection) {
		got = append(got, strings.Join(s.Find("td").Map(func(_ int, td *goquery.Selection) string { return td.Text() }), " "))
	})
	if len(got) != 2 || !strings.HasPrefix(got[0], "my-products.csv 4 price") || !strings.HasPrefix(got[1], "my-events.csv 3 product_id") {
		t.Fatalf("problems shown: %q", got)
	}
	if doc.Find(`[data-testid="apply-import"]`).Length() != 0 {
		t.Error("an import with problems offers to apply it")
	}
	if doc.Find(`[data-testid="import-products"] tbody tr`).Length() != 2 {
		t.Error("the preview does not show the good product rows")
	}
	if _, err := shop.db.ProductByExternalID(ctx, "NEW-1"); err == nil {
		t.Fatal("the preview wrote a product")
	}

	// Fixed files, as the full catalog: everything else is deactivated.
	products = strings.Replace(products, "twelve", "12.00", 1)
	events = strings.Replace(events, "NOPE", "SKU-1", 1)
	res, doc = admin.upload("/admin/import", "/admin/import", map[string]string{"deactivate_missing": "1"},
		map[string][2]string{"products": {"my-products.csv", products}, "events": {"my-events.csv", events}})
	if res.StatusCode != http.StatusOK {
		t.Fatalf("good upload: %d", res.StatusCode)
	}
	if counts := doc.Find(`[data-testid="import-counts"]`).Text(); !strings.Contains(counts, "3 products (2 new, 1 updated)") || !strings.Contains(counts, "24 products not in the file will be deactivated") {
		t.Fatalf("preview counts: %q", strings.Join(strings.Fields(counts), " "))
	}
	action, ok := doc.Find(`[data-testid="import-job"] form`).Attr("action")
	if !ok {
		t.Fatal("no apply form")
	}
	res = admin.post("/admin/import", action, nil)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("apply: %d", res.StatusCode)
	}
	doc = admin.importDone(res.Header.Get("Location"))
	if !strings.Contains(doc.Find(`[data-testid="import-result"]`).Text(), "2 products created, 1 updated, 24 deactivated") {
		t.Errorf("result: %q", doc.Find(`[data-testid="import-result"]`).Text())
	}
	// Done: what happened, not what will.
	if counts := strings.Join(strings.Fields(doc.Find(`[data-testid="import-counts"]`).Text()), " "); !strings.Contains(counts, "24 products not in the file were deactivated") {
		t.Errorf("counts after the import: %q", counts)
	}
	if res = admin.post("/admin/import", action, nil); res.StatusCode != http.StatusConflict {
		t.Errorf("applying twice: %d, want 409", res.StatusCode)
	}
	hose, err := shop.db.ProductByExternalID(ctx, "NEW-1")
	must(t, err)
	if hose.PriceCents != 2450 || !hose.Active {
		t.Errorf("imported product %+v", hose)
	}
	if p := shop.product("SKU-3"); p.Active {
		t.Error("a product missing from the full catalog stayed active")
	}

	// The export is in the import's format and can be imported again.
	res, err = admin.hc.Get(shop.ts.URL + "/admin/catalog.csv")
	must(t, err)
	rows, err := csv.NewReader(res.Body).ReadAll()
	res.Body.Close()
	must(t, err)
	if strings.Join(rows[0][:8], ",") != "id,title,description,category,brand,price,stock,created_at" || len(rows) != 28 {
		t.Fatalf("export header %v, %d rows", rows[0], len(rows))
	}
	found := false
	for _, r := range rows {
		if r[0] == "NEW-1" {
			found = r[3] == "Garden > Watering" && r[5] == "24.50" && r[6] == "7"
		}
	}
	if !found {
		t.Error("the export does not list the imported product as imported")
	}
	logs, _, err := shop.db.AuditLogs(ctx, 1, 5)
	must(t, err)
	if len(logs) == 0 || logs[0].Action != "catalog.import" || !strings.HasPrefix(logs[0].Detail, "2 products created, 1 updated, 24 deactivated, ") {
		t.Errorf("import not audited: %+v", logs)
	}
}

// TestTheImportsAuditEntryCountsOneAsOne: the audit log said "1 products
// created" and "1 events" of an import that brought one of each; it says
// "1 product created" and "1 event", as the command line's import line.
func TestTheImportsAuditEntryCountsOneAsOne(t *testing.T) {
	got := importAuditDetail(&seed.ImportSummary{ProductsCreated: 1, ProductsUpdated: 43, Events: 1})
	if got != "1 product created, 43 updated, 0 deactivated, 1 event" {
		t.Errorf("audit detail %q", got)
	}
	if got := importAuditDetail(&seed.ImportSummary{ProductsCreated: 2, Events: 3}); got != "2 products created, 0 updated, 0 deactivated, 3 events" {
		t.Errorf("audit detail %q", got)
	}
}

// recordingProvider is a payment provider that remembers what the checkout
// asked of it; short authorizes one cent less than asked, and authorizing
// runs while it authorizes (another buyer taking the last one meanwhile).
type recordingProvider struct {
	mu                           sync.Mutex
	short                        bool
	authorizing                  func()
	authorized, captured, voided []string
}

func (*recordingProvider) Name() string    { return "Recording Pay" }
func (*recordingProvider) Simulated() bool { return false }
func (p *recordingProvider) Authorize(_ context.Context, c payment.Charge) (payment.Authorization, error) {
	if p.authorizing != nil {
		p.authorizing()
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.authorized = append(p.authorized, c.IdempotencyKey)
	amount := c.AmountCents
	if p.short {
		amount--
	}
	return payment.Authorization{ID: "rec_" + c.IdempotencyKey, AmountCents: amount}, nil
}
func (p *recordingProvider) Capture(_ context.Context, a payment.Authorization) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.captured = append(p.captured, a.ID)
	return nil
}
func (p *recordingProvider) Void(_ context.Context, a payment.Authorization) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.voided = append(p.voided, a.ID)
	return nil
}

func TestCheckoutPaysThroughTheProvider(t *testing.T) {
	base := mustOpenShop(t)
	pay := &recordingProvider{}
	shop := startShopWith(t, base.db, pay)
	ctx := context.Background()
	c := shop.shopperClient()
	tent := shop.product("SKU-1")
	address := func(key string) url.Values {
		return url.Values{"idempotency_key": {key}, "cart_digest": {c.shownCart()}, "name": {"Ada Shopper"}, "email": {"ada@example.com"},
			"street": {"1 Main St"}, "city": {"Leeds"}, "postcode": {"LS1 4AP"}, "country": {"GB"}}
	}
	addTent := func() {
		c.post(productPath(tent), "/cart/add", url.Values{"product_id": {utoa(tent.ID)}, "quantity": {"1"}})
	}

	addTent()
	_, doc := c.get("/checkout")
	if doc.Find(`[data-testid="payment-provider"]`).Length() != 1 || doc.Find(`[data-testid="simulated-payment"]`).Length() != 0 {
		t.Error("the checkout does not name the real provider")
	}
	res := c.post("/checkout", "/checkout", address("order-key-0000000001"))
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("checkout: %d", res.StatusCode)
	}
	orders, err := shop.db.OrdersOf(ctx, shopperIDOf(t, shop, "ada@example.com"))
	must(t, err)
	if len(orders) != 1 || orders[0].PaymentRef != "rec_order-key-0000000001" {
		t.Fatalf("orders %+v, want one with the provider's reference", orders)
	}
	// The same form again: the first order, nothing captured twice.
	c.post("/checkout", "/checkout", address("order-key-0000000001"))
	if len(pay.captured) != 1 || len(pay.voided) != 0 {
		t.Fatalf("captured %v, voided %v after one order submitted twice", pay.captured, pay.voided)
	}

	// Sold out while the payment was authorized: voided, no order.
	addTent()
	pay.authorizing = func() {
		must(t, shop.db.W.Model(&models.Product{}).Where("id = ?", tent.ID).Update("stock", 0).Error)
	}
	if res := c.post("/checkout", "/checkout", address("order-key-0000000002")); res.StatusCode != http.StatusConflict {
		t.Fatalf("out of stock: %d, want 409", res.StatusCode)
	}
	if len(pay.voided) != 1 || pay.voided[0] != "rec_order-key-0000000002" {
		t.Fatalf("voided %v, want the out-of-stock authorization", pay.voided)
	}

	// An authorization for another amount than the order's: voided, no order.
	pay.authorizing = nil
	must(t, shop.db.W.Model(&models.Product{}).Where("id = ?", tent.ID).Update("stock", 5).Error)
	pay.short = true
	if res := c.post("/checkout", "/checkout", address("order-key-0000000003")); res.StatusCode != http.StatusConflict {
		t.Fatalf("total changed: %d, want 409", res.StatusCode)
	}
	if len(pay.voided) != 2 || len(pay.captured) != 1 {
		t.Fatalf("captured %v, voided %v", pay.captured, pay.voided)
	}
	if orders, _ := shop.db.OrdersOf(ctx, shopperIDOf(t, shop, "ada@example.com")); len(orders) != 1 {
		t.Fatalf("%d orders, want only the first", len(orders))
	}
}

func shopperIDOf(t *testing.T, shop *testShop, email string) uint {
	t.Helper()
	sh, err := shop.db.FindShopper(context.Background(), email)
	must(t, err)
	return sh.ID
}
