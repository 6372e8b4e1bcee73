package models

import (
	"context"
	"fmt"
)

// LatestEventID returns the highest event id stored, or 0 when there are
// no events.
func (db *DB) LatestEventID(ctx context.Context) (uint, error) {
	var id *uint
	if err := db.R.WithContext(ctx).Model(&Event{}).Select("MAX(id)").Scan(&id).Error; err != nil {
		return 0, fmt.Errorf("models: latest event id: %w", err)
	}
	if id == nil {
		return 0, nil
	}
	return *id, nil
}

// Acted is a shopper (or visitor) with behaviour stored above an event id:
// the highest id of theirs and whether any of it is a purchase.
type Acted struct {
	UserKey   string
	ID        uint
	Purchased bool
}

// ActedAfter returns the users with events other than impressions whose id
// is above after, at most limit of them: how an instance learns which
// shoppers acted through another one (shop.Options.EventsRecorded). The
// primary key's index finds the events.
func (db *DB) ActedAfter(ctx context.Context, after uint, limit int) ([]Acted, error) {
	var rows []struct {
		UserKey   string
		ID        uint
		Purchases int
	}
	err := db.R.WithContext(ctx).Model(&Event{}).
		Select("user_key, MAX(id) AS id, SUM(CASE WHEN type = ? THEN 1 ELSE 0 END) AS purchases", EventPurchase).
		Where("id > ? AND type <> ?", after, EventImpression).Group("user_key").Limit(limit).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("models: shoppers who acted after event %d: %w", after, err)
	}
	out := make([]Acted, len(rows))
	for i, r := range rows {
		out[i] = Acted{UserKey: r.UserKey, ID: r.ID, Purchased: r.Purchases > 0}
	}
	return out, nil
}
