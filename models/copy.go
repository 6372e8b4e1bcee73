package models

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"time"

	"gorm.io/gorm"
)

// copyBatch rows are read and written at a time when copying a database.
const copyBatch = 2000

// TableCount is one table's rows in the source and the target of a copy.
type TableCount struct {
	Table          string
	Source, Target int64
}

// CopyTo copies every row of db into to, an empty database with the same
// schema (both are migrated when opened), keeping ids, and then checks
// that every table holds as many rows in both. Entities go through their
// structs, so each database's types are converted (SQLite's 0/1 booleans
// and text times, PostgreSQL's booleans and timestamps); sessions are
// copied with their expiry converted. Sequences on a PostgreSQL target
// continue after the copied ids.
func (db *DB) CopyTo(ctx context.Context, to *DB, progress func(table string, rows int64)) ([]TableCount, error) {
	if c, err := to.Counts(ctx); err != nil {
		return nil, err
	} else if !c.Empty() {
		return nil, fmt.Errorf("models: copy: the target %s already holds data (%+v); copy into an empty database: %w", to.Name(), c, ErrInvalid)
	}
	var counts []TableCount
	err := to.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// Everything created on opening (the default page row) goes first.
		for _, e := range schemaEntities {
			if err := tx.Session(&gorm.Session{AllowGlobalUpdate: true}).Delete(e).Error; err != nil {
				return err
			}
		}
		copied := map[string]int64{}
		for _, e := range schemaEntities {
			n, err := copyEntity(ctx, db.R, tx, e)
			if err != nil {
				return err
			}
			copied[tableOf(tx, e)] = n
			if progress != nil {
				progress(tableOf(tx, e), n)
			}
		}
		n, err := db.copySessions(ctx, to, tx)
		if err != nil {
			return err
		}
		if progress != nil {
			progress("sessions", n)
		}
		// A shop still serving the source writes while it is copied: the
		// copy would miss (or half-hold) those rows, so it is rolled back
		// and the target stays empty for the next try.
		var changed []string
		for _, e := range schemaEntities {
			var now int64
			if err := db.R.WithContext(ctx).Model(e).Count(&now).Error; err != nil {
				return err
			}
			if table := tableOf(tx, e); now != copied[table] {
				changed = append(changed, fmt.Sprintf("%s: %d rows copied, %d now", table, copied[table], now))
			}
		}
		if len(changed) > 0 {
			return fmt.Errorf("the source changed during the copy (%s): stop every shop serving %s and run migrate-data again; nothing was written to %s",
				strings.Join(changed, "; "), db.Name(), to.Name())
		}
		if to.Postgres() {
			return resetSequences(tx)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("models: copy %s to %s: %w", db.Name(), to.Name(), err)
	}
	for _, e := range append(append([]any{}, schemaEntities...), "sessions") {
		var tc TableCount
		if name, ok := e.(string); ok {
			tc.Table = name
			if err := db.R.WithContext(ctx).Table(name).Count(&tc.Source).Error; err != nil {
				return nil, err
			}
			if err := to.R.WithContext(ctx).Table(name).Count(&tc.Target).Error; err != nil {
				return nil, err
			}
		} else {
			tc.Table = tableOf(db.R, e)
			if err := db.R.WithContext(ctx).Model(e).Count(&tc.Source).Error; err != nil {
				return nil, err
			}
			if err := to.R.WithContext(ctx).Model(e).Count(&tc.Target).Error; err != nil {
				return nil, err
			}
		}
		counts = append(counts, tc)
	}
	return counts, nil
}

func tableOf(g *gorm.DB, model any) string {
	stmt := &gorm.Statement{DB: g}
	if err := stmt.Parse(model); err != nil {
		return fmt.Sprintf("%T", model)
	}
	return stmt.Schema.Table
}

