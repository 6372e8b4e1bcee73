package models

import (
	"time"

	"gorm.io/gorm"
)

// A password given to a staff account expires (Staff.GivenExpired). Given
// passwords set before this version start their lifetime at the upgrade.
func init() {
	register("202612042215_staff_password_given_at", func(tx *gorm.DB) error {
		if err := addColumns(tx, &Staff{}, "PasswordGivenAt"); err != nil {
			return err
		}
		return tx.Exec(`UPDATE staffs SET password_given_at = ? WHERE must_change_password AND password_given_at IS NULL`, time.Now().UTC()).Error
	})
}
