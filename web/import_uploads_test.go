package web

import (
	"bytes"
	"fmt"
	"image/color"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"storefront/models"
)

// TestUploadsAreReadOneAtATimeAndImportsKeptFew: the sixteenth outside
// attack. Every upload to /admin/import was read and planned at once, and
// its plan (the whole catalog it read: about 150 MB for a 60 MiB file) was
// kept in the server's memory and its files in the database for an hour:
// one admin uploading the same 60 MiB products file four times one after
// the other took the server from 96 to 683 MiB, four more at once to
// 1.3 GiB, held for the hour. Now a second upload while one is read is
// refused unread (409, saying to wait for its preview), and the shop keeps the newest
// models.MaxPreviewedImports uploads not yet applied; an older one's page
// says it is no longer kept (410). Product pictures the same: a
// merchandiser's 40-megapixel PNGs (258 kB each) sent at once were each
// converted at once, about 650 MB of the server's memory apiece; now one
// is read and converted at a time.
func TestUploadsAreReadOneAtATimeAndImportsKeptFew(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	shop := mustOpenShop(t)
	admin := shop.staffClient(models.RoleAdmin)
	products := func(i int) string {
		return "id,title,description,category,brand,price,stock,created_at\n" +
			fmt.Sprintf("UP-%d,Upload %d Lamp,,Home > Lamps,Glow,24.50,7,\n", i, i)
	}

	// Uploads one after the other: the newest MaxPreviewedImports are kept.
	var jobs []string
	for i := range 4 {
		res, doc := admin.upload("/admin/import", "/admin/import", nil, map[string][2]string{"products": {"p.csv", products(i)}})
		action, _ := doc.Find(`form[action$="/apply"]`).Attr("action")
		if res.StatusCode != http.StatusOK || action == "" {
			t.Fatalf("upload %d: %d, apply form %q", i, res.StatusCode, action)
		}
		jobs = append(jobs, strings.TrimSuffix(strings.TrimPrefix(action, "/admin/import/"), "/apply"))
	}
	const kept = 2 // models.MaxPreviewedImports, and the plans an instance keeps
	var previewed int64
	must(t, shop.db.R.Model(&models.ImportJob{}).Where("state = ?", models.ImportPreviewed).Count(&previewed).Error)
	if previewed > kept {
		t.Errorf("after 4 uploads the database keeps %d previewed imports, want at most %d", previewed, kept)
	}
	shop.srv.imports.mu.Lock()
	plans := len(shop.srv.imports.jobs)
	shop.srv.imports.mu.Unlock()
	if plans > kept {
		t.Errorf("after 4 uploads the server keeps %d plans in memory, want at most %d", plans, kept)
	}
	if res, doc := admin.get("/admin/import/" + jobs[0]); res.StatusCode != http.StatusGone || !strings.Contains(doc.Text(), "no longer kept") {
		t.Errorf("the first upload's page: %d, want 410 saying it is no longer kept", res.StatusCode)
	}
	res := admin.post("/admin/import/"+jobs[3], "/admin/import/"+jobs[3]+"/apply", nil)
	if res.StatusCode != http.StatusSeeOther {
		t.Errorf("applying the newest upload: %d, want 303", res.StatusCode)
	}

	// An upload while another is read: refused before its body is read
	// once it has waited its while for the turn (here 200 ms); a
	// picture's too (a conversion takes up to 650 MB).
	shop.srv.uploadWait = 200 * time.Millisecond
	merch := shop.staffClient(models.RoleMerchandiser)
	picture := "/admin/catalog/" + utoa(shop.product("SKU-1").ID) + "/image"
	for _, route := range []struct {
		c           *client
		path, field string
		says        string
		nextUpload  func() int
	}{
		{admin, "/admin/import", "products", "Another import is being uploaded", func() int {
			res, _ := admin.upload("/admin/import", "/admin/import", nil, map[string][2]string{"products": {"p.csv", products(9)}})
			return res.StatusCode
		}},
		{merch, picture, "image", "Another picture is being uploaded", func() int {
			res, _ := merch.upload(picture, picture, nil, map[string][2]string{"image": {"lamp.png", pngOf(t, 400, 300, color.RGBA{200, 60, 40, 255})}})
			return res.StatusCode
		}},
	} {
		oneAtATime(t, shop, route.c, route.path, route.field, route.says, route.nextUpload)
	}
}

