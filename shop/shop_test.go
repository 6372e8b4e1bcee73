package shop

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"storefront/models"
)

// Close returns only when every goroutine the shop started has ended: the
// engagement refresh a page view starts included.
func TestCloseWaitsForBackgroundWork(t *testing.T) {
	ctx := context.Background()
	db, err := models.Open(filepath.Join(t.TempDir(), "shop.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s, err := New(ctx, db, Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	s.Start()
	s.refreshEngagement(ctx)
	s.CatalogChanged()
	closed := make(chan struct{})
	start := time.Now()
	go func() {
		s.Close()
		close(closed)
	}()
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not return")
	}
	s.layout.mu.Lock()
	running := s.layout.engRefreshes
	s.layout.mu.Unlock()
	if running {
		t.Error("Close returned while the engagement refresh was still running")
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Close took %s: a loop did not watch stop", d)
	}
	s.refreshEngagement(ctx) // after Close: starts nothing
	s.layout.mu.Lock()
	running = s.layout.engRefreshes
	s.layout.mu.Unlock()
	if running {
		t.Error("a closed shop started an engagement refresh")
	}
}
