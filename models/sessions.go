package models

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"
)

// SessionStore keeps web sessions in the shop's database, so every
// instance on one PostgreSQL database sees the same sessions. It implements
// scs.Store and scs.CtxStore: lookups use the read pool so they never queue
// behind writes; commits go through the writer. SQLite keeps the expiry as
// a Julian day, PostgreSQL as a timestamp.
type SessionStore struct {
	db *DB
	// Owner reads the shopper a session's data is signed in as (0: none;
	// false: not readable), kept beside the data so that the sessions of
	// one shopper are found by an index (EndSessionsOf). Without it a
	// session's owner is not known (NULL).
	Owner func(data []byte) (uint, bool)
}

// Sessions returns the session store of db.
func (db *DB) Sessions() *SessionStore { return &SessionStore{db: db} }

// FindCtx returns the session data for token, if it exists and has not expired.
// Every page of a signed-in shopper looks its session up: the statement is
// prepared once (sessionFind), not compiled per request.
func (s *SessionStore) FindCtx(ctx context.Context, token string) ([]byte, bool, error) {
	stmt, err := s.db.sessionFind.get(s.db)
	if err != nil {
		return nil, false, fmt.Errorf("models: find session: %w", err)
	}
	var data []byte
	err = stmt.QueryRowContext(ctx, token).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("models: find session: %w", err)
	}
	return data, true, nil
}

// preparedSessionFind is the session lookup prepared on the read pool the first time
// it is used; database/sql prepares it again on each connection it runs on.
type preparedSessionFind struct {
	mu   sync.Mutex
	stmt *sql.Stmt
}

func (p *preparedSessionFind) get(db *DB) (*sql.Stmt, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stmt != nil {
		return p.stmt, nil
	}
	r, err := db.R.DB()
	if err != nil {
		return nil, err
	}
	q := `SELECT data FROM sessions WHERE token = ? AND julianday('now') < expiry`
	if db.Postgres() {
		q = `SELECT data FROM sessions WHERE token = $1 AND now() < expiry`
	}
	if p.stmt, err = r.Prepare(q); err != nil {
		return nil, err
	}
	return p.stmt, nil
}

func (p *preparedSessionFind) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stmt != nil {
		p.stmt.Close()
		p.stmt = nil
	}
}

// CommitCtx stores session data until expiry, with the shopper it is
// signed in as (Owner).
func (s *SessionStore) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	w, err := s.db.W.DB()
	if err != nil {
		return err
	}
	var owner any // NULL: not known
	if s.Owner != nil {
		if id, ok := s.Owner(b); ok {
			owner = int64(id)
		}
	}
	if s.db.Postgres() {
		_, err = w.ExecContext(ctx, `INSERT INTO sessions (token, data, expiry, shopper_id) VALUES ($1, $2, $3, $4)
		ON CONFLICT(token) DO UPDATE SET data = excluded.data, expiry = excluded.expiry, shopper_id = excluded.shopper_id`, token, b, expiry.UTC(), owner)
	} else {
		_, err = w.ExecContext(ctx, `INSERT INTO sessions (token, data, expiry, shopper_id) VALUES (?, ?, julianday(?), ?)
		ON CONFLICT(token) DO UPDATE SET data = excluded.data, expiry = excluded.expiry, shopper_id = excluded.shopper_id`,
			token, b, expiry.UTC().Format("2006-01-02T15:04:05.999"), owner)
	}
	if err != nil {
		return fmt.Errorf("models: commit session: %w", err)
	}
	return nil
}

