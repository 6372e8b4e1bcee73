package models

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"testing"
	"time"
)

func newTestWriter(tb testing.TB, db *DB) *EventWriter {
	tb.Helper()
	w := NewEventWriter(db, 100, 1000, 5*time.Millisecond, slog.New(slog.NewTextHandler(io.Discard, nil)))
	tb.Cleanup(func() { w.Close(context.Background()) })
	return w
}

// Impressions are summed per viewer, slot and position within a minute:
// fewer rows, the same figures for every reader (analytics, slot
// engagement, per-user counts).
func TestImpressionsSummedPerViewerSlotAndMinute(t *testing.T) {
	db := mustOpen(t)
	ctx := context.Background()
	w := newTestWriter(t, db)
	at := time.Now().UTC().Truncate(ImpressionBucket).Add(-3 * ImpressionBucket)
	view := func(user, slot string, pos int, cards float64, sec int) Event {
		return Event{UserKey: user, Type: EventImpression, Slot: slot, Position: pos, Value: cards, CreatedAt: at.Add(time.Duration(sec) * time.Second)}
	}
	// u1 sees s1 three times in one minute (8, 8, 6 cards), s2 once, and s1
	// again in the next minute; u2 sees s1 once; a per-card row counts one.
	must(t, w.TrackImpressions(view("u1", "s1", 1, 8, 5), view("u1", "s2", 2, 4, 5)))
	must(t, w.TrackImpressions(view("u1", "s1", 1, 8, 20)))
	must(t, w.TrackImpressions(view("u1", "s1", 1, 6, 50)))
	must(t, w.TrackImpressions(view("u1", "s1", 1, 8, 65)))
	must(t, w.TrackImpressions(view("u2", "s1", 1, 8, 30), view("u2", "s1", 3, 0, 31)))
	must(t, w.Flush(ctx))

	var rows []Event
	must(t, db.R.Where("type = ?", EventImpression).Order("user_key, slot, created_at, position").Find(&rows).Error)
	type row struct {
		user, slot string
		pos        int
		cards      float64
		at         time.Time
	}
	want := []row{
		{"u1", "s1", 1, 22, at.Add(5 * time.Second)},
		{"u1", "s1", 1, 8, at.Add(65 * time.Second)},
		{"u1", "s2", 2, 4, at.Add(5 * time.Second)},
		{"u2", "s1", 1, 8, at.Add(30 * time.Second)},
		{"u2", "s1", 3, 1, at.Add(31 * time.Second)},
	}
	if len(rows) != len(want) {
		t.Fatalf("%d impression rows, want %d: %+v", len(rows), len(want), rows)
	}
	for i, r := range rows {
		got := row{r.UserKey, r.Slot, r.Position, r.Value, r.CreatedAt.UTC()}
		if !got.at.Equal(want[i].at) || got.user != want[i].user || got.slot != want[i].slot || got.pos != want[i].pos || got.cards != want[i].cards {
			t.Errorf("row %d = %+v, want %+v", i, got, want[i])
		}
	}
	eng, err := db.SlotEngagement(ctx, at.Add(-time.Hour))
	must(t, err)
	if eng["s1"].Impressions != 39 || eng["s2"].Impressions != 4 {
		t.Fatalf("slot engagement %+v, want 39 cards shown in s1 and 4 in s2", eng)
	}
}

// A minute that is over is written without a Flush; the current one is
// held back.
func TestImpressionsOfFinishedMinutesAreTaken(t *testing.T) {
	db := mustOpen(t)
	w := newTestWriter(t, db)
	now := time.Now()
	old := Event{UserKey: "u1", Type: EventImpression, Slot: "s1", Value: 8, CreatedAt: now.Add(-2 * ImpressionBucket)}
	cur := Event{UserKey: "u1", Type: EventImpression, Slot: "s1", Value: 8, CreatedAt: now}
	must(t, w.TrackImpressions(old, cur))
	rows := w.takeImpressions(now, false)
	if len(rows) != 1 || !rows[0].CreatedAt.Equal(old.CreatedAt.UTC()) {
		t.Fatalf("took %+v, want only the finished minute's row", rows)
	}
	if rows = w.takeImpressions(now, true); len(rows) != 1 || !rows[0].CreatedAt.Equal(cur.CreatedAt.UTC()) {
		t.Fatalf("took %+v at the end, want the current minute's row", rows)
	}
}

// A busy minute's held-back impressions give their memory back once the
// minute is written: the server's heap after a burst of homepages (tens of
// thousands of viewers' rows) is not kept at the burst's size for the
// rest of its life, and the collector does not scan it at every cycle.
func TestABusyMinutesImpressionsGiveTheirMemoryBack(t *testing.T) {
	db := mustOpen(t)
	w := newTestWriter(t, db)
	now := time.Now()
	heap := func() uint64 {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc
	}
	before := heap()
	burst := make([]Event, 0, 100)
	for i := range 60_000 {
		burst = append(burst, Event{UserKey: fmt.Sprintf("v:%d", i), Type: EventImpression, Slot: "s1", Value: 8,
			CreatedAt: now.Add(-2 * ImpressionBucket)})
		if len(burst) == cap(burst) {
			must(t, w.TrackImpressions(burst...))
			burst = burst[:0]
		}
	}
	held := heap()
	if held < before+8<<20 {
		t.Fatalf("60,000 held rows took %d KiB of heap; the measure needs more than 8 MiB", (held-before)>>10)
	}
	must(t, w.TrackImpressions(Event{UserKey: "v:now", Type: EventImpression, Slot: "s1", Value: 8, CreatedAt: now}))
	rows := w.takeImpressions(now, false)
	if len(rows) != 60_000 {
		t.Fatalf("took %d rows, want the finished minute's 60,000", len(rows))
	}
	rows = nil
	after := heap()
	if kept := int64(after) - int64(before); kept > int64(held-before)/4 {
		t.Fatalf("after the minute was taken the writer still holds %d KiB of the %d KiB its rows took", kept>>10, (held-before)>>10)
	}
	if rows = w.takeImpressions(now, true); len(rows) != 1 || rows[0].UserKey != "v:now" {
		t.Fatalf("took %+v at the end, want the open minute's row", rows)
	}
}

// Closing the writer writes what it held back.
func TestCloseWritesHeldBackImpressions(t *testing.T) {
	db := mustOpen(t)
	ctx := context.Background()
	w := NewEventWriter(db, 100, 1000, 5*time.Millisecond, slog.New(slog.NewTextHandler(io.Discard, nil)))
	must(t, w.TrackImpressions(Event{UserKey: "u1", Type: EventImpression, Slot: "s1", Value: 8, CreatedAt: time.Now()}))
	must(t, w.Close(ctx))
	n, err := db.CountUserEvents(ctx, "u1")
	must(t, err)
	if n != 1 {
		t.Fatalf("%d rows after Close, want 1", n)
	}
	if err := w.TrackImpressions(Event{UserKey: "u1", Type: EventImpression, Slot: "s1", CreatedAt: time.Now()}); err != ErrWriterClosed {
		t.Fatalf("impression after Close: %v, want ErrWriterClosed", err)
	}
}
