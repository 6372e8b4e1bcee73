package models

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

const baselineMigration = "202612020000_baseline"

func TestMigrationIDs(t *testing.T) {
	ids := Migrations()
	if len(ids) == 0 || ids[0] != baselineMigration {
		t.Fatalf("migrations %v: want the baseline first", ids)
	}
	pattern := regexp.MustCompile(`^\d{12}_[a-z0-9_]+$`)
	seen := map[string]bool{}
	for _, id := range ids {
		if !pattern.MatchString(id) {
			t.Errorf("migration id %q: want YYYYMMDDHHMM_what", id)
		}
		if seen[id] {
			t.Errorf("migration id %q registered twice", id)
		}
		seen[id] = true
	}
}

// schemaOf describes every table: its columns with type and nullability,
// and its index names.
func schemaOf(t *testing.T, db *DB) map[string][]string {
	t.Helper()
	m := db.W.Session(&gorm.Session{Logger: logger.Discard}).Migrator()
	tables, err := m.GetTables()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, table := range tables {
		if strings.HasPrefix(table, "sqlite_") {
			continue
		}
		cols, err := m.ColumnTypes(table)
		if err != nil {
			t.Fatal(err)
		}
		var desc []string
		for _, c := range cols {
			null, _ := c.Nullable()
			desc = append(desc, fmt.Sprintf("column %s %s null=%v", c.Name(), strings.ToLower(c.DatabaseTypeName()), null))
		}
		idx, err := m.GetIndexes(table)
		if err != nil {
			t.Fatal(err)
		}
		for _, ix := range idx {
			desc = append(desc, "index "+ix.Name())
		}
		sort.Strings(desc)
		out[table] = desc
	}
	return out
}

func diffSchemas(t *testing.T, got, want map[string][]string) {
	t.Helper()
	for table, w := range want {
		if g, ok := got[table]; !ok {
			t.Errorf("upgraded database lacks table %s", table)
		} else if !slices.Equal(g, w) {
			t.Errorf("table %s differs:\n upgraded %v\n fresh    %v", table, g, w)
		}
	}
	for table := range got {
		if _, ok := want[table]; !ok {
			t.Errorf("upgraded database has table %s that a fresh one lacks", table)
		}
	}
}

