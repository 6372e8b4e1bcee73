package models

import "gorm.io/gorm"

// Uploaded pictures (product images, and any other picture staff upload)
// live in the database, so every instance of the shop serves them.
func init() {
	register("202612021130_images", func(tx *gorm.DB) error {
		return createTables(tx, &Image{}, &ImageFile{})
	})
}
