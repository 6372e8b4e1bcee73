package web

import (
	"bytes"
	"compress/gzip"
	"hash/crc32"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"storefront/models"
)

func TestCRCShiftCombinesChecksums(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 2, 7, 100, 4096, 70000} {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(r.UintN(256))
		}
		for _, cut := range []int{0, n / 3, n} {
			a, c := b[:cut], b[cut:]
			got := multModP(crcShift(uint64(len(c))), crc32.ChecksumIEEE(a)) ^ crc32.ChecksumIEEE(c)
			if want := crc32.ChecksumIEEE(b); got != want {
				t.Fatalf("n=%d cut=%d: combined %08x, want %08x", n, cut, got, want)
			}
		}
	}
}

// gunzipOne reads exactly one gzip member (checking its CRC and length) and
// fails on anything after it.
func gunzipOne(t *testing.T, z []byte) string {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(z))
	if err != nil {
		t.Fatal(err)
	}
	zr.Multistream(false)
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("gunzip: %v", err)
	}
	if rest, _ := io.ReadAll(zr); len(rest) != 0 {
		t.Fatalf("%d bytes after the gzip member", len(rest))
	}
	return string(out)
}

func TestCachedBodySplicedIntoOneGzipMember(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	noise := func(n int) string { // incompressible, to exercise long stored and compressed blocks
		var sb strings.Builder
		for range n {
			sb.WriteByte(byte('a' + r.UintN(26)))
		}
		return sb.String()
	}
	cases := []struct{ name, head, body, tail string }{
		{"empty body", "<html><main>", "", "</main></html>"},
		{"no token", "<html><main>", "<p>" + strings.Repeat("Alpine tent ", 500) + "</p>", "</main></html>"},
		{"tokens", "<html>", csrfMark + `<form><input value="` + csrfMark + `"></form><p>x</p>` + csrfMark, "</html>"},
		{"long layout and body", noise(70000), noise(150000) + csrfMark + noise(10), noise(65535)},
	}
	const token = `tok&"<en>`
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			want := tc.head + strings.ReplaceAll(tc.body, csrfMark, "tok&amp;&#34;&lt;en&gt;") + tc.tail
			bd := newBody([]byte(tc.body))
			var out bytes.Buffer
			g := newGzipWriter(&out)
			g.stored([]byte(tc.head))
			bd.writeGzip(g, token)
			g.stored([]byte(tc.tail))
			g.close()
			if got := gunzipOne(t, out.Bytes()); got != want {
				t.Fatalf("gzip answer differs from the page: %d bytes, want %d", len(got), len(want))
			}
			var plain bytes.Buffer
			plain.WriteString(tc.head)
			if err := bd.writeTo(&plain, token); err != nil {
				t.Fatal(err)
			}
			plain.WriteString(tc.tail)
			if plain.String() != want {
				t.Fatalf("plain answer differs from the page: %d bytes, want %d", plain.Len(), len(want))
			}
		})
	}
	repetitive := newBody([]byte(strings.Repeat(`<article class="card"><a href="/p/1">Tent</a></article>`, 200)))
	if n := repetitive.size(); n > 11000/5 {
		t.Fatalf("an 11 KB repetitive body keeps %d bytes: not compressed", n)
	}
}