// copyEntity copies one entity's table in primary-key order, as column
// maps (so GORM's tag defaults never replace a copied false or zero).
func copyEntity(ctx context.Context, from, to *gorm.DB, model any) (int64, error) {
	stmt := &gorm.Statement{DB: from}
	if err := stmt.Parse(model); err != nil {
		return 0, err
	}
	sch := stmt.Schema
	var order []string
	for _, f := range sch.PrimaryFields {
		order = append(order, f.DBName)
	}
	sliceType := reflect.SliceOf(reflect.TypeOf(model).Elem())
	batch := copyBatch
	switch model.(type) {
	case *ModelArtifact, *ModelArtifactPart:
		batch = 1 // a stored model is up to hundreds of MB a row
	}
	var total int64
	for offset := 0; ; offset += batch {
		rows := reflect.New(sliceType)
		if err := from.WithContext(ctx).Model(model).Order(strings.Join(order, ", ")).Limit(batch).Offset(offset).Find(rows.Interface()).Error; err != nil {
			return total, fmt.Errorf("read %s: %w", sch.Table, err)
		}
		n := rows.Elem().Len()
		if n == 0 {
			return total, nil
		}
		maps := make([]map[string]any, 0, n)
		for i := range n {
			row := rows.Elem().Index(i)
			m := make(map[string]any, len(sch.DBNames))
			for _, f := range sch.Fields {
				if f.DBName == "" {
					continue
				}
				v, _ := f.ValueOf(ctx, row)
				m[f.DBName] = v
			}
			maps = append(maps, m)
		}
		if err := to.WithContext(ctx).Table(sch.Table).Create(maps).Error; err != nil {
			return total, fmt.Errorf("write %s: %w", sch.Table, err)
		}
		total += int64(n)
		if n < batch {
			return total, nil
		}
	}
}

// copySessions copies live sessions, converting the expiry between
// SQLite's Julian day and PostgreSQL's timestamp.
func (db *DB) copySessions(ctx context.Context, to *DB, tx *gorm.DB) (int64, error) {
	type session struct {
		Token  string
		Data   []byte
		Expiry time.Time
	}
	var ss []session
	var err error
	if db.Postgres() {
		err = db.R.WithContext(ctx).Raw(`SELECT token, data, expiry FROM sessions WHERE expiry > now()`).Scan(&ss).Error
	} else {
		var raw []struct {
			Token  string
			Data   []byte
			Expiry string
		}
		err = db.R.WithContext(ctx).Raw(`SELECT token, data, strftime('%Y-%m-%dT%H:%M:%fZ', expiry) AS expiry FROM sessions WHERE expiry > julianday('now')`).Scan(&raw).Error
		for _, r := range raw {
			at, perr := time.Parse("2006-01-02T15:04:05.999Z", r.Expiry)
			if perr != nil {
				return 0, fmt.Errorf("read session expiry %q: %w", r.Expiry, perr)
			}
			ss = append(ss, session{Token: r.Token, Data: r.Data, Expiry: at})
		}
	}
	if err != nil {
		return 0, fmt.Errorf("read sessions: %w", err)
	}
	for _, s := range ss {
		if to.Postgres() {
			err = tx.Exec(`INSERT INTO sessions (token, data, expiry) VALUES (?, ?, ?)`, s.Token, s.Data, s.Expiry.UTC()).Error
		} else {
			err = tx.Exec(`INSERT INTO sessions (token, data, expiry) VALUES (?, ?, julianday(?))`, s.Token, s.Data, s.Expiry.UTC().Format("2006-01-02T15:04:05.999")).Error
		}
		if err != nil {
			return 0, fmt.Errorf("write session: %w", err)
		}
	}
	return int64(len(ss)), nil
}

// resetSequences moves every id sequence past the copied ids (and the
// shoppers' past every deleted shopper's id, which is never reused).
func resetSequences(tx *gorm.DB) error {
	var seqs []struct{ Table, Seq string }
	err := tx.Raw(`WITH t AS MATERIALIZED (SELECT table_schema, table_name FROM information_schema.columns
			WHERE table_schema = current_schema() AND column_name = 'id')
		SELECT table_name AS "table", COALESCE(pg_get_serial_sequence(format('%I.%I', table_schema, table_name), 'id'), '') AS seq FROM t`).Scan(&seqs).Error
	if err != nil {
		return err
	}
	for _, s := range seqs {
		if s.Seq == "" {
			continue
		}
		max := `SELECT COALESCE(MAX(id), 0) FROM "` + s.Table + `"`
		if s.Table == "shoppers" {
			max = `SELECT GREATEST((SELECT COALESCE(MAX(id), 0) FROM shoppers), (SELECT COALESCE(MAX(shopper_id), 0) FROM forgotten_users))`
		}
		var n int64
		if err := tx.Raw(max).Scan(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			if err := tx.Exec(`SELECT setval(?, ?)`, s.Seq, n).Error; err != nil {
				return err
			}
		}
	}
	return nil
}
