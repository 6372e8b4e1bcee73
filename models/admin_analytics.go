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

// SlotDayStat is one slot's engagement on one day (the shop's). Slot is the event
// slot key, "s<slot id>".
type SlotDayStat struct {
	Slot        string
	Day         string // YYYY-MM-DD in the shop's time zone
	Impressions int64
	Clicks      int64
	Carts       int64
	Revenue     float64 // currency units attributed from purchases
}

// The day and date-arithmetic expressions are the only dialect-specific
// SQL of the analytics: SQLite's date(t, '+N seconds') and
// datetime(t, '-N seconds'), PostgreSQL's to_char(t + N * interval
// '1 second', 'YYYY-MM-DD'). The day is the shop's: the first parameter
// is the offset from UTC of the shop's time zone in the queried span.
const (
	sqlEngagementByDay = `
SELECT slot, %s AS day,
       SUM(CASE WHEN type = 'impression' THEN CASE WHEN CAST(value AS INTEGER) > 1 THEN CAST(value AS INTEGER) ELSE 1 END ELSE 0 END) AS impressions,
       SUM(CASE WHEN type = 'click' THEN 1 ELSE 0 END) AS clicks,
       SUM(CASE WHEN type = 'add_to_cart' THEN 1 ELSE 0 END) AS carts
FROM events
WHERE slot <> '' AND type IN ('impression', 'click', 'add_to_cart')
  AND created_at >= ? AND created_at < ?
GROUP BY 1, 2`

	// A purchase counts for the slot from which the same user most recently
	// clicked the same product within the window before buying it. The
	// click's "type IN (…)" repeats the condition of the behaviour index by
	// user (behaviourTypes), so the click is found through it.
	sqlRevenueByDay = `
SELECT c.slot AS slot, %s AS day, SUM(p.value) AS revenue
FROM events p
JOIN events c ON c.id = (
    SELECT c2.id FROM events c2
    WHERE c2.user_key = p.user_key AND c2.product_id = p.product_id
      AND c2.type = 'click' AND c2.type IN ('view','click','add_to_cart','purchase') AND c2.slot <> ''
      AND c2.created_at <= p.created_at
      AND c2.created_at >= %s
    ORDER BY c2.created_at DESC, c2.id DESC
    LIMIT 1)
WHERE p.type = 'purchase' AND p.product_id IS NOT NULL
  AND p.created_at >= ? AND p.created_at < ?
GROUP BY 1, 2`
)

// analyticsSQL fills the dialect's day and window expressions in.
func (db *DB) analyticsSQL() (engagement, revenue string) {
	if db.Postgres() {
		return fmt.Sprintf(sqlEngagementByDay, `to_char((created_at AT TIME ZONE 'UTC') + ? * interval '1 second', 'YYYY-MM-DD')`),
			fmt.Sprintf(sqlRevenueByDay, `to_char((p.created_at AT TIME ZONE 'UTC') + ? * interval '1 second', 'YYYY-MM-DD')`,
				`p.created_at - ? * interval '1 second'`)
	}
	return fmt.Sprintf(sqlEngagementByDay, `date(created_at, ?)`),
		fmt.Sprintf(sqlRevenueByDay, `date(p.created_at, ?)`, `datetime(p.created_at, ?)`)
}

// SlotAnalytics returns per-slot, per-day impressions, clicks, add-to-carts
// and attributed revenue for events in [from, to), ordered by slot and day.
// Days are those of loc, the shop's time zone (UTC when nil): an evening
// sale in New York is on that day, not the next as in UTC. The range is
// read in spans of one UTC offset (a summer-time change splits it).
func (db *DB) SlotAnalytics(ctx context.Context, from, to time.Time, loc *time.Location) ([]SlotDayStat, error) {
	if loc == nil {
		loc = time.UTC
	}
	engagementSQL, revenueSQL := db.analyticsSQL()
	r := db.R.WithContext(ctx)
	type key struct{ slot, day string }
	var rows []SlotDayStat
	at := map[key]int{}
	row := func(slot, day string) *SlotDayStat {
		k := key{slot, day}
		i, ok := at[k]
		if !ok {
			rows = append(rows, SlotDayStat{Slot: slot, Day: day})
			i = len(rows) - 1
			at[k] = i
		}
		return &rows[i]
	}
	window := int(AttributionWindow.Seconds())
	for start := from.In(loc); start.Before(to); {
		_, offset := start.Zone()
		_, end := start.ZoneBounds()
		if end.IsZero() || end.After(to) {
			end = to
		}
		s, e := start.UTC(), end.UTC()
		var shift, back any = offset, window
		if !db.Postgres() {
			shift, back = fmt.Sprintf("%+d seconds", offset), fmt.Sprintf("-%d seconds", window)
		}
		var eng []SlotDayStat
		if err := r.Raw(engagementSQL, shift, s, e).Scan(&eng).Error; err != nil {
			return nil, fmt.Errorf("models: slot engagement %s–%s: %w", s.Format(time.DateOnly), e.Format(time.DateOnly), err)
		}
		for _, x := range eng {
			o := row(x.Slot, x.Day)
			o.Impressions += x.Impressions
			o.Clicks += x.Clicks
			o.Carts += x.Carts
		}
		var rev []struct {
			Slot    string
			Day     string
			Revenue float64
		}
		if err := r.Raw(revenueSQL, shift, back, s, e).Scan(&rev).Error; err != nil {
			return nil, fmt.Errorf("models: slot revenue %s–%s: %w", s.Format(time.DateOnly), e.Format(time.DateOnly), err)
		}
		for _, x := range rev {
			row(x.Slot, x.Day).Revenue += x.Revenue
		}
		start = end.In(loc)
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
