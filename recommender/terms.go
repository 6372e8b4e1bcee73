package recommender

import (
	"cmp"
	"slices"
	"strings"
	"sync"
)

// The shopper's words: a taste model over the products' own descriptions,
// a part of the hybrid. An item j scores
//
//	P(category of j | shopper) · P(j | its category) · Π_t lift(t | shopper)
//
// over j's words t (title, brand, description; the content model's terms
// without the category names): the shopper's category shares smoothed
// toward the shop's, the item's share of its category's popularity, and,
// for each word of the item, how much more often it appears in the
// shopper's history than expected from the categories they browsed —
// (n + 5) / (e + 5), where n is the history's weight of items with the
// word and e the same weight times the word's popularity-weighted share of
// each history category. Words every product of a category has are
// neutral, words the shopper keeps choosing across categories (a style, a
// material, a colour, a brand) lift every product that has them, also those
// no one interacted with yet. Words absent from the history are neutral.

// termModel is what the taste model derives from the catalog and its
// popularity when first needed (not stored: both are).
type termModel struct {
	once      sync.Once
	itemTerms csr       // items × words, binary, sorted
	catTerms  csr       // leaf categories × words: the popularity-weighted share of the category's items with the word
	popShare  []float32 // per item: its share of its leaf category's popularity (smoothed)
	catPrior  []float32 // per leaf category: its share of the shop's popularity
	leafCat   []int32   // per item: its leaf category (the catalog's), or -1
}

// wordPseudo is the pseudo-count of the word lifts: a word needs a few
// history items before it lifts anything (1 let the products' incidental
// words add noise: the part alone scored 0.131 on dense-few-cats against
// 0.160 with 5). catPseudo is the history weight the shop's category
// shares count as.
const (
	wordPseudo = 5
	catPseudo  = 1
)

// maxItemWords bounds the words of one product the taste model reads (its
// rarest); the suite's and the demo's products have fewer.
const maxItemWords = 16

func (t *termModel) get(m *Model) *termModel {
	t.once.Do(func() { t.build(m) })
	return t
}

