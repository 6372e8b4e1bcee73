// Package search is the shop's product search: a bleve index ranked with
// BM25 over title, brand, category and description, synonyms a merchandiser
// maintains, typo correction against the catalog's own vocabulary and
// completion as a shopper types.
//
// It knows nothing of the web or the database: callers hand it documents
// (Sync) and get product ids back. Filtering, facets, sorting and paging are
// done by the caller on its catalog snapshot.
package search

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"maps"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/char/asciifolding"
	"github.com/blevesearch/bleve/v2/analysis/lang/ar"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/token/porter"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/registry"
	index "github.com/blevesearch/bleve_index_api"
	bolterrors "go.etcd.io/bbolt/errors"
)

// Doc is what the index needs to know about one product. Only products a
// shopper may find (active ones) should be handed to Sync.
type Doc struct {
	ID          uint
	Title       string
	Brand       string
	Category    string // the category path, "Outdoor Tents"
	Description string
	// Popularity nudges the order of equally relevant products. It is not
	// part of what is indexed: a retraining changes it without re-indexing.
	Popularity float64
}

// Field names and their boosts: a title or brand match says more about a
// product than a word somewhere in its description.
const (
	fieldTitle       = "title"
	fieldBrand       = "brand"
	fieldCategory    = "category"
	fieldDescription = "description"
	// fieldHead is the title without its "for" clause (see titleParts):
	// what the product is, weighed on top of the whole title.
	fieldHead = "head"
)

var fieldBoosts = []struct {
	name  string
	boost float64
}{
	{fieldTitle, 3},
	{fieldBrand, 2},
	{fieldCategory, 2},
	{fieldDescription, 0.6},
	{fieldHead, 2},
}

// mappingVersion changes whenever the mapping or analysis changes, so a
// stored index built the old way is rebuilt instead of misread.
const mappingVersion = "products-v6"

var (
	keyVersion = []byte("storefront_mapping")
	keyHashes  = []byte("storefront_hashes")
)

// Index is a product search index. It is safe for concurrent use: searches
// run while Sync brings the index up to date.
type Index struct {
	// eng is the bleve index of the catalog's language, replaced when the
	// language changes (Sync): searches hold engMu's read lock while they
	// use it.
	engMu sync.RWMutex
	eng   *engine
	path  string

	syncMu sync.Mutex      // one Sync at a time
	hashes map[uint]uint64 // what is indexed now, by product id; guarded by syncMu
	vocab  atomic.Pointer[vocabulary]
	syn    atomic.Pointer[Synonyms]

	popularity atomic.Pointer[popularity]

	// warm is closed once the first Sync has put the vocabulary and the
	// popularity in place (and, unless it is a big build, its documents):
	// Search and Suggest wait for it, so a shop can answer pages while its
	// index is being brought up to date and no search is answered from a
	// half-ready index.
	warm     chan struct{}
	warmOnce sync.Once

	// gen changes whenever what a search answers may change: after every
	// Sync and synonym change (see Generation).
	gen atomic.Uint64
}

// engine is a bleve index with the analysis of one language.
type engine struct {
	bleve    bleve.Index
	analyzer analysis.Analyzer
	lang     string
	path     string // "" in memory
}

// openEngine opens the index of a language stored under base (created or
// rebuilt when missing or built another way), or one in memory when base
// is "" or another process of the shop holds the stored one.
func openEngine(base, lang string) (*engine, error) {
	e := &engine{lang: lang}
	var err error
	if base != "" {
		e.path = base
		if lang != English {
			e.path = base + "." + lang
		}
		e.bleve, err = openStored(e.path, lang)
		if errors.Is(err, errLocked) {
			// Another process of the shop holds the stored index: this
			// one keeps its own in memory rather than wait.
			e.path, err = "", nil
		}
	}
	if e.path == "" {
		e.bleve, err = bleve.NewUsing("", newMapping(lang), scorch.Name, scorch.Name, nil)
	}
	if err != nil {
		return nil, fmt.Errorf("search: open index: %w", err)
	}
	e.analyzer = e.bleve.Mapping().AnalyzerNamed(analyzerFor(lang))
	if e.analyzer == nil {
		_ = e.bleve.Close()
		return nil, errors.New("search: the shop's analyzer is missing")
	}
	return e, nil
}

// hashes are what the engine's stored index holds, by product id.
func (e *engine) hashes() map[uint]uint64 {
	if raw, err := e.bleve.GetInternal(keyHashes); err == nil {
		return decodeHashes(raw)
	}
	return map[uint]uint64{}
}

// Language is the language the catalog is searched in (see
// DetectLanguage).
func (ix *Index) Language() string {
	ix.engMu.RLock()
	defer ix.engMu.RUnlock()
	return ix.eng.lang
}

