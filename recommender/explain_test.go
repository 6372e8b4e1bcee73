package recommender

import (
	"slices"
	"strings"
	"testing"
)

// TestExplainSaysWhatEachRowLeftOut: a shopper who bought the shoe sees a
// popular row without it, and the explanation says it was already bought;
// an excluded product and an out-of-stock one are named as such; a slot for
// new visitors is reported as not for this shopper; WhyNot answers for a
// shown product, a filtered one and an unknown one.
func TestExplainSaysWhatEachRowLeftOut(t *testing.T) {
	m := trainTestModel(t)
	status := func(id string) string {
		switch id {
		case "lamp":
			return WhyOutOfStock
		case "kettle":
			return WhyInactive
		}
		return ""
	}
	page := []SlotSpec{
		{ID: "pop", Kind: KindPopular, Title: "Best sellers", Size: 4, Excludes: []string{"knife"}},
		{ID: "welcome", Kind: KindTrending, Title: "Welcome", Size: 3, Audience: AudienceNew},
	}
	sh := Shopper{User: "alice", Personalize: true, Seen: []string{"shoe"}}
	exp := Explain(m, page, sh, noExplore(), status, nil)
	if len(exp.Slots) != 1 || len(exp.NotForShopper) != 1 || exp.NotForShopper[0].ID != "welcome" {
		t.Fatalf("slots %d, not for the shopper %+v", len(exp.Slots), exp.NotForShopper)
	}
	why := map[string]string{}
	for _, l := range exp.Slots[0].Filtered {
		why[l.ItemID] = l.Why
	}
	for id, want := range map[string]string{"shoe": WhyBought, "knife": WhyExcluded, "lamp": WhyOutOfStock, "kettle": WhyInactive} {
		if why[id] != want {
			t.Errorf("%s left out as %q, want %q (all: %v)", id, why[id], want, why)
		}
	}
	for _, it := range exp.Slots[0].Items {
		if why[it.ItemID] != "" {
			t.Errorf("%s is both shown and left out", it.ItemID)
		}
	}
	shown := exp.Slots[0].Items[0]
	if got := exp.WhyNot(m, shown.ItemID, status); len(got) != 1 || !strings.Contains(got[0], "shown in “Best sellers” at position 1") {
		t.Fatalf("WhyNot(shown) = %v", got)
	}
	if got := exp.WhyNot(m, "shoe", status); !slices.ContainsFunc(got, func(s string) bool { return strings.Contains(s, "already bought") }) {
		t.Fatalf("WhyNot(shoe) = %v", got)
	}
	if got := exp.WhyNot(m, "lamp", status); !strings.Contains(got[0], "out of stock") {
		t.Fatalf("WhyNot(lamp) = %v", got)
	}
	if got := exp.WhyNot(m, "nope", status); !strings.Contains(strings.Join(got, " "), "does not know it") {
		t.Fatalf("WhyNot(unknown) = %v", got)
	}
	// A one-card row: the other available products rank below it.
	page[0].Size = 1
	one := Explain(m, page, sh, noExplore(), status, nil)
	var other string
	for _, id := range []string{"board", "pan", "mug", "tent", "stove", "sock"} {
		if id != one.Slots[0].Items[0].ItemID && !slices.ContainsFunc(one.Slots[0].Filtered, func(l Lost) bool { return l.ItemID == id }) {
			other = id
			break
		}
	}
	if got := strings.Join(one.WhyNot(m, other, status), " "); !strings.Contains(got, "audience is new") || !strings.Contains(got, "ranks it #") {
		t.Fatalf("WhyNot(%s) does not give its rank and the hidden slot: %v", other, got)
	}
}

// TestExplainNamesTheRowThatShowsAProduct: one slot filling two rows
// ("Because you viewed" the tent, and the knife) — as a visit's category
// row and the rest of its department share theirs — explains each row on
// its own: a product the other row shows is "already on the page" in that
// row, named by its own heading, never "left out to spread the row's
// categories" nor placed in the row it is missing from.
func TestExplainNamesTheRowThatShowsAProduct(t *testing.T) {
	m := trainTestModel(t)
	opt := noExplore()
	opt.MaxAnchors = 2
	page := []SlotSpec{{ID: "bv", Kind: KindBecauseViewed, Title: "", Size: 3}}
	sh := Shopper{User: "nobody-new", Personalize: true, RecentlyViewed: []string{"tent", "knife"}}
	exp := Explain(m, page, sh, opt, nil, nil)
	if len(exp.Slots) != 2 || exp.Slots[0].Spec.ID != exp.Slots[1].Spec.ID {
		t.Fatalf("want two rows of one slot, got %d", len(exp.Slots))
	}
	rowOf := map[string]int{}
	for k, s := range exp.Slots {
		for _, it := range s.Items {
			rowOf[it.ItemID] = k + 1
		}
	}
	checked := 0
	for k, s := range exp.Slots {
		for _, l := range s.Filtered {
			row, shown := rowOf[l.ItemID]
			switch {
			case shown && (l.Why != LostToSlot || l.Row != row):
				t.Errorf("“%s” says %s is %q (row %d); it is in row %d, “%s”", s.Title, l.ItemID, l.Why, l.Row, row, exp.Slots[row-1].Title)
			case !shown && l.Why == LostToSlot:
				t.Errorf("“%s” says %s is on the page; no row shows it", s.Title, l.ItemID)
			case shown:
				checked++
				if row == k+1 {
					t.Errorf("“%s” lists its own card %s as left out", s.Title, l.ItemID)
				}
			}
		}
	}
	if checked == 0 {
		t.Fatalf("no row left out a product the other shows: the test shows nothing (%+v)", exp.Slots)
	}
}
