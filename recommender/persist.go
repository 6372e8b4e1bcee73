package recommender

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/gob"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"time"
)

// File layout: magic, format version (uint32), payload length (uint64),
// CRC-32 of the payload (uint32), payload. The payload is a gob-encoded
// metadata record followed by the numeric arrays as length-prefixed
// little-endian blocks. The checksum is verified before anything is decoded,
// so a truncated or damaged file fails cleanly instead of serving garbage.
const (
	modelMagic   = "SFRECMDL"
	modelVersion = 1
	maxPayload   = 1 << 36 // 64 GiB: anything larger is a corrupt length field
)

// ErrCorruptModel is returned (wrapped) by Load for damaged input.
var ErrCorruptModel = errors.New("recommender: corrupt model file")

type modelMeta struct {
	TrainedAt, DataNow time.Time
	Config             Config
	Items              []Item
	UserIDs            []string
	Stats              Stats
	ALSK               int
	ALSAlpha, ALSReg   float32
	ALSScale           float32 // the strengths' compression (alsModel.scale); 0 in older files
	SVDK               int
	SVDSigma           []float64
	EASEN              int
	UIRows, UICols     int
	Ranker             *Ranker         // the second stage; nil in older files and when it did not pay
	NextCat            *NextCategories // the categories that follow which; nil in older files and when it predicted no better than staying
	Once               []string        // the categories bought once (boughtonce.go), sorted; nil in older files
	// FactorRows: the ALS and SVD user factors hold rows only for the
	// users listed last in the file (factorrows.go); false in older files
	// and when every user has a row.
	FactorRows bool
}

// Save writes the model in a compact, version-tagged binary format.
func (m *Model) Save(w io.Writer) error {
	blob, err := m.Marshal()
	if err != nil {
		return err
	}
	if _, err := w.Write(blob); err != nil {
		return fmt.Errorf("recommender: save model: %w", err)
	}
	return nil
}

// modelHeaderLen is the header before the payload: magic, version, payload
// length and CRC-32.
const modelHeaderLen = 8 + 4 + 8 + 4

// Marshal returns the model as Save writes it, built in one buffer sized
// from the model's memory (the header is filled in place once the payload
// is known), so a large model is not copied from buffer to buffer.
func (m *Model) Marshal() ([]byte, error) {
	var payload bytes.Buffer
	payload.Grow(modelHeaderLen + int(m.memoryBytes()) + 1<<20)
	payload.Write(make([]byte, modelHeaderLen))
	meta := modelMeta{
		TrainedAt: m.TrainedAt, DataNow: m.DataNow, Config: m.cfg, Items: m.cat.items,
		UserIDs: m.userIDs, Stats: m.stats,
		ALSK: m.als.k, ALSAlpha: m.als.alpha, ALSReg: m.als.reg, ALSScale: m.als.scale,
		SVDK: m.svd.k, SVDSigma: m.svd.sigma, EASEN: m.ease.n,
		UIRows: m.ui.rows, UICols: m.ui.cols, Ranker: m.ranker, NextCat: m.nextCat, Once: m.once,
		FactorRows: m.rowOf != nil,
	}
	if err := gob.NewEncoder(&payload).Encode(meta); err != nil {
		return nil, fmt.Errorf("recommender: save model: %w", err)
	}
	e := encoder{w: &payload}
	e.csr(&m.ui)
	e.kinds(m.kind)
	e.f32(m.pop.pop)
	e.f32(m.pop.trend)
	e.i32(m.pop.popOrder)
	e.i32(m.pop.trendOrder)
	e.i32(m.pop.newOrder)
	e.csr(&m.knn)
	e.csr(&m.bought)
	e.csr(&m.content)
	e.f32(m.als.userF)
	e.f32(m.als.itemF)
	e.f64(m.als.gram)
	e.f32(m.svd.userF)
	e.f32(m.svd.itemF)
	e.i32(m.ease.items)
	e.i32(m.ease.local)
	e.f32(m.ease.b)
	// Candidate lists come last: a file without them still loads.
	e.i32(m.cands.indptr)
	e.i32(m.cands.items)
	// Sequences after them: older files without these still load.
	e.csr(&m.next)
	e.csr(&m.recent)
	// The shopper's words' dispersion, when built (terms.go): an aggregate
	// over the shoppers, kept as it was when Forget drops some of them.
	var kappa, pseudo []float32
	if m.text != nil && m.text.built.Load() {
		kappa, pseudo = m.text.kappa, m.text.pseudo
	}
	e.f32(kappa)
	e.f32(pseudo)
	// Ratings' profile weights last (empty unless the events carry ratings):
	// older files without them still load.
	e.f32(m.pref)
	// What a purchase leads to last: older files without it still load
	// (that part then adds nothing until the shop is trained again).
	e.csr(&m.afterBuy)
	// The category season last: older files without it still load.
	e.f32(m.pop.season)
	// The new shopper's popularity last (empty unless training chose a
	// form of its own): older files without it still load.
	e.f32(m.pop.newcomer)
	// The products' weights in a shopper's tastes last (empty unless a
	// product came in a wave): older files without them still load.
	e.f32(m.burst)
	// The order products are taken in last: older files without it still
	// load (nothing is moved down until the shop is trained again).
	e.csr(&m.order)
	// The users with factor rows last (written only when not every user
	// has one): older files without the list have a row for every user.
	if m.rowOf != nil {
		e.i32(m.factorRowUsers())
	}
	if e.err != nil {
		return nil, fmt.Errorf("recommender: save model: %w", e.err)
	}
	blob := payload.Bytes()
	body := blob[modelHeaderLen:]
	hdr := blob[:0]
	hdr = append(hdr, modelMagic...)
	hdr = binary.LittleEndian.AppendUint32(hdr, modelVersion)
	hdr = binary.LittleEndian.AppendUint64(hdr, uint64(len(body)))
	binary.LittleEndian.AppendUint32(hdr, crc32.ChecksumIEEE(body))
	return blob, nil
}

