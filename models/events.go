package models

import (
	"context"
	"database/sql/driver"
	"fmt"
	"math/bits"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/mattn/go-sqlite3"
	"gorm.io/gorm"
)

// behaviourTypes are the event types of a shopper's behaviour history, as
// SQL. Two partial indexes by user split the events table on them
// (schema_202612022045_events_user_index.go), and a query is read through
// one of them only when it repeats that condition word for word: a bound
// parameter does not do, on SQLite or PostgreSQL.
const behaviourTypes = `('view','click','add_to_cart','purchase')`

// userEventHalves are the conditions of the two indexes by user: a
// statement about all of one user's events runs once per half, so each
// half is found through its index instead of by reading the whole table.
var userEventHalves = [2]string{"type IN " + behaviourTypes, "type NOT IN " + behaviourTypes}

// eventColumns is the column list used by the bulk insert below.
const eventColumns = "(user_key, product_id, type, slot, position, query, value, arm, created_at)"

// eventsPerStatement is the largest multi-row INSERT. Batches are cut into
// statements of this size and a power-of-two split of the rest, so only a
// handful of distinct statements exist and the prepared-statement cache
// (gorm PrepareStmt) reuses them instead of preparing a new statement for
// every batch size it meets.
const eventsPerStatement = 256

// insertEventSQL holds the INSERT text for each statement size.
var insertEventSQL sync.Map // int → string

func insertEventStatement(n int) string {
	if q, ok := insertEventSQL.Load(n); ok {
		return q.(string)
	}
	var sb strings.Builder
	sb.WriteString("INSERT INTO events " + eventColumns + " VALUES ")
	for i := range n {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString("(?,?,?,?,?,?,?,?,?)")
	}
	q, _ := insertEventSQL.LoadOrStore(n, sb.String())
	return q.(string)
}

// InsertEvents writes events in one transaction: multi-row INSERTs, or on
// PostgreSQL, for a batch of copyMinEvents or more, one COPY. It is the
// path the event writer, the event API and the importers take.
func (db *DB) InsertEvents(ctx context.Context, events []Event) error {
	if len(events) == 0 {
		return nil
	}
	if db.Postgres() && len(events) >= copyMinEvents {
		return db.copyEvents(ctx, events)
	}
	return db.insertEvents(ctx, events)
}

func (db *DB) insertEvents(ctx context.Context, events []Event) error {
	if !db.Postgres() {
		return db.insertEventsSQLite(ctx, events)
	}
	return db.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return InsertEventsTx(tx, events)
	})
}

// insertOneEvent is the statement insertEventsSQLite steps for the events
// of a batch after its last full group of eventsPerInsert.
const insertOneEvent = "INSERT INTO events " + eventColumns + " VALUES (?,?,?,?,?,?,?,?,?)"

// eventsPerInsert is how many events insertManyEvents writes per step.
// Inserting a row evaluates the WHERE of each partial index by user, and
// SQLite evaluates "type IN (four names)" by building a temporary b-tree of
// the four names: a statement run for a single row opened and closed two of
// them per event (a page cache created, its mutexes and allocations: ~10 %
// of the server's CPU in the event API run under perf, ~4 % after). In a
// multi-row INSERT the temporary b-trees stay open for the whole statement
// and are only emptied between rows (docs/performance.md).
const eventsPerInsert = 64

// insertManyEvents is insertOneEvent for eventsPerInsert rows.
var insertManyEvents = "INSERT INTO events " + eventColumns + " VALUES " +
	strings.Repeat("(?,?,?,?,?,?,?,?,?),", eventsPerInsert-1) + "(?,?,?,?,?,?,?,?,?)"

