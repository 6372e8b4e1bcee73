package recommender

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestSubsetRecordsScoreLikeThePartByPartBlend: a hybrid row scored on a
// subset from the products' records (one pass over the subset, each part
// into its own array) gives every item the score, the strongest
// contribution and the source the part-by-part blend gives, bit for bit:
// shoppers with a candidate list and without one (the popular block),
// with and without a session, with the default blend and with SVD and
// popularity in it too (the parts the records do not hold, between the
// ones they do), and products with more words than a record holds.
func TestSubsetRecordsScoreLikeThePartByPartBlend(t *testing.T) {
	m := servingWorld(t)
	r := m.itemRecords()
	long := 0
	for j := range m.cat.items {
		if words, _ := m.text.get(m).itemTerms.row(j); len(words) > recWords {
			long++
		}
	}
	if long == 0 {
		t.Fatal("no product has more words than a record holds: that path goes untested")
	}
	if len(r.blockIdx) == 0 || !slices.IsSorted(r.blockIdx) {
		t.Fatal("the records' popular block is empty or out of index order")
	}
	run := func(req Request, w HybridWeights, partByPart bool) ([]float32, []float32, []source) {
		m.partByPart = partByPart
		defer func() { m.partByPart = false }()
		s := m.getScratch()
		defer m.scratch.Put(s)
		s.begin()
		user := m.buildHistory(s, req)
		sub := m.candidateSubset(req, user)
		if sub == nil {
			t.Fatal("a large catalog's shopper is not scored on a subset")
		}
		m.hybridSubset(s, req, user, sub, w)
		return slices.Clone(s.score), slices.Clone(s.srcVal), slices.Clone(s.src)
	}
	rng := rand.New(rand.NewPCG(7, 8))
	blends := []HybridWeights{m.cfg.Weights}
	withMore := m.cfg.Weights
	withMore.SVD, withMore.Popular, withMore.Category = 0.5, 0.2, 0.3
	blends = append(blends, withMore)
	lists, fallback := 0, 0
	for u := 0; u < len(m.userIDs) && lists+fallback < 240; u += 1 + rng.IntN(8) {
		hasList := len(m.cands.row(int32(u))) > 0
		if hasList {
			lists++
		} else {
			fallback++
		}
		req := Request{User: m.userIDs[u], Strategy: Hybrid}
		if u%3 == 0 {
			req.Recent = []Event{{Item: m.cat.items[rng.IntN(len(m.cat.items))].ID, Type: View},
				{Item: m.cat.items[rng.IntN(len(m.cat.items))].ID, Type: AddToCart}}
		}
		for b, w := range blends {
			score, val, src := run(req, w, false)
			wantScore, wantVal, wantSrc := run(req, w, true)
			if !slices.Equal(score, wantScore) || !slices.Equal(val, wantVal) || !slices.Equal(src, wantSrc) {
				t.Fatalf("%s (list %v, blend %d): the records' blend differs from the part-by-part one", req.User, hasList, b)
			}
		}
	}
	if lists == 0 || fallback == 0 {
		t.Fatalf("compared %d shoppers with a list and %d without: both kinds are needed", lists, fallback)
	}
}
