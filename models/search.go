package models

import (
	"math"
	"slices"
	"sort"
	"strings"
	"unicode"
)

// SearchDoc is what the search index needs to know about a product.
type SearchDoc struct {
	ID          uint
	Title       string
	Brand       string
	Category    string
	Description string
	Popularity  float64
	Active      bool
}

// SearchIndex is an in-memory inverted index over the catalog with prefix
// and typo-tolerant matching. It is immutable once built; rebuild it when
// the catalog changes.
type SearchIndex struct {
	postings map[string][]posting
	terms    []string // sorted vocabulary, for prefix and fuzzy lookups
	docs     map[uint]SearchDoc
	n        int
}

type posting struct {
	doc    uint
	weight float64
}

// field weights: a title match counts more than a description match.
var searchFields = []struct {
	weight float64
	get    func(SearchDoc) string
}{
	{3.0, func(d SearchDoc) string { return d.Title }},
	{2.0, func(d SearchDoc) string { return d.Brand }},
	{1.5, func(d SearchDoc) string { return d.Category }},
	{0.5, func(d SearchDoc) string { return d.Description }},
}

// Tokenize lower-cases s and splits it into words of letters and digits.
func Tokenize(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

// NewSearchIndex builds an index over docs.
func NewSearchIndex(docs []SearchDoc) *SearchIndex {
	idx := &SearchIndex{postings: map[string][]posting{}, docs: make(map[uint]SearchDoc, len(docs))}
	for _, d := range docs {
		if !d.Active {
			continue
		}
		idx.docs[d.ID] = d
		idx.n++
		w := map[string]float64{}
		for _, f := range searchFields {
			for _, t := range Tokenize(f.get(d)) {
				w[t] = math.Max(w[t], f.weight)
			}
		}
		for t, x := range w {
			idx.postings[t] = append(idx.postings[t], posting{d.ID, x})
		}
	}
	idx.terms = make([]string, 0, len(idx.postings))
	for t := range idx.postings {
		idx.terms = append(idx.terms, t)
	}
	sort.Strings(idx.terms)
	return idx
}

// SearchResult is a ranked page of product ids.
type SearchResult struct {
	IDs        []uint
	Total      int
	Suggestion string // a corrected query when words were matched fuzzily
}

// MaxQueryLength bounds the work one query can cause.
const MaxQueryLength = 200

// Search ranks documents matching every word of q (exactly, by prefix, or
// within a small edit distance) and returns the requested page.
func (idx *SearchIndex) Search(q string, page, perPage int) SearchResult {
	if len(q) > MaxQueryLength {
		q = q[:MaxQueryLength]
	}
	words := Tokenize(q)
	if len(words) > 8 {
		words = words[:8]
	}
	if len(words) == 0 || idx.n == 0 {
		return SearchResult{}
	}
	var scores map[uint]float64
	corrected := make([]string, len(words))
	fuzzyUsed := false
	for i, w := range words {
		matches := idx.expand(w)
		if len(matches) == 0 {
			return SearchResult{}
		}
		best := matches[0]
		corrected[i] = best.term
		if best.kind == matchFuzzy {
			fuzzyUsed = true
		}
		wordScores := map[uint]float64{}
		for _, m := range matches {
			ps := idx.postings[m.term]
			idf := math.Log(1 + float64(idx.n)/float64(len(ps)))
			for _, p := range ps {
				s := p.weight * idf * m.factor
				if s > wordScores[p.doc] {
					wordScores[p.doc] = s
				}
			}
		}
		if scores == nil {
			scores = wordScores
			continue
		}
		for d, s := range scores {
			if ws, ok := wordScores[d]; ok {
				scores[d] = s + ws
			} else {
				delete(scores, d)
			}
		}
	}
	ids := make([]uint, 0, len(scores))
	for d := range scores {
		ids = append(ids, d)
	}
	sort.Slice(ids, func(i, j int) bool {
		a, b := ids[i], ids[j]
		sa := scores[a] + 0.1*math.Log1p(idx.docs[a].Popularity)
		sb := scores[b] + 0.1*math.Log1p(idx.docs[b].Popularity)
		if sa != sb {
			return sa > sb
		}
		return a < b
	})
	res := SearchResult{Total: len(ids)}
	if fuzzyUsed {
		res.Suggestion = strings.Join(corrected, " ")
	}
	if perPage <= 0 {
		perPage = 24
	}
	if page < 1 {
		page = 1
	}
	from := (page - 1) * perPage
	if from < len(ids) {
		res.IDs = ids[from:min(from+perPage, len(ids))]
	}
	return res
}

const (
	matchExact = iota
	matchPrefix
	matchFuzzy
)

type termMatch struct {
	term   string
	kind   int
	factor float64
}

// expand finds the vocabulary terms a query word stands for.
func (idx *SearchIndex) expand(w string) []termMatch {
	var out []termMatch
	if _, ok := idx.postings[w]; ok {
		out = append(out, termMatch{w, matchExact, 1})
	}
	if len(w) >= 2 {
		i := sort.SearchStrings(idx.terms, w)
		for n := 0; i < len(idx.terms) && strings.HasPrefix(idx.terms[i], w) && n < 50; i++ {
			if idx.terms[i] != w {
				out = append(out, termMatch{idx.terms[i], matchPrefix, 0.8})
				n++
			}
		}
	}
	if len(out) > 0 {
		return out
	}
	maxDist := 0
	switch r := len([]rune(w)); {
	case r >= 8:
		maxDist = 2
	case r >= 4:
		maxDist = 1
	}
	if maxDist == 0 {
		return nil
	}
	for _, t := range idx.terms {
		if d := abs(len(t) - len(w)); d > maxDist {
			continue
		}
		if d := editDistance(w, t, maxDist); d <= maxDist {
			out = append(out, termMatch{t, matchFuzzy, 0.6 / float64(d)})
		}
	}
	// Closest corrections first, so the suggestion uses the best one.
	slices.SortStableFunc(out, func(a, b termMatch) int {
		switch {
		case a.factor > b.factor:
			return -1
		case a.factor < b.factor:
			return 1
		}
		return len(idx.postings[b.term]) - len(idx.postings[a.term])
	})
	return out
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// editDistance is the Levenshtein distance of a and b, giving up (returning
// max+1) once it must exceed max.
func editDistance(a, b string, max int) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			rowMin = min(rowMin, cur[j])
		}
		if rowMin > max {
			return max + 1
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
