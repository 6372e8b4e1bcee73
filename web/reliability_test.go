package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mattn/go-sqlite3"

	"storefront/models"
	"storefront/recommender"
	shopsvc "storefront/shop"
)

// holdWriteLock takes the database's write lock on a separate connection,
// as another process or a long transaction would, until release is called:
// SQLite's one write lock, or on PostgreSQL a lock on every table that lets
// reads through and makes writes wait.
func holdWriteLock(tb testing.TB, db *models.DB) (release func()) {
	tb.Helper()
	other, err := models.Open(db.Target())
	must(tb, err)
	w, err := other.W.DB()
	must(tb, err)
	conn, err := w.Conn(context.Background())
	must(tb, err)
	if db.Postgres() {
		tables, err := other.W.Migrator().GetTables()
		must(tb, err)
		_, err = conn.ExecContext(context.Background(), "BEGIN")
		must(tb, err)
		_, err = conn.ExecContext(context.Background(), "LOCK TABLE "+strings.Join(tables, ", ")+" IN EXCLUSIVE MODE")
		must(tb, err)
	} else {
		_, err = conn.ExecContext(context.Background(), "BEGIN IMMEDIATE")
		must(tb, err)
	}
	var once sync.Once
	release = func() {
		once.Do(func() {
			conn.ExecContext(context.Background(), "ROLLBACK")
			conn.Close()
			other.Close()
		})
	}
	tb.Cleanup(release)
	return release
}

// countEvents counts stored events of a type in a fresh connection.
func countEvents(tb testing.TB, path, typ string) int64 {
	tb.Helper()
	db, err := models.Open(path)
	must(tb, err)
	defer db.Close()
	var n int64
	must(tb, db.R.Model(&models.Event{}).Where("type = ?", typ).Count(&n).Error)
	return n
}

// listen runs the server's own ListenAndServe (the path `storefront
// serve` takes) on a free port until the returned stop is called.
func listen(tb testing.TB, db *models.DB) (base string, stop func() error) {
	tb.Helper()
	base, stop, _ = listenLogged(tb, db, io.Discard)
	return base, stop
}

// listenLogged is listen with the server's log written to logs.
func listenLogged(tb testing.TB, db *models.DB, logs io.Writer) (base string, stop func() error, srv *Server) {
	tb.Helper()
	return listenConfig(tb, db, Config{Addr: "127.0.0.1:0", Logger: slog.New(slog.NewTextHandler(logs, nil))})
}

// listenConfig is listen with a configuration of the test's own.
func listenConfig(tb testing.TB, db *models.DB, cfg Config) (base string, stop func() error, srv *Server) {
	tb.Helper()
	srv, err := New(context.Background(), cfg, db)
	must(tb, err)
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- srv.ListenAndServe(ctx, func(addr string) { ready <- addr }) }()
	select {
	case addr := <-ready:
		base = "http://" + addr
	case err := <-done:
		tb.Fatalf("server did not start: %v", err)
	}
	var once sync.Once
	var stopErr error
	stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case stopErr = <-done:
			case <-time.After(30 * time.Second):
				stopErr = errors.New("server did not stop within 30s")
			}
		})
		return stopErr
	}
	tb.Cleanup(func() { stop() })
	return base, stop, srv
}

// SIGTERM during a scheduled retrain: the run is cancelled (systemd's stop
// timeout is shorter than a training), and the log says the shop stopped,
// not that training failed or the shop is degraded.
func TestStopDuringTrainingIsNoFailure(t *testing.T) {
	shop := mustOpenShop(t)
	trainShopModel(t, shop.db)
	logs := &syncBuffer{}
	_, stop, srv := listenLogged(t, shop.db, logs)
	// The new model cannot be stored while the write lock is held, so the
	// run is still going when the stop comes.
	release := holdWriteLock(t, shop.db)
	if !srv.shop.Trainer().Start() {
		t.Fatal("training did not start")
	}
	time.Sleep(time.Second)
	if err := stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}
	release()
	out := logs.String()
	if !strings.Contains(out, "training stopped: the shop is shutting down") || strings.Contains(out, "training failed") || strings.Contains(out, "degraded") {
		t.Fatalf("want the training stopped, not failed:\n%s", out)
	}
	if !strings.Contains(out, `msg="shutting down: finishing the requests in flight and writing the queued events"`) || !strings.Contains(out, "level=INFO msg=stopped") {
		t.Fatalf("the shutdown is not logged:\n%s", out)
	}
}

