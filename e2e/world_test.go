package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"storefront/models"
	"storefront/recommender"
	"storefront/seed"
	shopsvc "storefront/shop"
	"storefront/web"
)

// The seeded world: big enough for the recommender to learn each shopper's
// taste, small enough to build in a few seconds. It is built once per test
// binary and copied for every test that uses it, so a test may publish,
// roll back or browse without disturbing another.
const (
	worldProducts = 400
	worldShoppers = 300
	worldEvents   = 30_000
)

var world struct {
	once  sync.Once
	dir   string // removed by TestMain
	path  string // the trained template database
	build time.Duration
	err   error
}

func TestMain(m *testing.M) {
	// The tests' accounts are hashed at bcrypt's least cost (models' tests
	// are about the cost; these are about pages).
	models.LowerPasswordCostForTests()
	code := m.Run()
	if world.dir != "" {
		os.RemoveAll(world.dir)
	}
	os.Exit(code)
}

// worldTemplate seeds and trains the template database on first use.
func worldTemplate(tb testing.TB) string {
	tb.Helper()
	built := false
	world.once.Do(func() {
		built = true
		began := time.Now()
		world.dir, world.err = os.MkdirTemp("", "storefront-e2e-world-")
		if world.err != nil {
			return
		}
		world.path = filepath.Join(world.dir, "world.db")
		world.err = buildWorld(world.path)
		world.build = time.Since(began)
	})
	if world.err != nil {
		tb.Fatalf("build the seeded world: %v", world.err)
	}
	if built {
		tb.Logf("the seeded world (%d products, %d shoppers, %d events, trained) took %v to build",
			worldProducts, worldShoppers, worldEvents, world.build.Round(time.Millisecond))
	}
	return world.path
}

// buildWorld seeds a small world into path, locks every slot of the
// homepage so the page keeps the merchandiser's order for every shopper (the
// recommender moves only free slots), publishes that, and trains and stores
// a model. The database is closed when it returns, so its file is complete.
func buildWorld(path string) (err error) {
	ctx := context.Background()
	db, err := models.Open(path)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := db.Close(); err == nil {
			err = cerr
		}
	}()
	opts := seed.Options{Products: worldProducts, Shoppers: worldShoppers, Events: worldEvents}
	if _, err := seed.Seed(ctx, db, opts, io.Discard); err != nil {
		return err
	}
	// The demo merchandiser's first login would ask for a new password
	// (TestDemoStaffChoosesOwnPassword covers that with the demo admin);
	// the other browser tests log in with the published one.
	if err := db.W.Model(&models.Staff{}).Where("email = ?", seed.DemoMerchEmail).Update("must_change_password", false).Error; err != nil {
		return err
	}
	page, err := db.PageByKey(ctx, models.HomePage)
	if err != nil {
		return err
	}
	if err := db.W.Model(&models.Slot{}).Where("page_id = ?", page.ID).Update("locked", true).Error; err != nil {
		return fmt.Errorf("lock the seeded slots: %w", err)
	}
	if _, err := db.PublishDraft(ctx, models.HomePage, "e2e fixture"); err != nil {
		return err
	}
	_, err = shopsvc.TrainAndStore(ctx, db, recommender.DefaultConfig(), nil)
	return err
}

// startWorld serves a private copy of the seeded, trained world on
// 127.0.0.1. Cleanup stops the server and closes the database.
func startWorld(tb testing.TB) *shop {
	tb.Helper()
	tmpl := worldTemplate(tb)
	path := filepath.Join(tb.TempDir(), "world.db")
	// Closing the template checkpointed its WAL; copy one anyway if SQLite
	// kept it.
	for _, suffix := range []string{"", "-wal"} {
		data, err := os.ReadFile(tmpl + suffix)
		if suffix != "" && os.IsNotExist(err) {
			continue
		}
		must(tb, err)
		must(tb, os.WriteFile(path+suffix, data, 0o600))
	}

	ctx := context.Background()
	db, err := models.Open(path)
	must(tb, err)
	tb.Cleanup(func() { db.Close() })
	// Every visitor is personalized: the control group (5 % by default) is
	// tested on its own, and random visitor ids would put some tests' visitors in it.
	must(tb, db.SetSetting(ctx, "", models.SettingControlPercent, "0"))
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, err := web.New(ctx, web.Config{Addr: "127.0.0.1:0", Logger: logger}, db)
	must(tb, err)
	ts := httptest.NewServer(srv.Handler()) // listens on 127.0.0.1 only
	tb.Cleanup(func() {
		ts.Close()
		srv.Close(context.Background())
	})
	return &shop{t: tb, URL: ts.URL, db: db, srv: srv}
}

