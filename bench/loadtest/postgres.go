package loadtest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx" for the maintenance connection

	"storefront/models"
)

// Comments the harness puts on the PostgreSQL databases it creates, so it
// never drops a database it did not make.
const (
	pgRunMark  = "storefront bench run"
	pgSeedMark = "storefront bench seed" // followed by the scale and the world's counts
)

// preparePostgres makes the database named by runURL a fresh copy of the
// seeded world. The world is copied once from the pristine SQLite file into
// a database of its own (the run database's name + "_seed"), with
// models.CopyTo as `storefront migrate-data` does; every run then recreates
// the run database from it as a template, which takes seconds. Both
// databases are dropped and recreated only when they carry the harness's
// comment: any other existing database of that name is refused. The server
// must let the URL's user create databases; the maintenance connection goes
// to the server's "postgres" database.
func preparePostgres(ctx context.Context, runURL, pristine, scale string, reseed bool, log io.Writer) error {
	u, err := url.Parse(runURL)
	if err != nil {
		return fmt.Errorf("loadtest: --db: %w", err)
	}
	name := strings.Trim(u.Path, "/")
	if name == "" || name == "postgres" || strings.Contains(name, "/") {
		return fmt.Errorf("loadtest: --db %s must name a database of its own for the harness (e.g. …/bench), not %q", models.RedactURL(runURL), name)
	}
	seedName := name + "_seed"
	withDB := func(db string) string {
		v := *u
		v.Path = "/" + db
		return v.String()
	}
	maint, err := sql.Open("pgx", withDB("postgres"))
	if err != nil {
		return fmt.Errorf("loadtest: %w", err)
	}
	defer maint.Close()
	maint.SetMaxOpenConns(1)
	// The seed copy is marked with the world's counts: the pristine file
	// changes on every open, the seeded world only with --reseed.
	src, err := models.Open(pristine)
	if err != nil {
		return err
	}
	counts, err := src.Counts(ctx)
	src.Close()
	if err != nil {
		return err
	}
	seedMark := fmt.Sprintf("%s %s %d products %d shoppers %d events", pgSeedMark, scale, counts.Products, counts.Shoppers, counts.Events)

	// comment is the database's comment; ok is false when it does not exist.
	comment := func(db string) (c string, ok bool, err error) {
		var cs sql.NullString
		err = maint.QueryRowContext(ctx, `SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = $1`, db).Scan(&cs)
		if errors.Is(err, sql.ErrNoRows) {
			return "", false, nil
		}
		return cs.String, err == nil, err
	}
	drop := func(db, mark string) error {
		c, ok, err := comment(db)
		if err != nil || !ok {
			return err
		}
		if !strings.HasPrefix(c, mark) {
			return fmt.Errorf("loadtest: database %s exists and was not made by the harness (comment %q); give --db a database name the harness may drop and recreate", db, c)
		}
		_, err = maint.ExecContext(ctx, `DROP DATABASE `+pgx.Identifier{db}.Sanitize()+` WITH (FORCE)`)
		return err
	}
	create := func(db, template, mark string) error {
		q := `CREATE DATABASE ` + pgx.Identifier{db}.Sanitize()
		if template != "" {
			q += ` TEMPLATE ` + pgx.Identifier{template}.Sanitize()
		}
		if _, err := maint.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("loadtest: create database %s: %w", db, err)
		}
		_, err := maint.ExecContext(ctx, `COMMENT ON DATABASE `+pgx.Identifier{db}.Sanitize()+` IS '`+strings.ReplaceAll(mark, "'", "''")+`'`)
		return err
	}

	// The run database goes first: it may have been made from the seed.
	if err := drop(name, pgRunMark); err != nil {
		return err
	}
	c, ok, err := comment(seedName)
	if err != nil {
		return fmt.Errorf("loadtest: %w", err)
	}
	if reseed || !ok || c != seedMark {
		if err := drop(seedName, pgSeedMark); err != nil {
			return err
		}
		start := time.Now()
		fmt.Fprintf(log, "bench: copying %s into PostgreSQL database %s (once per seeded world)\n", pristine, seedName)
		// Marked only after the copy succeeded: a half-made seed is redone.
		if err := create(seedName, "", pgSeedMark+" incomplete"); err != nil {
			return err
		}
		if err := copyWorld(ctx, pristine, withDB(seedName)); err != nil {
			return err
		}
		if _, err := maint.ExecContext(ctx, `COMMENT ON DATABASE `+pgx.Identifier{seedName}.Sanitize()+` IS '`+seedMark+`'`); err != nil {
			return err
		}
		fmt.Fprintf(log, "bench: copied in %s\n", time.Since(start).Round(time.Millisecond))
	}
	return create(name, seedName, pgRunMark)
}

// copyWorld copies the SQLite file into the empty PostgreSQL database and
// refreshes the planner's statistics, which a template copy keeps.
func copyWorld(ctx context.Context, pristine, target string) error {
	src, err := models.Open(pristine)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := models.Open(target)
	if err != nil {
		return err
	}
	defer dst.Close()
	counts, err := src.CopyTo(ctx, dst, nil)
	if err != nil {
		return err
	}
	for _, c := range counts {
		if c.Source != c.Target {
			return fmt.Errorf("loadtest: copy: %s has %d rows in SQLite and %d in PostgreSQL", c.Table, c.Source, c.Target)
		}
	}
	return dst.W.WithContext(ctx).Exec("VACUUM ANALYZE").Error
}
