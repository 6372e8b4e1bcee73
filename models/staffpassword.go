package models

import (
	"context"
	"fmt"

	"gorm.io/gorm"
)

// ChangeOwnStaffPassword sets the password a staff member chose for
// themselves: the shop's password policy, not the password they were
// given, and the forced change is then done. Outside the forced change
// the current password must be given too (ASVS 2.1.6): a session left open
// or taken over must not be enough to take the account for good, and
// sign its owner out everywhere. The forced change follows a login with
// the given password, which is published for the demo staff anyway.
func (db *DB) ChangeOwnStaffPassword(ctx context.Context, id uint, current, password string) error {
	st, err := db.StaffByID(ctx, id)
	if err != nil {
		return err
	}
	if err := checkCurrentStaffPassword(st, current); err != nil {
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
		err := tx.Model(&Staff{}).Where("id = ?", id).Updates(map[string]any{"password_hash": hash, "must_change_password": false, "password_given_at": nil, "password_generation": gorm.Expr("password_generation + 1")}).Error
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

// CheckOwnStaffPassword checks the current password a staff member typed to
// change it, as ChangeOwnStaffPassword does first; nil for an account that
// must replace the password it was given (there is none of its own to type).
func (db *DB) CheckOwnStaffPassword(ctx context.Context, id uint, current string) error {
	st, err := db.StaffByID(ctx, id)
	if err != nil {
		return err
	}
	return checkCurrentStaffPassword(st, current)
}

func checkCurrentStaffPassword(st *Staff, current string) error {
	if st.MustChangePassword {
		return nil
	}
	switch {
	case current == "":
		return &ValidationError{Fields: map[string]string{"current": "Enter your current password."}}
	case !CheckPassword(st.PasswordHash, current):
		return &ValidationError{Fields: map[string]string{"current": "That is not your current password."}}
	}
	return nil
}
