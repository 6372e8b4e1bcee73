package models

import (
	"context"
	"fmt"

	"gorm.io/gorm"
)

// ChangeOwnStaffPassword sets the password a staff member chose for
// themselves: the shop's password policy, not the password they were
// given, and the forced change is then done.
func (db *DB) ChangeOwnStaffPassword(ctx context.Context, id uint, password string) error {
	st, err := db.StaffByID(ctx, id)
	if err != nil {
		return err
	}
	if msg := ValidateNewPassword(password); msg != "" {
		return &ValidationError{Fields: map[string]string{"password": msg}}
	}
	if CheckPassword(st.PasswordHash, password) {
		return &ValidationError{Fields: map[string]string{"password": "Choose a new password, not the one you were given."}}
	}
	hash, err := HashPassword(password)
	if err != nil {
		return err
	}
	err = db.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		err := tx.Model(&Staff{}).Where("id = ?", id).Updates(map[string]any{"password_hash": hash, "must_change_password": false, "password_generation": gorm.Expr("password_generation + 1")}).Error
		if err != nil {
			return err
		}
		return audit(tx, st.Email, "staff.password_changed", st.Email, "")
	})
	if err != nil {
		return fmt.Errorf("models: change password of staff %d: %w", id, err)
	}
	return nil
}
