package models

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"
)

// The training's bulk read hands over the same product events as
// Interactions (no searches, no events without a product), with the same
// times to the nanosecond, whatever order they were inserted in.
func TestScanInteractionsMatchesInteractions(t *testing.T) {
	db := mustOpen(t)
	ctx := context.Background()
	if err := db.W.Create(&Category{Slug: "c", Name: "C"}).Error; err != nil {
		t.Fatal(err)
	}
	var ps []Product
	for i := range 3 {
		p := Product{ExternalID: fmt.Sprintf("SKU-%d", i), Slug: fmt.Sprintf("p%d", i), Title: "P", CategoryID: 1, Active: true, Stock: 1}
		if err := db.W.Create(&p).Error; err != nil {
			t.Fatal(err)
		}
		ps = append(ps, p)
	}
	base := time.Date(2026, 11, 30, 9, 15, 0, 0, time.UTC)
	types := []string{EventView, EventClick, EventAddToCart, EventPurchase, EventSearch}
	var batch []Event
	for i := range 40 {
		// Later events first, some sharing a time, some with fractions
		// of a second and some in another zone.
		at := base.Add(-time.Duration(i/2) * time.Minute).Add(time.Duration(i%3) * 123456789 * time.Nanosecond)
		if i%5 == 0 {
			at = at.In(time.FixedZone("X", 2*3600))
		}
		e := Event{UserKey: fmt.Sprintf("u%d", i%4), Type: types[i%len(types)], Value: float64(i), CreatedAt: at}
		if i%7 != 3 {
			e.ProductID = &ps[i%3].ID
		}
		batch = append(batch, e)
	}
	if err := db.InsertEvents(ctx, batch); err != nil {
		t.Fatal(err)
	}
	want, err := db.Interactions(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	ext := map[int64]string{}
	for _, p := range ps {
		ext[int64(p.ID)] = p.ExternalID
	}
	type row struct {
		id   int64
		user string
		item string
		typ  string
		val  float64
		at   time.Time
	}
	var got []row
	err = db.ScanInteractions(ctx, func(r *InteractionRow) error {
		got = append(got, row{r.ID, string(r.UserKey), ext[r.ProductID], string(r.Type), r.Value, r.CreatedAt})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.SortStableFunc(got, func(a, b row) int {
		if c := a.at.Compare(b.at); c != 0 {
			return c
		}
		return int(a.id - b.id)
	})
	if len(got) != len(want) || len(want) == 0 {
		t.Fatalf("scanned %d events, Interactions returned %d", len(got), len(want))
	}
	for i, w := range want {
		g := got[i]
		if g.user != w.UserKey || g.item != w.ItemID || g.typ != w.Type || g.val != w.Value || !g.at.Equal(w.CreatedAt) {
			t.Fatalf("event %d scanned as %+v, Interactions has %+v", i, g, w)
		}
	}
}

// A training stopped by a shutdown stops its bulk read: cancelling the
// context ends the scan with the context's error, within a few thousand
// rows, whether it is cancelled before or during the read.
func TestScanInteractionsStopsWhenCancelled(t *testing.T) {
	db := mustOpen(t)
	ctx := context.Background()
	if err := db.W.Create(&Category{Slug: "c", Name: "C"}).Error; err != nil {
		t.Fatal(err)
	}
	p := Product{ExternalID: "SKU-1", Slug: "p", Title: "P", CategoryID: 1, Active: true, Stock: 1}
	if err := db.W.Create(&p).Error; err != nil {
		t.Fatal(err)
	}
	const total = 20000
	batch := make([]Event, 0, total)
	at := time.Date(2026, 11, 30, 9, 15, 0, 0, time.UTC)
	for i := range total {
		batch = append(batch, Event{UserKey: fmt.Sprintf("u%d", i%97), Type: EventView, ProductID: &p.ID, CreatedAt: at.Add(time.Duration(i) * time.Second)})
	}
	if err := db.InsertEvents(ctx, batch); err != nil {
		t.Fatal(err)
	}

	stopped, cancel := context.WithCancel(ctx)
	cancel()
	calls := 0
	err := db.ScanInteractions(stopped, func(*InteractionRow) error { calls++; return nil })
	if !errors.Is(err, context.Canceled) || calls != 0 {
		t.Fatalf("cancelled before the read: %d rows handed over, error %v; want none and context.Canceled", calls, err)
	}

	running, cancel := context.WithCancel(ctx)
	defer cancel()
	calls = 0
	err = db.ScanInteractions(running, func(*InteractionRow) error {
		calls++
		if calls == 100 {
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) || calls >= total {
		t.Fatalf("cancelled after 100 rows: %d of %d rows handed over, error %v; want the read stopped with context.Canceled", calls, total, err)
	}

	calls = 0
	if err := db.ScanInteractions(ctx, func(*InteractionRow) error { calls++; return nil }); err != nil || calls != total {
		t.Fatalf("uncancelled read: %d rows, error %v; want %d", calls, err, total)
	}
}

// The hand parser reads what gorm writes and agrees with the layouts;
// anything else goes to the layouts, and nonsense is an error.
func TestParseEventStamp(t *testing.T) {
	for _, s := range []string{
		"2026-09-03 20:21:26+00:00",
		"2026-09-03 20:21:26.5+00:00",
		"2026-09-03 20:21:26.123456789+02:00",
		"2026-09-03T20:21:26-05:30",
		"2026-09-03 20:21:26",
		"2026-09-03 20:21:26Z",
		"2026-09-03 20:21",
		"2026-09-03",
		"2024-02-29 00:00:00+00:00",
	} {
		got, err := parseEventStamp([]byte(s))
		if err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		want, err := parseStoredTime(s)
		if err != nil {
			t.Fatalf("%q by the layouts: %v", s, err)
		}
		if !got.Equal(want) {
			t.Errorf("%q read as %s, the layouts read %s", s, got, want)
		}
	}
	for _, s := range []string{"", "yesterday", "2026-02-30 10:00:00+00:00", "2026-09-03 25:00:00+00:00", "2026-09-03 20:21:26.+00:00"} {
		if got, err := parseEventStamp([]byte(s)); err == nil {
			t.Errorf("%q read as %s, want an error", s, got)
		}
	}
}
