package recommender

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// phoneShop is a shop of phones and what goes with them beside clothes:
// a phone's buyer buys one phone, then cases and a charger over the next
// weeks; a clothes shopper buys shirts and socks again and again. "me"
// bought a phone and "fan" a shirt, both 40 days before the data's end —
// long past the days after any purchase that keep its category out.
func phoneShop() Dataset {
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	d := Dataset{Now: now}
	add := func(cat string, n int) {
		for i := range n {
			d.Items = append(d.Items, Item{ID: fmt.Sprintf("%s-%d", strings.ToLower(cat), i), Title: fmt.Sprintf("%s %d", cat, i),
				Category: cat, PriceCents: 1000, Stock: 50, Active: true})
		}
	}
	add("Phones", 12)
	add("Cases", 30)
	add("Chargers", 10)
	add("Shirts", 30)
	add("Socks", 20)
	rng := rand.New(rand.NewPCG(3, 4))
	buy := func(u, item string, at time.Time) {
		d.Events = append(d.Events, Event{User: u, Item: item, Type: View, Time: at.Add(-time.Minute)},
			Event{User: u, Item: item, Type: Purchase, Time: at})
	}
	for u := range 300 {
		user := fmt.Sprintf("u%d", u)
		at := now.Add(-time.Duration(80+rng.IntN(20)) * 24 * time.Hour)
		if u%2 == 0 {
			phone := rng.IntN(12)
			buy(user, fmt.Sprintf("phones-%d", phone), at)
			for k := range 2 + rng.IntN(2) {
				at = at.Add(time.Duration(2+rng.IntN(10)) * 24 * time.Hour)
				buy(user, fmt.Sprintf("cases-%d", (phone*2+k+rng.IntN(2))%30), at)
			}
			at = at.Add(3 * 24 * time.Hour)
			buy(user, fmt.Sprintf("chargers-%d", rng.IntN(10)), at)
		} else {
			for range 3 + rng.IntN(4) {
				at = at.Add(time.Duration(1+rng.IntN(12)) * 24 * time.Hour)
				if rng.IntN(3) == 0 {
					buy(user, fmt.Sprintf("socks-%d", rng.IntN(20)), at)
				} else {
					buy(user, fmt.Sprintf("shirts-%d", rng.IntN(30)), at)
				}
			}
		}
	}
	buy("me", "phones-3", now.Add(-40*24*time.Hour))
	buy("fan", "shirts-4", now.Add(-40*24*time.Hour))
	return d
}

// A shop whose phone buyers never buy a second phone learns that Phones is
// bought once, keeps it in the saved model, and a customer who bought a
// phone forty days ago is offered no more phones — while a customer who
// bought a shirt as long ago gets shirts again, since shirts are bought
// again and again.
func TestACategoryBoughtOnceStaysOutAfterThePurchase(t *testing.T) {
	d := phoneShop()
	m := trainServed(t, d, testConfig())
	if !slices.Contains(m.once, "Phones") || slices.Contains(m.once, "Shirts") || slices.Contains(m.once, "Socks") {
		t.Fatalf("categories bought once %v: want Phones among them, not Shirts or Socks", m.once)
	}
	loaded := reloaded(t, m)
	if !slices.Equal(loaded.once, m.once) {
		t.Fatalf("saved and loaded, the categories bought once are %v, want %v", loaded.once, m.once)
	}
	specs := []SlotSpec{
		{ID: "cat", Kind: KindCategory, Title: "Top picks in {category}", Size: 6},
		{ID: "rec", Kind: KindRecommended, Title: "For you", Strategy: "hybrid", Size: 8},
	}
	opt := noExplore()
	opt.Now = d.Now
	in := func(user, item, category string) []string {
		sh := Shopper{User: user, Personalize: true, LoggedIn: true,
			Purchases: []Event{{User: user, Item: item, Type: Purchase, Time: d.Now.Add(-40 * 24 * time.Hour)}}}
		var out []string
		for _, cs := range Compose(loaded, specs, sh, opt, nil) {
			for _, it := range cs.Items {
				if got, _ := loaded.Item(it.ItemID); got.Category == category {
					out = append(out, cs.Spec.ID+":"+it.ItemID)
				}
			}
		}
		return out
	}
	if got := in("me", "phones-3", "Phones"); len(got) > 0 {
		t.Fatalf("forty days after buying a phone, in a shop where nobody buys a second one, the page offers phones: %v", got)
	}
	if got := in("fan", "shirts-4", "Shirts"); len(got) == 0 {
		t.Fatal("forty days after buying a shirt, in a shop whose shoppers buy shirts again and again, the page offers no shirts")
	}
}

