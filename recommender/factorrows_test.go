package recommender

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"gonum.org/v1/gonum/mat"
)

// servedALSFactors returns shopper u's ALS factors as serving reads them:
// the trained row, or the fold-in of their training history.
func servedALSFactors(t *testing.T, m *Model, u int32) []float32 {
	t.Helper()
	s := m.getScratch()
	defer m.scratch.Put(s)
	s.begin()
	user := m.buildHistory(s, Request{User: m.userIDs[u]})
	v := m.alsUserVector(s, Request{User: m.userIDs[u]}, user)
	if v == nil {
		t.Fatalf("no ALS factors for %s", m.userIDs[u])
	}
	return v
}

// oneEventShop is a shop of many one-event visitors and a few regulars
// (twelve products each, in one department): the shape of a public
// clickstream.
func oneEventShop(visitors, regulars int) Dataset {
	rng := rand.New(rand.NewPCG(7, 7))
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	var d Dataset
	for i := range 200 {
		d.Items = append(d.Items, Item{ID: fmt.Sprintf("p%03d", i), Title: fmt.Sprintf("Product %d", i),
			Category: fmt.Sprintf("Dept %d", i%10), Active: true, Stock: 5})
	}
	at := now.Add(-30 * 24 * time.Hour)
	for u := range regulars {
		dept := u % 10
		for v := range 12 {
			i := dept + 10*((v*7+u)%20)
			at = at.Add(time.Minute)
			d.Events = append(d.Events, Event{User: fmt.Sprintf("r%03d", u), Item: d.Items[i].ID, Type: View, Time: at})
		}
	}
	for u := range visitors {
		i := min(int(200*math.Pow(rng.Float64(), 2)), 199)
		at = at.Add(time.Minute)
		d.Events = append(d.Events, Event{User: fmt.Sprintf("v%04d", u), Item: d.Items[i].ID, Type: View, Time: at})
	}
	d.Now = now
	return d
}

