package models

import "gorm.io/gorm"

// Password reset links for shoppers who forgot their password.
func init() {
	register("202612050100_password_resets", func(tx *gorm.DB) error {
		return createTables(tx, &PasswordReset{})
	})
}
