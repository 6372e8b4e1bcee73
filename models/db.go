// Package models holds the shop's persistent entities and every query against
// them. It is the only package that imports GORM; callers get plain structs
// and the sentinel errors below.
package models

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/mattn/go-sqlite3"
	"gorm.io/driver/postgres"
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

// DB holds the shop's database. On SQLite it is two pools onto one file:
// a single-connection writer, so every write transaction is serialized
// through one path and starts with BEGIN IMMEDIATE, and a reader pool that
// never queues behind it (WAL). On PostgreSQL, W and R are one pool.
type DB struct {
	W    *gorm.DB
	R    *gorm.DB
	Path string // the SQLite file; "" on PostgreSQL
	URL  string // the PostgreSQL URL; "" on SQLite
	// Migrated lists the migrations Open ran on this database.
	Migrated []string

	stopCheckpoints chan struct{} // SQLite: ends the background checkpoints
	checkpointsDone chan struct{}
	eventStmt       preparedEvent       // SQLite: the writer's event INSERTs (insertEventsSQLite)
	apiKeys         apiKeyCache         // keys APIKeyByToken found valid (admin_apikeys.go)
	sessionFind     preparedSessionFind // the session lookup of every signed-in page (sessions.go)
	writers         eventWriters        // the event writers of this database: reads of a user's history settle them
	lockWait        time.Duration       // PostgreSQL: the lock_timeout every connection has (0: unknown)
}

// Target is what Open was given: the SQLite path or the PostgreSQL URL.
func (db *DB) Target() string {
	if db.Postgres() {
		return db.URL
	}
	return db.Path
}

// Postgres reports whether the database is PostgreSQL.
func (db *DB) Postgres() bool { return db.URL != "" }

// Name describes the database for messages, without any password.
func (db *DB) Name() string {
	if db.Postgres() {
		return RedactURL(db.URL)
	}
	return db.Path
}

// sqliteBusyTimeout is how long a SQLite statement waits for the write
// lock before it answers busy.
const sqliteBusyTimeout = 5 * time.Second

// dsn is the one place SQLite-specific connection settings live.
func dsn(path string, writer bool) string {
	q := url.Values{}
	q.Set("_journal_mode", "WAL")
	q.Set("_busy_timeout", strconv.FormatInt(sqliteBusyTimeout.Milliseconds(), 10))
	q.Set("_foreign_keys", "on")
	q.Set("_synchronous", "NORMAL")
	if writer {
		q.Set("_txlock", "immediate")
	} else {
		q.Set("mode", "rw")
	}
	return "file:" + path + "?" + q.Encode()
}

// IsPostgresURL reports whether target names a PostgreSQL database.
func IsPostgresURL(target string) bool {
	return strings.HasPrefix(target, "postgres://") || strings.HasPrefix(target, "postgresql://")
}

// CheckTarget says what is wrong with a --db value, or nil: a SQLite file
// path or a postgres:// URL. Any other URL is refused before anything is
// created from it.
func CheckTarget(target string) error {
	if target == "" {
		return fmt.Errorf("models: no database given: %w", ErrInvalid)
	}
	if IsPostgresURL(target) {
		u, err := url.Parse(target)
		if err != nil {
			return fmt.Errorf("models: database URL %s: %v (want postgres://user:pass@host:port/db?sslmode=disable): %w", RedactURL(target), err, ErrInvalid)
		}
		if u.Host == "" || strings.Trim(u.Path, "/") == "" {
			return fmt.Errorf("models: database URL %s needs a host and a database name: postgres://user:pass@host:port/db?sslmode=disable: %w", RedactURL(target), ErrInvalid)
		}
		return nil
	}
	if i := strings.Index(target, "://"); i > 0 || strings.HasPrefix(target, "file:") {
		scheme := target
		if i > 0 {
			scheme = target[:i]
		} else {
			scheme = "file"
		}
		return fmt.Errorf("models: unsupported database %q (scheme %s): --db takes a SQLite file path (data/storefront.db) or postgres://user:pass@host:port/db?sslmode=disable: %w",
			RedactURL(target), scheme, ErrInvalid)
	}
	return nil
}

// RedactURL hides the password of a database URL.
func RedactURL(target string) string {
	u, err := url.Parse(target)
	if err != nil || u.User == nil {
		return target
	}
	return u.Redacted()
}

