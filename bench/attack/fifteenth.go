package main

import (
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"storefront/models"
	"storefront/seed"
)

// fifteenthAttack replays what the fifteenth outside attack found
// (docs/security.md).
func (a *attack) fifteenthAttack() {
	// Medium (availability): an upload route read a staff session's body
	// in full before the route's own role check, so a merchandiser's posts
	// to the admins' import (64 MiB each, about 40 MB of the server's
	// memory while parsed) were all read before their 403: 24 at once took
	// the server from 223 to 1,157 MiB, and a merchandiser may hold 256
	// connections. Now the role is checked first and the body is not read.
	admin := a.client("127.0.15.1")
	admin.staffLogin(seed.DemoAdminEmail)
	const email = "fifteenth-merchandiser@example.com"
	_, body := admin.post("/admin/staff", url.Values{"_csrf": {admin.token("/admin/staff")}, "email": {email},
		"name": {"Fifteenth merchandiser"}, "role": {models.RoleMerchandiser}})
	m := givenPassword.FindStringSubmatch(body)
	if m == nil {
		a.check("a merchandiser's upload to the admins' import is not read", false, "no password shown at Add staff")
		return
	}
	merch := a.client("127.0.15.2")
	res, _ := merch.post("/admin/login", url.Values{"_csrf": {merch.token("/admin/login")}, "email": {email}, "password": {m[1]}})
	chosen := "a fifteenth attack's merchandiser password"
	res2, _ := merch.post("/admin/password", url.Values{"_csrf": {merch.token("/admin/password")}, "current": {m[1]}, "password": {chosen}, "confirm": {chosen}})
	token := merch.token("/admin/password")
	if res.StatusCode != http.StatusSeeOther || res2.StatusCode != http.StatusSeeOther || token == "" {
		a.check("a merchandiser's upload to the admins' import is not read", false, "merchandiser login %d, password %d", res.StatusCode, res2.StatusCode)
		return
	}
	const uploads, size = 8, 48 << 20
	before := a.rssMiB()
	var peak atomic.Int64
	stop := make(chan struct{})
	go func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			if r := int64(a.rssMiB()); r > peak.Load() {
				peak.Store(r)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}()
	statuses, taken := uploadsAtOnce(uploads, func() (int, int64) { return merch.upload("/admin/import", token, size) })
	close(stop)
	refused := 0
	for _, s := range statuses {
		if s == http.StatusForbidden || s == 0 {
			refused++
		}
	}
	// Socket buffers take some of a body the server does not read; reading
	// them was all of it.
	a.check("a merchandiser's upload to the admins' import is not read", refused == uploads && taken < uploads*size/3,
		"%d uploads of 48 MiB: answers %v, %d MiB of them taken by the server; its memory %.0f MiB before, %d MiB at the peak",
		uploads, statuses, taken>>20, before, peak.Load())

	a.fifteenthSignOuts()
}

// fifteenthSignOuts: "Sign out on every other device" read and decoded
// every stored session of the shop to find the shopper's. With 100,000
// sessions stored (a busy shop's signed-in shoppers, or an hour of an
// attacker's add-to-cart messages, each a session of an hour), one
// shopper's dozen sign-outs at once answered 503 after 20 s and held a
// visitor's homepage as long. The sessions are the store's own rows of a
// visitor shown a message, copied as the running build stores them.
func (a *attack) fifteenthSignOuts() {
	const name = "a shopper's sign-outs do not read every session"
	db := a.openDB(name)
	if db == nil {
		return
	}
	defer db.Close()
	var p models.Product
	db.R.Where("active AND stock >= 5 AND visibility <> ?", models.VisibilitySearch).Order("id").Take(&p)
	visitor := a.client("127.0.15.3")
	res, _ := visitor.post("/cart/add", url.Values{"_csrf": {visitor.token("/login")}, "product_id": {strconv.FormatUint(uint64(p.ID), 10)}, "quantity": {"1"}})
	var token string
	for _, ck := range visitor.hc.Jar.Cookies(&url.URL{Scheme: "http", Host: strings.TrimPrefix(a.base, "http://")}) {
		if ck.Name == "sf_session" {
			token = ck.Value
		}
	}
	if token == "" {
		a.check(name, false, "a visitor's add to cart (product %d): %d, no session", p.ID, res.StatusCode)
		return
	}
	const stored = 100_000
	cols := "token, data, expiry"
	if db.W.Exec(`SELECT shopper_id FROM sessions LIMIT 1`).Error == nil {
		cols += ", shopper_id" // kept as the build stores it
	}
	err := db.W.Exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
		INSERT INTO sessions (`+cols+`) SELECT 'fifteenth-' || i || '-' || s.token, `+strings.TrimPrefix(cols, "token, ")+` FROM n, sessions s WHERE s.token = ?`, stored, token).Error
	defer db.W.Exec(`DELETE FROM sessions WHERE token LIKE 'fifteenth-%'`)
	if err != nil {
		a.check(name, false, "store %d sessions: %v", stored, err)
		return
	}
	email, pw := "fifteenth-shopper@example.com", "a fifteenth attack's shopper password"
	reg := a.client("127.0.15.4")
	reg.post("/register", url.Values{"_csrf": {reg.token("/register")}, "name": {"Fifteenth"}, "email": {email}, "password": {pw}})
	const devices = 12
	var clients []*client
	for i := range devices {
		c := a.client("127.0.15." + strconv.Itoa(10+i))
		if s := c.login("/login", email, pw); s != http.StatusSeeOther {
			a.check(name, false, "device %d's login: %d", i, s)
			return
		}
		clients = append(clients, c)
	}
	tokens := make([]string, devices)
	for i, c := range clients {
		tokens[i] = c.token("/account")
	}
	var mu sync.Mutex
	var answers []int
	var slowest time.Duration
	var wg sync.WaitGroup
	start := time.Now()
	for i, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t0 := time.Now()
			res, _ := c.post("/account/sessions/end", url.Values{"_csrf": {tokens[i]}})
			mu.Lock()
			answers, slowest = append(answers, res.StatusCode), max(slowest, time.Since(t0))
			mu.Unlock()
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	// A visitor's homepage meanwhile, until every sign-out is answered.
	home := a.client("127.0.15.5")
	var homeTook time.Duration
	for waiting := true; waiting && time.Since(start) < time.Minute; {
		t0 := time.Now()
		home.get("/")
		homeTook = max(homeTook, time.Since(t0))
		select {
		case <-done:
			waiting = false
		case <-time.After(200 * time.Millisecond):
		}
	}
	<-done
	answered := 0
	for _, s := range answers {
		if s == http.StatusSeeOther {
			answered++
		}
	}
	a.check(name, answered == devices && slowest < 5*time.Second && homeTook < 5*time.Second,
		"%d sessions stored; %d sign-outs at once: answers %v, the slowest in %s; a visitor's homepage meanwhile at most %s",
		stored+1, devices, answers, slowest.Round(time.Millisecond), homeTook.Round(time.Millisecond))
}

// upload posts a products file of size bytes to path and returns the
// answer's status (0: the connection ended first) and how many bytes of
// the body the server took (uploadField).
func (c *client) upload(path, token string, size int64) (int, int64) {
	return c.uploadField(path, "products", token, size)
}

// xs reads as "x" without end.
type xs struct{}

func (xs) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'x'
	}
	return len(p), nil
}

// countingReader counts the bytes read from it.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}
