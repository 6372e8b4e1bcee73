package models

import "gorm.io/gorm"

// Staff accounts can be deactivated instead of deleted.
func init() {
	register("202612020001_staff_deactivated", func(tx *gorm.DB) error {
		return addColumns(tx, &Staff{}, "DeactivatedAt")
	})
}
