package models

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// The two statements the shop runs after every order and every poll —
// which products changed since its snapshot, and the catalog's version —
// find what they need through the index on products.updated_at instead
// of reading every product.
func TestCatalogFollowReadsNoWholeProductTable(t *testing.T) {
	db := mustOpen(t)
	for _, st := range []struct {
		name string
		sql  string
		args []any
		want string
	}{
		{"products updated since", db.sqlProductsUpdatedSince(), db.productsUpdatedSinceArgs(time.Now().UTC().Add(-time.Minute), 257), "idx_products_updated_at"},
		{"catalog version", sqlCatalogVersion, nil, "idx_products_updated_at"},
	} {
		plan := explain(t, db, st.sql, st.args...)
		text := strings.Join(plan, "\n")
		if !strings.Contains(text, st.want) {
			t.Errorf("%s: plan does not use %s*:\n%s", st.name, st.want, text)
		}
		for _, line := range plan {
			if strings.TrimSpace(line) == "SCAN products" || strings.Contains(line, "Seq Scan on products") {
				t.Errorf("%s: plan reads every product:\n%s", st.name, text)
			}
		}
	}
}

// A product's change is found by its instant whatever offset its time was
// stored with: a change late in the evening at −12:00 is the next day in
// UTC, one in the morning at +14:00 the day before.
func TestProductsUpdatedSinceComparesInstants(t *testing.T) {
	db := mustOpen(t)
	if err := db.W.Create(&Category{Slug: "c", Name: "C"}).Error; err != nil {
		t.Fatal(err)
	}
	west := time.Date(2026, 10, 1, 23, 30, 0, 0, time.FixedZone("", -12*3600)) // 2026-10-02 11:30 UTC
	east := time.Date(2026, 10, 2, 9, 0, 0, 0, time.FixedZone("", 14*3600))    // 2026-10-01 19:00 UTC
	for i, at := range []time.Time{west, east} {
		p := Product{ExternalID: fmt.Sprint("SKU-", i), Slug: fmt.Sprint("p", i), Title: "P", CategoryID: 1, CreatedAt: at, UpdatedAt: at}
		if err := db.W.Create(&p).Error; err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct {
		since time.Time
		want  []string
	}{
		{time.Date(2026, 10, 2, 11, 0, 0, 0, time.UTC), []string{"SKU-0"}},
		{time.Date(2026, 10, 1, 18, 0, 0, 0, time.UTC), []string{"SKU-0", "SKU-1"}},
		{time.Date(2026, 10, 2, 12, 0, 0, 0, time.UTC), nil},
	} {
		ps, more, err := db.ProductsUpdatedSince(context.Background(), c.since, 10)
		if err != nil || more {
			t.Fatalf("since %v: more %v, %v", c.since, more, err)
		}
		var got []string
		for _, p := range ps {
			got = append(got, p.ExternalID)
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("changed since %v: %v, want %v", c.since, got, c.want)
		}
	}
}