// insertEventsSQLite writes a batch on the writer connection itself: BEGIN
// IMMEDIATE (the writer's transaction mode), INSERTs of eventsPerInsert rows
// and of one row prepared once per connection and stepped for every group
// of events (every event of the last, short group), COMMIT. Through GORM
// every batch compiled its multi-row INSERTs again (database/sql prepares a
// statement anew inside each transaction) and reflected over 2,304
// arguments per statement; here an event costs its nine bindings and one
// step.
//
// The events go in ordered by user key: each user's entries then reach
// their leaf page of the index by user in one visit, so a batch that dirties
// more pages than the writer's page cache holds does not spill a leaf page
// to the log mid-transaction only to read it back and write it again for
// that user's next event. Each user's own events keep their order.
func (db *DB) insertEventsSQLite(ctx context.Context, events []Event) error {
	if err := checkEvents(events, time.Now()); err != nil {
		return err
	}
	order := make([]int, len(events))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return strings.Compare(events[a].UserKey, events[b].UserKey) })
	pool, err := db.W.DB()
	if err != nil {
		return fmt.Errorf("models: insert %d events: %w", len(events), err)
	}
	conn, err := pool.Conn(ctx)
	if err != nil {
		return fmt.Errorf("models: insert %d events: %w", len(events), err)
	}
	defer conn.Close()
	err = conn.Raw(func(dc any) error {
		c, ok := dc.(*sqlite3.SQLiteConn)
		if !ok {
			return fmt.Errorf("not a SQLite connection: %T", dc)
		}
		one, many, err := db.eventStmt.get(c)
		if err != nil {
			return err
		}
		tx, err := c.Begin()
		if err != nil {
			return err
		}
		now := time.Now().UTC()
		args := make([]driver.Value, 0, 9*eventsPerInsert)
		for n := 0; n < len(order); {
			if n%1024 < eventsPerInsert {
				if err := ctx.Err(); err != nil {
					tx.Rollback()
					return err
				}
			}
			stmt, k := many, eventsPerInsert
			if len(order)-n < eventsPerInsert {
				stmt, k = one, 1
			}
			args = args[:0]
			for _, i := range order[n : n+k] {
				e := &events[i]
				var product driver.Value
				if e.ProductID != nil {
					product = int64(*e.ProductID)
				}
				at := e.CreatedAt.UTC()
				if e.CreatedAt.IsZero() {
					at = now
				}
				args = append(args, e.UserKey, product, e.Type, e.Slot, int64(e.Position), e.Query, e.Value, e.Arm, at)
			}
			if _, err := stmt.Exec(args); err != nil {
				tx.Rollback()
				return err
			}
			n += k
		}
		if err := tx.Commit(); err != nil {
			tx.Rollback()
			return err
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("models: insert %d events: %w", len(events), err)
	}
	return nil
}

// preparedEvent holds insertOneEvent and insertManyEvents prepared on the
// writer connection; a new connection (after the old one was closed)
// prepares them again.
type preparedEvent struct {
	mu        sync.Mutex
	conn      *sqlite3.SQLiteConn
	one, many driver.Stmt
}

func (p *preparedEvent) get(c *sqlite3.SQLiteConn) (one, many driver.Stmt, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.conn == c && p.one != nil {
		return p.one, p.many, nil
	}
	p.closeLocked() // its connection is gone; nothing to keep
	if one, err = c.Prepare(insertOneEvent); err != nil {
		return nil, nil, err
	}
	if many, err = c.Prepare(insertManyEvents); err != nil {
		one.Close()
		return nil, nil, err
	}
	p.conn, p.one, p.many = c, one, many
	return one, many, nil
}

// close finalizes the statements (before the connection closes).
func (p *preparedEvent) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closeLocked()
}

func (p *preparedEvent) closeLocked() {
	for _, st := range []driver.Stmt{p.one, p.many} {
		if st != nil {
			st.Close()
		}
	}
	p.conn, p.one, p.many = nil, nil, nil
}

// copyMinEvents is the smallest batch written with COPY on PostgreSQL:
// below it a multi-row INSERT (a prepared statement, one round trip) is
// as fast; above it COPY is faster (go test -bench InsertEvents ./models
// with STOREFRONT_TEST_DB, see docs/scaling.md).
const copyMinEvents = 64

// eventCopyColumns are the columns of eventColumns, for COPY.
var eventCopyColumns = strings.Split(strings.Trim(eventColumns, "()"), ", ")

// copyEvents writes events with one COPY FROM STDIN on a pooled
// connection: a single statement, so all of the batch is stored or none.
func (db *DB) copyEvents(ctx context.Context, events []Event) error {
	now := time.Now()
	if err := checkEvents(events, now); err != nil {
		return err
	}
	rows := make([][]any, len(events))
	for i := range events {
		e := &events[i]
		at := e.CreatedAt
		if at.IsZero() {
			at = now
		}
		var product any
		if e.ProductID != nil {
			product = int64(*e.ProductID)
		}
		rows[i] = []any{e.UserKey, product, e.Type, e.Slot, int64(e.Position), e.Query, e.Value, e.Arm, at.UTC()}
	}
	pool, err := db.W.DB()
	if err != nil {
		return fmt.Errorf("models: copy %d events: %w", len(events), err)
	}
	conn, err := pool.Conn(ctx)
	if err != nil {
		return fmt.Errorf("models: copy %d events: %w", len(events), err)
	}
	defer conn.Close()
	err = conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("not a pgx connection: %T", dc)
		}
		_, err := c.Conn().CopyFrom(ctx, pgx.Identifier{"events"}, eventCopyColumns, pgx.CopyFromRows(rows))
		return err
	})
	if err != nil {
		return fmt.Errorf("models: copy %d events: %w", len(events), err)
	}
	return nil
}

