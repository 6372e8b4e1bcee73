package web

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"storefront/images"
	"storefront/models"
)

func pngOf(t *testing.T, w, h int, c color.RGBA) string {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{c.R, uint8(int(c.G) + x%7), c.B, 255})
		}
	}
	var buf bytes.Buffer
	must(t, png.Encode(&buf, img))
	return buf.String()
}

// hugePNG declares a w×h canvas in a few dozen bytes.
func hugePNG(w, h uint32) string {
	var buf bytes.Buffer
	buf.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, data []byte) {
		binary.Write(&buf, binary.BigEndian, uint32(len(data)))
		buf.WriteString(typ)
		buf.Write(data)
		binary.Write(&buf, binary.BigEndian, crc32.ChecksumIEEE(append([]byte(typ), data...)))
	}
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 2
	chunk("IHDR", ihdr)
	chunk("IEND", nil)
	return buf.String()
}

func TestMerchandiserUploadsReplacesAndRemovesAProductImage(t *testing.T) {
	shop := mustOpenShop(t)
	merch := shop.staffClient(models.RoleMerchandiser)
	tent := shop.product("SKU-1")
	form := "/admin/catalog/" + utoa(tent.ID) + "/image"

	t.Run("refused uploads say why and change nothing", func(t *testing.T) {
		tests := []struct {
			name, file, data, want string
		}{
			{"text named like a photo", "tent.jpg", "not a picture at all, just words", "not a picture"},
			{"svg with a script", "tent.png", `<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`, "not a picture"},
			{"too large", "huge.jpg", "\xff\xd8\xff\xe0" + strings.Repeat("x", images.MaxBytes+10), "larger than 8 MB"},
			{"huge dimensions", "bomb.png", hugePNG(60000, 60000), "60000×60000"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				res, doc := merch.upload(form, form, nil, map[string][2]string{"image": {tt.file, tt.data}})
				if res.StatusCode != http.StatusUnprocessableEntity {
					t.Fatalf("status %d, want 422", res.StatusCode)
				}
				if got := doc.Find(`[data-testid="image-error"]`).Text(); !strings.Contains(got, tt.want) {
					t.Fatalf("error %q, want it to mention %q", got, tt.want)
				}
				if p := shop.product("SKU-1"); p.ImageURL != "" {
					t.Fatalf("a refused upload set the image to %q", p.ImageURL)
				}
			})
		}
		res, doc := merch.upload(form, form, nil, nil)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(doc.Find(`[data-testid="image-error"]`).Text(), "Choose a picture") {
			t.Fatalf("no file: %d %q", res.StatusCode, doc.Find(`[data-testid="image-error"]`).Text())
		}
	})

	var first string
	t.Run("an upload is the product's image on its page and its cards", func(t *testing.T) {
		res, _ := merch.upload(form, form, nil, map[string][2]string{"image": {"tent.png", pngOf(t, 1600, 1000, color.RGBA{200, 60, 40, 255})}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("upload: %d", res.StatusCode)
		}
		first = shop.product("SKU-1").ImageURL
		if !strings.HasPrefix(first, "/img/u/") || !strings.HasSuffix(first, ".jpg") {
			t.Fatalf("stored image URL %q", first)
		}
		_, page := shop.newClient().get(productPath(tent))
		src, _ := page.Find(".product-image").Attr("src")
		if src != images.VariantURL(first, "page") {
			t.Fatalf("the product page shows %q, want the page size of %q", src, first)
		}
		_, cat := shop.newClient().get("/c/tents")
		card, _ := cat.Find(`[data-product-id="` + utoa(tent.ID) + `"] img`).Attr("src")
		if card != images.VariantURL(first, "card") {
			t.Fatalf("the category card shows %q", card)
		}
		// The sizes are what their names say, and cacheable for good.
		for variant, width := range map[string]int{"card": 480, "page": 1200, "full": 1600} {
			res, err := http.Get(shop.ts.URL + images.VariantURL(first, variant))
			must(t, err)
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "image/jpeg" {
				t.Fatalf("%s: %d %s", variant, res.StatusCode, res.Header.Get("Content-Type"))
			}
			if cc := res.Header.Get("Cache-Control"); !strings.Contains(cc, "immutable") {
				t.Errorf("%s Cache-Control %q", variant, cc)
			}
			cfg, _, err := image.DecodeConfig(bytes.NewReader(body))
			if err != nil || cfg.Width != width {
				t.Errorf("%s is %d wide (%v), want %d", variant, cfg.Width, err, width)
			}
			req, _ := http.NewRequest(http.MethodGet, shop.ts.URL+images.VariantURL(first, variant), nil)
			req.Header.Set("If-None-Match", res.Header.Get("ETag"))
			again, err := http.DefaultClient.Do(req)
			must(t, err)
			again.Body.Close()
			if again.StatusCode != http.StatusNotModified {
				t.Errorf("%s revalidation: %d, want 304", variant, again.StatusCode)
			}
		}
		if res, err := http.Get(shop.ts.URL + strings.TrimSuffix(first, ".jpg") + ".png"); err != nil || res.StatusCode != http.StatusNotFound {
			t.Errorf("the picture under another extension: %v %v", res.StatusCode, err)
		}
	})

	t.Run("another instance on the same database serves it", func(t *testing.T) {
		b := secondInstance(t, shop)
		res, err := http.Get(b.ts.URL + images.VariantURL(first, "card"))
		must(t, err)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Fatalf("instance B: %d", res.StatusCode)
		}
	})

	t.Run("a new upload replaces it", func(t *testing.T) {
		res, _ := merch.upload(form, form, nil, map[string][2]string{"image": {"tent2.png", pngOf(t, 400, 400, color.RGBA{40, 60, 200, 255})}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("replace: %d", res.StatusCode)
		}
		now := shop.product("SKU-1").ImageURL
		if now == first || !strings.HasPrefix(now, "/img/u/") {
			t.Fatalf("after replacing, the image is %q (was %q)", now, first)
		}
		_, doc := merch.get(form)
		if src, _ := doc.Find(`[data-testid="current-image"]`).Attr("src"); src != images.VariantURL(now, "page") {
			t.Fatalf("the admin shows %q", src)
		}
	})

	t.Run("removing it brings back the drawing", func(t *testing.T) {
		res := merch.post(form, form+"/remove", nil)
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("remove: %d", res.StatusCode)
		}
		if p := shop.product("SKU-1"); p.ImageURL != "" {
			t.Fatalf("image_url after removing: %q", p.ImageURL)
		}
		deadline := time.Now().Add(5 * time.Second)
		for {
			_, page := shop.newClient().get(productPath(tent))
			src, _ := page.Find(".product-image").Attr("src")
			if src == "/img/p/"+utoa(tent.ID)+".svg" {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the product page still shows %q", src)
			}
			time.Sleep(50 * time.Millisecond)
		}
		var n int64
		must(t, shop.db.R.Model(&models.AuditLog{}).Where("action = ?", "product.image").Count(&n).Error)
		if n != 3 {
			t.Errorf("%d audit entries for image changes, want 3", n)
		}
	})

	t.Run("shoppers cannot upload", func(t *testing.T) {
		shopper := shop.newClient()
		res, _ := shopper.upload("/", form, nil, map[string][2]string{"image": {"x.png", pngOf(t, 40, 40, color.RGBA{1, 2, 3, 255})}})
		if res.StatusCode == http.StatusSeeOther && strings.HasPrefix(res.Header.Get("Location"), "/admin/catalog") || res.StatusCode == http.StatusOK {
			t.Fatalf("an anonymous upload: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
		if p := shop.product("SKU-1"); p.ImageURL != "" {
			t.Fatalf("an anonymous upload set the image to %q", p.ImageURL)
		}
	})
}