// A shop started while another process holds the database's write lock
// (an import, a backup) is stopped during its housekeeping pass (the
// deletes of old events, unused pictures, idle carts, voided checkout
// keys and expired sessions it runs at the start): the pass gives up at
// the stop, and no step begins after it. Each step waited out the lock
// (5 s on SQLite, on PostgreSQL until the lock was released), and the
// stop waited for all five: past the 20 s a stop has, and the test's 30 s.
func TestAStopDuringHousekeepingOnALockedDatabaseGivesUpThePass(t *testing.T) {
	shop := mustOpenShop(t)
	logs := &syncBuffer{}
	srv, err := New(context.Background(), Config{Addr: "127.0.0.1:0", Logger: slog.New(slog.NewTextHandler(logs, nil))}, shop.db)
	must(t, err)
	release := holdWriteLock(t, shop.db)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ready := make(chan struct{})
	done := make(chan error, 1)
	go func() { done <- srv.ListenAndServe(ctx, func(string) { close(ready) }) }()
	select {
	case <-ready:
	case err := <-done:
		t.Fatalf("server did not start: %v", err)
	}
	cancel()
	select {
	case err := <-done:
		must(t, err)
	case <-time.After(30 * time.Second):
		t.Fatalf("the stop waited for the housekeeping pass:\n%s", logs.String())
	}
	release()
	out := logs.String()
	_, after, ok := strings.Cut(out, "shutting down")
	if !ok || !strings.Contains(after, "level=INFO msg=stopped") {
		t.Fatalf("the stop is not logged:\n%s", out)
	}
	// The step in progress may end, and say so, between the log's
	// "shutting down" and the shop's stop (the server's requests are
	// finished first); no other.
	steps := 0
	for _, step := range []string{"event retention", "pruning unused pictures", "idle visitor carts", "voided checkout keys", "expired sessions"} {
		steps += strings.Count(after, step)
	}
	if steps > 1 {
		t.Fatalf("%d housekeeping steps ran on after the stop:\n%s", steps, out)
	}
}

// A training waiting on a database lock takes seconds to stop; the drains
// of queued emails and events run beside it, not after it. The shop's stop
// budget is 20 s: at a machine's load the training's stop used all of it,
// and the stop failed with "0 password reset email(s) not sent" though
// nothing was waiting to be sent.
func TestAStopWaitingForTrainingStillDrains(t *testing.T) {
	shop := mustOpenShop(t)
	trainShopModel(t, shop.db)
	_, _, srv := listenLogged(t, shop.db, &syncBuffer{})
	release := holdWriteLock(t, shop.db)
	defer release()
	if !srv.shop.Trainer().Start() {
		t.Fatal("training did not start")
	}
	time.Sleep(time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	if err := srv.Close(ctx); err != nil {
		t.Fatalf("stop after %v: %v; nothing was waiting to be written", time.Since(start).Round(time.Millisecond), err)
	}
}

func TestGracefulStopDrainsEvents(t *testing.T) {
	shop := mustOpenShop(t)
	tent := shop.product("SKU-1")
	base, stop := listen(t, shop.db)
	// Hold the write lock so every tracked view is still queued in memory
	// when the stop begins: only a drain can get them into the database.
	release := holdWriteLock(t, shop.db)
	// Few enough to finish well inside the writer's 5s busy timeout.
	const views = 120
	var wg sync.WaitGroup
	var failed atomic.Int64
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < views; i += 8 {
				res, err := http.Get(base + productPath(tent))
				if err != nil || res.StatusCode != http.StatusOK {
					failed.Add(1)
				}
				if err == nil {
					res.Body.Close()
				}
			}
		}()
	}
	wg.Wait()
	if failed.Load() > 0 {
		t.Fatalf("%d page views failed", failed.Load())
	}
	stopped := make(chan error, 1)
	go func() { stopped <- stop() }()
	time.Sleep(300 * time.Millisecond)
	release()
	if err := <-stopped; err != nil {
		t.Fatalf("stop: %v", err)
	}
	if n := countEvents(t, shop.db.Target(), models.EventView); n != views {
		t.Fatalf("%d view events stored after a clean stop, want %d", n, views)
	}
}

