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

// sqlSlotEngagement counts a slot's impressions and clicks since a time.
// Its condition that the slot is not empty is word for word the one of the
// partial index on slot.
const sqlSlotEngagement = `SELECT slot,
		CASE WHEN query LIKE ? THEN query ELSE '' END AS creative,
		SUM(CASE WHEN type = 'impression' THEN CASE WHEN CAST(value AS INTEGER) > 1 THEN CAST(value AS INTEGER) ELSE 1 END ELSE 0 END) AS impressions,
		SUM(CASE WHEN type = 'click' THEN 1 ELSE 0 END) AS clicks
		FROM events WHERE slot <> '' AND created_at >= ? AND type IN ('impression','click')
		GROUP BY 1, 2`

// SlotEngagement counts impressions and clicks per slot since a time. A
// banner's creatives are counted under CreativeKey too, as well as in
// their slot's total.
func (db *DB) SlotEngagement(ctx context.Context, since time.Time) (map[string]SlotStats, error) {
	var rows []struct {
		SlotStats
		Creative string
	}
	// GROUP BY positions: PostgreSQL takes the creative expression with
	// its own placeholder in GROUP BY for a different expression.
	err := db.R.WithContext(ctx).Raw(sqlSlotEngagement, CreativeEventPrefix+"%", since.UTC()).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("models: slot engagement: %w", err)
	}
	out := make(map[string]SlotStats, len(rows))
	for _, r := range rows {
		t := out[r.Slot]
		t.Slot, t.Impressions, t.Clicks = r.Slot, t.Impressions+r.Impressions, t.Clicks+r.Clicks
		out[r.Slot] = t
		if r.Creative != "" {
			k := CreativeKey(r.Slot, r.Creative)
			out[k] = SlotStats{Slot: k, Impressions: r.Impressions, Clicks: r.Clicks}
		}
	}
	return out, nil
}

// CreativeKey names a creative's engagement: the banner's slot key and the
// events' creative query ("s12/creative:3").
func CreativeKey(slot, query string) string { return slot + "/" + query }
