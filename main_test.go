package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"storefront/models"
	"storefront/recommender"
	"storefront/shop"
)

// binary is the storefront command built once for the process-level tests.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "storefront-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "storefront")
	build := exec.Command("go", "build", "-o", binary, ".")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build storefront:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// shopFixture is a small shop on disk: products and, for the API, a key.
type shopFixture struct {
	path   string
	secret string
	pages  []string // product page paths
}

func newShopFixture(t *testing.T) *shopFixture {
	t.Helper()
	path := filepath.Join(t.TempDir(), "shop.db")
	db, err := models.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	f := &shopFixture{path: path}
	for c, name := range []string{"Outdoor", "Kitchen"} {
		cat := models.Category{Slug: strings.ToLower(name), Name: name}
		mustDo(t, db.W.Create(&cat).Error)
		for i := range 10 {
			p := models.Product{ExternalID: fmt.Sprintf("SKU-%d-%d", c, i), Slug: fmt.Sprintf("item-%d-%d", c, i),
				Title: fmt.Sprintf("%s item %d", name, i), Brand: "Brand", CategoryID: cat.ID, PriceCents: int64(1000 + i),
				Stock: 100, Active: true, Popularity: float64(10 - i), CreatedAt: time.Now().UTC()}
			mustDo(t, db.W.Create(&p).Error)
			f.pages = append(f.pages, fmt.Sprintf("/p/%d-%s", p.ID, p.Slug))
		}
	}
	f.secret, _, err = db.CreateAPIKey(ctx, "test", "ingest", models.ScopeEvents)
	mustDo(t, err)
	return f
}

func mustDo(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}

func (f *shopFixture) count(t *testing.T, typ string) int64 {
	t.Helper()
	db, err := models.Open(f.path)
	mustDo(t, err)
	defer db.Close()
	var n int64
	mustDo(t, db.R.Model(&models.Event{}).Where("type = ?", typ).Count(&n).Error)
	return n
}

// server is a running `storefront serve` process.
type server struct {
	cmd    *exec.Cmd
	base   string
	stderr *bytes.Buffer
	exited chan error
}

func startServe(t *testing.T, dbPath string) *server {
	t.Helper()
	// Every test client is a new visitor from 127.0.0.1, whose views
	// the tests count: no budget of new visitors per address.
	cmd := exec.Command(binary, "serve", "--db", dbPath, "--addr", "127.0.0.1:0", "--train-every", "0", "--new-visitors-per-minute", "0")
	stdout, err := cmd.StdoutPipe()
	mustDo(t, err)
	s := &server{cmd: cmd, stderr: &bytes.Buffer{}, exited: make(chan error, 1)}
	cmd.Stderr = s.stderr
	mustDo(t, cmd.Start())
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if rest, ok := strings.CutPrefix(sc.Text(), "Storefront is open at "); ok {
				addr <- strings.TrimSuffix(rest, "/")
			}
		}
		io.Copy(io.Discard, stdout)
	}()
	go func() { s.exited <- cmd.Wait() }()
	select {
	case s.base = <-addr:
	case err := <-s.exited:
		t.Fatalf("serve exited: %v\n%s", err, s.stderr)
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		t.Fatal("serve did not start within 60s")
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-s.exited
		s.exited <- nil
	})
	return s
}

func (s *server) wait(t *testing.T) error {
	t.Helper()
	select {
	case err := <-s.exited:
		s.exited <- err
		return err
	case <-time.After(40 * time.Second):
		t.Fatal("serve did not exit within 40s")
		return nil
	}
}

// postEvents sends one batch of click events and reports whether the
// server acknowledged it.
func postEvents(hc *http.Client, base, secret, user string, n int) (bool, error) {
	var b strings.Builder
	b.WriteString(`{"events":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"user_id":%q,"product_id":"SKU-0-%d","type":"click"}`, user, i%10)
	}
	b.WriteString(`]}`)
	req, err := http.NewRequest(http.MethodPost, base+"/api/v1/events", strings.NewReader(b.String()))
	if err != nil {
		return false, err
	}
	req.Header.Set("Authorization", "Bearer "+secret)
	req.Header.Set("Content-Type", "application/json")
	res, err := hc.Do(req)
	if err != nil {
		return false, err
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode == http.StatusAccepted, nil
}

