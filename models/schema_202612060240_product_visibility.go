package models

import "gorm.io/gorm"

// Products may be found only in category listings or only by search (a
// Magento export's visibility column).
func init() {
	register("202612060240_product_visibility", func(tx *gorm.DB) error {
		return addColumns(tx, &Product{}, "Visibility")
	})
}
