package models

import "gorm.io/gorm"

// Checkout keys whose payment authorization was voided (VoidedPayment).
func init() {
	register("202612060930_voided_payments", func(tx *gorm.DB) error {
		return createTables(tx, &VoidedPayment{})
	})
}
