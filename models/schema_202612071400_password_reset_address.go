package models

import "gorm.io/gorm"

// The address a password reset link was mailed to (a hash,
// PasswordReset.AddressHash): the link works only while the shopper's
// address is that one. Links stored before have none and work no more
// (they live 30 minutes; the shopper asks again).
func init() {
	register("202612071400_password_reset_address", func(tx *gorm.DB) error {
		return addColumns(tx, &PasswordReset{}, "AddressHash")
	})
}
