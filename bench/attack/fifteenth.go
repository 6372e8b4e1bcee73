package main

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
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
	var mu sync.Mutex
	var statuses []int
	var taken int64
	var wg sync.WaitGroup
	for range uploads {
		wg.Add(1)
		go func() {
			defer wg.Done()
			status, n := merch.upload("/admin/import", token, size)
			mu.Lock()
			statuses, taken = append(statuses, status), taken+n
			mu.Unlock()
		}()
	}
	wg.Wait()
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
}

// upload posts a multipart file of size bytes to path and returns the
// answer's status (0: the connection ended first) and how many bytes of
// the body the server took.
func (c *client) upload(path, token string, size int64) (int, int64) {
	var head bytes.Buffer
	w := multipart.NewWriter(&head)
	w.WriteField("_csrf", token)
	w.CreateFormFile("products", "big.csv")
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
