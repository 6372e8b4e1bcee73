package models

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// ImportJob is a catalog import uploaded in the admin, with its files,
// from the preview until it is applied. It lives in the database, so the
// preview, the apply and the progress page may each reach a different
// instance of the shop.
type ImportJob struct {
	ID                string `gorm:"primaryKey;size:64"`
	ProductsName      string // base name of the uploaded products file, or ""
	ProductsCSV       []byte
	EventsName        string
	EventsCSV         []byte
	CustomersName     string // the customers file (user_id,email[,name]), or ""
	CustomersCSV      []byte
	DeactivateMissing bool   `gorm:"not null;default:false"`
	State             string `gorm:"size:16;not null"` // previewed | running | done | failed
	Progress          string // the apply's progress lines
	Summary           string // the result, as JSON
	Error             string
	CreatedBy         string
	CreatedAt         time.Time `gorm:"index"`
	UpdatedAt         time.Time
}

// Import job states.
const (
	ImportPreviewed = "previewed"
	ImportRunning   = "running"
	ImportDone      = "done"
	ImportFailed    = "failed"
)

// importJobLife is how long an uploaded import is kept; a job still
// running after it is taken for one whose instance died.
const importJobLife = time.Hour

// ErrImportRunning is returned when another import is being applied.
var ErrImportRunning = fmt.Errorf("another import is being applied: %w", ErrConflict)

// ErrImportTaken is returned when an import was applied already.
var ErrImportTaken = fmt.Errorf("this import was already applied: %w", ErrConflict)

// MaxPreviewedImports is how many uploaded imports not yet applied the
// shop keeps: each holds its files (up to 64 MiB) and the instance that
// shows or applies it plans it in memory, so an admin uploading the same
// large file again and again (or a script doing it) filled the database
// and the server's memory for an hour.
const MaxPreviewedImports = 2

// SaveImportJob stores a new uploaded import and forgets those older than
// an hour, and the older previewed ones beyond MaxPreviewedImports.
func (db *DB) SaveImportJob(ctx context.Context, j *ImportJob) error {
	err := db.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("created_at < ? AND state <> ?", time.Now().Add(-importJobLife), ImportRunning).Delete(&ImportJob{}).Error; err != nil {
			return err
		}
		var older []string
		if err := tx.Model(&ImportJob{}).Where("state = ?", ImportPreviewed).Order("created_at DESC, id").
			Offset(MaxPreviewedImports-1).Pluck("id", &older).Error; err != nil {
			return err
		}
		if len(older) > 0 {
			if err := tx.Where("id IN ? AND state = ?", older, ImportPreviewed).Delete(&ImportJob{}).Error; err != nil {
				return err
			}
		}
		return tx.Create(j).Error
	})
	if err != nil {
		return fmt.Errorf("models: save import %s: %w", j.ID, err)
	}
	return nil
}

// ImportJobByID returns a stored import with its files.
func (db *DB) ImportJobByID(ctx context.Context, id string) (*ImportJob, error) {
	var j ImportJob
	if err := db.R.WithContext(ctx).Where("id = ?", id).First(&j).Error; err != nil {
		return nil, notFound(err, "import %s", id)
	}
	return &j, nil
}

// ImportJobState returns a stored import without its files.
func (db *DB) ImportJobState(ctx context.Context, id string) (*ImportJob, error) {
	var j ImportJob
	err := db.R.WithContext(ctx).Omit("products_csv", "events_csv", "customers_csv").Where("id = ?", id).First(&j).Error
	if err != nil {
		return nil, notFound(err, "import %s", id)
	}
	return &j, nil
}

// ClaimImportJob marks a previewed import as running, unless it ran
// already (ErrImportTaken) or another import is running on any instance
// (ErrImportRunning): one import is applied at a time, once.
func (db *DB) ClaimImportJob(ctx context.Context, id string) error {
	err := db.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := lockTx(tx, "catalog-import"); err != nil {
			return err
		}
		var running int64
		if err := tx.Model(&ImportJob{}).Where("state = ? AND updated_at > ? AND id <> ?", ImportRunning,
			time.Now().Add(-importJobLife), id).Count(&running).Error; err != nil {
			return err
		}
		if running > 0 {
			return ErrImportRunning
		}
		res := tx.Model(&ImportJob{}).Where("id = ? AND state = ?", id, ImportPreviewed).
			Updates(map[string]any{"state": ImportRunning, "updated_at": time.Now()})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return ErrImportTaken
		}
		return nil
	})
	if errors.Is(err, ErrConflict) {
		return err
	}
	if err != nil {
		return fmt.Errorf("models: claim import %s: %w", id, err)
	}
	return nil
}

// FinishImportJob records how an import ended.
func (db *DB) FinishImportJob(ctx context.Context, id, state, progress, summary, errText string) error {
	err := db.W.WithContext(ctx).Model(&ImportJob{}).Where("id = ?", id).Updates(map[string]any{
		"state": state, "progress": progress, "summary": summary, "error": errText,
		"updated_at": time.Now()}).Error
	if err != nil {
		return fmt.Errorf("models: finish import %s: %w", id, err)
	}
	return nil
}
