package web

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"html"
	"io"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/a-h/templ"
	"github.com/klauspost/compress/flate"

	"storefront/templates"
)

// Cached page bodies are kept compressed, ready to be sent as they are to
// the clients that accept gzip (browsers, and the load harness by default):
// a body takes several times less memory and every answer writes several
// times fewer bytes. A gzip member is a header, one DEFLATE stream and a
// trailer (the CRC-32 and length of the uncompressed bytes), and a DEFLATE
// stream is a sequence of blocks; so an answer is spliced per request:
//
//	gzip header
//	stored block: the layout before the body (rendered per request)
//	the body's first piece, compressed once (blocks ending on a byte boundary)
//	stored block: this request's CSRF token
//	the body's next piece …
//	stored block: the layout after the body
//	final empty stored block, CRC-32 (combined from the pieces'), length
//
// Stored blocks cost no compression work; every piece is compressed on its
// own (no back-reference reaches outside it), so the token between pieces
// may have any length. A client without gzip gets the pieces inflated.

// bodyPart is one compressed piece of a body: raw DEFLATE blocks flushed to
// a byte boundary, without a final block.
type bodyPart struct {
	z     []byte
	n     int    // uncompressed length
	crc   uint32 // CRC-32 (IEEE) of the uncompressed bytes
	shift uint32 // x^(8n) mod the CRC polynomial: combines a CRC before the piece with the piece's
}

var deflaters = sync.Pool{New: func() any {
	w, err := flate.NewWriter(io.Discard, flate.BestSpeed)
	if err != nil {
		panic(err) // only for an invalid level
	}
	return w
}}

// compressPart compresses one piece of a body.
func compressPart(s []byte) bodyPart {
	p := bodyPart{n: len(s), crc: crc32.ChecksumIEEE(s), shift: crcShift(uint64(len(s)))}
	if len(s) == 0 {
		return p
	}
	out := templ.GetBuffer()
	defer templ.ReleaseBuffer(out)
	w := deflaters.Get().(*flate.Writer)
	w.Reset(out)
	_, _ = w.Write(s) // writes to a bytes.Buffer cannot fail
	_ = w.Flush()     // a sync flush: ends on a byte boundary, no final block
	deflaters.Put(w)
	p.z = bytes.Clone(out.Bytes()) // exactly its size, out of the pooled buffer
	return p
}

var inflaters = sync.Pool{New: func() any { return flate.NewReader(bytes.NewReader(nil)) }}

// inflateTo writes a piece's uncompressed bytes to w.
func (p *bodyPart) inflateTo(w io.Writer) error {
	if p.n == 0 {
		return nil
	}
	r := inflaters.Get().(io.ReadCloser)
	if err := r.(flate.Resetter).Reset(bytes.NewReader(p.z), nil); err != nil {
		return err
	}
	// The piece has no final block: read exactly its length.
	_, err := io.CopyN(w, r, int64(p.n))
	inflaters.Put(r)
	if err != nil {
		return errors.Join(errors.New("inflate cached page body"), err)
	}
	return nil
}

// gzipHeader is a gzip member header: DEFLATE, no flags, no time, unknown OS.
var gzipHeader = []byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255}

// gzipWriter builds one gzip member from stored (uncompressed) bytes and
// compressed body pieces.
type gzipWriter struct {
	out *bytes.Buffer
	crc uint32
	n   int
}

func newGzipWriter(out *bytes.Buffer) *gzipWriter {
	out.Write(gzipHeader)
	return &gzipWriter{out: out}
}

// stored appends bytes as stored DEFLATE blocks (at most 65,535 bytes each).
func (g *gzipWriter) stored(b []byte) {
	g.crc = crc32.Update(g.crc, crc32.IEEETable, b)
	g.n += len(b)
	for len(b) > 0 {
		n := min(len(b), 0xffff)
		// BFINAL=0, BTYPE=00 (stored), padded to the byte; LEN, NLEN.
		g.out.Write([]byte{0, byte(n), byte(n >> 8), ^byte(n), ^byte(n >> 8)})
		g.out.Write(b[:n])
		b = b[n:]
	}
}

