// Package models holds the shop's persistent entities and every query against
// them. It is the only package that imports GORM; callers get plain structs
// and the sentinel errors below.
package models

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/mattn/go-sqlite3"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// Domain errors that the web layer maps to status codes in one place.
var (
	ErrNotFound  = errors.New("not found")
	ErrInvalid   = errors.New("invalid input")
	ErrForbidden = errors.New("forbidden")
	ErrConflict  = errors.New("conflict")
)

// ValidationError reports which field of a form or file was wrong and why.
type ValidationError struct {
	Fields map[string]string
}

func (e *ValidationError) Error() string {
	return fmt.Sprintf("invalid input: %d field(s)", len(e.Fields))
}

func (e *ValidationError) Unwrap() error { return ErrInvalid }

// DB holds two pools onto one SQLite file: a single-connection writer, so
// every write transaction is serialized through one path and starts with
// BEGIN IMMEDIATE, and a reader pool that never queues behind it (WAL).
type DB struct {
	W    *gorm.DB
	R    *gorm.DB
	Path string
}

// dsn is the one place SQLite-specific connection settings live.
func dsn(path string, writer bool) string {
	q := url.Values{}
	q.Set("_journal_mode", "WAL")
	q.Set("_busy_timeout", "5000")
	q.Set("_foreign_keys", "on")
	q.Set("_synchronous", "NORMAL")
	if writer {
		q.Set("_txlock", "immediate")
	} else {
		q.Set("mode", "rw")
	}
	return "file:" + path + "?" + q.Encode()
}

// Open opens (creating if missing) the database at path and migrates it.
func Open(path string) (*DB, error) {
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("models: create data dir: %w", err)
		}
	}
	cfg := &gorm.Config{
		SkipDefaultTransaction: true,
		PrepareStmt:            true,
		// Multi-row event inserts differ by row count; bound the statement
		// cache so each size does not stay prepared forever.
		PrepareStmtMaxSize: 256,
		PrepareStmtTTL:     10 * time.Minute,
		Logger:             logger.Default.LogMode(logger.Silent),
	}
	w, err := gorm.Open(sqlite.Open(dsn(path, true)), cfg)
	if err != nil {
		return nil, fmt.Errorf("models: open writer %s: %w", path, err)
	}
	wsql, err := w.DB()
	if err != nil {
		return nil, fmt.Errorf("models: writer pool: %w", err)
	}
	wsql.SetMaxOpenConns(1)
	db := &DB{W: w, Path: path}
	if err := db.migrate(); err != nil {
		wsql.Close()
		return nil, err
	}
	if err := db.analyze(); err != nil {
		wsql.Close()
		return nil, err
	}
	r, err := gorm.Open(sqlite.Open(dsn(path, false)), cfg)
	if err != nil {
		wsql.Close()
		return nil, fmt.Errorf("models: open reader %s: %w", path, err)
	}
	rsql, err := r.DB()
	if err != nil {
		return nil, fmt.Errorf("models: reader pool: %w", err)
	}
	rsql.SetMaxOpenConns(8)
	rsql.SetMaxIdleConns(8)
	db.R = r
	return db, nil
}

// Close closes both pools.
func (db *DB) Close() error {
	var errs []error
	for _, g := range []*gorm.DB{db.R, db.W} {
		if g == nil {
			continue
		}
		if s, err := g.DB(); err == nil {
			errs = append(errs, s.Close())
		}
	}
	return errors.Join(errs...)
}

func (db *DB) migrate() error {
	err := db.W.AutoMigrate(
		&Category{}, &Product{}, &Shopper{}, &Staff{}, &Event{},
		&CartItem{}, &Order{}, &OrderItem{},
		&Page{}, &Slot{}, &LayoutVersion{}, &AuditLog{},
		&ModelArtifact{}, &APIKey{}, &Setting{}, &ForgottenUser{},
	)
	if err != nil {
		return fmt.Errorf("models: migrate: %w", err)
	}
	if err := normalizeSlotStrategies(db.W); err != nil {
		return err
	}
	// The session store (alexedwards/scs sqlite3store) expects this table.
	err = db.W.Exec(`CREATE TABLE IF NOT EXISTS sessions (
		token TEXT PRIMARY KEY, data BLOB NOT NULL, expiry REAL NOT NULL)`).Error
	if err == nil {
		err = db.W.Exec(`CREATE INDEX IF NOT EXISTS sessions_expiry_idx ON sessions(expiry)`).Error
	}
	if err != nil {
		return fmt.Errorf("models: migrate sessions: %w", err)
	}
	// Category listings count, page and facet products by category, active
	// flag and brand; this index answers the count and the brand facets
	// without reading a row (load-test profiles: ~18× less SQL per
	// category page). Plain SQL that PostgreSQL accepts too.
	err = db.W.Exec(`CREATE INDEX IF NOT EXISTS idx_products_listing ON products(category_id, active, brand, popularity)`).Error
	if err != nil {
		return fmt.Errorf("models: migrate listing index: %w", err)
	}
	// A shopper's behaviour history (views, clicks, carts, purchases) is
	// read on every personalized page. Impressions and searches pile up
	// beside it under the same user key, so the history has its own
	// partial index: the read stays a short index walk however many
	// impressions a shopper collects. PostgreSQL accepts the same SQL.
	err = db.W.Exec(`CREATE INDEX IF NOT EXISTS idx_events_user_behaviour ON events(user_key, created_at)
		WHERE type IN ('view','click','add_to_cart','purchase')`).Error
	if err != nil {
		return fmt.Errorf("models: migrate behaviour index: %w", err)
	}
	return nil
}

// analyze refreshes the query planner's statistics. Without them SQLite
// reads category listings through the index on products.active (true for
// nearly every row) and scans the whole catalog for each page; with them
// it uses the category index. Only the products table is analyzed, fully
// (a sampled ANALYZE misjudged the active index): it takes milliseconds,
// where analyzing millions of events would slow start-up. SQLite-specific,
// like the DSN: PostgreSQL's autovacuum keeps its own statistics.
func (db *DB) analyze() error {
	if err := db.W.Exec("ANALYZE products").Error; err != nil {
		return fmt.Errorf("models: analyze: %w", err)
	}
	return nil
}

// Ping checks that the reader pool answers.
func (db *DB) Ping(ctx context.Context) error {
	s, err := db.R.DB()
	if err != nil {
		return err
	}
	return s.PingContext(ctx)
}

// notFound turns GORM's record-not-found into ErrNotFound, wrapping once.
func notFound(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, gorm.ErrRecordNotFound) {
		err = ErrNotFound
	}
	return fmt.Errorf("models: "+format+": %w", append(args, err)...)
}

// Backup writes a consistent copy of the live database to path. It runs on
// a connection of its own: VACUUM INTO refuses to run on a connection that
// has statements in progress, which pooled connections may have.
func (db *DB) Backup(ctx context.Context, path string) error {
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("models: backup: %s already exists: %w", path, ErrInvalid)
	}
	conn, err := sql.Open("sqlite3", dsn(db.Path, false))
	if err != nil {
		return fmt.Errorf("models: backup: open %s: %w", db.Path, err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "VACUUM INTO ?", path); err != nil {
		return fmt.Errorf("models: backup to %s: %w", path, err)
	}
	return nil
}

// IsBusy reports whether err is SQLite saying the database stayed locked
// past the busy timeout: a moment of overload, not a bug.
func IsBusy(err error) bool {
	var se sqlite3.Error
	if errors.As(err, &se) {
		return se.Code == sqlite3.ErrBusy || se.Code == sqlite3.ErrLocked
	}
	return false
}
