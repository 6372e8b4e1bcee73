package main

import (
	"cmp"
	"slices"
	"testing"

	"storefront/recommender"
)

// TestHeadroomCountsEachListsHits: the breakdown's groups each split every
// held-out item in full, and a list that is the oracle's own top k gets
// exactly the oracle's hits in every row while an empty list gets none.
func TestHeadroomCountsEachListsHits(t *testing.T) {
	spec := worldSpec{Name: "tiny", Items: 240, Users: 400, Cats: 5, Styles: 3, Days: 40, Sessions: 5, Views: 4,
		TasteCats: 2, PopSkew: 0.8, CartRate: 0.1, BuyRate: 0.5, Seed: 11}
	w := generate(spec)
	train, test := recommender.TimeSplit(w.evs, 0.8)
	const k = 10
	// The oracle's own top k as the "item-kNN" list; nothing as the hybrid's.
	index := map[string]int{}
	for i, it := range w.items {
		index[it.ID] = i
	}
	seen := map[string]map[int]bool{}
	for _, e := range train {
		if seen[e.User] == nil {
			seen[e.User] = map[int]bool{}
		}
		seen[e.User][index[e.Item]] = true
	}
	at := test[0].Time
	for _, e := range test {
		if e.Time.Before(at) {
			at = e.Time
		}
	}
	lists := map[string][2][]string{}
	for u := range seen {
		sc := w.oracle(u, at)
		var cand []int
		for i := range sc {
			if !seen[u][i] {
				cand = append(cand, i)
			}
		}
		slices.SortStableFunc(cand, func(a, b int) int { return cmp.Compare(sc[b], sc[a]) })
		var l [2][]string
		for _, i := range cand[:min(k, len(cand))] {
			l[0] = append(l[0], w.items[i].ID)
		}
		lists[u] = l
	}
	rows := headroom(w, train, test, lists, k)
	byKind := map[string]headroomRow{}
	for _, r := range rows {
		byKind[r.kind] = r
		if r.knn != r.orcl || r.hybrid != 0 {
			t.Errorf("%s: the oracle's own list got %d hits against the oracle's %d, the empty list %d", r.kind, r.knn, r.orcl, r.hybrid)
		}
	}
	all := byKind[kindAll]
	if all.relevant == 0 || all.orcl == 0 {
		t.Fatalf("no held-out items or no oracle hits: %+v", all)
	}
	for _, group := range [][]string{{kindDeptSeen, kindFavUnseen, kindOtherDept}, {kindStyle, kindOtherStyle}, {kindPopHead, kindPopMid, kindPopTail}} {
		var rel, hits int
		for _, kd := range group {
			rel += byKind[kd].relevant
			hits += byKind[kd].orcl
		}
		if rel != all.relevant || hits != all.orcl {
			t.Errorf("%v: %d held out and %d oracle hits, want %d and %d (every item in exactly one kind)", group, rel, hits, all.relevant, all.orcl)
		}
	}
	for _, kd := range headroomKinds {
		if byKind[kd].relevant == 0 {
			t.Errorf("no held-out item %s: the kind is never told apart", kd)
		}
	}
	if _, split := byKind[kindLaunchAfter]; split {
		t.Errorf("a world without launches or trends is split by launches: %v", rows)
	}
	// The oracle ranks the shopper's own style first: its hits there are the
	// larger share.
	st, other := byKind[kindStyle], byKind[kindOtherStyle]
	if float64(st.orcl)/float64(max(st.relevant, 1)) <= float64(other.orcl)/float64(max(other.relevant, 1)) {
		t.Errorf("oracle hits: %d of %d of the hidden style, %d of %d of others; the hidden style should be the larger share", st.orcl, st.relevant, other.orcl, other.relevant)
	}
}

// TestHeadroomSplitsLaunchesAndTrends: in a world with launches and trends
// every held-out item is in exactly one of launched after the training
// cut-off, launched late before it, trendy and the rest; each kind has
// held-out items, and the oracle (which knows only what exists at the
// start of the test) never finds a product launched after the cut-off.
func TestHeadroomSplitsLaunchesAndTrends(t *testing.T) {
	spec := worldSpec{Name: "tiny-launches", Items: 300, Users: 500, Cats: 5, Styles: 3, Days: 40, Sessions: 5, Views: 4,
		TasteCats: 2, PopSkew: 0.8, Launch: 0.2, Trend: 0.05, CartRate: 0.1, BuyRate: 0.5, Seed: 12}
	w := generate(spec)
	train, test := recommender.TimeSplit(w.evs, 0.8)
	rows := headroom(w, train, test, map[string][2][]string{}, 10)
	byKind := map[string]headroomRow{}
	for _, r := range rows {
		byKind[r.kind] = r
	}
	var rel, hits int
	for _, kd := range launchKinds {
		r, ok := byKind[kd]
		if !ok || r.relevant == 0 {
			t.Errorf("no held-out item %s", kd)
		}
		rel += r.relevant
		hits += r.orcl
	}
	if all := byKind[kindAll]; rel != all.relevant || hits != all.orcl {
		t.Errorf("launch kinds hold %d held-out items and %d oracle hits, want %d and %d", rel, hits, all.relevant, all.orcl)
	}
	if r := byKind[kindLaunchAfter]; r.orcl != 0 {
		t.Errorf("the oracle found %d products launched after the cut-off", r.orcl)
	}
}
