package models

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// BenchmarkInsertEvents writes batches the size the event writer and the
// event API produce and reports events/s: into a WAL SQLite file, or with
// STOREFRONT_TEST_DB into a new PostgreSQL database, there both with
// multi-row INSERTs and with COPY.
func BenchmarkInsertEvents(b *testing.B) {
	target, drop, err := ScratchTarget(b.TempDir(), "events.db")
	if err != nil {
		b.Fatal(err)
	}
	db, err := Open(target)
	if err != nil {
		b.Fatal(err)
	}
	defer func() {
		db.Close()
		drop()
	}()
	p := Product{ExternalID: "SKU-1", Slug: "tent", Title: "Tent", CategoryID: 1, Active: true, Stock: 1}
	if err := db.W.Create(&Category{Slug: "c", Name: "C"}).Error; err != nil {
		b.Fatal(err)
	}
	if err := db.W.Create(&p).Error; err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	paths := map[string]func(context.Context, []Event) error{"insert": db.insertEvents}
	if db.Postgres() {
		paths["copy"] = db.copyEvents
	}
	for _, size := range []int{16, 50, 64, 500, 2000} {
		for _, name := range []string{"insert", "copy"} {
			write, ok := paths[name]
			if !ok {
				continue
			}
			b.Run(fmt.Sprintf("%s_%d", name, size), func(b *testing.B) {
				batch := make([]Event, size)
				for i := range batch {
					batch[i] = Event{UserKey: fmt.Sprintf("u%05d", i%997), ProductID: &p.ID, Type: EventImpression,
						Slot: "s2", Position: i%8 + 1, CreatedAt: time.Now()}
				}
				start := time.Now()
				n := 0
				for b.Loop() {
					if err := write(ctx, batch); err != nil {
						b.Fatal(err)
					}
					n += size
				}
				b.ReportMetric(float64(n)/time.Since(start).Seconds(), "events/s")
			})
		}
	}
}
