package e2e

import (
	"context"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"storefront/images"
	"storefront/models"
)

func itoa(n int) string { return strconv.Itoa(n) }

// quote is s as a JavaScript string literal.
func quote(s string) string { return strconv.Quote(s) }

// writePhoto writes a w×h PNG of a red disc on a blue ground: a picture a
// person can recognise in a screenshot.
func writePhoto(t *testing.T, w, h int) string {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			dx, dy := x-w/2, y-h/2
			c := color.RGBA{40, 90, uint8(160 + y*60/h), 255}
			if dx*dx+dy*dy < (h/3)*(h/3) {
				c = color.RGBA{210, 50, 40, 255}
			}
			img.Set(x, y, c)
		}
	}
	path := filepath.Join(t.TempDir(), "studio-shot.png")
	f, err := os.Create(path)
	must(t, err)
	must(t, png.Encode(f, img))
	must(t, f.Close())
	return path
}

// TestMerchandiserUploadsAProductImage: from the catalog, a merchandiser
// opens a product's image form, uploads a photo, and the product page and
// the product's search card show it (loaded, at their own sizes); a wrong
// file is refused with a message; removing the image brings the drawing
// back.
func TestMerchandiserUploadsAProductImage(t *testing.T) {
	t.Parallel()
	s := startWorld(t)
	var p models.Product
	must(t, s.db.R.Where("active AND stock > 5 AND image_url = ''").Order("popularity DESC").First(&p).Error)
	photo := writePhoto(t, 1400, 1000)
	b := newBrowser(t, s)
	form := "/admin/catalog/" + itoa(int(p.ID)) + "/image"

	b.step(t, "open the image form from the catalog", func(t *testing.T, b *tab) {
		b.adminLogIn()
		b.open("/admin/catalog?q="+p.ExternalID, `[data-testid="catalog-row"]`)
		b.shotWidths("admin-catalog")
		b.follow(`[data-testid="catalog-row"][data-product-id="`+itoa(int(p.ID))+`"] [data-testid="edit-image"]`, `[data-testid="image-form"]`)
		if got := b.path(); got != form {
			t.Fatalf("the catalog's image link opened %q", got)
		}
		if got := b.text(`[data-testid="image-source"]`); !strings.Contains(got, "Drawn by the shop") {
			t.Fatalf("before any upload the page says %q", got)
		}
	})

	b.step(t, "a file that is not a picture is refused", func(t *testing.T, b *tab) {
		fake := filepath.Join(t.TempDir(), "photo.jpg")
		must(t, os.WriteFile(fake, []byte("just some text, named like a photo"), 0o600))
		b.do("choose the file", chromedp.SetUploadFiles(`#image-file`, []string{fake}))
		b.follow(`[data-testid="upload-image"]`, `[data-testid="image-error"]`)
		if got := b.text(`[data-testid="image-error"]`); !strings.Contains(got, "not a picture") {
			t.Fatalf("the refusal says %q", got)
		}
	})

	var stored string
	b.step(t, "upload a photo", func(t *testing.T, b *tab) {
		b.do("choose the file", chromedp.SetUploadFiles(`#image-file`, []string{photo}))
		b.follow(`[data-testid="upload-image"]`, `[data-testid="flash"]`)
		if got := b.text(`[data-testid="flash"]`); !strings.Contains(got, "Saved the new image (1400×1000)") {
			t.Fatalf("flash %q", got)
		}
		fresh, err := s.db.ProductByID(context.Background(), p.ID)
		must(t, err)
		stored = fresh.ImageURL
		if !strings.HasPrefix(stored, images.URLPrefix) {
			t.Fatalf("the product's image is %q", stored)
		}
		if got := b.text(`[data-testid="image-source"]`); !strings.Contains(got, "Uploaded here") {
			t.Fatalf("after the upload the page says %q", got)
		}
		b.shotWidths("admin-product-image")
		b.open("/admin/catalog?q="+p.ExternalID, `[data-testid="catalog-row"]`)
		b.shotWidths("admin-catalog-uploaded")
		b.open(form, `[data-testid="image-form"]`)
	})

	loaded := func(b *tab, sel string) (src string, width float64) {
		b.t.Helper()
		eventually(b.t, 10*time.Second, func() string {
			if !eval[bool](b, `(() => { const i = document.querySelector(`+quote(sel)+`); return !!i && i.complete && i.naturalWidth > 0; })()`) {
				return sel + " has not loaded"
			}
			return ""
		})
		return eval[string](b, `document.querySelector(`+quote(sel)+`).getAttribute("src")`),
			eval[float64](b, `document.querySelector(`+quote(sel)+`).naturalWidth`)
	}

	b.step(t, "the product page and its card show it", func(t *testing.T, b *tab) {
		b.open("/p/"+itoa(int(p.ID))+"-"+p.Slug, `.product-image`)
		src, w := loaded(b, `.product-image`)
		if src != images.VariantURL(stored, "page") || w != 1200 {
			t.Fatalf("the product page shows %q, %vpx wide; want the page size of %q, 1200px", src, w, stored)
		}
		card := `[data-product-id="` + itoa(int(p.ID)) + `"] img`
		b.open("/search?q="+strings.ReplaceAll(p.Title, " ", "+"), card)
		src, w = loaded(b, card)
		if src != images.VariantURL(stored, "card") || w != 480 {
			t.Fatalf("the search card shows %q, %vpx wide; want the card size, 480px", src, w)
		}
		b.shot("product-uploaded-image-1280")
	})

	b.step(t, "remove the image", func(t *testing.T, b *tab) {
		b.open(form, `[data-testid="remove-image"]`)
		b.follow(`[data-testid="remove-image"]`, `[data-testid="flash"]`)
		if got := b.text(`[data-testid="image-source"]`); !strings.Contains(got, "Drawn by the shop") {
			t.Fatalf("after removing, the page says %q", got)
		}
		b.open("/p/"+itoa(int(p.ID))+"-"+p.Slug, `.product-image`)
		if src, _ := loaded(b, `.product-image`); !strings.HasSuffix(src, ".svg") {
			t.Fatalf("after removing, the product page shows %q", src)
		}
	})
}