func TestSlowClientIsCutOff(t *testing.T) {
	t.Parallel()
	shop := mustOpenShop(t)
	base, _ := listen(t, shop.db)
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	must(t, err)
	defer conn.Close()
	// Half a request, then silence: the server must hang up by itself.
	_, err = conn.Write([]byte("GET / HTTP/1.1\r\nHost: shop\r\n"))
	must(t, err)
	start := time.Now()
	conn.SetReadDeadline(time.Now().Add(20 * time.Second))
	_, err = io.ReadAll(conn)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatal("the server kept a half-sent request open for 20s")
	}
	if d := time.Since(start); d > 12*time.Second {
		t.Fatalf("the server hung up after %s", d)
	}
}

// trainShopModel gives the shop's shoppers some history and stores a
// trained model, as a retrain would.
func trainShopModel(tb testing.TB, db *models.DB) {
	tb.Helper()
	ctx := context.Background()
	var ps []models.Product
	must(tb, db.R.Where("active = ? AND stock > 0", true).Order("id").Find(&ps).Error)
	var events []models.Event
	at := time.Now().Add(-72 * time.Hour)
	for j := range 5 {
		for u := range 40 {
			id := ps[(u+j)%len(ps)].ID
			events = append(events, models.Event{UserKey: "u" + utoa(uint(u)), ProductID: &id, Type: models.EventView, CreatedAt: at})
			at = at.Add(time.Minute)
		}
	}
	must(tb, db.InsertEvents(ctx, events))
	_, err := shopsvc.TrainAndStore(ctx, db, recommender.DefaultConfig(), nil)
	must(tb, err)
}

type health struct {
	Status string `json:"status"`
	Reason string `json:"reason"`
}

func (s *testShop) health() health {
	s.t.Helper()
	res, err := http.Get(s.ts.URL + "/healthz")
	must(s.t, err)
	defer res.Body.Close()
	var h health
	must(s.t, json.NewDecoder(res.Body).Decode(&h))
	return h
}

// assertHomepageServes fails unless the homepage answers 200 with products.
func assertHomepageServes(t *testing.T, shop *testShop) {
	t.Helper()
	for range 3 {
		res, doc := shop.newClient().get("/")
		if res.StatusCode != http.StatusOK || doc.Find("[data-product-id]").Length() == 0 {
			t.Fatalf("homepage: %d with %d products", res.StatusCode, doc.Find("[data-product-id]").Length())
		}
	}
}

