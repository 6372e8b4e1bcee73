package models

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// InteractionRow is one product event as ScanInteractions hands it over.
// UserKey and Type point into the driver's buffer: they are valid only
// during the callback (copy what you keep).
type InteractionRow struct {
	ID        int64
	UserKey   []byte
	ProductID int64
	Type      []byte
	Value     float64
	CreatedAt time.Time
}

// ScanInteractions calls fn for every product event (not searches or
// impressions) in storage order, which is not necessarily time order: the
// caller sorts by (CreatedAt, ID). It is the training's bulk read, built to
// be cheap on millions of rows: no join (the caller maps product ids), one
// reused row, no per-row allocation, and on SQLite the timestamp is read as
// text and parsed by a fixed-layout parser (parseEventStamp) instead of the
// driver's try-every-layout conversion.
func (db *DB) ScanInteractions(ctx context.Context, fn func(r *InteractionRow) error) error {
	created, from := "e.created_at", "events e"
	if !db.Postgres() {
		// One sequential pass over the table: SQLite would otherwise walk
		// the partial index of behaviour events and fetch every row at
		// random.
		created, from = "CAST(e.created_at AS TEXT)", "events e NOT INDEXED"
	}
	// mattn/go-sqlite3 runs every row's step in a goroutine of its own
	// when the context can be cancelled, which doubled the CPU of this
	// read (2M events: 4–5 s → 8–10 s); the query runs without the
	// context's cancellation and the loop checks it every few thousand
	// rows instead (and once more at the end).
	qctx := ctx
	if !db.Postgres() {
		qctx = context.WithoutCancel(ctx)
	}
	rows, err := db.R.WithContext(qctx).Raw(`SELECT e.id, e.user_key, e.product_id, e.type, COALESCE(e.value, 0), ` + created + `
		FROM ` + from + `
		WHERE e.type IN ('view','click','add_to_cart','purchase') AND e.product_id IS NOT NULL`).Rows()
	if err != nil {
		return fmt.Errorf("models: scan interactions: %w", err)
	}
	defer rows.Close()
	var r InteractionRow
	var user, typ, stamp sql.RawBytes
	var at time.Time
	dest := []any{&r.ID, &user, &r.ProductID, &typ, &r.Value, &stamp}
	if db.Postgres() {
		dest[5] = &at
	}
	for n := 0; rows.Next(); n++ {
		if n&(1<<12-1) == 0 {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("models: scan interactions: %w", err)
			}
		}
		if err := rows.Scan(dest...); err != nil {
			return fmt.Errorf("models: scan interaction: %w", err)
		}
		r.UserKey, r.Type = user, typ
		if db.Postgres() {
			r.CreatedAt = at
		} else if r.CreatedAt, err = parseEventStamp(stamp); err != nil {
			return fmt.Errorf("models: scan interaction %d: %w", r.ID, err)
		}
		if err := fn(&r); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("models: scan interactions: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("models: scan interactions: %w", err)
	}
	return nil
}

// parseEventStamp reads a timestamp as SQLite stores it: by hand for the
// layout gorm writes ("2006-01-02 15:04:05[.fraction][±hh:mm|Z]"), through
// parseStoredTime's layouts otherwise.
func parseEventStamp(b []byte) (time.Time, error) {
	if t, ok := parseStampFast(b); ok {
		return t, nil
	}
	return parseStoredTime(string(b))
}

func parseStampFast(b []byte) (time.Time, bool) {
	if len(b) < 19 || b[4] != '-' || b[7] != '-' || (b[10] != ' ' && b[10] != 'T') || b[13] != ':' || b[16] != ':' {
		return time.Time{}, false
	}
	num := func(s []byte) (int, bool) {
		n := 0
		for _, c := range s {
			if c < '0' || c > '9' {
				return 0, false
			}
			n = n*10 + int(c-'0')
		}
		return n, true
	}
	year, ok1 := num(b[0:4])
	month, ok2 := num(b[5:7])
	day, ok3 := num(b[8:10])
	hour, ok4 := num(b[11:13])
	minute, ok5 := num(b[14:16])
	sec, ok6 := num(b[17:19])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, false
	}
	rest := b[19:]
	nsec := 0
	if len(rest) > 0 && rest[0] == '.' {
		k := 1
		scale := 100_000_000
		for k < len(rest) && rest[k] >= '0' && rest[k] <= '9' {
			if k > 9 {
				return time.Time{}, false
			}
			nsec += int(rest[k]-'0') * scale
			scale /= 10
			k++
		}
		if k == 1 {
			return time.Time{}, false
		}
		rest = rest[k:]
	}
	offset := 0
	switch {
	case len(rest) == 0, len(rest) == 1 && rest[0] == 'Z':
	case len(rest) == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':':
		oh, okh := num(rest[1:3])
		om, okm := num(rest[4:6])
		if !okh || !okm || oh > 23 || om > 59 {
			return time.Time{}, false
		}
		offset = oh*3600 + om*60
		if rest[0] == '-' {
			offset = -offset
		}
	default:
		return time.Time{}, false
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, nsec, time.UTC)
	if t.Day() != day { // e.g. February 30th: let the strict parser refuse it
		return time.Time{}, false
	}
	return t.Add(-time.Duration(offset) * time.Second), true
}
