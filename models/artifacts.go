package models

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// keptArtifacts is how many trained models are kept for rollback.
const keptArtifacts = 5

// SaveModelArtifact stores a trained model and prunes old ones.
func (db *DB) SaveModelArtifact(ctx context.Context, a *ModelArtifact) error {
	err := db.W.WithContext(ctx).Create(a).Error
	if err == nil {
		err = db.W.WithContext(ctx).Exec(`DELETE FROM model_artifacts WHERE id NOT IN
			(SELECT id FROM model_artifacts ORDER BY trained_at DESC, id DESC LIMIT ?)`, keptArtifacts).Error
	}
	if err != nil {
		return fmt.Errorf("models: save model artifact: %w", err)
	}
	return nil
}

// LatestModelArtifact returns the newest stored model.
func (db *DB) LatestModelArtifact(ctx context.Context) (*ModelArtifact, error) {
	var a ModelArtifact
	if err := db.R.WithContext(ctx).Order("trained_at DESC, id DESC").First(&a).Error; err != nil {
		return nil, notFound(err, "latest model artifact")
	}
	return &a, nil
}

// ReadLatestModelArtifact hands the newest stored model to read, with its
// blob straight from the driver's buffer (valid only while read runs; a.Blob
// stays nil). A large shop's model is hundreds of MB: LatestModelArtifact
// copies it once more, and the copy costs start-up time and memory.
func (db *DB) ReadLatestModelArtifact(ctx context.Context, read func(a *ModelArtifact, blob []byte) error) error {
	rows, err := db.R.WithContext(ctx).Raw(`SELECT id, blob, stats, metrics, events, trained_at FROM model_artifacts
		ORDER BY trained_at DESC, id DESC LIMIT 1`).Rows()
	if err != nil {
		return fmt.Errorf("models: latest model artifact: %w", err)
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return fmt.Errorf("models: latest model artifact: %w", err)
		}
		return fmt.Errorf("models: latest model artifact: %w", ErrNotFound)
	}
	var a ModelArtifact
	var blob sql.RawBytes
	if err := rows.Scan(&a.ID, &blob, &a.Stats, &a.Metrics, &a.Events, &a.TrainedAt); err != nil {
		return fmt.Errorf("models: latest model artifact: %w", err)
	}
	return read(&a, blob)
}

// LatestModelArtifactID returns the id of the newest stored model.
func (db *DB) LatestModelArtifactID(ctx context.Context) (uint, error) {
	var a ModelArtifact
	if err := db.R.WithContext(ctx).Select("id").Order("trained_at DESC, id DESC").First(&a).Error; err != nil {
		return 0, notFound(err, "latest model artifact")
	}
	return a.ID, nil
}

// LatestModelStamp returns the id and training time of the newest stored
// model.
func (db *DB) LatestModelStamp(ctx context.Context) (uint, time.Time, error) {
	var a ModelArtifact
	if err := db.R.WithContext(ctx).Select("id, trained_at").Order("trained_at DESC, id DESC").First(&a).Error; err != nil {
		return 0, time.Time{}, notFound(err, "latest model artifact")
	}
	return a.ID, a.TrainedAt, nil
}

// ModelArtifacts lists stored models without their blobs, newest first.
func (db *DB) ModelArtifacts(ctx context.Context) ([]ModelArtifact, error) {
	var as []ModelArtifact
	err := db.R.WithContext(ctx).Select("id, stats, metrics, events, trained_at").Order("trained_at DESC, id DESC").Find(&as).Error
	if err != nil {
		return nil, fmt.Errorf("models: list model artifacts: %w", err)
	}
	return as, nil
}

// SetArtifactMetrics records evaluation figures for a stored model.
func (db *DB) SetArtifactMetrics(ctx context.Context, id uint, metrics string) error {
	if err := db.W.WithContext(ctx).Model(&ModelArtifact{}).Where("id = ?", id).Update("metrics", metrics).Error; err != nil {
		return fmt.Errorf("models: set metrics of model %d: %w", id, err)
	}
	return nil
}

// ModelArtifactByID returns one stored model with its blob.
func (db *DB) ModelArtifactByID(ctx context.Context, id uint) (*ModelArtifact, error) {
	var a ModelArtifact
	if err := db.R.WithContext(ctx).First(&a, id).Error; err != nil {
		return nil, notFound(err, "model artifact %d", id)
	}
	return &a, nil
}

// ReplaceArtifactBlob stores a rewritten model (a deleted shopper removed).
func (db *DB) ReplaceArtifactBlob(ctx context.Context, id uint, blob []byte) error {
	if err := db.W.WithContext(ctx).Model(&ModelArtifact{}).Where("id = ?", id).Update("blob", blob).Error; err != nil {
		return fmt.Errorf("models: rewrite model artifact %d: %w", id, err)
	}
	return nil
}

// DeleteModelArtifact removes one stored model.
func (db *DB) DeleteModelArtifact(ctx context.Context, id uint) error {
	if err := db.W.WithContext(ctx).Delete(&ModelArtifact{}, id).Error; err != nil {
		return fmt.Errorf("models: delete model artifact %d: %w", id, err)
	}
	return nil
}
