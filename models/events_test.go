package models

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"
)

// A batch large enough for COPY on PostgreSQL (and multi-row INSERTs on
// SQLite) stores every field of every event: no product, a query, a value,
// a given time and a zero time taken as now.
func TestInsertEventsStoresEveryField(t *testing.T) {
	// Every column but the id is written, by both paths.
	if n := reflect.TypeFor[Event]().NumField() - 1; len(eventCopyColumns) != n {
		t.Fatalf("events are written with %d columns (%s), the entity has %d besides its id", len(eventCopyColumns), eventColumns, n)
	}
	db := mustOpen(t)
	ctx := context.Background()
	if err := db.W.Create(&Category{Slug: "c", Name: "C"}).Error; err != nil {
		t.Fatal(err)
	}
	p := Product{ExternalID: "SKU-1", Slug: "tent", Title: "Tent", CategoryID: 1, Active: true, Stock: 1}
	if err := db.W.Create(&p).Error; err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 30, 9, 15, 0, 0, time.UTC)
	before := time.Now().Add(-time.Second)
	// On SQLite: full groups of eventsPerInsert and single rows after them.
	batch := make([]Event, 3*copyMinEvents+eventsPerInsert/2+3)
	for i := range batch {
		e := Event{UserKey: fmt.Sprintf("copy-u%d", i), Type: EventView, Slot: "s1", Position: i % 8, Value: float64(i) / 4, Arm: fmt.Sprintf("arm%d", i%2), CreatedAt: at}
		switch i % 3 {
		case 0:
			e.ProductID = &p.ID
		case 1:
			e.Type, e.Query = EventSearch, fmt.Sprintf("tent 'n' \"tab\"\t%d", i)
		case 2:
			e.CreatedAt = time.Time{}
		}
		batch[i] = e
	}
	if err := db.InsertEvents(ctx, batch); err != nil {
		t.Fatal(err)
	}
	var got []Event
	if err := db.R.Where("user_key LIKE ?", "copy-u%").Order("id").Find(&got).Error; err != nil {
		t.Fatal(err)
	}
	if len(got) != len(batch) {
		t.Fatalf("stored %d of %d events", len(got), len(batch))
	}
	// Stored in any order across users (SQLite writes a batch ordered by
	// user key): each user key here is one event.
	byUser := make(map[string]Event, len(batch))
	for _, e := range batch {
		byUser[e.UserKey] = e
	}
	for i, g := range got {
		w := byUser[g.UserKey]
		if g.UserKey != w.UserKey || g.Type != w.Type || g.Slot != w.Slot || g.Position != w.Position || g.Query != w.Query || g.Value != w.Value || g.Arm != w.Arm {
			t.Fatalf("event %d stored as %+v, want %+v", i, g, w)
		}
		if (g.ProductID == nil) != (w.ProductID == nil) || (g.ProductID != nil && *g.ProductID != p.ID) {
			t.Fatalf("event %d product %v, want %v", i, g.ProductID, w.ProductID)
		}
		if w.CreatedAt.IsZero() {
			if g.CreatedAt.Before(before) || g.CreatedAt.After(time.Now().Add(time.Second)) {
				t.Fatalf("event %d without a time stored at %s, want now", i, g.CreatedAt)
			}
		} else if !g.CreatedAt.Equal(at) {
			t.Fatalf("event %d stored at %s, want %s", i, g.CreatedAt, at)
		}
	}
	// A batch with an event outside the accepted window stores nothing.
	bad := append([]Event(nil), batch...)
	bad[len(bad)-1].CreatedAt = time.Now().Add(48 * time.Hour)
	if err := db.InsertEvents(ctx, bad); err == nil {
		t.Fatal("a batch with an event two days ahead was stored")
	}
	var n int64
	db.R.Model(&Event{}).Where("user_key LIKE ?", "copy-u%").Count(&n)
	if n != int64(len(batch)) {
		t.Fatalf("%d events after the refused batch, want %d", n, len(batch))
	}
	if n, err := db.CountEventsOfUsers(ctx, "copy-u"); err != nil || n != int64(len(batch)) {
		t.Fatalf("CountEventsOfUsers(copy-u) = %d, %v; want %d", n, err, len(batch))
	}
	if n, err := db.CountEventsOfUsers(ctx, "copy_"); err != nil || n != 0 {
		t.Fatalf("CountEventsOfUsers(copy_) = %d, %v; want 0 (_ is no wildcard)", n, err)
	}
}

// Ordering a batch by user key (SQLite) keeps each user's events in the
// order they were given: with equal times, the id decides which came first.
func TestInsertEventsKeepsEachUsersOrder(t *testing.T) {
	db := mustOpen(t)
	ctx := context.Background()
	at := time.Now().UTC().Add(-time.Minute).Truncate(time.Second)
	var batch []Event
	// Groups of eventsPerInsert rows, then single rows.
	for i := range 2*4*eventsPerInsert + 2*4 + 3 {
		batch = append(batch, Event{UserKey: fmt.Sprintf("order-u%d", 3-i%4), Type: EventSearch, Query: fmt.Sprint(i), CreatedAt: at})
	}
	if err := db.InsertEvents(ctx, batch); err != nil {
		t.Fatal(err)
	}
	for u := range 4 {
		key := fmt.Sprintf("order-u%d", u)
		var got []string
		if err := db.R.Model(&Event{}).Where("user_key = ?", key).Order("created_at, id").Pluck("query", &got).Error; err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, e := range batch {
			if e.UserKey == key {
				want = append(want, e.Query)
			}
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s: events stored in the order %v, want %v", key, got, want)
		}
	}
}