// A shop of many one-event visitors keeps no per-shopper factors for them
// (its model held a row of ALS and SVD factors for each, most of a
// clickstream shop's model), yet answers every one of them from their
// history: ALS by the exact fold-in, SVD as r·V, what the trained rows
// held; and the saved model does the same.
func TestOneEventVisitorsKeepNoFactorRowsYetAreAnswered(t *testing.T) {
	const visitors, regulars = 1500, 60
	d := oneEventShop(visitors, regulars)
	cfg := DefaultConfig()
	cfg.TuneBudget = -1
	cfg.SVD.Rank = 16
	m, err := Train(context.Background(), d, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := m.FactorRows(); got != regulars {
		t.Fatalf("%d shoppers keep factor rows, want the %d regulars", got, regulars)
	}
	if ka, ks := m.als.k, m.svd.k; len(m.als.userF) != regulars*ka || len(m.svd.userF) != regulars*ks || ka == 0 || ks == 0 {
		t.Fatalf("ALS user factors %d (k %d), SVD %d (k %d): want rows for %d shoppers only", len(m.als.userF), ka, len(m.svd.userF), ks, regulars)
	}
	loaded := reloaded(t, m)
	if loaded.FactorRows() != regulars {
		t.Fatalf("the saved model keeps %d rows, want %d", loaded.FactorRows(), regulars)
	}
	had := map[string]string{}
	for _, e := range d.Events {
		had[e.User] = e.Item
	}
	for v := 0; v < visitors; v += 7 {
		id := fmt.Sprintf("v%04d", v)
		u := m.userIndex[id]
		if m.factorRow(u) >= 0 {
			t.Fatalf("%s (one event) has a factor row", id)
		}
		// ALS: the exact solve of the visitor's history against the item factors.
		j := m.cat.index[had[id]]
		vals := m.als.strengths(nil, m.ui.data[m.ui.indptr[u]:m.ui.indptr[u+1]])
		exact, err := solveExact(m.als.itemF, m.als.gram, m.als.k, m.als.alpha, []int32{j}, vals)
		if err != nil {
			t.Fatal(err)
		}
		got := servedALSFactors(t, m, u)
		for f := range exact {
			if math.Abs(float64(got[f]-exact[f])) > 1e-3*(1+math.Abs(float64(exact[f]))) {
				t.Fatalf("%s's folded ALS factors %v, want the exact solve %v", id, got[:4], exact[:4])
			}
		}
		// SVD: r·V.
		s := m.getScratch()
		s.begin()
		user := m.buildHistory(s, Request{User: id})
		sv := m.svdUserVector(s, Request{User: id}, user)
		w := m.ui.data[m.ui.indptr[u]]
		for f, x := range m.svd.item(j) {
			if math.Abs(float64(sv[f]-w*x)) > 1e-6 {
				t.Fatalf("%s's SVD vector %v, want r·V %v", id, sv[:4], m.svd.item(j)[:4])
			}
		}
		m.scratch.Put(s)
		for _, st := range []Strategy{Hybrid, ALS, SVD} {
			recs := m.Recommend(Request{User: id, Strategy: st, N: 10, ExcludeSeen: true})
			again := loaded.Recommend(Request{User: id, Strategy: st, N: 10, ExcludeSeen: true})
			if len(recs) == 0 {
				t.Fatalf("%s: no %v recommendations", id, st)
			}
			if slices.ContainsFunc(recs, func(r Recommendation) bool { return r.ItemID == had[id] }) {
				t.Fatalf("%s: %v recommends the product they viewed", id, st)
			}
			if !slices.EqualFunc(recs, again, func(a, b Recommendation) bool { return a.ItemID == b.ItemID }) {
				t.Fatalf("%s: %v answers %v, the saved model %v", id, st, recs, again)
			}
		}
	}
	// A regular keeps the row training solved.
	r := m.userIndex["r001"]
	if row := m.factorRow(r); row < 0 || &servedALSFactors(t, m, r)[0] != &m.als.userF[int(row)*m.als.k] {
		t.Fatal("a regular is not served their trained ALS row")
	}
}

// The SVD trained in the items' space (RᵀR streamed over the shoppers)
// finds the leading singular values and right singular vectors of the
// interaction matrix that a dense SVD does.
func TestSVDInTheItemsSpaceMatchesADenseSVD(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	const users, items = 600, 90
	dense := mat.NewDense(users, items, nil)
	ui := csr{rows: users, cols: items, indptr: make([]int32, users+1)}
	for u := range users {
		g := u % 6 // six tastes: a low-rank structure plus noise
		for i := range items {
			p := 0.03
			if i%6 == g {
				p = 0.4
			}
			if rng.Float64() < p {
				v := float32(1 + rng.IntN(4))
				dense.Set(u, i, float64(v))
				ui.indices, ui.data = append(ui.indices, int32(i)), append(ui.data, v)
			}
		}
		ui.indptr[u+1] = int32(len(ui.indices))
	}
	got, err := trainSVD(context.Background(), &ui, SVDConfig{Rank: 8, Oversample: 8, PowerIters: 3, Seed: 1}, 2, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var svd mat.SVD
	if !svd.Factorize(dense, mat.SVDThin) {
		t.Fatal("dense SVD failed")
	}
	want := svd.Values(nil)
	var v mat.Dense
	svd.VTo(&v)
	for j := range 6 {
		if math.Abs(got.sigma[j]-want[j]) > 1e-4*want[0] {
			t.Errorf("σ%d = %.6f, want %.6f", j, got.sigma[j], want[j])
		}
	}
	// The leading right singular vector, up to its sign.
	var dot float64
	for i := range items {
		dot += float64(got.itemF[i*got.k]) * v.At(i, 0)
	}
	if math.Abs(math.Abs(dot)-1) > 1e-4 {
		t.Errorf("first right singular vector's overlap with the dense one is %.6f, want ±1", dot)
	}
	if len(got.userF) != users*got.k {
		t.Fatalf("%d user factors, want %d × %d", len(got.userF), users, got.k)
	}
}