// checkEventTimes refuses a batch holding an event dated outside the window
// of CheckEventTime; a zero time means "now" and is filled in at insert.
func checkEventTimes(events []Event, now time.Time) error {
	for i := range events {
		if at := events[i].CreatedAt; !at.IsZero() {
			if err := CheckEventTime(at, now); err != nil {
				return fmt.Errorf("models: event %d of %d: %w: %w", i+1, len(events), err, ErrInvalid)
			}
		}
	}
	return nil
}

// checkEvents refuses a batch holding an event dated outside the window
// or with text the database would refuse.
func checkEvents(events []Event, now time.Time) error {
	if err := checkEventTimes(events, now); err != nil {
		return err
	}
	return checkEventText(events)
}

// InsertEventsTx is InsertEvents inside a caller's transaction. Every event
// goes through here, so nothing dated outside the accepted window is stored.
func InsertEventsTx(tx *gorm.DB, events []Event) error {
	if err := checkEvents(events, time.Now()); err != nil {
		return err
	}
	args := make([]any, 0, 9*min(len(events), eventsPerStatement))
	for start := 0; start < len(events); {
		n := eventsPerStatement
		if rest := len(events) - start; rest < n {
			n = 1 << (bits.Len(uint(rest)) - 1) // the largest power of two ≤ rest
		}
		chunk := events[start : start+n]
		start += n
		args = args[:0]
		for _, e := range chunk {
			at := e.CreatedAt
			if at.IsZero() {
				at = time.Now()
			}
			args = append(args, e.UserKey, e.ProductID, e.Type, e.Slot, e.Position, e.Query, e.Value, e.Arm, at.UTC())
		}
		if err := tx.Exec(insertEventStatement(n), args...).Error; err != nil {
			return fmt.Errorf("models: insert %d events: %w", len(chunk), err)
		}
	}
	return nil
}

// CountEvents returns the number of stored events.
func (db *DB) CountEvents(ctx context.Context) (int64, error) {
	var n int64
	err := db.R.WithContext(ctx).Model(&Event{}).Count(&n).Error
	if err != nil {
		return 0, fmt.Errorf("models: count events: %w", err)
	}
	return n, nil
}

// CountEventsOfUsers returns the number of stored events whose user key
// starts with prefix (the load harness counts its own events with it).
func (db *DB) CountEventsOfUsers(ctx context.Context, prefix string) (int64, error) {
	var n int64
	// LIKE rather than a range up to prefix+"\xff": PostgreSQL refuses a
	// string that is not UTF-8.
	esc := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(prefix)
	err := db.R.WithContext(ctx).Model(&Event{}).Where(`user_key LIKE ? ESCAPE '\'`, esc+"%").Count(&n).Error
	if err != nil {
		return 0, fmt.Errorf("models: count events of %s*: %w", prefix, err)
	}
	return n, nil
}

// Interaction is an event joined to its product's external id, as the
// recommender consumes it.
type Interaction struct {
	UserKey   string
	ItemID    string
	Type      string
	Value     float64
	CreatedAt time.Time
}

