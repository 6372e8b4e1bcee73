package recommender

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

// A fashion shop sells each dress in five sizes, one product (SKU) per size,
// grouped by the import's group_id. A row shows one size of a dress, and a
// shopper who bought or viewed a dress is not offered it again in another
// size.
func TestARowShowsOneProductOfAGroup(t *testing.T) {
	m := dressModel(t)
	group := func(id string) string { g, _, _ := strings.Cut(id, "-"); return g }
	for _, strategy := range []Strategy{Popular, Hybrid, Trending, New} {
		recs := m.Recommend(Request{Strategy: strategy, N: 6, Group: group})
		seen := map[string]string{}
		for _, r := range recs {
			if prev, dup := seen[group(r.ItemID)]; dup {
				t.Errorf("%v: %s and %s, two sizes of one dress, in one row: %v", strategy, prev, r.ItemID, ids(recs))
			}
			seen[group(r.ItemID)] = r.ItemID
		}
		if len(recs) != 6 {
			t.Errorf("%v: %d products, want one of each of the 6 dresses: %v", strategy, len(recs), ids(recs))
		}
	}
	// u0 bought dress0 in size xs and viewed dress1 and dress2.
	recs := m.Recommend(Request{User: "u0", Strategy: Hybrid, N: 3, Group: group, ExcludeSeen: true})
	for _, r := range recs {
		if g := group(r.ItemID); g == "dress0" || g == "dress1" || g == "dress2" {
			t.Errorf("u0 is offered %s, another size of a dress they bought or viewed: %v", r.ItemID, ids(recs))
		}
	}
	// A product of a group on the page (Exclude) keeps its sizes off the row.
	recs = m.Recommend(Request{Strategy: Popular, N: 5, Group: group, Exclude: map[string]bool{"dress3-m": true}})
	for _, r := range recs {
		if group(r.ItemID) == "dress3" {
			t.Errorf("%s shown while dress3-m is on the page: %v", r.ItemID, ids(recs))
		}
	}
	// A product page's rows: not the page's own dress in other sizes, one
	// size of any other.
	for _, prepared := range []bool{false, true} {
		if prepared {
			m.PrepareRelated()
		}
		bought, similar := m.RelatedGrouped("dress0-m", 8, nil, group)
		seen := map[string]bool{"dress0": true}
		for _, id := range append(bought, similar...) {
			if seen[group(id)] {
				t.Errorf("prepared %v: the page of dress0-m shows %s: %v / %v", prepared, id, bought, similar)
			}
			seen[group(id)] = true
		}
	}
	// Without groups every size is its own product, as before.
	if recs := m.Recommend(Request{Strategy: Popular, N: 30}); len(recs) != 30 {
		t.Errorf("without groups %d products, want 30", len(recs))
	}
}

