package models

import (
	"context"
	"testing"
	"time"
)

// TrackImpressionsWithin asks its budget for the rows the events add (not
// those summed into a row held for their minute) and keeps none of the
// events when it is refused.
func TestImpressionsAskTheBudgetForTheRowsTheyAdd(t *testing.T) {
	db := mustOpen(t)
	ctx := context.Background()
	w := newTestWriter(t, db)
	at := time.Now().UTC().Truncate(ImpressionBucket).Add(-3 * ImpressionBucket)
	view := func(user, slot string, sec int) Event {
		return Event{UserKey: user, Type: EventImpression, Slot: slot, Value: 8, CreatedAt: at.Add(time.Duration(sec) * time.Second)}
	}
	var asked []int
	budget := func(left int) func(int) bool {
		return func(rows int) bool {
			asked = append(asked, rows)
			return rows <= left
		}
	}
	track := func(allow func(int) bool, evs ...Event) bool {
		t.Helper()
		kept, err := w.TrackImpressionsWithin(allow, evs...)
		must(t, err)
		return kept
	}
	// Two rows, one of them twice in the events: two asked.
	if !track(budget(2), view("u1", "s1", 1), view("u1", "s2", 1), view("u1", "s1", 2)) {
		t.Fatal("two new rows within a budget of two: refused")
	}
	// The same rows again within their minute: nothing asked, kept.
	if !track(budget(0), view("u1", "s1", 10), view("u1", "s2", 10)) {
		t.Fatal("rows already held: refused")
	}
	// One held and one new row over the budget: none kept.
	if track(budget(0), view("u1", "s1", 20), view("u1", "s3", 20)) {
		t.Fatal("a new row over the budget: kept")
	}
	if want := []int{2, 1}; len(asked) != len(want) || asked[0] != want[0] || asked[1] != want[1] {
		t.Fatalf("the budget was asked for %v rows, want %v", asked, want)
	}
	must(t, w.Flush(ctx))
	var rows []Event
	must(t, db.R.Where("type = ?", EventImpression).Order("slot").Find(&rows).Error)
	if len(rows) != 2 || rows[0].Slot != "s1" || rows[0].Value != 24 || rows[1].Slot != "s2" || rows[1].Value != 16 {
		t.Fatalf("stored %+v, want s1 with 24 cards and s2 with 16 (the refused view counted nowhere)", rows)
	}
}
