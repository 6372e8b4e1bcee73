package models

import "gorm.io/gorm"

// A password change ends the account's other sessions.
func init() {
	register("202612021440_staff_password_generation", func(tx *gorm.DB) error {
		return addColumns(tx, &Staff{}, "PasswordGeneration")
	})
}
