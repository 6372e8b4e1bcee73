package recommender

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"gonum.org/v1/gonum/blas/blas32"
)

var (
	servingOnce  sync.Once
	servingModel *Model
	servingErr   error
)

// servingWorld is a synthetic shop above fullScanItems products (so a
// shopper without a candidate list takes the large-catalog path) with the
// default models; a few hundred shoppers get candidate lists, the rest
// none. It is trained once per test binary.
func servingWorld(t *testing.T) *Model {
	t.Helper()
	servingOnce.Do(func() {
		cfg := DefaultConfig()
		cfg.Workers = 2
		cfg.Candidates = CandidateConfig{PerUser: 200, MaxUsers: 300, Budget: time.Minute}
		servingModel, servingErr = Train(context.Background(), syntheticShop(3000, fullScanItems+2000, 150_000, 11), cfg, nil)
	})
	if servingErr != nil {
		t.Fatal(servingErr)
	}
	return servingModel
}

// TestFactorRowScanMatchesWholeCatalog: an ALS or SVD row scored on a
// prefix of the norm-ordered catalog is the row the whole catalog gives
// (items, order, scores and reasons), under every rule that changes which
// items qualify or their scores — exclusions, filters, boosts, a live
// stock check that rejects many items, diversity, a session — and it
// scores only part of the catalog for a typical shopper.
func TestFactorRowScanMatchesWholeCatalog(t *testing.T) {
	m := servingWorld(t)
	rng := rand.New(rand.NewPCG(3, 4))
	n := len(m.cat.items)
	item := func() string { return m.cat.items[rng.IntN(n)].ID }
	variants := []func(r *Request){
		func(r *Request) {},
		func(r *Request) { r.ExcludeSeen, r.Diversity = true, 0.3 },
		func(r *Request) { r.Category = "cat7" },
		func(r *Request) { r.Brands, r.MinPriceCents = []string{"brand3", "brand9", "brand11"}, 5000 },
		func(r *Request) {
			// Boost items of every norm, the weakest included, far up.
			x := m.alsIndex.get(m.als.itemF, m.als.k)
			r.Boosts = map[string]float64{
				m.cat.items[x.order[len(x.order)-1]].ID: 1e6, m.cat.items[x.order[len(x.order)/2]].ID: 50,
				item(): 0.5, item(): 3,
			}
		},
		func(r *Request) {
			r.Available = func(id string) bool { return len(id)%3 != 0 || id[len(id)-1]%2 == 0 }
		},
		func(r *Request) { r.Recent = []Event{{Item: item(), Type: View}, {Item: item(), Type: AddToCart}} },
		func(r *Request) { r.User = "a visitor"; r.Recent = []Event{{Item: item(), Type: View}} },
		func(r *Request) { r.Pins, r.Exclude = []string{item()}, map[string]bool{item(): true} },
	}
	for _, st := range []Strategy{ALS, SVD} {
		for u := 0; u < 120; u++ {
			for vi, vary := range variants {
				req := Request{User: m.userIDs[rng.IntN(len(m.userIDs))], Strategy: st, N: 30}
				vary(&req)
				got := m.Recommend(req)
				req.fullScan = true
				want := m.Recommend(req)
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("%s, shopper %s, variant %d: the scan gives\n%v\nthe whole catalog\n%v", st, req.User, vi, got, want)
				}
			}
		}
	}

	// The scan stops early for most shoppers (else it saves nothing).
	x := m.alsIndex.get(m.als.itemF, m.als.k)
	pruned, tried := 0, 0
	for u := 0; u < 200; u++ {
		s := m.getScratch()
		s.begin()
		req := Request{User: m.userIDs[rng.IntN(len(m.userIDs))], Strategy: ALS, N: 50}
		user := m.buildHistory(s, req)
		f := m.newFilter(s, req, false)
		m.score(s, req, user, -1)
		m.scanFactors(s, f, 50)
		tried++
		if s.scan.at < len(x.order) {
			pruned++
		}
		m.scratch.Put(s)
	}
	if pruned*10 < tried*8 {
		t.Fatalf("the scan stopped early for %d of %d shoppers, want at least 80 %%", pruned, tried)
	}
}

