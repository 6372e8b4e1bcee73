package models

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/gosimple/unidecode"
	"golang.org/x/text/unicode/norm"
)

// Categories returns every category ordered for display.
func (db *DB) Categories(ctx context.Context) ([]Category, error) {
	var cs []Category
	if err := db.R.WithContext(ctx).Order("position, name").Find(&cs).Error; err != nil {
		return nil, fmt.Errorf("models: list categories: %w", err)
	}
	return cs, nil
}

// CategoryBySlug finds a category by its slug.
func (db *DB) CategoryBySlug(ctx context.Context, slug string) (*Category, error) {
	var c Category
	if err := db.R.WithContext(ctx).Where("slug = ?", slug).First(&c).Error; err != nil {
		return nil, notFound(err, "find category %q", slug)
	}
	return &c, nil
}

// ProductByID finds a product with its category.
func (db *DB) ProductByID(ctx context.Context, id uint) (*Product, error) {
	var p Product
	if err := db.R.WithContext(ctx).Preload("Category").First(&p, id).Error; err != nil {
		return nil, notFound(err, "find product %d", id)
	}
	return &p, nil
}

// ProductByExternalID finds a product by the merchant's id.
func (db *DB) ProductByExternalID(ctx context.Context, ext string) (*Product, error) {
	var p Product
	if err := db.R.WithContext(ctx).Preload("Category").Where("external_id = ?", ext).First(&p).Error; err != nil {
		return nil, notFound(err, "find product %q", ext)
	}
	return &p, nil
}

// AllProducts loads the whole catalog (with categories) for in-memory
// indexes and the recommender.
//
// Rows are scanned by hand, not by gorm's reflection: the whole catalog is
// read at every start and catalog change (a second on 50,000 products). On
// SQLite the two timestamps are read as text and parsed by the fixed-layout
// parser of the training's scan (parseEventStamp) instead of the driver's
// conversion (time.ParseInLocation per value: 0.11-0.21 s of CPU on the
// large world's start, on the path to the first homepage).
func (db *DB) AllProducts(ctx context.Context) ([]Product, error) {
	var n int64
	if err := db.R.WithContext(ctx).Model(&Product{}).Count(&n).Error; err != nil {
		return nil, fmt.Errorf("models: load catalog: %w", err)
	}
	query := sqlAllProducts
	if !db.Postgres() {
		query = sqlAllProductsText
	}
	return db.scanProducts(ctx, int(n), query+" ORDER BY id")
}

// ProductsUpdatedSince returns the products whose updated_at is at or after
// since, by id, when there are at most limit of them (more is false);
// with more, none. A snapshot follows the database with them when only a
// few products changed (an order's stock) instead of reading them all.
func (db *DB) ProductsUpdatedSince(ctx context.Context, since time.Time, limit int) (ps []Product, more bool, err error) {
	ps, err = db.scanProducts(ctx, 0, db.sqlProductsUpdatedSince(), db.productsUpdatedSinceArgs(since, limit+1)...)
	if err != nil || len(ps) > limit {
		return nil, err == nil, err
	}
	return ps, false, nil
}

// sqlProductsUpdatedSince is ProductsUpdatedSince's statement
// (productsUpdatedSinceArgs). The few changed products are found through
// the index on updated_at and then sorted: ordered by id SQLite's planner
// walked every product instead; "+id" keeps it from the rowid order. On
// SQLite the stored text may carry any UTC offset and number of fractional
// digits, so the index narrows by the text's date, from the day before
// since's (no offset is a day), and julianday compares the instants.
func (db *DB) sqlProductsUpdatedSince() string {
	if db.Postgres() {
		return sqlAllProducts + " WHERE updated_at >= ? ORDER BY id LIMIT ?"
	}
	return sqlAllProductsText + " WHERE updated_at >= ? AND julianday(updated_at) >= julianday(?) ORDER BY +id LIMIT ?"
}

// productsUpdatedSinceArgs are sqlProductsUpdatedSince's arguments.
func (db *DB) productsUpdatedSinceArgs(since time.Time, limit int) []any {
	if db.Postgres() {
		return []any{since, limit}
	}
	since = since.UTC()
	return []any{since.AddDate(0, 0, -1).Format(time.DateOnly), since.Format("2006-01-02 15:04:05.000"), limit}
}