// Generation names the state searches are answered from: documents,
// popularity, vocabulary and synonyms. It changes after each of them does,
// so a result kept under the generation read before searching is never
// used after a change.
func (ix *Index) Generation() uint64 { return ix.gen.Load() }

// Open opens the index stored at path, or creates it. With path "" the index
// lives in memory only and is built from scratch by the first Sync.
func Open(path string) (*Index, error) {
	ix := &Index{path: path, warm: make(chan struct{})}
	ix.vocab.Store(&vocabulary{})
	ix.syn.Store(&Synonyms{})
	e, err := openEngine(path, English)
	if err != nil {
		return nil, err
	}
	ix.eng, ix.hashes = e, e.hashes()
	if e.path == "" {
		ix.path = ""
	}
	return ix, nil
}

var errLocked = errors.New("search: index in use by another process")

// openStored opens an index on disk, rebuilding it when it was built with
// another mapping or cannot be read.
func openStored(path, lang string) (bleve.Index, error) {
	version := mappingVersion
	if lang != English {
		version += "-" + lang
	}
	idx, err := bleve.OpenUsing(path, map[string]interface{}{"bolt_timeout": "2s"})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, errLocked
	}
	if err == nil {
		v, verr := idx.GetInternal(keyVersion)
		if verr == nil && string(v) == version {
			return idx, nil
		}
		_ = idx.Close()
	}
	if err := os.RemoveAll(path); err != nil {
		return nil, err
	}
	idx, err = bleve.NewUsing(path, newMapping(lang), scorch.Name, scorch.Name, nil)
	if err != nil {
		return nil, err
	}
	if err := idx.SetInternal(keyVersion, []byte(version)); err != nil {
		_ = idx.Close()
		return nil, err
	}
	return idx, nil
}

// The index's analysis: words are what Tokenize (and so the vocabulary and
// the query) calls words, runs of letters and digits, so an apostrophe or a
// dot splits them in the index as in a query ("L'Atelier" is "l" and
// "atelier": a shopper typing "atelier" finds it). Accents are folded
// ("Élise", "Søren" and "œuf" are found as "elise", "soren" and "oeuf", as
// shoppers type them), Arabic words are read without their article and
// hamzas (arabicFilters), then English stop words and stemming as before.
const (
	analyzerName  = "storefront"
	tokenizerName = "storefront_words"
)

func init() {
	if err := registry.RegisterTokenizer(tokenizerName, func(map[string]interface{}, *registry.Cache) (analysis.Tokenizer, error) {
		return wordTokenizer{}, nil
	}); err != nil {
		panic(err)
	}
	if err := registry.RegisterAnalyzer(analyzerName, func(_ map[string]interface{}, cache *registry.Cache) (analysis.Analyzer, error) {
		tok, err := cache.TokenizerNamed(tokenizerName)
		if err != nil {
			return nil, err
		}
		fold, err := cache.CharFilterNamed(asciifolding.Name)
		if err != nil {
			return nil, err
		}
		var filters []analysis.TokenFilter
		for _, name := range append(append([]string{lowercase.Name}, arabicFilters...), en.StopName, porter.Name) {
			f, err := cache.TokenFilterNamed(name)
			if err != nil {
				return nil, err
			}
			filters = append(filters, f)
		}
		return &analysis.DefaultAnalyzer{CharFilters: []analysis.CharFilter{fold, greekFolding{}}, Tokenizer: tok, TokenFilters: filters}, nil
	}); err != nil {
		panic(err)
	}
}

// arabicFilters read an Arabic word as Arabic shoppers search it, in every
// catalog language (they change no other script): normalised (the forms of
// alef with a hamza are alef, as "الاصلي" is typed for "الأصلي"), then
// without the article or a joined preposition and the common suffixes
// (bleve's light stemmer, Lucene's): "ورد" finds "ماء الورد" (rose water)
// and "هيل" finds "قهوة بالهيل".
var arabicFilters = []string{ar.NormalizeName, ar.StemmerName}

// wordTokenizer splits the index's text into Tokenize's words.
type wordTokenizer struct{}

func (wordTokenizer) Tokenize(input []byte) analysis.TokenStream {
	var ts analysis.TokenStream
	splitWords(string(input), func(start, end int) {
		typ := analysis.AlphaNumeric
		if r, _ := utf8.DecodeRune(input[start:end]); isOwnWord(r) {
			typ = analysis.Ideographic
		}
		ts = append(ts, &analysis.Token{Term: input[start:end], Start: start, End: end, Position: len(ts) + 1, Type: typ})
	})
	return ts
}

// fold writes s without its accents, as the index stores words.
func fold(s string) string {
	return greekAccents.Replace(string(asciifolding.New().Filter([]byte(s))))
}

