package recommender

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// cycleShop is a parts shop: 6 vehicle platforms, each with 15 products in
// each of 8 shared categories. A shopper keeps to one platform and does a
// job a visit, 10 days apart, looking at 8 and buying 3 of the platform's
// products of one category. With cycle, the next job is in the category
// after the last one (Cat 2, then Cat 3, …: a maintenance order the shop's
// sequences show); without, every job is in a category drawn at random.
// The shopper asked for, "me", has just done the brakes (Cat 2) of
// platform 3.
func cycleShop(cycle bool) Dataset {
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	d := Dataset{Now: now}
	for p := range 6 {
		for c := range 8 {
			for i := range 15 {
				d.Items = append(d.Items, Item{ID: fmt.Sprintf("v%dc%dp%d", p, c, i), Title: fmt.Sprintf("Part %d for platform %d", i, p),
					Category: fmt.Sprintf("Cat %d", c), PriceCents: 1000, Stock: 5, Active: true})
			}
		}
	}
	rng := rand.New(rand.NewPCG(7, 8))
	for u := range 400 {
		plat := rng.IntN(6)
		c := rng.IntN(8)
		for job := range 6 {
			at := now.Add(-time.Duration(60-10*job)*24*time.Hour + time.Duration(u)*time.Minute)
			for _, i := range rng.Perm(15)[:8] {
				d.Events = append(d.Events, Event{User: fmt.Sprintf("u%d", u), Item: fmt.Sprintf("v%dc%dp%d", plat, c, i), Type: View, Time: at})
				at = at.Add(time.Minute)
			}
			for _, i := range rng.Perm(15)[:3] {
				i = i * rng.IntN(2) // the first products of a category sell most
				d.Events = append(d.Events, Event{User: fmt.Sprintf("u%d", u), Item: fmt.Sprintf("v%dc%dp%d", plat, c, i), Type: Purchase, Time: at})
				at = at.Add(time.Minute)
			}
			if cycle {
				c = (c + 1) % 8
			} else {
				c = rng.IntN(8)
			}
		}
	}
	for k, i := range []int{0, 1, 2, 4, 5} {
		d.Events = append(d.Events, Event{User: "me", Item: fmt.Sprintf("v3c2p%d", i), Type: Purchase, Time: now.Add(-time.Duration(6-k) * time.Hour)})
	}
	return d
}

// A shop whose shoppers go on to the category after the one they just
// shopped in serves a shopper whose brakes are done the next category's
// parts, for their platform: training learns which category follows which
// from the shop's own sequences, finds it predicts the next categories
// better than staying, and the row follows it.
func TestARowFollowsTheCategoryThatComesNext(t *testing.T) {
	m := trainServed(t, cycleShop(true), testConfig())
	if m.nextCat == nil {
		t.Fatal("a shop whose every next job is in the following category learned no table of next categories")
	}
	t.Log(m.nextCat.describe())
	row := m.Recommend(Request{User: "me", N: 10, ExcludeSeen: true})
	if len(row) != 10 {
		t.Fatalf("row of %d, want 10", len(row))
	}
	next, platform := 0, 0
	for _, r := range row {
		if strings.Contains(r.ItemID, "c3p") {
			next++
			if strings.HasPrefix(r.ItemID, "v3") {
				platform++
			}
		}
	}
	if next < 6 {
		t.Errorf("%d of 10 products from the category that comes next (Cat 3), want at least 6: %v", next, row)
	}
	if platform < next*3/4 {
		t.Errorf("%d of the %d products from Cat 3 are for the shopper's platform, want at least three quarters: %v", platform, next, row)
	}
	// The blend alone piles into the finished category.
	keep := m.nextCat
	m.nextCat = nil
	plain := m.Recommend(Request{User: "me", N: 10, ExcludeSeen: true})
	m.nextCat = keep
	plainNext := 0
	for _, r := range plain {
		if strings.Contains(r.ItemID, "c3p") {
			plainNext++
		}
	}
	if plainNext >= next {
		t.Errorf("the blend's own row already held %d of Cat 3 (the table's %d): the shop tests nothing", plainNext, next)
	}
	// A shopper browsing now is served the blend's row, which follows
	// the browsing.
	now := []Event{{User: "me", Item: "v3c6p3", Type: View, Time: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}}
	live := m.Recommend(Request{User: "me", N: 10, ExcludeSeen: true, Recent: now})
	m.nextCat = nil
	liveBlend := m.Recommend(Request{User: "me", N: 10, ExcludeSeen: true, Recent: now})
	m.nextCat = keep
	if fmt.Sprint(live) != fmt.Sprint(liveBlend) {
		t.Errorf("a shopper browsing now: %v, want the blend's row %v", live, liveBlend)
	}
	if line := m.nextCat.describe(); !strings.Contains(line, "next categories: learned from") || !strings.Contains(line, "better than staying") {
		t.Errorf("train's line: %q", line)
	}
}

// A shop whose shoppers go to categories at random learns nothing that
// predicts better than staying, and serves the row the blend ranks.
func TestARowIsLeftAloneWhereNextCategoriesAreNoise(t *testing.T) {
	m := trainServed(t, cycleShop(false), testConfig())
	if m.nextCat != nil {
		t.Fatalf("a shop of random next categories kept a table (advantage %.3f nats a step)", m.nextCat.Gain)
	}
	row := m.Recommend(Request{User: "me", N: 10, ExcludeSeen: true})
	m.nextCat = nil
	if plain := m.Recommend(Request{User: "me", N: 10, ExcludeSeen: true}); fmt.Sprint(row) != fmt.Sprint(plain) {
		t.Errorf("the row changed: %v, the blend's %v", row, plain)
	}
}

// The table survives a save and load: the served model's rows follow it.
func TestTheNextCategoriesTableIsSaved(t *testing.T) {
	m := trainServed(t, cycleShop(true), testConfig())
	blob, err := m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	back, err := LoadBytes(blob)
	if err != nil {
		t.Fatal(err)
	}
	if back.nextCat == nil || back.nextCat.Lambda != m.nextCat.Lambda || len(back.nextCat.Rows) != len(m.nextCat.Rows) {
		t.Fatalf("after a save and load: %+v, want the trained table", back.nextCat)
	}
	a := m.Recommend(Request{User: "me", N: 10, ExcludeSeen: true})
	b := back.Recommend(Request{User: "me", N: 10, ExcludeSeen: true})
	if fmt.Sprint(a) != fmt.Sprint(b) {
		t.Errorf("loaded model's row %v, trained model's %v", b, a)
	}
}
