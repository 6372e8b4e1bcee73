package models

import (
	"context"
	"reflect"
	"testing"
	"time"
)

// AllProducts reads every field the entity has, as gorm would, including
// columns left NULL by an older import, a product without a brand and
// timestamps with fractions of a second and an offset (parsed by hand on
// SQLite).
func TestAllProductsReadsEveryField(t *testing.T) {
	db := mustOpen(t)
	if err := db.W.Create(&Category{Slug: "c", Name: "C"}).Error; err != nil {
		t.Fatal(err)
	}
	// Fractions of a second and an offset other than UTC, as a product
	// created through gorm with a local time stores them (microseconds, the
	// finest PostgreSQL keeps).
	at := time.Date(2026, 10, 1, 8, 30, 0, 123456000, time.FixedZone("CEST", 2*3600))
	full := Product{ExternalID: "SKU-1", Slug: "tent", Title: "Tent", Description: "Sleeps two", Brand: "Packwell", CategoryID: 1,
		PriceCents: 12900, CompareAtCents: 15900, Stock: 3, ImageURL: "/img/u/abc.jpg", Active: true, Popularity: 4.25, CreatedAt: at, UpdatedAt: at}
	bare := Product{ExternalID: "SKU-2", Slug: "mat", Title: "Mat", CategoryID: 1}
	for _, p := range []*Product{&full, &bare} {
		if err := db.W.Create(p).Error; err != nil {
			t.Fatal(err)
		}
	}
	if err := db.W.Exec("UPDATE products SET description = NULL, brand = NULL, image_url = NULL, active = false WHERE id = ?", bare.ID).Error; err != nil {
		t.Fatal(err)
	}
	got, err := db.AllProducts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var want []Product
	if err := db.R.Order("id").Find(&want).Error; err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || len(want) != 2 {
		t.Fatalf("read %d products, gorm reads %d, want 2", len(got), len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if !g.CreatedAt.Equal(w.CreatedAt) || !g.UpdatedAt.Equal(w.UpdatedAt) {
			t.Errorf("product %d times %v %v, want %v %v", w.ID, g.CreatedAt, g.UpdatedAt, w.CreatedAt, w.UpdatedAt)
		}
		g.CreatedAt, g.UpdatedAt, w.CreatedAt, w.UpdatedAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
		if !reflect.DeepEqual(g, w) {
			t.Errorf("product %d read as\n%+v\nwant\n%+v", w.ID, g, w)
		}
	}
	if !got[0].CreatedAt.Equal(at) || got[0].Popularity != 4.25 || got[0].CompareAtCents != 15900 || !got[0].Active || got[1].Active {
		t.Errorf("fields lost: %+v / %+v", got[0], got[1])
	}
}

// TestSlugifySpellsEveryScript: an address spells a name in Latin letters
// whatever its script, so a category named only in Cyrillic, Greek or
// Chinese gets a readable address of its own; Latin names read as before.
func TestSlugifySpellsEveryScript(t *testing.T) {
	for in, want := range map[string]string{
		"Обувь":            "obuv",
		"Кухня Pro":        "kukhnia-pro",
		"Κουζίνα":          "kouzina",
		"中文":               "zhong-wen",
		"Élite":            "elite",
		"Straße":           "strasse",
		"Tools & Hardware": "tools-hardware",
		"★":                "",
	} {
		if got := Slugify(in); got != want {
			t.Errorf("Slugify(%q) = %q, want %q", in, got, want)
		}
	}
}
