package models

import "gorm.io/gorm"

// Products keep their title, brand and external id folded (no case, no
// accents) so staff search finds "Müller" from "muller" in SQL, on SQLite
// and PostgreSQL alike; the existing rows are folded here, a batch at a time.
func init() {
	register("202612041720_product_folded", func(tx *gorm.DB) error {
		if err := addColumns(tx, &Product{}, "Folded"); err != nil {
			return err
		}
		var after uint
		for {
			var rows []struct {
				ID                       uint
				Title, Brand, ExternalID string
			}
			err := tx.Model(&Product{}).Select("id, title, brand, external_id").Where("id > ?", after).
				Order("id").Limit(1000).Scan(&rows).Error
			if err != nil || len(rows) == 0 {
				return err
			}
			for _, r := range rows {
				err := tx.Exec(`UPDATE products SET folded = ? WHERE id = ?`, foldedProduct(r.Title, r.Brand, r.ExternalID), r.ID).Error
				if err != nil {
					return err
				}
			}
			after = rows[len(rows)-1].ID
		}
	})
}
