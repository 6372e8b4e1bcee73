package models

import "gorm.io/gorm"

// Products may belong to a group (the sizes or colours of one model, an
// import's group_id): rows of recommendations show one product of a group.
func init() {
	register("202612041930_product_group", func(tx *gorm.DB) error {
		return addColumns(tx, &Product{}, "GroupID")
	})
}
