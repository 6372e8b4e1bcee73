package recommender

import (
	"slices"
	"testing"
)

// TestEveryOfferedStrategyComposesAsItself: for every slot kind and every
// strategy the kind offers an editor, a one-slot page is filled by that
// strategy, not silently by another; a recommended row holds exactly what
// the strategy recommends. Kinds without strategies are filled by their rule.
func TestEveryOfferedStrategyComposesAsItself(t *testing.T) {
	m := trainTestModel(t)
	sh := Shopper{User: "camper1", RecentlyViewed: []string{"tent"}, Personalize: true}
	for _, kind := range SlotKinds() {
		spec := SlotSpec{ID: "s", Kind: kind, Title: "Row", Size: 3, Pins: []string{"mug", "pan"}}
		switch kind {
		case KindCategory:
			spec.Category = "Outdoor"
		case KindBanner:
			spec.Creatives = []CreativeSpec{{ID: "autumn"}, {ID: "winter", Category: "Outdoor"}}
		}
		if len(kind.Strategies()) == 0 {
			t.Run(string(kind), func(t *testing.T) {
				page := Compose(m, []SlotSpec{spec}, sh, noExplore(), nil)
				if len(page) != 1 || page[0].Source != kind.Rule() || kind.Rule() == "" {
					t.Fatalf("composed %+v, want one row filled by the rule %q", page, kind.Rule())
				}
			})
			continue
		}
		for _, st := range kind.Strategies() {
			t.Run(string(kind)+"/"+st.String(), func(t *testing.T) {
				spec := spec
				spec.Strategy = st.String()
				if kind != KindHero {
					spec.Pins = nil
				}
				page := Compose(m, []SlotSpec{spec}, sh, noExplore(), nil)
				if len(page) == 0 {
					t.Fatal("the row came out empty")
				}
				if got := page[0].Source; got != st.String() {
					t.Fatalf("the row was filled by %q, want %q", got, st)
				}
				if kind != KindRecommended {
					return
				}
				want := m.Recommend(Request{User: sh.User, N: 3, Strategy: st, ExcludeSeen: true, Diversity: 0.3})
				if got := ids(page[0].Items); !slices.Equal(got, ids(want)) {
					t.Fatalf("the row shows %v, the %s strategy recommends %v", got, st, ids(want))
				}
			})
		}
	}
}

func TestSlotStrategyNames(t *testing.T) {
	tests := []struct {
		kind    SlotKind
		name    string
		want    Strategy
		chosen  bool
		wantErr bool
	}{
		{KindRecommended, "item_knn", ItemKNN, true, false},
		{KindRecommended, "itemknn", 0, false, true}, // an old misspelling
		{KindNewArrivals, "newest", 0, false, true},
		{KindNewArrivals, "new", New, true, false},
		{KindNewArrivals, "", 0, false, false},
		{KindTrending, "hybrid", 0, false, true},
		{KindCollection, "pinned", 0, false, true},
		{KindBecauseViewed, "also_bought", AlsoBought, true, false},
	}
	for _, tt := range tests {
		t.Run(string(tt.kind)+"/"+tt.name, func(t *testing.T) {
			got, chosen, err := tt.kind.ParseSlotStrategy(tt.name)
			if (err != nil) != tt.wantErr || got != tt.want || chosen != tt.chosen {
				t.Fatalf("got %v, %v, %v", got, chosen, err)
			}
		})
	}
	for _, k := range SlotKinds() {
		if got, err := ParseSlotKind(string(k)); err != nil || got != k {
			t.Fatalf("ParseSlotKind(%q) = %v, %v", k, got, err)
		}
		if k.Label() == string(k) {
			t.Errorf("%s has no label", k)
		}
	}
	if _, err := ParseSlotKind("carousel"); err == nil {
		t.Fatal("an unknown kind parsed")
	}
}

func TestParseAudience(t *testing.T) {
	for a, want := range map[string]string{"": "", "everyone": "", "new": "", "returning": "", "logged_in": "", "affinity:Kitchen": "Kitchen"} {
		if got, err := ParseAudience(a); err != nil || got != want {
			t.Errorf("ParseAudience(%q) = %q, %v", a, got, err)
		}
	}
	for _, a := range []string{"affinity:", "vip", "Everyone"} {
		if _, err := ParseAudience(a); err == nil {
			t.Errorf("ParseAudience(%q) accepted", a)
		}
	}
}
