package models

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// PasswordResetLife is how long a password reset link works.
const PasswordResetLife = 30 * time.Minute

// PasswordReset is a link sent to a shopper who forgot their password:
// only a hash of its token is stored, it works once and for
// PasswordResetLife, and using one ends every other link of the account.
// It works only while the shopper's address is the one it was mailed to
// (AddressHash): a merchant who corrects an imported customer's mistyped
// address ends the link the mistyped address's holder was sent.
type PasswordReset struct {
	ID        uint   `gorm:"primaryKey"`
	ShopperID uint   `gorm:"index;not null"`
	TokenHash string `gorm:"uniqueIndex;not null"`
	// AddressHash is resetTokenHash of the address the link was mailed to
	// (a hash: the table keeps no address of its own).
	AddressHash string `gorm:"not null;default:''"`
	ExpiresAt   time.Time
	UsedAt      *time.Time
	CreatedAt   time.Time
}

// PasswordResetsPerHour is how many reset links one account is sent in
// an hour at most: a shopper who lost one asks again, and nobody can
// flood their mailbox (or the shop's relay) from the form.
const PasswordResetsPerHour = 3

// ErrTooManyResets is an account already sent PasswordResetsPerHour links
// within the hour.
var ErrTooManyResets = errors.New("models: this account was sent enough password reset links for now")

// ErrResetLinkInvalid is a reset token that is unknown, used or expired.
var ErrResetLinkInvalid = errors.New("models: the password reset link has expired or was already used")

func resetTokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// StartPasswordReset makes a reset token for the account with this email,
// which the caller sends to that address. When no account has the
// address, a customer an import brought under it (the events file's
// user_id is their email address, as many shops export customers) gets
// the token instead (importedCustomer: also one imported under an id of
// the merchant's system whom the merchant gave the address): the link
// proves the address is theirs, and setting a password with it makes
// their history an account they log in to (ClaimsImport on the answer). An address no account or imported customer
// has, or an account without a password, is ErrNotFound; one sent
// PasswordResetsPerHour links in the last hour is ErrTooManyResets. Links
// of the account older than the hour are deleted.
func (db *DB) StartPasswordReset(ctx context.Context, email string, now time.Time) (string, *Shopper, error) {
	em, ok := NormalizeEmail(email)
	if !ok {
		return "", nil, ErrNotFound
	}
	var sh Shopper
	err := db.R.WithContext(ctx).Where("email = ? AND password_hash <> ''", em).Limit(1).Find(&sh).Error
	if err != nil {
		return "", nil, fmt.Errorf("models: find shopper for a password reset: %w", err)
	}
	if sh.ID == 0 {
		if err := db.importedCustomer(ctx, em, &sh); err != nil {
			return "", nil, err
		}
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", nil, fmt.Errorf("models: password reset token: %w", err)
	}
	token := base64.RawURLEncoding.EncodeToString(b)
	now = now.UTC()
	err = db.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// One request of the shopper's at a time counts and stores: on
		// PostgreSQL requests at the same moment (from many addresses, or
		// through several instances) each counted without the others'
		// links and each sent one.
		if err := lockTx(tx, fmt.Sprintf("password-reset:%d", sh.ID)); err != nil {
			return err
		}
		// Links of the last hour are kept, used or not, to count them;
		// older ones have all ended (PasswordResetLife is shorter).
		if err := tx.Where("shopper_id = ? AND created_at <= ?", sh.ID, now.Add(-time.Hour)).Delete(&PasswordReset{}).Error; err != nil {
			return err
		}
		var sent int64
		if err := tx.Model(&PasswordReset{}).Where("shopper_id = ?", sh.ID).Count(&sent).Error; err != nil {
			return err
		}
		if sent >= PasswordResetsPerHour {
			return ErrTooManyResets
		}
		return tx.Create(&PasswordReset{ShopperID: sh.ID, TokenHash: resetTokenHash(token), AddressHash: resetTokenHash(em),
			ExpiresAt: now.Add(PasswordResetLife), CreatedAt: now}).Error
	})
	if errors.Is(err, ErrTooManyResets) {
		return "", &sh, err
	}
	if err != nil {
		return "", nil, fmt.Errorf("models: store password reset of shopper %d: %w", sh.ID, err)
	}
	return token, &sh, nil
}

// importedCustomer finds the customer an import brought who has no
// account yet (no email, no password) and whose address is em: the one
// the merchant gave them (ClaimEmail: a customers file, the admin), or
// else the id they were imported under, matched as written, then ignoring
// case. Anyone else is ErrNotFound.
func (db *DB) importedCustomer(ctx context.Context, em string, sh *Shopper) error {
	unclaimed := func() *gorm.DB {
		return db.R.WithContext(ctx).Where("email IS NULL AND (password_hash IS NULL OR password_hash = '') AND imported_as IS NOT NULL")
	}
	if err := unclaimed().Where("claim_email = ?", em).Limit(1).Find(sh).Error; err != nil {
		return fmt.Errorf("models: find imported customer for a password reset: %w", err)
	}
	if sh.ID != 0 {
		return nil
	}
	// A customer given an address is no longer found by their id.
	if err := unclaimed().Where("claim_email IS NULL AND imported_as = ?", em).Limit(1).Find(sh).Error; err != nil {
		return fmt.Errorf("models: find imported customer for a password reset: %w", err)
	}
	if sh.ID == 0 {
		if err := unclaimed().Where("claim_email IS NULL AND LOWER(imported_as) = ?", em).Limit(1).Find(sh).Error; err != nil {
			return fmt.Errorf("models: find imported customer for a password reset: %w", err)
		}
	}
	if sh.ID == 0 || sh.ImportedAs == nil || FoldEmail(*sh.ImportedAs) != em {
		return ErrNotFound
	}
	return nil
}

