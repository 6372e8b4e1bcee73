package models

import "gorm.io/gorm"

// Products can be on sale: the regular (compare-at) price next to the price.
func init() {
	register("202612020738_product_compare_at", func(tx *gorm.DB) error {
		return addColumns(tx, &Product{}, "CompareAtCents")
	})
}
