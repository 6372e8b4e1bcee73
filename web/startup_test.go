package web

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"storefront/models"
)

// TestARestartedShopBuildsTheModelsTablesInTheBackground: a shop started on
// a database with a stored model serves that model as soon as New returns,
// and the rest of its start-up (the search index, the product pages'
// related rows, the shopper's-words tables) is done in the background by
// the time Started is closed.
func TestARestartedShopBuildsTheModelsTablesInTheBackground(t *testing.T) {
	shop := mustOpenShop(t)
	trainShopModel(t, shop.db)
	srv, err := New(context.Background(), Config{Addr: "127.0.0.1:0", Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, shop.db)
	must(t, err)
	defer srv.Close(context.Background())
	m := srv.shop.Model()
	if m == nil {
		t.Fatal("New returned before the stored model was loaded")
	}
	select {
	case <-srv.shop.Started():
	case <-time.After(30 * time.Second):
		t.Fatal("the start-up's background work did not finish")
	}
	if !m.Prepared() {
		t.Error("Started closed before the model's related rows and words tables were built")
	}
	var active int64
	must(t, shop.db.R.Model(&models.Product{}).Where("active = ?", true).Count(&active).Error)
	if n := srv.shop.Search().Len(); n != int(active) || n == 0 {
		t.Errorf("search index holds %d documents after start-up, want the %d active products", n, active)
	}
}
