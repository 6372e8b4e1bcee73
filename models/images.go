package models

import (
	"context"
	"fmt"
	"regexp"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"storefront/images"
)

// Image is an uploaded picture, stored in the database so every instance
// of the shop serves it; its files (one per size) are ImageFile rows. Hash
// names it in URLs: it is a fingerprint of the content, so a URL never
// changes meaning and can be cached for good.
type Image struct {
	ID          uint   `gorm:"primaryKey"`
	Hash        string `gorm:"size:64;uniqueIndex;not null"`
	ContentType string `gorm:"size:32;not null"`
	Width       int    `gorm:"not null"`
	Height      int    `gorm:"not null"`
	Bytes       int    `gorm:"not null"` // all files together
	CreatedBy   string
	CreatedAt   time.Time
}

// ImageFile is one size of an Image.
type ImageFile struct {
	ImageID uint   `gorm:"primaryKey;autoIncrement:false"`
	Variant string `gorm:"primaryKey;size:16"`
	Width   int    `gorm:"not null"`
	Height  int    `gorm:"not null"`
	Data    []byte `gorm:"not null"`
}

// SaveImage stores a processed upload, once: a picture uploaded again is
// the stored one. It returns the image's URL (see images.URL).
func (db *DB) SaveImage(ctx context.Context, actor string, p *images.Processed) (string, error) {
	var url string
	err := db.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		url, err = saveImage(tx, actor, p)
		return err
	})
	return url, err
}

func saveImage(tx *gorm.DB, actor string, p *images.Processed) (string, error) {
	url := images.URL(p.Hash, p.Ext())
	var existing Image
	err := tx.Where("hash = ?", p.Hash).Limit(1).Find(&existing).Error
	if err != nil {
		return "", fmt.Errorf("models: find image %s: %w", p.Hash, err)
	}
	if existing.ID != 0 {
		return url, nil
	}
	img := Image{Hash: p.Hash, ContentType: p.ContentType, Width: p.Width, Height: p.Height, CreatedBy: actor, CreatedAt: time.Now().UTC()}
	for _, f := range p.Files {
		img.Bytes += len(f.Data)
	}
	// Another instance may store the same picture at the same moment.
	res := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "hash"}}, DoNothing: true}).Create(&img)
	if res.Error != nil {
		return "", fmt.Errorf("models: save image: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return url, nil
	}
	for _, f := range p.Files {
		row := ImageFile{ImageID: img.ID, Variant: f.Variant, Width: f.Width, Height: f.Height, Data: f.Data}
		if err := tx.Create(&row).Error; err != nil {
			return "", fmt.Errorf("models: save image %s %s: %w", p.Hash, f.Variant, err)
		}
	}
	return url, nil
}

// ImageFileByHash finds one size of a stored picture and its content type.
func (db *DB) ImageFileByHash(ctx context.Context, hash, variant string) (*ImageFile, string, error) {
	var img Image
	if err := db.R.WithContext(ctx).Where("hash = ?", hash).First(&img).Error; err != nil {
		return nil, "", notFound(err, "find image %s", hash)
	}
	var f ImageFile
	if err := db.R.WithContext(ctx).Where("image_id = ? AND variant = ?", img.ID, variant).First(&f).Error; err != nil {
		return nil, "", notFound(err, "find image %s %s", hash, variant)
	}
	return &f, img.ContentType, nil
}

// SetProductImage stores an uploaded picture and makes it the product's
// image, in one transaction; the product's previous image_url is replaced.
func (db *DB) SetProductImage(ctx context.Context, actor string, id uint, p *images.Processed) error {
	return db.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		url, err := saveImage(tx, actor, p)
		if err != nil {
			return err
		}
		return setProductImageURL(tx, actor, id, url, fmt.Sprintf("uploaded %d×%d %s", p.Width, p.Height, p.ContentType))
	})
}

// RemoveProductImage clears the product's image: the shop draws one again.
func (db *DB) RemoveProductImage(ctx context.Context, actor string, id uint) error {
	return db.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return setProductImageURL(tx, actor, id, "", "removed")
	})
}

func setProductImageURL(tx *gorm.DB, actor string, id uint, url, what string) error {
	var p Product
	if err := tx.Select("id", "external_id", "image_url").First(&p, id).Error; err != nil {
		return notFound(err, "set image of product %d", id)
	}
	if err := tx.Model(&Product{}).Where("id = ?", id).Updates(map[string]any{"image_url": url, "updated_at": time.Now().UTC()}).Error; err != nil {
		return fmt.Errorf("models: set image of product %d: %w", id, err)
	}
	detail := what
	if p.ImageURL != "" {
		detail += ", was " + p.ImageURL
	}
	return audit(tx, actor, "product.image", p.ExternalID, detail)
}

// storedImageRef finds the hash of a stored picture in any text: a
// product's image_url, a creative, a published snapshot.
var storedImageRef = regexp.MustCompile(regexp.QuoteMeta(images.URLPrefix) + `([0-9a-f]{64})`)

// PruneImages deletes the stored pictures nothing refers to any more (no
// product's image, no creative of a draft slot, no published version a
// rollback could bring back) that were uploaded before the given time, so a
// replaced or removed picture does not keep its bytes for ever. It returns
// how many pictures went. Uploads after before are kept whatever refers to
// them: a picture is stored just before it is attached.
func (db *DB) PruneImages(ctx context.Context, before time.Time) (int, error) {
	deleted := 0
	err := db.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var candidates []Image
		if err := tx.Select("id", "hash").Where("created_at < ?", before.UTC()).Find(&candidates).Error; err != nil {
			return fmt.Errorf("models: list images: %w", err)
		}
		if len(candidates) == 0 {
			return nil
		}
		used := map[string]bool{}
		for _, q := range []struct{ table, column string }{
			{"products", "image_url"}, {"slots", "creatives"}, {"layout_versions", "snapshot"},
		} {
			var texts []string
			if err := tx.Table(q.table).Where(q.column+" LIKE ?", "%"+images.URLPrefix+"%").Pluck(q.column, &texts).Error; err != nil {
				return fmt.Errorf("models: find pictures used in %s: %w", q.table, err)
			}
			for _, t := range texts {
				for _, m := range storedImageRef.FindAllStringSubmatch(t, -1) {
					used[m[1]] = true
				}
			}
		}
		var unused []uint
		for _, img := range candidates {
			if !used[img.Hash] {
				unused = append(unused, img.ID)
			}
		}
		for start := 0; start < len(unused); start += 500 {
			ids := unused[start:min(start+500, len(unused))]
			if err := tx.Where("image_id IN ?", ids).Delete(&ImageFile{}).Error; err != nil {
				return fmt.Errorf("models: delete picture files: %w", err)
			}
			if err := tx.Where("id IN ?", ids).Delete(&Image{}).Error; err != nil {
				return fmt.Errorf("models: delete pictures: %w", err)
			}
		}
		deleted = len(unused)
		return nil
	})
	return deleted, err
}