// TestFactorIndexOrder: the index lists every item once, by norm, with
// its own factors.
func TestFactorIndexOrder(t *testing.T) {
	m := servingWorld(t)
	x := m.alsIndex.get(m.als.itemF, m.als.k)
	k := m.als.k
	seen := make([]bool, len(m.cat.items))
	for p, j := range x.order {
		if seen[j] {
			t.Fatalf("item %d listed twice", j)
		}
		seen[j] = true
		if p > 0 && x.norm[p] > x.norm[p-1] {
			t.Fatalf("norms rise at %d: %v after %v", p, x.norm[p], x.norm[p-1])
		}
		if got, want := fmt.Sprint(x.f[p*k:(p+1)*k]), fmt.Sprint(m.als.item(j)); got != want {
			t.Fatalf("position %d holds other factors than item %d", p, j)
		}
	}
	if len(x.order) != len(m.cat.items) {
		t.Fatalf("%d items listed of %d", len(x.order), len(m.cat.items))
	}
}

// TestFoldInCGMatchesExact: a history with a session folded in by CG —
// from the shopper's trained factors, or from zero for a visitor — gives
// the exact solve's factors (relative error ≤ 1e-3) and the same ALS top 50
// (at most one item of 50 different, by a near tie, for any shopper), for
// short and long histories.
func TestFoldInCGMatchesExact(t *testing.T) {
	m := servingWorld(t)
	rng := rand.New(rand.NewPCG(8, 9))
	k := m.als.k
	n := len(m.cat.items)
	exactScores, cgScores := make([]float32, n), make([]float32, n)
	top := func(sc []float32) map[int32]bool {
		var h topN
		h.reset(50)
		for j, v := range sc {
			h.push(v, int32(j))
		}
		out := map[int32]bool{}
		for _, j := range h.idx {
			out[j] = true
		}
		return out
	}
	type group struct {
		name                                   string
		cases, differ, steps, unconverged, max int
		worst                                  float64
	}
	groups := []*group{{name: "known, ≤ 30 items"}, {name: "known, > 30 items"}, {name: "visitor"}}
	check := func(g *group, user int32, req Request) {
		s := m.getScratch()
		defer m.scratch.Put(s)
		s.begin()
		m.buildHistory(s, req)
		// The exact solve reads the strengths as ALS does (alsModel.strengths).
		vals := m.als.strengths(nil, s.hist.weights)
		exact, err := solveExact(m.als.itemF, m.als.gram, k, m.als.alpha, s.hist.items, vals)
		if err != nil {
			t.Fatal(err)
		}
		got, err := m.foldIn(s, user, s.hist.items, s.hist.weights)
		if err != nil {
			t.Fatal(err)
		}
		// How many CG steps that took (for the log).
		start := make([]float32, k)
		copy(start, m.userRow(m.als.userF, k, user))
		G := blas32.General{Rows: k, Cols: k, Stride: k, Data: s.foldG}
		took, ok := cgSolveRow(start, m.als.itemF, G, s.hist.items, vals, k, m.als.alpha, foldInMaxSteps*k, foldInTol, newCGScratch(k))
		g.cases++
		g.steps += took
		g.max = max(g.max, took)
		if !ok {
			g.unconverged++
		}
		e := relErr(got, exact)
		g.worst = max(g.worst, e)
		if e > 1e-3 {
			t.Fatalf("%s (%s): CG fold-in is %.2g from the exact one", req.User, g.name, e)
		}
		m.factorScores(exactScores, m.als.itemF, exact)
		m.factorScores(cgScores, m.als.itemF, got)
		a, b := top(exactScores), top(cgScores)
		same := 0
		for j := range a {
			if b[j] {
				same++
			}
		}
		if same < 49 {
			t.Fatalf("%s (%s): CG fold-in's top 50 shares %d items with the exact one's", req.User, g.name, same)
		}
		if same < 50 {
			g.differ++
		}
	}
	views := func(c int) []Event {
		recent := make([]Event, c)
		for i := range recent {
			recent[i] = Event{Item: m.cat.items[rng.IntN(n)].ID, Type: EventType(rng.IntN(int(numEventTypes)))}
		}
		return recent
	}
	for u := 0; u < len(m.userIDs) && (groups[0].cases < 150 || groups[1].cases < 150); u++ {
		g := groups[0]
		if m.ui.indptr[u+1]-m.ui.indptr[u] > 30 {
			g = groups[1]
		}
		if g.cases < 150 {
			check(g, int32(u), Request{User: m.userIDs[u], Recent: views(5)})
		}
	}
	for v := range 150 {
		check(groups[2], -1, Request{User: "a visitor", Recent: views(1 + v%20)})
	}
	for _, g := range groups {
		if g.cases < 100 {
			t.Fatalf("only %d cases of %s", g.cases, g.name)
		}
		t.Logf("%s: %d cases, worst relative error %.2g, %d top-50s differ by one item; CG %.1f steps on average, at most %d, %d not converged (exact solve)",
			g.name, g.cases, g.worst, g.differ, float64(g.steps)/float64(g.cases), g.max, g.unconverged)
	}
}

