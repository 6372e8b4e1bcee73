package recommender

import (
	"slices"
	"testing"
)

// TestPinsClaimTheirProductsFirst: a collection below a best-sellers row
// keeps every pin although the best sellers would show them first; the
// best sellers show other products instead; a product two collections pin
// goes to the upper one and the lower one says where it went; an
// unavailable pin is reported as such.
func TestPinsClaimTheirProductsFirst(t *testing.T) {
	m := trainTestModel(t)
	// shoe and knife are the two best sellers.
	pop := Compose(m, []SlotSpec{{ID: "pop", Kind: KindPopular, Size: 3}}, Shopper{User: "v:x", Personalize: true}, noExplore(), nil)
	best := ids(pop[0].Items)
	if len(best) < 2 {
		t.Fatalf("best sellers %v", best)
	}
	page := []SlotSpec{
		{ID: "pop", Kind: KindPopular, Size: 3, Locked: true},
		{ID: "picks", Kind: KindCollection, Pins: []string{best[0], best[1], "lamp"}, Size: 3},
		{ID: "more", Kind: KindCollection, Pins: []string{best[1], "mug"}, Size: 3},
	}
	out := Compose(m, page, Shopper{User: "v:x", Personalize: true}, noExplore(), nil)
	rows := map[string]ComposedSlot{}
	for _, cs := range out {
		rows[cs.Spec.ID] = cs
	}
	if got := slotIDs(out); !slices.Equal(got, []string{"pop", "picks", "more"}) {
		t.Fatalf("page order %v", got)
	}
	if got := ids(rows["picks"].Items); !slices.Equal(got, best[:2]) {
		t.Fatalf("editor's picks show %v, want their pins %v", got, best[:2])
	}
	for _, it := range rows["pop"].Items {
		if it.ItemID == best[0] || it.ItemID == best[1] {
			t.Fatalf("the best sellers row above took the pinned %s: %v", it.ItemID, ids(rows["pop"].Items))
		}
	}
	if got := rows["picks"].Lost; len(got) != 1 || got[0].ItemID != "lamp" || got[0].Why != LostUnavailable {
		t.Fatalf("picks lost %+v, want the out-of-stock lamp", got)
	}
	if got := rows["more"].Lost; len(got) != 1 || got[0].ItemID != best[1] || got[0].Why != LostToSlot || got[0].Slot != "picks" {
		t.Fatalf("the second collection lost %+v, want %s to picks", got, best[1])
	}
	if got := ids(rows["more"].Items); !slices.Equal(got, []string{"mug"}) {
		t.Fatalf("the second collection shows %v, want mug", got)
	}
}
