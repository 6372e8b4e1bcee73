// Package images turns an uploaded picture into the files a shop serves:
// the bytes are sniffed (the file name and the declared type are not
// trusted), the size in bytes and in pixels is bounded before the picture
// is decoded, and the picture is re-encoded, which drops its metadata
// (camera, location), in a few widths. It is pure: it knows neither the
// database nor HTTP, so products, campaign banners and anything else that
// shows an uploaded picture use the same checks.
package images

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/disintegration/imaging"
	"golang.org/x/image/draw"
	"golang.org/x/image/webp"
)

// Limits of an upload. A picture larger than MaxBytes or MaxSide pixels on
// a side, or with more than MaxPixels, is refused before it is decoded: a
// small file can declare a huge canvas (a decompression bomb), and
// decoding allocates four bytes per pixel.
const (
	MaxBytes  = 8 << 20
	MaxSide   = 8000
	MaxPixels = 40_000_000
	MinSide   = 16
)

// Variant is one served size of a picture: its name and the box it fits in.
type Variant struct {
	Name string
	Box  int // longest side, in pixels; pictures are never enlarged
}

// Variants are the sizes every upload is stored in: a card in a row or
// grid (shown up to about 240 CSS pixels wide, twice that for sharp
// screens), the product page, and the picture itself, bounded.
var Variants = []Variant{{"card", 480}, {"page", 1200}, {"full", 2000}}

// Error is an upload that cannot be used, with a message for the person
// who sent it.
type Error struct{ Msg string }

func (e *Error) Error() string { return e.Msg }

// IsError reports whether err is a refused upload (as opposed to a failure
// of the shop).
func IsError(err error) bool {
	var e *Error
	return errors.As(err, &e)
}

func refuse(format string, args ...any) error { return &Error{Msg: fmt.Sprintf(format, args...)} }

// File is one encoded variant.
type File struct {
	Variant       string
	Width, Height int
	Data          []byte
}

// Processed is an upload made ready to store: its variants, all in one
// format, and a fingerprint of their content that names them in URLs.
type Processed struct {
	Hash          string // hex SHA-256 of the full variant's bytes
	ContentType   string // image/jpeg, or image/png for pictures with transparency
	Width, Height int    // of the full variant
	SourceType    string // the sniffed type of the upload
	Files         []File
}

// Ext is the file extension of the processed picture's format.
func (p *Processed) Ext() string { return ExtOf(p.ContentType) }

// ExtOf is the file extension of a stored content type.
func ExtOf(contentType string) string {
	if contentType == "image/png" {
		return "png"
	}
	return "jpg"
}

// Read reads an upload of at most MaxBytes.
func Read(r io.Reader) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("images: read upload: %w", err)
	}
	if len(data) > MaxBytes {
		return nil, refuse("The file is larger than %d MB. Upload a smaller picture.", MaxBytes>>20)
	}
	return data, nil
}

var formats = map[string]string{"image/jpeg": "jpeg", "image/png": "png", "image/gif": "gif", "image/webp": "webp"}

// Process checks and converts an upload.
func Process(data []byte) (*Processed, error) {
	if len(data) == 0 {
		return nil, refuse("The file is empty. Choose a JPEG, PNG, WebP or GIF picture.")
	}
	if len(data) > MaxBytes {
		return nil, refuse("The file is larger than %d MB. Upload a smaller picture.", MaxBytes>>20)
	}
	sniffed := http.DetectContentType(data)
	format, ok := formats[sniffed]
	if !ok {
		return nil, refuse("The file is not a picture the shop can show (it looks like %s). Upload a JPEG, PNG, WebP or GIF.", describe(sniffed))
	}
	cfg, err := decodeConfig(format, data)
	if err != nil {
		return nil, refuse("The file looks like a %s picture but cannot be read: %v.", format, err)
	}
	if cfg.Width > MaxSide || cfg.Height > MaxSide || cfg.Width*cfg.Height > MaxPixels {
		return nil, refuse("The picture is %d×%d pixels; the largest accepted is %d pixels on a side and %d megapixels.",
			cfg.Width, cfg.Height, MaxSide, MaxPixels/1_000_000)
	}
	if cfg.Width < MinSide || cfg.Height < MinSide {
		return nil, refuse("The picture is %d×%d pixels; it needs at least %d pixels on each side.", cfg.Width, cfg.Height, MinSide)
	}
	src, err := decode(format, data)
	if err != nil {
		return nil, refuse("The %s picture cannot be read: %v.", format, err)
	}
	b := src.Bounds()
	if (b.Dx() != cfg.Width || b.Dy() != cfg.Height) && (b.Dx() != cfg.Height || b.Dy() != cfg.Width) {
		return nil, refuse("The picture's header and its content disagree on its size.")
	}
	out := &Processed{ContentType: "image/jpeg", SourceType: sniffed}
	if !opaque(src) {
		out.ContentType = "image/png"
	}
	for _, v := range Variants {
		img := fit(src, v.Box)
		var buf bytes.Buffer
		if out.ContentType == "image/png" {
			err = (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&buf, img)
		} else {
			err = jpeg.Encode(&buf, flatten(img), &jpeg.Options{Quality: 82})
		}
		if err != nil {
			return nil, fmt.Errorf("images: encode %s: %w", v.Name, err)
		}
		ib := img.Bounds()
		out.Files = append(out.Files, File{Variant: v.Name, Width: ib.Dx(), Height: ib.Dy(), Data: buf.Bytes()})
	}
	full := out.Files[len(out.Files)-1]
	sum := sha256.Sum256(full.Data)
	out.Hash, out.Width, out.Height = hex.EncodeToString(sum[:]), full.Width, full.Height
	return out, nil
}

