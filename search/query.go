package search

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"
)

// Limits on the work one query may cause.
const (
	MaxQueryLength = 200
	maxQueryWords  = 8
	// MaxHits bounds how many matches a query ranks; facets and counts
	// cover these. A shopper pages through 24 at a time.
	MaxHits = 1000
	// PartialBelow: products matching only some of the words are added
	// after the full matches while there are fewer full matches than this.
	// Past it nobody pages down to them, and skipping them halves the work.
	PartialBelow = 100
	// MaxFilteredHits bounds how many matches a query ranks when the
	// shopper narrows its results by price, brand or category
	// (SearchUpTo): with only the best MaxHits ranked, "dress" under $50 in
	// a shop of 20,000 clothes listed the one cheap dress among them and
	// none of the others.
	MaxFilteredHits = 10000
)

// Result is a ranked list of matching product ids.
type Result struct {
	IDs []uint
	// Full is how many of IDs (the first ones) match every word of the
	// query; the rest match some of them.
	Full int
	// Corrected is the query that was searched instead, when a word
	// unknown to the catalog was corrected.
	Corrected string
	// Unknown lists the query's words that no product uses and that could
	// not be corrected; they were left out of the search.
	Unknown []string
}

// concept is one thing the shopper asked for: a word or a synonym group.
type concept struct {
	typed string   // as typed (lower case)
	terms []string // what it may match: the word, or its synonym group
	// pairs of words it may also match, both in one field ("rose water"
	// beside the catalog's "rosewater").
	pairs []string
}

// Search ranks the products matching q: those matching every word first,
// then those matching some. With correct set, a word the catalog does not
// know is replaced by the closest catalog word.
func (ix *Index) Search(ctx context.Context, q string, correct bool) (Result, error) {
	return ix.SearchUpTo(ctx, q, correct, MaxHits)
}

// SearchUpTo is Search ranking at most limit matches instead of MaxHits.
func (ix *Index) SearchUpTo(ctx context.Context, q string, correct bool, limit int) (Result, error) {
	var res Result
	if err := ix.waitWarm(ctx); err != nil {
		return res, err
	}
	ix.engMu.RLock()
	defer ix.engMu.RUnlock()
	voc := ix.vocab.Load()
	concepts := ix.spacedWords(voc, ix.catalogSizes(voc, ix.concepts(q)))
	corrected := false
	known := concepts[:0]
	for _, c := range concepts {
		switch ix.knownConcept(voc, c) {
		case conceptKnown:
			known = append(known, c)
			continue
		case conceptStopWords:
			continue
		}
		if len(c.terms) == 1 && !strings.Contains(c.typed, " ") {
			// Part of a model number ("u2723" for "U2723QE"): the
			// catalog's numbers it begins.
			if codes := voc.completeCode(c.typed); codes != nil {
				known = append(known, concept{typed: c.typed, terms: codes})
				continue
			}
			// Its end ("xm5" for "WH-1000XM5", "120" for "P120").
			if codes := voc.completeCodeEnd(c.typed); codes != nil {
				known = append(known, concept{typed: c.typed, terms: codes})
				continue
			}
			// Words typed without their space or hyphen ("poloshirt",
			// "usbc"): the catalog's words, all of them wanted.
			if parts := voc.split(c.typed, ix.stem); parts != nil {
				joined := concept{typed: c.typed, terms: []string{strings.Join(parts, " ")}}
				// A split no product matches whole gives way to a typo's
				// correction: in a shop selling T-Shirts in S, M and L,
				// "teapott" read as "teapot t" found nothing; it is "teapot".
				if !correct || ix.matchesAny(ctx, joined) || voc.correct(c.typed) == "" {
					known = append(known, joined)
					continue
				}
			}
		}
		if fix := ""; correct && len(c.terms) == 1 && !strings.Contains(c.typed, " ") {
			if fix = voc.correct(c.typed); fix != "" {
				corrected = true
				terms := ix.syn.Load().group(fix)
				if terms == nil {
					terms = []string{fix}
				}
				known = append(known, concept{typed: fix, terms: terms})
				continue
			}
		}
		res.Unknown = append(res.Unknown, c.typed)
	}
	if corrected {
		words := make([]string, 0, len(known)+len(res.Unknown))
		for _, c := range known {
			words = append(words, c.typed)
		}
		res.Corrected = strings.Join(words, " ")
	}
	if len(known) == 0 {
		return res, nil
	}
	qs := make([]query.Query, len(known))
	for i, c := range known {
		qs[i] = ix.conceptQuery(c)
	}
	var full []hit
	var err error
	if len(qs) == 1 {
		full, err = ix.run(ctx, qs[0], limit)
		if err != nil {
			return res, err
		}
		res.IDs, res.Full = ids(full), len(full)
		return res, nil
	}
	if full, err = ix.run(ctx, bleve.NewConjunctionQuery(qs...), limit); err != nil {
		return res, err
	}
	res.Full = len(full)
	res.IDs = ids(full)
	if len(full) < PartialBelow {
		// Among partial matches, the last word counts most: in English it
		// usually names the kind of product ("wireless headphones" are
		// headphones first, wireless second).
		if b, ok := qs[len(qs)-1].(query.BoostableQuery); ok {
			b.SetBoost(partialHeadBoost)
		}
		some, err := ix.run(ctx, bleve.NewDisjunctionQuery(qs...), limit)
		if err != nil {
			return res, err
		}
		inFull := make(map[uint]struct{}, len(full))
		for _, h := range full {
			inFull[h.id] = struct{}{}
		}
		for _, h := range some {
			if len(res.IDs) == limit {
				break
			}
			if _, ok := inFull[h.id]; !ok {
				res.IDs = append(res.IDs, h.id)
			}
		}
	}
	return res, nil
}