func (t *termModel) build(m *Model) {
	n, nc := len(m.cat.items), len(m.cat.categories)
	vocab := map[string]int32{}
	lists := make([][]int32, n)
	var df []int32
	for i := range n {
		var ids []int32
		for _, wt := range m.cat.terms(i) {
			if strings.HasPrefix(wt.term, "cat:") {
				continue
			}
			id, ok := vocab[wt.term]
			if !ok {
				id = int32(len(vocab))
				vocab[wt.term] = id
				df = append(df, 0)
			}
			ids = append(ids, id)
		}
		slices.Sort(ids)
		ids = slices.Compact(ids)
		for _, id := range ids {
			df[id]++
		}
		lists[i] = ids
	}
	// A long description would make every product cost its every word at
	// serving: a product keeps its maxItemWords rarest words.
	t.itemTerms = csr{rows: n, indptr: make([]int32, n+1)}
	for i, ids := range lists {
		if len(ids) > maxItemWords {
			slices.SortStableFunc(ids, func(a, b int32) int { return cmp.Compare(df[a], df[b]) })
			ids = ids[:maxItemWords]
			slices.Sort(ids)
		}
		for _, id := range ids {
			t.itemTerms.indices = append(t.itemTerms.indices, id)
			t.itemTerms.data = append(t.itemTerms.data, 1)
		}
		t.itemTerms.indptr[i+1] = int32(len(t.itemTerms.indices))
	}
	var ids []int32
	t.itemTerms.cols = len(vocab)
	t.leafCat = m.cat.leafCat
	pop := func(j int) float64 {
		if j < len(m.pop.pop) {
			return float64(m.pop.pop[j])
		}
		return 0
	}
	// Popularity per category, with every item counting at least a little
	// (a tenth of the category's mean), so new products have a share.
	catPop := make([]float64, nc)
	catN := make([]float64, nc)
	for j := range n {
		if c := m.cat.leafCat[j]; c >= 0 {
			catPop[c] += pop(j)
			catN[c]++
		}
	}
	smooth := make([]float64, nc)
	total := 0.0
	for c := range nc {
		if catN[c] > 0 {
			smooth[c] = 0.1*catPop[c]/catN[c] + 1e-9
		}
		total += catPop[c] + smooth[c]*catN[c]
	}
	t.popShare = make([]float32, n)
	byCat := make([][]int32, nc)
	for j := range n {
		c := m.cat.leafCat[j]
		if c < 0 {
			continue
		}
		byCat[c] = append(byCat[c], int32(j))
		t.popShare[j] = float32((pop(j) + smooth[c]) / (catPop[c] + smooth[c]*catN[c]))
	}
	t.catPrior = make([]float32, nc)
	t.catTerms = csr{rows: nc, cols: len(vocab), indptr: make([]int32, nc+1)}
	acc := map[int32]float64{}
	for c := range nc {
		if total > 0 {
			t.catPrior[c] = float32((catPop[c] + smooth[c]*catN[c]) / total)
		}
		clear(acc)
		for _, j := range byCat[c] {
			words, _ := t.itemTerms.row(int(j))
			for _, id := range words {
				acc[id] += float64(t.popShare[j])
			}
		}
		ids = ids[:0]
		for id := range acc {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		for _, id := range ids {
			t.catTerms.indices = append(t.catTerms.indices, id)
			t.catTerms.data = append(t.catTerms.data, float32(acc[id]))
		}
		t.catTerms.indptr[c+1] = int32(len(t.catTerms.indices))
	}
}

// termScores writes the taste model's score into dst for the listed items
// (every item when items is nil); items it cannot score stay zero.
func (m *Model) termScores(s *scratch, dst []float32, items []int32) {
	if m.text == nil || len(s.hist.items) == 0 {
		return
	}
	t := m.text.get(m)
	nc := len(m.cat.categories)
	s.termCat = resize(s.termCat, nc)
	// The word arrays are catalog-vocabulary sized: kept zero between
	// requests, only the history's words are cleared after use.
	if len(s.termAcc) != t.itemTerms.cols {
		s.termAcc, s.termExp = make([]float32, t.itemTerms.cols), make([]float32, t.itemTerms.cols)
		s.termBits = make([]uint64, (t.itemTerms.cols+63)/64)
	}
	defer func() {
		for _, id := range s.termHist {
			s.termAcc[id], s.termExp[id] = 0, 0
			s.termBits[id>>6] = 0
		}
	}()
	s.termHist = s.termHist[:0]
	s.termCats = s.termCats[:0]
	var total float32
	for k, i := range s.hist.items {
		w := s.pw[k]
		c := m.cat.leafCat[i]
		if c < 0 || w <= 0 {
			continue
		}
		if s.termCat[c] == 0 {
			s.termCats = append(s.termCats, c)
		}
		s.termCat[c] += w
		total += w
		words, _ := t.itemTerms.row(int(i))
		for _, id := range words {
			if s.termAcc[id] == 0 {
				s.termHist = append(s.termHist, id)
				s.termBits[id>>6] |= 1 << (id & 63)
			}
			s.termAcc[id] += w
		}
	}
	if total <= 0 {
		return
	}
	// Each history word's lift: its weight in the history against what the
	// history's categories would give it (e, summed category by category
	// over the words of the history only).
	for _, c := range s.termCats {
		wc := s.termCat[c]
		words, shares := t.catTerms.row(int(c))
		for k, id := range words {
			if s.termAcc[id] > 0 {
				s.termExp[id] += wc * shares[k]
			}
		}
	}
	for _, id := range s.termHist {
		s.termAcc[id] = (s.termAcc[id] + wordPseudo) / (s.termExp[id] + wordPseudo)
	}
	// Most of a product's words are not the history's: a bit per word
	// (small enough to stay in cache) says which lifts to read.
	prior := catPseudo / (total + catPseudo)
	share := 1 / (total + catPseudo)
	if items == nil {
		for j := range m.cat.items {
			t.score(s, dst, int32(j), prior, share)
		}
		return
	}
	for _, j := range items {
		t.score(s, dst, j, prior, share)
	}
}

// score sets dst[j] to the taste model's score of item j for the history
// summarised in s (category weights, word lifts and their bits).
func (t *termModel) score(s *scratch, dst []float32, j int32, prior, share float32) {
	c := t.leafCat[j]
	if c < 0 {
		return
	}
	v := (s.termCat[c]*share + prior*t.catPrior[c]) * t.popShare[j]
	lo, hi := t.itemTerms.indptr[j], t.itemTerms.indptr[j+1]
	for _, id := range t.itemTerms.indices[lo:hi] {
		if s.termBits[id>>6]&(1<<(id&63)) != 0 {
			v *= s.termAcc[id]
		}
	}
	if v > 0 {
		dst[j] = v
	}
}
