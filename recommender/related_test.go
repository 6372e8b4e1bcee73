package recommender

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// relatedByRecommend is what a product page showed before Related: an
// AlsoBought row, then a Similar row without the first row's items.
func relatedByRecommend(m *Model, anchor string, n int, available func(string) bool) (bought, similar []string) {
	exclude := map[string]bool{anchor: true}
	for _, r := range m.Recommend(Request{Strategy: AlsoBought, Anchor: anchor, N: n, Exclude: exclude, Available: available}) {
		bought = append(bought, r.ItemID)
		exclude[r.ItemID] = true
	}
	for _, r := range m.Recommend(Request{Strategy: Similar, Anchor: anchor, N: n, Exclude: exclude, Available: available}) {
		similar = append(similar, r.ItemID)
	}
	return bought, similar
}

// TestRelatedRowsMatchRecommend checks, for every product of a generated
// shop, that the rows read from the lists ranked once per model are the
// rows Recommend ranks over the whole catalog: with everything in stock,
// with a random tenth and a random half sold out (rows past the kept
// candidates, rows filled with popular items), and with the training-time
// stock; before PrepareRelated and after it.
func TestRelatedRowsMatchRecommend(t *testing.T) {
	d := syntheticShop(400, 600, 30_000, 17)
	d.Items[3].Stock = 0 // the training-time stock differs from the live one
	m, err := Train(context.Background(), d, testConfig(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if m.related.Load() != nil {
		t.Fatal("related rows ranked before PrepareRelated")
	}
	rng := rand.New(rand.NewPCG(3, 4))
	soldOut := func(share float64) func(string) bool {
		out := map[string]bool{}
		for _, it := range d.Items {
			if rng.Float64() < share {
				out[it.ID] = true
			}
		}
		return func(id string) bool { return !out[id] }
	}
	checks := []struct {
		name      string
		available func(string) bool
	}{
		{"all in stock", func(string) bool { return true }},
		{"a tenth sold out", soldOut(0.1)},
		{"half sold out", soldOut(0.5)},
		{"training-time stock", nil},
	}
	compare := func(t *testing.T, stage string) (fromLists int) {
		for _, c := range checks {
			for _, it := range append(slices.Clone(d.Items), Item{ID: "unknown"}) {
				wb, ws := relatedByRecommend(m, it.ID, 8, c.available)
				gb, gs := m.Related(it.ID, 8, c.available)
				if !slices.Equal(gb, wb) || !slices.Equal(gs, ws) {
					t.Fatalf("%s, %s, %s: Related gave %v / %v, Recommend %v / %v", stage, c.name, it.ID, gb, gs, wb, ws)
				}
				if r := m.related.Load(); r != nil {
					if j, ok := m.cat.index[it.ID]; ok {
						if _, ok := m.walkRelated(&r.bought, j, 8, nil, c.available, nil, nil); ok {
							fromLists++
						}
					}
				}
			}
		}
		return fromLists
	}
	compare(t, "before PrepareRelated")
	m.PrepareRelated()
	if m.related.Load() == nil {
		t.Fatal("PrepareRelated ranked nothing")
	}
	if n := compare(t, "after PrepareRelated"); n < len(d.Items) {
		t.Fatalf("only %d of %d×4 first rows came from the ranked lists", n, len(d.Items))
	}
}

// TestRelatedRowsFollowTheModel checks that each model ranks its own lists:
// a model trained on other behaviour shows other rows, and preparing one
// model leaves another's untouched.
func TestRelatedRowsFollowTheModel(t *testing.T) {
	d := syntheticShop(300, 400, 20_000, 5)
	a, err := Train(context.Background(), d, testConfig(), nil)
	if err != nil {
		t.Fatal(err)
	}
	// The same catalog, behaviour reshuffled: items bought together
	// before are not any more.
	e := d
	e.Events = slices.Clone(d.Events)
	rng := rand.New(rand.NewPCG(8, 9))
	for i := range e.Events {
		e.Events[i].Item = d.Items[rng.IntN(len(d.Items))].ID
	}
	b, err := Train(context.Background(), e, testConfig(), nil)
	if err != nil {
		t.Fatal(err)
	}
	a.PrepareRelated()
	if b.related.Load() != nil {
		t.Fatal("preparing one model ranked another's rows")
	}
	b.PrepareRelated()
	all := func(string) bool { return true }
	differ := 0
	for _, it := range d.Items {
		ab, _ := a.Related(it.ID, 8, all)
		bb, _ := b.Related(it.ID, 8, all)
		wb, _ := relatedByRecommend(b, it.ID, 8, all)
		if !slices.Equal(bb, wb) {
			t.Fatalf("%s: the new model's row %v is not its Recommend row %v", it.ID, bb, wb)
		}
		if !slices.Equal(ab, bb) {
			differ++
		}
	}
	if differ < len(d.Items)/2 {
		t.Fatalf("only %d of %d rows changed with the model", differ, len(d.Items))
	}
}

func BenchmarkRelated(b *testing.B) {
	m, err := Train(context.Background(), syntheticShop(2000, 5000, 200_000, 3), testConfig(), nil)
	if err != nil {
		b.Fatal(err)
	}
	all := func(string) bool { return true }
	for _, prepared := range []bool{false, true} {
		if prepared {
			m.PrepareRelated()
		}
		b.Run(fmt.Sprintf("prepared=%v", prepared), func(b *testing.B) {
			for i := 0; b.Loop(); i++ {
				m.Related(m.cat.items[i%len(m.cat.items)].ID, 8, all)
			}
		})
	}
}