// greekFolding drops the accents of Greek vowels (the tonos and the
// dialytika), which ASCII folding leaves: Greek shoppers often type without
// them, and "θαλασσα" was found only as a correction to "θάλασσα".
type greekFolding struct{}

func (greekFolding) Filter(input []byte) []byte { return []byte(greekAccents.Replace(string(input))) }

var greekAccents = strings.NewReplacer(
	"ά", "α", "έ", "ε", "ή", "η", "ί", "ι", "ό", "ο", "ύ", "υ", "ώ", "ω", "ΐ", "ι", "ΰ", "υ", "ϊ", "ι", "ϋ", "υ",
	"Ά", "Α", "Έ", "Ε", "Ή", "Η", "Ί", "Ι", "Ό", "Ο", "Ύ", "Υ", "Ώ", "Ω", "Ϊ", "Ι", "Ϋ", "Υ")

func newMapping(lang string) *mapping.IndexMappingImpl {
	text := func() *mapping.FieldMapping {
		f := mapping.NewTextFieldMapping()
		f.Analyzer = analyzerFor(lang)
		// Nothing is read back from the index but ids, and no phrase
		// queries or highlighting are asked of it: keep it small.
		f.Store, f.IncludeTermVectors, f.IncludeInAll, f.DocValues = false, false, false, false
		return f
	}
	doc := mapping.NewDocumentStaticMapping()
	for _, f := range fieldBoosts {
		doc.AddFieldMappingsAt(f.name, text())
	}
	m := bleve.NewIndexMapping()
	m.DefaultMapping = doc
	m.DefaultAnalyzer = analyzerFor(lang)
	m.ScoringModel = index.BM25Scoring
	m.StoreDynamic, m.IndexDynamic, m.DocValuesDynamic = false, false, false
	return m
}

// Stored reports whether the index is kept on disk (and so survives a
// restart) rather than in memory.
func (ix *Index) Stored() bool { return ix.path != "" }

// Close releases the index.
func (ix *Index) Close() error {
	ix.engMu.Lock()
	defer ix.engMu.Unlock()
	return ix.eng.bleve.Close()
}

// Len is the number of documents indexed.
func (ix *Index) Len() int {
	ix.engMu.RLock()
	defer ix.engMu.RUnlock()
	n, _ := ix.eng.bleve.DocCount()
	return int(n)
}

// SetSynonyms replaces the synonym groups used from the next query on.
// Synonyms apply when searching, so changing them needs no re-indexing.
// The same groups again (the shop rereads them at every catalog reload)
// change nothing, so the results kept under the generation stay served.
func (ix *Index) SetSynonyms(s *Synonyms) {
	if s == nil {
		s = &Synonyms{}
	}
	if old := ix.syn.Load(); old != nil && old.Text() == s.Text() {
		return
	}
	ix.syn.Store(s)
	ix.gen.Add(1)
}

// syncChunk bounds the memory one indexing batch takes.
const syncChunk = 2000

