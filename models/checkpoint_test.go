package models

import (
	"context"
	"sync"
	"testing"
	"time"
)

// The background checkpoints run on reader connections; a reader must
// still see every commit made after one ran.
func TestReadsSeeWritesAcrossBackgroundCheckpoints(t *testing.T) {
	db := mustOpen(t)
	ctx := context.Background()
	write := func() {
		t.Helper()
		if err := db.InsertEvents(ctx, []Event{{UserKey: "u1", Type: EventSearch, Query: "tent", CreatedAt: time.Now()}}); err != nil {
			t.Fatal(err)
		}
	}
	for i := 1; i <= 2; i++ {
		write()
		time.Sleep(checkpointEvery + 300*time.Millisecond) // a checkpoint ran
		write()
		// Every reader connection at once.
		var wg sync.WaitGroup
		counts := make([]int64, 8)
		for k := range counts {
			wg.Go(func() {
				tx := db.R.WithContext(ctx).Begin()
				defer tx.Rollback()
				tx.Model(&Event{}).Count(&counts[k])
				time.Sleep(50 * time.Millisecond) // hold the connection
			})
		}
		wg.Wait()
		for _, n := range counts {
			if n != int64(2*i) {
				t.Fatalf("after %d writes, a checkpoint between the last two, readers count %v events", 2*i, counts)
			}
		}
	}
	if db.Postgres() {
		return // PostgreSQL has no WAL pragmas; its readers were checked above
	}
	var size int64
	if err := db.R.Raw("PRAGMA wal_autocheckpoint").Scan(&size).Error; err != nil || size != 1000 {
		t.Fatalf("a reader's own checkpoint threshold is %d (%v), want SQLite's 1000", size, err)
	}
	if err := db.W.Raw("PRAGMA wal_autocheckpoint").Scan(&size).Error; err != nil || size != walCheckpointPages {
		t.Fatalf("the writer checkpoints past %d pages (%v), want %d", size, err, walCheckpointPages)
	}
}