// matchesAny reports whether some product matches c.
func (ix *Index) matchesAny(ctx context.Context, c concept) bool {
	hits, err := ix.run(ctx, ix.conceptQuery(c), 1)
	return err == nil && len(hits) > 0
}

// partialHeadBoost weighs the last word of a query among partial matches.
const partialHeadBoost = 2

// concepts splits a query into words, joining the words of a synonym term
// ("t shirt") into one concept.
func (ix *Index) concepts(q string) []concept {
	if len(q) > MaxQueryLength {
		q = q[:MaxQueryLength]
	}
	words := Tokenize(q)
	if len(words) > maxQueryWords {
		words = words[:maxQueryWords]
	}
	syn := ix.syn.Load()
	var out []concept
	for i := 0; i < len(words); {
		n := min(syn.maxWords, len(words)-i)
		for ; n >= 1; n-- {
			term := strings.Join(words[i:i+n], " ")
			if g := syn.group(term); g != nil {
				out = append(out, concept{typed: term, terms: g})
				break
			}
		}
		if n < 1 {
			out = append(out, concept{typed: words[i], terms: []string{words[i]}})
			n = 1
		}
		i += n
	}
	return out
}

const (
	conceptUnknown = iota
	conceptKnown
	conceptStopWords
)

// knownConcept tells whether any of a concept's terms has all its words in
// the catalog, or whether it is only stop words ("for", "the").
func (ix *Index) knownConcept(voc *vocabulary, c concept) int {
	onlyStop := true
	for _, t := range c.terms {
		all := true
		for _, w := range strings.Fields(t) {
			s := ix.stem(w)
			if s == "" {
				continue
			}
			onlyStop = false
			if _, ok := voc.stems[s]; !ok {
				all = false
			}
		}
		if all && !onlyStop {
			return conceptKnown
		}
	}
	if onlyStop {
		return conceptStopWords
	}
	return conceptUnknown
}

// conceptQuery matches any of a concept's terms; a word may appear in any
// field, with that field's boost.
func (ix *Index) conceptQuery(c concept) query.Query {
	alts := make([]query.Query, 0, len(c.terms))
	for _, t := range c.terms {
		words := strings.Fields(t)
		if len(words) == 1 {
			alts = append(alts, wordQuery(words[0]))
			continue
		}
		parts := make([]query.Query, 0, len(words))
		for _, w := range words {
			if ix.stem(w) != "" {
				parts = append(parts, wordQuery(w))
			}
		}
		if len(parts) > 0 {
			alts = append(alts, bleve.NewConjunctionQuery(parts...))
		}
	}
	for _, p := range c.pairs {
		alts = append(alts, oneFieldQuery(strings.Fields(p)))
	}
	if len(alts) == 1 {
		return alts[0]
	}
	return bleve.NewDisjunctionQuery(alts...)
}

// oneFieldQuery matches every one of words in the same field, with that
// field's boost: the title "Rose Water Toner", not the title "Hydration
// Pack" and a description saying "back in stock". (The index keeps no
// positions, so this stands for a phrase.)
func oneFieldQuery(words []string) query.Query {
	fields := make([]query.Query, len(fieldBoosts))
	for i, f := range fieldBoosts {
		each := make([]query.Query, len(words))
		for j, w := range words {
			m := bleve.NewMatchQuery(w)
			m.SetField(f.name)
			m.SetBoost(f.boost)
			each[j] = m
		}
		fields[i] = bleve.NewConjunctionQuery(each...)
	}
	return bleve.NewDisjunctionQuery(fields...)
}