// Sync makes the index hold exactly docs: new and changed documents are
// indexed, vanished ones deleted, unchanged ones left alone (a restart with
// an index on disk re-indexes nothing). It returns how many documents it
// wrote or deleted.
func (ix *Index) Sync(docs []Doc) (written int, err error) {
	ix.syncMu.Lock()
	defer ix.syncMu.Unlock()
	defer ix.markWarm()
	// A sync that changes nothing a search reads (the catalog reloaded
	// after an order changed stock) keeps the generation, so the results
	// kept under it are still served; a failed batch may have written
	// part of it.
	moved := false
	defer func() {
		if moved || written > 0 || err != nil {
			ix.gen.Add(1)
		}
	}()
	if pop, old := newPopularity(docs), ix.popularity.Load(); old == nil || !maps.Equal(*old, *pop) {
		ix.popularity.Store(pop)
		moved = true
	}
	// The catalog's language decides the analysis: when it changes (a
	// French catalog imported into a new shop, whose index was opened
	// English) the documents are written into an index of the new
	// language, which replaces the old one once it holds them.
	e, hashes := ix.eng, ix.hashes
	if lang := DetectLanguage(docs); len(docs) > 0 && lang != e.lang {
		ne, err := openEngine(ix.path, lang)
		if err != nil {
			return 0, err
		}
		e, hashes = ne, ne.hashes()
	}
	next := make(map[uint]uint64, len(docs))
	var changed []int
	for i := range docs {
		h := docHash(&docs[i])
		next[docs[i].ID] = h
		if hashes[docs[i].ID] != h {
			changed = append(changed, i)
		}
	}
	var gone []uint
	for id := range hashes {
		if _, ok := next[id]; !ok {
			gone = append(gone, id)
		}
	}
	swap := e != ix.eng
	if !swap && (len(changed) > 0 || len(gone) > 0 || ix.vocab.Load().words == nil) {
		// The vocabulary is built before the documents are written, so a
		// correction never points at a word the index does not hold yet
		// for longer than the batch takes.
		ix.vocab.Store(buildVocabulary(docs, e.stem))
		moved = true
	}
	if len(changed)+len(gone) > WarmBeforeWritingAbove {
		// A big build (the first start of a large shop) takes minutes:
		// searches meanwhile find what is written so far.
		ix.markWarm()
	}
	for start := 0; start < len(changed) || start < len(gone); start += syncChunk {
		b := e.bleve.NewBatch()
		for _, i := range changed[min(start, len(changed)):min(start+syncChunk, len(changed))] {
			d := &docs[i]
			if err := b.Index(docID(d.ID), indexedDoc(d, e.lang)); err != nil {
				return 0, fmt.Errorf("search: index product %d: %w", d.ID, err)
			}
		}
		for _, id := range gone[min(start, len(gone)):min(start+syncChunk, len(gone))] {
			b.Delete(docID(id))
		}
		if start+syncChunk >= len(changed) && start+syncChunk >= len(gone) {
			// The last batch records what the index now holds, so a
			// crash mid-way makes the next start redo only what is
			// missing.
			b.SetInternal(keyHashes, encodeHashes(next))
		}
		if err := e.bleve.Batch(b); err != nil {
			if swap {
				_ = e.bleve.Close()
			}
			return 0, fmt.Errorf("search: write batch: %w", err)
		}
	}
	if swap {
		moved = true
		// The new language's index holds the catalog: it replaces the
		// old one, with a vocabulary stemmed its way, between searches.
		voc := buildVocabulary(docs, e.stem)
		ix.engMu.Lock()
		old := ix.eng
		ix.eng = e
		ix.vocab.Store(voc)
		ix.engMu.Unlock()
		_ = old.bleve.Close()
		if old.path != "" && old.path != ix.path {
			_ = os.RemoveAll(old.path)
		}
	}
	ix.hashes = next
	return len(changed) + len(gone), nil
}

// indexed is the document bleve stores; field names follow the json tags.
type indexed struct {
	Title       string `json:"title"`
	Brand       string `json:"brand"`
	Category    string `json:"category"`
	Description string `json:"description"`
	Head        string `json:"head"`
}

// indexedDoc is what the index holds of a product: its fields and its
// title's head (see titleParts).
func indexedDoc(d *Doc, lang string) indexed {
	head, _ := titleParts(d.Title, lang)
	return indexed{Title: d.Title, Brand: d.Brand, Category: d.Category, Description: d.Description, Head: head}
}

func docID(id uint) string { return strconv.FormatUint(uint64(id), 10) }

func docHash(d *Doc) uint64 {
	h := fnv.New64a()
	for _, s := range []string{d.Title, d.Brand, d.Category, d.Description} {
		_, _ = h.Write([]byte(s))
		_, _ = h.Write([]byte{0})
	}
	return h.Sum64() | 1 // never 0, which means "not indexed"
}

func encodeHashes(m map[uint]uint64) []byte {
	b := make([]byte, 0, len(m)*16)
	for id, h := range m {
		b = binary.LittleEndian.AppendUint64(b, uint64(id))
		b = binary.LittleEndian.AppendUint64(b, h)
	}
	return b
}

func decodeHashes(b []byte) map[uint]uint64 {
	m := make(map[uint]uint64, len(b)/16)
	for ; len(b) >= 16; b = b[16:] {
		m[uint(binary.LittleEndian.Uint64(b))] = binary.LittleEndian.Uint64(b[8:])
	}
	return m
}

// stem analyses one word the way the index does; "" for a stop word. The
// caller holds engMu's read lock (or syncMu).
func (ix *Index) stem(word string) string { return ix.eng.stem(word) }

func (e *engine) stem(word string) string {
	toks := e.analyzer.Analyze([]byte(word))
	if len(toks) == 0 {
		return ""
	}
	return string(toks[0].Term)
}

// WarmBeforeWritingAbove is the size of a first Sync (documents written or
// deleted) above which searches no longer wait for its documents, only for
// its vocabulary and popularity.
const WarmBeforeWritingAbove = 10000

func (ix *Index) markWarm() { ix.warmOnce.Do(func() { close(ix.warm) }) }

// waitWarm waits until the first Sync has made the index ready to answer
// (see Index.warm), or ctx ends.
func (ix *Index) waitWarm(ctx context.Context) error {
	select {
	case <-ix.warm:
		return nil
	default:
	}
	select {
	case <-ix.warm:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("search: waiting for the index to be ready: %w", ctx.Err())
	}
}
