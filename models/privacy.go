package models

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// ShopperExport is everything stored about one shopper.
type ShopperExport struct {
	ExportedAt time.Time     `json:"exported_at"`
	Account    ExportAccount `json:"account"`
	Orders     []Order       `json:"orders"`
	Cart       []ExportCart  `json:"cart"`
	Events     []ExportEvent `json:"events"`
}

// ExportAccount is the account part of an export.
type ExportAccount struct {
	ID                    string    `json:"id"`
	Name                  string    `json:"name"`
	Email                 string    `json:"email"`
	PersonalizationOptOut bool      `json:"personalization_opt_out"`
	CreatedAt             time.Time `json:"created_at"`
}

// ExportCart is a cart line in an export.
type ExportCart struct {
	ProductID string `json:"product_id"`
	Title     string `json:"title"`
	Quantity  int    `json:"quantity"`
}

// ExportEvent is a behaviour record in an export.
type ExportEvent struct {
	Type      string    `json:"type"`
	ProductID string    `json:"product_id,omitempty"`
	Query     string    `json:"query,omitempty"`
	Slot      string    `json:"slot,omitempty"`
	At        time.Time `json:"at"`
}

// ExportShopper collects everything stored about a shopper.
func (db *DB) ExportShopper(ctx context.Context, shopperID uint) (*ShopperExport, error) {
	sh, err := db.ShopperByID(ctx, shopperID)
	if err != nil {
		return nil, err
	}
	out := &ShopperExport{ExportedAt: time.Now().UTC(), Account: ExportAccount{ID: sh.ExternalID, Name: sh.Name,
		PersonalizationOptOut: sh.OptOut, CreatedAt: sh.CreatedAt}}
	if sh.Email != nil {
		out.Account.Email = *sh.Email
	} else if sh.ClaimEmail != nil {
		// An imported customer's address, given by the merchant.
		out.Account.Email = *sh.ClaimEmail
	}
	if out.Orders, err = db.OrdersOf(ctx, shopperID); err != nil {
		return nil, err
	}
	lines, err := db.CartLines(ctx, sh.ExternalID)
	if err != nil {
		return nil, err
	}
	for _, l := range lines {
		out.Cart = append(out.Cart, ExportCart{ProductID: l.Product.ExternalID, Title: l.Product.Title, Quantity: l.Quantity})
	}
	err = db.R.WithContext(ctx).Raw(sqlExportEvents, sh.ExternalID, sh.ExternalID).Scan(&out.Events).Error
	if err != nil {
		return nil, fmt.Errorf("models: export events of shopper %d: %w", shopperID, err)
	}
	return out, nil
}

// sqlExportEvents reads every event of a user (twice the user key), one
// SELECT per index half by user (userEventHalves), merged by time.
var sqlExportEvents = func() string {
	half := `SELECT e.type, COALESCE(p.external_id, '') AS product_id, e.query, e.slot, e.created_at AS at
		FROM events e LEFT JOIN products p ON p.id = e.product_id WHERE e.user_key = ? AND e.`
	return half + userEventHalves[0] + " UNION ALL " + half + userEventHalves[1] + " ORDER BY at"
}()

// CountUserEvents returns how many events are stored for a user key.
func (db *DB) CountUserEvents(ctx context.Context, userKey string) (int64, error) {
	var total int64
	for _, half := range userEventHalves {
		var n int64
		if err := db.R.WithContext(ctx).Model(&Event{}).Where("user_key = ? AND "+half, userKey).Count(&n).Error; err != nil {
			return 0, fmt.Errorf("models: count events: %w", err)
		}
		total += n
	}
	return total, nil
}

// DeleteShopper deletes an account and its behaviour history and leaves a
// tombstone (ForgottenUser). Orders are kept for accounting with the
// personal fields blanked.
func (db *DB) DeleteShopper(ctx context.Context, shopperID uint) error {
	sh, err := db.ShopperByID(ctx, shopperID)
	if err != nil {
		return err
	}
	err = db.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if _, err := deleteUserEventsTx(tx, sh.ExternalID, nil); err != nil {
			return err
		}
		if err := tx.Where("owner_key = ?", sh.ExternalID).Delete(&CartItem{}).Error; err != nil {
			return err
		}
		err := tx.Model(&Order{}).Where("shopper_id = ?", shopperID).Updates(map[string]any{
			"shopper_id": nil, "email": "", "name": "", "street": "", "city": "", "postcode": "", "country": ""}).Error
		if err != nil {
			return err
		}
		if err := tx.Where("shopper_id = ?", shopperID).Delete(&PasswordReset{}).Error; err != nil {
			return err
		}
		if err := tx.Create(&ForgottenUser{UserKey: sh.ExternalID, ShopperID: sh.ID, DeletedAt: time.Now().UTC()}).Error; err != nil {
			return err
		}
		return tx.Delete(&Shopper{}, shopperID).Error
	})
	if err != nil {
		return fmt.Errorf("models: delete shopper %d: %w", shopperID, err)
	}
	return nil
}

