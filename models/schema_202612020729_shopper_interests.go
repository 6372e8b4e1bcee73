package models

import "gorm.io/gorm"

// Shoppers can remove interests and history from "What we think you
// like": when they last did, and which interests they removed.
func init() {
	register("202612020729_shopper_interests", func(tx *gorm.DB) error {
		return addColumns(tx, &Shopper{}, "HistoryEditedAt", "HiddenInterests")
	})
}
