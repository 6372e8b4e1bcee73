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

// TestAViewIsInItsViewersHistoryWhileItsBatchGathers: a page view handed to
// the writer without waiting is in the viewer's history the moment a page
// reads it, though the batch holding it would gather for an hour; another
// viewer's view stays with the writer until its batch is committed.
func TestAViewIsInItsViewersHistoryWhileItsBatchGathers(t *testing.T) {
	db := mustOpen(t)
	ctx := context.Background()
	cat := Category{Slug: "tents", Name: "Tents"}
	if err := db.W.Create(&cat).Error; err != nil {
		t.Fatal(err)
	}
	tent := Product{ExternalID: "T1", Slug: "tent", Title: "Tent", CategoryID: cat.ID, PriceCents: 9900, Stock: 5, Active: true}
	mat := Product{ExternalID: "M1", Slug: "mat", Title: "Mat", CategoryID: cat.ID, PriceCents: 1900, Stock: 5, Active: true}
	for _, p := range []*Product{&tent, &mat} {
		if err := db.W.Create(p).Error; err != nil {
			t.Fatal(err)
		}
	}
	w := NewEventWriter(db, 100, 1000, time.Hour, slog.New(slog.NewTextHandler(io.Discard, nil)))
	defer w.Close(ctx)
	for _, e := range []Event{
		{UserKey: "v:reader", ProductID: &tent.ID, Type: EventView},
		{UserKey: "v:reader", ProductID: &mat.ID, Type: EventPurchase},
		{UserKey: "v:other", ProductID: &mat.ID, Type: EventView},
	} {
		if err := w.Track(e); err != nil {
			t.Fatal(err)
		}
	}
	hist, err := db.UserInteractions(ctx, "v:reader", time.Time{}, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != 2 || hist[0].ItemID != "T1" || hist[0].Type != EventView || hist[1].ItemID != "M1" {
		t.Fatalf("history read right after the view and purchase: %+v, want the tent's view then the mat's purchase", hist)
	}
	items, bought, err := db.UserItemsBought(ctx, "v:reader")
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 2 || len(bought) != 1 || bought[0] != "M1" {
		t.Fatalf("items %v, bought %v right after the purchase: want both products, the mat bought", items, bought)
	}
	entries, err := db.ShopperHistory(ctx, "v:reader", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 {
		t.Fatalf("%d entries in the history page's list, want 2", len(entries))
	}
	// Both viewers' events were queued before the read, so the read's
	// commit took the other viewer's too; a view queued after it waits
	// for its batch.
	if err := w.Track(Event{UserKey: "v:other", ProductID: &tent.ID, Type: EventView}); err != nil {
		t.Fatal(err)
	}
	if n, err := db.CountUserEvents(ctx, "v:other"); err != nil || n != 1 {
		t.Fatalf("%d events of the other viewer stored (%v), want the one committed with the reader's", n, err)
	}
	if err := w.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if n, err := db.CountUserEvents(ctx, "v:other"); err != nil || n != 2 {
		t.Fatalf("%d events of the other viewer after Close (%v), want 2", n, err)
	}
}
