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
	out := make([]string, 0, len(fields))
	for _, f := range fields {
		if hasCJK(f) {
			out = cjkTerms(out, f)
		} else if len(f) >= 2 && !stopwords[f] {
			out = append(out, f)
		}
	}
	return out
}

// isCJK tells whether r is written without spaces between words: a
// Chinese character, a hiragana or a katakana (with its long-vowel mark).
func isCJK(r rune) bool {
	return r >= 0x3040 && (unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana) || r == 0x30FC)
}

func hasCJK(s string) bool {
	for _, r := range s {
		if isCJK(r) {
			return true
		}
	}
	return false
}

// cjkTerms appends the terms of a word holding Chinese or Japanese: each run
// of those characters gives its overlapping pairs ("進撃の巨人" gives 進撃,
// 撃の, の巨, 巨人; a lone character stays itself), as the script writes a
// title without spaces and a whole title was one term that no other product
// shared, while "第27巻" (volume 27) matched every series' volume 27; the
// runs of other letters and digits between them are words as elsewhere.
func cjkTerms(out []string, f string) []string {
	rs := []rune(f)
	for i := 0; i < len(rs); {
		j := i + 1
		for j < len(rs) && isCJK(rs[j]) == isCJK(rs[i]) {
			j++
		}
		switch run := rs[i:j]; {
		case !isCJK(run[0]):
			if w := string(run); len(w) >= 2 && !stopwords[w] {
				out = append(out, w)
			}
		case len(run) == 1:
			out = append(out, string(run))
		default:
			for k := 0; k+1 < len(run); k++ {
				out = append(out, string(run[k:k+2]))
			}
		}
		i = j
	}
	return out
}
