package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"storefront/models"
	"storefront/shop"
)

// migrateCmd brings the schema up to date (Open does) and says what ran.
func migrateCmd(cfg config, stdout io.Writer) error {
	db, err := openDB(cfg.db)
	if err != nil {
		return err
	}
	defer db.Close()
	applied, err := db.AppliedMigrations(context.Background())
	if err != nil {
		return err
	}
	if len(db.Migrated) == 0 {
		fmt.Fprintf(stdout, "%s: schema up to date (%d migrations, last %s)\n", db.Name(), len(applied), applied[len(applied)-1])
		return nil
	}
	fmt.Fprintf(stdout, "%s: applied %d migration(s): %s\n", db.Name(), len(db.Migrated), strings.Join(db.Migrated, ", "))
	return nil
}

// dbName is the --db value fit for messages: a URL's password hidden.
func dbName(target string) string { return models.RedactURL(target) }

// migrateDataCmd copies a shop into an empty database (SQLite to
// PostgreSQL, or back), then checks every table's row count and that the
// homepage composes the same for sample shoppers on both.
func migrateDataCmd(from, to string, samples int, stdout, stderr io.Writer) error {
	if from == "" || to == "" {
		return errors.New("migrate-data: give --from and --to (e.g. --from data/storefront.db --to postgres://user:pass@host:5432/shop)")
	}
	if from == to {
		return errors.New("migrate-data: --from and --to are the same database")
	}
	// Both are checked before anything is opened or created.
	for _, t := range []struct{ flag, target string }{{"--from", from}, {"--to", to}} {
		if err := models.CheckTarget(t.target); err != nil {
			return fmt.Errorf("migrate-data: %s: %w", t.flag, err)
		}
	}
	if !models.IsPostgresURL(from) {
		if _, err := os.Stat(from); err != nil {
			return fmt.Errorf("migrate-data: --from %s: %w", from, err)
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	src, err := openDB(from)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := openDB(to)
	if err != nil {
		return err
	}
	defer dst.Close()
	start := time.Now()
	counts, err := src.CopyTo(ctx, dst, func(table string, rows int64) {
		fmt.Fprintf(stderr, "migrate-data: %-16s %9d rows  %s\n", table, rows, time.Since(start).Round(time.Millisecond))
	})
	if err != nil {
		return err
	}
	var bad []string
	var total int64
	for _, c := range counts {
		total += c.Target
		if c.Source != c.Target {
			bad = append(bad, fmt.Sprintf("%s: %d rows in %s, %d in %s", c.Table, c.Source, dbName(from), c.Target, dbName(to)))
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("migrate-data: row counts differ:\n  %s", strings.Join(bad, "\n  "))
	}
	fmt.Fprintf(stdout, "copied %d rows in %d tables from %s to %s in %s; every table's row count matches\n",
		total, len(counts), dbName(from), dbName(to), time.Since(start).Round(time.Millisecond))
	checked, err := compareHomepages(ctx, src, dst, samples)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "the homepage composes the same on both for %d sample shoppers and a new visitor\n", checked)
	return nil
}

// compareHomepages composes the published homepage on both databases, with
// the same exploration seed, for the most recently active shoppers and an
// anonymous visitor, and fails on the first difference.
func compareHomepages(ctx context.Context, a, b *models.DB, samples int) (int, error) {
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	var shops [2]*shop.Shop
	for i, db := range []*models.DB{a, b} {
		s, err := shop.New(ctx, db, shop.Options{Logger: quiet})
		if err != nil {
			return 0, err
		}
		if err := s.LoadEngagement(ctx); err != nil {
			return 0, err
		}
		shops[i] = s
	}
	shoppers, err := a.RecentShoppers(ctx, samples)
	if err != nil {
		return 0, err
	}
	viewers := []shop.Viewer{{Key: "v:migrate-data-check"}}
	for _, sh := range shoppers {
		viewers = append(viewers, shop.Viewer{Key: sh.ExternalID, ShopperID: sh.ID, LoggedIn: true, OptOut: sh.OptOut})
	}
	for _, v := range viewers {
		var pages [2]string
		for i, s := range shops {
			slots, err := s.PublishedHome(ctx)
			if err != nil {
				return 0, err
			}
			composed, err := s.ComposeHomeSeeded(ctx, v, slots, 1)
			if err != nil {
				return 0, err
			}
			pages[i] = describeHome(composed)
		}
		if pages[0] != pages[1] {
			return 0, fmt.Errorf("migrate-data: the homepage of %s differs:\n  %s: %s\n  %s: %s", v.Key, dbName(a.Target()), pages[0], dbName(b.Target()), pages[1])
		}
	}
	return len(shoppers), nil
}

// describeHome is a page as compared: each slot and its products in order.
func describeHome(slots []shop.HomeSlot) string {
	var b strings.Builder
	for _, sl := range slots {
		fmt.Fprintf(&b, "[%s %q:", sl.Key, sl.Title)
		for _, p := range sl.Items {
			fmt.Fprintf(&b, " %s", p.Product.ExternalID)
		}
		b.WriteString("] ")
	}
	return b.String()
}
