// Package models holds the shop's persistent entities and every query against
// them. It is the only package that imports GORM; callers get plain structs
// and the sentinel errors below.
package models

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"time"

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
		&ModelArtifact{}, &APIKey{}, &Setting{},
	)
	if err != nil {
		return fmt.Errorf("models: migrate: %w", err)
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

// Backup writes a consistent copy of the live database to path.
func (db *DB) Backup(ctx context.Context, path string) error {
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("models: backup: %s already exists: %w", path, ErrInvalid)
	}
	if err := db.W.WithContext(ctx).Exec("VACUUM INTO ?", path).Error; err != nil {
		return fmt.Errorf("models: backup to %s: %w", path, err)
	}
	return nil
}
