package models

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// ErrLastAdmin refuses a change that would leave the shop without an
// active admin, who alone can manage staff and settings. It is an
// ErrInvalid.
var ErrLastAdmin error = lastAdminError{}

type lastAdminError struct{}

func (lastAdminError) Error() string { return "the shop must keep at least one active admin" }
func (lastAdminError) Unwrap() error { return ErrInvalid }

// ValidRole reports whether role is a staff role.
func ValidRole(role string) bool { return role == RoleAdmin || role == RoleMerchandiser }

// Active reports whether the account may log in.
func (s Staff) Active() bool { return s.DeactivatedAt == nil }

// GeneratePassword returns a random 20-character password from an alphabet
// without look-alike characters (about 115 bits).
func GeneratePassword() string {
	const alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	return randomFrom(alphabet, 20)
}

func randomFrom(alphabet string, n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	// 256 % 56 != 0: reject the top bytes so every character is equally likely.
	limit := byte(256 - 256%len(alphabet))
	out := make([]byte, 0, n)
	for len(out) < n {
		for _, c := range b {
			if c < limit && len(out) < n {
				out = append(out, alphabet[int(c)%len(alphabet)])
			}
		}
		if _, err := rand.Read(b); err != nil {
			panic(err)
		}
	}
	return string(out)
}

// NewStaff is what creating a staff account needs.
type NewStaff struct {
	Email    string
	Name     string
	Role     string
	Password string
	// Given marks a password someone else chose or saw (an admin's
	// generated one): the account must choose its own at its first login,
	// so the given one never becomes its long-term password (ASVS 2.3.1).
	Given bool
}

// validate checks the fields and returns the normalized email.
func (n NewStaff) validate() (string, error) {
	f := map[string]string{}
	em, ok := NormalizeEmail(n.Email)
	if !ok {
		f["email"] = "Enter a valid email address."
	}
	if !ValidRole(n.Role) {
		f["role"] = fmt.Sprintf("Unknown role %q; use %s or %s.", n.Role, RoleAdmin, RoleMerchandiser)
	}
	if len(n.Name) > 100 {
		f["name"] = "Use at most 100 characters."
	}
	if msg := ValidateNewPassword(n.Password); msg != "" {
		f["password"] = msg
	}
	if len(f) > 0 {
		return "", &ValidationError{Fields: f}
	}
	return em, nil
}

// CreateStaff adds a staff account, recorded in the audit log under actor.
func (db *DB) CreateStaff(ctx context.Context, actor string, n NewStaff) (*Staff, error) {
	em, err := n.validate()
	if err != nil {
		return nil, err
	}
	hash, err := HashPassword(n.Password)
	if err != nil {
		return nil, err
	}
	s := &Staff{Email: em, Name: strings.TrimSpace(n.Name), Role: n.Role, PasswordHash: hash, CreatedAt: time.Now().UTC(), MustChangePassword: n.Given}
	if n.Given {
		s.PasswordGivenAt = &s.CreatedAt
	}
	err = db.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := createStaff(tx, s); err != nil {
			return err
		}
		return audit(tx, actor, "staff.create", em, "role "+n.Role)
	})
	if err != nil {
		return nil, wrapStaffErr(err, "create staff %s", em)
	}
	return s, nil
}

func createStaff(tx *gorm.DB, s *Staff) error {
	var n int64
	if err := tx.Model(&Staff{}).Where("email = ?", s.Email).Count(&n).Error; err != nil {
		return err
	}
	if n > 0 {
		return &ValidationError{Fields: map[string]string{"email": "A staff account with this email already exists."}}
	}
	return tx.Create(s).Error
}

// wrapStaffErr passes validation and last-admin errors through unchanged,
// so their messages reach the user, and wraps everything else once.
func wrapStaffErr(err error, format string, args ...any) error {
	var ve *ValidationError
	if errors.As(err, &ve) || errors.Is(err, ErrLastAdmin) || errors.Is(err, ErrNotFound) {
		return err
	}
	return fmt.Errorf("models: "+format+": %w", append(args, err)...)
}

// StaffList returns every staff account, admins first, then by email.
func (db *DB) StaffList(ctx context.Context) ([]Staff, error) {
	var out []Staff
	if err := db.R.WithContext(ctx).Order("role = 'admin' DESC, email").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("models: list staff: %w", err)
	}
	return out, nil
}

// StaffByEmail finds a staff account by email.
func (db *DB) StaffByEmail(ctx context.Context, email string) (*Staff, error) {
	em, _ := NormalizeEmail(email)
	var s Staff
	if err := db.R.WithContext(ctx).Where("email = ?", em).First(&s).Error; err != nil {
		return nil, notFound(err, "find staff %q", email)
	}
	return &s, nil
}

