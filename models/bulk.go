package models

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/driver/postgres"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/logger"
)

// bulkBatch rows go into one INSERT: large enough to amortise statement
// overhead, small enough to stay below SQLite's bound-variable limit for the
// widest table (products, ~14 columns).
const bulkBatch = 1000

// BulkTx is one write transaction for loading many rows at once (seeding
// and CSV import). It keeps GORM inside this package. The writer pool has a
// single connection, so code running inside Bulk must not call other DB
// methods that write; reads through db.R are fine.
type BulkTx struct {
	tx *gorm.DB
}

// Bulk runs fn in one write transaction; any error rolls everything back.
func (db *DB) Bulk(ctx context.Context, fn func(b *BulkTx) error) error {
	// SQLite-specific: a large page cache on the (single) writer connection
	// keeps a big transaction from spilling dirty pages to the WAL midway,
	// which otherwise halves insert speed. It goes back to the default after.
	w, err := db.unprepared()
	if err != nil {
		return err
	}
	w = w.WithContext(ctx)
	if db.Postgres() {
		return w.Transaction(func(tx *gorm.DB) error {
			return fn(&BulkTx{tx: tx})
		})
	}
	if err := w.Exec(fmt.Sprintf("PRAGMA cache_size = -%d", bulkCacheKiB)).Error; err != nil {
		return fmt.Errorf("models: bulk cache size: %w", err)
	}
	defer w.Exec("PRAGMA cache_size = -2000")
	return w.Transaction(func(tx *gorm.DB) error {
		return fn(&BulkTx{tx: tx})
	})
}

// unprepared returns a GORM handle on the same single-connection writer
// pool without PrepareStmt. With PrepareStmt every Exec inside a
// transaction prepares its statement again and keeps it until commit
// (database/sql Tx.StmtContext), so a two-million-event load held about
// 2 GB of compiled statements; without it memory stays flat and the load
// is faster.
func (db *DB) unprepared() (*gorm.DB, error) {
	conn, err := db.W.DB()
	if err != nil {
		return nil, fmt.Errorf("models: writer pool: %w", err)
	}
	var d gorm.Dialector = sqlite.Dialector{Conn: conn}
	if db.Postgres() {
		d = postgres.New(postgres.Config{Conn: conn})
	}
	g, err := gorm.Open(d, &gorm.Config{
		SkipDefaultTransaction: true,
		Logger:                 logger.Default.LogMode(logger.Silent),
	})
	if err != nil {
		return nil, fmt.Errorf("models: bulk handle: %w", err)
	}
	return g, nil
}

// bulkCacheKiB is the writer's page cache during bulk loads.
const bulkCacheKiB = 64 << 10

// CreateCategories inserts categories and fills in their IDs. Parents must
// come before their children (ParentID must already be set).
func (b *BulkTx) CreateCategories(cats []Category) error {
	if len(cats) == 0 {
		return nil
	}
	if err := b.tx.CreateInBatches(&cats, bulkBatch).Error; err != nil {
		return fmt.Errorf("models: create %d categories: %w", len(cats), err)
	}
	return nil
}

// CreateProducts inserts products and fills in their IDs.
func (b *BulkTx) CreateProducts(ps []Product) error {
	if len(ps) == 0 {
		return nil
	}
	// GORM replaces a zero value with the column's tag default (active=true),
	// even in ps, so inactive products are noted first and switched off after.
	var inactiveAt []int
	for i, p := range ps {
		if !p.Active {
			inactiveAt = append(inactiveAt, i)
		}
	}
	if err := b.tx.Omit(clause.Associations).CreateInBatches(&ps, bulkBatch).Error; err != nil {
		return fmt.Errorf("models: create %d products: %w", len(ps), err)
	}
	inactive := make([]uint, len(inactiveAt))
	for j, i := range inactiveAt {
		ps[i].Active = false
		inactive[j] = ps[i].ID
	}
	for start := 0; start < len(inactive); start += bulkBatch {
		ids := inactive[start:min(start+bulkBatch, len(inactive))]
		if err := b.tx.Model(&Product{}).Where("id IN ?", ids).Update("active", false).Error; err != nil {
			return fmt.Errorf("models: deactivate %d products: %w", len(ids), err)
		}
	}
	return nil
}

