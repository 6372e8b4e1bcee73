package models

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"
)

// A NUL character or bytes that are not UTF-8 in an event's text failed
// the whole PostgreSQL statement: one visitor's search for "x\x00" lost
// every page view written in the same batch. Such an event is refused
// before it can share a batch, on every database alike.
func TestEventsWithTextTheDatabaseRefusesAreNeverStored(t *testing.T) {
	db := mustOpen(t)
	ctx := context.Background()
	now := time.Now().UTC()
	good := Event{UserKey: "u1", Type: EventSearch, Query: "tent", CreatedAt: now}
	bad := []Event{
		{UserKey: "attacker", Type: EventSearch, Query: "x\x00", CreatedAt: now},
		{UserKey: "attacker", Type: EventSearch, Query: "tent\xff\xfe", CreatedAt: now},
		{UserKey: "attacker", Type: EventClick, Slot: "s1\x00", CreatedAt: now},
		{UserKey: "attacker\x00", Type: EventSearch, Query: "tent", CreatedAt: now},
	}
	for _, b := range bad {
		if err := db.InsertEvents(ctx, []Event{good, b}); !errors.Is(err, ErrInvalid) {
			t.Errorf("InsertEvents with %q/%q/%q: err = %v, want ErrInvalid", b.UserKey, b.Slot, b.Query, err)
		}
	}
	w := NewEventWriter(db, 100, 1000, 10*time.Millisecond, slog.New(slog.NewTextHandler(io.Discard, nil)))
	defer w.Close(ctx)
	for _, b := range bad {
		if err := w.Track(b); !errors.Is(err, ErrInvalid) {
			t.Errorf("Track queued %q/%q/%q: err = %v", b.UserKey, b.Slot, b.Query, err)
		}
		if err := w.Write(ctx, []Event{good, b}); !errors.Is(err, ErrInvalid) {
			t.Errorf("Write with %q/%q/%q: err = %v, want ErrInvalid", b.UserKey, b.Slot, b.Query, err)
		}
	}
	if err := w.Track(good); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if n, _ := db.CountUserEvents(ctx, "attacker"); n != 0 {
		t.Errorf("%d events with a NUL or bad UTF-8 stored", n)
	}
	if n, _ := db.CountUserEvents(ctx, "u1"); n != 1 {
		t.Errorf("good event: %d stored, want 1 (a bad one must not fail the batch it shares)", n)
	}
}

func TestTextProblem(t *testing.T) {
	for s, bad := range map[string]bool{"": false, "tent": false, "Zelt für 2 ⛺": false, "a\x00b": true, "\xff": true, "\xc3\x28": true} {
		if got := TextProblem(s) != ""; got != bad {
			t.Errorf("TextProblem(%q) = %q, want a problem: %v", s, TextProblem(s), bad)
		}
	}
}