func TestHomepageSurvivesModelFaults(t *testing.T) {
	t.Run("no stored model", func(t *testing.T) {
		shop := mustOpenShop(t)
		assertHomepageServes(t, shop)
		if h := shop.health(); h.Status != "degraded" || !strings.Contains(h.Reason, "no trained model") {
			t.Fatalf("healthz %+v", h)
		}
	})
	t.Run("corrupt stored model", func(t *testing.T) {
		base := mustOpenShop(t)
		must(t, base.db.SaveModelArtifact(context.Background(), &models.ModelArtifact{Blob: []byte("not a model"), TrainedAt: time.Now().UTC()}))
		logs := &syncBuffer{}
		shop := serveShop(t, base.db, Config{Logger: slog.New(slog.NewTextHandler(logs, nil))}, false, nil)
		assertHomepageServes(t, shop)
		if h := shop.health(); h.Status != "degraded" || !strings.Contains(h.Reason, "unreadable") {
			t.Fatalf("healthz %+v", h)
		}
		out := logs.String()
		if strings.Count(out, `msg="stored model unreadable"`) != 1 || strings.Count(out, "msg=degraded") != 1 || strings.Contains(out, "request failed") {
			t.Fatalf("want the fault logged once and no failed requests:\n%s", out)
		}
	})
	t.Run("failed retrain keeps the served model", func(t *testing.T) {
		base := mustOpenShop(t)
		trainShopModel(t, base.db)
		shop := serveShop(t, base.db, Config{}, false, nil)
		if h := shop.health(); h.Status != "ok" || shop.srv.shop.Model() == nil {
			t.Fatalf("healthz %+v before the failure", h)
		}
		served := shop.srv.shop.Model()
		// The next save fails, as on a full disk.
		if shop.db.Postgres() {
			must(t, shop.db.W.Exec(`CREATE FUNCTION fail_model_save() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'disk full'; END $$ LANGUAGE plpgsql`).Error)
			must(t, shop.db.W.Exec(`CREATE TRIGGER fail_model_save BEFORE INSERT ON model_artifacts FOR EACH ROW EXECUTE FUNCTION fail_model_save()`).Error)
		} else {
			must(t, shop.db.W.Exec(`CREATE TRIGGER fail_model_save BEFORE INSERT ON model_artifacts BEGIN SELECT RAISE(ABORT, 'disk full'); END`).Error)
		}
		if !shop.srv.shop.Trainer().Start() {
			t.Fatal("training did not start")
		}
		shop.srv.shop.Trainer().Wait()
		if _, err := shop.srv.shop.Trainer().Last(); err == nil {
			t.Fatal("training did not fail")
		}
		if shop.srv.shop.Model() != served {
			t.Fatal("a failed retrain replaced the served model")
		}
		assertHomepageServes(t, shop)
		if h := shop.health(); h.Status != "degraded" || !strings.Contains(h.Reason, "training failed") {
			t.Fatalf("healthz %+v after a failed retrain", h)
		}
	})
}

// A database that still answers reads but refuses writes (a full disk, a
// read-only file) must not look healthy: /healthz says degraded and why,
// the log says so once rather than once per batch, and both clear when
// writes work again.
func TestHealthSaysWhenWritesFail(t *testing.T) {
	base := mustOpenShop(t)
	trainShopModel(t, base.db)
	logs := &syncBuffer{}
	shop := serveShop(t, base.db, Config{Logger: slog.New(slog.NewTextHandler(logs, nil))}, false, nil)
	ctx := context.Background()
	tent := shop.product("SKU-1")
	views := func(n int) {
		for range n {
			if res, _ := shop.newClient().get(productPath(tent)); res.StatusCode != http.StatusOK {
				t.Fatalf("product page: %d", res.StatusCode)
			}
			_ = shop.srv.events.Flush(ctx) // one batch per view
		}
	}
	views(1)
	if h := shop.health(); h.Status != "ok" {
		t.Fatalf("healthz %+v before the failure", h)
	}
	// Every event insert fails from now on, as on a full disk.
	if shop.db.Postgres() {
		must(t, shop.db.W.Exec(`CREATE FUNCTION fail_event_insert() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'disk full'; END $$ LANGUAGE plpgsql`).Error)
		must(t, shop.db.W.Exec(`CREATE TRIGGER fail_event_insert BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION fail_event_insert()`).Error)
	} else {
		must(t, shop.db.W.Exec(`CREATE TRIGGER fail_event_insert BEFORE INSERT ON events BEGIN SELECT RAISE(ABORT, 'disk full'); END`).Error)
	}
	views(5)
	h := shop.health()
	if h.Status != "degraded" || !strings.Contains(h.Reason, "events are not being stored") || !strings.Contains(h.Reason, "(5 lost)") || !strings.Contains(h.Reason, "disk full") {
		t.Fatalf("healthz %+v while every write fails", h)
	}
	if n := strings.Count(logs.String(), `msg="event batch failed"`); n != 1 {
		t.Fatalf("five failed batches logged %d times, want once:\n%s", n, logs.String())
	}
	must(t, shop.db.W.Exec(`DROP TRIGGER fail_event_insert`+map[bool]string{true: " ON events", false: ""}[shop.db.Postgres()]).Error)
	views(1)
	if h := shop.health(); h.Status != "ok" {
		t.Fatalf("healthz %+v after writes work again", h)
	}
	if !strings.Contains(logs.String(), `msg="event writes recovered"`) || !strings.Contains(logs.String(), "events_lost=5") {
		t.Fatalf("the recovery is not logged:\n%s", logs.String())
	}
}

