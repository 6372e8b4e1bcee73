package models

import "gorm.io/gorm"

// The index on events.slot holds only events shown or clicked in a slot.
// Every query of events by slot asks for a slot that is not empty
// (engagement and analytics per slot), so the index never looked up an
// event without one, yet every such event paid for an entry: all of the
// event API's and most page views. A partial index with that very
// condition serves the same queries (SQLite and PostgreSQL use it when a
// query repeats it).
func init() {
	register("202612022120_events_slot_index", func(tx *gorm.DB) error {
		return execAll(tx,
			`CREATE INDEX IF NOT EXISTS idx_events_slotted ON events(slot) WHERE slot <> ''`,
			`DROP INDEX IF EXISTS idx_events_slot`)
	})
}