// Interactions streams every product event (not searches or impressions)
// since the given time, oldest first.
func (db *DB) Interactions(ctx context.Context, since time.Time) ([]Interaction, error) {
	rows, err := db.R.WithContext(ctx).Raw(`SELECT e.user_key, p.external_id, e.type, e.value, e.created_at
		FROM events e JOIN products p ON p.id = e.product_id
		WHERE e.type IN ('view','click','add_to_cart','purchase') AND e.created_at >= ?
		ORDER BY e.created_at, e.id`, since.UTC()).Rows()
	if err != nil {
		return nil, fmt.Errorf("models: load interactions: %w", err)
	}
	defer rows.Close()
	var out []Interaction
	for rows.Next() {
		var it Interaction
		if err := rows.Scan(&it.UserKey, &it.ItemID, &it.Type, &it.Value, &it.CreatedAt); err != nil {
			return nil, fmt.Errorf("models: scan interaction: %w", err)
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// UserInteractions returns one user's product events since a time, oldest
// first, including those the event writer still holds (settle).
func (db *DB) UserInteractions(ctx context.Context, userKey string, since time.Time, limit int) ([]Interaction, error) {
	db.settle(ctx, userKey)
	var out []Interaction
	err := db.R.WithContext(ctx).Raw(`SELECT user_key, item_id, type, value, created_at FROM (SELECT e.id, e.user_key, p.external_id AS item_id, e.type, e.value, e.created_at
		FROM events e JOIN products p ON p.id = e.product_id
		WHERE e.user_key = ? AND e.type IN ('view','click','add_to_cart','purchase') AND e.created_at >= ?
		ORDER BY e.created_at DESC, e.id DESC LIMIT ?) AS recent ORDER BY created_at, id`, userKey, since.UTC(), limit).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("models: load interactions of %s: %w", userKey, err)
	}
	return out, nil
}

// UserItems returns every product a user has viewed, clicked, carted or
// bought, from the raw event store: whatever the recommender's cleaning
// dropped (a bot guard, de-duplication) still counts as interacted with.
func (db *DB) UserItems(ctx context.Context, userKey string) ([]string, error) {
	items, _, err := db.UserItemsBought(ctx, userKey)
	return items, err
}

// UserItemsBought is UserItems, and of those the ones the user bought,
// including events the event writer still holds (settle).
func (db *DB) UserItemsBought(ctx context.Context, userKey string) (items, bought []string, err error) {
	db.settle(ctx, userKey)
	var rows []struct {
		ExternalID string
		Bought     bool
	}
	err = db.R.WithContext(ctx).Raw(`SELECT p.external_id, MAX(CASE WHEN e.type = 'purchase' THEN 1 ELSE 0 END) = 1 AS bought
		FROM events e JOIN products p ON p.id = e.product_id
		WHERE e.user_key = ? AND e.type IN ('view','click','add_to_cart','purchase') GROUP BY p.external_id`, userKey).Scan(&rows).Error
	if err != nil {
		return nil, nil, fmt.Errorf("models: load items of %s: %w", userKey, err)
	}
	items = make([]string, len(rows))
	for i, r := range rows {
		items[i] = r.ExternalID
		if r.Bought {
			bought = append(bought, r.ExternalID)
		}
	}
	return items, bought, nil
}

// MergeVisitorEventsTx moves an anonymous visitor's history onto a shopper.
func MergeVisitorEventsTx(tx *gorm.DB, visitorKey, shopperKey string) error {
	for _, half := range userEventHalves {
		err := tx.Model(&Event{}).Where("user_key = ? AND "+half, visitorKey).Update("user_key", shopperKey).Error
		if err != nil {
			return fmt.Errorf("models: merge events of visitor: %w", err)
		}
	}
	return nil
}

// deleteUserEventsTx deletes a user's events matching the further
// conditions in where (none when empty), one index half at a time.
func deleteUserEventsTx(tx *gorm.DB, userKey string, where func(*gorm.DB) *gorm.DB) (int64, error) {
	var n int64
	for _, half := range userEventHalves {
		q := tx.Where("user_key = ? AND "+half, userKey)
		if where != nil {
			q = where(q)
		}
		res := q.Delete(&Event{})
		if res.Error != nil {
			return n, res.Error
		}
		n += res.RowsAffected
	}
	return n, nil
}

// DeleteEventsBefore removes raw events older than t (retention).
func (db *DB) DeleteEventsBefore(ctx context.Context, t time.Time) (int64, error) {
	res := db.W.WithContext(ctx).Where("created_at < ?", t.UTC()).Delete(&Event{})
	if res.Error != nil {
		return 0, fmt.Errorf("models: delete events before %s: %w", t.Format(time.RFC3339), res.Error)
	}
	return res.RowsAffected, nil
}

// DeleteEventsAfter removes events dated after t: stored before event times
// were checked, they would outlive every retention period.
func (db *DB) DeleteEventsAfter(ctx context.Context, t time.Time) (int64, error) {
	res := db.W.WithContext(ctx).Where("created_at > ?", t.UTC()).Delete(&Event{})
	if res.Error != nil {
		return 0, fmt.Errorf("models: delete events after %s: %w", t.Format(time.RFC3339), res.Error)
	}
	return res.RowsAffected, nil
}