// OptedOutUsers returns the user ids of shoppers who opted out of
// personalization.
func (db *DB) OptedOutUsers(ctx context.Context) (map[string]bool, error) {
	var ids []string
	if err := db.R.WithContext(ctx).Model(&Shopper{}).Where("opt_out = ?", true).Pluck("external_id", &ids).Error; err != nil {
		return nil, fmt.Errorf("models: opted-out shoppers: %w", err)
	}
	out := make(map[string]bool, len(ids))
	for _, id := range ids {
		out[id] = true
	}
	return out, nil
}

// ForgottenUsers returns the user ids of deleted shoppers.
func (db *DB) ForgottenUsers(ctx context.Context) (map[string]bool, error) {
	var ids []string
	if err := db.R.WithContext(ctx).Model(&ForgottenUser{}).Pluck("user_key", &ids).Error; err != nil {
		return nil, fmt.Errorf("models: forgotten users: %w", err)
	}
	out := make(map[string]bool, len(ids))
	for _, id := range ids {
		out[id] = true
	}
	return out, nil
}

// ForgottenAmong returns which of users belong to shoppers deleted on
// request, as the database holds them now: an instance's tombstones in
// memory (ForgottenUsers, read at each poll) learn of a deletion made
// through another instance or `storefront customer delete` only at its
// next poll.
func (db *DB) ForgottenAmong(ctx context.Context, users []string) (map[string]bool, error) {
	out := map[string]bool{}
	for start := 0; start < len(users); start += bulkBatch {
		var gone []string
		part := users[start:min(start+bulkBatch, len(users))]
		if err := db.R.WithContext(ctx).Model(&ForgottenUser{}).Where("user_key IN ?", part).Pluck("user_key", &gone).Error; err != nil {
			return nil, fmt.Errorf("models: forgotten users: %w", err)
		}
		for _, k := range gone {
			out[k] = true
		}
	}
	return out, nil
}

// UnpurgedForgottenUsers returns deleted shoppers whose ids stored model
// artifacts may still hold.
func (db *DB) UnpurgedForgottenUsers(ctx context.Context) ([]string, error) {
	var ids []string
	if err := db.R.WithContext(ctx).Model(&ForgottenUser{}).Where("purged = ?", false).Pluck("user_key", &ids).Error; err != nil {
		return nil, fmt.Errorf("models: unpurged forgotten users: %w", err)
	}
	return ids, nil
}

// MarkForgottenPurged records that no stored artifact holds these users.
func (db *DB) MarkForgottenPurged(ctx context.Context, userKeys []string) error {
	if len(userKeys) == 0 {
		return nil
	}
	if err := db.W.WithContext(ctx).Model(&ForgottenUser{}).Where("user_key IN ?", userKeys).Update("purged", true).Error; err != nil {
		return fmt.Errorf("models: mark forgotten users purged: %w", err)
	}
	return nil
}

// FindCustomer finds the customer a data request names: by email (a
// registered shopper), or by user id, which is the events file's
// user_id for a customer an import brought (the shop keeps one whose id
// an account already had as "<id>~imported") or the shop's own id.
func (db *DB) FindCustomer(ctx context.Context, userID, email string) (*Shopper, error) {
	var s Shopper
	g := db.R.WithContext(ctx)
	var err error
	switch {
	case email != "":
		e, _ := NormalizeEmail(email)
		err = g.Where("email = ?", e).First(&s).Error
	default:
		if err = g.Where("imported_as = ?", userID).First(&s).Error; errors.Is(err, gorm.ErrRecordNotFound) {
			err = g.Where("external_id = ?", userID).First(&s).Error
		}
	}
	if err != nil {
		return nil, notFound(err, "find customer %q", userID+email)
	}
	return &s, nil
}