func wordQuery(w string) query.Query {
	fields := make([]query.Query, len(fieldBoosts))
	for i, f := range fieldBoosts {
		m := bleve.NewMatchQuery(w)
		m.SetField(f.name)
		m.SetBoost(f.boost)
		fields[i] = m
	}
	return bleve.NewDisjunctionQuery(fields...)
}

type hit struct {
	id    uint
	score float64
}

// run executes a query and orders the hits by text score, nudged by
// popularity so that among equally good matches the better sellers lead.
func (ix *Index) run(ctx context.Context, q query.Query, size int) ([]hit, error) {
	req := bleve.NewSearchRequestOptions(q, size, 0, false)
	r, err := ix.eng.bleve.SearchInContext(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("search: query: %w", err)
	}
	pop := ix.popularity.Load()
	hits := make([]hit, 0, len(r.Hits))
	for _, h := range r.Hits {
		id, err := strconv.ParseUint(h.ID, 10, 64)
		if err != nil {
			continue
		}
		hits = append(hits, hit{id: uint(id), score: h.Score * (1 + popularityWeight*pop.of(uint(id)))})
	}
	slices.SortStableFunc(hits, func(a, b hit) int {
		switch {
		case a.score > b.score:
			return -1
		case a.score < b.score:
			return 1
		}
		return int(a.id) - int(b.id)
	})
	return hits, nil
}

// popularityWeight is how much the best seller's score may exceed an
// equally relevant product nobody buys: 15%.
const popularityWeight = 0.15

// popularity holds each product's popularity scaled to 0..1 on a log scale,
// so the nudge means the same in every shop whatever its traffic.
type popularity map[uint]float32

func (p *popularity) of(id uint) float64 {
	if p == nil {
		return 0
	}
	return float64((*p)[id])
}

func newPopularity(docs []Doc) *popularity {
	top := 0.0
	for i := range docs {
		top = math.Max(top, docs[i].Popularity)
	}
	p := make(popularity, len(docs))
	if top <= 0 {
		return &p
	}
	for i := range docs {
		if docs[i].Popularity > 0 {
			p[docs[i].ID] = float32(math.Log1p(docs[i].Popularity) / math.Log1p(top))
		}
	}
	return &p
}

func ids(hits []hit) []uint {
	out := make([]uint, len(hits))
	for i, h := range hits {
		out[i] = h.id
	}
	return out
}

// Suggest returns up to n products whose title, brand or category match
// what has been typed so far, the last word as a prefix ("wireless head").
func (ix *Index) Suggest(ctx context.Context, typed string, n int) ([]uint, error) {
	if err := ix.waitWarm(ctx); err != nil {
		return nil, err
	}
	ix.engMu.RLock()
	defer ix.engMu.RUnlock()
	concepts := ix.concepts(typed)
	if len(concepts) == 0 || n <= 0 {
		return nil, nil
	}
	last := concepts[len(concepts)-1]
	if r := []rune(last.typed); len(r) < 2 && (len(concepts) < 2 || !isOwnWord(r[0])) {
		// One letter suggests too much; a Chinese character or a hiragana
		// is a word of its own and, after another, is enough ("進撃").
		return nil, nil
	}
	var qs []query.Query
	for _, c := range concepts[:len(concepts)-1] {
		if ix.knownConcept(ix.vocab.Load(), c) == conceptKnown {
			qs = append(qs, ix.conceptQuery(c))
		}
	}
	var lastQs []query.Query
	for _, f := range fieldBoosts {
		if f.name == fieldDescription {
			continue
		}
		p := bleve.NewPrefixQuery(fold(last.typed))
		p.SetField(f.name)
		p.SetBoost(f.boost)
		lastQs = append(lastQs, p)
		m := bleve.NewMatchQuery(last.typed)
		m.SetField(f.name)
		m.SetBoost(f.boost * 2)
		lastQs = append(lastQs, m)
	}
	qs = append(qs, bleve.NewDisjunctionQuery(lastQs...))
	hits, err := ix.run(ctx, bleve.NewConjunctionQuery(qs...), n)
	if err != nil {
		return nil, err
	}
	return ids(hits), nil
}
