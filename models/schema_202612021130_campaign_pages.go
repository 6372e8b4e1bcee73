package models

import "gorm.io/gorm"

// Campaign landing pages: a page has a name and a live window.
func init() {
	register("202612021130_campaign_pages", func(tx *gorm.DB) error {
		return addColumns(tx, &Page{}, "Title", "StartsAt", "EndsAt")
	})
}