// TestCachedPagesSentGzippedAndPlain fetches cached pages once accepting
// gzip and once not, as visitors (whose layout is kept compressed with the
// body after the first one), a logged-in shopper and a visitor with a cart:
// the gzip answer is one member holding exactly the plain page.
func TestCachedPagesSentGzippedAndPlain(t *testing.T) {
	shop := mustOpenShop(t)
	trainShop(t, shop)
	fetch := func(c *client, path, enc string) (*http.Response, []byte) {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, shop.ts.URL+path, nil)
		must(t, err)
		req.Header.Set("Accept-Encoding", enc) // set explicitly: the client does not inflate
		res, err := c.hc.Do(req)
		must(t, err)
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		must(t, err)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", path, res.StatusCode)
		}
		return res, b
	}
	tent := shop.product("SKU-1")
	paths := []string{productPath(tent), "/c/kitchen", "/search?q=tent"}
	check := func(who string, c *client, want string) {
		t.Helper()
		for _, path := range paths {
			for i := range 2 { // the first answer may render the body, the second is served from the cache
				zres, z := fetch(c, path, "gzip")
				pres, plain := fetch(c, path, "identity")
				if zres.Header.Get("Content-Encoding") != "gzip" || pres.Header.Get("Content-Encoding") != "" {
					t.Fatalf("%s %s #%d: Content-Encoding %q and %q", who, path, i, zres.Header.Get("Content-Encoding"), pres.Header.Get("Content-Encoding"))
				}
				if vary := func(r *http.Response) string { return strings.Join(r.Header.Values("Vary"), ",") }; !strings.Contains(vary(zres), "Accept-Encoding") || !strings.Contains(vary(pres), "Accept-Encoding") {
					t.Fatalf("%s %s: no Vary: Accept-Encoding", who, path)
				}
				// Sent with their length, not chunked (the chunks' end was
				// a write of its own), and Cookie named once in Vary.
				for _, r := range []struct {
					res  *http.Response
					body []byte
				}{{zres, z}, {pres, plain}} {
					if r.res.ContentLength != int64(len(r.body)) || len(r.res.TransferEncoding) > 0 {
						t.Fatalf("%s %s #%d: Content-Length %d for %d bytes, Transfer-Encoding %v", who, path, i, r.res.ContentLength, len(r.body), r.res.TransferEncoding)
					}
					if vary := strings.Join(r.res.Header.Values("Vary"), ","); strings.Count(vary, "Cookie") != 1 {
						t.Fatalf("%s %s #%d: Vary %q", who, path, i, vary)
					}
				}
				page := gunzipOne(t, z)
				if page != string(plain) {
					t.Fatalf("%s %s #%d: the gzip answer (%d bytes) is not the plain page (%d bytes)", who, path, i, len(page), len(plain))
				}
				if strings.Contains(page, csrfMark) || strings.Contains(page, bodyMark) || !strings.Contains(page, "</html>") || !strings.Contains(page, want) {
					t.Fatalf("%s %s #%d: a placeholder left in the page, the page cut short or %q missing", who, path, i, want)
				}
				if len(z) >= len(plain) {
					t.Fatalf("%s %s: gzip answer %d bytes, plain %d", who, path, len(z), len(plain))
				}
			}
		}
	}
	visitor := shop.newClient()
	visitor.get("/")
	check("visitor", visitor, `data-testid="login-link"`)
	other := shop.newClient()
	other.get("/")
	check("another visitor", other, `data-testid="login-link"`)
	ada := shop.shopperClient()
	ada.get("/") // shows the login's flash message once
	check("shopper", ada, `data-testid="account-link"`)
	if res := visitor.post(productPath(tent), "/cart/add", url.Values{"product_id": {utoa(tent.ID)}, "quantity": {"1"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("add to cart: %d", res.StatusCode)
	}
	visitor.get("/cart") // shows the cart's flash message once
	check("visitor with a cart", visitor, `data-testid="cart-count">1<`)

	// A homepage may change between two views (the shopper's product views
	// above are events): each answer is whole.
	for range 2 {
		_, z := fetch(ada, "/", "gzip")
		if page := gunzipOne(t, z); !strings.Contains(page, `data-testid="product-card"`) || !strings.Contains(page, "</html>") {
			t.Fatal("the gzip homepage has no cards or is cut short")
		}
	}
}

// TestVisitorLayoutKeptFromTheFirstView checks that the first view of a
// product page by a visitor without a state of their own keeps the layout
// next to the cached body, so the second visitor's answer is spliced without
// rendering it; a shopper's view does not replace it with their own.
func TestVisitorLayoutKeptFromTheFirstView(t *testing.T) {
	shop := mustOpenShop(t)
	tent := shop.product("SKU-1")
	kept := func() *plainLayout { t.Helper(); return cachedProductBody(t, shop, tent).plain.Load() }
	first := shop.newClient()
	first.get("/")               // the layout is loaded: the versions pages are kept under stay put
	first.get(productPath(tent)) // Go's client asks for gzip
	l := kept()
	var start strings.Builder
	if l == nil || l.head.inflateTo(&start) != nil ||
		!strings.Contains(start.String(), "<title>") || !strings.Contains(start.String(), tent.Title) {
		t.Fatal("the first visitor's layout was not kept with the body")
	}
	ada := shop.shopperClient()
	ada.get("/")
	if _, doc := ada.get(productPath(tent)); doc.Find(`[data-testid="account-link"]`).Length() == 0 {
		t.Fatal("the shopper was served the visitors' layout")
	}
	if k := kept(); k != l {
		t.Fatalf("a shopper's view replaced the visitors' kept layout: %+v", k)
	}
	if _, doc := shop.newClient().get(productPath(tent)); doc.Find(`[data-testid="login-link"]`).Length() == 0 || doc.Find(`[data-testid="product-title"]`).Text() != tent.Title {
		t.Fatal("the second visitor's spliced page lacks the layout or the product")
	}
}

// TestShopperLayoutKeptAndSplicedPerShopper checks that the layout around a
// cached product page is kept compressed for signed-in shoppers after the
// first one's view and spliced with each shopper's own name (escaped), logout
// token and cart count: the gzip answer is the page the identity answer
// renders afresh, and a second shopper with the same cart count is served
// the kept layout.
func TestShopperLayoutKeptAndSplicedPerShopper(t *testing.T) {
	shop := mustOpenShop(t)
	tent := shop.product("SKU-1")
	path := productPath(tent)
	fetch := func(c *client, enc string) string {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, shop.ts.URL+path, nil)
		must(t, err)
		req.Header.Set("Accept-Encoding", enc)
		res, err := c.hc.Do(req)
		must(t, err)
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		must(t, err)
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Encoding") != map[string]string{"gzip": "gzip"}[enc] {
			t.Fatalf("%s: %d, Content-Encoding %q", enc, res.StatusCode, res.Header.Get("Content-Encoding"))
		}
		if enc == "gzip" {
			return gunzipOne(t, b)
		}
		return string(b)
	}
	kept := func() *shopperLayout { t.Helper(); return cachedProductBody(t, shop, tent).shopper.Load() }
	// check fetches the page both ways and returns the header's name, cart
	// count and logout token of the gzip answer.
	check := func(who string, c *client) (name, cart, token string) {
		t.Helper()
		page := fetch(c, "gzip")
		if plain := fetch(c, "identity"); page != plain {
			t.Fatalf("%s: the spliced gzip page (%d bytes) is not the rendered page (%d bytes)", who, len(page), len(plain))
		}
		if strings.Contains(page, shopperMark) || strings.Contains(page, csrfMark) || !strings.Contains(page, tent.Title) {
			t.Fatalf("%s: a placeholder left in the page or the product missing", who)
		}
		doc, err := goquery.NewDocumentFromReader(strings.NewReader(page))
		must(t, err)
		token, _ = doc.Find(`form.logout input[name="_csrf"]`).Attr("value")
		return doc.Find(`[data-testid="account-link"]`).Text(), doc.Find(`[data-testid="cart-count"]`).Text(), token
	}
	zoe, _ := loginAs(t, shop, `Zoë "Z" O'Brien & <Co>`, "zoe@example.com")
	zoe.get("/") // the login's flash message is shown once
	ada := shop.shopperClient()
	ada.get("/")
	zoe.get(path) // renders the body and keeps the shoppers' layout
	first := kept()
	if first == nil {
		t.Fatal("the first shopper's view kept no layout for shoppers")
	}
	name, cart, zoeToken := check("zoe", zoe)
	if name != `Zoë "Z" O'Brien & <Co>` || cart != "0" || zoeToken == "" {
		t.Fatalf("zoe's header: name %q, cart %q, token %q", name, cart, zoeToken)
	}
	name, cart, adaToken := check("ada", ada)
	if name != "Ada Shopper" || cart != "0" || adaToken == "" || adaToken == zoeToken {
		t.Fatalf("ada's header: name %q, cart %q, token %q (zoe's %q)", name, cart, adaToken, zoeToken)
	}
	if kept() != first {
		t.Fatal("a second shopper with the same cart count was not served the kept layout")
	}
	if res := ada.post(path, "/cart/add", url.Values{"product_id": {utoa(tent.ID)}, "quantity": {"2"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("add to cart: %d", res.StatusCode)
	}
	ada.get("/cart") // shows the cart's flash message once
	if _, cart, _ := check("ada with a cart", ada); cart != "2" {
		t.Fatalf("ada's cart count after adding two: %q", cart)
	}
	if _, cart, token := check("zoe again", zoe); cart != "0" || token != zoeToken {
		t.Fatalf("zoe's header after ada's cart: cart %q, token %q", cart, token)
	}
}

// cachedProductBody is the cached body of p's product page for visitors
// and shoppers without a state of their own; it fails the test when the
// page was not cached.
func cachedProductBody(t *testing.T, shop *testShop, p *models.Product) body {
	t.Helper()
	e := shop.srv.bodies.entry("p" + utoa(p.ID) + "|")
	if e == nil {
		t.Fatal("the product page's body was not cached")
	}
	return e.body
}
