package images

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"strings"
	"testing"
)

func encodePNG(t *testing.T, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func photo(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 120, 255})
		}
	}
	return img
}

// bombPNG is a PNG whose header declares w×h pixels but which carries
// almost no data: decoding it would allocate w*h*4 bytes.
func bombPNG(w, h uint32) []byte {
	var buf bytes.Buffer
	buf.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, data []byte) {
		binary.Write(&buf, binary.BigEndian, uint32(len(data)))
		buf.WriteString(typ)
		buf.Write(data)
		crc := crc32.NewIEEE()
		crc.Write([]byte(typ))
		crc.Write(data)
		binary.Write(&buf, binary.BigEndian, crc.Sum32())
	}
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 6 // 8-bit RGBA
	chunk("IHDR", ihdr)
	chunk("IDAT", []byte{0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01})
	chunk("IEND", nil)
	return buf.Bytes()
}

func TestProcessRefusesWhatItCannotUse(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "empty"},
		{"text named like a picture", []byte("<?php echo 'hi'; ?>"), "not a picture"},
		{"html", []byte("<!DOCTYPE html><html><body>x</body></html>"), "not a picture"},
		{"svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), "not a picture"},
		{"truncated png", encodePNG(t, photo(40, 40))[:60], "cannot be read"},
		{"huge canvas", bombPNG(50_000, 50_000), "50000×50000"},
		{"too many pixels", bombPNG(7000, 7000), "megapixels"},
		{"tiny", encodePNG(t, photo(8, 8)), "at least 16"},
		{"too many bytes", append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, MaxBytes)...), "larger than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Process(tt.data)
			if !IsError(err) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Process = %v, want a refusal mentioning %q", err, tt.want)
			}
		})
	}
	if _, err := Read(bytes.NewReader(make([]byte, MaxBytes+10))); !IsError(err) {
		t.Fatalf("Read of an oversized upload = %v", err)
	}
}

func TestProcessMakesBoundedVariantsWithoutMetadata(t *testing.T) {
	var src bytes.Buffer
	if err := jpeg.Encode(&src, photo(3000, 1500), nil); err != nil {
		t.Fatal(err)
	}
	// A JPEG with an EXIF segment (a camera's location, say) after SOI.
	exif := append([]byte{0xff, 0xe1, 0x00, 0x16}, []byte("Exif\x00\x00GPS-51.5N-0.12W")...)
	data := append(append([]byte{}, src.Bytes()[:2]...), append(exif, src.Bytes()[2:]...)...)
	p, err := Process(data)
	if err != nil {
		t.Fatal(err)
	}
	if p.ContentType != "image/jpeg" || p.Ext() != "jpg" || len(p.Hash) != 64 {
		t.Fatalf("processed as %s .%s hash %q", p.ContentType, p.Ext(), p.Hash)
	}
	want := map[string][2]int{"card": {480, 240}, "page": {1200, 600}, "full": {2000, 1000}}
	for _, f := range p.Files {
		if got := [2]int{f.Width, f.Height}; got != want[f.Variant] {
			t.Errorf("%s is %v, want %v", f.Variant, got, want[f.Variant])
		}
		if bytes.Contains(f.Data, []byte("Exif")) || bytes.Contains(f.Data, []byte("GPS")) {
			t.Errorf("%s keeps the upload's metadata", f.Variant)
		}
		img, err := jpeg.Decode(bytes.NewReader(f.Data))
		if err != nil || img.Bounds().Dx() != f.Width {
			t.Errorf("%s does not decode to its size: %v", f.Variant, err)
		}
	}
	// Processing is deterministic: the same upload gets the same name.
	again, err := Process(data)
	if err != nil || again.Hash != p.Hash {
		t.Fatalf("the same upload hashed %q then %q (%v)", p.Hash, again.Hash, err)
	}
}