// Load reads a model written by Save. Damaged input yields an error wrapping
// ErrCorruptModel; a file from another format version is rejected.
//
// The payload is decoded as it is read, never held whole: a shop of a
// million visitors has a model of hundreds of MB, and holding its bytes
// beside the decoded model doubled what loading it took. The checksum is
// checked once the payload is read to its end, so damaged input fails
// (no model is returned) even when it decodes; a block's length is
// checked against what is left of the declared payload before anything is
// allocated for it.
func Load(r io.Reader) (*Model, error) {
	hdr := make([]byte, modelHeaderLen)
	if _, err := io.ReadFull(r, hdr); err != nil {
		return nil, fmt.Errorf("%w: header: %v", ErrCorruptModel, err)
	}
	size, err := checkHeader(hdr)
	if err != nil {
		return nil, err
	}
	sum := crc32.NewIEEE()
	p := &payloadReader{br: bufio.NewReaderSize(io.TeeReader(io.LimitReader(r, int64(size)), sum), 1<<16), left: int64(size)}
	m, err := decodeModel(p)
	// The rest of the payload (a newer build's blocks) is read too: the
	// checksum covers all of it.
	if _, derr := io.Copy(io.Discard, p); derr != nil && err == nil {
		err = fmt.Errorf("recommender: load model: %w", derr)
	}
	switch {
	case p.left > 0:
		return nil, fmt.Errorf("%w: truncated (%d of %d bytes)", ErrCorruptModel, int64(size)-p.left, size)
	case sum.Sum32() != binary.LittleEndian.Uint32(hdr[20:]):
		return nil, fmt.Errorf("%w: checksum mismatch", ErrCorruptModel)
	case err != nil:
		return nil, err
	}
	return m, nil
}

// LoadBytes is Load from a model file already in memory (a stored blob).
// The model keeps no reference to b.
func LoadBytes(b []byte) (*Model, error) { return Load(bytes.NewReader(b)) }

// payloadReader reads a model's payload and counts what is left of it; it
// is an io.ByteReader, so gob reads no further than its own message.
type payloadReader struct {
	br   *bufio.Reader
	left int64 // bytes of the declared payload not yet read
}

func (p *payloadReader) Read(b []byte) (int, error) {
	n, err := p.br.Read(b)
	p.left -= int64(n)
	return n, err
}

func (p *payloadReader) ReadByte() (byte, error) {
	c, err := p.br.ReadByte()
	if err == nil {
		p.left--
	}
	return c, err
}

