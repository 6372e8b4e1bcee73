package models

import "gorm.io/gorm"

// An imported customer is found again by the id their events file gave
// them (Shopper.ImportedAs). Shoppers created before this without a
// password came from an import or the seeded demo (nobody can log in as
// them): they are named by their id as it is; registered accounts are not,
// so an import never attaches to them.
func init() {
	register("202612041630_shopper_imported_as", func(tx *gorm.DB) error {
		if err := addColumns(tx, &Shopper{}, "ImportedAs"); err != nil {
			return err
		}
		return tx.Exec(`UPDATE shoppers SET imported_as = external_id WHERE password_hash IS NULL OR password_hash = ''`).Error
	})
}
