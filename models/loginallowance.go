package models

import (
	"context"
	"fmt"
	"time"
)

// LoginAllowance is one account's allowance of login attempts (logins,
// registrations, password changes and reset requests naming it), kept in
// the database so that every instance of the shop spends the same one: in
// memory, N instances allowed an account N times its guesses, and a load
// balancer cannot limit by the account a form names.
//
// It is a token bucket stored as the time it is whole again (GCRA's
// theoretical arrival time): an attempt is allowed while that time is at
// most burst-1 intervals ahead of now, and moves it one interval on. A row
// whose time has passed is a whole bucket, the same as no row.
type LoginAllowance struct {
	// Account is the account as the limiter keys it (a SHA-256 hex of what
	// the form named), never the email itself.
	Account string `gorm:"primaryKey;size:64"`
	// FullAt is when the allowance is whole again, in Unix microseconds.
	FullAt int64 `gorm:"not null;index"`
}

// SpendLoginAllowance spends one attempt of account's allowance of burst
// attempts refilled one per every, at now; when none is left it spends
// nothing and says how long until one is. One statement, so attempts at
// once through several instances each spend their own.
func (db *DB) SpendLoginAllowance(ctx context.Context, account string, now time.Time, every time.Duration, burst int) (bool, time.Duration, error) {
	at, step := now.UnixMicro(), max(every.Microseconds(), 1)
	latest := at + int64(max(burst, 1)-1)*step // the latest FullAt an attempt is allowed at
	// The allowance's time, or now when that has passed: CASE rather
	// than GREATEST, which SQLite does not have.
	var spent []int64
	err := db.W.WithContext(ctx).Raw(`INSERT INTO login_allowances (account, full_at) VALUES (?, ?)
		ON CONFLICT (account) DO UPDATE
		SET full_at = (CASE WHEN login_allowances.full_at > ? THEN login_allowances.full_at ELSE ? END) + ?
		WHERE (CASE WHEN login_allowances.full_at > ? THEN login_allowances.full_at ELSE ? END) <= ?
		RETURNING full_at`,
		account, at+step, at, at, step, at, at, latest).Scan(&spent).Error
	if err != nil {
		return false, 0, fmt.Errorf("models: spend a login attempt: %w", err)
	}
	if len(spent) > 0 {
		return true, 0, nil
	}
	var full []int64
	if err := db.W.WithContext(ctx).Raw("SELECT full_at FROM login_allowances WHERE account = ?", account).Scan(&full).Error; err != nil {
		return false, 0, fmt.Errorf("models: read a login allowance: %w", err)
	}
	wait := time.Millisecond // refilled since the refusal: try again at once
	if len(full) > 0 && full[0]-latest > 0 {
		wait = time.Duration(full[0]-latest) * time.Microsecond
	}
	return false, wait, nil
}

// DeleteWholeLoginAllowances removes the allowances that are whole again
// at now (the same as no row), so accounts named once do not stay.
func (db *DB) DeleteWholeLoginAllowances(ctx context.Context, now time.Time) (int64, error) {
	res := db.W.WithContext(ctx).Where("full_at <= ?", now.UnixMicro()).Delete(&LoginAllowance{})
	if res.Error != nil {
		return 0, fmt.Errorf("models: delete whole login allowances: %w", res.Error)
	}
	return res.RowsAffected, nil
}
