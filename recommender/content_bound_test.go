package recommender

import (
	"fmt"
	"math"
	"testing"
)

// A catalog whose titles share a small vocabulary — every title word, brand
// and category in a quarter of the products — has its neighbours searched
// within the posting budget, and still right: each product's twin (the one
// sharing its rare model code) first, every listed similarity the products'
// true cosine. Walking every posting of every term took each product
// through 18,002 postings.
func TestContentSearchIsBoundedOnASmallVocabulary(t *testing.T) {
	const n = 10000
	items := make([]Item, n)
	for i := range items {
		title := ""
		for slot := range 7 {
			title += fmt.Sprintf("w%c%d ", 'a'+slot, (i/(slot+1)+slot)%5)
		}
		title += fmt.Sprintf("zx%d", i/2)
		leaf := fmt.Sprintf("Leaf %c", 'A'+(i/5)%5)
		items[i] = Item{ID: fmt.Sprintf("P%05d", i), Title: title, Brand: fmt.Sprintf("Brand %c", 'K'+(i/7)%5),
			Category: leaf, CategoryPath: []string{"Home", leaf}, Active: true, Stock: 1}
	}
	cat := newCatalog(Dataset{Items: items})
	const m = 30
	sims, walked := trainContentCounted(&cat, m, 2)
	if limit := int64(n) * int64(contentPostingBudget); walked > limit {
		t.Errorf("the searches walked %d postings, %.0f a product: more than the budget of %d", walked, float64(walked)/n, contentPostingBudget)
	}
	docs := make([][]weightedTerm, n)
	for i := range docs {
		docs[i] = cat.terms(i)
	}
	vecs := tfidf(docs)
	df := make([]int, vecs.cols)
	for _, t := range vecs.indices {
		df[t]++
	}
	cosine := func(a, b int) float64 {
		ai, aw := vecs.row(a)
		bi, bw := vecs.row(b)
		var s float64
		for p, q := 0, 0; p < len(ai) && q < len(bi); {
			switch {
			case ai[p] < bi[q]:
				p++
			case ai[p] > bi[q]:
				q++
			default:
				if df[ai[p]] <= max(50, n/4) {
					s += float64(aw[p]) * float64(bw[q])
				}
				p++
				q++
			}
		}
		return s
	}
	for i := range n {
		idx, sim := sims.row(i)
		if len(idx) != m {
			t.Fatalf("product %d has %d neighbours, want %d", i, len(idx), m)
		}
		if twin := int32(i ^ 1); idx[0] != twin {
			t.Fatalf("product %d's nearest is %d (%.3f), not its twin %d (%.3f)", i, idx[0], sim[0], twin, cosine(i, int(twin)))
		}
		for k, j := range idx {
			if want := cosine(i, int(j)); math.Abs(float64(sim[k])-want) > 1e-4 {
				t.Fatalf("product %d's neighbour %d listed at %.4f, its cosine is %.4f", i, j, sim[k], want)
			}
			if k > 0 && sim[k] > sim[k-1] {
				t.Fatalf("product %d's neighbours out of order at %d", i, k)
			}
		}
	}
}
