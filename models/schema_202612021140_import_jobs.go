package models

import "gorm.io/gorm"

// Admin imports kept in the database between preview and apply, so the
// two may reach different instances.
func init() {
	register("202612021140_import_jobs", func(tx *gorm.DB) error {
		return createTables(tx, &ImportJob{})
	})
}
