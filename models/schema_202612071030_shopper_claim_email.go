package models

import "gorm.io/gorm"

// The address a merchant gives a customer imported under an id of their
// shop system (Shopper.ClaimEmail), and the customers file an admin's
// import uploads with it (ImportJob.CustomersName, CustomersCSV).
func init() {
	register("202612071030_shopper_claim_email", func(tx *gorm.DB) error {
		if err := addColumns(tx, &Shopper{}, "ClaimEmail"); err != nil {
			return err
		}
		return addColumns(tx, &ImportJob{}, "CustomersName", "CustomersCSV")
	})
}