func TestProcessKeepsTransparencyAndSmallPictures(t *testing.T) {
	img := image.NewNRGBA(image.Rect(0, 0, 300, 200))
	img.Set(10, 10, color.NRGBA{255, 0, 0, 255}) // the rest is transparent
	p, err := Process(encodePNG(t, img))
	if err != nil {
		t.Fatal(err)
	}
	if p.ContentType != "image/png" {
		t.Fatalf("a transparent picture became %s", p.ContentType)
	}
	for _, f := range p.Files {
		if f.Width != 300 || f.Height != 200 {
			t.Errorf("%s of a small picture is %d×%d, want it not enlarged", f.Variant, f.Width, f.Height)
		}
	}
}

func TestVariantURLs(t *testing.T) {
	hash := strings.Repeat("ab", 32)
	url := URL(hash, "jpg")
	if got := VariantURL(url, "card"); got != "/img/u/"+hash+"-card.jpg" {
		t.Errorf("card URL %q", got)
	}
	if got := VariantURL(url, "full"); got != url {
		t.Errorf("full URL %q", got)
	}
	for _, other := range []string{"https://img.example.com/p1.jpg", "/img/p3.png", "/img/u/notahash.jpg"} {
		if got := VariantURL(other, "card"); got != other {
			t.Errorf("VariantURL(%q) = %q, want it unchanged", other, got)
		}
	}
	for name, want := range map[string]bool{hash + ".jpg": true, hash + "-page.png": true, hash + "-huge.jpg": false,
		hash + ".gif": false, "../" + hash + ".jpg": false, strings.ToUpper(hash) + ".jpg": false} {
		if _, _, _, ok := ParseName(name); ok != want {
			t.Errorf("ParseName(%q) ok = %v", name, ok)
		}
	}
}

// withOrientation puts an EXIF segment holding only the orientation tag
// right after a JPEG's SOI, as a phone camera writes it.
func withOrientation(jpg []byte, orientation uint16) []byte {
	tiff := []byte("MM\x00\x2a\x00\x00\x00\x08") // big-endian, first IFD at 8
	ifd := make([]byte, 2+12+4)
	binary.BigEndian.PutUint16(ifd[0:], 1)      // one entry
	binary.BigEndian.PutUint16(ifd[2:], 0x0112) // Orientation
	binary.BigEndian.PutUint16(ifd[4:], 3)      // SHORT
	binary.BigEndian.PutUint32(ifd[6:], 1)      // one value
	binary.BigEndian.PutUint16(ifd[10:], orientation)
	body := append(append([]byte("Exif\x00\x00"), tiff...), ifd...)
	seg := []byte{0xff, 0xe1, 0, 0}
	binary.BigEndian.PutUint16(seg[2:], uint16(len(body)+2))
	seg = append(seg, body...)
	return append(append(append([]byte{}, jpg[:2]...), seg...), jpg[2:]...)
}

// A phone photo stored sideways with "turn 90° clockwise" is served upright.
func TestProcessTurnsPhotosTheWayTheCameraSays(t *testing.T) {
	// Landscape pixels: red on the left half, blue on the right.
	src := image.NewRGBA(image.Rect(0, 0, 400, 200))
	for y := 0; y < 200; y++ {
		for x := 0; x < 400; x++ {
			c := color.RGBA{220, 20, 20, 255}
			if x >= 200 {
				c = color.RGBA{20, 20, 220, 255}
			}
			src.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, src, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	p, err := Process(withOrientation(buf.Bytes(), 6))
	if err != nil {
		t.Fatal(err)
	}
	full := p.Files[len(p.Files)-1]
	if full.Width != 200 || full.Height != 400 {
		t.Fatalf("served %d×%d, want the upright 200×400", full.Width, full.Height)
	}
	img, err := jpeg.Decode(bytes.NewReader(full.Data))
	if err != nil {
		t.Fatal(err)
	}
	// Turned clockwise, the left (red) half is on top.
	if r, _, b, _ := img.At(100, 50).RGBA(); r < b {
		t.Errorf("the top of the upright photo is blue, want red: the turn went the wrong way")
	}
	if bytes.Contains(full.Data, []byte("Exif")) {
		t.Error("the orientation note was kept")
	}
	// Without the note the photo keeps its stored shape.
	plain, err := Process(buf.Bytes())
	if err != nil || plain.Files[len(plain.Files)-1].Width != 400 {
		t.Fatalf("a photo without orientation: %v", err)
	}
}
