package recommender

import (
	"math"
	"slices"
	"strings"
	"testing"
)

// Products created after training, with no events, reach the shoppers whose
// history is like them through "new for you", without retraining: a runner
// gets the new trail product first and a cook the new kitchen product, each
// with a reason naming what it is like; a shopper without history gets the
// newest products; what is out of stock or excluded is not shown.
func TestNewForYouBringsLaunchesToMatchingShoppers(t *testing.T) {
	m := trainTestModel(t)
	launch := func(id, title string, path []string, desc string, stock int) Item {
		return Item{ID: id, Title: title, Brand: "Peak", Category: path[len(path)-1], CategoryPath: path, PriceCents: 5000,
			Stock: stock, Active: true, Description: desc, Created: testNow.AddDate(0, 0, 2)}
	}
	items := append(testItems(),
		launch("trailx", "Trail Runner X", []string{"Outdoor", "Footwear"}, "trail running shoe, grippy sole", 5),
		launch("wok", "Steel Wok", []string{"Home", "Kitchen"}, "forged steel wok for the kitchen", 5),
		launch("gone", "Trail Shoe Lite", []string{"Outdoor", "Footwear"}, "trail running shoe", 0),
	)
	items[len(items)-2].Brand = "Forge"
	l := m.Launches(items)
	if l.Len() != 3 {
		t.Fatalf("launches: %d, want the 3 products the model does not know", l.Len())
	}
	row := func(user string, exclude map[string]bool) []Recommendation {
		t.Helper()
		recs := m.Recommend(Request{User: user, Strategy: NewForYou, N: 4, Launches: l, ExcludeSeen: true, Exclude: exclude})
		for _, r := range recs {
			if r.ItemID == "gone" {
				t.Fatalf("%s was offered an out-of-stock launch: %v", user, ids(recs))
			}
		}
		return recs
	}
	at := func(recs []Recommendation, id string) int {
		if i := slices.IndexFunc(recs, func(r Recommendation) bool { return r.ItemID == id }); i >= 0 {
			return i
		}
		return len(recs)
	}
	runner, cook := row("runner3", nil), row("cook3", nil)
	if at(runner, "trailx") >= at(runner, "wok") || at(cook, "wok") >= at(cook, "trailx") {
		t.Fatalf("runner got %v, cook got %v: want the trail launch ahead for the runner and the wok for the cook", ids(runner), ids(cook))
	}
	if r := runner[at(runner, "trailx")]; !strings.HasPrefix(r.Reason, "New, like the Trail") || !r.Personal {
		t.Fatalf("runner: the trail launch is explained as %q", r.Reason)
	}
	if r := row("runner3", map[string]bool{"trailx": true}); at(r, "trailx") < len(r) {
		t.Fatalf("an excluded launch was shown: %v", ids(r))
	}
	recs := m.Recommend(Request{User: "stranger", Strategy: NewForYou, N: 3, Launches: l})
	if len(recs) != 3 || !slices.ContainsFunc(recs, func(r Recommendation) bool { return r.ItemID == "trailx" || r.ItemID == "wok" }) {
		t.Fatalf("a visitor without history: %v, want the newest products, launches included", ids(recs))
	}
	// Launches computed for another model are not used.
	other := trainTestModel(t)
	if recs := other.Recommend(Request{User: "runner3", Strategy: NewForYou, N: 3, Launches: l}); slices.ContainsFunc(recs, func(r Recommendation) bool { return r.ItemID == "trailx" }) {
		t.Fatalf("launches of another model were used: %v", ids(recs))
	}
	if _, _, err := KindNewArrivals.ParseSlotStrategy("new_for_you"); err != nil {
		t.Fatalf("a new arrivals slot refuses new_for_you: %v", err)
	}
}

// TestNewForYouCountsFreshnessLikeTheBlend: "new for you" weighs a
// launch by the blend's one freshness (freshFor): a product launching
// two months after the data's end (a pre-order) counts for less than one
// launching tomorrow — the rule it kept of its own counted both in full —
// and a launch counts in full in the shopper's departments, at the floor
// elsewhere, exactly as a trained product of the same age does.
func TestNewForYouCountsFreshnessLikeTheBlend(t *testing.T) {
	m := trainTestModel(t)
	launch := func(id string, days int, path ...string) Item {
		return Item{ID: id, Title: "Trail Runner X", Brand: "Peak", Category: path[len(path)-1], CategoryPath: path, PriceCents: 9000,
			Stock: 5, Active: true, Description: "trail running shoe, grippy sole", Created: testNow.AddDate(0, 0, days)}
	}
	// Same text, so the same links to the runner's history: only their
	// freshness tells them apart ("preorder" sorts first on a tie).
	l := m.Launches(append(testItems(), launch("preorder", 60, "Outdoor", "Footwear"), launch("trailnext", 1, "Outdoor", "Footwear")))
	recs := m.Recommend(Request{User: "runner3", Strategy: NewForYou, N: 4, Launches: l, ExcludeSeen: true})
	at := func(id string) int {
		if i := slices.IndexFunc(recs, func(r Recommendation) bool { return r.ItemID == id }); i >= 0 {
			return i
		}
		return len(recs)
	}
	if at("trailnext") >= at("preorder") || at("preorder") == len(recs) {
		t.Fatalf("runner got %v: want tomorrow's launch ahead of the pre-order, both shown", ids(recs))
	}
	if a, b := recs[at("trailnext")].Score, recs[at("preorder")].Score; math.Abs(b/a-launchFreshMin/freshness(testNow.AddDate(0, 0, 1), testNow)) > 1e-6 {
		t.Errorf("pre-order scores %.4f of tomorrow's launch, want %.4f (its time part at the floor)", b/a, launchFreshMin/freshness(testNow.AddDate(0, 0, 1), testNow))
	}

	s := m.getScratch()
	defer m.scratch.Put(s)
	s.begin()
	m.buildHistory(s, Request{User: "runner3"})
	fresh := m.freshFor(s)
	trained := m.cat.index["shoepro"] // Outdoor/Footwear, created a day before the data's end
	created := m.cat.items[trained].Created
	same := launch("same", 0, "Outdoor", "Footwear")
	same.Created = created
	kitchen := launch("kitchen", 0, "Home", "Kitchen")
	kitchen.Created = created
	if got, want := m.launchFresh(s, same), float64(fresh(trained)); math.Abs(got-want) > 1e-6 {
		t.Errorf("a launch of the runner's department: %.4f, a trained product of the same age and department %.4f (its time part %.4f)", got, want, freshness(created, testNow))
	}
	if got, want := m.launchFresh(s, kitchen), freshness(created, testNow)*freshFloor; math.Abs(got-want) > 1e-6 {
		t.Errorf("a kitchen launch for a runner: %.4f, want the floor's share %.4f", got, want)
	}
}