// TestPopularBlockScoresLikeTheCatalog: a shopper without a candidate list
// in a large catalog is scored on the popular items from their own block
// of factors; the blend is the one the same items give read one by one
// from the factor matrix (scores, sources, every item).
func TestPopularBlockScoresLikeTheCatalog(t *testing.T) {
	m := servingWorld(t)
	if !m.isFallback(m.candidateSubset(Request{User: "a visitor"}, -1)) {
		t.Fatal("a visitor in a catalog above fullScanItems is not scored on the fallback subset")
	}
	if m.isFallback(slices.Clone(m.fallbackSubset())) {
		t.Fatal("a copy of the fallback subset counts as the subset itself")
	}
	m.cfg.Weights.SVD = 0.5 // both factor models' blocks
	defer func() { m.cfg.Weights.SVD = DefaultConfig().Weights.SVD }()
	rng := rand.New(rand.NewPCG(1, 2))
	run := func(req Request, sub []int32) ([]float32, []source) {
		s := m.getScratch()
		defer m.scratch.Put(s)
		s.begin()
		user := m.buildHistory(s, req)
		m.hybrid(s, req, user, sub)
		return slices.Clone(s.score), slices.Clone(s.src)
	}
	checked := 0
	for u := 0; u < len(m.userIDs) && checked < 100; u++ {
		if len(m.cands.row(int32(u))) > 0 {
			continue
		}
		checked++
		req := Request{User: m.userIDs[u], Strategy: Hybrid}
		if u%2 == 0 {
			req.Recent = []Event{{Item: m.cat.items[rng.IntN(len(m.cat.items))].ID, Type: View}}
		}
		score, src := run(req, m.fallbackSubset())
		wantScore, wantSrc := run(req, slices.Clone(m.fallbackSubset()))
		if !slices.Equal(score, wantScore) || !slices.Equal(src, wantSrc) {
			t.Fatalf("%s: the popular block's blend differs from the item-by-item one", req.User)
		}
	}
	if checked == 0 {
		t.Fatal("every shopper has a candidate list")
	}
}

// TestFactorReasonMatchesHistoryOrderPass: the factor reason scored
// strongest history item first, stopping at its bound, names the item a
// pass over the whole history in its own order names.
func TestFactorReasonMatchesHistoryOrderPass(t *testing.T) {
	m := servingWorld(t)
	rng := rand.New(rand.NewPCG(5, 6))
	k := m.als.k
	reference := func(s *scratch, j int32) int32 {
		hist := s.hist.items[:min(len(s.hist.items), factorReasonHistory)]
		nj := norm32(m.als.item(j))
		best, bestV := int32(-1), float32(factorReasonMinSimilarity)
		for n, i := range hist {
			if ni := norm32(m.als.item(i)); ni > 0 && nj > 0 {
				if v := s.hist.weights[n] * dot32(m.als.item(i), m.als.item(j)) / (ni * nj); v > bestV {
					best, bestV = i, v
				}
			}
		}
		return best
	}
	named, checked := 0, 0
	for u := 0; u < 300; u++ {
		s := m.getScratch()
		s.begin()
		req := Request{User: m.userIDs[rng.IntN(len(m.userIDs))]}
		if u%3 == 0 {
			req.Recent = []Event{{Item: m.cat.items[rng.IntN(len(m.cat.items))].ID, Type: Purchase}}
		}
		m.buildHistory(s, req)
		for range 40 {
			j := int32(rng.IntN(len(m.cat.items)))
			if u%2 == 0 { // items like the history's, which get named
				i := s.hist.items[rng.IntN(len(s.hist.items))]
				idx, _ := m.content.row(int(i))
				if len(idx) > 0 {
					j = idx[rng.IntN(len(idx))]
				}
			}
			got, want := m.factorMatch(s, j, srcALS, k, m.als.item), reference(s, j)
			if got != want {
				t.Fatalf("%s, item %d: named %d, the pass in history order %d", req.User, j, got, want)
			}
			checked++
			if got >= 0 {
				named++
			}
		}
		m.scratch.Put(s)
	}
	if named*10 < checked {
		t.Fatalf("only %d of %d items got a history item named: the test checks too little", named, checked)
	}
}

