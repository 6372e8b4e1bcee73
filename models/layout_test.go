package models

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

func TestValidateSlotUsesTheRecommendersVocabulary(t *testing.T) {
	tests := []struct {
		name  string
		slot  Slot
		field string // "" = valid
	}{
		{"recommended with item_knn", Slot{Type: SlotRecommended, Strategy: "item_knn"}, ""},
		{"recommended with the old itemknn", Slot{Type: SlotRecommended, Strategy: "itemknn"}, "strategy"},
		{"new arrivals with newest", Slot{Type: SlotNewArrivals, Strategy: "newest"}, "strategy"},
		{"new arrivals by default", Slot{Type: SlotNewArrivals}, ""},
		{"trending cannot be hybrid", Slot{Type: SlotTrending, Strategy: "hybrid"}, "strategy"},
		{"collection takes no strategy", Slot{Type: SlotCollection, Strategy: "pinned"}, "strategy"},
		{"unknown type", Slot{Type: "banner"}, "type"},
		{"affinity audience", Slot{Type: SlotPopular, Audience: "affinity:kitchen"}, ""},
		{"unknown audience", Slot{Type: SlotPopular, Audience: "vip"}, "audience"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateSlot(&tt.slot)
			var ve *ValidationError
			switch {
			case tt.field == "" && err != nil:
				t.Fatalf("rejected: %v", err)
			case tt.field != "" && (!errors.As(err, &ve) || ve.Fields[tt.field] == ""):
				t.Fatalf("error %v, want one on %s", err, tt.field)
			}
		})
	}
	err := ValidateSlot(&Slot{Type: SlotRecommended, Strategy: "itemknn"})
	var ve *ValidationError
	if !errors.As(err, &ve) || !strings.Contains(ve.Fields["strategy"], "item_knn") {
		t.Fatalf("the strategy error %v does not list the accepted names", err)
	}
}

// TestOldStrategyNamesAreRewrittenOnOpen: slots stored with names the
// recommender never understood serve what they meant after an upgrade,
// in the draft and in published versions.
func TestOldStrategyNamesAreRewrittenOnOpen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := Open(path)
	must(t, err)
	page, err := db.PageByKey(ctx, HomePage)
	must(t, err)
	old := []Slot{
		{PageID: page.ID, Position: 1, Type: SlotRecommended, Strategy: "itemknn", Enabled: true},
		{PageID: page.ID, Position: 2, Type: SlotNewArrivals, Strategy: "newest", Enabled: true},
		{PageID: page.ID, Position: 3, Type: SlotCollection, Strategy: "pinned", Pins: "a", Enabled: true},
		{PageID: page.ID, Position: 4, Type: SlotRecommended, Strategy: "newest", Enabled: true},
	}
	must(t, db.W.Create(&old).Error)
	_, err = db.PublishDraft(ctx, HomePage, "test")
	must(t, err)
	must(t, db.Close())

	db, err = Open(path)
	must(t, err)
	defer db.Close()
	want := []string{"item_knn", "new", "", "new"}
	draft, _, err := db.DraftSlots(ctx, HomePage)
	must(t, err)
	published, _, err := db.PublishedLayout(ctx, HomePage)
	must(t, err)
	for name, slots := range map[string][]Slot{"draft": draft, "published": published} {
		for i, sl := range slots {
			if sl.Strategy != want[i] {
				t.Errorf("%s slot %d (%s) has strategy %q, want %q", name, i, sl.Type, sl.Strategy, want[i])
			}
		}
	}
}
