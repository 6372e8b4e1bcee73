package models

import (
	"context"
	"fmt"
	"sort"
	"time"
)

// AttributionWindow is how long after a click a purchase of the same
// product still counts for the slot that was clicked.
const AttributionWindow = 7 * 24 * time.Hour

// SlotDayStat is one slot's engagement on one day (UTC). Slot is the event
// slot key, "s<slot id>".
type SlotDayStat struct {
	Slot        string
	Day         string // YYYY-MM-DD
	Impressions int64
	Clicks      int64
	Carts       int64
	Revenue     float64 // currency units attributed from purchases
}

// The day and date-arithmetic expressions are the only dialect-specific
// SQL of the analytics: SQLite's date() and datetime(t, '-N seconds'),
// PostgreSQL's to_char(t, 'YYYY-MM-DD') and t - N * interval '1 second'.
const (
	sqlEngagementByDay = `
SELECT slot, date(created_at) AS day,
       SUM(CASE WHEN type = 'impression' THEN CASE WHEN CAST(value AS INTEGER) > 1 THEN CAST(value AS INTEGER) ELSE 1 END ELSE 0 END) AS impressions,
       SUM(CASE WHEN type = 'click' THEN 1 ELSE 0 END) AS clicks,
       SUM(CASE WHEN type = 'add_to_cart' THEN 1 ELSE 0 END) AS carts
FROM events
WHERE slot <> '' AND type IN ('impression', 'click', 'add_to_cart')
  AND created_at >= ? AND created_at < ?
GROUP BY slot, date(created_at)`

	// A purchase counts for the slot from which the same user most recently
	// clicked the same product within the window before buying it. The
	// click's "type IN (…)" repeats the condition of the behaviour index by
	// user (behaviourTypes), so the click is found through it.
	sqlRevenueByDay = `
SELECT c.slot AS slot, date(p.created_at) AS day, SUM(p.value) AS revenue
FROM events p
JOIN events c ON c.id = (
    SELECT c2.id FROM events c2
    WHERE c2.user_key = p.user_key AND c2.product_id = p.product_id
      AND c2.type = 'click' AND c2.type IN ('view','click','add_to_cart','purchase') AND c2.slot <> ''
      AND c2.created_at <= p.created_at
      AND c2.created_at >= datetime(p.created_at, ?)
    ORDER BY c2.created_at DESC, c2.id DESC
    LIMIT 1)
WHERE p.type = 'purchase' AND p.product_id IS NOT NULL
  AND p.created_at >= ? AND p.created_at < ?
GROUP BY c.slot, date(p.created_at)`

	sqlEngagementByDayPG = `
SELECT slot, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day,
       SUM(CASE WHEN type = 'impression' THEN CASE WHEN CAST(value AS INTEGER) > 1 THEN CAST(value AS INTEGER) ELSE 1 END ELSE 0 END) AS impressions,
       SUM(CASE WHEN type = 'click' THEN 1 ELSE 0 END) AS clicks,
       SUM(CASE WHEN type = 'add_to_cart' THEN 1 ELSE 0 END) AS carts
FROM events
WHERE slot <> '' AND type IN ('impression', 'click', 'add_to_cart')
  AND created_at >= ? AND created_at < ?
GROUP BY slot, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')`

	sqlRevenueByDayPG = `
SELECT c.slot AS slot, to_char(p.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, SUM(p.value) AS revenue
FROM events p
JOIN events c ON c.id = (
    SELECT c2.id FROM events c2
    WHERE c2.user_key = p.user_key AND c2.product_id = p.product_id
      AND c2.type = 'click' AND c2.type IN ('view','click','add_to_cart','purchase') AND c2.slot <> ''
      AND c2.created_at <= p.created_at
      AND c2.created_at >= p.created_at - ? * interval '1 second'
    ORDER BY c2.created_at DESC, c2.id DESC
    LIMIT 1)
WHERE p.type = 'purchase' AND p.product_id IS NOT NULL
  AND p.created_at >= ? AND p.created_at < ?
GROUP BY c.slot, to_char(p.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')`
)

// SlotAnalytics returns per-slot, per-day impressions, clicks, add-to-carts
// and attributed revenue for events in [from, to), ordered by slot and day.
func (db *DB) SlotAnalytics(ctx context.Context, from, to time.Time) ([]SlotDayStat, error) {
	from, to = from.UTC(), to.UTC()
	var rows []SlotDayStat
	r := db.R.WithContext(ctx)
	var err error
	if db.Postgres() {
		err = r.Raw(sqlEngagementByDayPG, from, to).Scan(&rows).Error
	} else {
		err = r.Raw(sqlEngagementByDay, from, to).Scan(&rows).Error
	}
	if err != nil {
		return nil, fmt.Errorf("models: slot engagement %s–%s: %w", from.Format(time.DateOnly), to.Format(time.DateOnly), err)
	}
	var rev []struct {
		Slot    string
		Day     string
		Revenue float64
	}
	if db.Postgres() {
		err = r.Raw(sqlRevenueByDayPG, int(AttributionWindow.Seconds()), from, to).Scan(&rev).Error
	} else {
		window := fmt.Sprintf("-%d seconds", int(AttributionWindow.Seconds()))
		err = r.Raw(sqlRevenueByDay, window, from, to).Scan(&rev).Error
	}
	if err != nil {
		return nil, fmt.Errorf("models: slot revenue %s–%s: %w", from.Format(time.DateOnly), to.Format(time.DateOnly), err)
	}
	type key struct{ slot, day string }
	at := make(map[key]int, len(rows))
	for i, r := range rows {
		at[key{r.Slot, r.Day}] = i
	}
	for _, r := range rev {
		k := key{r.Slot, r.Day}
		i, ok := at[k]
		if !ok {
			rows = append(rows, SlotDayStat{Slot: r.Slot, Day: r.Day})
			i = len(rows) - 1
			at[k] = i
		}
		rows[i].Revenue += r.Revenue
	}
	sortSlotDays(rows)
	return rows, nil
}

func sortSlotDays(rows []SlotDayStat) {
	sort.Slice(rows, func(i, j int) bool {
		if rows[i].Slot != rows[j].Slot {
			return rows[i].Slot < rows[j].Slot
		}
		return rows[i].Day < rows[j].Day
	})
}

// SlotTitles maps slot ids of a page to their titles, from the draft and
// every published version, so analytics can name slots removed since.
func (db *DB) SlotTitles(ctx context.Context, pageKey string) (map[uint]Slot, error) {
	vs, _, err := db.Versions(ctx, pageKey)
	if err != nil {
		return nil, err
	}
	out := map[uint]Slot{}
	for i := len(vs) - 1; i >= 0; i-- { // oldest first, so newer titles win
		slots, err := decodeSnapshot(vs[i].Snapshot)
		if err != nil {
			return nil, fmt.Errorf("models: slot titles of version %d: %w", vs[i].ID, err)
		}
		for _, s := range slots {
			out[s.ID] = s
		}
	}
	draft, _, err := db.DraftSlots(ctx, pageKey)
	if err != nil {
		return nil, err
	}
	for _, s := range draft {
		out[s.ID] = s
	}
	return out, nil
}
