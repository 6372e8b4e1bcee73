package models

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"gorm.io/gorm"
)

// Popularity weights: a purchase says more than a cart, a cart more than a
// click, a click more than a view. The same order the recommender uses.
const (
	popularityHalfLife = 14 * 24 * time.Hour
	popularityWindow   = 90 * 24 * time.Hour
	popularityBuckets  = 13 // half-life/2 (a week) wide each: 91 days cover the window
)

// RefreshPopularity recomputes Product.Popularity as a time-decayed,
// type-weighted count of each product's events over the last 90 days. Ages
// are measured from the newest event rather than the wall clock, so an
// imported historical dataset still ranks sensibly. The decay is applied in
// week-wide steps computed here, which keeps the SQL portable (no exp()).
func (db *DB) RefreshPopularity(ctx context.Context) error {
	return db.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return refreshPopularityTx(tx)
	})
}

// RefreshPopularity is DB.RefreshPopularity inside the bulk transaction.
func (b *BulkTx) RefreshPopularity() error { return refreshPopularityTx(b.tx) }

func refreshPopularityTx(tx *gorm.DB) error {
	var latest struct{ At *string }
	// MAX over the text column; SQLite returns it as a string.
	if err := tx.Raw(`SELECT MAX(created_at) AS at FROM events`).Scan(&latest).Error; err != nil {
		return fmt.Errorf("models: refresh popularity: %w", err)
	}
	if err := tx.Exec(`UPDATE products SET popularity = 0 WHERE popularity <> 0`).Error; err != nil {
		return fmt.Errorf("models: reset popularity: %w", err)
	}
	if latest.At == nil {
		return nil
	}
	now, err := parseStoredTime(*latest.At)
	if err != nil {
		return fmt.Errorf("models: refresh popularity: newest event: %w", err)
	}
	step := popularityHalfLife / 2
	var decay strings.Builder
	args := make([]any, 0, popularityBuckets+1)
	decay.WriteString("CASE")
	for i := 0; i < popularityBuckets; i++ {
		decay.WriteString(fmt.Sprintf(" WHEN created_at >= ? THEN %.6f", math.Pow(0.5, (float64(i)+0.5)/2)))
		args = append(args, now.Add(-step*time.Duration(i+1)).UTC())
	}
	decay.WriteString(" ELSE 0 END")
	args = append(args, now.Add(-popularityWindow).UTC())
	// SQLite would otherwise walk the product_id index and fetch every
	// event row at random; one sequential scan is about three times faster.
	scan := "events"
	if tx.Dialector.Name() == "sqlite" {
		scan = "events NOT INDEXED"
	}
	q := `UPDATE products SET popularity = s.score FROM (
		SELECT product_id, SUM(CASE type WHEN 'purchase' THEN 8 WHEN 'add_to_cart' THEN 4 WHEN 'click' THEN 2 WHEN 'view' THEN 1 ELSE 0 END * (` + decay.String() + `)) AS score
		FROM ` + scan + ` WHERE product_id IS NOT NULL AND created_at >= ? GROUP BY product_id) AS s
		WHERE s.product_id = products.id`
	if err := tx.Exec(q, args...).Error; err != nil {
		return fmt.Errorf("models: refresh popularity: %w", err)
	}
	return nil
}

// parseStoredTime reads a timestamp as the SQLite driver stores it (the
// driver's layouts, go-sqlite3's SQLiteTimestampFormats, and RFC 3339).
func parseStoredTime(s string) (time.Time, error) {
	for _, layout := range []string{
		"2006-01-02 15:04:05.999999999-07:00",
		"2006-01-02T15:04:05.999999999-07:00",
		"2006-01-02 15:04:05.999999999",
		"2006-01-02T15:04:05.999999999",
		time.RFC3339Nano,
		"2006-01-02 15:04",
		"2006-01-02T15:04",
		"2006-01-02",
	} {
		if t, err := time.Parse(layout, strings.TrimSuffix(s, "Z")); err == nil {
			return t, nil
		}
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("time %q is in no layout the database writes", s)
}