func gormConfig() *gorm.Config {
	return &gorm.Config{
		SkipDefaultTransaction: true,
		PrepareStmt:            true,
		// Multi-row event inserts differ by row count; bound the statement
		// cache so each size does not stay prepared forever.
		PrepareStmtMaxSize: 256,
		PrepareStmtTTL:     10 * time.Minute,
		Logger:             logger.Default.LogMode(logger.Silent),
	}
}

// Open opens the database and brings its schema up to date: a SQLite file
// (created if missing) or a postgres:// URL (the database must exist).
func Open(target string) (*DB, error) { return open(target, "") }

// open opens target and runs the migrations up to and including upTo
// (every one when upTo is "").
func open(target, upTo string) (*DB, error) {
	if err := CheckTarget(target); err != nil {
		return nil, err
	}
	if IsPostgresURL(target) {
		return openPostgres(target, upTo)
	}
	return openSQLite(target, upTo)
}

// Checkpoints copy the write-ahead log back into the database file. By
// default SQLite does it inside the commit that takes the log past 1,000
// pages (~4 MiB), so the one writer connection stopped, every few event
// batches, to copy and sync pages that event batches rewrite all over the
// events indexes. Here a background goroutine checkpoints every
// checkpointEvery on a reader connection, without blocking the writer
// (PASSIVE), and the writer checkpoints itself only past walCheckpointPages
// (~40 MiB), should the background ones fall behind.
const (
	checkpointEvery    = time.Second
	walCheckpointPages = 10000
)

// writerDriver is the SQLite driver of writer connections: every
// connection it opens, a reopened one included, gets walCheckpointPages.
const writerDriver = "sqlite3_storefront_writer"

var registerWriterDriver sync.Once

func openSQLite(path, upTo string) (*DB, error) {
	registerWriterDriver.Do(func() {
		sql.Register(writerDriver, &sqlite3.SQLiteDriver{ConnectHook: func(c *sqlite3.SQLiteConn) error {
			_, err := c.Exec(fmt.Sprintf("PRAGMA wal_autocheckpoint = %d", walCheckpointPages), nil)
			return err
		}})
	})
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("models: create data dir: %w", err)
		}
	}
	cfg := gormConfig()
	w, err := gorm.Open(sqlite.New(sqlite.Config{DriverName: writerDriver, DSN: dsn(path, true)}), cfg)
	if err != nil {
		if problem := sqliteWriteProblem(path); problem != nil {
			return nil, problem
		}
		return nil, fmt.Errorf("models: open writer %s: %w", path, err)
	}
	wsql, err := w.DB()
	if err != nil {
		return nil, fmt.Errorf("models: writer pool: %w", err)
	}
	wsql.SetMaxOpenConns(1)
	db := &DB{W: w, Path: path}
	if db.Migrated, err = db.migrate(context.Background(), upTo); err != nil {
		wsql.Close()
		if problem := sqliteWriteProblem(path); problem != nil {
			return nil, problem
		}
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
	db.stopCheckpoints, db.checkpointsDone = make(chan struct{}), make(chan struct{})
	go db.checkpoints()
	return db, nil
}

// sqliteWriteProblem explains why SQLite could not open path for writing
// when the cause is the file system (SQLite itself said "unable to open
// database file: no such file or directory" for a directory it may not
// create files in, and "attempt to write a readonly database" for a file
// it may not write): the database file or its directory is not writable by
// this user, or the file system is read-only. Nil when both are writable.
func sqliteWriteProblem(path string) error {
	who := "this user"
	if u, err := user.Current(); err == nil {
		who = "user " + u.Username
	}
	if f, err := os.OpenFile(path, os.O_RDWR, 0); err == nil {
		f.Close()
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("models: open %s: %s cannot write the database file (%w); give it write access or run the shop as the file's owner", path, who, errors.Unwrap(err))
	}
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, ".storefront-write-check-*")
	if err != nil {
		return fmt.Errorf("models: open %s: %s cannot create files in %s (%w), where SQLite keeps the database and its -wal and -shm files; give it write access to the directory or choose another --db", path, who, dir, errors.Unwrap(err))
	}
	f.Close()
	os.Remove(f.Name())
	return nil
}

