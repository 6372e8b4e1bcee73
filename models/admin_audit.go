package models

import (
	"context"
	"fmt"
	"strings"
)

// AuditLogs returns one page (1-based) of the audit log, newest first, and
// the total number of entries.
func (db *DB) AuditLogs(ctx context.Context, page, perPage int) ([]AuditLog, int64, error) {
	if perPage <= 0 {
		perPage = 50
	}
	if page < 1 {
		page = 1
	}
	var total int64
	if err := db.R.WithContext(ctx).Model(&AuditLog{}).Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("models: count audit log: %w", err)
	}
	var out []AuditLog
	err := db.R.WithContext(ctx).Order("created_at DESC, id DESC").Limit(perPage).Offset((page - 1) * perPage).Find(&out).Error
	if err != nil {
		return nil, 0, fmt.Errorf("models: list audit log: %w", err)
	}
	return out, total, nil
}

// FindShopper looks a shopper up by external id or, failing that, by email.
func (db *DB) FindShopper(ctx context.Context, idOrEmail string) (*Shopper, error) {
	q := strings.TrimSpace(idOrEmail)
	var s Shopper
	err := db.R.WithContext(ctx).Where("external_id = ?", q).First(&s).Error
	if err == nil {
		return &s, nil
	}
	if em, ok := NormalizeEmail(q); ok {
		if err = db.R.WithContext(ctx).Where("email = ?", em).First(&s).Error; err == nil {
			return &s, nil
		}
	}
	return nil, notFound(err, "find shopper %q", q)
}

// sqlRecentShoppers ranks shoppers by their latest event: each index half
// by user (userEventHalves) gives its latest per user without reading the
// table.
var sqlRecentShoppers = `SELECT s.* FROM shoppers s
	JOIN (SELECT user_key, MAX(last) AS last FROM (
	        SELECT user_key, MAX(created_at) AS last FROM events WHERE user_key NOT LIKE 'v:%' AND ` + userEventHalves[0] + ` GROUP BY user_key
	        UNION ALL
	        SELECT user_key, MAX(created_at) AS last FROM events WHERE user_key NOT LIKE 'v:%' AND ` + userEventHalves[1] + ` GROUP BY user_key) h
	      GROUP BY user_key ORDER BY last DESC LIMIT ?) recent
	ON recent.user_key = s.external_id ORDER BY recent.last DESC`

// RecentShoppers lists the shoppers who acted most recently, for the
// preview picker.
func (db *DB) RecentShoppers(ctx context.Context, limit int) ([]Shopper, error) {
	var out []Shopper
	err := db.R.WithContext(ctx).Raw(sqlRecentShoppers, limit).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("models: recent shoppers: %w", err)
	}
	if len(out) == 0 {
		err = db.R.WithContext(ctx).Order("id DESC").Limit(limit).Find(&out).Error
		if err != nil {
			return nil, fmt.Errorf("models: recent shoppers: %w", err)
		}
	}
	return out, nil
}

// AdminProductQuery filters the staff catalog list; unlike the shop it
// includes inactive and out-of-stock products.
type AdminProductQuery struct {
	Q       string // matches title, brand or external id
	Page    int
	PerPage int
}

// MaxAdminQuery bounds the folded text staff search matches, in bytes.
const MaxAdminQuery = 200

// AdminProducts lists products for staff, by title.
func (db *DB) AdminProducts(ctx context.Context, q AdminProductQuery) ([]Product, int64, error) {
	if q.PerPage <= 0 {
		q.PerPage = 50
	}
	if q.Page < 1 {
		q.Page = 1
	}
	tx := db.R.WithContext(ctx).Model(&Product{})
	// Fields are folded a line apiece: a query's line breaks are spaces.
	if t := FoldText(strings.TrimSpace(strings.ReplaceAll(q.Q, "\n", " "))); t != "" {
		if len(t) > MaxAdminQuery {
			t = strings.ToValidUTF8(t[:MaxAdminQuery], "")
		}
		// Without case or accents: "muller" finds Müller, as the shop's search does.
		tx = tx.Where(`folded LIKE ? ESCAPE '\'`, "%"+escapeLike(t)+"%")
	}
	var total int64
	if err := tx.Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("models: count admin products: %w", err)
	}
	var ps []Product
	if err := tx.Order("title, id").Limit(q.PerPage).Offset((q.Page - 1) * q.PerPage).Find(&ps).Error; err != nil {
		return nil, 0, fmt.Errorf("models: list admin products: %w", err)
	}
	return ps, total, nil
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// Audit records an admin action that has no other write to ride along with.
func (db *DB) Audit(ctx context.Context, actor, action, target, detail string) error {
	return audit(db.W.WithContext(ctx), actor, action, target, detail)
}
