package models

import "gorm.io/gorm"

// Staff given a published password (the demo accounts) choose their own at
// the next login.
func init() {
	register("202612020742_staff_must_change_password", func(tx *gorm.DB) error {
		return addColumns(tx, &Staff{}, "MustChangePassword")
	})
}
