package models

import "gorm.io/gorm"

// Login allowances shared by every instance (LoginAllowance).
func init() {
	register("202612052310_login_allowances", func(tx *gorm.DB) error {
		return createTables(tx, &LoginAllowance{})
	})
}
