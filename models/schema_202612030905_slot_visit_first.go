package models

import "gorm.io/gorm"

// A locked slot may let a shopping visitor's own row come before it
// (Slot.VisitFirst); existing slots keep their position as before.
func init() {
	register("202612030905_slot_visit_first", func(tx *gorm.DB) error {
		return addColumns(tx, &Slot{}, "VisitFirst")
	})
}