// TestAnImportedGroceryIsNotDrawnAsOutdoorGoods: a grocer imports a catalog
// without pictures. On its category page the bagels' and the chickpeas'
// cards show the neutral picture (their initials, on their category's
// colour), not a backpack or a frying pan the shop would draw for a "pack"
// or a "tin"; a tent in the same file is still drawn as a tent.
func TestAnImportedGroceryIsNotDrawnAsOutdoorGoods(t *testing.T) {
	t.Parallel()
	s := startShop(t)
	b := newAdmin(t, s)
	file := writeTemp(t, "grocery.csv", productsHeader+
		"GR1,Hovis Plain Bagels 5 pack,,Food > Bakery,Hovis,1.40,30,\n"+
		"GR2,Napolina Chickpeas in Water 400g tin,,Food > Bakery,Napolina,0.85,30,\n"+
		"GR3,Pan de molde integral con semillas,,Food > Bakery,Bimbo,2.10,30,\n"+
		"GR4,Northpeak Dome Tent,,Food > Bakery,Northpeak,99,30,\n")

	b.step(t, "import the grocery", func(t *testing.T, b *tab) {
		b.importProducts(file)
		if got := b.text(`[data-testid="import-result"]`); !strings.Contains(got, "4 products created") {
			t.Fatalf("result reads %q", got)
		}
		must(t, s.srv.Shop().RefreshCatalog(context.Background(), true))
	})

	b.step(t, "the category page's cards", func(t *testing.T, b *tab) {
		b.open("/c/bakery", `[data-testid="product-card"]`)
		b.shotWidths("category-grocery")
		for _, c := range []struct {
			id, initials string
			neutral      bool
		}{{"GR1", "PB", true}, {"GR2", "CW", true}, {"GR3", "PM", true}, {"GR4", "", false}} {
			p := s.product(c.id)
			card := `[data-testid="product-card"][data-product-id="` + itoa(int(p.ID)) + `"] img`
			svg, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`fetch(document.querySelector(`+quote(card)+`).src).then(r => r.text())`, chromedp.EvalAwaitPromise))
			must(t, err)
			neutral := strings.Contains(svg, `data-picture="placeholder"`)
			if neutral != c.neutral || (c.neutral && !strings.Contains(svg, ">"+c.initials+"</text>")) {
				t.Errorf("%s's card picture (neutral %v, want %v, initials %q): %s", p.Title, neutral, c.neutral, c.initials, svg)
			}
		}
	})
}
