package models

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// VoidedPayment is a checkout form's idempotency key whose payment
// authorization the shop voided (the order could not be placed: a product
// sold out, a price changed). A payment provider answers a repeated key
// with the authorization it gave the first time, voided or not, so an
// order placed later under the same key would stand on money that is no
// longer held: the key is kept here and refused from then on.
type VoidedPayment struct {
	Key      string    `gorm:"primaryKey;size:64"`
	VoidedAt time.Time `gorm:"not null;index"`
}

// ErrPaymentVoided refuses an order under a checkout form's key whose
// payment authorization was voided: the form is used up, and the shopper
// places the order from a new one.
var ErrPaymentVoided = fmt.Errorf("the checkout form's payment was voided: %w", ErrConflict)

// VoidedPaymentKept is how long a voided key is refused: longer than any
// provider replays an idempotency key's answer (a day at the common ones).
const VoidedPaymentKept = 30 * 24 * time.Hour

// PaymentVoided reports whether the checkout form's key had its payment
// voided.
func (db *DB) PaymentVoided(ctx context.Context, key string) (bool, error) {
	var n int64
	if err := db.R.WithContext(ctx).Model(&VoidedPayment{}).Where("key = ?", key).Count(&n).Error; err != nil {
		return false, fmt.Errorf("models: voided payment: %w", err)
	}
	return n > 0, nil
}

// VoidPayment records that the authorization given for a checkout form's
// key is about to be voided, under the lock of owner's checkout, so no
// order is placed under that key afterwards (PlaceOrderPaid). It reports
// false, and records nothing, when an order already holds the key (a
// second submission of the same form placed it meanwhile): that order
// stands on the authorization, which must not be voided then.
func (db *DB) VoidPayment(ctx context.Context, owner, key string) (bool, error) {
	void := true
	err := db.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := lockTx(tx, cartLockKey(owner)); err != nil {
			return err
		}
		var n int64
		if err := tx.Model(&Order{}).Where("idempotency_key = ?", key).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			void = false
			return nil
		}
		return tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&VoidedPayment{Key: key, VoidedAt: time.Now().UTC()}).Error
	})
	if err != nil {
		return false, fmt.Errorf("models: void payment: %w", err)
	}
	return void, nil
}

// paymentVoidedTx refuses a key whose payment was voided.
func paymentVoidedTx(tx *gorm.DB, key string) error {
	var n int64
	if err := tx.Model(&VoidedPayment{}).Where("key = ?", key).Count(&n).Error; err != nil {
		return err
	}
	if n > 0 {
		return ErrPaymentVoided
	}
	return nil
}

// DeleteVoidedPaymentsBefore forgets voided keys older than before (the
// daily housekeeping, VoidedPaymentKept).
func (db *DB) DeleteVoidedPaymentsBefore(ctx context.Context, before time.Time) (int64, error) {
	res := db.W.WithContext(ctx).Where("voided_at < ?", before).Delete(&VoidedPayment{})
	if res.Error != nil && !errors.Is(res.Error, gorm.ErrRecordNotFound) {
		return 0, fmt.Errorf("models: delete voided payments: %w", res.Error)
	}
	return res.RowsAffected, nil
}