// UpsertOptions choose which fields of an existing product an upsert keeps.
type UpsertOptions struct {
	KeepImage     bool // leave image_url as stored
	KeepCreatedAt bool // leave created_at as stored
	KeepCompareAt bool // leave compare_at_cents as stored
	KeepGroup     bool // leave group_id as stored
	// KeepVisibility leaves visibility as stored (a file without the
	// column).
	KeepVisibility bool
}

// UpsertProducts inserts products or, for an ExternalID that exists,
// updates its catalog fields. Active and Popularity of existing products
// are always kept. IDs are not filled in; use ProductIDs.
func (b *BulkTx) UpsertProducts(ps []Product, opt UpsertOptions) error {
	if len(ps) == 0 {
		return nil
	}
	cols := []string{"slug", "title", "description", "brand", "category_id", "price_cents", "stock", "folded", "updated_at"}
	if !opt.KeepImage {
		cols = append(cols, "image_url")
	}
	if !opt.KeepCreatedAt {
		cols = append(cols, "created_at")
	}
	if !opt.KeepCompareAt {
		cols = append(cols, "compare_at_cents")
	}
	if !opt.KeepGroup {
		cols = append(cols, "group_id")
	}
	if !opt.KeepVisibility {
		cols = append(cols, "visibility")
	}
	err := b.tx.Omit(clause.Associations).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "external_id"}},
		DoUpdates: clause.AssignmentColumns(cols),
	}).CreateInBatches(&ps, bulkBatch).Error
	if err != nil {
		return fmt.Errorf("models: upsert %d products: %w", len(ps), err)
	}
	return nil
}

// ProductIDs maps every product's ExternalID to its ID, as seen inside the
// transaction.
func (b *BulkTx) ProductIDs() (map[string]uint, error) {
	return productKeys(b.tx)
}

// Categories returns every category, as seen inside the transaction.
func (b *BulkTx) Categories() ([]Category, error) {
	var cs []Category
	if err := b.tx.Order("id").Find(&cs).Error; err != nil {
		return nil, fmt.Errorf("models: list categories: %w", err)
	}
	return cs, nil
}

// CreateShoppers inserts shoppers and fills in their IDs.
func (b *BulkTx) CreateShoppers(ss []Shopper) error {
	if len(ss) == 0 {
		return nil
	}
	if err := b.tx.CreateInBatches(&ss, bulkBatch).Error; err != nil {
		return fmt.Errorf("models: create %d shoppers: %w", len(ss), err)
	}
	return nil
}

// EnsureShoppers is ImportShoppers for callers that need only the count.
func (b *BulkTx) EnsureShoppers(fileIDs []string) (int64, error) {
	_, n, err := b.ImportShoppers(fileIDs)
	return n, err
}

