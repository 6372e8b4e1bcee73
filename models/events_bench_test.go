package models

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkInsertEvents writes batches the size the event writer and the
// event API produce into a WAL SQLite file and reports events/s.
func BenchmarkInsertEvents(b *testing.B) {
	for _, size := range []int{50, 500, 2000} {
		b.Run(fmt.Sprintf("batch_%d", size), func(b *testing.B) {
			db, err := Open(filepath.Join(b.TempDir(), "events.db"))
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			p := Product{ExternalID: "SKU-1", Slug: "tent", Title: "Tent", CategoryID: 1, Active: true, Stock: 1}
			if err := db.W.Create(&Category{Slug: "c", Name: "C"}).Error; err != nil {
				b.Fatal(err)
			}
			if err := db.W.Create(&p).Error; err != nil {
				b.Fatal(err)
			}
			batch := make([]Event, size)
			for i := range batch {
				batch[i] = Event{UserKey: fmt.Sprintf("u%05d", i%997), ProductID: &p.ID, Type: EventImpression,
					Slot: "s2", Position: i%8 + 1, CreatedAt: time.Now()}
			}
			ctx := context.Background()
			start := time.Now()
			n := 0
			for b.Loop() {
				if err := db.InsertEvents(ctx, batch); err != nil {
					b.Fatal(err)
				}
				n += size
			}
			b.ReportMetric(float64(n)/time.Since(start).Seconds(), "events/s")
		})
	}
}
