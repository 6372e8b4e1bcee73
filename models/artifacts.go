package models

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"time"

	"gorm.io/gorm"
)

// keptArtifacts is how many trained models are kept for rollback.
const keptArtifacts = 5

// artifactPartSize is the largest blob stored in one value: a model over
// it is stored in parts of this size (SQLite's and PostgreSQL's limit on
// one value is 1 GB, and a shop of a million visitors has a larger model).
// A part is read whole, by the database and again into the driver's
// buffer, so its size is what reading a model holds beside the model
// decoded from it (parts of 256 MB kept `recommend` on such a shop over
// 1 GiB); models stored in larger parts read as before.
var artifactPartSize = 64 << 20

// SaveModelArtifact stores a trained model and prunes old ones, in one
// transaction.
func (db *DB) SaveModelArtifact(ctx context.Context, a *ModelArtifact) error {
	err := db.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		blob := a.Blob
		if len(blob) > artifactPartSize {
			a.Blob = []byte{}
			defer func() { a.Blob = blob }()
		}
		if err := tx.Create(a).Error; err != nil {
			return err
		}
		if len(blob) > artifactPartSize {
			if err := writeArtifactParts(tx, a.ID, blob); err != nil {
				return err
			}
		}
		return execAll(tx,
			fmt.Sprintf(`DELETE FROM model_artifacts WHERE id NOT IN
			(SELECT id FROM model_artifacts ORDER BY trained_at DESC, id DESC LIMIT %d)`, keptArtifacts),
			`DELETE FROM model_artifact_parts WHERE artifact_id NOT IN (SELECT id FROM model_artifacts)`)
	})
	if err != nil {
		return fmt.Errorf("models: save model artifact: %w", err)
	}
	return nil
}

// writeArtifactParts stores blob as artifact id's parts.
func writeArtifactParts(tx *gorm.DB, id uint, blob []byte) error {
	for seq := 0; len(blob) > 0; seq++ {
		n := min(len(blob), artifactPartSize)
		if err := tx.Create(&ModelArtifactPart{ArtifactID: id, Seq: seq, Data: blob[:n]}).Error; err != nil {
			return fmt.Errorf("part %d: %w", seq, err)
		}
		blob = blob[n:]
	}
	return nil
}

// deleteArtifactParts removes artifact id's parts, if it has any.
func deleteArtifactParts(tx *gorm.DB, id uint) error {
	return tx.Where("artifact_id = ?", id).Delete(&ModelArtifactPart{}).Error
}

// artifactParts reads artifact id's parts back into one blob; nil when it
// has none (its blob is in its row).
func artifactParts(ctx context.Context, tx *gorm.DB, id uint) ([]byte, error) {
	var sizes []int64
	if err := tx.WithContext(ctx).Model(&ModelArtifactPart{}).Where("artifact_id = ?", id).Order("seq").
		Pluck("length(data)", &sizes).Error; err != nil {
		return nil, fmt.Errorf("models: model artifact %d's parts: %w", id, err)
	}
	if len(sizes) == 0 {
		return nil, nil
	}
	var total int64
	for _, n := range sizes {
		total += n
	}
	blob := make([]byte, 0, total)
	for seq := range sizes {
		var p ModelArtifactPart
		if err := tx.WithContext(ctx).Where("artifact_id = ? AND seq = ?", id, seq).First(&p).Error; err != nil {
			return nil, fmt.Errorf("models: model artifact %d's part %d: %w", id, seq, err)
		}
		blob = append(blob, p.Data...)
	}
	return blob, nil
}

// withParts fills a's blob from its parts when it was stored in parts.
func (db *DB) withParts(ctx context.Context, a *ModelArtifact) (*ModelArtifact, error) {
	if len(a.Blob) > 0 {
		return a, nil
	}
	blob, err := artifactParts(ctx, db.R, a.ID)
	if err != nil {
		return nil, err
	}
	if blob != nil {
		a.Blob = blob
	}
	return a, nil
}

