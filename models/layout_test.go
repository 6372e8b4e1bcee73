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
		{"unknown type", Slot{Type: "carousel"}, "type"},
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

// TestLayoutAuditSaysWhatChanged: every layout action writes an audit entry
// naming itself and what it changed: an edit lists old → new values, a
// reorder the old and new order, a disable is a disable, and a rollback is
// a rollback, not another publish.
func TestLayoutAuditSaysWhatChanged(t *testing.T) {
	db := mustOpen(t)
	ctx := context.Background()
	a := &Slot{Type: SlotTrending, Title: "Trending", Size: 8, Enabled: true}
	b := &Slot{Type: SlotPopular, Title: "Best sellers", Size: 8, Enabled: true}
	must(t, db.SaveSlot(ctx, HomePage, 0, "merch", a))
	must(t, db.SaveSlot(ctx, HomePage, 0, "merch", b))
	v1, err := db.PublishDraft(ctx, HomePage, "merch")
	must(t, err)
	a.Title, a.Size = "Hot now", 5
	must(t, db.SaveSlot(ctx, HomePage, 0, "merch", a))
	must(t, db.ReorderSlots(ctx, HomePage, 0, "merch", []uint{b.ID, a.ID}))
	_, err = db.SetSlotFlag(ctx, HomePage, 0, "merch", b.ID, "enabled", false)
	must(t, err)
	_, err = db.PublishDraft(ctx, HomePage, "merch")
	must(t, err)
	_, err = db.Rollback(ctx, HomePage, v1.ID, "merch")
	must(t, err)

	var log []AuditLog
	must(t, db.R.Order("id").Find(&log).Error)
	want := []struct{ action, target, detail string }{
		{"slot.create", "“Trending”", ""},
		{"slot.create", "“Best sellers”", ""},
		{"layout.publish", "home v1", "First version"},
		{"slot.update", "“Hot now”", "size 8 → 5; title “Trending” → “Hot now”"},
		{"slot.reorder", "", "“Hot now”, “Best sellers” → “Best sellers”, “Hot now”"},
		{"slot.disable", "“Best sellers”", ""},
		{"layout.publish", "home v2", "Edited"},
		{"layout.rollback", "home v3", "Rollback to version 1."},
	}
	if len(log) != len(want) {
		t.Fatalf("audit log has %d entries, want %d: %+v", len(log), len(want), log)
	}
	for i, w := range want {
		e := log[i]
		if e.Action != w.action || e.Target != w.target || !strings.Contains(e.Detail, w.detail) {
			t.Errorf("entry %d = %s %q %q, want %s %q containing %q", i, e.Action, e.Target, e.Detail, w.action, w.target, w.detail)
		}
	}
}

// A version's summary counts one slot as one: a merchant who added a row
// and moved it up one place read "Added “Single origins”; reordered 1
// slots" in the publish page, the versions and the audit log.
func TestDiffSummaryCountsOneSlotAsOne(t *testing.T) {
	a := Slot{ID: 1, Type: SlotPopular, Title: "Best sellers"}
	b := Slot{ID: 2, Type: SlotTrending, Title: "Trending now"}
	c := Slot{ID: 3, Type: SlotCategory, Title: "Single origins"}
	if got, want := DiffSummary([]Slot{a, b}, []Slot{a, c, b}), "Added “Single origins”; reordered 1 slot."; got != want {
		t.Errorf("summary %q, want %q", got, want)
	}
	if got, want := DiffSummary(nil, []Slot{a}), "First version with 1 slot."; got != want {
		t.Errorf("summary %q, want %q", got, want)
	}
	if got, want := DiffSummary([]Slot{a, b}, []Slot{b, a}), "Reordered 2 slots."; got != want {
		t.Errorf("summary %q, want %q", got, want)
	}
}