func TestHomepageWhileDatabaseBusy(t *testing.T) {
	t.Parallel()
	shop := mustOpenShop(t)
	shopper := shop.shopperClient()
	shopper.get("/") // shows (and so removes) the welcome message
	release := holdWriteLock(t, shop.db)
	// Beyond the 5s busy timeout, so session and event writes give up.
	time.AfterFunc(9*time.Second, release)
	t.Run("visitor: served from the read pool without waiting", func(t *testing.T) {
		start := time.Now()
		res, doc := shop.newClient().get("/")
		if res.StatusCode != http.StatusOK || doc.Find("[data-product-id]").Length() == 0 {
			t.Fatalf("homepage: %d", res.StatusCode)
		}
		if d := time.Since(start); d > 3*time.Second {
			t.Fatalf("homepage waited %s behind the writer", d)
		}
	})
	t.Run("a write that cannot get the lock says busy, not 500", func(t *testing.T) {
		tent := shop.product("SKU-1")
		res := shopper.post(productPath(tent), "/cart/add", url.Values{"product_id": {utoa(tent.ID)}, "quantity": {"1"}})
		// It either gives up after the busy timeout with 503 "busy", or (when
		// it queued behind another waiting write) succeeds once the lock is
		// gone; never a 500.
		if res.StatusCode != http.StatusServiceUnavailable && res.StatusCode != http.StatusSeeOther {
			t.Fatalf("add to cart while locked: %d, want 503 or 303", res.StatusCode)
		}
	})
	t.Run("shopper: the page is served, reads only", func(t *testing.T) {
		start := time.Now()
		res, _ := shopper.get("/")
		if res.StatusCode != http.StatusOK {
			t.Fatalf("homepage: %d, want 200", res.StatusCode)
		}
		if d := time.Since(start); d > 3*time.Second {
			t.Fatalf("a signed-in page view waited %s behind the writer", d)
		}
	})
	release()
	if res, _ := shopper.get("/"); res.StatusCode != http.StatusOK {
		t.Fatalf("after the lock is gone: %d", res.StatusCode)
	}
}

func TestBackupWhileServingAndRestore(t *testing.T) {
	shop := mustOpenShop(t)
	ctx := context.Background()
	trainShopModel(t, shop.db)
	secret, _, err := shop.db.CreateAPIKey(ctx, "test", "ingest", models.ScopeEvents)
	must(t, err)
	base, stop := listen(t, shop.db)
	tent := shop.product("SKU-1")

	// Shoppers browse and a tracker posts events while the backup runs.
	var running atomic.Bool
	running.Store(true)
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; running.Load() && i < 2000; i++ {
				var res *http.Response
				var err error
				if w%2 == 0 {
					res, err = http.Get(base + productPath(tent))
				} else {
					req, _ := http.NewRequest(http.MethodPost, base+"/api/v1/events",
						strings.NewReader(`{"events":[{"user_id":"load","product_id":"SKU-2","type":"click"}]}`))
					req.Header.Set("Authorization", "Bearer "+secret)
					res, err = http.DefaultClient.Do(req)
				}
				if err == nil {
					res.Body.Close()
				}
			}
		}()
	}
	time.Sleep(200 * time.Millisecond)
	before, err := shop.db.Counts(ctx)
	must(t, err)
	copyPath := filepath.Join(t.TempDir(), "backup.db")
	must(t, shop.db.Backup(ctx, copyPath))
	running.Store(false)
	wg.Wait()
	must(t, stop())
	after, err := shop.db.Counts(ctx)
	must(t, err)

	backup := openBackup(t, copyPath)
	check := "ok"
	if !backup.Postgres() {
		must(t, backup.R.Raw("PRAGMA integrity_check").Scan(&check).Error)
	}
	got, err := backup.Counts(ctx)
	must(t, err)
	backup.Close()
	if check != "ok" || got.Products != before.Products || got.Shoppers != before.Shoppers || got.Orders != before.Orders {
		t.Fatalf("backup integrity %q, counts %+v, live before %+v", check, got, before)
	}
	if got.Events < before.Events || got.Events > after.Events {
		t.Fatalf("backup has %d events, live had %d before and %d after", got.Events, before.Events, after.Events)
	}

	// A backup of the stopped shop holds exactly what the shop holds.
	quiet := filepath.Join(t.TempDir(), "quiet.db")
	must(t, shop.db.Backup(ctx, quiet))
	if err := shop.db.Backup(ctx, quiet); !errors.Is(err, models.ErrInvalid) {
		t.Fatalf("backup over an existing file: %v", err)
	}

	// Restore as README says: with the shop stopped, copy the backup over
	// the database file (removing -wal and -shm), then start the shop; on
	// PostgreSQL, pg_restore it into an empty database.
	db := openBackup(t, quiet)
	rc, err := db.Counts(ctx)
	must(t, err)
	if rc != after {
		t.Fatalf("restored counts %+v, shop had %+v", rc, after)
	}
	rshop := serveShop(t, db, Config{}, false, nil)
	assertHomepageServes(t, rshop)
	if h := rshop.health(); h.Status != "ok" {
		t.Fatalf("restored shop health %+v, want the stored model served", h)
	}
	if !rshop.shopperClient().isShopper() {
		t.Fatal("cannot log in to the restored shop")
	}
}