// draftSlotIDs maps each slot type of the draft homepage to its slot id
// (the seeded layout has one slot of each type).
func (s *shop) draftSlotIDs() map[string]string {
	s.t.Helper()
	slots, _, err := s.db.DraftSlots(context.Background(), models.HomePage)
	must(s.t, err)
	out := map[string]string{}
	for _, sl := range slots {
		if _, dup := out[sl.Type]; !dup {
			out[sl.Type] = fmt.Sprint(sl.ID)
		}
	}
	return out
}

// taste is a seeded shopper and the department most of their behaviour
// falls in.
type taste struct {
	email, key string // login and user key (external id)
	dept       string // slug of the top-level category they favour
	share      float64
	depts      map[string]int // interactions per department
}

// tastes reads the departments each seeded shopper (u00001…) interacted
// with, in shopper order.
func (s *shop) tastes() []taste {
	s.t.Helper()
	var rows []struct {
		UserKey string
		Dept    string
		N       int
	}
	must(s.t, s.db.R.Raw(`SELECT e.user_key, COALESCE(d.slug, c.slug) AS dept, COUNT(*) AS n
		FROM events e JOIN products p ON p.id = e.product_id JOIN categories c ON c.id = p.category_id
		LEFT JOIN categories d ON d.id = c.parent_id
		WHERE e.user_key LIKE 'u%' AND e.type IN ('view', 'click', 'add_to_cart', 'purchase')
		GROUP BY e.user_key, dept ORDER BY e.user_key`).Scan(&rows).Error)
	var out []taste
	for _, r := range rows {
		if len(out) == 0 || out[len(out)-1].key != r.UserKey {
			out = append(out, taste{key: r.UserKey, email: "shopper" + strings.TrimPrefix(r.UserKey, "u") + "@example.com", depts: map[string]int{}})
		}
		out[len(out)-1].depts[r.Dept] = r.N
	}
	for i := range out {
		total := 0
		for d, n := range out[i].depts {
			total += n
			if n > out[i].depts[out[i].dept] || n == out[i].depts[out[i].dept] && d < out[i].dept {
				out[i].dept = d
			}
		}
		out[i].share = float64(out[i].depts[out[i].dept]) / float64(total)
		if total < 30 {
			out[i].share = 0 // too little history to call it a taste
		}
	}
	return out
}

// departmentOf maps product ids (as the cards print them) to the slug of
// their top-level category.
func (s *shop) departmentOf() map[string]string {
	s.t.Helper()
	var rows []struct {
		ID   uint
		Dept string
	}
	must(s.t, s.db.R.Raw(`SELECT p.id, COALESCE(d.slug, c.slug) AS dept FROM products p
		JOIN categories c ON c.id = p.category_id LEFT JOIN categories d ON d.id = c.parent_id`).Scan(&rows).Error)
	out := make(map[string]string, len(rows))
	for _, r := range rows {
		out[fmt.Sprint(r.ID)] = r.Dept
	}
	return out
}

// departments lists the top-level categories by how many active, in-stock
// products they hold, most first.
func (s *shop) departments() []string {
	s.t.Helper()
	var rows []struct{ Dept string }
	must(s.t, s.db.R.Raw(`SELECT COALESCE(d.slug, c.slug) AS dept FROM products p
		JOIN categories c ON c.id = p.category_id LEFT JOIN categories d ON d.id = c.parent_id
		WHERE p.active AND p.stock > 0 GROUP BY dept ORDER BY COUNT(*) DESC, dept`).Scan(&rows).Error)
	var out []string
	for _, r := range rows {
		out = append(out, r.Dept)
	}
	return out
}

