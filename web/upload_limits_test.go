package web

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

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
	merch := shop.staffClient(models.RoleMerchandiser)
	if res := post(merch, "/admin/import", 100<<20); res.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("a 100 MB import (limit 64 MB): %d", res.StatusCode)
	}
	admin := shop.staffClient(models.RoleAdmin)
	res, doc := admin.upload("/admin/import", "/admin/import", nil, map[string][2]string{"events": {"big.csv", events}})
	if res.StatusCode != http.StatusOK && res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("admin's 40 MB events file: %d %s", res.StatusCode, strings.TrimSpace(doc.Find("main").Text())[:200])
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
