package models

import "gorm.io/gorm"

// Banner slots hold creatives.
func init() {
	register("202612021150_slot_creatives", func(tx *gorm.DB) error {
		return addColumns(tx, &Slot{}, "Creatives")
	})
}