// ingest posts batches from several clients until stop is closed, the
// server goes away or each client has sent its share.
func ingest(base, secret string, stop <-chan struct{}) (acked *atomic.Int64, done func()) {
	acked = &atomic.Int64{}
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			hc := &http.Client{Timeout: 15 * time.Second}
			for i := range 2000 {
				select {
				case <-stop:
					return
				default:
				}
				ok, err := postEvents(hc, base, secret, fmt.Sprintf("w%d-%d", w, i), 25)
				if err != nil {
					return
				}
				if ok {
					acked.Add(25)
				}
			}
		}()
	}
	return acked, wg.Wait
}

func TestKill9KeepsEveryAcknowledgedEvent(t *testing.T) {
	f := newShopFixture(t)
	srv := startServe(t, f.path)
	stop := make(chan struct{})
	acked, done := ingest(srv.base, f.secret, stop)
	deadline := time.Now().Add(10 * time.Second)
	for acked.Load() < 2000 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	// No shutdown, no drain: the process dies mid-ingest.
	mustDo(t, srv.cmd.Process.Signal(syscall.SIGKILL))
	srv.wait(t)
	close(stop)
	done()
	got := acked.Load()
	if got == 0 {
		t.Fatalf("no batch was acknowledged before the kill\n%s", srv.stderr)
	}
	if stored := f.count(t, models.EventClick); stored < got {
		t.Fatalf("%d events stored after kill -9, but %d were acknowledged", stored, got)
	} else {
		t.Logf("acknowledged %d, stored %d", got, stored)
	}
}

func TestSIGTERMDrainsQueuedEvents(t *testing.T) {
	f := newShopFixture(t)
	srv := startServe(t, f.path)
	// Another connection holds the write lock, so the views tracked below
	// stay queued inside the server until the stop has begun.
	lock, err := models.Open(f.path)
	mustDo(t, err)
	defer lock.Close()
	w, err := lock.W.DB()
	mustDo(t, err)
	conn, err := w.Conn(context.Background())
	mustDo(t, err)
	defer conn.Close()
	_, err = conn.ExecContext(context.Background(), "BEGIN IMMEDIATE")
	mustDo(t, err)
	// Few enough to finish well inside the writer's 5s busy timeout.
	const views = 80
	var wg sync.WaitGroup
	var failed atomic.Int64
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < views; i += 4 {
				res, err := http.Get(srv.base + f.pages[i%len(f.pages)])
				if err != nil {
					failed.Add(1)
					continue
				}
				res.Body.Close()
				if res.StatusCode != http.StatusOK {
					failed.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	if failed.Load() > 0 {
		t.Fatalf("%d page views failed", failed.Load())
	}
	mustDo(t, srv.cmd.Process.Signal(syscall.SIGTERM))
	time.Sleep(300 * time.Millisecond)
	_, err = conn.ExecContext(context.Background(), "ROLLBACK")
	mustDo(t, err)
	if err := srv.wait(t); err != nil {
		t.Fatalf("serve exited with %v after SIGTERM\n%s", err, srv.stderr)
	}
	if n := f.count(t, models.EventView); n != views {
		t.Fatalf("%d views stored after SIGTERM, want %d\n%s", n, views, srv.stderr)
	}
}

func TestBackupCommandWhileServing(t *testing.T) {
	f := newShopFixture(t)
	srv := startServe(t, f.path)
	stop := make(chan struct{})
	acked, done := ingest(srv.base, f.secret, stop)
	for deadline := time.Now().Add(20 * time.Second); acked.Load() < 500; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("only %d events acknowledged in 20s\n%s", acked.Load(), srv.stderr)
		}
	}
	to := filepath.Join(t.TempDir(), "backup.db")
	out, err := exec.Command(binary, "backup", "--db", f.path, "--to", to).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "backed up") {
		t.Fatalf("backup: %v\n%s", err, out)
	}
	close(stop)
	done()
	mustDo(t, srv.cmd.Process.Signal(syscall.SIGTERM))
	if err := srv.wait(t); err != nil {
		t.Fatalf("serve: %v", err)
	}
	copy, err := models.Open(to)
	mustDo(t, err)
	defer copy.Close()
	var check string
	mustDo(t, copy.R.Raw("PRAGMA integrity_check").Scan(&check).Error)
	counts, err := copy.Counts(context.Background())
	mustDo(t, err)
	if check != "ok" || counts.Products != 20 || counts.Events < 500 || counts.Events > f.count(t, models.EventClick) {
		t.Fatalf("backup integrity %q, counts %+v", check, counts)
	}
}

