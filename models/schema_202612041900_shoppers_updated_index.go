package models

import "gorm.io/gorm"

// Every instance asks every poll which accounts changed since its last
// look (DB.AccountsChangedSince), so that an opt-out made through one
// instance holds on all: an index on shoppers.updated_at makes that a
// short range read instead of a scan of every shopper.
func init() {
	register("202612041900_shoppers_updated_index", func(tx *gorm.DB) error {
		return tx.Exec(`CREATE INDEX IF NOT EXISTS idx_shoppers_updated_at ON shoppers(updated_at)`).Error
	})
}