// dressModel is trained on six dresses in five sizes each ("Dress 0 size
// xs"), viewed and bought by 40 shoppers.
func dressModel(t *testing.T) *Model {
	t.Helper()
	var items []Item
	var evs []Event
	sizes := []string{"xs", "s", "m", "l", "xl"}
	for d := range 6 {
		for _, sz := range sizes {
			items = append(items, Item{ID: fmt.Sprintf("dress%d-%s", d, sz), Title: fmt.Sprintf("Dress %d size %s", d, sz), Brand: "Maison",
				Category: "Dresses", CategoryPath: []string{"Women", "Dresses"}, PriceCents: int64(5000 + 100*d), Stock: 5, Active: true,
				Description: "a linen dress", Created: testNow.AddDate(0, -3, 0)})
		}
	}
	for u := range 40 {
		for k := range 3 {
			d := (u + k) % 6
			it := fmt.Sprintf("dress%d-%s", d, sizes[(u+k)%5])
			evs = append(evs, Event{User: fmt.Sprintf("u%d", u), Item: it, Type: View, Time: testNow.Add(-time.Duration(100-u-k) * time.Hour)})
			if k == 0 {
				evs = append(evs, Event{User: fmt.Sprintf("u%d", u), Item: it, Type: Purchase, Time: testNow.Add(-time.Duration(99-u) * time.Hour)})
			}
		}
	}
	m, err := Train(context.Background(), Dataset{Items: items, Events: evs, Now: testNow}, testConfig(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestReasonsNameTheGroup: with Request.Name (the shop's group names), a
// reason and a "Because you viewed" heading name the dress, not the size
// the shopper happened to view ("Dress 1", not "Dress 1 size m").
func TestReasonsNameTheGroup(t *testing.T) {
	m := dressModel(t)
	name := func(id string) string {
		g, _, _ := strings.Cut(id, "-")
		return "Dress " + strings.TrimPrefix(g, "dress")
	}
	group := func(id string) string { g, _, _ := strings.Cut(id, "-"); return g }
	named := 0
	for _, req := range []Request{
		{User: "u0", Strategy: Hybrid, N: 6, ExcludeSeen: true},
		{Strategy: Similar, Anchor: "dress1-m", N: 6},
		{Strategy: AlsoBought, Anchor: "dress1-m", N: 6},
		{User: "u0", Strategy: ItemKNN, N: 6, ExcludeSeen: true},
	} {
		req.Name, req.Group = name, group
		for _, r := range m.Recommend(req) {
			if strings.Contains(r.Reason, "size") {
				t.Errorf("%v: the reason %q names a size", req.Strategy, r.Reason)
			}
			if strings.Contains(r.Reason, "Dress ") {
				named++
			}
		}
		// Without names, reasons name the size viewed: the check above can fail.
		req.Name = nil
		for _, r := range m.Recommend(req) {
			if strings.Contains(r.Reason, "Dress ") && !strings.Contains(r.Reason, "size") {
				t.Errorf("%v without names: %q", req.Strategy, r.Reason)
			}
		}
	}
	if named == 0 {
		t.Errorf("no reason names a dress")
	}
	opt := noExplore()
	opt.Name, opt.Group = name, group
	spec := []SlotSpec{{ID: "because", Kind: KindBecauseViewed, Title: "Because you viewed {anchor}", Strategy: "similar", Size: 3}}
	page := Compose(m, spec, Shopper{User: "u0", RecentlyViewed: []string{"dress1-m"}, Personalize: true}, opt, nil)
	if len(page) == 0 || page[0].Title != "Because you viewed Dress 1" {
		t.Errorf("the row's heading: %+v", page)
	}
	// Two sizes of one dress viewed, then another dress: a row for each
	// dress, not two for the first.
	spec[0].Size = 2
	page = Compose(m, spec, Shopper{User: "u0", RecentlyViewed: []string{"dress1-m", "dress1-s", "dress4-m"}, Personalize: true}, opt, nil)
	var titles []string
	for _, cs := range page {
		titles = append(titles, cs.Title)
	}
	if strings.Join(titles, "|") != "Because you viewed Dress 1|Because you viewed Dress 4" {
		t.Errorf("the rows after two sizes of one dress: %q", titles)
	}
}

// TestRecentlyViewedShowsADressOnce: a shopper who viewed two sizes of one
// dress sees it once in "Recently viewed" (the size viewed last; both cards
// were named by the dress), and not a dress they bought in another size.
func TestRecentlyViewedShowsADressOnce(t *testing.T) {
	m := dressModel(t)
	group := func(id string) string { g, _, _ := strings.Cut(id, "-"); return g }
	opt := noExplore()
	opt.Group = group
	spec := []SlotSpec{{ID: "recent", Kind: KindRecentlyViewed, Title: "Recently viewed", Size: 8}}
	sh := Shopper{User: "u0", Personalize: true, LoggedIn: true,
		RecentlyViewed: []string{"dress1-m", "dress1-s", "dress4-m", "dress2-l", "dress1-l", "dress4-xs"},
		Bought:         []string{"dress2-s"}}
	page := Compose(m, spec, sh, opt, nil)
	if len(page) != 1 {
		t.Fatalf("%d rows, want the recently viewed row", len(page))
	}
	if got := strings.Join(ids(page[0].Items), ","); got != "dress1-m,dress4-m" {
		t.Errorf("recently viewed: %s, want dress1-m,dress4-m (one size of each dress viewed, none of the dress bought)", got)
	}
	// Without groups every size is its own product, as before.
	opt.Group = nil
	page = Compose(m, spec, sh, opt, nil)
	if got := strings.Join(ids(page[0].Items), ","); got != "dress1-m,dress1-s,dress4-m,dress2-l,dress1-l,dress4-xs" {
		t.Errorf("recently viewed without groups: %s", got)
	}
}
