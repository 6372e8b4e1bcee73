package web

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"strings"
	"testing"

	"storefront/static"
)

func TestStaticAssets(t *testing.T) {
	shop := mustOpenShop(t)
	c := shop.newClient()
	fetch := func(path string, header map[string]string) (*http.Response, []byte) {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, shop.ts.URL+path, nil)
		must(t, err)
		for k, v := range header {
			req.Header.Set(k, v)
		}
		// The transport would otherwise ask for gzip and unpack it itself.
		if req.Header.Get("Accept-Encoding") == "" {
			req.Header.Set("Accept-Encoding", "identity")
		}
		res, err := c.hc.Do(req)
		must(t, err)
		defer res.Body.Close()
		body, err := io.ReadAll(res.Body)
		must(t, err)
		return res, body
	}
	_, home := c.get("/")
	css, _ := home.Find(`link[rel="stylesheet"]`).Attr("href")
	if css != static.URL("app.css") || !strings.HasPrefix(css, "/static/app.") || css == "/static/app.css" {
		t.Fatalf("stylesheet link %q is not fingerprinted", css)
	}
	plain, err := static.FS.ReadFile("app.css")
	must(t, err)

	t.Run("fingerprinted file is cached for a year", func(t *testing.T) {
		res, body := fetch(css, nil)
		if res.StatusCode != http.StatusOK || !bytes.Equal(body, plain) {
			t.Fatalf("status %d, %d bytes", res.StatusCode, len(body))
		}
		if cc := res.Header.Get("Cache-Control"); cc != "public, max-age=31536000, immutable" {
			t.Errorf("Cache-Control %q", cc)
		}
		if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/css") {
			t.Errorf("Content-Type %q", ct)
		}
	})
	t.Run("gzip when accepted", func(t *testing.T) {
		res, body := fetch(css, map[string]string{"Accept-Encoding": "br, gzip"})
		if res.Header.Get("Content-Encoding") != "gzip" || !strings.Contains(res.Header.Get("Vary"), "Accept-Encoding") {
			t.Fatalf("Content-Encoding %q, Vary %q", res.Header.Get("Content-Encoding"), res.Header.Get("Vary"))
		}
		zr, err := gzip.NewReader(bytes.NewReader(body))
		must(t, err)
		unpacked, err := io.ReadAll(zr)
		must(t, err)
		if !bytes.Equal(unpacked, plain) || len(body) >= len(plain)/2 {
			t.Errorf("gzip body %d bytes unpacks to %d, file is %d", len(body), len(unpacked), len(plain))
		}
		if res, _ := fetch(css, map[string]string{"Accept-Encoding": "gzip;q=0"}); res.Header.Get("Content-Encoding") != "" {
			t.Error("gzip sent although refused")
		}
	})
	t.Run("revalidation", func(t *testing.T) {
		res, _ := fetch(css, nil)
		res2, body := fetch(css, map[string]string{"If-None-Match": res.Header.Get("ETag")})
		if res2.StatusCode != http.StatusNotModified || len(body) != 0 {
			t.Errorf("status %d with %d bytes, want 304", res2.StatusCode, len(body))
		}
	})
	t.Run("plain name is served but revalidated", func(t *testing.T) {
		res, body := fetch("/static/app.css", nil)
		if res.StatusCode != http.StatusOK || !bytes.Equal(body, plain) || res.Header.Get("Cache-Control") != "public, no-cache" {
			t.Errorf("status %d, Cache-Control %q", res.StatusCode, res.Header.Get("Cache-Control"))
		}
	})
	t.Run("unknown file", func(t *testing.T) {
		if res, _ := fetch("/static/app.0000000000.css", nil); res.StatusCode != http.StatusNotFound {
			t.Errorf("status %d", res.StatusCode)
		}
	})
	t.Run("htmx only where it is used", func(t *testing.T) {
		for _, path := range []string{"/", "/c/tents", "/search?q=tent", "/cart", "/login"} {
			_, doc := c.get(path)
			if n := doc.Find(`script[src*="htmx"]`).Length(); n != 0 {
				t.Errorf("%s loads htmx", path)
			}
		}
	})
}