// checkHeader checks the magic and the format version and returns the
// payload length the header declares.
func checkHeader(hdr []byte) (uint64, error) {
	if string(hdr[:8]) != modelMagic {
		return 0, fmt.Errorf("%w: not a storefront model file", ErrCorruptModel)
	}
	if v := binary.LittleEndian.Uint32(hdr[8:]); v != modelVersion {
		return 0, fmt.Errorf("recommender: load model: format version %d, this build reads %d (retrain)", v, modelVersion)
	}
	size := binary.LittleEndian.Uint64(hdr[12:])
	if size > maxPayload {
		return 0, fmt.Errorf("%w: payload length %d", ErrCorruptModel, size)
	}
	return size, nil
}

// decodeModel decodes a payload as it is read.
func decodeModel(p *payloadReader) (*Model, error) {
	var meta modelMeta
	if err := gob.NewDecoder(p).Decode(&meta); err != nil {
		return nil, fmt.Errorf("%w: metadata: %v", ErrCorruptModel, err)
	}
	m := &Model{TrainedAt: meta.TrainedAt, DataNow: meta.DataNow, cfg: meta.Config, stats: meta.Stats}
	if err := meta.Ranker.validate(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorruptModel, err)
	}
	m.ranker = meta.Ranker
	m.nextCat = meta.NextCat
	m.once = meta.Once
	d := decoder{r: p}
	m.ui = d.csr()
	m.kind = d.kinds()
	m.pop.pop, m.pop.trend = d.f32(), d.f32()
	m.pop.popOrder, m.pop.trendOrder, m.pop.newOrder = d.i32(), d.i32(), d.i32()
	m.knn, m.bought, m.content = d.csr(), d.csr(), d.csr()
	m.als = alsModel{k: meta.ALSK, alpha: meta.ALSAlpha, reg: meta.ALSReg, scale: meta.ALSScale, userF: d.f32(), itemF: d.f32(), gram: d.f64()}
	m.svd = svdModel{k: meta.SVDK, sigma: meta.SVDSigma, userF: d.f32(), itemF: d.f32()}
	m.ease = easeModel{n: meta.EASEN, items: d.i32(), local: d.i32(), b: d.f32()}
	if p.left > 0 {
		m.cands = candidateLists{indptr: d.i32(), items: d.i32()}
	}
	if p.left > 0 {
		m.next, m.recent = d.csr(), d.csr()
	}
	m.text = &termModel{}
	if p.left > 0 {
		m.text.storedKappa, m.text.storedPseudo = d.f32(), d.f32()
	}
	if p.left > 0 {
		m.pref = d.f32()
	}
	if p.left > 0 {
		m.afterBuy = d.csr()
	}
	if p.left > 0 {
		if m.pop.season = d.f32(); len(m.pop.season) == 0 {
			m.pop.season = nil
		}
	}
	if p.left > 0 {
		if m.pop.newcomer = d.f32(); len(m.pop.newcomer) == 0 {
			m.pop.newcomer = nil
		} else {
			m.pop.newcomerOrder = orderByScore(m.pop.newcomer)
		}
	}
	if p.left > 0 {
		if m.burst = d.f32(); len(m.burst) == 0 {
			m.burst = nil
		}
	}
	if p.left > 0 {
		m.order = d.csr()
	}
	var rowUsers []int32
	if meta.FactorRows {
		rowUsers = d.i32()
	}
	if d.err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorruptModel, d.err)
	}
	m.cat = newCatalog(Dataset{Items: meta.Items})
	m.userIDs = meta.UserIDs
	m.rowsDecided = true
	if meta.FactorRows && !m.setFactorRowUsers(rowUsers, len(m.userIDs)) {
		return nil, fmt.Errorf("%w: the users with factor rows are not ascending user indexes", ErrCorruptModel)
	}
	m.userIndex = make(map[string]int32, len(m.userIDs))
	for i, id := range m.userIDs {
		if id == "" {
			continue // a forgotten user (see Forget)
		}
		m.userIndex[id] = int32(i)
	}
	m.indexItems()
	m.indexFresh()
	m.indexPurchases()
	m.indexShoppers()
	if err := m.check(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorruptModel, err)
	}
	return m, nil
}

