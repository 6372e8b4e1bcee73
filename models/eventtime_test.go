package models

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func TestCheckEventTime(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		at   time.Time
		want string // "" = accepted
	}{
		{now, ""},
		{now.Add(EventClockSkew), ""},
		{EarliestEventTime, ""},
		{now.Add(EventClockSkew + time.Second), "more than a day ahead of the shop's clock (2026-03-01T12:00:00Z)"},
		{time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC), "9999-12-31T23:59:59Z is more than a day ahead"},
		{EarliestEventTime.Add(-time.Second), "1969-12-31T23:59:59Z is before 1970-01-01"},
		{time.Date(1000, 1, 1, 0, 0, 0, 0, time.UTC), "is before 1970-01-01"},
		{time.Time{}, "0001-01-01T00:00:00Z is before 1970-01-01"},
	}
	for _, tt := range tests {
		err := CheckEventTime(tt.at, now)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s refused: %v", tt.at, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%s: err = %v, want one mentioning %q", tt.at, err, tt.want)
		}
	}
}

// Every way into the events table refuses a timestamp outside the window:
// the bulk insert (import, seed, checkout) and the event writer (tracking,
// the events API), whose batch shared with other callers must not fail.
func TestEventsOutsideTheTimeWindowAreNeverStored(t *testing.T) {
	db := mustOpen(t)
	ctx := context.Background()
	future := Event{UserKey: "attacker", Type: EventSearch, Query: "x", CreatedAt: time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)}
	ancient := Event{UserKey: "attacker", Type: EventSearch, Query: "x", CreatedAt: time.Date(1000, 1, 1, 0, 0, 0, 0, time.UTC)}
	good := Event{UserKey: "u1", Type: EventSearch, Query: "tent", CreatedAt: time.Now().UTC()}

	for _, bad := range []Event{future, ancient} {
		if err := db.InsertEvents(ctx, []Event{good, bad}); !errors.Is(err, ErrInvalid) {
			t.Errorf("InsertEvents with %s: err = %v, want ErrInvalid", bad.CreatedAt, err)
		}
	}
	w := NewEventWriter(db, 100, 1000, time.Hour, slog.New(slog.NewTextHandler(io.Discard, nil)))
	defer w.Close(ctx)
	if err := w.Track(future); err == nil {
		t.Error("Track queued a future-dated event")
	}
	if err := w.Write(ctx, []Event{good, future}); !errors.Is(err, ErrInvalid) {
		t.Errorf("Write with a future-dated event: err = %v, want ErrInvalid", err)
	}
	if err := w.Track(good); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if n, _ := db.CountUserEvents(ctx, "attacker"); n != 0 {
		t.Errorf("%d out-of-window events stored", n)
	}
	if n, _ := db.CountUserEvents(ctx, "u1"); n != 1 {
		t.Errorf("good event: %d stored, want 1 (a bad one must not fail the batch it shares)", n)
	}
}

func TestParseRFC3339TakesEveryFormTheRFCAllows(t *testing.T) {
	want := time.Date(2026, 3, 1, 12, 0, 5, 0, time.UTC)
	for _, s := range []string{
		"2026-03-01T12:00:05Z",
		"2026-03-01t12:00:05z", // section 5.6: T and Z may be lower case
		"2026-03-01 12:00:05Z", // and a space may separate date and time
		"2026-03-01 12:00:05z",
		"2026-03-01T17:30:05+05:30",
		"2026-03-01t04:00:05-08:00",
		"2026-03-01T12:00:04.999999999-00:00", // rounds nowhere: checked below
		"2026-03-01T12:00:04.9999999999Z",     // more than nanoseconds
	} {
		got, err := ParseRFC3339(s)
		if err != nil {
			t.Errorf("ParseRFC3339(%q): %v", s, err)
			continue
		}
		if d := got.Sub(want); d < -time.Microsecond || d > 0 {
			t.Errorf("ParseRFC3339(%q) = %v, want %v", s, got.UTC(), want)
		}
	}
	// A leap second is the next minute's first second.
	if got, err := ParseRFC3339("2016-12-31T23:59:60Z"); err != nil || !got.Equal(time.Date(2017, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("leap second = %v, %v; want 2017-01-01T00:00:00Z", got, err)
	}
	for _, s := range []string{"yesterday", "2026-03-01", "2026-03-01T12:00:05", "2026-03-01x12:00:05Z", "2026-03-01T12:00:61Z", "2026-03-01T12:60:05Z", "2026-03-01T12:00:05y"} {
		if _, err := ParseRFC3339(s); err == nil {
			t.Errorf("ParseRFC3339(%q) accepted", s)
		}
	}
}
