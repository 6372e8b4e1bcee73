package models

import "gorm.io/gorm"

// After every order the shop asks which products changed since its
// snapshot's latest change (DB.ProductsUpdatedSince) and, every poll, for
// the catalog's version (DB.CatalogVersion, the latest updated_at): both
// read every product without an index on updated_at, ~4–8 ms each on the
// small demo world, several times a second while orders come in.
func init() {
	register("202612052000_products_updated_index", func(tx *gorm.DB) error {
		return tx.Exec(`CREATE INDEX IF NOT EXISTS idx_products_updated_at ON products(updated_at)`).Error
	})
}
