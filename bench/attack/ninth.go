package main

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"storefront/models"
)

// ninthImageHosts gives the seeded world's products images on thousands of
// hosts, as a marketplace's catalog has them (each seller on a subdomain of
// the image service, some on a host of their own), before the server starts.
func ninthImageHosts(db *models.DB) error {
	return db.W.Exec(`UPDATE products SET image_url = CASE WHEN id % 3 = 0
		THEN 'https://www.seller-' || id || '.example/p/' || id || '.jpg'
		ELSE 'https://seller' || id || '.images.marketplace-cdn.example/p/' || id || '.jpg' END
		WHERE external_id <> 'SKU-10002'`).Error
}

var productImage = regexp.MustCompile(`<img[^>]+class="product-image"[^>]+src="(https://[^"]+)"|<img[^>]+src="(https://[^"]+)"[^>]+class="product-image"`)

// ninthAttack replays what the ninth outside attack found (docs/security.md).
func (a *attack) ninthAttack() {
	// High: every answer's content security policy listed every host of
	// the catalog's images. With images on thousands of hosts the header
	// was hundreds of kB: Chromium refused every page
	// (ERR_RESPONSE_HEADERS_TOO_BIG), and nginx, the documented proxy,
	// answers 502 past its 4 kB proxy_buffer_size.
	c := a.client("127.0.0.91")
	home, _ := c.get("/")
	page, body := c.get("/p/1")
	if page.StatusCode == http.StatusMovedPermanently {
		page, body = c.get(page.Header.Get("Location"))
	}
	img := ""
	if m := productImage.FindStringSubmatch(body); m != nil {
		img = m[1] + m[2]
	}
	allowed := img != "" && imageAllowed(page.Header.Get("Content-Security-Policy"), img)
	size := max(headerBytes(home.Header), headerBytes(page.Header))
	a.check("images on thousands of hosts keep every page's headers small", home.StatusCode == 200 && page.StatusCode == 200 && size < 4096 && allowed,
		"homepage %d, product page %d: headers of at most %d bytes; its image %s allowed: %t", home.StatusCode, page.StatusCode, size, img, allowed)
}

func headerBytes(h http.Header) int {
	n := 0
	for k, vs := range h {
		for _, v := range vs {
			n += len(k) + len(v) + 4
		}
	}
	return n
}

// imageAllowed reports whether a content security policy's img-src allows
// the image: its scheme, its origin or its origin's parent by a wildcard.
func imageAllowed(csp, img string) bool {
	u, err := url.Parse(img)
	if err != nil {
		return false
	}
	for _, d := range strings.Split(csp, ";") {
		f := strings.Fields(d)
		if len(f) == 0 || f[0] != "img-src" {
			continue
		}
		for _, s := range f[1:] {
			if s == u.Scheme+":" || s == u.Scheme+"://"+u.Host ||
				strings.HasPrefix(s, u.Scheme+"://*.") && strings.HasSuffix(u.Host, strings.TrimPrefix(s, u.Scheme+"://*")) {
				return true
			}
		}
	}
	return false
}