func copyFile(tb testing.TB, from, to string) {
	tb.Helper()
	b, err := os.ReadFile(from)
	must(tb, err)
	must(tb, os.WriteFile(to, b, 0o644))
	for _, suffix := range []string{"-wal", "-shm"} {
		os.Remove(to + suffix)
	}
}

func TestAPIAcknowledgesOnlyCommittedEvents(t *testing.T) {
	shop := mustOpenShop(t)
	secret, _, err := shop.db.CreateAPIKey(context.Background(), "test", "ingest", models.ScopeEvents)
	must(t, err)
	post := func() (int, time.Duration) {
		req, _ := http.NewRequest(http.MethodPost, shop.ts.URL+"/api/v1/events",
			strings.NewReader(`{"events":[{"user_id":"acked","product_id":"SKU-1","type":"purchase","value":1}]}`))
		req.Header.Set("Authorization", "Bearer "+secret)
		start := time.Now()
		res, err := http.DefaultClient.Do(req)
		must(t, err)
		res.Body.Close()
		return res.StatusCode, time.Since(start)
	}
	release := holdWriteLock(t, shop.db)
	time.AfterFunc(1500*time.Millisecond, release)
	// While the database cannot commit, the API must not answer.
	status, took := post()
	if status != http.StatusAccepted || took < time.Second {
		t.Fatalf("answered %d after %s while the write lock was held", status, took)
	}
	if n := countEvents(t, shop.db.Target(), models.EventPurchase); n != 1 {
		t.Fatalf("%d events stored when the answer came, want 1", n)
	}
}

func TestBusyDatabaseErrorIsA503(t *testing.T) {
	shop := mustOpenShop(t)
	busy := fmt.Errorf("models: add to cart: %w", sqlite3.Error{Code: sqlite3.ErrBusy})
	req := httptest.NewRequest(http.MethodPost, "/cart/add", nil)
	rec := httptest.NewRecorder()
	c := shop.srv.Echo().NewContext(req, rec)
	shop.srv.errorHandler(busy, c)
	if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), "busy") {
		t.Fatalf("busy database: %d %q, want 503 saying busy", rec.Code, rec.Body.String()[:min(200, rec.Body.Len())])
	}
}

// openBackup opens what Backup wrote: the SQLite copy itself (copied
// where a restore would put it), or a new PostgreSQL database the dump is
// restored into.
func openBackup(t *testing.T, file string) *models.DB {
	t.Helper()
	if os.Getenv(models.TestDBEnv) == "" {
		restored := filepath.Join(t.TempDir(), "storefront.db")
		copyFile(t, file, restored)
		db, err := models.Open(restored)
		must(t, err)
		t.Cleanup(func() { db.Close() })
		return db
	}
	target, drop, err := models.NewPostgresDatabase(os.Getenv(models.TestDBEnv), "sf_test_")
	must(t, err)
	t.Cleanup(func() { drop() })
	must(t, models.RestorePostgres(context.Background(), file, target))
	db, err := models.Open(target)
	must(t, err)
	t.Cleanup(func() { db.Close() })
	return db
}
