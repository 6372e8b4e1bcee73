package web

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"storefront/models"
)

// Several instances of the shop on one database, as behind a load
// balancer: each has its own connection pool, caches and event writer, as
// a separate process would. On PostgreSQL (STOREFRONT_TEST_DB) this is the
// deployment docs/scaling.md describes; on SQLite the same checks hold for
// processes sharing one file.

// secondInstance serves shop's database from a second server.
func secondInstance(t *testing.T, shop *testShop) *testShop {
	t.Helper()
	db, err := models.Open(shop.db.Target())
	must(t, err)
	t.Cleanup(func() { db.Close() })
	return startShop(t, db)
}

// instancePolling serves shop's database from a second server that polls
// the database every poll (0: the default on PostgreSQL), as another
// process would.
func instancePolling(t *testing.T, shop *testShop, poll time.Duration) *testShop {
	t.Helper()
	db, err := models.Open(shop.db.Target())
	must(t, err)
	t.Cleanup(func() { db.Close() })
	srv, err := New(context.Background(), Config{Addr: "127.0.0.1:0", Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Poll: poll}, db)
	must(t, err)
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		ts.Close()
		srv.Close(context.Background())
	})
	srv.Start()
	return &testShop{t: t, db: db, srv: srv, ts: ts}
}

// withRecentlyViewedFirst opens a trained shop whose published homepage
// starts with a "Recently viewed" row.
func withRecentlyViewedFirst(t *testing.T) *testShop {
	t.Helper()
	a := mustOpenShop(t)
	ctx := context.Background()
	page, err := a.db.PageByKey(ctx, models.HomePage)
	must(t, err)
	must(t, a.db.W.Create(&models.Slot{PageID: page.ID, Position: 1, Type: models.SlotRecentlyViewed, Title: "Recently viewed",
		Enabled: true, Size: 4, Audience: "everyone"}).Error)
	_, err = a.db.PublishDraft(ctx, models.HomePage, "test")
	must(t, err)
	trainShop(t, a)
	return a
}

// on is the same browser (cookie jar, so the same session) talking to
// another instance.
func (c *client) on(s *testShop) *client { return &client{shop: s, hc: c.hc} }