// scanProducts reads the products of a query of sqlAllProducts'
// (sqlAllProductsText's on SQLite) columns; n is how many are expected.
func (db *DB) scanProducts(ctx context.Context, n int, query string, args ...any) ([]Product, error) {
	rows, err := db.R.WithContext(ctx).Raw(query, args...).Rows()
	if err != nil {
		return nil, fmt.Errorf("models: load catalog: %w", err)
	}
	defer rows.Close()
	ps := make([]Product, 0, n)
	var created, updated sql.NullTime
	var createdText, updatedText sql.RawBytes
	var p Product
	dest := []any{&p.ID, &p.ExternalID, &p.Slug, &p.Title, &p.Description, &p.Brand, &p.CategoryID, &p.PriceCents,
		&p.CompareAtCents, &p.Stock, &p.ImageURL, &p.Active, &p.Popularity, &created, &updated, &p.GroupID, &p.Visibility}
	if !db.Postgres() {
		dest[13], dest[14] = &createdText, &updatedText
	}
	for rows.Next() {
		p = Product{}
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("models: load catalog: product after %d: %w", len(ps), err)
		}
		if db.Postgres() {
			p.CreatedAt, p.UpdatedAt = created.Time, updated.Time
		} else {
			p.CreatedAt, p.UpdatedAt = parseNullStamp(createdText), parseNullStamp(updatedText)
		}
		ps = append(ps, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("models: load catalog: %w", err)
	}
	return ps, nil
}

// The catalog's columns; on SQLite the timestamps as text (AllProducts).
const (
	sqlAllProducts = `SELECT id, external_id, slug, title, COALESCE(description, ''), COALESCE(brand, ''),
		category_id, price_cents, compare_at_cents, stock, COALESCE(image_url, ''), active, popularity, created_at, updated_at, group_id, visibility
		FROM products`
	sqlAllProductsText = `SELECT id, external_id, slug, title, COALESCE(description, ''), COALESCE(brand, ''),
		category_id, price_cents, compare_at_cents, stock, COALESCE(image_url, ''), active, popularity,
		CAST(created_at AS TEXT), CAST(updated_at AS TEXT), group_id, visibility
		FROM products`
)

// parseNullStamp is parseEventStamp for a column that may be NULL. NULL,
// and as with the driver's own conversion a value no layout reads, is the
// zero time: one odd row must not keep the shop from starting.
func parseNullStamp(b []byte) time.Time {
	if len(b) == 0 {
		return time.Time{}
	}
	t, err := parseEventStamp(b)
	if err != nil {
		return time.Time{}
	}
	return t
}

// Product sort orders.
const (
	SortPopular   = "popular"
	SortPriceAsc  = "price_asc"
	SortPriceDesc = "price_desc"
	SortNewest    = "newest"
)

// ProductQuery filters and pages a product listing.
type ProductQuery struct {
	CategoryIDs []uint
	Brands      []string
	MinPrice    int64 // cents, 0 = no bound
	MaxPrice    int64
	Sort        string
	Page        int // 1-based
	PerPage     int
	ActiveOnly  bool
}

// ListProducts returns one page of products and the total count.
func (db *DB) ListProducts(ctx context.Context, q ProductQuery) ([]Product, int64, error) {
	tx := db.R.WithContext(ctx).Model(&Product{})
	if len(q.CategoryIDs) > 0 {
		tx = tx.Where("category_id IN ?", q.CategoryIDs)
	}
	if len(q.Brands) > 0 {
		tx = tx.Where("brand IN ?", q.Brands)
	}
	if q.MinPrice > 0 {
		tx = tx.Where("price_cents >= ?", q.MinPrice)
	}
	if q.MaxPrice > 0 {
		tx = tx.Where("price_cents <= ?", q.MaxPrice)
	}
	if q.ActiveOnly {
		tx = tx.Where("active = ?", true)
	}
	var total int64
	if err := tx.Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("models: count products: %w", err)
	}
	switch q.Sort {
	case SortPriceAsc:
		tx = tx.Order("price_cents ASC, id")
	case SortPriceDesc:
		tx = tx.Order("price_cents DESC, id")
	case SortNewest:
		tx = tx.Order("created_at DESC, id DESC")
	default:
		tx = tx.Order("popularity DESC, id")
	}
	if q.PerPage <= 0 {
		q.PerPage = 24
	}
	if q.Page < 1 {
		q.Page = 1
	}
	var ps []Product
	if err := tx.Limit(q.PerPage).Offset((q.Page - 1) * q.PerPage).Find(&ps).Error; err != nil {
		return nil, 0, fmt.Errorf("models: list products: %w", err)
	}
	return ps, total, nil
}

// BrandCount is a brand with how many products it has in a listing.
type BrandCount struct {
	Brand string
	N     int
}

