package models

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// AccountChange is a shopper whose account row changed (opt-out, hidden
// interests, edited history, password, name) and when it was written.
type AccountChange struct {
	ExternalID string
	UpdatedAt  time.Time
}

// AccountsChangedSince returns the shoppers whose account was written at or
// after since, oldest first: how an instance learns of account changes made
// through another one (shop.Options.AccountsChanged).
func (db *DB) AccountsChangedSince(ctx context.Context, since time.Time) ([]AccountChange, error) {
	var out []AccountChange
	err := db.R.WithContext(ctx).Model(&Shopper{}).Select("external_id, updated_at").
		Where("updated_at >= ?", since).Order("updated_at").Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("models: accounts changed since %s: %w", since.Format(time.RFC3339), err)
	}
	return out, nil
}

// LatestAccountChange returns when an account was last written, or the zero
// time when there are no shoppers.
func (db *DB) LatestAccountChange(ctx context.Context) (time.Time, error) {
	var sh Shopper
	err := db.R.WithContext(ctx).Select("updated_at").Order("updated_at DESC").Take(&sh).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("models: latest account change: %w", err)
	}
	return sh.UpdatedAt, nil
}

// RenamedImports returns, for those of ids that an import's events file
// gave a customer now kept under another key (another customer here, such
// as an account registered with the shop, already had the id:
// BulkTx.ImportShoppers), the key that customer's events and
// recommendations are under.
func (db *DB) RenamedImports(ctx context.Context, ids []string) (map[string]string, error) {
	out := map[string]string{}
	for start := 0; start < len(ids); start += bulkBatch {
		var rows []struct{ ImportedAs, ExternalID string }
		err := db.R.WithContext(ctx).Model(&Shopper{}).Select("imported_as, external_id").
			Where("imported_as IN ? AND external_id <> imported_as", ids[start:min(start+bulkBatch, len(ids))]).Scan(&rows).Error
		if err != nil {
			return nil, fmt.Errorf("models: renamed imported customers: %w", err)
		}
		for _, r := range rows {
			out[r.ImportedAs] = r.ExternalID
		}
	}
	return out, nil
}