// TestInterestReasonMatchesPerItemSums: the category interest named from
// the request's summed category weights is the one summing the history
// for each item's categories gives, across requests on one scratch.
func TestInterestReasonMatchesPerItemSums(t *testing.T) {
	m := servingWorld(t)
	rng := rand.New(rand.NewPCG(7, 7))
	reference := func(s *scratch, j int32) string {
		var total float32
		for _, w := range s.hist.weights {
			total += w
		}
		if total <= 0 {
			return reasonPickedForYou
		}
		cats := m.cat.itemCats[j]
		for k := len(cats) - 1; k >= 0; k-- {
			c := cats[k]
			var w float32
			for h, i := range s.hist.items {
				if m.cat.inCategory(i, c) {
					w += s.hist.weights[h]
				}
			}
			need := float32(deptInterestShare)
			if c == m.cat.leafCat[j] {
				need = leafInterestShare
			}
			if w/total >= need {
				return "Because you like " + m.cat.categories[c]
			}
		}
		return reasonPickedForYou
	}
	s := m.getScratch()
	defer m.scratch.Put(s)
	liked := 0
	for u := 0; u < 300; u++ {
		s.begin()
		req := Request{User: m.userIDs[rng.IntN(len(m.userIDs))]}
		if u%4 == 0 {
			req = Request{User: "a visitor", Recent: []Event{{Item: m.cat.items[rng.IntN(len(m.cat.items))].ID, Type: View}}}
		}
		m.buildHistory(s, req)
		for range 20 {
			j := int32(rng.IntN(len(m.cat.items)))
			got, want := m.interestReason(s, j), reference(s, j)
			if got != want {
				t.Fatalf("%s, item %d: %q, summed per item %q", req.User, j, got, want)
			}
			if got != reasonPickedForYou {
				liked++
			}
		}
	}
	if liked == 0 {
		t.Fatal("no item was explained by a category interest: the test checks too little")
	}
}

// TestTopOfKeepsTheHeapsSet: the sampled threshold keeps exactly the k
// items a heap over all of them keeps (ties by index included), whether
// the sample's threshold holds or it falls back to the whole list.
func TestTopOfKeepsTheHeapsSet(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 3))
	s := &scratch{}
	fast := 0
	for trial := range 400 {
		n := 100 + rng.IntN(50_000)
		k := 1 + rng.IntN(2000)
		vals := make([]float32, n+10)
		distinct := []int{3, 50, 1 << 30}[trial%3] // many ties, some, hardly any
		for j := range vals {
			vals[j] = float32(rng.IntN(distinct)) / 7
		}
		if trial%5 == 0 { // a few large values: a sample sees none of them
			for j := range vals {
				vals[j] = 0
			}
			for range k / 2 {
				vals[rng.IntN(len(vals))] = 1 + rng.Float32()
			}
		}
		items := make([]int32, 0, n)
		for _, j := range rng.Perm(n + 10)[:n] {
			items = append(items, int32(j))
		}
		if trial%5 == 1 && n >= 4*512 { // the sample's places hold the largest values
			for p := range 512 {
				vals[items[p*n/512]] = 100 + float32(p)
			}
		}
		var ref topN
		ref.reset(k)
		for _, j := range items {
			ref.push(vals[j], j)
		}
		want := slices.Clone(ref.idx)
		slices.Sort(want)
		s.topCand = s.topCand[:0]
		got := slices.Clone(topOf(s, items, vals, k))
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Fatalf("trial %d (n %d, k %d): %d items kept, the heap keeps %d, or other ones", trial, n, k, len(got), len(want))
		}
		if len(s.topCand) >= k && len(s.topCand) < n {
			fast++
		}
	}
	if fast < 100 {
		t.Fatalf("the sampled threshold held in only %d of 400 trials", fast)
	}
}

