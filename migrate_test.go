package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"storefront/models"
	"storefront/recommender"
	"storefront/seed"
	"storefront/shop"
)

// Any --db that is neither a SQLite path nor a postgres:// URL is refused
// with a message naming what is accepted, and nothing is created from it.
func TestUnsupportedDatabaseURLIsRefused(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	for _, target := range []string{"mysql://u:secret@localhost/shop", "sqlite://data/shop.db", "file:shop.db", "postgres://u:secret@/"} {
		for _, cmd := range [][]string{{"serve", "--addr", "127.0.0.1:0"}, {"seed"}, {"import", "--products", "products.csv"}, {"train"},
			{"recommend", "--user", "u1"}, {"eval"}, {"backup", "--to", "shop.backup"}, {"migrate"}, {"staff", "list"},
			{"migrate-data", "--from", "shop.db", "--to"}, {"migrate-data", "--to", "shop.db", "--from"}} {
			args := append(cmd[:len(cmd):len(cmd)], "--db", target)
			if cmd[0] == "migrate-data" {
				args = append(cmd[:len(cmd):len(cmd)], target)
			}
			var out, errb bytes.Buffer
			err := run(args, &out, &errb)
			if err == nil || !errors.Is(err, models.ErrInvalid) || !strings.Contains(err.Error(), "postgres://user:pass@host:port/db") {
				t.Errorf("%v --db %s: %v, want a clear refusal", cmd, target, err)
			}
			if err != nil && strings.Contains(err.Error(), "secret") {
				t.Errorf("%v --db %s: the error shows the password: %v", cmd, target, err)
			}
		}
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		t.Errorf("refused targets created %s", e.Name())
	}
}

func TestMigrateCommand(t *testing.T) {
	db, drop, err := models.ScratchTarget(t.TempDir(), "shop.db")
	mustDo(t, err)
	defer drop()
	var out, errb bytes.Buffer
	mustDo(t, run([]string{"migrate", "--db", db}, &out, &errb))
	ids := models.Migrations()
	if !strings.Contains(out.String(), "applied "+strconv.Itoa(len(ids))+" migration(s)") || !strings.Contains(out.String(), ids[len(ids)-1]) {
		t.Fatalf("first migrate said %q", out.String())
	}
	out.Reset()
	mustDo(t, run([]string{"migrate", "--db", db}, &out, &errb))
	if !strings.Contains(out.String(), "schema up to date") {
		t.Fatalf("second migrate said %q", out.String())
	}
}

// TestMigrateData copies a seeded, trained shop from a SQLite file into an
// empty database (PostgreSQL when STOREFRONT_TEST_DB is set), which checks
// row counts and sample homepages itself; a second copy into the same,
// now full, database is refused.
func TestMigrateData(t *testing.T) {
	dir := t.TempDir()
	from := filepath.Join(dir, "shop.db")
	src, err := models.Open(from)
	mustDo(t, err)
	ctx := context.Background()
	_, err = seed.Seed(ctx, src, seed.Options{Seed: 7, Products: 300, Shoppers: 120, Events: 5000}, io.Discard)
	mustDo(t, err)
	cfg := recommender.DefaultConfig()
	cfg.ALS.Factors, cfg.ALS.Iterations, cfg.SVD.Rank = 4, 5, 2
	_, err = shop.TrainAndStore(ctx, src, cfg, nil)
	mustDo(t, err)
	// Something a naive copy gets wrong: an inactive product (GORM's tag
	// default would turn it active) and a live session.
	mustDo(t, src.W.Model(&models.Product{}).Where("id = ?", 1).Update("active", false).Error)
	mustDo(t, src.Sessions().Commit("tok", []byte("data"), time.Now().Add(time.Hour)))
	want, err := src.Counts(ctx)
	mustDo(t, err)
	src.Close()

	to, drop, err := models.ScratchTarget(dir, "copy.db")
	mustDo(t, err)
	defer drop()
	var out, errb bytes.Buffer
	if err := run([]string{"migrate-data", "--from", from, "--to", to, "--samples", "10"}, &out, &errb); err != nil {
		t.Fatalf("migrate-data: %v\n%s", err, errb.String())
	}
	if !strings.Contains(out.String(), "every table's row count matches") || !strings.Contains(out.String(), "composes the same on both for 10 sample shoppers") {
		t.Fatalf("migrate-data said %q", out.String())
	}
	dst, err := models.Open(to)
	mustDo(t, err)
	got, err := dst.Counts(ctx)
	mustDo(t, err)
	var p models.Product
	mustDo(t, dst.R.First(&p, 1).Error)
	data, found, err := dst.Sessions().Find("tok")
	mustDo(t, err)
	// New rows continue after the copied ids.
	var c models.Category
	c.Slug, c.Name = "new-after-copy", "New"
	mustDo(t, dst.W.Create(&c).Error)
	dst.Close()
	if got != want || p.Active || !found || string(data) != "data" || c.ID <= uint(want.Categories) {
		t.Fatalf("copy: counts %+v want %+v, product 1 active %v, session %v %q, next category id %d", got, want, p.Active, found, data, c.ID)
	}
	err = run([]string{"migrate-data", "--from", from, "--to", to}, &out, &errb)
	if err == nil || !strings.Contains(err.Error(), "already holds data") {
		t.Fatalf("copy into a full database: %v", err)
	}
}

// A shop still serving the source while it is copied: what it writes
// after its table was copied would be missing from the target. The copy
// says so, tells the operator what to do and leaves the target empty, so
// the next run (with the shop stopped) succeeds.
func TestMigrateDataOfAShopStillWriting(t *testing.T) {
	dir := t.TempDir()
	from := filepath.Join(dir, "shop.db")
	src, err := models.Open(from)
	mustDo(t, err)
	defer src.Close()
	ctx := context.Background()
	_, err = seed.Seed(ctx, src, seed.Options{Seed: 7, Products: 60, Shoppers: 30, Events: 600}, io.Discard)
	mustDo(t, err)
	to, drop, err := models.ScratchTarget(dir, "copy.db")
	mustDo(t, err)
	defer drop()
	dst, err := models.Open(to)
	mustDo(t, err)
	defer dst.Close()
	var p models.Product
	mustDo(t, src.R.First(&p).Error)
	wrote := false
	_, err = src.CopyTo(ctx, dst, func(table string, _ int64) {
		if table == "events" && !wrote { // a page view landing just after the events were copied
			wrote = true
			mustDo(t, src.InsertEvents(ctx, []models.Event{{UserKey: "v:late", ProductID: &p.ID, Type: models.EventView, CreatedAt: time.Now().UTC()}}))
		}
	})
	if err == nil || !strings.Contains(err.Error(), "the source changed during the copy (events: ") || !strings.Contains(err.Error(), "stop every shop serving") ||
		!strings.Contains(err.Error(), "nothing was written") {
		t.Fatalf("copy of a source written meanwhile: %v", err)
	}
	c, err := dst.Counts(ctx)
	mustDo(t, err)
	if !c.Empty() {
		t.Fatalf("the failed copy left %+v in the target", c)
	}
	counts, err := src.CopyTo(ctx, dst, nil)
	mustDo(t, err)
	for _, tc := range counts {
		if tc.Source != tc.Target {
			t.Fatalf("second copy: %+v", counts)
		}
	}
}
