package models

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"gorm.io/gorm"
)

// The schema is a list of versioned migrations, the same list for SQLite
// and PostgreSQL. Each lives in a file of its own, schema_<id>.go, and
// registers itself:
//
//	func init() {
//		register("202612021200_product_sale_price", func(tx *gorm.DB) error {
//			return addColumns(tx, &Product{}, "SalePriceCents")
//		})
//	}
//
// The id starts with the UTC time it was written (YYYYMMDDHHMM), so ids
// from different branches never clash and sort in the order they were
// written. A database records every migration it has run in
// schema_migrations; Open (and `storefront migrate`) runs the missing
// ones in id order, each in its own transaction with its record, so a
// failed migration leaves nothing half done. A migration is never edited
// once it has landed: change the schema with a new one.
//
// createTables and addColumns read the current entity structs and do
// nothing for what already exists, so a table added in one migration and
// a column added to it in a later one converge whatever the order. Plain
// SQL (tx.Exec) works too; tx.Dialector.Name() is "sqlite" or "postgres"
// where the two need different SQL.

// Migration is one step of the schema.
type Migration struct {
	ID string
	Up func(tx *gorm.DB) error
}

var migrations []Migration

func register(id string, up func(tx *gorm.DB) error) {
	migrations = append(migrations, Migration{ID: id, Up: up})
}

// Migrations lists every migration id in the order they run.
func Migrations() []string {
	ids := make([]string, 0, len(migrations))
	for _, m := range sortedMigrations() {
		ids = append(ids, m.ID)
	}
	return ids
}

func sortedMigrations() []Migration {
	ms := slices.Clone(migrations)
	sort.Slice(ms, func(i, j int) bool { return ms[i].ID < ms[j].ID })
	return ms
}

// schemaMigration is a row of schema_migrations.
type schemaMigration struct {
	ID        string `gorm:"primaryKey;size:191"`
	AppliedAt time.Time
}

func (schemaMigration) TableName() string { return "schema_migrations" }

// migrationLock is the PostgreSQL advisory lock key under which instances
// starting together migrate one at a time.
const migrationLock = 7_114_202_612

// Migrate runs every migration the database has not run yet and returns
// their ids.
func (db *DB) Migrate(ctx context.Context) ([]string, error) { return db.migrate(ctx, "") }

func (db *DB) migrate(ctx context.Context, upTo string) ([]string, error) {
	w := db.W.WithContext(ctx)
	if !w.Migrator().HasTable(&schemaMigration{}) {
		if err := w.Migrator().CreateTable(&schemaMigration{}); err != nil && !w.Migrator().HasTable(&schemaMigration{}) {
			return nil, fmt.Errorf("models: create schema_migrations: %w", err)
		}
	}
	var ran []string
	for _, m := range sortedMigrations() {
		if upTo != "" && m.ID > upTo {
			break
		}
		applied := false
		err := w.Transaction(func(tx *gorm.DB) error {
			if db.Postgres() {
				if err := tx.Exec(`SELECT pg_advisory_xact_lock(?)`, migrationLock).Error; err != nil {
					return err
				}
			}
			var n int64
			if err := tx.Model(&schemaMigration{}).Where("id = ?", m.ID).Count(&n).Error; err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			if err := m.Up(tx); err != nil {
				return err
			}
			applied = true
			return tx.Create(&schemaMigration{ID: m.ID, AppliedAt: time.Now().UTC()}).Error
		})
		if err != nil {
			return ran, fmt.Errorf("models: migration %s: %w", m.ID, err)
		}
		if applied {
			ran = append(ran, m.ID)
		}
	}
	if upTo == "" {
		// Data written by older versions that is fixed on every open.
		if err := normalizeSlotStrategies(w); err != nil {
			return ran, err
		}
	}
	return ran, nil
}

// AppliedMigrations lists the migrations the database has run, in id order.
func (db *DB) AppliedMigrations(ctx context.Context) ([]string, error) {
	var ids []string
	err := db.R.WithContext(ctx).Model(&schemaMigration{}).Order("id").Pluck("id", &ids).Error
	if err != nil {
		return nil, fmt.Errorf("models: applied migrations: %w", err)
	}
	return ids, nil
}

// createTables creates each model's table with its indexes and
// constraints; a table that exists is left alone.
func createTables(tx *gorm.DB, models ...any) error {
	for _, m := range models {
		if tx.Migrator().HasTable(m) {
			continue
		}
		if err := tx.Migrator().CreateTable(m); err != nil {
			return err
		}
	}
	return nil
}

// addColumns adds the named struct fields of model as columns, with the
// indexes their tags ask for; a column that exists is left alone.
func addColumns(tx *gorm.DB, model any, fields ...string) error {
	stmt := &gorm.Statement{DB: tx}
	if err := stmt.Parse(model); err != nil {
		return err
	}
	for _, f := range fields {
		field := stmt.Schema.LookUpField(f)
		if field == nil {
			return fmt.Errorf("addColumns: %s has no field %s", stmt.Schema.Name, f)
		}
		if !tx.Migrator().HasColumn(model, f) {
			if err := tx.Migrator().AddColumn(model, f); err != nil {
				return err
			}
		}
		for _, idx := range stmt.Schema.ParseIndexes() {
			for _, opt := range idx.Fields {
				if opt.Field == field && !tx.Migrator().HasIndex(model, idx.Name) {
					if err := tx.Migrator().CreateIndex(model, idx.Name); err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
}

// execAll runs SQL statements in order.
func execAll(tx *gorm.DB, stmts ...string) error {
	for _, q := range stmts {
		if err := tx.Exec(q).Error; err != nil {
			return fmt.Errorf("%s: %w", strings.SplitN(strings.TrimSpace(q), "\n", 2)[0], err)
		}
	}
	return nil
}

// schemaEntities are the structs whose tables the schema must hold: a
// test checks that, after every migration, each of their fields has a
// column on both databases. Add a new entity here with its migration.
var schemaEntities = []any{
	&Category{}, &Product{}, &Shopper{}, &Staff{}, &Event{},
	&CartItem{}, &Order{}, &OrderItem{},
	&Page{}, &Slot{}, &LayoutVersion{}, &AuditLog{},
	&ModelArtifact{}, &ModelArtifactPart{}, &APIKey{}, &Setting{}, &ForgottenUser{},
	&Image{}, &ImageFile{},
	&Experiment{}, &ExperimentArm{},
	&ImportJob{},
	&PasswordReset{},
	&LoginAllowance{},
	&Instance{},
	&VoidedPayment{},
}