// incognito opens a tab in a fresh browser context of the same Chromium:
// its own cookies, so a second person can be logged in at the same time.
func (b *tab) incognito() *tab {
	b.t.Helper()
	ctx, cancel := chromedp.NewContext(b.browser, chromedp.WithNewBrowserContext())
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900)); err != nil {
		cancel()
		b.t.Fatalf("open a second browser context: %v", err)
	}
	timed, cancelTimeout := context.WithTimeout(ctx, testTimeout)
	b.t.Cleanup(func() {
		cancelTimeout()
		cancel()
	})
	return &tab{t: b.t, ctx: timed, browser: ctx, base: b.base}
}

// adminLogIn logs the demo merchandiser in and lands on the layout editor.
func (b *tab) adminLogIn() {
	b.t.Helper()
	b.open("/admin/login", "#email")
	b.fill(`#email`, seed.DemoMerchEmail, `#password`, seed.DemoMerchPassword)
	b.follow(`[data-testid="auth-submit"]`, `[data-testid="layout-list"]`)
}

// shopperLogIn logs a seeded shopper in.
func (b *tab) shopperLogIn(email string) {
	b.t.Helper()
	b.open("/login", "#email")
	b.logIn(email, seed.ShopperPassword)
}

// attrs lists an attribute of every element matching sel, in page order.
func (b *tab) attrs(sel, attr string) []string {
	b.t.Helper()
	q, _ := json.Marshal(sel)
	a, _ := json.Marshal(attr)
	return eval[[]string](b, fmt.Sprintf(`Array.from(document.querySelectorAll(%s), e => e.getAttribute(%s))`, q, a))
}

// homeSlots opens the homepage and returns its slot ids in page order. A
// "because you viewed" slot shows one row per anchor product, all with the
// slot's id; they count once.
func (b *tab) homeSlots() []string {
	b.t.Helper()
	b.open("/", `section[data-slot-id]`)
	return slices.Compact(b.attrs(`section[data-slot-id]`, "data-slot-id"))
}

// layoutOrder is the slot ids of the layout editor's list, in page order.
func (b *tab) layoutOrder() []string {
	b.t.Helper()
	return b.attrs(`[data-testid="layout-slot"]`, "data-slot-id")
}

// eventually retries check every 100 ms until it reports nothing wrong,
// and fails with its last complaint once within has passed. It is for
// effects that land asynchronously (the event writer, the layout cache).
func eventually(t testing.TB, within time.Duration, check func() string) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		msg := check()
		if msg == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %v: %s", within, msg)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// inOrderOf keeps the ids of order that are in shown, in order's order:
// what a page showing some of the slots should look like.
func inOrderOf(order, shown []string) []string {
	var out []string
	for _, id := range order {
		if slices.Contains(shown, id) {
			out = append(out, id)
		}
	}
	return out
}

// moved returns order with id moved to index to.
func moved(order []string, id string, to int) []string {
	out := slices.DeleteFunc(slices.Clone(order), func(x string) bool { return x == id })
	return slices.Insert(out, to, id)
}

// countIn counts the ids whose department is dept.
func countIn(ids []string, deptOf map[string]string, dept string) int {
	n := 0
	for _, id := range ids {
		if deptOf[id] == dept {
			n++
		}
	}
	return n
}

// shot saves a full-page screenshot (see screenshot) once every image of the
// page has loaded: cards below the fold load lazily, and a full-page capture
// does not scroll to them.
func (b *tab) shot(name string) {
	b.t.Helper()
	if os.Getenv("STOREFRONT_SCREENSHOTS") == "" {
		return
	}
	b.do("load every image", chromedp.Evaluate[chromedp.Void](
		`document.querySelectorAll('img[loading="lazy"]').forEach(i => i.loading = "eager")`))
	eventually(b.t, 10*time.Second, func() string {
		if n := eval[int](b, `Array.from(document.images).filter(i => !i.complete).length`); n > 0 {
			return fmt.Sprintf("%d images still loading", n)
		}
		return ""
	})
	b.screenshot(name)
}