// part appends a compressed piece as it is.
func (g *gzipWriter) part(p *bodyPart) {
	g.out.Write(p.z)
	g.crc = multModP(p.shift, g.crc) ^ p.crc
	g.n += p.n
}

// close ends the stream with an empty final stored block and the trailer.
func (g *gzipWriter) close() {
	g.out.Write([]byte{1, 0, 0, 0xff, 0xff})
	var t [8]byte
	binary.LittleEndian.PutUint32(t[:4], g.crc)
	binary.LittleEndian.PutUint32(t[4:], uint32(g.n))
	g.out.Write(t[:])
}

// newBody compresses a rendered body, split where the CSRF token goes.
func newBody(s []byte) body {
	pieces := bytes.Split(s, []byte(csrfMark))
	b := body{parts: make([]bodyPart, len(pieces)), plain: new(atomic.Pointer[plainLayout]),
		shopper: new(atomic.Pointer[shopperLayout])}
	for i, p := range pieces {
		b.parts[i] = compressPart(p)
	}
	return b
}

// writeGzip appends the body to a gzip member with the request's token.
func (b body) writeGzip(g *gzipWriter, csrf string) {
	tok := []byte(html.EscapeString(csrf))
	for i := range b.parts {
		if i > 0 {
			g.stored(tok)
		}
		g.part(&b.parts[i])
	}
}

// writeTo writes the body uncompressed with the request's token.
func (b body) writeTo(w io.Writer, csrf string) error {
	tok := html.EscapeString(csrf)
	for i := range b.parts {
		if i > 0 {
			if _, err := io.WriteString(w, tok); err != nil {
				return err
			}
		}
		if err := b.parts[i].inflateTo(w); err != nil {
			return err
		}
	}
	return nil
}

// CRC-32 arithmetic for combining checksums (as zlib's crc32_combine): a
// CRC is a polynomial over GF(2) in reflected bit order.

// multModP multiplies a(x) by b(x) modulo the CRC-32 polynomial.
func multModP(a, b uint32) uint32 {
	m := uint32(1) << 31
	var p uint32
	for a != 0 {
		if a&m != 0 {
			p ^= b
			a ^= m
		}
		m >>= 1
		if b&1 != 0 {
			b = b>>1 ^ crc32.IEEE
		} else {
			b >>= 1
		}
	}
	return p
}

// x2n[k] is x^(2^k) modulo the polynomial.
var x2n = func() (t [32]uint32) {
	p := uint32(1) << 30 // x^1
	t[0] = p
	for k := 1; k < 32; k++ {
		p = multModP(p, p)
		t[k] = p
	}
	return t
}()

// crcShift is x^(8n) modulo the polynomial: multModP(crcShift(len(B)),
// crc(A)) ^ crc(B) is crc(A+B).
func crcShift(n uint64) uint32 {
	p := uint32(1) << 31 // x^0
	for k := 3; n != 0; k++ {
		if n&1 != 0 {
			p = multModP(x2n[k&31], p)
		}
		n >>= 1
	}
	return p
}

// plainLayout is the layout around a cached body as every visitor without a
// state of their own sees it — not logged in, no staff session, an empty
// cart, no flash message — compressed once, so such an answer needs no
// layout render and sends the layout compressed too. The rest of what the
// layout shows is the page's title, description, search query and path, the
// category navigation (compared on every use) and the shop's settings and
// catalog, which the body's own cache key already pins (pageVersion).
//
// Only the document's <head> (title, description) is the page's own; it is
// kept compressed on its own (~0.4 KB; sent stored it was ~0.6 KB of a
// product page's ~3.7 KB answer). The header after it and the footer are
// the same on every page a visitor sees, so they are compressed once and
// shared by every body (sharedLayoutParts): keeping a body's layout costs
// the compression of its <head> alone.
type plainLayout struct {
	title, description, query, path string
	nav                             []templates.NavCategory
	head                            bodyPart  // the page's own start, up to </head>, compressed
	header, tail                    *bodyPart // compressed, shared
}