// ImportShoppers finds or creates the customer behind each user id of an
// import's events file and returns, in order, the user key their events
// go under (their ExternalID), and how many customers it created. A
// customer an earlier import gave that id keeps their key, so a re-import
// adds to their history. An id a registered account (or another imported
// customer) already uses as its key is never attached to it: the
// customer gets a key of their own, the id with "~imported" (and a number
// if need be) after it.
func (b *BulkTx) ImportShoppers(fileIDs []string) ([]string, int64, error) {
	keys := make([]string, len(fileIDs))
	if len(fileIDs) == 0 {
		return keys, 0, nil
	}
	var have []struct {
		ExternalID string
		ImportedAs *string
		Registered bool
	}
	err := b.tx.Model(&Shopper{}).Select("external_id, imported_as, COALESCE(password_hash, '') <> '' AS registered").
		Find(&have).Error
	if err != nil {
		return nil, 0, fmt.Errorf("models: list shoppers: %w", err)
	}
	byImport := make(map[string]string, len(have)) // file id → key
	taken := make(map[string]bool, len(have)+len(fileIDs))
	for _, h := range have {
		taken[h.ExternalID] = true
		if h.ImportedAs != nil {
			byImport[*h.ImportedAs] = h.ExternalID
		}
	}
	// Customers nobody can log in as (no password) that no import has
	// named yet (the seeded demo's) are found by their key, and named now.
	unnamed := map[string]bool{}
	for _, h := range have {
		if _, ok := byImport[h.ExternalID]; !ok && h.ImportedAs == nil && !h.Registered {
			unnamed[h.ExternalID] = true
		}
	}
	var claim []string
	now := time.Now().UTC()
	var fresh []Shopper
	var rename []int // ids whose own name is someone else's key
	for i, id := range fileIDs {
		switch key, ok := byImport[id]; {
		case ok:
			keys[i] = key
		case unnamed[id]:
			keys[i] = id
			claim = append(claim, id)
		case taken[id]:
			rename = append(rename, i)
		default:
			keys[i], taken[id] = id, true
			fresh = append(fresh, Shopper{ExternalID: id, ImportedAs: &fileIDs[i], CreatedAt: now, UpdatedAt: now})
		}
	}
	for _, i := range rename {
		key := fileIDs[i] + "~imported"
		for n := 2; taken[key]; n++ {
			key = fmt.Sprintf("%s~imported-%d", fileIDs[i], n)
		}
		keys[i], taken[key] = key, true
		fresh = append(fresh, Shopper{ExternalID: key, ImportedAs: &fileIDs[i], CreatedAt: now, UpdatedAt: now})
	}
	for start := 0; start < len(claim); start += bulkBatch {
		part := claim[start:min(start+bulkBatch, len(claim))]
		if err := b.tx.Model(&Shopper{}).Where("external_id IN ? AND imported_as IS NULL", part).Update("imported_as", gorm.Expr("external_id")).Error; err != nil {
			return nil, 0, fmt.Errorf("models: mark %d imported shoppers: %w", len(part), err)
		}
	}
	if len(fresh) > 0 {
		if err := b.tx.CreateInBatches(&fresh, bulkBatch).Error; err != nil {
			return nil, 0, fmt.Errorf("models: create %d shoppers: %w", len(fresh), err)
		}
	}
	return keys, int64(len(fresh)), nil
}

// CreateStaff inserts staff accounts.
func (b *BulkTx) CreateStaff(ss []Staff) error {
	if len(ss) == 0 {
		return nil
	}
	if err := b.tx.CreateInBatches(&ss, bulkBatch).Error; err != nil {
		return fmt.Errorf("models: create %d staff: %w", len(ss), err)
	}
	return nil
}

// CreateOrders inserts orders with their items. Stock is not touched: these
// are historical orders.
func (b *BulkTx) CreateOrders(os []Order) error {
	if len(os) == 0 {
		return nil
	}
	if err := b.tx.Omit(clause.Associations).CreateInBatches(&os, bulkBatch).Error; err != nil {
		return fmt.Errorf("models: create %d orders: %w", len(os), err)
	}
	var items []OrderItem
	for _, o := range os {
		for _, it := range o.Items {
			it.OrderID = o.ID
			items = append(items, it)
		}
	}
	if len(items) == 0 {
		return nil
	}
	if err := b.tx.CreateInBatches(&items, bulkBatch).Error; err != nil {
		return fmt.Errorf("models: create %d order items: %w", len(items), err)
	}
	return nil
}

// CreateSlots inserts draft slots as given (PageID and Position set by the caller).
func (b *BulkTx) CreateSlots(slots []Slot) error {
	if len(slots) == 0 {
		return nil
	}
	if err := b.tx.Create(&slots).Error; err != nil {
		return fmt.Errorf("models: create %d slots: %w", len(slots), err)
	}
	return nil
}

// InsertEvents writes events with multi-row INSERTs inside the transaction.
func (b *BulkTx) InsertEvents(events []Event) error {
	return InsertEventsTx(b.tx, events)
}

