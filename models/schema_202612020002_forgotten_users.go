package models

import "gorm.io/gorm"

// Tombstones of deleted shoppers.
func init() {
	register("202612020002_forgotten_users", func(tx *gorm.DB) error {
		return createTables(tx, &ForgottenUser{})
	})
}