// LatestModelArtifact returns the newest stored model.
func (db *DB) LatestModelArtifact(ctx context.Context) (*ModelArtifact, error) {
	var a ModelArtifact
	if err := db.R.WithContext(ctx).Order("trained_at DESC, id DESC").First(&a).Error; err != nil {
		return nil, notFound(err, "latest model artifact")
	}
	return db.withParts(ctx, &a)
}

// ReadLatestModelArtifact hands the newest stored model to read as a
// stream (valid only while read runs; a.Blob stays nil): one value straight
// from the driver's buffer, a model stored in parts one part at a time. A
// large shop's model is hundreds of MB: LatestModelArtifact copies it
// whole once more, and holding it whole beside the model decoded from it
// doubled the memory a shop of a million visitors took to start.
func (db *DB) ReadLatestModelArtifact(ctx context.Context, read func(a *ModelArtifact, blob io.Reader) error) error {
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
	if len(blob) > 0 {
		return read(&a, bytes.NewReader(blob))
	}
	// Stored in parts: read once the row's query is done.
	rows.Close()
	parts := &partsReader{ctx: ctx, db: db.R, id: a.ID}
	defer parts.close()
	err = read(&a, parts)
	if parts.err != nil && !errors.Is(parts.err, io.EOF) {
		return parts.err // what made the model look cut short
	}
	return err
}

// partsReader reads an artifact's parts in order, one part in memory at a
// time (from the driver's buffer, not copied). A part that cannot be read
// ends the stream early, and the error is kept in err: the reader sees a
// truncated model.
type partsReader struct {
	ctx  context.Context
	db   *gorm.DB
	id   uint
	seq  int
	rows *sql.Rows
	cur  []byte
	err  error
}

func (p *partsReader) Read(b []byte) (int, error) {
	for len(p.cur) == 0 {
		if p.err != nil {
			return 0, p.err
		}
		p.next()
	}
	n := copy(b, p.cur)
	p.cur = p.cur[n:]
	return n, nil
}

// next moves to the following part; after the last one err is io.EOF.
func (p *partsReader) next() {
	p.close()
	rows, err := p.db.WithContext(p.ctx).Raw(`SELECT data FROM model_artifact_parts WHERE artifact_id = ? AND seq = ?`, p.id, p.seq).Rows()
	if err != nil {
		p.err = fmt.Errorf("models: model artifact %d's part %d: %w", p.id, p.seq, err)
		return
	}
	p.rows = rows
	if !rows.Next() {
		p.err = io.EOF
		if err := rows.Err(); err != nil {
			p.err = fmt.Errorf("models: model artifact %d's part %d: %w", p.id, p.seq, err)
		}
		return
	}
	var data sql.RawBytes
	if err := rows.Scan(&data); err != nil {
		p.err = fmt.Errorf("models: model artifact %d's part %d: %w", p.id, p.seq, err)
		return
	}
	p.cur = data
	p.seq++
}

func (p *partsReader) close() {
	if p.rows != nil {
		p.rows.Close()
		p.rows = nil
	}
	p.cur = nil
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
	return db.withParts(ctx, &a)
}

// ReplaceArtifactBlob stores a rewritten model (a deleted shopper removed).
func (db *DB) ReplaceArtifactBlob(ctx context.Context, id uint, blob []byte) error {
	err := db.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := deleteArtifactParts(tx, id); err != nil {
			return err
		}
		if len(blob) <= artifactPartSize {
			return tx.Model(&ModelArtifact{}).Where("id = ?", id).Update("blob", blob).Error
		}
		if err := tx.Model(&ModelArtifact{}).Where("id = ?", id).Update("blob", []byte{}).Error; err != nil {
			return err
		}
		return writeArtifactParts(tx, id, blob)
	})
	if err != nil {
		return fmt.Errorf("models: rewrite model artifact %d: %w", id, err)
	}
	return nil
}

// DeleteModelArtifact removes one stored model.
func (db *DB) DeleteModelArtifact(ctx context.Context, id uint) error {
	err := db.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := deleteArtifactParts(tx, id); err != nil {
			return err
		}
		return tx.Delete(&ModelArtifact{}, id).Error
	})
	if err != nil {
		return fmt.Errorf("models: delete model artifact %d: %w", id, err)
	}
	return nil
}