// check verifies the shapes serving relies on, so a model that passed the
// checksum but was built inconsistently cannot panic a request.
func (m *Model) check() error {
	n, u := len(m.cat.items), len(m.userIDs)
	if m.ui.rows != u || m.ui.cols != n || len(m.kind) != m.ui.nnz() {
		return fmt.Errorf("interaction matrix is %d×%d, want %d×%d", m.ui.rows, m.ui.cols, u, n)
	}
	if m.burst != nil && len(m.burst) != n {
		return fmt.Errorf("%d wave weights for %d items", len(m.burst), n)
	}
	if len(m.pref) != 0 && len(m.pref) != m.ui.nnz() {
		return fmt.Errorf("%d rating weights for %d interactions", len(m.pref), m.ui.nnz())
	}
	if r := &m.recent; r.rows != 0 && (r.rows != u || r.cols != n) {
		return fmt.Errorf("latest items are %d×%d, want %d×%d", r.rows, r.cols, u, n)
	}
	for _, c := range []*csr{&m.ui, &m.knn, &m.bought, &m.content, &m.next, &m.afterBuy, &m.order, &m.recent} {
		if err := c.validate(); err != nil {
			return err
		}
		if c != &m.ui && c != &m.recent && c.rows != 0 && (c.rows != n || c.cols != n) {
			return fmt.Errorf("neighbour matrix is %d×%d, want %d×%d", c.rows, c.cols, n, n)
		}
	}
	if len(m.pop.pop) != n || len(m.pop.trend) != n || len(m.pop.newOrder) != n || m.pop.newcomer != nil && len(m.pop.newcomer) != n {
		return fmt.Errorf("popularity arrays do not match %d items", n)
	}
	for _, order := range [][]int32{m.pop.popOrder, m.pop.trendOrder, m.pop.newOrder} {
		for _, j := range order {
			if j < 0 || int(j) >= n {
				return fmt.Errorf("item index %d out of range", j)
			}
		}
	}
	rows := u // users with factor rows
	if m.rowOf != nil {
		rows = m.factorRowCount
	}
	if k := m.als.k; k > 0 && (len(m.als.userF) != rows*k || len(m.als.itemF) != n*k || len(m.als.gram) != k*k) {
		return fmt.Errorf("ALS factors do not match %d users × %d items × %d", rows, n, k)
	}
	if k := m.svd.k; k > 0 && (len(m.svd.userF) != rows*k || len(m.svd.itemF) != n*k) {
		return fmt.Errorf("SVD factors do not match %d users × %d items × %d", rows, n, k)
	}
	if c := &m.cands; len(c.indptr) > 0 {
		if len(c.indptr) != u+1 || c.indptr[0] != 0 || int(c.indptr[u]) != len(c.items) {
			return fmt.Errorf("candidate lists do not match %d users", u)
		}
		for r := range u {
			if c.indptr[r] > c.indptr[r+1] {
				return fmt.Errorf("candidate list %d has a negative length", r)
			}
		}
		for _, j := range c.items {
			if j < 0 || int(j) >= n {
				return fmt.Errorf("candidate item %d out of range", j)
			}
		}
	}
	if e := m.ease.n; e > 0 {
		if len(m.ease.items) != e || len(m.ease.local) != n || len(m.ease.b) != e*e {
			return fmt.Errorf("EASE matrix does not match %d items", e)
		}
		for _, j := range m.ease.items {
			if j < 0 || int(j) >= n {
				return fmt.Errorf("EASE item %d out of range", j)
			}
		}
		for _, l := range m.ease.local {
			if l < -1 || int(l) >= e {
				return fmt.Errorf("EASE index %d out of range", l)
			}
		}
	}
	return nil
}

func (c *csr) validate() error {
	if c.rows == 0 && len(c.indptr) <= 1 {
		return nil
	}
	if len(c.indptr) != c.rows+1 || c.indptr[0] != 0 || int(c.indptr[c.rows]) != len(c.indices) || len(c.data) != len(c.indices) {
		return fmt.Errorf("sparse matrix has inconsistent lengths")
	}
	for r := 0; r < c.rows; r++ {
		if c.indptr[r+1] < c.indptr[r] {
			return fmt.Errorf("sparse matrix row pointers decrease")
		}
	}
	for _, j := range c.indices {
		if j < 0 || int(j) >= c.cols {
			return fmt.Errorf("sparse column %d out of range", j)
		}
	}
	return nil
}

