package web

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"storefront/models"
)

// TestUploadsAreReadOnlyFromStaffAndLeaveNoFiles: the fifth outside attack.
// The upload routes skip the site's 2 MB body limit, and the CSRF check
// read the whole form before their own limits or the staff check ran:
// anyone's POST to /admin/import was read in full into a temporary file
// (1 GiB in 7 s over loopback), and the file was never deleted (net/http
// removes those of the request it passed in; the form was parsed on a
// copy). Now a POST to an upload route without a staff session is refused
// unread, a staff upload is read up to its route's limit, and the spooled
// file is deleted when the request ends.
func TestUploadsAreReadOnlyFromStaffAndLeaveNoFiles(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp) // where multipart spools parts over 32 MB
	shop := mustOpenShop(t)
	spooled := func() []string {
		m, _ := filepath.Glob(filepath.Join(tmp, "multipart-*"))
		return m
	}
	// A 40 MB file part: more than the 32 MB a form keeps in memory.
	events := "user_id,product_id,type,timestamp\n" + strings.Repeat("u1,SKU-1,view,2026-05-01T10:00:00Z\n", 40<<20/35)
	post := func(c *client, path string, size int64) *http.Response {
		t.Helper()
		var head bytes.Buffer
		w := multipart.NewWriter(&head)
		_, err := w.CreateFormFile("events", "big.csv")
		must(t, err)
		tail := "\r\n--" + w.Boundary() + "--\r\n"
		body := io.MultiReader(&head, io.LimitReader(repeatReader('x'), size), strings.NewReader(tail))
		req, err := http.NewRequest(http.MethodPost, shop.ts.URL+path, body)
		must(t, err)
		req.ContentLength = int64(head.Len()) + size + int64(len(tail))
		req.Header.Set("Content-Type", w.FormDataContentType())
		res, err := c.hc.Do(req)
		if err != nil {
			return &http.Response{StatusCode: 0}
		}
		res.Body.Close()
		return res
	}
	shopper := shop.shopperClient()
	for _, path := range []string{"/admin/import", "/admin/catalog/1/image"} {
		if res := post(shop.newClient(), path, 64<<20); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/admin/login") {
			t.Errorf("POST %s without a session: %d to %q", path, res.StatusCode, res.Header.Get("Location"))
		}
		if left := spooled(); len(left) > 0 {
			t.Fatalf("POST %s without a session left %d temporary file(s) on the disk", path, len(left))
		}
		if res := post(shopper, path, 64<<20); res.StatusCode != http.StatusForbidden {
			t.Errorf("POST %s as a shopper: %d", path, res.StatusCode)
		}
		if left := spooled(); len(left) > 0 {
			t.Fatalf("POST %s without a session left %d temporary file(s) on the disk", path, len(left))
		}
	}
	admin := shop.staffClient(models.RoleAdmin)
	if res := post(admin, "/admin/import", 100<<20); res.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("a 100 MB import (limit 64 MB): %d", res.StatusCode)
	}
	res, doc := admin.upload("/admin/import", "/admin/import", nil, map[string][2]string{"events": {"big.csv", events}})
	if res.StatusCode != http.StatusOK && res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("admin's 40 MB events file: %d %s", res.StatusCode, truncate(strings.TrimSpace(doc.Find("main").Text()), 200))
	}
	if left := spooled(); len(left) > 0 {
		t.Errorf("the admin's upload left %d temporary file(s) on the disk", len(left))
	}
}

// repeatReader reads as one byte repeated without end.
type repeatReader byte

func (r repeatReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(r)
	}
	return len(p), nil
}

// TestSlowStaffUploadsAreNotCutOffLikePages: a page request has 15 s to
// arrive and 20 s to be answered, and a staff member's catalog over an
// ordinary uplink (64 MiB at 1 Mbit/s: 9 minutes) was cut off by them. An
// upload gets its own, longer deadlines. With page deadlines of 300 ms on
// a real 127.0.0.1 server, an import file sent over 1.5 s is previewed,
// and a cart form sent as slowly is still cut off.
func TestSlowStaffUploadsAreNotCutOffLikePages(t *testing.T) {
	shop := mustOpenShop(t)
	admin := shop.staffClient(models.RoleAdmin)
	_, page := admin.get("/admin/import")
	token := csrf(page)
	shop.srv.deadlines = deadlines{read: 300 * time.Millisecond, write: 300 * time.Millisecond,
		page: 300 * time.Millisecond, upload: time.Minute}
	shop.srv.echo = shop.srv.routes()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	srv := shop.srv.httpServer()
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	base := "http://" + ln.Addr().String() // the jar's cookies are the host's, any port

	// slowly sends body in 10 parts, 150 ms apart.
	slowly := func(c *client, path, contentType string, body []byte) (*http.Response, error) {
		pr, pw := io.Pipe()
		go func() {
			for i := range 10 {
				time.Sleep(150 * time.Millisecond)
				if _, err := pw.Write(body[i*len(body)/10 : (i+1)*len(body)/10]); err != nil {
					return
				}
			}
			pw.Close()
		}()
		req, err := http.NewRequest(http.MethodPost, base+path, pr)
		must(t, err)
		req.ContentLength = int64(len(body))
		req.Header.Set("Content-Type", contentType)
		res, err := c.hc.Do(req)
		pr.CloseWithError(io.ErrClosedPipe)
		return res, err
	}

	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	must(t, w.WriteField("_csrf", token))
	fw, err := w.CreateFormFile("events", "slow-events.csv")
	must(t, err)
	_, err = io.WriteString(fw, "user_id,product_id,type,timestamp\n"+strings.Repeat("u1,SKU-1,view,2026-05-01T10:00:00Z\n", 200))
	must(t, err)
	must(t, w.Close())
	res, err := slowly(admin, "/admin/import", w.FormDataContentType(), body.Bytes())
	if err != nil {
		t.Fatalf("a staff upload sent over 1.5 s (page deadlines 300 ms) was cut off: %v", err)
	}
	doc, err := goquery.NewDocumentFromReader(res.Body)
	res.Body.Close()
	must(t, err)
	if res.StatusCode != http.StatusOK || !strings.Contains(doc.Text(), "slow-events.csv") {
		t.Fatalf("a staff upload sent over 1.5 s: %d %.300s", res.StatusCode, strings.Join(strings.Fields(doc.Find("main").Text()), " "))
	}

	// A page keeps its deadlines.
	_, page = admin.get("/")
	form := url.Values{"_csrf": {csrf(page)}, "product_id": {utoa(shop.product("SKU-1").ID)}, "quantity": {"1"}}
	form.Set("pad", strings.Repeat("x", 1000))
	res, err = slowly(admin, "/cart/add", "application/x-www-form-urlencoded", []byte(form.Encode()))
	if err == nil {
		res.Body.Close()
		if res.StatusCode == http.StatusSeeOther {
			t.Fatalf("a cart form sent over 1.5 s (page deadlines 300 ms) was accepted")
		}
	}
}