// HasStaff reports whether any staff account exists.
func (db *DB) HasStaff(ctx context.Context) (bool, error) {
	var n int64
	if err := db.R.WithContext(ctx).Model(&Staff{}).Count(&n).Error; err != nil {
		return false, fmt.Errorf("models: count staff: %w", err)
	}
	return n > 0, nil
}

// staffLockKey serializes the changes to staff accounts that must see
// each other: who the admins are, and whether the shop has staff yet.
const staffLockKey = "staff"

// changeStaff runs fn on one staff account inside a write transaction and
// then checks that an active admin remains.
func (db *DB) changeStaff(ctx context.Context, id uint, fn func(tx *gorm.DB, s *Staff) error) (*Staff, error) {
	var s Staff
	err := db.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// Two admins demoting, deactivating or removing each other at
		// the same moment (on two instances of a PostgreSQL database,
		// where each transaction counts the admins without the other's
		// change) would each leave one admin and together none.
		if err := lockTx(tx, staffLockKey); err != nil {
			return err
		}
		if err := tx.First(&s, id).Error; err != nil {
			return notFound(err, "find staff %d", id)
		}
		if err := fn(tx, &s); err != nil {
			return err
		}
		var admins int64
		if err := tx.Model(&Staff{}).Where("role = ? AND deactivated_at IS NULL", RoleAdmin).Count(&admins).Error; err != nil {
			return err
		}
		if admins == 0 {
			return ErrLastAdmin
		}
		return nil
	})
	if err != nil {
		return nil, wrapStaffErr(err, "change staff %d", id)
	}
	return &s, nil
}

// givenAt is the password_given_at of a password set now: the time if it
// was given, none if its owner chose it.
func givenAt(given bool) *time.Time {
	if !given {
		return nil
	}
	now := time.Now().UTC()
	return &now
}

// RemoveStaff deletes a staff account; the last active admin stays.
func (db *DB) RemoveStaff(ctx context.Context, actor string, id uint) (*Staff, error) {
	return db.changeStaff(ctx, id, func(tx *gorm.DB, s *Staff) error {
		if err := tx.Delete(&Staff{}, s.ID).Error; err != nil {
			return err
		}
		return audit(tx, actor, "staff.remove", s.Email, "role "+s.Role)
	})
}

// SetStaffRole changes a staff account's role; the last active admin stays one.
func (db *DB) SetStaffRole(ctx context.Context, actor string, id uint, role string) (*Staff, error) {
	if !ValidRole(role) {
		return nil, &ValidationError{Fields: map[string]string{"role": fmt.Sprintf("Unknown role %q; use %s or %s.", role, RoleAdmin, RoleMerchandiser)}}
	}
	return db.changeStaff(ctx, id, func(tx *gorm.DB, s *Staff) error {
		if s.Role == role {
			return nil
		}
		from := s.Role
		s.Role = role
		if err := tx.Model(&Staff{}).Where("id = ?", s.ID).Update("role", role).Error; err != nil {
			return err
		}
		return audit(tx, actor, "staff.role", s.Email, from+" → "+role)
	})
}

// SetStaffActive deactivates or reactivates a staff account. A deactivated
// account cannot log in and its open sessions stop working; the last active
// admin cannot be deactivated.
func (db *DB) SetStaffActive(ctx context.Context, actor string, id uint, active bool) (*Staff, error) {
	return db.changeStaff(ctx, id, func(tx *gorm.DB, s *Staff) error {
		if s.Active() == active {
			return nil
		}
		action, value := "staff.deactivate", any(time.Now().UTC())
		if active {
			action, value = "staff.reactivate", nil
		}
		if err := tx.Model(&Staff{}).Where("id = ?", s.ID).Update("deactivated_at", value).Error; err != nil {
			return err
		}
		if active {
			s.DeactivatedAt = nil
		} else {
			t := value.(time.Time)
			s.DeactivatedAt = &t
		}
		return audit(tx, actor, action, s.Email, "")
	})
}

// SetStaffPassword replaces a staff account's password after checking it
// against the password policy. A given password (see NewStaff.Given) must
// be changed at the account's next login.
func (db *DB) SetStaffPassword(ctx context.Context, actor string, id uint, password string, given bool) (*Staff, error) {
	if msg := ValidateNewPassword(password); msg != "" {
		return nil, &ValidationError{Fields: map[string]string{"password": msg}}
	}
	hash, err := HashPassword(password)
	if err != nil {
		return nil, err
	}
	return db.changeStaff(ctx, id, func(tx *gorm.DB, s *Staff) error {
		if err := tx.Model(&Staff{}).Where("id = ?", s.ID).Updates(map[string]any{"password_hash": hash, "password_generation": gorm.Expr("password_generation + 1"), "must_change_password": given, "password_given_at": givenAt(given)}).Error; err != nil {
			return err
		}
		return audit(tx, actor, "staff.password_reset", s.Email, "")
	})
}
