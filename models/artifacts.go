package models

import (
	"context"
	"fmt"
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

// LatestModelArtifactID returns the id of the newest stored model.
func (db *DB) LatestModelArtifactID(ctx context.Context) (uint, error) {
	var a ModelArtifact
	if err := db.R.WithContext(ctx).Select("id").Order("trained_at DESC, id DESC").First(&a).Error; err != nil {
		return 0, notFound(err, "latest model artifact")
	}
	return a.ID, nil
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
