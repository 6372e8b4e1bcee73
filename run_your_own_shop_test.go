package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
)

// readmeCommands returns the shell lines of the README's "Run your own
// shop" block.
func readmeCommands(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile("README.md")
	mustDo(t, err)
	_, rest, ok := strings.Cut(string(b), "<!-- run-your-own-shop")
	if !ok {
		t.Fatal("README.md has no run-your-own-shop block")
	}
	_, rest, _ = strings.Cut(rest, "```sh\n")
	block, _, ok := strings.Cut(rest, "```")
	if !ok {
		t.Fatal("the run-your-own-shop block is not closed")
	}
	return strings.Split(strings.TrimSpace(block), "\n")
}

// writeOwnShop writes a merchant's catalog (four departments) and a
// history in which each shopper keeps to one department.
func writeOwnShop(t *testing.T, dir string) {
	t.Helper()
	var products, events strings.Builder
	products.WriteString("id,title,description,category,brand,price,stock,created_at\n")
	depts := []string{"Garden > Tools", "Kitchen > Pans", "Toys > Puzzles", "Books > Fiction"}
	for i := range 80 {
		fmt.Fprintf(&products, "G%03d,%s item %d,\"Made well, number %d\",%s,Maker%d,%d.50,25,2026-01-%02dT00:00:00Z\n",
			i, strings.Fields(depts[i%4])[0], i, i, depts[i%4], i%6, 5+i%30, 1+i%28)
	}
	events.WriteString("user_id,product_id,type,timestamp\n")
	start := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	n := 0
	for u := range 240 {
		d := u % 4
		for k := range 10 {
			item := d + 4*((u*7+k*3)%20)
			typ := []string{"view", "view", "click", "view", "add_to_cart", "view", "purchase", "view", "click", "view"}[k]
			fmt.Fprintf(&events, "c%03d,G%03d,%s,%s\n", u, item, typ, start.Add(time.Duration(n)*time.Minute).Format(time.RFC3339))
			n++
		}
	}
	mustDo(t, os.WriteFile(filepath.Join(dir, "products.csv"), []byte(products.String()), 0o644))
	mustDo(t, os.WriteFile(filepath.Join(dir, "events.csv"), []byte(events.String()), 0o644))
}

// TestRunYourOwnShop runs the README's "Run your own shop" commands as
// written, in a fresh directory (the binary TestMain built stands for
// bin/storefront; serve gets a free port), then checks what the README
// promises: a personalized homepage, a working admin login, and settings
// that rename the shop on every page.
func TestRunYourOwnShop(t *testing.T) {
	dir := t.TempDir()
	writeOwnShop(t, dir)
	const email, password = "you@example.com", "a long and private admin password"
	var base string
	for _, line := range readmeCommands(t) {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "go build -o bin/storefront .") {
			continue // TestMain built the same binary
		}
		var stdin string
		if echo, cmd, ok := strings.Cut(line, " | "); ok {
			stdin = strings.Trim(strings.TrimPrefix(echo, "echo "), "'") + "\n"
			line = cmd
		}
		args := strings.Fields(line)
		if args[0] != "bin/storefront" {
			t.Fatalf("unexpected command in the README: %q", line)
		}
		args = args[1:]
		if args[0] == "serve" {
			base = startServeIn(t, dir, append(args, "--addr", "127.0.0.1:0"))
			continue
		}
		cmd := exec.Command(binary, args...)
		cmd.Dir, cmd.Stdin = dir, strings.NewReader(stdin)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v\n%s", line, err, out)
		}
	}
	if base == "" {
		t.Fatal("the README's commands never start the shop")
	}
	if !strings.Contains(stdinOf(t), password) {
		t.Fatalf("the README's staff add does not use the password this test logs in with")
	}

	t.Run("the homepage is personalized", func(t *testing.T) {
		// A shop keeps a standing control group (5 % of visitors by
		// default) that gets the same page without personalization, so
		// one visitor may be in it by design; three in a row would be
		// one chance in 8,000.
		var failures []string
		for range 3 {
			problem := personalizedVisit(t, base)
			if problem == "" {
				return
			}
			failures = append(failures, problem)
		}
		t.Fatalf("no visitor got a personalized homepage:\n%s", strings.Join(failures, "\n"))
	})

	admin := newWebClient(t, base)
	t.Run("the admin login works", func(t *testing.T) {
		res := admin.post("/admin/login", "/admin/login", url.Values{"email": {email}, "password": {password}})
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/admin/layout" {
			t.Fatalf("admin login: %d to %q", res.StatusCode, res.Header.Get("Location"))
		}
		if res, _ := admin.get("/admin/layout"); res.StatusCode != http.StatusOK {
			t.Fatalf("layout editor after login: %d", res.StatusCode)
		}
	})

	t.Run("settings rename the shop on every page", func(t *testing.T) {
		form := url.Values{"name": {"Hazel & Oak"}, "currency": {"USD"}, "number_format": {"1,234.56"}, "time_zone": {"UTC"}}
		if res := admin.post("/admin/settings", "/admin/settings", form); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("save settings: %d", res.StatusCode)
		}
		shopper := newWebClient(t, base)
		_, home := shopper.get("/")
		cat, _ := home.Find(`nav.cat-nav a`).First().Attr("href")
		prod, _ := home.Find(`[data-product-id] a`).First().Attr("href")
		for _, path := range []string{"/", cat, prod, "/search?q=item", "/cart", "/login"} {
			res, doc := shopper.get(path)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("GET %s: %d", path, res.StatusCode)
			}
			if got := doc.Find(`[data-testid="shop-name"]`).Text(); got != "Hazel & Oak" {
				t.Errorf("%s names the shop %q", path, got)
			}
		}
	})
}

