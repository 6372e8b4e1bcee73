package recommender

import (
	"cmp"
	"slices"
	"strings"
	"sync/atomic"
	"unicode"
)

// trainContent builds TF-IDF vectors over title, brand, category path and
// description, and returns each item's top-m neighbours by cosine. These
// neighbours serve "similar items" and bring products without any events yet
// (cold start) into personal rows through the shopper's history.
func trainContent(cat *catalog, m, workers int) csr {
	sims, _ := trainContentCounted(cat, m, workers)
	return sims
}

// Bounds of one product's neighbour search (boundedSearch): a product whose
// terms' postings number at most contentExactPostings is searched exactly,
// walking them all; another walks at most contentPostingBudget of them,
// rarest terms first, and scores the products so reached on every term.
const (
	contentExactPostings = 16384
	contentPostingBudget = 4096
)

// trainContentCounted is trainContent, also returning how many postings of
// the inverted index the neighbour searches walked in all.
func trainContentCounted(cat *catalog, m, workers int) (csr, int64) {
	n := len(cat.items)
	docs := make([][]weightedTerm, n)
	for i := range cat.items {
		docs[i] = cat.terms(i)
	}
	// Sparse, L2-normalised vectors: sublinear tf × smooth idf (launches.go).
	vecs := tfidf(docs)
	// Very common terms cost much and separate little; leave them out of the
	// similarity (they still shape the vectors' norms).
	maxDF := max(50, n/4)
	df := make([]int32, vecs.cols)
	for _, t := range vecs.indices {
		df[t]++
	}
	kept := vecs.keepColumns(func(t int32) bool { return int(df[t]) <= maxDF })
	terms := kept.transpose()
	type result struct {
		idx []int32
		sim []float32
	}
	res := make([]result, n)
	var walked atomic.Int64
	parallelRange(n, workers, func(next func() (int, int, bool)) {
		s := boundedSearch{vecs: &kept, terms: &terms, exact: contentExactPostings, budget: contentPostingBudget,
			acc: make([]float32, n), query: make([]float32, kept.cols)}
		var total int64
		for {
			lo, hi, ok := next()
			if !ok {
				walked.Add(total)
				return
			}
			for i := lo; i < hi; i++ {
				total += int64(s.closest(int32(i), m))
				idx, sim := s.h.sorted()
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
	return out, walked.Load()
}

// boundedSearch finds a product's nearest products by content (the cosine of
// their TF-IDF vectors, above 0.05) at a bounded cost however common its
// words are. A catalog whose titles share a small vocabulary ("case",
// "black", a brand on every title, a category word) puts each term in
// thousands of products, and walking every posting of every term made the
// search's cost grow with the catalog's square. Here the product's terms
// are walked rarest first while their postings fit the budget (the rarest
// always, through at most budget postings around the product itself); every
// product so reached is then scored on all its terms, the common ones not
// walked included, before the top m are kept. A product whose terms fit the
// budget is searched exactly as before; one whose terms do not is compared
// with at most budget products, those sharing its rarest terms.
type boundedSearch struct {
	vecs    *csr      // the products' vectors, only the terms within maxDF
	terms   *csr      // their inverted index: per term, its products and weights
	exact   int       // search exactly up to this many postings
	budget  int       // else walk at most this many
	acc     []float32 // per product, zero between searches
	query   []float32 // per term: the product's weight of a term not walked, zero between searches
	touched []int32
	order   []int32
	h       topN
}

// closest leaves in s.h product i's m nearest products and returns the
// number of postings walked.
func (s *boundedSearch) closest(i int32, m int) int {
	ids, ws := s.vecs.row(int(i))
	df := func(k int32) int32 { t := ids[k]; return s.terms.indptr[t+1] - s.terms.indptr[t] }
	s.order = s.order[:0]
	total := 0
	for k := range ids {
		s.order = append(s.order, int32(k))
		total += int(df(int32(k)))
	}
	budget := s.budget
	if total <= s.exact {
		budget = total // in the row's order, as the search always went
	} else {
		slices.SortFunc(s.order, func(a, b int32) int { return cmp.Or(cmp.Compare(df(a), df(b)), cmp.Compare(a, b)) })
	}
	s.touched = s.touched[:0]
	walked, skipped := 0, false
	for n, k := range s.order {
		docsT, wt := s.terms.row(int(ids[k]))
		if walked+len(docsT) > budget {
			if n > 0 {
				s.query[ids[k]] = ws[k]
				skipped = true
				continue
			}
			// The rarest term alone is over the budget: walk the budget's
			// postings around the product itself.
			p, _ := slices.BinarySearch(docsT, i)
			lo := min(max(0, p-budget/2), len(docsT)-budget)
			docsT, wt = docsT[lo:lo+budget], wt[lo:lo+budget]
		}
		walked += len(docsT)
		w := ws[k]
		for p, j := range docsT {
			if s.acc[j] == 0 {
				s.touched = append(s.touched, j)
			}
			s.acc[j] += w * wt[p]
		}
	}
	s.h.reset(m)
	for _, j := range s.touched {
		sim := s.acc[j]
		s.acc[j] = 0
		if j == i {
			continue
		}
		if skipped {
			jids, jws := s.vecs.row(int(j))
			for p, t := range jids {
				sim += s.query[t] * jws[p]
			}
		}
		if sim > 0.05 {
			s.h.push(sim, j)
		}
	}
	if skipped {
		for _, t := range ids {
			s.query[t] = 0
		}
	}
	return walked
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