// TestHistoryNeighboursWithoutAnchors: the sums alone (a neighbour model
// with no weight in the blend only widens the subset) are the sums the
// anchored pass writes, over the same touched items.
func TestHistoryNeighboursWithoutAnchors(t *testing.T) {
	m := servingWorld(t)
	n := len(m.cat.items)
	for _, user := range []string{m.userIDs[0], m.userIDs[7], m.userIDs[500]} {
		s := m.getScratch()
		s.begin()
		m.buildHistory(s, Request{User: user})
		for _, nb := range []*csr{&m.knn, &m.content} {
			with, without := make([]float32, n), make([]float32, n)
			m.historyNeighbours(s, nb, with, s.knnAnchor, s.knnAnchorVal)
			touchedWith := slices.Clone(s.touched)
			m.historyNeighbours(s, nb, without, nil, nil)
			if !slices.Equal(with, without) || !slices.Equal(touchedWith, s.touched) {
				t.Fatalf("%s: the sums without anchors differ", user)
			}
			if len(s.touched) == 0 {
				t.Fatalf("%s: nothing touched", user)
			}
		}
		m.scratch.Put(s)
	}
}

// TestLargeCatalogRowsKeepTheWholeCatalogsTopItems: a shopper scored on a
// bounded subset of a large catalog (their candidate list, or the popular
// items, plus what their history reaches) gets the top items scoring the
// whole catalog gives: at least 9.5 of the top 10 on average (10.00 when
// written), and no shopper fewer than 7 (9 when written).
func TestLargeCatalogRowsKeepTheWholeCatalogsTopItems(t *testing.T) {
	m := servingWorld(t)
	rng := rand.New(rand.NewPCG(4, 4))
	total, worst, rows := 0, 10, 0
	for range 300 {
		req := Request{User: m.userIDs[rng.IntN(len(m.userIDs))], N: 10, ExcludeSeen: true}
		if rows%2 == 1 {
			req.Recent = []Event{{Item: m.cat.items[rng.IntN(len(m.cat.items))].ID, Type: View}}
		}
		got := ids(m.Recommend(req))
		req.fullScan = true
		want := ids(m.Recommend(req))
		same := 0
		for _, id := range got {
			if slices.Contains(want, id) {
				same++
			}
		}
		total += same
		worst = min(worst, same)
		rows++
	}
	t.Logf("%d rows: %.2f of the whole catalog's top 10 on average, %d at worst", rows, float64(total)/float64(rows), worst)
	if total*10 < 95*rows || worst < 7 {
		t.Fatalf("the subset keeps %.2f of the whole catalog's top 10 on average, %d at worst", float64(total)/float64(rows), worst)
	}
}

// categorySimilarity is two items' similarity as diversity weighs it: 1 in
// the same leaf category, 0.5 sharing another category, else 0.
func (m *Model) categorySimilarity(a, b int32) float64 {
	la, lb := m.cat.leafCat[a], m.cat.leafCat[b]
	if la >= 0 && la == lb {
		return 1
	}
	for _, c := range m.cat.itemCats[a] {
		if slices.Contains(m.cat.itemCats[b], c) {
			return 0.5
		}
	}
	return 0
}

