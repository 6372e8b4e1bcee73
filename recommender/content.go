package recommender

import (
	"math"
	"strings"
	"unicode"
)

// trainContent builds TF-IDF vectors over title, brand, category path and
// description, and returns each item's top-m neighbours by cosine. These
// neighbours serve "similar items" and bring products without any events yet
// (cold start) into personal rows through the shopper's history.
func trainContent(cat *catalog, m, workers int) csr {
	n := len(cat.items)
	vocab := make(map[string]int32)
	docs := make([]map[int32]float64, n)
	df := []int{}
	for i, it := range cat.items {
		tf := make(map[int32]float64)
		add := func(term string, w float64) {
			id, ok := vocab[term]
			if !ok {
				id = int32(len(vocab))
				vocab[term] = id
				df = append(df, 0)
			}
			tf[id] += w
		}
		for _, t := range tokenize(it.Title) {
			add(t, 2)
		}
		if b := strings.ToLower(strings.TrimSpace(it.Brand)); b != "" {
			add("brand:"+b, 1.5)
		}
		for _, c := range cat.itemCats[i] {
			add("cat:"+strings.ToLower(cat.categories[c]), 1)
		}
		for _, t := range tokenize(it.Description) {
			add(t, 0.5)
		}
		for id := range tf {
			df[id]++
		}
		docs[i] = tf
	}
	// Sparse, L2-normalised vectors: sublinear tf × smooth idf.
	vecs := csr{rows: n, cols: len(vocab), indptr: make([]int32, n+1)}
	for i, tf := range docs {
		var norm float64
		start := len(vecs.indices)
		for id, f := range tf {
			w := (1 + math.Log(f)) * (math.Log(float64(n+1)/float64(df[id]+1)) + 1)
			vecs.indices = append(vecs.indices, id)
			vecs.data = append(vecs.data, float32(w))
			norm += w * w
		}
		if norm > 0 {
			inv := float32(1 / math.Sqrt(norm))
			for k := start; k < len(vecs.data); k++ {
				vecs.data[k] *= inv
			}
		}
		vecs.indptr[i+1] = int32(len(vecs.indices))
	}
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
				touched = touched[:0]
				ids, ws := vecs.row(i)
				for k, t := range ids {
					docsT, wt := terms.row(int(t))
					if len(docsT) > maxDF {
						continue
					}
					for p, j := range docsT {
						if acc[j] == 0 {
							touched = append(touched, j)
						}
						acc[j] += ws[k] * wt[p]
					}
				}
				h.reset(m)
				for _, j := range touched {
					if int(j) != i && acc[j] > 0.05 {
						h.push(acc[j], j)
					}
					acc[j] = 0
				}
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
