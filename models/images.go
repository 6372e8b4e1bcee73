package models

import (
	"context"
	"fmt"
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