// legacyRows writes data the way the previous release stored it.
func legacyRows(t *testing.T, exec func(q string, args ...any) error) {
	t.Helper()
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO categories (id, slug, name, position) VALUES (1, 'tents', 'Tents', 1)`, nil},
		{`INSERT INTO products (id, external_id, slug, title, category_id, price_cents, stock, active, popularity, created_at, updated_at)
			VALUES (1, 'SKU-1', 'tent', 'Trail Tent', 1, 19999, 4, true, 2.5, ?, ?)`, []any{now, now}},
		{`INSERT INTO staffs (id, email, name, password_hash, role, created_at) VALUES (1, 'ops@example.com', 'Ops', 'x', 'admin', ?)`, []any{now}},
		{`INSERT INTO events (user_key, product_id, type, slot, position, query, value, created_at) VALUES ('u1', 1, 'view', '', 0, '', 0, ?)`, []any{now}},
		{`INSERT INTO settings (key, value) VALUES ('event_retention_days', '30')`, nil},
	} {
		if err := exec(q.sql, q.args...); err != nil {
			t.Fatalf("%s: %v", q.sql, err)
		}
	}
}

// checkUpgraded checks that the legacy rows survived and every migration
// is recorded.
func checkUpgraded(t *testing.T, db *DB) {
	t.Helper()
	ctx := context.Background()
	applied, err := db.AppliedMigrations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(applied, Migrations()) {
		t.Errorf("applied %v, want %v", applied, Migrations())
	}
	p, err := db.ProductByExternalID(ctx, "SKU-1")
	if err != nil || p.Title != "Trail Tent" || p.Stock != 4 || p.PriceCents != 19999 {
		t.Errorf("product after upgrade: %+v, %v", p, err)
	}
	var st Staff
	if err := db.R.First(&st, 1).Error; err != nil || st.Email != "ops@example.com" || st.DeactivatedAt != nil {
		t.Errorf("staff after upgrade: %+v, %v", st, err)
	}
	if n, err := db.CountEvents(ctx); err != nil || n != 1 {
		t.Errorf("events after upgrade: %d, %v", n, err)
	}
	if d, err := db.RetentionDays(ctx); err != nil || d != 30 {
		t.Errorf("retention setting after upgrade: %d, %v", d, err)
	}
	// Running the migrations again changes nothing.
	again, err := db.Migrate(ctx)
	if err != nil || len(again) != 0 {
		t.Errorf("second migrate ran %v, %v", again, err)
	}
}

// TestUpgradeFromTheUnversionedRelease opens a database created by the
// last release without versioned migrations (its schema, dumped from a
// database that release created, in testdata) and checks the data is kept
// and the schema ends up exactly as a fresh database's. On PostgreSQL,
// which that release could not use, the starting point is the baseline
// migration alone.
func TestUpgradeFromTheUnversionedRelease(t *testing.T) {
	fresh := mustOpen(t)
	var old string
	if server := os.Getenv(TestDBEnv); server != "" {
		target, drop, err := NewPostgresDatabase(server, "sf_test_")
		if err != nil {
			t.Fatal(err)
		}
		defer drop()
		legacy, err := open(target, baselineMigration)
		if err != nil {
			t.Fatal(err)
		}
		legacyRows(t, func(q string, args ...any) error { return legacy.W.Exec(q, args...).Error })
		legacy.Close()
		old = target
	} else {
		old = filepath.Join(t.TempDir(), "release.db")
		schema, err := os.ReadFile("testdata/schema-fe725ea.sqlite.sql")
		if err != nil {
			t.Fatal(err)
		}
		raw, err := sql.Open("sqlite3", old)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := raw.Exec(string(schema)); err != nil {
			t.Fatal(err)
		}
		legacyRows(t, func(q string, args ...any) error { _, err := raw.Exec(q, args...); return err })
		raw.Close()
	}
	db, err := Open(old)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	checkUpgraded(t, db)
	diffSchemas(t, schemaOf(t, db), schemaOf(t, fresh))
}

// TestSchemaCoversEntities: after every migration, each field of each
// entity has its column. A field added to an entity without a migration
// fails here.
func TestSchemaCoversEntities(t *testing.T) {
	db := mustOpen(t)
	m := db.W.Migrator()
	for _, e := range schemaEntities {
		stmt := &gorm.Statement{DB: db.W}
		if err := stmt.Parse(e); err != nil {
			t.Fatal(err)
		}
		if !m.HasTable(e) {
			t.Errorf("no table %s for %s: add a migration (models/schema.go)", stmt.Schema.Table, stmt.Schema.Name)
			continue
		}
		for _, f := range stmt.Schema.Fields {
			if f.DBName == "" {
				continue
			}
			if !m.HasColumn(e, f.DBName) {
				t.Errorf("%s.%s has no column %s.%s: add a migration (models/schema.go)", stmt.Schema.Name, f.Name, stmt.Schema.Table, f.DBName)
			}
		}
	}
}

// A SQLite path the shop may not write says so, naming the user and the
// file or directory (SQLite said "unable to open database file: no such
// file or directory" for a directory it may not create files in, which
// sent operators looking for a missing file); other faults keep their own
// message.
func TestOpenSaysWhyASQLiteFileCannotBeWritten(t *testing.T) {
	// /proc/self exists, and nobody, root included, creates files in it:
	// as a data directory owned by another user or on a read-only mount.
	_, err := Open("/proc/self/shop.db")
	if err == nil || !strings.Contains(err.Error(), "cannot create files in /proc/self") || !strings.Contains(err.Error(), "-wal and -shm") ||
		!strings.Contains(err.Error(), "user ") {
		t.Fatalf("open in a directory nobody may write: %v", err)
	}
	garbage := filepath.Join(t.TempDir(), "shop.db")
	if err := os.WriteFile(garbage, []byte(strings.Repeat("not a database ", 100)), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = Open(garbage)
	if err == nil || strings.Contains(err.Error(), "cannot") || !strings.Contains(err.Error(), "not a database") {
		t.Fatalf("open of a writable file that is no database: %v", err)
	}
	entries, _ := os.ReadDir(filepath.Dir(garbage))
	if len(entries) != 1 {
		t.Fatalf("the write check left files behind: %v", entries)
	}
}

// Opening a shop bounds reaching the server, not its migrations: on
// PostgreSQL the whole migration ran within the 10 s connect timeout, so a
// migration indexing a big events table (or a busy machine migrating a
// new database) failed the start with "context deadline exceeded".
func TestMigrationsAreNotBoundByTheConnectTimeout(t *testing.T) {
	defer func(d time.Duration) { connectTimeout = d }(connectTimeout)
	// Long enough to reach a local server, shorter than the migrations.
	connectTimeout = 250 * time.Millisecond
	db, done, err := OpenScratch(t.TempDir(), "t.db")
	if err != nil {
		t.Fatalf("opening a new database: %v", err)
	}
	defer done()
	if len(db.Migrated) == 0 {
		t.Fatal("no migration ran on a new database")
	}
}
