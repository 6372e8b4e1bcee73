package recommender

import (
	"context"
	"slices"
	"testing"
	"time"
)

func trainWithCandidates(t *testing.T, cc CandidateConfig) *Model {
	t.Helper()
	cfg := testConfig()
	cfg.Candidates = cc
	m, err := Train(context.Background(), Dataset{Items: testItems(), Events: testEvents(), Now: testNow}, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestCandidateListsHoldUnseenTopItemsOfActiveShoppers(t *testing.T) {
	// Campers acted 18–29 hours before "now", runners and cooks days ago.
	m := trainWithCandidates(t, CandidateConfig{PerUser: 3, MaxUsers: 100, Window: 40 * time.Hour, Budget: time.Minute})
	if got := m.CandidateUsers(); got != 10+2 { // ten campers, alice and bob
		t.Fatalf("%d shoppers have candidate lists, want the 12 active within the window", got)
	}
	for _, user := range []string{"camper0", "alice", "runner3"} {
		u := m.userIndex[user]
		row := m.cands.row(u)
		if user == "runner3" {
			if len(row) != 0 {
				t.Fatalf("runner3 was inactive in the window but has a list %v", row)
			}
			continue
		}
		if len(row) == 0 || len(row) > 3 {
			t.Fatalf("%s: list of %d items, want 1..3", user, len(row))
		}
		seen, _ := m.ui.row(int(u))
		for _, j := range row {
			if slices.Contains(seen, j) {
				t.Fatalf("%s: candidate %s was already in the history", user, m.cat.items[j].ID)
			}
		}
	}

	// A row is drawn from the list and the neighbours of the history...
	u := m.userIndex["camper0"]
	allowed := map[string]bool{}
	for _, j := range m.cands.row(u) {
		allowed[m.cat.items[j].ID] = true
	}
	hist, _ := m.ui.row(int(u))
	for _, nb := range []*csr{&m.knn, &m.content} {
		for _, i := range hist {
			idx, _ := nb.row(int(i))
			for _, j := range idx {
				allowed[m.cat.items[j].ID] = true
			}
		}
	}
	recs := m.Recommend(Request{User: "camper0", Strategy: Hybrid, N: 2, ExcludeSeen: true})
	if len(recs) != 2 {
		t.Fatalf("camper0 got %v", ids(recs))
	}
	for _, r := range recs {
		if !allowed[r.ItemID] {
			t.Fatalf("%s is neither a candidate nor a neighbour of camper0's history", r.ItemID)
		}
	}
	// ...and a row the list cannot fill falls back to the whole catalog.
	full := m.Recommend(Request{User: "camper0", Strategy: Hybrid, N: 3, Category: "Kitchen", ExcludeSeen: true})
	if len(full) != 3 {
		t.Fatalf("a kitchen row for camper0 has %v, want 3 items", ids(full))
	}

	loaded := reloaded(t, m)
	if loaded.CandidateUsers() != m.CandidateUsers() || !slices.Equal(loaded.cands.items, m.cands.items) {
		t.Fatal("candidate lists changed in a save and load")
	}
	req := Request{User: "camper0", Strategy: Hybrid, N: 4, Recent: []Event{{Item: "pan", Type: View}}}
	if a, b := ids(m.Recommend(req)), ids(loaded.Recommend(req)); !slices.Equal(a, b) {
		t.Fatalf("before a save %v, after %v", a, b)
	}
}

func TestCandidateBudgetZeroUsersStillServes(t *testing.T) {
	m := trainWithCandidates(t, CandidateConfig{})
	if m.CandidateUsers() != 0 {
		t.Fatal("lists built although disabled")
	}
	if recs := m.Recommend(Request{User: "camper0", Strategy: Hybrid, N: 3}); len(recs) != 3 {
		t.Fatalf("got %v", ids(recs))
	}
}

// TestCatalogsScoredWholeGetNoCandidateLists: by default a catalog a
// request scores whole (up to fullScanItems) gets no lists, which cost a
// third of the demo world's training and saved serving nothing there; a
// catalog at MinItems gets them, and both serve the same row.
func TestCatalogsScoredWholeGetNoCandidateLists(t *testing.T) {
	whole := trainWithCandidates(t, DefaultCandidateConfig())
	if whole.CandidateUsers() != 0 {
		t.Fatalf("%d shoppers of a %d-product catalog got candidate lists", whole.CandidateUsers(), len(whole.cat.items))
	}
	cc := DefaultCandidateConfig()
	cc.MinItems = len(testItems())
	listed := trainWithCandidates(t, cc)
	if listed.CandidateUsers() == 0 {
		t.Fatal("a catalog at MinItems got no candidate lists")
	}
	req := Request{User: "camper0", Strategy: Hybrid, N: 3, ExcludeSeen: true}
	if a, b := ids(whole.Recommend(req)), ids(listed.Recommend(req)); len(a) != 3 || !slices.Equal(a, b) {
		t.Fatalf("scored whole %v, from the list %v", a, b)
	}
}
