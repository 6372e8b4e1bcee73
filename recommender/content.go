package recommender

import (
	"strings"
	"unicode"
)

// trainContent builds TF-IDF vectors over title, brand, category path and
// description, and returns each item's top-m neighbours by cosine. These
// neighbours serve "similar items" and bring products without any events yet
// (cold start) into personal rows through the shopper's history.
func trainContent(cat *catalog, m, workers int) csr {
	n := len(cat.items)
	docs := make([][]weightedTerm, n)
	for i := range cat.items {
		docs[i] = cat.terms(i)
	}
	// Sparse, L2-normalised vectors: sublinear tf × smooth idf (launches.go).
	vecs := tfidf(docs)
	terms := vecs.transpose()
	// Very common terms cost much and separate little; leave them out of the
	// candidate search (they still shape the vectors' norms).
	maxDF := max(50, n/4)
	type result struct {
		idx []int32
		sim []float32
	}
	res := make([]result, n)
	parallelRange(n, workers, func(next func() (int, int, bool)) {
		acc := make([]float32, n)
		var touched []int32
		var h topN
		for {
			lo, hi, ok := next()
			if !ok {
				return
			}
			for i := lo; i < hi; i++ {
				ids, ws := vecs.row(i)
				touched = closestByContent(terms, ids, ws, maxDF, int32(i), acc, touched, &h, m)
				idx, sim := h.sorted()
				res[i] = result{append([]int32(nil), idx...), append([]float32(nil), sim...)}
			}
		}
	})
	out := csr{rows: n, cols: n, indptr: make([]int32, n+1)}
	for i, r := range res {
		out.indices = append(out.indices, r.idx...)
		out.data = append(out.data, r.sim...)
		out.indptr[i+1] = int32(len(out.indices))
	}
	return out
}

// terms lists item i's content terms (contentTerms over its category path).
func (c *catalog) terms(i int) []weightedTerm {
	cats := make([]string, len(c.itemCats[i]))
	for k, id := range c.itemCats[i] {
		cats[k] = c.categories[id]
	}
	return contentTerms(c.items[i], cats)
}

var stopwords = map[string]bool{
	"a": true, "an": true, "and": true, "the": true, "of": true, "for": true, "with": true,
	"in": true, "on": true, "to": true, "by": true, "is": true, "it": true, "this": true,
	"that": true, "from": true, "at": true, "or": true, "as": true, "be": true, "are": true,
	"your": true, "you": true, "our": true,
}

func tokenize(s string) []string {
	fields := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	out := fields[:0]
	for _, f := range fields {
		if len(f) >= 2 && !stopwords[f] {
			out = append(out, f)
		}
	}
	return out
}