func TestLayoutPublishedOnOneInstanceIsLiveOnTheOther(t *testing.T) {
	a := mustOpenShop(t)
	b := secondInstance(t, a)
	visitor := b.newClient()
	if _, doc := visitor.get("/"); doc.Find("section[data-slot-id]").Length() == 0 {
		t.Fatal("instance B shows no slots")
	}
	// B has the layout cached. A merchandiser renames a row on A and publishes.
	merch := a.staffClient(models.RoleMerchandiser)
	ids, _ := a.draft()
	must(t, a.db.W.Model(&models.Slot{}).Where("id = ?", ids[1]).Update("title", "Picked on instance A").Error)
	_, rev := a.draft()
	if res := merch.post("/admin/layout", "/admin/layout/publish", url.Values{"revision": {strconv.Itoa(rev)}, "confirm": {"yes"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("publish on A: %d", res.StatusCode)
	}
	if _, doc := a.newClient().get("/"); !strings.Contains(doc.Text(), "Picked on instance A") {
		t.Fatal("A does not show its own publish")
	}
	start := time.Now()
	for {
		_, doc := visitor.get("/")
		if strings.Contains(doc.Text(), "Picked on instance A") {
			t.Logf("live on B after %s", time.Since(start).Round(time.Millisecond))
			return
		}
		if time.Since(start) > 10*time.Second {
			t.Fatal("the layout published on A is not live on B after 10s")
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// TestConcurrentBuyersAcrossInstancesNeverOversell: 50 shoppers, half on
// each instance, check out the last 10 of a product at the same moment.
// None gets an error page: each gets an order, "sold out", or on a loaded
// machine "busy, place it again" with a new form, which they send again.
func TestConcurrentBuyersAcrossInstancesNeverOversell(t *testing.T) {
	a := mustOpenShop(t)
	b := secondInstance(t, a)
	for _, s := range []*testShop{a, b} {
		s.srv.limiter.perIP.burst = 100 // fifty logins from one address are the test, not an attack
	}
	tent := a.product("SKU-1")
	must(t, a.db.W.Model(&models.Product{}).Where("id = ?", tent.ID).Update("stock", 10).Error)
	hash, err := models.HashPassword(testPassword)
	must(t, err)
	const buyers = 50
	type checkout struct {
		c    *client
		form url.Values
	}
	var ready []checkout
	for i := range buyers {
		email := fmt.Sprintf("buyer%02d@example.com", i)
		must(t, a.db.W.Create(&models.Shopper{ExternalID: fmt.Sprintf("b%02d", i), Email: &email, Name: "Buyer", PasswordHash: hash}).Error)
		inst := []*testShop{a, b}[i%2]
		c := inst.newClient()
		if res := c.post("/login", "/login", url.Values{"email": {email}, "password": {testPassword}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("buyer %d login on instance %d: %d", i, i%2, res.StatusCode)
		}
		if res := c.post(productPath(tent), "/cart/add", url.Values{"product_id": {utoa(tent.ID)}, "quantity": {"1"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("buyer %d add to cart: %d", i, res.StatusCode)
		}
		_, doc := c.get("/checkout")
		key, _ := doc.Find(`input[name="idempotency_key"]`).Attr("value")
		ready = append(ready, checkout{c, url.Values{"_csrf": {csrf(doc)}, "idempotency_key": {key}, "cart_digest": {cartDigestIn(doc)}, "name": {"Buyer"},
			"email": {email}, "street": {"1 Main St"}, "city": {"Springfield"}, "postcode": {"12345"}, "country": {"USA"}}})
	}
	// The last buyer also submits the same checkout to the other instance
	// at the same time (a double click through the load balancer).
	last := ready[buyers-1]
	other := []*testShop{a, b}[buyers%2]
	ready = append(ready, checkout{last.c.on(other), last.form})

	var wg sync.WaitGroup
	statuses := make([]int, len(ready))
	locations := make([]string, len(ready))
	errs := make([]error, len(ready))
	var retried atomic.Int32
	startGate := make(chan struct{})
	for i, co := range ready {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-startGate
			form := co.form
			// A buyer told "busy, place it again" (503 with the checkout
			// form, nothing ordered) does so, as a shopper would.
			for try := 1; ; try++ {
				req, _ := http.NewRequest(http.MethodPost, co.c.shop.ts.URL+"/checkout", strings.NewReader(form.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				res, err := co.c.hc.Do(req)
				if err != nil {
					errs[i] = err
					return
				}
				doc, err := goquery.NewDocumentFromReader(res.Body)
				res.Body.Close()
				statuses[i], locations[i] = res.StatusCode, res.Header.Get("Location")
				key, _ := doc.Find(`input[name="idempotency_key"]`).Attr("value")
				if err != nil || res.StatusCode != http.StatusServiceUnavailable || key == "" || try == 5 {
					return
				}
				retried.Add(1)
				form = url.Values{}
				for k, v := range co.form {
					form[k] = v
				}
				form.Set("_csrf", csrf(doc))
				form.Set("idempotency_key", key)
				form.Set("cart_digest", cartDigestIn(doc))
				time.Sleep(time.Duration(100+rand.IntN(400)) * time.Millisecond)
			}
		}()
	}
	close(startGate)
	wg.Wait()
	if n := retried.Load(); n > 0 {
		t.Logf("%d checkouts were answered busy and placed again", n)
	}
	orders := 0
	for i, st := range statuses {
		if errs[i] != nil {
			t.Fatalf("buyer %d: %v", i, errs[i])
		}
		switch {
		case st == http.StatusSeeOther && strings.HasPrefix(locations[i], "/orders/"):
			orders++
		case st >= 500:
			t.Errorf("buyer %d: %d", i, st)
		}
	}
	var stored int64
	must(t, a.db.R.Model(&models.OrderItem{}).Where("product_id = ?", tent.ID).Count(&stored).Error)
	if got := a.product("SKU-1").Stock; stored != 10 || got != 0 {
		t.Fatalf("%d orders stored for a stock of 10, stock now %d", stored, got)
	}
	var theirs int64
	must(t, a.db.R.Model(&models.Order{}).Where("email = ?", ready[buyers].form.Get("email")).Count(&theirs).Error)
	if theirs > 1 {
		t.Fatalf("the same checkout on both instances made %d orders", theirs)
	}
	dup := 0
	if strings.HasPrefix(locations[buyers-1], "/orders/") && strings.HasPrefix(locations[buyers], "/orders/") {
		if locations[buyers-1] != locations[buyers] {
			t.Fatalf("the same checkout on both instances made two orders: %s and %s", locations[buyers-1], locations[buyers])
		}
		dup = 1
	}
	if orders-dup != 10 {
		t.Fatalf("%d buyers were told they bought, want 10 (statuses %v)", orders-dup, statuses)
	}
}

func TestEventsPostedToBothInstancesAreAllStored(t *testing.T) {
	a := mustOpenShop(t)
	b := secondInstance(t, a)
	secret, _, err := a.db.CreateAPIKey(context.Background(), "test", "ingest", models.ScopeEvents)
	must(t, err)
	const requests, perRequest = 40, 50
	var body strings.Builder
	body.WriteString(`{"events":[`)
	for i := range perRequest {
		if i > 0 {
			body.WriteByte(',')
		}
		fmt.Fprintf(&body, `{"user_id":"both","product_id":"SKU-%d","type":"view"}`, 1+i%5)
	}
	body.WriteString(`]}`)
	var wg sync.WaitGroup
	statuses := make([]int, requests)
	for i := range requests {
		wg.Add(1)
		go func() {
			defer wg.Done()
			base := []*testShop{a, b}[i%2].ts.URL
			req, _ := http.NewRequest(http.MethodPost, base+"/api/v1/events", strings.NewReader(body.String()))
			req.Header.Set("Authorization", "Bearer "+secret)
			req.Header.Set("Content-Type", "application/json")
			res, err := http.DefaultClient.Do(req)
			if err == nil {
				statuses[i] = res.StatusCode
				res.Body.Close()
			}
		}()
	}
	wg.Wait()
	for i, st := range statuses {
		if st != http.StatusAccepted {
			t.Fatalf("request %d to instance %d: %d", i, i%2, st)
		}
	}
	// The API answers after the events are committed.
	n, err := a.db.CountUserEvents(context.Background(), "both")
	must(t, err)
	if n != requests*perRequest {
		t.Fatalf("%d events stored, %d posted", n, requests*perRequest)
	}
}

// TestModelTrainedOnOneInstanceIsServedByAll: a model trained elsewhere
// (another instance, `storefront train`) is stored in the database and a
// running instance swaps to it without training itself.
func TestModelTrainedOnOneInstanceIsServedByAll(t *testing.T) {
	a := mustOpenShop(t)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	dbB, err := models.Open(a.db.Target())
	must(t, err)
	t.Cleanup(func() { dbB.Close() })
	srvB, err := New(context.Background(), Config{Addr: "127.0.0.1:0", Logger: logger, Poll: 100 * time.Millisecond}, dbB)
	must(t, err)
	srvB.Start()
	t.Cleanup(func() { srvB.Close(context.Background()) })
	if srvB.shop.Model() != nil {
		t.Fatal("B serves a model before any was trained")
	}
	trainShopModel(t, a.db)
	want, err := a.db.LatestModelArtifactID(context.Background())
	must(t, err)
	deadline := time.Now().Add(10 * time.Second)
	for srvB.shop.ModelInfo() == nil || srvB.shop.ModelInfo().ID != want {
		if time.Now().After(deadline) {
			t.Fatalf("B does not serve model %d trained on A", want)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if srvB.shop.Trainer().Running() {
		t.Fatal("B trained instead of swapping")
	}
	if srvB.shop.Degraded() != "" {
		t.Fatalf("B degraded: %s", srvB.shop.Degraded())
	}
	// While one instance holds the training lock, another does not train.
	unlock, ok, err := a.db.TryLock(context.Background(), "storefront:training")
	must(t, err)
	if !ok {
		t.Fatal("training lock not free")
	}
	if a.db.Postgres() {
		if !srvB.shop.Trainer().Start() {
			t.Fatal("B did not try to train")
		}
		srvB.shop.Trainer().Wait()
		if srvB.shop.ModelInfo().ID != want {
			t.Fatal("B trained while A held the training lock")
		}
	}
	unlock()
}

// Every instance runs --train-every (docs/scaling.md's unit gives each
// one the flag), but between them they train about once a period: a tick
// trains only when no model was stored since the instance's previous tick,
// or when the newest is its own. They each trained once a period (three
// instances on a 1h schedule: three trainings an hour).
func TestScheduledTrainingRunsOncePerPeriodAcrossInstances(t *testing.T) {
	a := mustOpenShop(t)
	b := secondInstance(t, a)
	ctx := context.Background()
	beforeCLI := time.Now().Add(-time.Second)
	trainShopModel(t, a.db) // as `storefront train` would
	run := func(s *testShop, last time.Time) bool {
		t.Helper()
		started := s.srv.shop.ScheduledRun(last)
		s.srv.shop.Trainer().Wait()
		if _, err := s.srv.shop.Trainer().Last(); started && err != nil {
			t.Fatalf("training failed: %v", err)
		}
		return started
	}
	if run(b, beforeCLI) {
		t.Fatal("B trained although a model was stored since its last scheduled run")
	}
	cli, err := a.db.LatestModelArtifactID(ctx)
	must(t, err)
	if !run(a, time.Now()) { // a period later, no newer model: A trains
		t.Fatal("A did not train a period after the last model")
	}
	own, err := a.db.LatestModelArtifactID(ctx)
	must(t, err)
	if own == cli {
		t.Fatal("A's run stored no model")
	}
	if run(b, beforeCLI) {
		t.Fatal("B trained right after A")
	}
	if !run(a, time.Now()) {
		t.Fatal("A, which trained last, did not keep its schedule")
	}
	// A stops: a period after A's last model, B's tick trains.
	if !run(b, time.Now()) {
		t.Fatal("B did not take over when no instance had trained for a period")
	}
}

// An admin's settings saved through one instance show on the other within
// the settings cache's lifetime (5 s), and a staff member deactivated
// through one instance is signed out of the other at their next request.
func TestSettingsAndStaffChangesOnOneInstanceHoldOnTheOther(t *testing.T) {
	a := mustOpenShop(t)
	b := secondInstance(t, a)
	visitor := b.newClient()
	if _, doc := visitor.get("/"); strings.Contains(doc.Find("title").Text(), "Hazel & Oak") {
		t.Fatal("the shop has the new name already")
	}
	admin := a.staffClient("admin")
	form := url.Values{"name": {"Hazel & Oak"}, "currency": {"EUR"}, "number_format": {"1.234,56"}, "symbol_after": {"1"},
		"time_zone": {"Europe/Berlin"}, "shipping_text": {"Ships in a day."}, "returns_text": {"30 days."}}
	if res := admin.post("/admin/settings", "/admin/settings", form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("settings save: %d", res.StatusCode)
	}
	// docs/scaling.md: within 5 s (shopTTL); 10 s leaves room for a busy machine.
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, doc := visitor.get("/"); strings.Contains(doc.Find("title").Text(), "Hazel & Oak") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the other instance still shows the old shop name after 10s")
		}
		time.Sleep(100 * time.Millisecond)
	}
	email := b.addStaff("merchandiser")
	merch := b.newClient()
	if res := merch.post("/admin/login", "/admin/login", url.Values{"email": {email}, "password": {testPassword}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("merchandiser login on B: %d", res.StatusCode)
	}
	if res, _ := merch.get("/admin/layout"); res.StatusCode != http.StatusOK {
		t.Fatalf("merchandiser on B: %d", res.StatusCode)
	}
	var st models.Staff
	must(t, a.db.R.Where("email = ?", email).First(&st).Error)
	if res := admin.post("/admin/staff", "/admin/staff/"+utoa(st.ID)+"/active", url.Values{"active": {"0"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("deactivate on A: %d", res.StatusCode)
	}
	if res, _ := merch.get("/admin/layout"); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/admin/login") {
		t.Fatalf("the deactivated merchandiser's next request on B: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
}

// TestImportUploadedOnOneInstanceAppliedOnAnother: the admin's upload, the
// apply and the progress page each land on whichever instance the load
// balancer picks.
func TestImportUploadedOnOneInstanceAppliedOnAnother(t *testing.T) {
	a := mustOpenShop(t)
	b := secondInstance(t, a)
	admin := a.staffClient(models.RoleAdmin)
	products := "id,title,description,category,brand,price,stock,created_at\n" +
		"NEW-1,Garden Hose,,Garden > Watering,Flow,24.50,7,\n"
	res, doc := admin.upload("/admin/import", "/admin/import", nil, map[string][2]string{"products": {"hoses.csv", products}})
	if res.StatusCode != http.StatusOK {
		t.Fatalf("upload on A: %d", res.StatusCode)
	}
	action, ok := doc.Find(`[data-testid="import-job"] form`).Attr("action")
	if !ok {
		t.Fatal("no apply form on A's preview")
	}
	// The preview is shown by B too, from the stored upload.
	_, doc = admin.on(b).get(strings.TrimSuffix(action, "/apply"))
	if counts := strings.Join(strings.Fields(doc.Find(`[data-testid="import-counts"]`).Text()), " "); !strings.Contains(counts, "hoses.csv: 1 product (1 new, 0 updated)") {
		t.Fatalf("B's preview counts: %q", counts)
	}
	res = admin.on(b).post("/admin/import", action, nil)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("apply on B: %d", res.StatusCode)
	}
	doc = admin.importDone(res.Header.Get("Location")) // progress asked of A
	if !strings.Contains(doc.Find(`[data-testid="import-result"]`).Text(), "1 product created") {
		t.Errorf("A shows the result %q", doc.Find(`[data-testid="import-result"]`).Text())
	}
	if res = admin.post("/admin/import", action, nil); res.StatusCode != http.StatusConflict {
		t.Errorf("applying again on A: %d, want 409", res.StatusCode)
	}
	if _, err := a.db.ProductByExternalID(context.Background(), "NEW-1"); err != nil {
		t.Errorf("the imported product: %v", err)
	}
}

// TestCatalogChangeOnOneInstanceIsLiveOnTheOther: a price changed through
// another instance (or a command) reaches B's pages within B's poll of the
// catalog version: on PostgreSQL the default, 2 s; a SQLite file, one
// machine's database, is polled every 30 s by default, so B polls every
// 2 s here too.
func TestCatalogChangeOnOneInstanceIsLiveOnTheOther(t *testing.T) {
	a := mustOpenShop(t)
	var poll time.Duration // the default on PostgreSQL
	if !a.db.Postgres() {
		poll = 2 * time.Second
	}
	b := instancePolling(t, a, poll)
	tent := a.product("SKU-1")
	page := fmt.Sprintf("/p/%d-%s", tent.ID, tent.Slug)
	visitor := b.newClient()
	if _, doc := visitor.get(page); !strings.Contains(doc.Text(), "199.99") {
		t.Fatal("B does not show the tent's price")
	}
	must(t, a.db.W.Model(&models.Product{}).Where("id = ?", tent.ID).
		Updates(map[string]any{"price_cents": 17777, "updated_at": time.Now().Add(time.Second)}).Error)
	start := time.Now()
	for {
		_, doc := visitor.get(page)
		if strings.Contains(doc.Text(), "177.77") {
			t.Logf("live on B after %s", time.Since(start).Round(time.Millisecond))
			return
		}
		if time.Since(start) > 8*time.Second {
			t.Fatal("the price changed on A is not on B's product page after 8s")
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// TestOptOutOnOneInstanceHoldsOnTheOther: a shopper who switches
// personalization off through one instance gets no personal rows from
// another that cached their account and homepage before, within that
// instance's poll (2 s on PostgreSQL; polled as often here on SQLite).
func TestOptOutOnOneInstanceHoldsOnTheOther(t *testing.T) {
	a := withRecentlyViewedFirst(t)
	ctx := context.Background()
	b := instancePolling(t, a, 2*time.Second)

	c, _ := loginAs(t, a, "Private", "private-b@example.com")
	c.get(productPath(a.product("SKU-3")))
	must(t, a.srv.events.Flush(ctx))
	personal := `section[data-slot-type="recently_viewed"], section[data-slot-type="because_viewed"]`
	// B reads the account and composes the personal homepage, and keeps both.
	if _, doc := c.on(b).get("/"); doc.Find(personal).Length() == 0 {
		t.Fatal("B shows the shopper no personal row before the opt-out; the test cannot see it go")
	}
	if res := c.post("/account", "/account/personalization", url.Values{"opt_out": {"true"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("opting out on A: %d", res.StatusCode)
	}
	start := time.Now()
	for {
		_, home := c.on(b).get("/")
		if home.Find(personal).Length() == 0 && home.Find(`[data-testid="optout-notice"]`).Length() == 1 {
			t.Logf("the opt-out holds on B after %s", time.Since(start).Round(time.Millisecond))
			return
		}
		if time.Since(start) > 8*time.Second {
			t.Fatal("B still personalizes the homepage 8 s after the shopper opted out on A")
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// An account's login allowance (ASVS's 100 failures an hour, 20 at once)
// is one for every instance: guesses spread over two instances, and over
// addresses, spend the same allowance, where each instance allowed its
// own and N instances allowed N times the guesses. A load balancer cannot
// keep this limit (it does not read the account a form names). The
// database keeps a hash of the account, not the email.
func TestAnAccountsLoginAllowanceIsSharedByTheInstances(t *testing.T) {
	a := mustOpenShop(t)
	b := secondInstance(t, a)
	for _, s := range []*testShop{a, b} {
		slowRefill(s.srv)
		// The address limits are not the test: each instance's own.
		s.srv.limiter.perIP.burst, s.srv.limiter.perPair.burst = 1000, 1000
	}
	burst := a.srv.limiter.perAcct.burst
	guess := func(s *testShop, password string) int {
		c := s.newClient()
		res, _ := c.send(http.MethodPost, "/login", loginForm(c.token("/login"), "ada@example.com", password), nil)
		return res.StatusCode
	}
	for i := range burst {
		s := a
		if i%2 == 1 {
			s = b
		}
		if code := guess(s, "wrong password"); code != http.StatusUnauthorized {
			t.Fatalf("guess %d of the account's %d: %d, want 401", i+1, burst, code)
		}
	}
	for _, s := range []*testShop{a, b} {
		if code := guess(s, testPassword); code != http.StatusTooManyRequests {
			t.Fatalf("an attempt on %s after the account's %d guesses through both instances: %d, want 429", s.ts.URL, burst, code)
		}
	}
	var rows []models.LoginAllowance
	must(t, a.db.R.Find(&rows).Error)
	for _, r := range rows {
		if strings.Contains(r.Account, "@") || len(r.Account) != 64 {
			t.Errorf("a login allowance is kept under %q, want a 64-character hash", r.Account)
		}
	}
	if len(rows) == 0 {
		t.Error("no login allowance in the database")
	}
}

// A cart changed through one instance shows its count in the header of
// the other within cartCountLife: a visitor whose requests a load
// balancer sends to either instance adds on A and reads B. B kept the
// count it had read for the viewer state's life (10 minutes without an
// event of theirs), 0 over a cart page listing the product.
func TestACartFilledOnOneInstanceIsCountedOnTheOther(t *testing.T) {
	a := mustOpenShop(t)
	b := secondInstance(t, a)
	visitor := a.newClient()
	onB := visitor.on(b)
	count := func(path string) string {
		_, doc := onB.get(path)
		return strings.TrimSpace(doc.Find(`[data-testid="cart-count"]`).Text())
	}
	if n := count("/"); n != "" && n != "0" {
		t.Fatalf("an empty cart counts %q on B", n)
	}
	tent := a.product("SKU-1")
	if res := visitor.post(productPath(tent), "/cart/add", url.Values{"product_id": {utoa(tent.ID)}, "quantity": {"2"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("add to cart on A: %d", res.StatusCode)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		home, cart := count("/"), count("/cart")
		if home == "2" && cart == "2" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("10s after the visitor added 2 on A, B's header counts %q on the homepage and %q on the cart page, want 2", home, cart)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// A visitor whose views a load balancer sends to one instance gets a
// homepage on the other that follows them within that instance's poll
// (2 s on PostgreSQL; polled as often here on SQLite): the other instance
// had composed and kept their homepage before, and kept it for the viewer
// state's life (10 minutes without an event recorded through it), so the
// product they had just looked at was missing from "Recently viewed" there.
func TestViewsOnOneInstanceShowOnTheOthersHomepage(t *testing.T) {
	a := withRecentlyViewedFirst(t)
	ctx := context.Background()
	b := instancePolling(t, a, 2*time.Second)

	// A visitor: a sign-in would write their account, which B follows
	// (and drops their homepage for) at its next poll anyway.
	c := a.newClient()
	first, next := a.product("SKU-3"), a.product("SKU-5")
	c.get(productPath(first))
	must(t, a.srv.events.Flush(ctx))
	recent := func() string {
		_, doc := c.on(b).get("/")
		return doc.Find(`section[data-slot-type="recently_viewed"]`).Text()
	}
	// B composes the homepage from the first view, and keeps it.
	if got := recent(); !strings.Contains(got, first.Title) || strings.Contains(got, next.Title) {
		t.Fatalf("B's recently viewed row before the second view: %q, want %q and not %q", got, first.Title, next.Title)
	}
	c.get(productPath(next))
	must(t, a.srv.events.Flush(ctx))
	start := time.Now()
	for {
		if got := recent(); strings.Contains(got, next.Title) {
			t.Logf("B's homepage shows the view made on A after %s", time.Since(start).Round(time.Millisecond))
			return
		}
		if time.Since(start) > 8*time.Second {
			t.Fatalf("8 s after the visitor viewed %q through A, B's homepage does not show it: %q", next.Title, recent())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// Each instance keeps its share of the per-address limits: the instances
// announce themselves in the database at every poll, and with two serving
// it each allows half of a figure, so an address whose attempts a load
// balancer spreads over both gets about the figure, not twice it (each
// allowed its own whole figure). The login limit per address is the one
// checked here; the new visitors an address has tracked, its reset links
// and an API key's requests and events are shared out alike.
func TestTwoInstancesTogetherAllowAnAddressItsLoginLimitOnce(t *testing.T) {
	a := mustOpenShop(t)
	b := secondInstance(t, a)
	ctx := context.Background()
	// Each counts the other (as its next poll would).
	must(t, a.srv.shop.Announce(ctx))
	for _, s := range []*testShop{b, a} {
		must(t, s.srv.shop.Announce(ctx))
		if n := s.srv.shop.Instances(); n != 2 {
			t.Fatalf("%s counts %d instances, want 2", s.ts.URL, n)
		}
		slowRefill(s.srv)
	}
	figure := a.srv.limiter.perIP.burst
	allowed := 0
	for i := range 2*figure + 2 {
		s := a
		if i%2 == 1 {
			s = b
		}
		// Another account each time: only the address's limit counts.
		c := s.newClient()
		res, _ := c.send(http.MethodPost, "/login", loginForm(c.token("/login"), fmt.Sprintf("nobody%d@example.com", i), "wrong password"), nil)
		switch res.StatusCode {
		case http.StatusUnauthorized:
			allowed++
		case http.StatusTooManyRequests:
		default:
			t.Fatalf("attempt %d: %d", i+1, res.StatusCode)
		}
	}
	if allowed > figure+1 {
		t.Errorf("two instances together let one address try %d logins, want about its figure %d (each allowed the whole figure)", allowed, figure)
	}
	if allowed < figure-1 {
		t.Errorf("two instances together let one address try %d logins, want about its figure %d", allowed, figure)
	}
}

// TestAnImportPreviewedAndLeftLeavesNoFilesWhenTheShopStops: an import
// previewed and never applied kept its upload in the temporary directory
// after the shop stopped, one directory per preview, for ever. Now a
// stopping instance deletes the files of the imports it is not applying;
// the stored upload stays, and another instance still applies it.
func TestAnImportPreviewedAndLeftLeavesNoFilesWhenTheShopStops(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	left := func() []string {
		m, _ := filepath.Glob(filepath.Join(tmp, "storefront-import-*"))
		return m
	}
	a := mustOpenShop(t)
	b := secondInstance(t, a)
	admin := a.staffClient(models.RoleAdmin)
	products := "id,title,description,category,brand,price,stock,created_at\n" +
		"NEW-1,Garden Hose,,Garden > Watering,Flow,24.50,7,\n"
	res, doc := admin.upload("/admin/import", "/admin/import", nil, map[string][2]string{"products": {"hoses.csv", products}})
	if res.StatusCode != http.StatusOK {
		t.Fatalf("upload on A: %d", res.StatusCode)
	}
	action, ok := doc.Find(`[data-testid="import-job"] form`).Attr("action")
	if !ok {
		t.Fatal("no apply form on A's preview")
	}
	if n := len(left()); n != 1 {
		t.Fatalf("the preview kept %d upload directories, want 1", n)
	}
	must(t, a.srv.Close(context.Background()))
	if n := len(left()); n != 0 {
		t.Fatalf("A stopped and left %d upload directories: %v", n, left())
	}
	if res = admin.on(b).post("/admin/import", action, nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("apply on B after A stopped: %d", res.StatusCode)
	}
	admin.on(b).importDone(res.Header.Get("Location"))
	if _, err := b.db.ProductByExternalID(context.Background(), "NEW-1"); err != nil {
		t.Errorf("the imported product: %v", err)
	}
	must(t, b.srv.Close(context.Background()))
	if n := len(left()); n != 0 {
		t.Errorf("B applied the import, stopped, and left %d upload directories", n)
	}
}
