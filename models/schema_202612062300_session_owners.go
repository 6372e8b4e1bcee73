package models

import "gorm.io/gorm"

// The shopper each stored session is signed in as (SessionStore.Owner), so
// ending a shopper's sessions deletes theirs by an index instead of reading
// every session of the shop. Sessions stored before keep NULL and are read
// (EndSessionsOf) until they expire.
func init() {
	register("202612062300_session_owners", func(tx *gorm.DB) error {
		return execAll(tx, `ALTER TABLE sessions ADD COLUMN shopper_id BIGINT`,
			`CREATE INDEX IF NOT EXISTS sessions_shopper_idx ON sessions(shopper_id)`)
	})
}