// ClaimsImport tells whether a shopper is a customer an import brought who
// has no account yet: a password reset link sent to them makes one.
func (sh *Shopper) ClaimsImport() bool {
	return sh.Email == nil && sh.PasswordHash == "" && sh.ImportedAs != nil
}

// FileID is the id a merchant knows a customer by: their files' user_id
// (the id an import brought them under), else their id here.
func (sh *Shopper) FileID() string {
	if sh.ImportedAs != nil {
		return *sh.ImportedAs
	}
	return sh.ExternalID
}

// claimAddress is the address an imported customer's account takes when
// they set their first password: the one the merchant gave them, or else
// the id they were imported under.
func (sh *Shopper) claimAddress() string {
	if sh.ClaimEmail != nil {
		return *sh.ClaimEmail
	}
	return FoldEmail(*sh.ImportedAs)
}

// resetAddress is the address a reset link of the shopper must have been
// mailed to: their account's, or for a customer an import brought, the
// one their first password makes their account's ("" for neither).
func (sh *Shopper) resetAddress() string {
	switch {
	case sh.Email != nil:
		return *sh.Email
	case sh.ClaimsImport():
		return sh.claimAddress()
	}
	return ""
}

// mailedTo tells whether the link was mailed to the address the shopper
// has now: an address changed since (an imported customer's, corrected by
// the merchant) ends it, and a link from before links kept their address
// works no more.
func (r *PasswordReset) mailedTo(sh *Shopper) bool {
	em := sh.resetAddress()
	return r.AddressHash != "" && em != "" && r.AddressHash == resetTokenHash(em)
}

// PasswordResetShopper is the shopper a reset token works for now, or
// ErrResetLinkInvalid.
func (db *DB) PasswordResetShopper(ctx context.Context, token string, now time.Time) (*Shopper, error) {
	var r PasswordReset
	err := db.R.WithContext(ctx).Where("token_hash = ? AND used_at IS NULL AND expires_at > ?", resetTokenHash(token), now.UTC()).
		Limit(1).Find(&r).Error
	if err != nil {
		return nil, fmt.Errorf("models: find password reset: %w", err)
	}
	if r.ID == 0 || token == "" {
		return nil, ErrResetLinkInvalid
	}
	sh, err := db.ShopperByID(ctx, r.ShopperID)
	if errors.Is(err, ErrNotFound) || err == nil && !r.mailedTo(sh) {
		return nil, ErrResetLinkInvalid
	}
	return sh, err
}

// ResetShopperPassword sets a new password with a reset token: the
// password follows the shop's policy (a ValidationError on "password"),
// the token works once (ErrResetLinkInvalid after its first use or its
// life), and every other link of the account stops working with it.
func (db *DB) ResetShopperPassword(ctx context.Context, token, password string, now time.Time) (*Shopper, error) {
	if msg := ValidateNewPassword(password); msg != "" {
		return nil, &ValidationError{Fields: map[string]string{"password": msg}}
	}
	if _, err := db.PasswordResetShopper(ctx, token, now); err != nil {
		return nil, err // an unknown token costs no hashing
	}
	hash, err := HashPassword(password)
	if err != nil {
		return nil, err
	}
	now = now.UTC()
	var shopperID uint
	err = db.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var r PasswordReset
		if err := tx.Where("token_hash = ?", resetTokenHash(token)).Limit(1).Find(&r).Error; err != nil {
			return err
		}
		// The claim is one conditional update: of two submissions of one
		// link, only one changes the password.
		res := tx.Model(&PasswordReset{}).Where("id = ? AND used_at IS NULL AND expires_at > ?", r.ID, now).Update("used_at", now)
		if res.Error != nil {
			return res.Error
		}
		if r.ID == 0 || res.RowsAffected != 1 {
			return ErrResetLinkInvalid
		}
		shopperID = r.ShopperID
		if err := tx.Model(&PasswordReset{}).Where("shopper_id = ? AND used_at IS NULL", r.ShopperID).Update("used_at", now).Error; err != nil {
			return err
		}
		var sh Shopper
		if err := tx.Where("id = ?", r.ShopperID).Limit(1).Find(&sh).Error; err != nil {
			return err
		}
		if sh.ID == 0 || !r.mailedTo(&sh) {
			return ErrResetLinkInvalid
		}
		set := map[string]any{"password_hash": hash}
		if sh.ClaimsImport() {
			// The link was mailed to the address the merchant gave them
			// or to the file's id: it is their address from now on,
			// unless someone registered it meanwhile (then "Forgot your
			// password?" reaches that account instead).
			em := sh.claimAddress()
			var taken int64
			if err := tx.Model(&Shopper{}).Where("email = ?", em).Count(&taken).Error; err != nil {
				return err
			}
			if taken > 0 {
				return ErrResetLinkInvalid
			}
			set["email"], set["claim_email"] = em, nil
		}
		return tx.Model(&Shopper{}).Where("id = ?", r.ShopperID).Updates(set).Error
	})
	if errors.Is(err, ErrResetLinkInvalid) {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("models: reset password: %w", err)
	}
	return db.ShopperByID(ctx, shopperID)
}