// TestDiversifyMatchesPairwisePass: diversity with each candidate's
// relevance and categories gathered once picks the row a pass calling
// categorySimilarity for every pair picks.
func TestDiversifyMatchesPairwisePass(t *testing.T) {
	m := servingWorld(t)
	rng := rand.New(rand.NewPCG(9, 9))
	reference := func(cand []int32, sc []float32, want int, d float64) []int32 {
		lo, hi := sc[len(sc)-1], sc[0]
		rel := func(t int) float64 {
			if hi == lo {
				return 1
			}
			return float64(sc[t]-lo) / float64(hi-lo)
		}
		var out []int32
		used, maxSim := make([]bool, len(cand)), make([]float64, len(cand))
		for len(out) < want && len(out) < len(cand) {
			best, bestV := -1, math.Inf(-1)
			for t := range cand {
				if !used[t] {
					if v := (1-d)*rel(t) - d*maxSim[t]; v > bestV {
						best, bestV = t, v
					}
				}
			}
			used[best] = true
			out = append(out, cand[best])
			for t, j := range cand {
				if !used[t] && maxSim[t] < 1 {
					maxSim[t] = max(maxSim[t], m.categorySimilarity(j, cand[best]))
				}
			}
		}
		return out
	}
	s := m.getScratch()
	defer m.scratch.Put(s)
	for trial := range 300 {
		n := 1 + rng.IntN(200)
		cand := make([]int32, n)
		sc := make([]float32, n)
		for k := range cand {
			cand[k] = int32(rng.IntN(len(m.cat.items)))
			sc[k] = float32(rng.IntN(20)) // ties included
		}
		slices.SortStableFunc(sc, func(a, b float32) int { return cmp.Compare(b, a) })
		want, d := 1+rng.IntN(n), []float64{0.1, 0.3, 0.7, 1}[trial%4]
		s.picked, s.pickedScore = append(s.picked[:0], cand...), append(s.pickedScore[:0], sc...)
		m.diversify(s, want, d)
		if ref := reference(cand, sc, want, d); !slices.Equal(s.picked, ref) {
			t.Fatalf("trial %d: picked %v, the pairwise pass %v", trial, s.picked, ref)
		}
	}
}

// TestReusedScratchServesLikeAFreshOne: a scratch reused across requests
// of every kind — the bounded-subset blend, the factor scan (whose lazy
// state lives in the scratch), the dense paths that write the whole
// catalog — gives each request the row a fresh scratch gives.
func TestReusedScratchServesLikeAFreshOne(t *testing.T) {
	m := servingWorld(t)
	rng := rand.New(rand.NewPCG(10, 10))
	item := func() string { return m.cat.items[rng.IntN(len(m.cat.items))].ID }
	var reqs []Request
	for k := range 200 {
		user := m.userIDs[rng.IntN(len(m.userIDs))]
		switch k % 10 {
		case 0:
			reqs = append(reqs, Request{User: user, N: 20, ExcludeSeen: true, Diversity: 0.3})
		case 1:
			reqs = append(reqs, Request{User: user, Strategy: ALS, N: 20, Boosts: map[string]float64{item(): 5}})
		case 2: // right after a factor scan: a stale scan would add its scores
			reqs = append(reqs, Request{User: user, Strategy: ItemKNN, N: 20})
		case 3:
			reqs = append(reqs, Request{User: user, N: 20, Category: "cat3"})
		case 4:
			reqs = append(reqs, Request{Strategy: Similar, Anchor: item(), N: 20})
		case 5:
			reqs = append(reqs, Request{User: "a visitor", Recent: []Event{{Item: item(), Type: View}}, N: 20})
		case 6:
			reqs = append(reqs, Request{User: user, Strategy: SVD, N: 20})
		case 7:
			reqs = append(reqs, Request{User: user, Strategy: Content, N: 20})
		case 8:
			reqs = append(reqs, Request{User: user, Strategy: Popular, N: 20, Recent: []Event{{Item: item(), Type: Click}}, Brands: []string{"brand1", "brand2"}})
		case 9:
			reqs = append(reqs, Request{User: user, Strategy: SVD, N: 20, fullScan: true})
		}
	}
	want := make([][]Recommendation, len(reqs))
	for k, req := range reqs {
		m.scratch = sync.Pool{} // a fresh scratch for every request
		want[k] = m.Recommend(req)
	}
	m.scratch = sync.Pool{}
	for round := range 2 {
		for k, req := range reqs {
			if got := m.Recommend(req); !reflect.DeepEqual(got, want[k]) {
				t.Fatalf("round %d, request %d (%+v): on a reused scratch\n%v\non a fresh one\n%v", round, k, req, got, want[k])
			}
		}
	}
}
