package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"storefront/models"
	"storefront/recommender"
	"storefront/shop"
)

// loadShop reads a storefront database's catalog and events as training
// reads them (-db).
func loadShop(ctx context.Context, path string) (recommender.Dataset, error) {
	db, err := models.Open(path)
	if err != nil {
		return recommender.Dataset{}, fmt.Errorf("-db %s: %w", path, err)
	}
	defer db.Close()
	d, err := shop.LoadDataset(ctx, db)
	if err != nil {
		return recommender.Dataset{}, fmt.Errorf("-db %s: %w", path, err)
	}
	return d, nil
}

// shopName names a -db world after its file and the directory it is in
// ("fashion/shop.db" → "fashion/shop").
func shopName(path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	return filepath.Join(filepath.Base(filepath.Dir(abs)), strings.TrimSuffix(filepath.Base(abs), filepath.Ext(abs)))
}
