package models

import (
	"context"
	"fmt"
	"time"
)

// SlotStats is how often a slot's cards were shown and clicked.
type SlotStats struct {
	Slot        string
	Impressions float64
	Clicks      float64
}

// SlotEngagement counts impressions and clicks per slot since a time.
func (db *DB) SlotEngagement(ctx context.Context, since time.Time) (map[string]SlotStats, error) {
	var rows []SlotStats
	err := db.R.WithContext(ctx).Raw(`SELECT slot,
		SUM(CASE WHEN type = 'impression' THEN CASE WHEN CAST(value AS INTEGER) > 1 THEN CAST(value AS INTEGER) ELSE 1 END ELSE 0 END) AS impressions,
		SUM(CASE WHEN type = 'click' THEN 1 ELSE 0 END) AS clicks
		FROM events WHERE slot <> '' AND created_at >= ? AND type IN ('impression','click')
		GROUP BY slot`, since.UTC()).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("models: slot engagement: %w", err)
	}
	out := make(map[string]SlotStats, len(rows))
	for _, r := range rows {
		out[r.Slot] = r
	}
	return out, nil
}
