package web

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"storefront/models"
)

// TestManyImageHostsKeepTheHeadersSmall: a catalog imported with its images
// on thousands of hosts (a marketplace's sellers, each on a subdomain of the
// image service, and some on hosts of their own) listed every host in the
// content security policy of every answer, 450 kB for 9,000 hosts:
// Chromium refused every page (ERR_RESPONSE_HEADERS_TOO_BIG) and nginx, past
// its 4 kB proxy_buffer_size, answered 502. The policy now names each site
// once, or only the scheme, and still allows every product's image.
func TestManyImageHostsKeepTheHeadersSmall(t *testing.T) {
	shop := mustOpenShop(t)
	ctx := context.Background()
	var kitchen models.Category
	must(t, shop.db.W.Where("slug = ?", "kitchen").First(&kitchen).Error)
	var images []string
	for i := range 600 {
		img := fmt.Sprintf("https://seller%d.images.marketplace-cdn.example/p/%d.jpg", i, i)
		if i%3 == 0 {
			img = fmt.Sprintf("https://www.seller-%d.example/mug.jpg", i)
		}
		images = append(images, img)
		must(t, shop.db.W.Create(&models.Product{ExternalID: fmt.Sprintf("SKU-M%d", i), Slug: fmt.Sprintf("mug-%d", i),
			Title: fmt.Sprintf("Market Mug %d", i), CategoryID: kitchen.ID, PriceCents: 1200, Stock: 4, Active: true, ImageURL: img}).Error)
	}
	must(t, shop.srv.shop.RefreshCatalog(ctx, true))

	c := shop.newClient()
	res, _ := c.get("/")
	size := 0
	for k, vs := range res.Header {
		for _, v := range vs {
			size += len(k) + len(v) + 4
		}
	}
	if res.StatusCode != 200 || size > 2048 {
		t.Fatalf("homepage: %d, headers of %d bytes (at most 2 kB: nginx's default buffer is 4 kB)", res.StatusCode, size)
	}
	csp := res.Header.Get("Content-Security-Policy")
	var sources []string
	for _, d := range strings.Split(csp, ";") {
		if f := strings.Fields(d); len(f) > 0 && f[0] == "img-src" {
			sources = f[1:]
		}
	}
	for _, img := range images {
		if !imageAllowed(sources, img) {
			t.Fatalf("img-src %q does not allow %s", sources, img)
		}
	}
	if !slices.Contains(sources, "'self'") || slices.Contains(sources, "*") || slices.Contains(sources, "http:") {
		t.Errorf("img-src %q: want this site and https images only", sources)
	}
}

// imageAllowed reports whether a CSP source list allows an image URL: a
// scheme ("https:"), an origin, or an origin's subdomains ("https://*.x.example").
func imageAllowed(sources []string, img string) bool {
	u, err := url.Parse(img)
	if err != nil {
		return false
	}
	for _, s := range sources {
		switch {
		case s == u.Scheme+":", s == u.Scheme+"://"+u.Host:
			return true
		case strings.HasPrefix(s, u.Scheme+"://*."):
			if strings.HasSuffix(u.Host, strings.TrimPrefix(s, u.Scheme+"://*")) {
				return true
			}
		}
	}
	return false
}

// compactOrigins keeps a short list as it is, names each site once when
// the list is long (subdomains by a wildcard, one bucket of a shared host
// by itself), and falls back to the schemes.
func TestCompactOrigins(t *testing.T) {
	short := []string{"https://img.example.com", "https://cdn.shop.example"}
	if got := compactOrigins(short, 1024); !slices.Equal(got, short) {
		t.Errorf("a short list: %q", got)
	}
	var long []string
	for i := range 100 {
		long = append(long, fmt.Sprintf("https://s%d.img.shop-cdn.example", i), fmt.Sprintf("https://b%d.s3.amazonaws.com", i%3))
	}
	long = append(long, "https://shop-cdn.example", "http://10.0.0.7:8080")
	slices.Sort(long)
	long = slices.Compact(long)
	want := []string{"http://10.0.0.7:8080", "https://*.shop-cdn.example", "https://b0.s3.amazonaws.com", "https://b1.s3.amazonaws.com",
		"https://b2.s3.amazonaws.com", "https://shop-cdn.example"}
	if got := compactOrigins(long, 1024); !slices.Equal(got, want) {
		t.Errorf("a long list: %q, want %q", got, want)
	}
	if got := compactOrigins(long, 100); !slices.Equal(got, []string{"http:", "https:"}) {
		t.Errorf("too many sites: %q, want the schemes", got)
	}
}
