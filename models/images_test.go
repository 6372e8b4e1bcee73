package models

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"storefront/images"
)

// A replaced or removed picture is deleted once nothing refers to it: not
// a product, not a draft banner's creative, not a published version a
// rollback could restore; a fresh upload is kept while it waits to be used.
func TestPruneImagesDeletesOnlyUnusedOldPictures(t *testing.T) {
	db := mustOpen(t)
	ctx := context.Background()
	old := time.Now().UTC().Add(-48 * time.Hour)
	hash := func(c string) string { return strings.Repeat(c, 64) }
	store := func(c string, at time.Time) {
		t.Helper()
		img := Image{Hash: hash(c), ContentType: "image/jpeg", Width: 10, Height: 10, Bytes: 3, CreatedAt: at}
		if err := db.W.Create(&img).Error; err != nil {
			t.Fatal(err)
		}
		for _, v := range []string{"full", "card"} {
			if err := db.W.Create(&ImageFile{ImageID: img.ID, Variant: v, Width: 10, Height: 10, Data: []byte("jpg")}).Error; err != nil {
				t.Fatal(err)
			}
		}
	}
	store("a", old)              // a product's image
	store("b", old)              // a draft banner's creative
	store("c", old)              // only in a published version
	store("d", old)              // replaced long ago: nothing refers to it
	store("e", time.Now().UTC()) // just uploaded
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(db.W.Create(&Category{Slug: "c", Name: "C"}).Error)
	must(db.W.Create(&Product{ExternalID: "SKU-1", Slug: "tent", Title: "Tent", CategoryID: 1, ImageURL: images.URL(hash("a"), "jpg")}).Error)
	must(db.W.Create(&Slot{PageID: 1, Position: 1, Type: SlotBanner, Creatives: []Creative{{ID: 1, Title: "Spring", Image: images.VariantURL(images.URL(hash("b"), "jpg"), "card"), Link: "/"}}}).Error)
	must(db.W.Create(&LayoutVersion{PageID: 1, Number: 1, Snapshot: `[{"Creatives":[{"Image":"` + images.URL(hash("c"), "png") + `"}]}]`}).Error)

	n, err := db.PruneImages(ctx, time.Now().Add(-time.Hour))
	must(err)
	if n != 1 {
		t.Errorf("pruned %d pictures, want 1 (the unused old one)", n)
	}
	for _, c := range []string{"a", "b", "c", "d", "e"} {
		_, _, err := db.ImageFileByHash(ctx, hash(c), "card")
		if gone := errors.Is(err, ErrNotFound); gone != (c == "d") {
			t.Errorf("picture %s: gone %v (err %v), want gone only for d", c, gone, err)
		}
	}
	var files int64
	must(db.R.Model(&ImageFile{}).Count(&files).Error)
	if files != 8 {
		t.Errorf("%d picture files left, want 8 (the deleted picture's two go with it)", files)
	}
}