// ProductsByExternalID reads the products with the given external ids,
// a batch at a time, keyed by external id.
func (db *DB) ProductsByExternalID(ctx context.Context, ids []string) (map[string]Product, error) {
	out := make(map[string]Product, len(ids))
	for start := 0; start < len(ids); start += bulkBatch {
		var ps []Product
		err := db.R.WithContext(ctx).Where("external_id IN ?", ids[start:min(start+bulkBatch, len(ids))]).Find(&ps).Error
		if err != nil {
			return nil, fmt.Errorf("models: read products: %w", err)
		}
		for _, p := range ps {
			out[p.ExternalID] = p
		}
	}
	return out, nil
}

// ProductKeys maps every product's ExternalID to its ID.
func (db *DB) ProductKeys(ctx context.Context) (map[string]uint, error) {
	return productKeys(db.R.WithContext(ctx))
}

func productKeys(g *gorm.DB) (map[string]uint, error) {
	rows, err := g.Model(&Product{}).Select("id, external_id").Rows()
	if err != nil {
		return nil, fmt.Errorf("models: load product ids: %w", err)
	}
	defer rows.Close()
	out := make(map[string]uint)
	for rows.Next() {
		var id uint
		var ext string
		if err := rows.Scan(&id, &ext); err != nil {
			return nil, fmt.Errorf("models: scan product id: %w", err)
		}
		out[ext] = id
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("models: load product ids: %w", err)
	}
	return out, nil
}

// DataCounts are the row counts that tell whether a shop holds data.
type DataCounts struct {
	Categories, Products, Shoppers, Staff, Events, Orders, Slots int64
}

// Empty reports whether nothing a seed would create exists yet.
func (c DataCounts) Empty() bool {
	return c.Categories+c.Products+c.Shoppers+c.Staff+c.Events+c.Orders+c.Slots == 0
}

// Counts returns the row counts of the main tables.
func (db *DB) Counts(ctx context.Context) (DataCounts, error) {
	var c DataCounts
	g := db.R.WithContext(ctx)
	for _, q := range []struct {
		model any
		n     *int64
	}{
		{&Category{}, &c.Categories}, {&Product{}, &c.Products}, {&Shopper{}, &c.Shoppers},
		{&Staff{}, &c.Staff}, {&Event{}, &c.Events}, {&Order{}, &c.Orders}, {&Slot{}, &c.Slots},
	} {
		if err := g.Model(q.model).Count(q.n).Error; err != nil {
			return c, fmt.Errorf("models: count rows: %w", err)
		}
	}
	return c, nil
}

