package models

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"
)

func TestEventWriterFlushWritesEverythingQueuedBefore(t *testing.T) {
	db := mustOpen(t)
	ctx := context.Background()
	// A long linger keeps tracked events in the writer's hands.
	w := NewEventWriter(db, 100, 1000, time.Hour, slog.New(slog.NewTextHandler(io.Discard, nil)))
	defer w.Close(ctx)
	for range 25 {
		if err := w.Track(Event{UserKey: "u1", Type: EventSearch, Query: "tent"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	n, err := db.CountUserEvents(ctx, "u1")
	if err != nil {
		t.Fatal(err)
	}
	if n != 25 {
		t.Fatalf("%d events stored after Flush, want 25", n)
	}
	// Flushing with nothing queued returns at once.
	done := make(chan error, 1)
	go func() { done <- w.Flush(ctx) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Flush of an empty queue did not return")
	}
}
