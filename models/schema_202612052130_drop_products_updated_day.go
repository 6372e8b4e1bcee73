package models

import "gorm.io/gorm"

// The first version of 202612052000_products_updated_index also indexed
// julianday(updated_at) on SQLite. An index on an expression has no column
// name, and GORM's SQLite migrator fails on it when it lists the products
// table's indexes; the index on updated_at serves the same statements.
func init() {
	register("202612052130_drop_products_updated_day", func(tx *gorm.DB) error {
		return tx.Exec(`DROP INDEX IF EXISTS idx_products_updated_day`).Error
	})
}