// EndSessionsOf deletes every stored session signed in as the shopper and
// says how many sessions of unknown owner it read to find them. The
// sessions stored with their owner are found by its index; only those
// stored without one (before the owner was kept, or by an instance that
// does not keep it yet) are read and their owner decoded. Reading every
// session of the shop for each sign-out everywhere made one shopper's
// requests cost the server the whole table each (100,000 sessions: 1.7 s).
func (s *SessionStore) EndSessionsOf(ctx context.Context, shopperID uint) (read int, err error) {
	w, err := s.db.W.DB()
	if err != nil {
		return 0, err
	}
	if s.db.Postgres() {
		_, err = w.ExecContext(ctx, `DELETE FROM sessions WHERE shopper_id = $1`, int64(shopperID))
	} else {
		_, err = w.ExecContext(ctx, `DELETE FROM sessions WHERE shopper_id = ?`, int64(shopperID))
	}
	if err != nil {
		return 0, fmt.Errorf("models: end a shopper's sessions: %w", err)
	}
	if s.Owner == nil {
		return 0, nil
	}
	var rows *sql.Rows
	if s.db.Postgres() {
		rows, err = w.QueryContext(ctx, `SELECT token, data FROM sessions WHERE shopper_id IS NULL AND now() < expiry`)
	} else {
		rows, err = w.QueryContext(ctx, `SELECT token, data FROM sessions WHERE shopper_id IS NULL AND julianday('now') < expiry`)
	}
	if err != nil {
		return 0, fmt.Errorf("models: end a shopper's sessions: %w", err)
	}
	var theirs []string
	for rows.Next() {
		var token string
		var data []byte
		if err := rows.Scan(&token, &data); err != nil {
			rows.Close()
			return read, fmt.Errorf("models: end a shopper's sessions: %w", err)
		}
		read++
		if id, ok := s.Owner(data); ok && id == shopperID {
			theirs = append(theirs, token)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return read, fmt.Errorf("models: end a shopper's sessions: %w", err)
	}
	for _, token := range theirs {
		if err := s.DeleteCtx(ctx, token); err != nil {
			return read, err
		}
	}
	return read, nil
}

// DeleteCtx removes a session (logout).
func (s *SessionStore) DeleteCtx(ctx context.Context, token string) error {
	w, err := s.db.W.DB()
	if err != nil {
		return err
	}
	if s.db.Postgres() {
		_, err = w.ExecContext(ctx, `DELETE FROM sessions WHERE token = $1`, token)
	} else {
		_, err = w.ExecContext(ctx, `DELETE FROM sessions WHERE token = ?`, token)
	}
	if err != nil {
		return fmt.Errorf("models: delete session: %w", err)
	}
	return nil
}

// DeleteExpired removes the sessions whose expiry has passed. scs never
// deletes one itself (a lookup only ignores it), so without this every
// session ever started (each login, each visitor shown a message) stayed
// in the table for good; the daily housekeeping calls it.
func (s *SessionStore) DeleteExpired(ctx context.Context) (int64, error) {
	w, err := s.db.W.DB()
	if err != nil {
		return 0, err
	}
	var res sql.Result
	if s.db.Postgres() {
		res, err = w.ExecContext(ctx, `DELETE FROM sessions WHERE expiry <= now()`)
	} else {
		res, err = w.ExecContext(ctx, `DELETE FROM sessions WHERE expiry <= julianday('now')`)
	}
	if err != nil {
		return 0, fmt.Errorf("models: delete expired sessions: %w", err)
	}
	return res.RowsAffected()
}

// AllCtx returns every live session (scs.IterableCtxStore), so all sessions
// of a deleted account can be ended.
func (s *SessionStore) AllCtx(ctx context.Context) (map[string][]byte, error) {
	r, err := s.db.R.DB()
	if err != nil {
		return nil, err
	}
	var rows *sql.Rows
	if s.db.Postgres() {
		rows, err = r.QueryContext(ctx, `SELECT token, data FROM sessions WHERE now() < expiry`)
	} else {
		rows, err = r.QueryContext(ctx, `SELECT token, data FROM sessions WHERE julianday('now') < expiry`)
	}
	if err != nil {
		return nil, fmt.Errorf("models: list sessions: %w", err)
	}
	defer rows.Close()
	out := map[string][]byte{}
	for rows.Next() {
		var token string
		var data []byte
		if err := rows.Scan(&token, &data); err != nil {
			return nil, fmt.Errorf("models: list sessions: %w", err)
		}
		out[token] = data
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("models: list sessions: %w", err)
	}
	return out, nil
}

// Find, Commit and Delete satisfy scs.Store for callers without a context.
func (s *SessionStore) Find(token string) ([]byte, bool, error) {
	return s.FindCtx(context.Background(), token)
}

func (s *SessionStore) Commit(token string, b []byte, expiry time.Time) error {
	return s.CommitCtx(context.Background(), token, b, expiry)
}

func (s *SessionStore) Delete(token string) error {
	return s.DeleteCtx(context.Background(), token)
}

// DeleteExpiredSessions removes sessions past their expiry.
func (db *DB) DeleteExpiredSessions(ctx context.Context) error {
	var err error
	if db.Postgres() {
		err = db.W.WithContext(ctx).Exec(`DELETE FROM sessions WHERE expiry < now()`).Error
	} else {
		err = db.W.WithContext(ctx).Exec(`DELETE FROM sessions WHERE expiry < julianday('now')`).Error
	}
	if err != nil {
		return fmt.Errorf("models: delete expired sessions: %w", err)
	}
	return nil
}
