package models

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"

	"gorm.io/gorm"
)

// HistoryEntry is one product event of a shopper with what the interests
// page shows about the product.
type HistoryEntry struct {
	ProductID  uint
	ExternalID string
	Title      string
	Brand      string
	CategoryID uint
	PriceCents int64
	Type       string
	CreatedAt  time.Time
}

// ShopperHistory returns a user's latest product events (views, clicks,
// carts and purchases), newest first.
func (db *DB) ShopperHistory(ctx context.Context, userKey string, limit int) ([]HistoryEntry, error) {
	db.settle(ctx, userKey)
	var out []HistoryEntry
	err := db.R.WithContext(ctx).Raw(`SELECT e.product_id, p.external_id, p.title, p.brand, p.category_id, p.price_cents, e.type, e.created_at
		FROM events e JOIN products p ON p.id = e.product_id
		WHERE e.user_key = ? AND e.type IN ('view','click','add_to_cart','purchase')
		ORDER BY e.created_at DESC, e.id DESC LIMIT ?`, userKey, limit).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("models: load history of %s: %w", userKey, err)
	}
	return out, nil
}

// Forget says which of a shopper's events to delete. With no field set,
// every behaviour event of the shopper goes, and hidden interests are
// cleared.
type Forget struct {
	ProductID   uint   // one product
	CategoryIDs []uint // products in these categories
	Brand       string // products of this brand
	Hide        string // an interest to hide from now on ("category:<slug>" or "brand:<name>")
}

// MaxHiddenInterests bounds the interests one shopper keeps hidden, and
// MaxInterestLen the length of one ("brand:" and a brand of at most 100
// bytes, as an import takes, or "category:" and a slug). The list is one
// column of the shopper's row, read for each of their homepages: a brand
// the form posted was taken as it came, so 20 posts of a 2 MB brand made
// the row 38 MB and the interests page 114 MB.
const (
	MaxHiddenInterests = 100
	MaxInterestLen     = 120
)

// ErrTooManyHiddenInterests is a removal of an interest when the shopper
// already keeps MaxHiddenInterests hidden; nothing was forgotten.
var ErrTooManyHiddenInterests = errors.New("models: too many hidden interests")

// HiddenInterestList splits Shopper.HiddenInterests.
func HiddenInterestList(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// ForgetHistory deletes a shopper's events that match f and records when,
// so the homepage stops using what a stored model learnt from them. Orders
// are kept. It returns the number of events deleted.
func (db *DB) ForgetHistory(ctx context.Context, shopperID uint, f Forget) (int64, error) {
	if len(f.Hide) > MaxInterestLen || strings.ContainsFunc(f.Hide, unicode.IsControl) {
		return 0, &ValidationError{Fields: map[string]string{"value": fmt.Sprintf("An interest is one line of at most %d characters.", MaxInterestLen)}}
	}
	sh, err := db.ShopperByID(ctx, shopperID)
	if err != nil {
		return 0, err
	}
	if h := HiddenInterestList(sh.HiddenInterests); f.Hide != "" && len(h) >= MaxHiddenInterests && !slices.Contains(h, f.Hide) {
		return 0, ErrTooManyHiddenInterests
	}
	var n int64
	err = db.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		n, err = deleteUserEventsTx(tx, sh.ExternalID, func(q *gorm.DB) *gorm.DB {
			switch {
			case f.ProductID != 0:
				q = q.Where("product_id = ?", f.ProductID)
			case len(f.CategoryIDs) > 0:
				q = q.Where("product_id IN (SELECT id FROM products WHERE category_id IN ?)", f.CategoryIDs)
			case f.Brand != "":
				q = q.Where("product_id IN (SELECT id FROM products WHERE brand = ?)", f.Brand)
			}
			return q
		})
		if err != nil {
			return err
		}
		hidden := HiddenInterestList(sh.HiddenInterests)
		switch {
		case f.ProductID == 0 && len(f.CategoryIDs) == 0 && f.Brand == "":
			hidden = nil
		case f.Hide != "" && !slices.Contains(hidden, f.Hide):
			hidden = append(hidden, f.Hide)
		}
		return tx.Model(&Shopper{}).Where("id = ?", shopperID).Updates(map[string]any{
			"history_edited_at": time.Now().UTC(), "hidden_interests": strings.Join(hidden, "\n")}).Error
	})
	if err != nil {
		return 0, fmt.Errorf("models: forget history of shopper %d: %w", shopperID, err)
	}
	return n, nil
}

// ShowInterest stops hiding an interest the shopper removed earlier.
func (db *DB) ShowInterest(ctx context.Context, shopperID uint, interest string) error {
	sh, err := db.ShopperByID(ctx, shopperID)
	if err != nil {
		return err
	}
	hidden := slices.DeleteFunc(HiddenInterestList(sh.HiddenInterests), func(h string) bool { return h == interest })
	err = db.W.WithContext(ctx).Model(&Shopper{}).Where("id = ?", shopperID).Update("hidden_interests", strings.Join(hidden, "\n")).Error
	if err != nil {
		return fmt.Errorf("models: show interest of shopper %d: %w", shopperID, err)
	}
	return nil
}
