package recommender

import (
	"context"
	"math/rand/v2"
	"testing"
)

// csrFromRows builds a binary users × items matrix from item lists (each
// sorted ascending).
func csrFromRows(rows [][]int32, items int) csr {
	m := csr{rows: len(rows), cols: items, indptr: make([]int32, len(rows)+1)}
	for u, r := range rows {
		for _, j := range r {
			m.indices = append(m.indices, j)
			m.data = append(m.data, 1)
		}
		m.indptr[u+1] = int32(len(m.indices))
	}
	return m
}

// TestTuningEASECoversTheMostInteractedItems: tuning's EASE fits (the
// default budget) cover the most-interacted half of the active items, at
// least easeTuneFloor, and score exactly as an EASE trained on the
// interactions with those items alone; the final training's fit covers
// every active item.
func TestTuningEASECoversTheMostInteractedItems(t *testing.T) {
	for _, c := range []struct{ n, want int }{{0, 0}, {400, 400}, {500, 500}, {800, 500}, {1000, 500}, {1500, 750}, {2000, 1000}, {3000, 1500}} {
		if got := (EASEConfig{tuneTop: true}).tuneItems(c.n); got != c.want {
			t.Errorf("tuning's EASE over %d active items covers %d, want %d", c.n, got, c.want)
		}
		if got := (EASEConfig{}).tuneItems(c.n); got != c.n {
			t.Errorf("the final EASE over %d active items covers %d", c.n, got)
		}
	}
	const items, users = 1300, 2000
	rng := rand.New(rand.NewPCG(3, 5))
	rows := make([][]int32, users)
	for u := range rows {
		seen := map[int32]bool{}
		for range 4 + rng.IntN(12) {
			// Skewed: low indexes are drawn far more often; item 1299
			// stays untouched.
			j := int32(float64(items-1) * rng.Float64() * rng.Float64())
			seen[j] = true
		}
		for j := range int32(items) {
			if seen[j] {
				rows[u] = append(rows[u], j)
			}
		}
	}
	ui := csrFromRows(rows, items)
	iu := ui.transpose()
	active := 0
	for i := range items {
		if iu.indptr[i+1] > iu.indptr[i] {
			active++
		}
	}
	cfg := EASEConfig{Lambda: 50, MaxItems: 3000, tuneTop: true}
	m, err := trainEASE(context.Background(), &ui, &iu, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if want := max(easeTuneFloor, (active+1)/2); m.active != active || m.n != want {
		t.Fatalf("tuning's EASE covers %d of %d active items, want %d", m.n, m.active, want)
	}
	// Every covered item has at least as many interactions as any left out.
	least, most := users, 0
	for i := range items {
		cnt := int(iu.indptr[i+1] - iu.indptr[i])
		if m.local[i] >= 0 {
			least = min(least, cnt)
		} else {
			most = max(most, cnt)
		}
	}
	if least < most {
		t.Fatalf("a covered item has %d interactions, one left out %d", least, most)
	}
	// The same as EASE on the covered items' interactions alone.
	kept := make([][]int32, users)
	for u, r := range rows {
		for _, j := range r {
			if m.local[j] >= 0 {
				kept[u] = append(kept[u], j)
			}
		}
	}
	kui := csrFromRows(kept, items)
	kiu := kui.transpose()
	full := cfg
	full.tuneTop = false
	ref, err := trainEASE(context.Background(), &kui, &kiu, full)
	if err != nil {
		t.Fatal(err)
	}
	if ref.n != m.n {
		t.Fatalf("reference covers %d items, tuning's %d", ref.n, m.n)
	}
	for a := range int32(items) {
		for _, b := range []int32{0, 1, 7, 100, 640, 999, 1200} {
			if got, want := m.weight(a, b), ref.weight(a, b); got != want {
				t.Fatalf("B[%d,%d] = %g, EASE on the covered items alone gives %g", a, b, got, want)
			}
		}
	}
	// The final training's fit covers every active item.
	whole, err := trainEASE(context.Background(), &ui, &iu, full)
	if err != nil {
		t.Fatal(err)
	}
	if whole.n != active {
		t.Fatalf("the final EASE covers %d of %d active items", whole.n, active)
	}
}