// BrandsIn lists the brands of the given categories, most products first.
func (db *DB) BrandsIn(ctx context.Context, categoryIDs []uint) ([]BrandCount, error) {
	var out []BrandCount
	tx := db.R.WithContext(ctx).Model(&Product{}).Select("brand, COUNT(*) AS n").Where("active = ?", true)
	if len(categoryIDs) > 0 {
		tx = tx.Where("category_id IN ?", categoryIDs)
	}
	if err := tx.Group("brand").Order("n DESC, brand").Limit(30).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("models: list brands: %w", err)
	}
	return out, nil
}

// ProductsByIDs loads products keeping the order of ids.
func (db *DB) ProductsByIDs(ctx context.Context, ids []uint) ([]Product, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var ps []Product
	if err := db.R.WithContext(ctx).Where("id IN ?", ids).Find(&ps).Error; err != nil {
		return nil, fmt.Errorf("models: load products: %w", err)
	}
	byID := make(map[uint]Product, len(ps))
	for _, p := range ps {
		byID[p.ID] = p
	}
	out := make([]Product, 0, len(ids))
	for _, id := range ids {
		if p, ok := byID[id]; ok {
			out = append(out, p)
		}
	}
	return out, nil
}

// ProductEdit is what the catalog form changes of a product.
type ProductEdit struct {
	PriceCents int64
	// CompareAtCents is the regular price of a product on sale, above
	// PriceCents; 0 ends the sale.
	CompareAtCents int64
	Stock          int
	Active         bool
}

// UpdateProductAdmin changes price, regular price, stock and active flag,
// with an audit entry. was, when given, is what the catalog form showed
// when the merchandiser opened it: a field left as shown keeps the
// product's current value (an order may have sold stock since, which
// writing the shown count back would undo, letting the shop sell what it no
// longer has), and a field changed both in the form and in the database
// since is refused with its current value named, so that neither change is
// silently lost.
func (db *DB) UpdateProductAdmin(ctx context.Context, actor string, id uint, e ProductEdit, was *ProductEdit) error {
	f := map[string]string{}
	if e.PriceCents < 0 {
		f["price"] = "A price cannot be negative."
	}
	if e.Stock < 0 {
		f["stock"] = "Stock cannot be negative."
	}
	if e.CompareAtCents < 0 {
		f["compare_at"] = "Must be above the price, or empty when not on sale."
	}
	if len(f) > 0 {
		return &ValidationError{Fields: f}
	}
	tx := db.W.WithContext(ctx).Begin()
	if tx.Error != nil {
		return fmt.Errorf("models: update product %d: %w", id, tx.Error)
	}
	defer tx.Rollback()
	var p Product
	if err := tx.First(&p, id).Error; err != nil {
		return notFound(err, "update product %d", id)
	}
	if was != nil {
		const since = " when you opened this page): someone else changed it. Check it and save again."
		if e.PriceCents == was.PriceCents {
			e.PriceCents = p.PriceCents
		} else if p.PriceCents != was.PriceCents {
			f["price"] = fmt.Sprintf("The price is %s now (%s"+since, formatMoney(p.PriceCents), formatMoney(was.PriceCents))
		}
		if e.CompareAtCents == was.CompareAtCents {
			e.CompareAtCents = p.CompareAtCents
		} else if p.CompareAtCents != was.CompareAtCents {
			f["compare_at"] = fmt.Sprintf("The regular price is %s now (%s"+since, formatMoney(p.CompareAtCents), formatMoney(was.CompareAtCents))
		}
		if e.Stock == was.Stock {
			e.Stock = p.Stock
		} else if p.Stock != was.Stock {
			f["stock"] = fmt.Sprintf("Stock is %d now (%d when you opened this page): orders or another edit changed it. Check it and save again.", p.Stock, was.Stock)
		}
		if e.Active == was.Active {
			e.Active = p.Active
		} else if p.Active != was.Active {
			f["active"] = "Someone else changed whether this product is for sale since you opened this page. Check it and save again."
		}
		if len(f) > 0 {
			return &ValidationError{Fields: f}
		}
	}
	// Zero is a price: an import takes it for free products (samples,
	// sticker packs), and their stock and status are edited here too.
	// As in an import: the regular price is what the sale price is
	// compared with, so it is above it.
	if e.CompareAtCents != 0 && e.CompareAtCents <= e.PriceCents {
		return &ValidationError{Fields: map[string]string{"compare_at": "Must be above the price, or empty when not on sale."}}
	}
	err := tx.Model(&Product{}).Where("id = ?", id).Updates(map[string]any{"price_cents": e.PriceCents, "compare_at_cents": e.CompareAtCents,
		"stock": e.Stock, "active": e.Active}).Error
	if err != nil {
		return fmt.Errorf("models: update product %d: %w", id, err)
	}
	detail := fmt.Sprintf("price %d→%d, stock %d→%d, active %t→%t", p.PriceCents, e.PriceCents, p.Stock, e.Stock, p.Active, e.Active)
	if p.CompareAtCents != e.CompareAtCents {
		detail += fmt.Sprintf(", regular price %d→%d", p.CompareAtCents, e.CompareAtCents)
	}
	if err := audit(tx, actor, "product.update", p.ExternalID, detail); err != nil {
		return err
	}
	return tx.Commit().Error
}

