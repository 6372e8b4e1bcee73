package shop

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"storefront/models"
	"storefront/recommender"
)

// addProducts files n products under one category, as an import does.
func addProducts(t *testing.T, db *models.DB, n int) {
	t.Helper()
	c := models.Category{Slug: "tea", Name: "Tea"}
	if err := db.W.Create(&c).Error; err != nil {
		t.Fatal(err)
	}
	for i := range n {
		p := models.Product{ExternalID: fmt.Sprintf("TEA-%d", i), Slug: fmt.Sprintf("tea-%d", i), Title: fmt.Sprintf("Tea %d", i),
			CategoryID: c.ID, PriceCents: 900, Stock: 10, Active: true}
		if err := db.W.Create(&p).Error; err != nil {
			t.Fatal(err)
		}
	}
}

// waitForModel waits until s serves a model that knows products.
func waitForModel(t *testing.T, s *Shop) {
	t.Helper()
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if m := s.Model(); m != nil && m.NumItems() > 0 {
			return
		}
	}
	m := s.Model()
	t.Fatalf("the shop has products and still serves no model that knows them (model %v)", m != nil)
}

// A shop served before its first import (`serve` to get the setup link,
// then the import) stored a model of the empty shop at start-up; after the
// import that model still counted as the shop's, so nothing trained until
// --train-every's next tick, and the homepage showed the hero and no row.
func TestAShopServedBeforeItsImportTrainsOnceItHasProducts(t *testing.T) {
	ctx := context.Background()
	discard := slog.New(slog.NewTextHandler(io.Discard, nil))
	open := func(t *testing.T) *models.DB {
		db, err := models.Open(filepath.Join(t.TempDir(), "shop.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}

	t.Run("nothing is stored for an empty shop", func(t *testing.T) {
		db := open(t)
		if _, err := TrainAndStore(ctx, db, recommender.DefaultConfig(), nil); !errors.Is(err, ErrNoProducts) {
			t.Fatalf("training an empty shop: %v, want ErrNoProducts", err)
		}
		if _, err := db.LatestModelArtifactID(ctx); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("a model was stored for a shop without products (%v)", err)
		}
	})

	t.Run("served empty, then imported", func(t *testing.T) {
		db := open(t)
		s, err := New(ctx, db, Options{Logger: discard, TrainEvery: time.Hour, Poll: 50 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		s.Start()
		t.Cleanup(s.Close)
		addProducts(t, db, 12)
		s.CatalogChanged() // as the admin's import does; the poll finds a command line's
		waitForModel(t, s)
	})

	t.Run("a model stored before the shop had products", func(t *testing.T) {
		db := open(t)
		empty, err := recommender.Train(ctx, recommender.Dataset{Now: time.Now()}, recommender.DefaultConfig(), nil)
		if err != nil {
			t.Fatal(err)
		}
		blob, err := empty.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		if err := db.SaveModelArtifact(ctx, &models.ModelArtifact{Blob: blob, TrainedAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
		addProducts(t, db, 12)
		s, err := New(ctx, db, Options{Logger: discard, TrainEvery: time.Hour, Poll: time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		s.Start()
		t.Cleanup(s.Close)
		waitForModel(t, s)
	})
}