// checkpoints copies the write-ahead log into the database file in the
// background until Close (see checkpointEvery).
func (db *DB) checkpoints() {
	defer close(db.checkpointsDone)
	tick := time.NewTicker(checkpointEvery)
	defer tick.Stop()
	for {
		select {
		case <-db.stopCheckpoints:
			return
		case <-tick.C:
			// A failure (the file busy for a moment) is retried on the next
			// tick, and the writer's own checkpoint is the backstop. The
			// answer row is read to its end: a statement left on its row
			// would hold a read transaction open on that connection, which
			// would then see an old snapshot.
			var res struct{ Busy, Log, Checkpointed int }
			_ = db.R.Raw("PRAGMA wal_checkpoint(PASSIVE)").Scan(&res).Error
		}
	}
}

// PostgresPool is the connection pool size of one instance on PostgreSQL
// (STOREFRONT_PG_POOL overrides it): N instances hold up to N × this many
// connections, which must stay under the server's max_connections.
func PostgresPool() int {
	if n, err := strconv.Atoi(os.Getenv("STOREFRONT_PG_POOL")); err == nil && n > 0 {
		return n
	}
	return 16
}

// connectTimeout bounds reaching a PostgreSQL server when the shop opens.
var connectTimeout = 10 * time.Second

// lockTimeout is how long a PostgreSQL statement waits for a lock before
// giving up with a busy error, as SQLite's busy timeout does; a URL that
// sets lock_timeout itself keeps its own.
const lockTimeout = "5s"

func openPostgres(target, upTo string) (*DB, error) {
	dsn := target
	lockWait, _ := pgDuration(lockTimeout)
	if u, err := url.Parse(target); err == nil && u.Query().Get("lock_timeout") == "" {
		q := u.Query()
		q.Set("lock_timeout", lockTimeout)
		u.RawQuery = q.Encode()
		dsn = u.String()
	} else if err == nil {
		lockWait, _ = pgDuration(u.Query().Get("lock_timeout"))
	}
	g, err := gorm.Open(postgres.Open(dsn), gormConfig())
	if err != nil {
		return nil, fmt.Errorf("models: open %s: %w", RedactURL(target), err)
	}
	sqlDB, err := g.DB()
	if err != nil {
		return nil, fmt.Errorf("models: pool: %w", err)
	}
	n := PostgresPool()
	sqlDB.SetMaxOpenConns(n)
	sqlDB.SetMaxIdleConns(n)
	sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	ctx, cancel := context.WithTimeout(context.Background(), connectTimeout)
	defer cancel()
	if err := sqlDB.PingContext(ctx); err != nil {
		sqlDB.Close()
		return nil, fmt.Errorf("models: connect to %s: %w", RedactURL(target), err)
	}
	db := &DB{W: g, R: g, URL: target, lockWait: lockWait}
	// Not within the connect timeout: a migration that builds an index on
	// a shop's millions of events takes as long as it takes (a lock it
	// waits for is bounded by lock_timeout), as on SQLite.
	if db.Migrated, err = db.migrate(context.Background(), upTo); err != nil {
		sqlDB.Close()
		return nil, err
	}
	return db, nil
}

