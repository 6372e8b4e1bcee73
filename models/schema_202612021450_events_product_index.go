package models

import "gorm.io/gorm"

// Events lose their index on product_id. No query looks events up by
// product alone (revenue attribution finds a click by user first; the
// popularity refresh scans the table on purpose), and every stored event
// paid for it: events of thousands of products land all over that index,
// so each write transaction rewrote a page of it for nearly every row,
// the largest single cost of an event write (the event API's rate went up
// by about half without it).
func init() {
	register("202612021450_events_product_index", func(tx *gorm.DB) error {
		return tx.Exec(`DROP INDEX IF EXISTS idx_events_product_id`).Error
	})
}
