package models

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// SettingEventRetentionDays is how many days raw events are kept (0 = forever).
const SettingEventRetentionDays = "event_retention_days"

// Setting returns a stored setting, or def when it is not set.
func (db *DB) Setting(ctx context.Context, key, def string) (string, error) {
	var s Setting
	err := db.R.WithContext(ctx).Where("key = ?", key).First(&s).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return def, nil
	}
	if err != nil {
		return def, fmt.Errorf("models: read setting %s: %w", key, err)
	}
	return s.Value, nil
}

// SetSetting stores a setting with an audit entry.
func (db *DB) SetSetting(ctx context.Context, actor, key, value string) error {
	return db.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		err := tx.Clauses(clause.OnConflict{UpdateAll: true}).Create(&Setting{Key: key, Value: value}).Error
		if err != nil {
			return fmt.Errorf("models: store setting %s: %w", key, err)
		}
		return audit(tx, actor, "setting.update", key, value)
	})
}

// ClearSetting removes a setting, so its default applies again, with an
// audit entry. Clearing an unset setting does nothing.
func (db *DB) ClearSetting(ctx context.Context, actor, key string) error {
	return db.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Where("key = ?", key).Delete(&Setting{})
		if res.Error != nil {
			return fmt.Errorf("models: clear setting %s: %w", key, res.Error)
		}
		if res.RowsAffected == 0 {
			return nil
		}
		return audit(tx, actor, "setting.clear", key, "back to the default")
	})
}

// RetentionDays returns the event retention period in days (0 = keep forever).
func (db *DB) RetentionDays(ctx context.Context) (int, error) {
	v, err := db.Setting(ctx, SettingEventRetentionDays, "0")
	if err != nil {
		return 0, err
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, nil
	}
	return n, nil
}

// settingVisitorKey holds the key visitor cookies are signed with.
const settingVisitorKey = "visitor_cookie_key"

// VisitorCookieKey returns the key the shop signs visitor cookies with,
// making it on first use. It lives in the database like the sessions, so
// every instance serving the shop signs and checks with the same key; two
// instances starting at once both keep the one stored first.
func (db *DB) VisitorCookieKey(ctx context.Context) ([]byte, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, fmt.Errorf("models: visitor cookie key: %w", err)
	}
	w := db.W.WithContext(ctx)
	err := w.Clauses(clause.OnConflict{DoNothing: true}).Create(&Setting{Key: settingVisitorKey, Value: hex.EncodeToString(b)}).Error
	if err != nil {
		return nil, fmt.Errorf("models: store visitor cookie key: %w", err)
	}
	var s Setting
	if err := w.Where("key = ?", settingVisitorKey).First(&s).Error; err != nil {
		return nil, fmt.Errorf("models: read visitor cookie key: %w", err)
	}
	key, err := hex.DecodeString(s.Value)
	if err != nil || len(key) < 16 {
		return nil, fmt.Errorf("models: visitor cookie key is damaged (setting %s)", settingVisitorKey)
	}
	return key, nil
}

// settingHostCookiesSince holds when the shop first served with secure
// cookies, whose session and visitor cookies carry the __Host- prefix.
const settingHostCookiesSince = "host_cookies_since"

// HostCookiesSince returns when the shop first served behind TLS (with
// secure cookies), storing now on first use. Sessions signed in before it
// were issued under the cookie names without the __Host- prefix, and are
// taken once under those names; one signed in after it never was, so such
// a cookie was planted. Every instance reads the one stored first.
func (db *DB) HostCookiesSince(ctx context.Context, now time.Time) (time.Time, error) {
	w := db.W.WithContext(ctx)
	err := w.Clauses(clause.OnConflict{DoNothing: true}).
		Create(&Setting{Key: settingHostCookiesSince, Value: strconv.FormatInt(now.UnixNano(), 10)}).Error
	if err != nil {
		return time.Time{}, fmt.Errorf("models: store %s: %w", settingHostCookiesSince, err)
	}
	var s Setting
	if err := w.Where("key = ?", settingHostCookiesSince).First(&s).Error; err != nil {
		return time.Time{}, fmt.Errorf("models: read %s: %w", settingHostCookiesSince, err)
	}
	sec, err := strconv.ParseInt(s.Value, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("models: setting %s is damaged: %q", settingHostCookiesSince, s.Value)
	}
	return time.Unix(0, sec), nil
}