// formatMoney writes cents as currency units ("12.50") for messages.
func formatMoney(cents int64) string {
	return fmt.Sprintf("%d.%02d", cents/100, cents%100)
}

// Slugify lower-cases s and joins its words with hyphens, in ASCII: Latin
// letters lose their accents ("Élite" is "elite", "Zubehör" "zubehor",
// "Straße" "strasse") instead of breaking the word, and letters of other
// scripts are spelled in Latin letters ("Обувь" is "obuv", "中文" "zhong-wen")
// so a name in any script has a readable address of its own.
func Slugify(s string) string {
	var b strings.Builder
	dash := false
	ascii := func(r rune) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
	}
	for _, r := range norm.NFD.String(strings.ToLower(s)) {
		if unicode.Is(unicode.Mn, r) {
			continue // the accent of the letter before
		}
		if t, ok := latinLetters[r]; ok {
			b.WriteString(t)
			dash = false
			continue
		}
		if r > unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsNumber(r)) {
			// Another script: its Latin spelling ("ж" is "zh", "中"
			// "Zhong "), each character a word in scripts without spaces.
			for _, t := range strings.ToLower(unidecode.Unidecode(string(r))) {
				ascii(t)
			}
			continue
		}
		ascii(r)
	}
	return strings.TrimRight(b.String(), "-")
}

// FoldText is s without case or accents, as Slugify reads letters
// ("Müller" is "muller", "Straße" "strasse", "Ж" "zh"); every other
// character stays as it is, so staff search can match it as typed.
func FoldText(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(strings.ToLower(s)) {
		switch {
		case unicode.Is(unicode.Mn, r):
			// the accent of the letter before
		case latinLetters[r] != "":
			b.WriteString(latinLetters[r])
		case r > unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsNumber(r)):
			b.WriteString(strings.ToLower(unidecode.Unidecode(string(r))))
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// latinLetters spells the lower-case Latin letters that do not decompose
// into an ASCII letter and an accent.
var latinLetters = map[rune]string{
	'ß': "ss", 'æ': "ae", 'ø': "o", 'œ': "oe", 'ł': "l", 'đ': "d", 'ð': "d", 'þ': "th", 'ı': "i", 'ħ': "h", 'ŧ': "t", 'ŀ': "l",
}

// Clone returns a copy of the product.
func (p *Product) Clone() Product { return *p }

// sqlCatalogVersion counts the products and categories and reads the
// latest change through the index on updated_at (a MAX wrapped in other
// functions read every product).
const sqlCatalogVersion = `SELECT (SELECT COUNT(*) FROM products) AS products,
	(SELECT COUNT(*) FROM categories) AS categories,
	COALESCE(CAST((SELECT MAX(updated_at) FROM products) AS TEXT), '') AS changed`

// CatalogVersion summarises the catalog cheaply so a cached copy can tell
// whether it is stale: product and category counts and the latest change.
func (db *DB) CatalogVersion(ctx context.Context) (string, error) {
	var v struct {
		Products   int64
		Categories int64
		Changed    string
	}
	err := db.R.WithContext(ctx).Raw(sqlCatalogVersion).Scan(&v).Error
	if err != nil {
		return "", fmt.Errorf("models: catalog version: %w", err)
	}
	return fmt.Sprintf("%d/%d/%s", v.Products, v.Categories, v.Changed), nil
}

// CatalogVersionCounts are the numbers of products and categories a
// CatalogVersion names.
func CatalogVersionCounts(version string) (products, categories int, ok bool) {
	f := strings.SplitN(version, "/", 3)
	if len(f) != 3 {
		return 0, 0, false
	}
	p, err1 := strconv.Atoi(f[0])
	c, err2 := strconv.Atoi(f[1])
	return p, c, err1 == nil && err2 == nil
}
