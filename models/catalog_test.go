package models

import (
	"context"
	"reflect"
	"strings"
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
		w.Folded = "" // staff search reads it in SQL; the shop's catalog has no use for it
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

// TestAdminSearchFoldsCaseAndAccents: staff find "Müller" by typing
// "muller" or "MÜLLER", in a title, a brand or an external id, whether the
// product was created, upserted by an import or stored before the column
// existed (the migration folds it).
func TestAdminSearchFoldsCaseAndAccents(t *testing.T) {
	db := mustOpen(t)
	ctx := context.Background()
	if err := db.W.Create(&Category{Slug: "c", Name: "C"}).Error; err != nil {
		t.Fatal(err)
	}
	for _, p := range []Product{
		{ExternalID: "SKU-1", Slug: "a", Title: "Müller Zelt", Brand: "Packwell", CategoryID: 1},
		{ExternalID: "SKU-2", Slug: "b", Title: "Lamp", Brand: "Strauß & Müller", CategoryID: 1},
		{ExternalID: "ÉTÉ-3", Slug: "c", Title: "Mat", Brand: "X", CategoryID: 1},
		{ExternalID: "SKU-4", Slug: "d", Title: "Mulled wine set", Brand: "X", CategoryID: 1},
	} {
		if err := db.W.Create(&p).Error; err != nil {
			t.Fatal(err)
		}
	}
	find := func(q string) []string {
		t.Helper()
		ps, total, err := db.AdminProducts(ctx, AdminProductQuery{Q: q})
		if err != nil {
			t.Fatal(err)
		}
		var skus []string
		for _, p := range ps {
			skus = append(skus, p.ExternalID)
		}
		if int(total) != len(skus) {
			t.Errorf("%q: total %d, listed %d", q, total, len(skus))
		}
		return skus
	}
	for q, want := range map[string][]string{
		"muller": {"SKU-2", "SKU-1"}, "MÜLLER": {"SKU-2", "SKU-1"}, "Müller": {"SKU-2", "SKU-1"},
		"strauss": {"SKU-2"}, "ete-3": {"ÉTÉ-3"}, "mull": {"SKU-2", "SKU-4", "SKU-1"}, "zelt": {"SKU-1"},
		"50%": nil, "zelt\npackwell": nil, strings.Repeat("m", 5000): nil,
	} {
		if got := find(q); !reflect.DeepEqual(got, want) {
			t.Errorf("%q finds %v, want %v", q, got, want)
		}
	}
	// Saves that leave the title alone leave it found (hooks run on an
	// empty model there).
	var m Product
	if err := db.R.Where("external_id = ?", "SKU-1").First(&m).Error; err != nil {
		t.Fatal(err)
	}
	if err := db.UpdateProductAdmin(ctx, "admin", m.ID, ProductEdit{PriceCents: 500, Stock: 2, Active: true}, nil); err != nil {
		t.Fatal(err)
	}
	if err := db.W.Model(&Product{}).Where("id = ?", m.ID).Updates(map[string]any{"image_url": "/x.jpg"}).Error; err != nil {
		t.Fatal(err)
	}
	if got := find("zelt"); !reflect.DeepEqual(got, []string{"SKU-1"}) {
		t.Errorf("after a price and an image edit, %q finds %v", "zelt", got)
	}
	// An import's upsert refolds a changed title.
	err := db.Bulk(ctx, func(b *BulkTx) error {
		return b.UpsertProducts([]Product{{ExternalID: "SKU-4", Slug: "d", Title: "Crème brûlée torch", Brand: "X", CategoryID: 1}}, UpsertOptions{})
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := find("creme brulee"); !reflect.DeepEqual(got, []string{"SKU-4"}) {
		t.Errorf("after the upsert, %q finds %v", "creme brulee", got)
	}
	// Rows from before the column: the migration folds them.
	if err := db.W.Exec(`UPDATE products SET folded = ''`).Error; err != nil {
		t.Fatal(err)
	}
	for _, m := range migrations {
		if m.ID == "202612041720_product_folded" {
			if err := m.Up(db.W); err != nil {
				t.Fatal(err)
			}
		}
	}
	if got := find("muller"); !reflect.DeepEqual(got, []string{"SKU-2", "SKU-1"}) {
		t.Errorf("after the migration, muller finds %v", got)
	}
}