func describe(sniffed string) string {
	switch sniffed {
	case "application/octet-stream":
		return "binary data"
	case "text/plain; charset=utf-8":
		return "text"
	}
	return sniffed
}

func decodeConfig(format string, data []byte) (image.Config, error) {
	r := bytes.NewReader(data)
	switch format {
	case "jpeg":
		return jpeg.DecodeConfig(r)
	case "png":
		return png.DecodeConfig(r)
	case "gif":
		return gif.DecodeConfig(r)
	default:
		return webp.DecodeConfig(r)
	}
}

// decode reads the picture; of an animated GIF, the first frame. A JPEG is
// turned the way its camera's EXIF orientation says (a phone photo taken
// upright is stored sideways with a note), since the metadata is dropped.
func decode(format string, data []byte) (image.Image, error) {
	r := bytes.NewReader(data)
	switch format {
	case "jpeg":
		return imaging.Decode(r, imaging.AutoOrientation(true))
	case "png":
		return png.Decode(r)
	case "gif":
		return gif.Decode(r)
	default:
		return webp.Decode(r)
	}
}

// opaque reports whether every pixel is fully opaque.
func opaque(img image.Image) bool {
	if o, ok := img.(interface{ Opaque() bool }); ok {
		return o.Opaque()
	}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if _, _, _, a := img.At(x, y).RGBA(); a != 0xffff {
				return false
			}
		}
	}
	return true
}

// fit scales img down to fit a box×box square, keeping its proportions;
// a smaller picture is copied as it is (which also drops any palette or
// colour model the encoder would not keep).
func fit(img image.Image, box int) *image.NRGBA {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w > box || h > box {
		if w >= h {
			w, h = box, max(1, h*box/w)
		} else {
			w, h = max(1, w*box/h), box
		}
	}
	dst := image.NewNRGBA(image.Rect(0, 0, w, h))
	if w == b.Dx() && h == b.Dy() {
		draw.Draw(dst, dst.Bounds(), img, b.Min, draw.Src)
	} else {
		draw.CatmullRom.Scale(dst, dst.Bounds(), img, b, draw.Src, nil)
	}
	return dst
}

// flatten puts an opaque picture on white for JPEG, which has no alpha.
func flatten(img *image.NRGBA) image.Image {
	dst := image.NewRGBA(img.Bounds())
	draw.Draw(dst, dst.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	draw.Draw(dst, dst.Bounds(), img, image.Point{}, draw.Over)
	return dst
}

// URLPrefix is where the shop serves uploaded pictures.
const URLPrefix = "/img/u/"

// URL is the address of a stored picture (its full size): /img/u/<hash>.<ext>.
func URL(hash, ext string) string { return URLPrefix + hash + "." + ext }

// VariantURL is the address of one size of a stored picture, given the
// picture's URL: /img/u/<hash>-card.jpg. Any other URL (an import's
// image_url on another host, say) is returned as it is.
func VariantURL(url, variant string) string {
	hash, _, ext, ok := ParseName(strings.TrimPrefix(url, URLPrefix))
	if !ok || !strings.HasPrefix(url, URLPrefix) {
		return url
	}
	if variant == "full" {
		return URL(hash, ext)
	}
	return URLPrefix + hash + "-" + variant + "." + ext
}

// ParseName reads the last part of a stored picture's address:
// <hash>[-<variant>].<ext>; the variant is "full" when absent.
func ParseName(name string) (hash, variant, ext string, ok bool) {
	base, ext, found := strings.Cut(name, ".")
	if !found || (ext != "jpg" && ext != "png") {
		return "", "", "", false
	}
	hash, variant, found = strings.Cut(base, "-")
	if !found {
		variant = "full"
	}
	if len(hash) != 64 || strings.Trim(hash, "0123456789abcdef") != "" || !slices.ContainsFunc(Variants, func(v Variant) bool { return v.Name == variant }) {
		return "", "", "", false
	}
	return hash, variant, ext, true
}
