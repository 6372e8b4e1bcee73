package models

import "gorm.io/gorm"

// Every event is in exactly one index by user. The behaviour history
// (views, clicks, carts, purchases) already had its own partial index,
// idx_events_user_behaviour; the full (user_key, created_at) index held
// those rows a second time beside impressions and searches. Events of
// thousands of users land all over both, so every write transaction
// rewrote a page of each for nearly every behaviour event: the event API's
// largest cost. The full index gives way to its complement, the
// impressions and searches alone. A query about all of a user's events
// (merging a visitor, exporting, forgetting, deleting a shopper, counting)
// asks each half with its own condition (userEventHalves), so each half
// is read through its index, on SQLite and on PostgreSQL alike.
func init() {
	register("202612022045_events_user_index", func(tx *gorm.DB) error {
		return execAll(tx,
			`CREATE INDEX IF NOT EXISTS idx_events_user_other ON events(user_key, created_at)
				WHERE type NOT IN ('view','click','add_to_cart','purchase')`,
			`DROP INDEX IF EXISTS idx_events_user_time`)
	})
}
