package models

import "gorm.io/gorm"

// The network and day an account was registered from (Shopper.Origin), so
// the training's crowd guard counts accounts as it counts visitors.
// Accounts registered before have none.
func init() {
	register("202612071410_shopper_origin", func(tx *gorm.DB) error {
		return addColumns(tx, &Shopper{}, "Origin")
	})
}