// oneAtATime checks that an upload to path sent while another is being
// read is refused (409, saying says) before its body is read, and that
// nextUpload is taken once the other was answered.
func oneAtATime(t *testing.T, shop *testShop, c *client, path, field, says string, nextUpload func() int) {
	t.Helper()
	_, page := c.get(path)
	token := csrf(page)
	release := heldUpload(t, shop, c, path, field, token)
	const size = 8 << 20
	res, msg, sent := postBigFile(t, shop, c, path, field, token, size)
	status := res.StatusCode
	if status == http.StatusConflict && !strings.Contains(string(msg), says) {
		t.Errorf("%s: the refusal does not say why: %.300s", path, msg)
	}
	if status != http.StatusConflict || sent >= size {
		t.Errorf("%s: an upload while another is read: %d after %d of %d bytes were taken, want 409 before reading it", path, status, sent, size)
	}
	if status := release(); status == 0 || status == http.StatusConflict {
		t.Errorf("%s: the slow upload: %d, want it read and answered", path, status)
	}
	// The slow upload's answer may reach the client a moment before the
	// server lets go of the upload.
	for range 50 {
		if status = nextUpload(); status != http.StatusConflict {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if status == http.StatusConflict || status >= 500 {
		t.Errorf("%s: an upload after the slow one was answered: %d", path, status)
	}
}

// heldUpload starts an upload to path and sends its head and 9 MiB of its
// file (more than socket buffers hold: the picture route reads at most
// 10 MiB, so its part is cut there), so that the server is reading it;
// release sends the rest and returns the answer's status (0: none).
func heldUpload(t *testing.T, shop *testShop, c *client, path, field, token string) (release func() int) {
	t.Helper()
	var head bytes.Buffer
	w := multipart.NewWriter(&head)
	must(t, w.WriteField("_csrf", token))
	_, err := w.CreateFormFile(field, "slow.png")
	must(t, err)
	pr, pw := io.Pipe()
	// A test that stops early ends the upload, or the shop's close would
	// wait for it.
	t.Cleanup(func() { pw.CloseWithError(io.ErrUnexpectedEOF) })
	slow, err := http.NewRequest(http.MethodPost, shop.ts.URL+path, io.MultiReader(&head, pr))
	must(t, err)
	slow.Header.Set("Content-Type", w.FormDataContentType())
	done := make(chan int, 1)
	go func() {
		res, err := c.hc.Do(slow)
		if err != nil {
			done <- 0
			return
		}
		res.Body.Close()
		done <- res.StatusCode
	}()
	_, err = io.Copy(pw, io.LimitReader(repeatReader('x'), 9<<20))
	must(t, err)
	return func() int {
		_, err := io.WriteString(pw, "\r\n--"+w.Boundary()+"--\r\n")
		must(t, err)
		must(t, pw.Close())
		select {
		case status := <-done:
			return status
		case <-time.After(20 * time.Second):
			t.Fatalf("%s: the held upload was not answered", path)
			return 0
		}
	}
}

// TestAPictureSentWhileAnotherIsConvertedWaitsItsTurn: two staff members
// adding pictures at the same moment both get theirs. Uploads are read
// one at a time (TestUploadsAreReadOneAtATimeAndImportsKeptFew); the
// second waited for none and was refused (409), its picture lost, though
// the first was done a moment later.
func TestAPictureSentWhileAnotherIsConvertedWaitsItsTurn(t *testing.T) {
	shop := mustOpenShop(t)
	merch := shop.staffClient(models.RoleMerchandiser)
	admin := shop.staffClient(models.RoleAdmin)
	product := shop.product("SKU-1")
	picture := "/admin/catalog/" + utoa(product.ID) + "/image"
	_, page := merch.get(picture)
	release := heldUpload(t, shop, merch, picture, "image", csrf(page))
	second := make(chan int, 1)
	go func() {
		res, _ := admin.upload(picture, picture, nil, map[string][2]string{"image": {"lamp.png", pngOf(t, 400, 300, color.RGBA{40, 90, 200, 255})}})
		second <- res.StatusCode
	}()
	select {
	case status := <-second:
		t.Fatalf("a picture sent while another was read was answered %d before that one was done, want it to wait its turn", status)
	case <-time.After(300 * time.Millisecond):
	}
	release()
	select {
	case status := <-second:
		if status >= 400 {
			t.Fatalf("a picture sent while another was read: %d once that one was done, want it taken", status)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("a picture sent while another was read was not answered after that one was done")
	}
	if got := shop.product("SKU-1").ImageURL; got == product.ImageURL {
		t.Fatalf("the waiting picture was answered but the product's picture is still %q", got)
	}
}
