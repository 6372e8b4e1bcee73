package models

import "gorm.io/gorm"

// Orders keep the payment provider's reference.
func init() {
	register("202612020003_order_payment_ref", func(tx *gorm.DB) error {
		return addColumns(tx, &Order{}, "PaymentRef")
	})
}
