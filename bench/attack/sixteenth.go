package main

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"regexp"
	"strings"
	"sync"

	"storefront/models"
	"storefront/seed"
)

// sixteenthAttack replays what the sixteenth outside attack found
// (docs/security.md).
func (a *attack) sixteenthAttack() {
	// Medium (availability): every upload to /admin/import was read and
	// planned at once, and each plan (the whole catalog it read: about
	// 150 MB for a 60 MiB file) stayed in the server's memory, its files
	// in the database, for an hour: one admin uploading a 60 MiB file four
	// times one after the other took the server from 96 to 683 MiB, four
	// more at once to 1.3 GiB. Now one upload is read at a time (another
	// meanwhile is refused unread) and the newest two not yet applied are
	// kept.
	admin := a.client("127.0.16.1")
	if s := admin.staffLogin(seed.DemoAdminEmail); s != http.StatusSeeOther {
		a.check("an admin's imports are kept few", false, "admin login: %d", s)
		return
	}
	token := admin.token("/admin/import")
	var jobs []string
	for i := range 4 {
		csv := "id,title,description,category,brand,price,stock,created_at\n" +
			fmt.Sprintf("SIXTEENTH-%d,Sixteenth Lamp %d,,Home > Lamps,Glow,24.50,7,\n", i, i)
		status, body := admin.uploadCSV("/admin/import", token, "products.csv", csv)
		m := applyAction.FindStringSubmatch(body)
		if status != http.StatusOK || m == nil {
			a.check("an admin's imports are kept few", false, "upload %d: %d, no apply form", i, status)
			return
		}
		jobs = append(jobs, m[1])
	}
	res, _ := admin.get("/admin/import/" + jobs[0])
	a.check("an admin's imports are kept few", res.StatusCode == http.StatusGone,
		"4 uploads one after the other; the first one's page then: %d (410: no longer kept)", res.StatusCode)

	a.oneUploadAtATime("an import is read one at a time", admin, "/admin/import", "products", token, 16<<20)

	// Medium (availability): a product picture's conversion takes up to
	// 650 MB (40 megapixels at 16 bits a channel, a 258 kB PNG), and every
	// staff member's uploads were converted at once: a merchandiser's four
	// at once took the server from 423 to 1,692 MiB. Now one at a time.
	db := a.openDB("a picture is read one at a time")
	if db == nil {
		return
	}
	var p models.Product
	db.R.Where("active").Order("id").Take(&p)
	db.Close()
	picture := fmt.Sprintf("/admin/catalog/%d/image", p.ID)
	a.oneUploadAtATime("a picture is read one at a time", admin, picture, "image", admin.token(picture), 9<<20)
}

// oneUploadAtATime holds one upload to path open (its head and 9 MiB
// sent, more than socket buffers take), sends five more of size bytes
// meanwhile, and checks that they were refused unread.
func (a *attack) oneUploadAtATime(name string, c *client, path, field, token string, size int64) {
	var head bytes.Buffer
	w := multipart.NewWriter(&head)
	w.WriteField("_csrf", token)
	w.CreateFormFile(field, "slow.png")
	pr, pw := io.Pipe()
	req, _ := http.NewRequest(http.MethodPost, a.base+path, io.MultiReader(&head, pr))
	req.Header.Set("Content-Type", w.FormDataContentType())
	slow := make(chan int, 1)
	go func() {
		res, err := c.hc.Do(req)
		if err != nil {
			slow <- 0
			return
		}
		res.Body.Close()
		slow <- res.StatusCode
	}()
	if _, err := io.Copy(pw, io.LimitReader(xs{}, 9<<20)); err != nil {
		a.check(name, false, "the held upload: %v", err)
		return
	}
	before := a.rssMiB()
	const uploads = 5
	statuses, taken := uploadsAtOnce(uploads, func() (int, int64) { return c.uploadField(path, field, token, size) })
	after := a.rssMiB()
	io.WriteString(pw, "\r\n--"+w.Boundary()+"--\r\n")
	pw.Close()
	held := <-slow
	refused := 0
	for _, s := range statuses {
		if s == http.StatusConflict || s == 0 {
			refused++
		}
	}
	// Socket buffers take some of a body the server does not read (about
	// 3.6 MiB a connection over loopback); reading them was all of it.
	a.check(name, refused == uploads && taken < uploads*size/2,
		"%d uploads of %d MiB while one is read: answers %v, %d MiB of them taken; the server %.0f MiB before, %.0f after; the held upload then %d",
		uploads, size>>20, statuses, taken>>20, before, after, held)
}

// uploadField posts a multipart file of size bytes as field to path and
// returns the answer's status (0: the connection ended first) and how
// many bytes of the body the server took.
func (c *client) uploadField(path, field, token string, size int64) (int, int64) {
	var head bytes.Buffer
	w := multipart.NewWriter(&head)
	w.WriteField("_csrf", token)
	w.CreateFormFile(field, "big.png")
	tail := "\r\n--" + w.Boundary() + "--\r\n"
	body := &countingReader{r: io.MultiReader(&head, io.LimitReader(xs{}, size), strings.NewReader(tail))}
	req, _ := http.NewRequest(http.MethodPost, c.a.base+path, body)
	req.ContentLength = int64(head.Len()) + size + int64(len(tail))
	req.Header.Set("Content-Type", w.FormDataContentType())
	res, err := c.hc.Do(req)
	if err != nil {
		return 0, body.n.Load()
	}
	res.Body.Close()
	return res.StatusCode, body.n.Load()
}

var applyAction = regexp.MustCompile(`action="/admin/import/([^"/]+)/apply"`)

// uploadCSV posts one file named name holding csv to path and returns the
// answer's status and body.
func (c *client) uploadCSV(path, token, name, csv string) (int, string) {
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	w.WriteField("_csrf", token)
	fw, _ := w.CreateFormFile("products", name)
	io.WriteString(fw, csv)
	w.Close()
	req, _ := http.NewRequest(http.MethodPost, c.a.base+path, &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	res, err := c.hc.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, strings.TrimSpace(string(b))
}

// uploadsAtOnce sends n uploads at the same time and returns their
// answers' statuses and the bytes the server took of them all.
func uploadsAtOnce(n int, upload func() (status int, taken int64)) ([]int, int64) {
	var mu sync.Mutex
	var statuses []int
	var taken int64
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			status, k := upload()
			mu.Lock()
			statuses, taken = append(statuses, status), taken+k
			mu.Unlock()
		}()
	}
	wg.Wait()
	return statuses, taken
}