// stdinOf returns what the README pipes into staff add.
func stdinOf(t *testing.T) string {
	for _, line := range readmeCommands(t) {
		if echo, _, ok := strings.Cut(line, " | "); ok {
			return echo
		}
	}
	return ""
}

// startServeIn starts `storefront serve` with args in dir and returns its
// address once it listens.
func startServeIn(t *testing.T, dir string, args []string) string {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Dir = dir
	stdout, err := cmd.StdoutPipe()
	mustDo(t, err)
	stderr := &bytes.Buffer{}
	cmd.Stderr = stderr
	mustDo(t, cmd.Start())
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
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
	select {
	case a := <-addr:
		return a
	case <-time.After(60 * time.Second):
		t.Fatalf("serve did not start within 60s\n%s", stderr)
		return ""
	}
}

// webClient is a browser-like client: cookies, no redirects followed.
type webClient struct {
	t    *testing.T
	base string
	hc   *http.Client
}

func newWebClient(t *testing.T, base string) *webClient {
	jar, _ := cookiejar.New(nil)
	return &webClient{t: t, base: base, hc: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (c *webClient) get(path string) (*http.Response, *goquery.Document) {
	c.t.Helper()
	res, err := c.hc.Get(c.base + path)
	mustDo(c.t, err)
	defer res.Body.Close()
	doc, err := goquery.NewDocumentFromReader(res.Body)
	mustDo(c.t, err)
	return res, doc
}

// post submits a form with the CSRF token of the page at from.
func (c *webClient) post(from, path string, form url.Values) *http.Response {
	c.t.Helper()
	_, doc := c.get(from)
	token, _ := doc.Find(`input[name="_csrf"]`).First().Attr("value")
	form.Set("_csrf", token)
	req, err := http.NewRequest(http.MethodPost, c.base+path, strings.NewReader(form.Encode()))
	mustDo(c.t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := c.hc.Do(req)
	mustDo(c.t, err)
	res.Body.Close()
	return res
}

// personalizedVisit is a new visitor who opens the homepage, views a best
// seller and comes back: it says what was wrong, or "" when the homepage
// then has a "because you viewed" row for the product and shows it among
// the recently viewed.
func personalizedVisit(t *testing.T, base string) string {
	t.Helper()
	visitor := newWebClient(t, base)
	_, home := visitor.get("/")
	if n := home.Find("section[data-slot-id]").Length(); n < 6 {
		t.Fatalf("homepage shows %d rows, want the default homepage's", n)
	}
	link, ok := home.Find(`section[data-slot-type="popular"] [data-product-id] a`).First().Attr("href")
	if !ok {
		t.Fatal("no product in the best sellers row")
	}
	_, product := visitor.get(link)
	viewed := strings.TrimSpace(product.Find("h1").First().Text())
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, home = visitor.get("/")
		because := home.Find(`section[data-slot-type="because_viewed"]`)
		if because.Length() > 0 && strings.Contains(because.Text(), viewed) && because.Find(`[data-product-id]`).Length() > 0 {
			break
		}
		if time.Now().After(deadline) {
			var rows []string
			home.Find("section[data-slot-id]").Each(func(_ int, s *goquery.Selection) {
				rows = append(rows, s.AttrOr("data-slot-type", "")+": "+strings.Join(strings.Fields(s.Find("h2").First().Text()), " "))
			})
			return fmt.Sprintf("after viewing %q the homepage has no \"because you viewed\" row for it; rows: %q", viewed, rows)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if !strings.Contains(home.Find(`section[data-slot-type="recently_viewed"]`).Text(), viewed) {
		return fmt.Sprintf("recently viewed does not show %q", viewed)
	}
	return ""
}
