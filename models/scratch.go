package models

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"

	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// TestDBEnv names the environment variable that points the test suites at
// a PostgreSQL server (postgres://user@host:port/postgres?sslmode=disable);
// unset, they run on SQLite files.
const TestDBEnv = "STOREFRONT_TEST_DB"

// ScratchTarget returns a --db value for a new, empty database: a new
// database on the PostgreSQL server TestDBEnv names, or else a SQLite file
// named name in dir. drop removes the PostgreSQL database (call it after
// closing every pool onto it); for SQLite it does nothing.
func ScratchTarget(dir, name string) (target string, drop func() error, err error) {
	server := os.Getenv(TestDBEnv)
	if server == "" {
		return filepath.Join(dir, name), func() error { return nil }, nil
	}
	return NewPostgresDatabase(server, "sf_test_")
}

// NewPostgresDatabase creates an empty database with a random name starting
// with prefix on the server of url and returns its URL and a function that
// drops it.
func NewPostgresDatabase(server, prefix string) (string, func() error, error) {
	if !IsPostgresURL(server) {
		return "", nil, fmt.Errorf("models: %s must be a postgres:// URL, got %q", TestDBEnv, RedactURL(server))
	}
	b := make([]byte, 6)
	rand.Read(b)
	name := prefix + hex.EncodeToString(b)
	admin, err := gorm.Open(postgres.Open(server), &gorm.Config{Logger: logger.Default.LogMode(logger.Silent)})
	if err != nil {
		return "", nil, err
	}
	adminSQL, _ := admin.DB()
	defer adminSQL.Close()
	if err := admin.Exec(`CREATE DATABASE "` + name + `"`).Error; err != nil {
		return "", nil, fmt.Errorf("models: create database %s: %w", name, err)
	}
	u, err := url.Parse(server)
	if err != nil {
		return "", nil, err
	}
	u.Path = "/" + name
	drop := func() error {
		admin, err := gorm.Open(postgres.Open(server), &gorm.Config{Logger: logger.Default.LogMode(logger.Silent)})
		if err != nil {
			return err
		}
		s, _ := admin.DB()
		defer s.Close()
		return admin.WithContext(context.Background()).Exec(`DROP DATABASE IF EXISTS "` + name + `" WITH (FORCE)`).Error
	}
	return u.String(), drop, nil
}

// OpenScratch opens a new, empty, migrated database (see ScratchTarget);
// done closes it and drops it from PostgreSQL.
func OpenScratch(dir, name string) (db *DB, done func(), err error) {
	target, drop, err := ScratchTarget(dir, name)
	if err != nil {
		return nil, nil, err
	}
	db, err = Open(target)
	if err != nil {
		drop()
		return nil, nil, err
	}
	return db, func() { db.Close(); drop() }, nil
}