// postBigFile posts a form of the token and a file of size bytes as field
// to path, and returns the answer (status 0 when the connection ended
// first), its body, and how much of the form the server took.
func postBigFile(t *testing.T, shop *testShop, c *client, path, field, token string, size int64) (*http.Response, []byte, int64) {
	t.Helper()
	var head bytes.Buffer
	w := multipart.NewWriter(&head)
	must(t, w.WriteField("_csrf", token))
	_, err := w.CreateFormFile(field, "big.bin")
	must(t, err)
	tail := "\r\n--" + w.Boundary() + "--\r\n"
	body := &countingReader{r: io.MultiReader(&head, io.LimitReader(repeatReader('x'), size), strings.NewReader(tail))}
	req, err := http.NewRequest(http.MethodPost, shop.ts.URL+path, body)
	must(t, err)
	req.ContentLength = int64(head.Len()) + size + int64(len(tail))
	req.Header.Set("Content-Type", w.FormDataContentType())
	res, err := c.hc.Do(req)
	if err != nil {
		return &http.Response{StatusCode: 0, Header: http.Header{}}, nil, body.n.Load()
	}
	msg, _ := io.ReadAll(res.Body)
	res.Body.Close()
	return res, msg, body.n.Load()
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

// TestAnUploadIsReadOnlyFromStaffTheRouteIsOpenTo: the fifteenth outside
// attack. An upload route read a staff session's body in full before the
// route's own staff check: a merchandiser's 64 MiB posts to the admins'
// import were each parsed (about 40 MB of the server's memory; 24 at once
// took it from 223 to 1,157 MiB) before the 403, and so was the upload of
// a session whose password was reset since it signed in. Now who may use
// the route is decided first, and such a body is refused unread.
func TestAnUploadIsReadOnlyFromStaffTheRouteIsOpenTo(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	shop := mustOpenShop(t)
	const size = 48 << 20
	post := func(c *client, token, path string) (*http.Response, int64) {
		t.Helper()
		res, _, sent := postBigFile(t, shop, c, path, "products", token, size)
		return res, sent
	}
	const unread = 16 << 20 // what socket buffers may take of a body the server does not read
	admin := shop.staffClient(models.RoleAdmin)
	merch := shop.staffClient(models.RoleMerchandiser)
	merchToken := merch.token("/admin/password")
	if res, sent := post(merch, merchToken, "/admin/import"); res.StatusCode != http.StatusForbidden || sent > unread {
		t.Errorf("a merchandiser's 48 MiB upload to the admins' import: %d after %d MiB of it were taken (a 403 before reading it)", res.StatusCode, sent>>20)
	}
	// The admin's upload to the import is read (and refused for what it holds).
	adminToken := admin.token("/admin/import")
	if res, sent := post(admin, adminToken, "/admin/import"); res.StatusCode == http.StatusForbidden || sent < size {
		t.Errorf("the admin's 48 MiB upload: %d after %d MiB of it were taken (all of it)", res.StatusCode, sent>>20)
	}
	// The admin's password is set anew (on another device): this session
	// signs in again before any upload of it is read.
	var st models.Staff
	must(t, shop.db.R.Where("email = ?", models.RoleAdmin+"@example.com").Take(&st).Error)
	_, err := shop.db.SetStaffPassword(context.Background(), "test", st.ID, "a new password for the test", false)
	must(t, err)
	if res, sent := post(admin, adminToken, "/admin/import"); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/admin/login" || sent > unread {
		t.Errorf("an upload of a session whose password was set since: %d to %q after %d MiB of it were taken (a sign-in before reading it)", res.StatusCode, res.Header.Get("Location"), sent>>20)
	}
}
