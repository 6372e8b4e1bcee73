// Package static embeds the shop's CSS, vendored JavaScript (htmx,
// SortableJS) and icons into the binary, and names each file by its content
// (app.3f9c01d2.css) so browsers may cache it for a year: a changed file
// gets a new name.
package static

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"path"
	"strings"
	"sync"
)

// FS holds every static asset.
//
//go:embed *.css *.js *.svg licenses
var FS embed.FS

// Asset is one file ready to serve.
type Asset struct {
	Name        string // as embedded: "app.css"
	URL         string // fingerprinted: "/static/app.3f9c01d2.css"
	ContentType string
	ETag        string
	Body        []byte
	Gzip        []byte // nil when compressing does not pay
}

type table struct {
	byName map[string]*Asset // "app.css"
	byURL  map[string]*Asset // "app.3f9c01d2.css"
}

// assets is computed once, on first use, and never changes.
var assets = sync.OnceValue(func() table {
	t := table{byName: map[string]*Asset{}, byURL: map[string]*Asset{}}
	err := fs.WalkDir(FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := FS.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		hash := hex.EncodeToString(sum[:])[:12]
		ext := path.Ext(p)
		hashed := strings.TrimSuffix(p, ext) + "." + hash + ext
		ctype := mime.TypeByExtension(ext)
		if ctype == "" {
			ctype = "text/plain; charset=utf-8"
		}
		a := &Asset{Name: p, URL: "/static/" + hashed, ContentType: ctype, ETag: `"` + hash + `"`, Body: body, Gzip: compress(body)}
		t.byName[p], t.byURL[hashed] = a, a
		return nil
	})
	if err != nil {
		panic("static: reading embedded files: " + err.Error())
	}
	return t
})

// compress gzips text assets when that saves at least a tenth.
func compress(body []byte) []byte {
	var b bytes.Buffer
	w, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
	_, _ = w.Write(body)
	_ = w.Close()
	if b.Len() > len(body)*9/10 {
		return nil
	}
	return b.Bytes()
}

// URL returns the fingerprinted address of an embedded file, or
// "/static/"+name when there is no such file.
func URL(name string) string {
	if a, ok := assets().byName[name]; ok {
		return a.URL
	}
	return "/static/" + name
}

// Lookup finds an asset by the path after /static/. Fingerprinted names
// report immutable; a plain name ("app.css") is still served, for old links
// and tools, but must be revalidated.
func Lookup(p string) (a *Asset, immutable bool) {
	t := assets()
	if a, ok := t.byURL[p]; ok {
		return a, true
	}
	a, ok := t.byName[p]
	if !ok {
		return nil, false
	}
	return a, false
}
