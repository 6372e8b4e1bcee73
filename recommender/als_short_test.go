package recommender

import (
	"math"
	"math/rand/v2"
	"testing"
)

// shortUsersWorld is a random user × item matrix of histories of 1 to 12
// products, with random item factors and their regularised Gram matrix.
func shortUsersWorld(rng *rand.Rand, users, items, k int) (ui csr, y, gram []float32) {
	ui = csr{rows: users, cols: items, indptr: []int32{0}}
	for range users {
		n := 1 + rng.IntN(12)
		seen := map[int32]bool{}
		for len(seen) < n {
			seen[int32(rng.IntN(items))] = true
		}
		for i := range int32(items) {
			if seen[i] {
				ui.indices = append(ui.indices, i)
				ui.data = append(ui.data, 0.2+4*rng.Float32())
			}
		}
		ui.indptr = append(ui.indptr, int32(len(ui.indices)))
	}
	y = make([]float32, items*k)
	for i := range y {
		y[i] = float32(rng.NormFloat64()) * 0.3
	}
	gram = make([]float32, k*k)
	gramInto(gram, y, k, 2)
	return ui, y, gram
}

// TestShortUsersAreSolvedExactly: a shopper trained without a row of their
// own gets, in each sweep, the exact least-squares factors the Cholesky
// oracle (solveExact, the serving fold-in) gives, rebuilt from n numbers.
func TestShortUsersAreSolvedExactly(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	const users, items, k = 200, 60, 8
	ui, y, gram := shortUsersWorld(rng, users, items, k)
	rowOf := make([]int32, users)
	rows := int32(0)
	for u := range users {
		rowOf[u] = -1
		if ui.indptr[u+1]-ui.indptr[u] >= factorRowMinItems {
			rowOf[u], rows = rows, rows+1
		}
	}
	if rows == 0 || int(rows) == users {
		t.Fatalf("the world should mix short and long histories: %d of %d with rows", rows, users)
	}
	const alpha = 3
	s := newShortUsers(&ui, rowOf, k, items)
	userF := make([]float32, int(rows)*k)
	if err := s.userSweep(userF, y, gram, alpha, 3, 2); err != nil {
		t.Fatal(err)
	}
	g64 := make([]float64, len(gram))
	for i, v := range gram {
		g64[i] = float64(v)
	}
	got := make([]float32, k)
	checked := 0
	for u := range users {
		if rowOf[u] >= 0 {
			continue
		}
		items, vals := ui.row(u)
		want, err := solveExact(y, g64, k, alpha, items, vals)
		if err != nil {
			t.Fatal(err)
		}
		s.factors(got, int32(u))
		for j := range got {
			if d := math.Abs(float64(got[j] - want[j])); d > 1e-4*(1+math.Abs(float64(want[j]))) {
				t.Fatalf("user %d (%d products): factor %d is %v, the exact solve %v", u, len(items), j, got[j], want[j])
			}
		}
		checked++
	}
	if checked < users/2 {
		t.Fatalf("only %d short users checked", checked)
	}

	// The users' Gram matrix counts the rebuilt factors as if they were rows.
	full := make([]float32, users*k)
	for u := range users {
		if r := rowOf[u]; r >= 0 {
			copy(full[u*k:(u+1)*k], userF[int(r)*k:int(r+1)*k])
		} else {
			s.factors(full[u*k:(u+1)*k], int32(u))
		}
	}
	want := make([]float32, k*k)
	gramInto(want, full, k, 2)
	gotGram := make([]float32, k*k)
	s.gram(gotGram, userF, 2, 2)
	for i := range want {
		if d := math.Abs(float64(gotGram[i] - want[i])); d > 1e-4*(1+math.Abs(float64(want[i]))) {
			t.Fatalf("Gram entry %d: %v, want %v", i, gotGram[i], want[i])
		}
	}

	// The item sweep reads each user's row where it has one and the
	// rebuilt factors otherwise.
	dst := make([]float32, k)
	gather := s.gather(userF)
	for u := range users {
		gather(dst, int32(u))
		for j := range dst {
			if dst[j] != full[u*k+j] {
				t.Fatalf("gathered user %d differs at %d: %v, want %v", u, j, dst[j], full[u*k+j])
			}
		}
	}
}