func TestRecommendHonoursOptOut(t *testing.T) {
	f := newShopFixture(t)
	db, err := models.Open(f.path)
	mustDo(t, err)
	ctx := context.Background()
	var events []models.Event
	at := time.Now().Add(-72 * time.Hour)
	view := func(user string, productID uint) {
		id := productID
		events = append(events, models.Event{UserKey: user, ProductID: &id, Type: models.EventView, CreatedAt: at})
		at = at.Add(time.Minute)
	}
	for u := range 40 {
		for j := range 4 {
			view(fmt.Sprintf("u%d", u), uint((u/20)*10+(u+j)%10+1)) // two taste groups
		}
	}
	for _, sh := range []struct {
		ext   string
		first uint
	}{{"s1", 1}, {"s2", 11}} {
		mustDo(t, db.W.Create(&models.Shopper{ExternalID: sh.ext, Name: sh.ext}).Error)
		for j := range uint(3) {
			view(sh.ext, sh.first+j)
		}
	}
	mustDo(t, db.InsertEvents(ctx, events))
	_, err = shop.TrainAndStore(ctx, db, recommender.DefaultConfig(), nil)
	mustDo(t, err)
	recommend := func(user string) string {
		var out, errb bytes.Buffer
		if err := run([]string{"recommend", "--db", f.path, "--user", user, "--n", "5"}, &out, &errb); err != nil {
			t.Fatalf("recommend: %v\n%s", err, errb.String())
		}
		var line struct {
			Items []struct {
				ItemID string `json:"item_id"`
				Reason string `json:"reason"`
			} `json:"recommended_items"`
		}
		mustDo(t, json.Unmarshal(out.Bytes(), &line))
		var ids []string
		for _, it := range line.Items {
			if strings.Contains(it.Reason, "you") && user != "" {
				ids = append(ids, "personal:"+it.ItemID)
				continue
			}
			ids = append(ids, it.ItemID)
		}
		return strings.Join(ids, ",")
	}
	if recommend("s1") == recommend("s2") {
		t.Fatal("shoppers with different histories get the same list; the test cannot see an opt-out")
	}
	mustDo(t, db.SetOptOut(ctx, 1, true))
	mustDo(t, db.SetOptOut(ctx, 2, true))
	db.Close()
	a, b := recommend("s1"), recommend("s2")
	if a != b || strings.Contains(a, "personal:") {
		t.Fatalf("opted-out shoppers get %s and %s; want the same non-personal list", a, b)
	}
	// A deleted shopper is served like a stranger, though the stored model
	// was trained before the deletion.
	db, err = models.Open(f.path)
	mustDo(t, err)
	mustDo(t, db.DeleteShopper(ctx, 1))
	db.Close()
	if got, stranger := recommend("s1"), recommend("never-seen-shopper"); got != stranger || strings.Contains(got, "personal:") {
		t.Fatalf("a deleted shopper gets %s; a stranger %s", got, stranger)
	}
}
