package models

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// setupTokenPrefix keys the first-run setup tokens in the settings table;
// only a hash of each token is stored.
const setupTokenPrefix = "setup_token."

// SetupTokenLifetime is how long a setup link works: serve prints a new
// one at every start while the shop has no staff, so a link found later in
// old logs or a terminal's scrollback no longer claims the shop.
const SetupTokenLifetime = 24 * time.Hour

// setupTokenLive reports whether a token row (its value is when it was
// made) is still within its lifetime.
func setupTokenLive(tx *gorm.DB, token string) (bool, error) {
	var row Setting
	err := tx.Where("key = ?", setupKey(token)).Limit(1).Find(&row).Error
	if err != nil || row.Key == "" {
		return false, err
	}
	made, err := time.Parse(time.RFC3339, row.Value)
	if err != nil {
		return false, nil
	}
	return time.Since(made) < SetupTokenLifetime, nil
}

func setupKey(token string) string {
	sum := sha256.Sum256([]byte(token))
	return setupTokenPrefix + hex.EncodeToString(sum[:])
}

// CreateSetupToken returns a new one-time token for creating the first
// admin, or "" when a staff account already exists. Each serving instance
// may create its own; all of them stop working once the first admin exists.
func (db *DB) CreateSetupToken(ctx context.Context) (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("models: setup token: %w", err)
	}
	token := base64.RawURLEncoding.EncodeToString(b)
	created := false
	err := db.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&Staff{}).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
		created = true
		return tx.Create(&Setting{Key: setupKey(token), Value: time.Now().UTC().Format(time.RFC3339)}).Error
	})
	if err != nil {
		return "", fmt.Errorf("models: setup token: %w", err)
	}
	if !created {
		return "", nil
	}
	return token, nil
}

// SetupTokenValid reports whether token may still create the first admin.
func (db *DB) SetupTokenValid(ctx context.Context, token string) (bool, error) {
	if token == "" {
		return false, nil
	}
	live, err := setupTokenLive(db.R.WithContext(ctx), token)
	if err != nil {
		return false, fmt.Errorf("models: check setup token: %w", err)
	}
	if !live {
		return false, nil
	}
	has, err := db.HasStaff(ctx)
	return !has && err == nil, err
}

// SetupFirstAdmin creates the shop's first admin with a setup token and
// names the shop (when shopName is not empty). The token and every other
// setup token stop working. A wrong or used token, or a shop that has
// staff already, gives ErrNotFound.
func (db *DB) SetupFirstAdmin(ctx context.Context, token, shopName string, n NewStaff) (*Staff, error) {
	n.Role = RoleAdmin
	em, err := n.validate()
	shopName = strings.TrimSpace(shopName)
	if len([]rune(shopName)) > 80 {
		f := map[string]string{"shop_name": "Use at most 80 characters."}
		if ve, ok := err.(*ValidationError); ok {
			for k, v := range ve.Fields {
				f[k] = v
			}
		}
		err = &ValidationError{Fields: f}
	}
	if err != nil {
		return nil, err
	}
	hash, err := HashPassword(n.Password)
	if err != nil {
		return nil, err
	}
	s := &Staff{Email: em, Name: strings.TrimSpace(n.Name), Role: RoleAdmin, PasswordHash: hash, CreatedAt: time.Now().UTC()}
	err = db.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// One link posted twice at once (or two instances' links) must
		// make one admin: on PostgreSQL each transaction would otherwise
		// count no staff and see its token live.
		if err := lockTx(tx, staffLockKey); err != nil {
			return err
		}
		var staff int64
		live, err := setupTokenLive(tx, token)
		if err != nil {
			return err
		}
		if err := tx.Model(&Staff{}).Count(&staff).Error; err != nil {
			return err
		}
		if !live || staff > 0 || token == "" {
			return ErrNotFound
		}
		if err := createStaff(tx, s); err != nil {
			return err
		}
		if err := tx.Where("key LIKE ?", setupTokenPrefix+"%").Delete(&Setting{}).Error; err != nil {
			return err
		}
		if shopName != "" {
			cur, err := shopSettingsTx(tx)
			if err != nil {
				return err
			}
			cur.Name = shopName
			if err := putSetting(tx, settingShop, cur); err != nil {
				return err
			}
		}
		return audit(tx, em, "staff.setup", em, "first admin created with the setup link")
	})
	if err != nil {
		return nil, wrapStaffErr(err, "set up first admin")
	}
	return s, nil
}
