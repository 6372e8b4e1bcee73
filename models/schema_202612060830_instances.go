package models

import "gorm.io/gorm"

// Running instances announce themselves (Instance), so each keeps its
// share of the per-address and per-key rate limits.
func init() {
	register("202612060830_instances", func(tx *gorm.DB) error {
		return createTables(tx, &Instance{})
	})
}