// newPlainLayout keeps the layout rendered around a body for a plain visitor.
func newPlainLayout(b *templates.Base, head, tail []byte) *plainLayout {
	// b.Nav is the catalog's navigation, built once per catalog snapshot
	// and never changed after: kept as it is, not copied for every body.
	l := &plainLayout{title: b.Title, description: b.Description, query: b.Query, path: b.Path, nav: b.Nav}
	own := 0
	if i := bytes.Index(head, []byte("</head>")); i >= 0 {
		own = i + len("</head>")
	}
	l.head = compressPart(head[:own])
	l.header, l.tail = layoutParts.get(head[own:]), layoutParts.get(tail)
	return l
}

// writeGzip writes the layout around the body.
func (l *plainLayout) writeGzip(g *gzipWriter, bd body, csrf string) {
	g.part(&l.head)
	g.part(l.header)
	bd.writeGzip(g, csrf)
	g.part(l.tail)
}

// sharedLayoutParts holds the compressed layout pieces visitors' pages
// share, keyed by their bytes; a change of settings or navigation brings
// new ones, and past maxSharedLayoutParts the old ones are forgotten.
type sharedLayoutParts struct {
	mu sync.Mutex
	m  map[string]*bodyPart
}

const maxSharedLayoutParts = 64

var layoutParts sharedLayoutParts

func (s *sharedLayoutParts) get(b []byte) *bodyPart {
	s.mu.Lock()
	p := s.m[string(b)]
	s.mu.Unlock()
	if p != nil {
		return p
	}
	c := compressPart(b)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil || len(s.m) >= maxSharedLayoutParts {
		s.m = map[string]*bodyPart{}
	}
	s.m[string(b)] = &c
	return &c
}

// plainVisitor reports whether the layout for b is the same for every
// visitor of the page (see plainLayout).
func plainVisitor(b *templates.Base) bool {
	return b.ShopperName == "" && b.StaffName == "" && b.StaffRole == "" && b.CartCount == 0 &&
		b.Flash == "" && b.RequestID == ""
}

func (l *plainLayout) fits(b *templates.Base) bool {
	return l != nil && plainVisitor(b) && l.title == b.Title && l.description == b.Description &&
		l.query == b.Query && l.path == b.Path && sameNav(l.nav, b.Nav)
}

// sameNav reports whether two category navigations are equal. Every page
// of a catalog snapshot shares its one navigation (catalogDerived), so the
// same list is told at once; comparing every category's fields on every
// answer was ~1 % of a product request.
func sameNav(a, b []templates.NavCategory) bool {
	if len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0]) {
		return true
	}
	return slices.Equal(a, b)
}

// shopperMark stands for a signed-in shopper's name while the layout around
// a cached body is rendered for the cache; like csrfMark it survives HTML
// escaping unchanged and is drawn at random when the shop starts.
var shopperMark = randomMark("shopper")

// shopperLayout is the layout around a cached body as a signed-in shopper
// sees it, compressed once and spliced per request like the body: the
// header differs from a visitor's only by the shopper's name, the logout
// form's CSRF token and the cart count, so it is kept split where the name
// and the token go, per cart count. Rendering the layout for every
// signed-in view and sending it uncompressed (~5 KB of a shopper's
// homepage, the category navigation) was a tenth of the server's work on
// the shoppers' homepages. Only the <head> is the page's own; the header
// and footer pieces are shared by every body (shopperLayoutParts). Staff,
// a flash message or a request id still render the layout per request.
type shopperLayout struct {
	title, description, query, path string
	nav                             []templates.NavCategory
	cart                            int
	head                            bodyPart     // the page's own start, up to </head>, compressed
	header, tail                    *markedParts // compressed, shared
}

// markedParts is a piece of layout compressed between the places where the
// shopper's name and the CSRF token go.
type markedParts struct {
	parts []bodyPart
	names []bool // what goes after parts[i]: the name (true) or the token (false)
}