// DeleteAllData empties every table (catalog, people, behaviour, orders,
// layout, sessions, models, settings) in one transaction and restarts the
// id sequences, so a reseed produces the same ids. The schema stays.
func (db *DB) DeleteAllData(ctx context.Context) error {
	if db.Postgres() {
		var tables []string
		err := db.W.WithContext(ctx).Raw(`SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename <> 'schema_migrations'`).Scan(&tables).Error
		if err != nil {
			return fmt.Errorf("models: list tables: %w", err)
		}
		if err := db.W.WithContext(ctx).Exec(`TRUNCATE "` + strings.Join(tables, `", "`) + `" RESTART IDENTITY CASCADE`).Error; err != nil {
			return fmt.Errorf("models: delete all data: %w", err)
		}
		return nil
	}
	// SQLite: the table list comes from sqlite_master.
	var tables []string
	err := db.W.WithContext(ctx).Raw(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'schema_migrations'`).Scan(&tables).Error
	if err != nil {
		return fmt.Errorf("models: list tables: %w", err)
	}
	err = db.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// Foreign keys are checked at commit, when every table is empty.
		if err := tx.Exec(`PRAGMA defer_foreign_keys = ON`).Error; err != nil {
			return err
		}
		for _, t := range tables {
			if err := tx.Exec(`DELETE FROM "` + t + `"`).Error; err != nil {
				return fmt.Errorf("empty %s: %w", t, err)
			}
		}
		var seq int64
		if err := tx.Raw(`SELECT COUNT(*) FROM sqlite_master WHERE name = 'sqlite_sequence'`).Scan(&seq).Error; err != nil {
			return err
		}
		if seq > 0 {
			return tx.Exec(`DELETE FROM sqlite_sequence`).Error
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("models: delete all data: %w", err)
	}
	return nil
}

// WithoutEventIndexes runs fn with the secondary indexes of the events
// table dropped and rebuilds them afterwards, inside the transaction. For a
// load that is large next to the table, building an index once from sorted
// data is several times faster than updating it row by row. Readers keep
// seeing the old indexes until commit (WAL). SQLite-specific: the index
// definitions are read back from sqlite_master.
func (b *BulkTx) WithoutEventIndexes(fn func() error) error {
	var idx []struct{ Name, SQL string }
	var err error
	if b.tx.Dialector.Name() == "postgres" {
		err = b.tx.Raw(`SELECT indexname AS name, indexdef AS sql FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'events' AND indexname <> 'events_pkey' ORDER BY indexname`).Scan(&idx).Error
	} else {
		err = b.tx.Raw(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events' AND sql IS NOT NULL ORDER BY name`).Scan(&idx).Error
	}
	if err != nil {
		return fmt.Errorf("models: list event indexes: %w", err)
	}
	for _, ix := range idx {
		if err := b.tx.Exec(`DROP INDEX "` + ix.Name + `"`).Error; err != nil {
			return fmt.Errorf("models: drop index %s: %w", ix.Name, err)
		}
	}
	if err := fn(); err != nil {
		return err
	}
	for _, ix := range idx {
		if err := b.tx.Exec(ix.SQL).Error; err != nil {
			return fmt.Errorf("models: rebuild index %s: %w", ix.Name, err)
		}
	}
	return nil
}

// CountEvents returns the number of stored events, inside the transaction.
func (b *BulkTx) CountEvents() (int64, error) {
	var n int64
	if err := b.tx.Model(&Event{}).Count(&n).Error; err != nil {
		return 0, fmt.Errorf("models: count events: %w", err)
	}
	return n, nil
}

// StoredEvent is an event as an import compares it with a file's row.
type StoredEvent struct {
	UserKey   string
	ProductID uint
	Type      string
	Value     float64
	CreatedAt time.Time
}

// EventsBetween calls fn, inside the transaction, for every stored view,
// click, add to cart and purchase of a product made from from to to
// (inclusive): what an import's file may hold again (an export that
// overlaps the last one). The bounds are widened by a day in SQL, so a
// time stored with another offset or precision is still read; fn gets
// only those within them (PostgreSQL keeps microseconds: from's
// nanoseconds are not asked for).
func (b *BulkTx) EventsBetween(from, to time.Time, fn func(StoredEvent) error) error {
	rows, err := b.tx.Model(&Event{}).Select("user_key, product_id, type, value, created_at").
		Where("created_at >= ? AND created_at <= ? AND product_id IS NOT NULL AND type IN ?",
			from.Add(-24*time.Hour).UTC(), to.Add(24*time.Hour).UTC(),
			[]string{EventView, EventClick, EventAddToCart, EventPurchase}).Rows()
	if err != nil {
		return fmt.Errorf("models: read stored events: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var e StoredEvent
		if err := rows.Scan(&e.UserKey, &e.ProductID, &e.Type, &e.Value, &e.CreatedAt); err != nil {
			return fmt.Errorf("models: scan stored event: %w", err)
		}
		if e.CreatedAt.Before(from.Truncate(time.Microsecond)) || e.CreatedAt.After(to) {
			continue
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("models: read stored events: %w", err)
	}
	return nil
}

// ForgottenUsers returns the user ids of deleted shoppers, inside the
// transaction.
func (b *BulkTx) ForgottenUsers() (map[string]bool, error) {
	var ids []string
	if err := b.tx.Model(&ForgottenUser{}).Pluck("user_key", &ids).Error; err != nil {
		return nil, fmt.Errorf("models: forgotten users: %w", err)
	}
	out := make(map[string]bool, len(ids))
	for _, id := range ids {
		out[id] = true
	}
	return out, nil
}
