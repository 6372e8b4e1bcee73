package models

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm/clause"
)

// Instance is a running shop process on the database, as it last
// announced itself (shop.Shop.Announce): how many instances share the
// database decides each one's share of the per-address and per-key rate
// limits.
type Instance struct {
	ID     string    `gorm:"primaryKey;size:64"`
	SeenAt time.Time `gorm:"not null;index"`
}

// AnnounceInstance records that instance id is running at now and returns
// how many instances were seen within window before now, itself included.
// Rows not seen for ten windows are deleted.
func (db *DB) AnnounceInstance(ctx context.Context, id string, now time.Time, window time.Duration) (int, error) {
	w := db.W.WithContext(ctx)
	err := w.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "id"}}, DoUpdates: clause.AssignmentColumns([]string{"seen_at"})}).
		Create(&Instance{ID: id, SeenAt: now.UTC()}).Error
	if err != nil {
		return 1, fmt.Errorf("models: announce this instance: %w", err)
	}
	if err := w.Where("seen_at < ?", now.Add(-10*window).UTC()).Delete(&Instance{}).Error; err != nil {
		return 1, fmt.Errorf("models: forget stopped instances: %w", err)
	}
	var n int64
	if err := w.Model(&Instance{}).Where("seen_at >= ?", now.Add(-window).UTC()).Count(&n).Error; err != nil {
		return 1, fmt.Errorf("models: count the running instances: %w", err)
	}
	return max(int(n), 1), nil
}

// RetireInstance removes instance id's announcement: it is stopping.
func (db *DB) RetireInstance(ctx context.Context, id string) error {
	if err := db.W.WithContext(ctx).Where("id = ?", id).Delete(&Instance{}).Error; err != nil {
		return fmt.Errorf("models: retire this instance: %w", err)
	}
	return nil
}