// shopperVisitor reports whether the layout for b is a signed-in shopper's
// that shopperLayout can keep. A query or path holding a placeholder (a
// search for it) is rendered per request: the placeholder would be replaced.
func shopperVisitor(b *templates.Base) bool {
	return b.ShopperName != "" && b.CSRF != "" && b.StaffName == "" && b.StaffRole == "" && b.Flash == "" &&
		b.RequestID == "" && !holdsMark(b.Query) && !holdsMark(b.Path)
}

func holdsMark(s string) bool {
	return strings.Contains(s, "~")
}

func (l *shopperLayout) fits(b *templates.Base) bool {
	return l != nil && shopperVisitor(b) && l.cart == b.CartCount && l.title == b.Title &&
		l.description == b.Description && l.query == b.Query && l.path == b.Path && sameNav(l.nav, b.Nav)
}

// newShopperLayout renders the layout around a body for a signed-in shopper
// with placeholders for their name and token, and keeps it compressed; nil
// when the layout does not hold the body's and the name's places.
func newShopperLayout(ctx context.Context, b templates.Base) (*shopperLayout, error) {
	marked := b
	marked.ShopperName, marked.CSRF = shopperMark, csrfMark
	page := templ.GetBuffer()
	defer templ.ReleaseBuffer(page)
	if err := templates.Page(marked, bodyMarkComponent).Render(ctx, page); err != nil {
		return nil, err
	}
	head, tail, ok := bytes.Cut(page.Bytes(), []byte(bodyMark))
	if !ok || !bytes.Contains(head, []byte(shopperMark)) {
		return nil, nil
	}
	l := &shopperLayout{title: b.Title, description: b.Description, query: b.Query, path: b.Path, nav: b.Nav, cart: b.CartCount}
	own := 0
	if i := bytes.Index(head, []byte("</head>")); i >= 0 {
		own = i + len("</head>")
	}
	if bytes.Contains(head[:own], []byte(shopperMark)) || bytes.Contains(head[:own], []byte(csrfMark)) {
		return nil, nil
	}
	l.head = compressPart(head[:own])
	l.header, l.tail = shopperLayoutParts.get(head[own:]), shopperLayoutParts.get(tail)
	return l, nil
}

// writeGzip writes the layout around the body with the shopper's name and
// token.
func (l *shopperLayout) writeGzip(g *gzipWriter, bd body, name, csrf string) {
	n, tok := []byte(html.EscapeString(name)), []byte(html.EscapeString(csrf))
	g.part(&l.head)
	l.header.write(g, n, tok)
	bd.writeGzip(g, csrf)
	l.tail.write(g, n, tok)
}

func (m *markedParts) write(g *gzipWriter, name, tok []byte) {
	for i := range m.parts {
		g.part(&m.parts[i])
		if i < len(m.names) {
			if m.names[i] {
				g.stored(name)
			} else {
				g.stored(tok)
			}
		}
	}
}

// splitMarked compresses b between the name and token placeholders.
func splitMarked(b []byte) *markedParts {
	m := &markedParts{}
	for {
		n, t := bytes.Index(b, []byte(shopperMark)), bytes.Index(b, []byte(csrfMark))
		if n < 0 && t < 0 {
			m.parts = append(m.parts, compressPart(b))
			return m
		}
		at, isName, l := t, false, len(csrfMark)
		if n >= 0 && (t < 0 || n < t) {
			at, isName, l = n, true, len(shopperMark)
		}
		m.parts = append(m.parts, compressPart(b[:at]))
		m.names = append(m.names, isName)
		b = b[at+l:]
	}
}

// sharedMarkedParts holds the compressed layout pieces shoppers' pages
// share, keyed by their bytes (placeholders in), as sharedLayoutParts does
// for visitors: the cart counts, searches and settings in use.
type sharedMarkedParts struct {
	mu sync.Mutex
	m  map[string]*markedParts
}

var shopperLayoutParts sharedMarkedParts

func (s *sharedMarkedParts) get(b []byte) *markedParts {
	s.mu.Lock()
	p := s.m[string(b)]
	s.mu.Unlock()
	if p != nil {
		return p
	}
	p = splitMarked(b)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil || len(s.m) >= maxSharedLayoutParts {
		s.m = map[string]*markedParts{}
	}
	s.m[string(b)] = p
	return p
}