type encoder struct {
	w   io.Writer
	err error
}

func (e *encoder) write(n int, v any) {
	if e.err != nil {
		return
	}
	e.err = binary.Write(e.w, binary.LittleEndian, uint64(n))
	if e.err == nil && n > 0 {
		e.err = binary.Write(e.w, binary.LittleEndian, v)
	}
}

func (e *encoder) f32(v []float32) { e.write(len(v), v) }
func (e *encoder) f64(v []float64) { e.write(len(v), v) }
func (e *encoder) i32(v []int32)   { e.write(len(v), v) }
func (e *encoder) kinds(v []EventType) {
	b := make([]uint8, len(v))
	for i, k := range v {
		b[i] = uint8(k)
	}
	e.write(len(b), b)
}
func (e *encoder) csr(c *csr) {
	e.write(2, []uint64{uint64(c.rows), uint64(c.cols)})
	e.i32(c.indptr)
	e.i32(c.indices)
	e.f32(c.data)
}

type decoder struct {
	r   *payloadReader
	buf []byte // one chunk of a block's bytes, decoded into its elements
	err error
}

// length reads a block length and checks it fits in what is left of the
// payload, so a bad length cannot trigger a huge allocation.
func (d *decoder) length(elemSize int) int {
	if d.err != nil {
		return 0
	}
	var n uint64
	if d.err = binary.Read(d.r, binary.LittleEndian, &n); d.err != nil {
		return 0
	}
	if n > uint64(d.r.left)/uint64(elemSize) {
		d.err = fmt.Errorf("block of %d elements exceeds the remaining %d bytes", n, d.r.left)
		return 0
	}
	return int(n)
}

// read decodes one block of n elements of size bytes, a chunk at a time:
// binary.Read would first read the whole block into a buffer of its own
// (a large model's blocks are hundreds of MB).
func read[T any](d *decoder, size int) []T {
	n := d.length(size)
	if d.err != nil || n == 0 {
		return nil
	}
	if d.buf == nil {
		d.buf = make([]byte, 1<<16)
	}
	v := make([]T, n)
	per := len(d.buf) / size
	for lo := 0; lo < n; lo += per {
		hi := min(n, lo+per)
		b := d.buf[:(hi-lo)*size]
		if _, d.err = io.ReadFull(d.r, b); d.err != nil {
			return nil
		}
		switch v := any(v[lo:hi]).(type) {
		case []float32:
			for i := range v {
				v[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
			}
		case []float64:
			for i := range v {
				v[i] = math.Float64frombits(binary.LittleEndian.Uint64(b[8*i:]))
			}
		case []int32:
			for i := range v {
				v[i] = int32(binary.LittleEndian.Uint32(b[4*i:]))
			}
		case []uint64:
			for i := range v {
				v[i] = binary.LittleEndian.Uint64(b[8*i:])
			}
		case []uint8:
			copy(v, b)
		default:
			d.err = binary.Read(bytes.NewReader(b), binary.LittleEndian, v)
		}
	}
	return v
}

func (d *decoder) f32() []float32 { return read[float32](d, 4) }
func (d *decoder) f64() []float64 { return read[float64](d, 8) }
func (d *decoder) i32() []int32   { return read[int32](d, 4) }
func (d *decoder) kinds() []EventType {
	b := read[uint8](d, 1)
	out := make([]EventType, len(b))
	for i, k := range b {
		if k >= uint8(numEventTypes) && d.err == nil {
			d.err = fmt.Errorf("event type %d out of range", k)
		}
		out[i] = EventType(k)
	}
	return out
}
func (d *decoder) csr() csr {
	dims := read[uint64](d, 8)
	if d.err != nil || len(dims) != 2 || dims[0] > 1<<31 || dims[1] > 1<<31 {
		if d.err == nil {
			d.err = fmt.Errorf("bad sparse matrix dimensions")
		}
		return csr{}
	}
	c := csr{rows: int(dims[0]), cols: int(dims[1])}
	c.indptr, c.indices, c.data = d.i32(), d.i32(), d.f32()
	if c.indptr == nil {
		c.indptr = []int32{0}
	}
	return c
}