// Close closes both pools.
func (db *DB) Close() error {
	if db.stopCheckpoints != nil {
		close(db.stopCheckpoints)
		<-db.checkpointsDone
		db.stopCheckpoints = nil
	}
	db.eventStmt.close()
	db.sessionFind.close()
	var errs []error
	for i, g := range []*gorm.DB{db.R, db.W} {
		if g == nil || (i == 1 && db.W == db.R) {
			continue
		}
		if s, err := g.DB(); err == nil {
			errs = append(errs, s.Close())
		}
	}
	return errors.Join(errs...)
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

// lockTx serializes the rest of a transaction with every other
// transaction that takes the same key, across all instances on one
// PostgreSQL database (an advisory lock released at commit). On SQLite
// every write transaction is serialized already.
func lockTx(tx *gorm.DB, key string) error {
	if tx.Dialector.Name() != "postgres" {
		return nil
	}
	return tx.Exec(`SELECT pg_advisory_xact_lock(hashtext(?))`, key).Error
}

// TryLock takes a lock named key that one holder at a time may have,
// across every instance on a PostgreSQL database (a session advisory lock
// on a connection kept for it), without waiting; ok is false when someone
// else holds it. On SQLite, a single process's database, it always succeeds.
func (db *DB) TryLock(ctx context.Context, key string) (unlock func(), ok bool, err error) {
	if !db.Postgres() {
		return func() {}, true, nil
	}
	pool, err := db.W.DB()
	if err != nil {
		return nil, false, err
	}
	conn, err := pool.Conn(ctx)
	if err != nil {
		return nil, false, fmt.Errorf("models: lock %s: %w", key, err)
	}
	if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock(hashtext($1))`, key).Scan(&ok); err != nil || !ok {
		conn.Close()
		if err != nil {
			return nil, false, fmt.Errorf("models: lock %s: %w", key, err)
		}
		return nil, false, nil
	}
	return func() {
		conn.ExecContext(context.Background(), `SELECT pg_advisory_unlock(hashtext($1))`, key)
		conn.Close()
	}, true, nil
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
	if db.Postgres() {
		return db.pgDump(ctx, path)
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

// IsBusy reports whether err is the database saying it stayed locked past
// the wait limit (SQLite's busy timeout, PostgreSQL's lock_timeout) or
// could not take a connection: a moment of overload, not a bug.
func IsBusy(err error) bool {
	if errors.Is(err, ErrBusy) {
		return true
	}
	var se sqlite3.Error
	if errors.As(err, &se) {
		return se.Code == sqlite3.ErrBusy || se.Code == sqlite3.ErrLocked
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		// lock_not_available, too_many_connections, cannot_connect_now,
		// serialization_failure, deadlock_detected
		switch pe.Code {
		case "55P03", "53300", "57P03", "40001", "40P01":
			return true
		}
	}
	return false
}

// ErrBusy says a write gave up waiting for locks others held so that its
// request could still answer within its deadline (txWithin).
var ErrBusy = errors.New("the database stayed busy for as long as the request could wait")

// txWithin runs the transaction fn, tried again while it fails because it
// waited too long for a lock (retryBusy: at most tries times, pause
// between), and waits for locks no longer than until ctx's deadline less
// reserve, the time the request keeps to answer: each try waits at most
// four fifths of what is left then (PostgreSQL: the transaction's
// lock_timeout, set by fn through setLockWait; SQLite: the writer's busy
// timeout). A wait cut short this way, or a turn at the connection pool
// that did not come in time, is ErrBusy: a clean refusal before the
// request's own deadline cancels a statement half-way (a COMMIT cancelled
// mid-way leaves the caller unsure whether it happened). Without a
// deadline the configured waits stand.
func (db *DB) txWithin(ctx context.Context, reserve time.Duration, tries int, pause func() time.Duration, fn func(tx *gorm.DB) error) error {
	deadline, ok := ctx.Deadline()
	if !ok {
		return retryBusy(ctx, tries, pause, func() error { return db.W.WithContext(ctx).Transaction(fn) })
	}
	tctx, cancel := context.WithDeadline(ctx, deadline.Add(-reserve))
	defer cancel()
	if tctx.Err() != nil {
		return fmt.Errorf("models: no time left to wait for the database: %w", ErrBusy)
	}
	var err error
	if db.Postgres() {
		err = retryBusy(tctx, tries, pause, func() error { return db.W.WithContext(tctx).Transaction(fn) })
	} else {
		err = retryBusy(tctx, tries, pause, func() error {
			return db.W.WithContext(tctx).Connection(func(c *gorm.DB) error {
				wait := min(waitLeft(tctx), sqliteBusyTimeout)
				if err := c.Exec(fmt.Sprintf("PRAGMA busy_timeout = %d", max(wait.Milliseconds(), 1))).Error; err != nil {
					return err
				}
				defer c.WithContext(context.Background()).Exec(fmt.Sprintf("PRAGMA busy_timeout = %d", sqliteBusyTimeout.Milliseconds()))
				return c.Transaction(fn)
			})
		})
	}
	if err != nil && tctx.Err() != nil && ctx.Err() == nil {
		return fmt.Errorf("models: %v: %w", err, ErrBusy)
	}
	return err
}

// waitLeft is four fifths of the time left until ctx's deadline (an hour
// without one): the database gives up a lock a little before the
// context ends, so the context never has to cancel a statement.
func waitLeft(ctx context.Context) time.Duration {
	deadline, ok := ctx.Deadline()
	if !ok {
		return time.Hour
	}
	return max(time.Until(deadline)*4/5, time.Millisecond)
}

// setLockWait bounds the lock waits of the rest of transaction tx on
// PostgreSQL by the time its context has left (waitLeft), when that is
// shorter than the configured lock_timeout.
func (db *DB) setLockWait(tx *gorm.DB) error {
	if _, ok := tx.Statement.Context.Deadline(); !ok || !db.Postgres() {
		return nil
	}
	wait := waitLeft(tx.Statement.Context)
	if db.lockWait > 0 && wait >= db.lockWait {
		return nil
	}
	return tx.Exec("SELECT set_config('lock_timeout', ?, true)", strconv.FormatInt(wait.Milliseconds(), 10)).Error
}

// pgDuration reads a PostgreSQL time setting as a URL gives it ("300ms",
// "5s", "1min", or a number of milliseconds); ok is false for anything else.
func pgDuration(v string) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if n, err := strconv.Atoi(v); err == nil {
		return time.Duration(n) * time.Millisecond, true
	}
	v = strings.Replace(v, "min", "m", 1)
	d, err := time.ParseDuration(strings.ReplaceAll(v, " ", ""))
	return d, err == nil
}

// testHookBusyRetry, when set by a test, runs after a write waited too long
// for a lock and before retryBusy tries it again.
var testHookBusyRetry func()

// retryBusy runs fn, and again after pause while it fails because it waited
// too long for a lock (IsBusy), at most tries times in all; a ctx that ends
// cuts the pause short and stops the tries.
func retryBusy(ctx context.Context, tries int, pause func() time.Duration, fn func() error) error {
	for attempt := 1; ; attempt++ {
		err := fn()
		if !IsBusy(err) || attempt >= tries || ctx.Err() != nil {
			return err
		}
		if testHookBusyRetry != nil {
			testHookBusyRetry()
		}
		t := time.NewTimer(pause())
		select {
		case <-ctx.Done():
		case <-t.C:
		}
		t.Stop()
	}
}

// pgDumpHelp explains how to back up and restore PostgreSQL by hand.
const pgDumpHelp = `on PostgreSQL, back up with pg_dump (a consistent snapshot while the shop serves):
  pg_dump --format=custom --file=FILE 'postgres://…'
and restore into an empty database with:
  pg_restore --no-owner --dbname='postgres://…' FILE`

// pgDump writes a consistent dump of a PostgreSQL database with pg_dump
// (custom format; pg_restore reads it back).
func (db *DB) pgDump(ctx context.Context, path string) error {
	bin, err := exec.LookPath("pg_dump")
	if err != nil {
		return fmt.Errorf("models: backup: pg_dump is not installed (apt-get install postgresql-client); %s", pgDumpHelp)
	}
	out, err := pgCommand(ctx, bin, db.URL, "--format=custom", "--no-owner", "--file="+path).CombinedOutput()
	if err != nil {
		os.Remove(path)
		return fmt.Errorf("models: backup with pg_dump: %v: %s\n%s", err, strings.TrimSpace(string(out)), pgDumpHelp)
	}
	return nil
}

// pgCommand runs a PostgreSQL client tool (pg_dump, pg_restore) on the
// database at dsn: the URL without its password as --dbname, the password
// in the tool's environment (withoutPassword).
func pgCommand(ctx context.Context, bin, dsn string, args ...string) *exec.Cmd {
	target, password := withoutPassword(dsn)
	cmd := exec.CommandContext(ctx, bin, append([]string{"--dbname=" + target}, args...)...)
	if password != "" {
		cmd.Env = append(os.Environ(), "PGPASSWORD="+password)
	}
	return cmd
}

// withoutPassword splits a connection URL's password from it: a password
// in pg_dump's arguments is readable by every user of the machine (ps)
// while the backup runs; in its environment (PGPASSWORD) only by the
// user running it. A URL that does not parse is left whole.
func withoutPassword(dsn string) (string, string) {
	u, err := url.Parse(dsn)
	if err != nil || u.User == nil {
		return dsn, ""
	}
	password, ok := u.User.Password()
	if !ok {
		return dsn, ""
	}
	u.User = url.User(u.User.Username())
	return u.String(), password
}

// RestorePostgres loads a pg_dump backup (see Backup) into the empty
// PostgreSQL database at target.
func RestorePostgres(ctx context.Context, file, target string) error {
	bin, err := exec.LookPath("pg_restore")
	if err != nil {
		return fmt.Errorf("models: restore: pg_restore is not installed (apt-get install postgresql-client)")
	}
	out, err := pgCommand(ctx, bin, target, "--no-owner", "--exit-on-error", file).CombinedOutput()
	if err != nil {
		return fmt.Errorf("models: restore with pg_restore: %v: %s", err, strings.TrimSpace(string(out)))
	}
	return nil
}
