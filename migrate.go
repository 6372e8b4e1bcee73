package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"storefront/models"
)

// migrateCmd brings the schema up to date (Open does) and says what ran.
func migrateCmd(cfg config, stdout io.Writer) error {
	db, err := openDB(cfg.db)
	if err != nil {
		return err
	}
	defer db.Close()
	applied, err := db.AppliedMigrations(context.Background())
	if err != nil {
		return err
	}
	if len(db.Migrated) == 0 {
		fmt.Fprintf(stdout, "%s: schema up to date (%d migrations, last %s)\n", db.Name(), len(applied), applied[len(applied)-1])
		return nil
	}
	fmt.Fprintf(stdout, "%s: applied %d migration(s): %s\n", db.Name(), len(db.Migrated), strings.Join(db.Migrated, ", "))
	return nil
}

// dbName is the --db value fit for messages: a URL's password hidden.
func dbName(target string) string { return models.RedactURL(target) }