// The hybrid list `recommend` and the recommendations API serve leaves a
// category bought once out after its purchase as the homepage does —
// bought before training or since (the request's recent events) — while a
// list asked for that very category still holds it and shirts come back
// to the shirt buyer; and the lists tuning scores its choices by leave it
// out too, so tuning chooses with the list that is served. Both lists
// offered phones to the phone's buyer.
func TestAListAndTuningLeaveOutACategoryBoughtOnce(t *testing.T) {
	d := phoneShop()
	m := trainServed(t, d, testConfig())
	in := func(recs []Recommendation, category string) []string {
		var out []string
		for _, r := range recs {
			if it, _ := m.Item(r.ItemID); it.Category == category {
				out = append(out, r.ItemID)
			}
		}
		return out
	}
	served := func(user string, recent ...Event) []Recommendation {
		return m.Recommend(Request{User: user, N: 60, Strategy: Hybrid, ExcludeSeen: true, Recent: recent})
	}
	if got := in(served("me"), "Phones"); len(got) > 0 {
		t.Errorf("the phone's buyer is served phones: %v", got)
	}
	// u1 buys shirts and socks; a phone bought since training counts too.
	if got := in(served("u1"), "Phones"); len(got) == 0 {
		t.Fatal("a shirt buyer is served no phone even before buying one: the check below would prove nothing")
	}
	if got := in(served("u1", Event{User: "u1", Item: "phones-5", Type: Purchase, Time: d.Now}), "Phones"); len(got) > 0 {
		t.Errorf("a phone bought since training: served phones %v", got)
	}
	if got := in(served("fan"), "Shirts"); len(got) == 0 {
		t.Error("the shirt's buyer is served no shirt, in a shop whose shoppers buy shirts again and again")
	}
	if got := in(m.Recommend(Request{User: "me", N: 5, Strategy: Hybrid, ExcludeSeen: true, Category: "Phones"}), "Phones"); len(got) == 0 {
		t.Error("a list asked for Phones holds no phone for the phone's buyer")
	}
	tn := &tuner{ctx: context.Background(), workers: 1}
	cache := tn.cacheFor(m, tuneUser{id: "me", rel: map[int32]bool{m.cat.index["cases-1"]: true}})
	for _, j := range cache[0].items {
		if m.cat.items[j].Category == "Phones" {
			t.Fatalf("tuning scores the phone's buyer on a list that may hold %s, which the served list leaves out", m.cat.items[j].ID)
		}
	}
	if len(cache[0].items) == 0 {
		t.Fatal("tuning's cache holds nothing for the phone's buyer")
	}
}

// A shopper who bought a fridge, a category bought once, is next in need
// of another kitchen appliance: "popular in your categories" reads the
// fridge's count as a count in each of the kitchen's other categories,
// none in Fridges (the list leaves it out), and none in the laundry room;
// a category only viewed, or one bought again and again, keeps its count.
func TestACategoryBoughtOncePassesItsCountToItsDepartment(t *testing.T) {
	item := func(id string, path ...string) Item {
		return Item{ID: id, Category: path[len(path)-1], CategoryPath: path, Active: true, Stock: 1}
	}
	kitchen, laundry := "Appliances > Kitchen", "Appliances > Laundry"
	d := Dataset{Items: []Item{
		item("fridge", "Appliances", kitchen, kitchen+" > Fridges"),
		item("oven", "Appliances", kitchen, kitchen+" > Ovens"),
		item("microwave", "Appliances", kitchen, kitchen+" > Microwaves"),
		item("washer", "Appliances", laundry, laundry+" > Washers"),
		item("dryer", "Appliances", laundry, laundry+" > Dryers"),
		item("filter", "Parts", "Parts > Filters"),
	}}
	m := &Model{cat: newCatalog(d), once: []string{kitchen + " > Fridges", laundry + " > Washers"}}
	leaf := func(id string) int32 { return m.cat.leafCat[m.cat.index[id]] }
	for _, tc := range []struct {
		name    string
		history map[string]EventType
		want    map[string]float32
	}{
		{"a fridge bought", map[string]EventType{"fridge": Purchase},
			map[string]float32{"fridge": 0, "oven": 1, "microwave": 1, "washer": 0, "dryer": 0, "filter": 0}},
		{"a fridge viewed", map[string]EventType{"fridge": View},
			map[string]float32{"fridge": 1, "oven": 0, "microwave": 0}},
		{"a filter bought, a category with no siblings and not bought once", map[string]EventType{"filter": Purchase, "dryer": Purchase},
			map[string]float32{"filter": 1, "dryer": 1, "washer": 0}},
		{"a fridge and a washer bought", map[string]EventType{"fridge": Purchase, "washer": Purchase, "oven": View},
			map[string]float32{"fridge": 0, "oven": 2, "microwave": 1, "washer": 0, "dryer": 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := &scratch{}
			s.catCnt = make([]float32, len(m.cat.categories))
			for id, kind := range tc.history {
				j := m.cat.index[id]
				s.hist.items = append(s.hist.items, j)
				s.hist.kinds = append(s.hist.kinds, kind)
				s.catCnt[leaf(id)]++
			}
			m.onceToSiblings(s)
			for id, want := range tc.want {
				if got := s.catCnt[leaf(id)]; got != want {
					t.Errorf("count in %s's category = %v, want %v", id, got, want)
				}
			}
		})
	}
}

// A department of thousands of categories (an imported catalog filing each
// product under its own code) costs its categories in the table of which
// categories sit beside which, not their pairs: 5,000 leaves under one
// parent took 100 MB (each leaf listing every other).
func TestADepartmentOfThousandsOfCategoriesCostsItsCategories(t *testing.T) {
	var d Dataset
	for i := range 5000 {
		code := fmt.Sprintf("Parts > P%d", i)
		d.Items = append(d.Items, Item{ID: fmt.Sprintf("p%d", i), Category: code, CategoryPath: []string{"Parts", code}, Active: true, Stock: 1})
	}
	cat := newCatalog(d)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	sib := newLeafSiblings(&cat)
	runtime.ReadMemStats(&after)
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 4<<20 {
		t.Errorf("the siblings of 5,000 categories under one parent took %d MiB", grew>>20)
	}
	p, ok := cat.catIndex["Parts"]
	if !ok || len(sib.leaves[p]) != 5000 || sib.parent[cat.catIndex["Parts > P7"]] != p {
		t.Errorf("the 5,000 categories are not read under their parent: %d leaves", len(sib.leaves[p]))
	}
}
