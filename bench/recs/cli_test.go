package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"

	"storefront/models"
	"storefront/recommender"
	"storefront/seed"
	"storefront/shop"
)

// TestAWorldWrittenForTheCLIImportsWhole: the files the -cli arm writes are
// the shop's import format, so every generated product and event reaches
// the database, none refused.
func TestAWorldWrittenForTheCLIImportsWhole(t *testing.T) {
	spec := worldSpec{Name: "tiny", Items: 120, Users: 150, Cats: 5, Styles: 3, Days: 30, Sessions: 3, Views: 3,
		TasteCats: 2, PopSkew: 0.8, CartRate: 0.2, BuyRate: 0.5, Launch: 0.1, Seed: 12}
	w := generate(spec)
	db, sum, err := importWorld(t, w)
	if err != nil {
		t.Fatalf("import refused the written world: %v", err)
	}
	if sum.ProductsCreated != len(w.items) {
		t.Errorf("imported %d products, wrote %d", sum.ProductsCreated, len(w.items))
	}
	users := map[string]bool{}
	for _, e := range w.evs {
		users[e.User] = true
	}
	if sum.ShoppersCreated != len(users) || sum.Events != len(w.evs) {
		t.Errorf("imported %d shoppers and %d events, wrote %d and %d", sum.ShoppersCreated, sum.Events, len(users), len(w.evs))
	}
	stored, err := db.AllProducts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]recommender.Item{}
	for _, it := range w.items {
		want[it.ID] = it
	}
	for _, p := range stored {
		it := want[p.ExternalID]
		if p.PriceCents != it.PriceCents || p.Title != it.Title || p.Brand != it.Brand || !p.CreatedAt.Equal(it.Created) {
			t.Errorf("product %s stored as %d %q %q %v, written from %d %q %q %v", p.ExternalID, p.PriceCents, p.Title, p.Brand, p.CreatedAt,
				it.PriceCents, it.Title, it.Brand, it.Created)
			break
		}
	}
}

// TestRatingsReachTheShopWithTheirValues: a ratings world written for the
// -cli arm imports with its value column, and training reads every rating
// back.
func TestRatingsReachTheShopWithTheirValues(t *testing.T) {
	spec := worldSpec{Name: "tiny-ratings", Items: 100, Users: 60, Cats: 4, Styles: 3, Days: 60, Sessions: 2, Views: 6,
		TasteCats: 2, PopSkew: 0.8, Explore: 0.3, Ratings: true, PerUserSplit: true, Seed: 17}
	w := generate(spec)
	db, _, err := importWorld(t, w)
	if err != nil {
		t.Fatalf("import refused the written ratings: %v", err)
	}
	ctx := context.Background()
	d, err := shop.LoadDataset(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	type key struct{ user, item string }
	want := map[key]float64{}
	for _, e := range w.evs {
		want[key{e.User, e.Item}] = e.Value
	}
	if len(d.Events) != len(w.evs) {
		t.Fatalf("training reads %d events, %d written", len(d.Events), len(w.evs))
	}
	for _, e := range d.Events {
		if v := want[key{e.User, e.Item}]; e.Value != v || v == 0 {
			t.Fatalf("%s's rating of %s reads back as %g, written %g", e.User, e.Item, e.Value, v)
		}
	}
}

// importWorld writes w's files as the -cli arm does and imports them into
// a new shop database, closed when the test ends.
func importWorld(t *testing.T, w *world) (*models.DB, *seed.ImportSummary, error) {
	t.Helper()
	dir := t.TempDir()
	products, events := filepath.Join(dir, "products.csv"), filepath.Join(dir, "events.csv")
	if err := writeProducts(products, w.items); err != nil {
		t.Fatal(err)
	}
	if err := writeEvents(events, w.evs); err != nil {
		t.Fatal(err)
	}
	db, err := models.Open(filepath.Join(dir, "shop.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	sum, err := seed.Import(context.Background(), db, products, events, nil)
	return db, sum, err
}

// TestAnExportedWorldImportsWhole: -export writes the chosen world, and
// only it, as a whole shop: every product and every event (not only the
// training part) imports.
func TestAnExportedWorldImportsWhole(t *testing.T) {
	dir := t.TempDir()
	if err := exportWorlds(dir, map[string]bool{"small-shop": true}, io.Discard); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Fatalf("exported %d worlds, asked for one", len(entries))
	}
	var spec worldSpec
	for _, s := range worlds {
		if s.Name == "small-shop" {
			spec = s
		}
	}
	w := generate(spec)
	db, err := models.Open(filepath.Join(dir, "shop.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	sub := filepath.Join(dir, "small-shop")
	sum, err := seed.Import(context.Background(), db, filepath.Join(sub, "products.csv"), filepath.Join(sub, "events.csv"), nil)
	if err != nil {
		t.Fatalf("import refused the exported world: %v", err)
	}
	if sum.ProductsCreated != len(w.items) || sum.Events != len(w.evs) {
		t.Errorf("imported %d products and %d events, the world has %d and %d", sum.ProductsCreated, sum.Events, len(w.items), len(w.evs))
	}
}
