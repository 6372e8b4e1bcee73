package models

import (
	"time"

	"gorm.io/gorm"
)

// The schema of the last release without versioned migrations (every table
// AutoMigrate created from the entities as they were then, plus the SQL
// beside it). The structs are frozen copies: later changes to the entities
// belong in later migrations. On a database that release created, every
// table and index exists already and this migration only records itself.
func init() {
	register("202612020000_baseline", func(tx *gorm.DB) error {
		err := createTables(tx, &v1Category{}, &v1Product{}, &v1Shopper{}, &v1Staff{}, &v1Event{},
			&v1CartItem{}, &v1Order{}, &v1OrderItem{}, &v1Page{}, &v1Slot{}, &v1LayoutVersion{},
			&v1AuditLog{}, &v1ModelArtifact{}, &v1APIKey{}, &v1Setting{})
		if err != nil {
			return err
		}
		// Sessions (the scs store in sessions.go): SQLite keeps the expiry
		// as a Julian day, PostgreSQL as a timestamp.
		sessions := `CREATE TABLE IF NOT EXISTS sessions (token TEXT PRIMARY KEY, data BLOB NOT NULL, expiry REAL NOT NULL)`
		if tx.Dialector.Name() == "postgres" {
			sessions = `CREATE TABLE IF NOT EXISTS sessions (token TEXT PRIMARY KEY, data BYTEA NOT NULL, expiry TIMESTAMPTZ NOT NULL)`
		}
		return execAll(tx, sessions,
			`CREATE INDEX IF NOT EXISTS sessions_expiry_idx ON sessions(expiry)`,
			// Category listings count, page and facet products by category,
			// active flag and brand; this index answers the count and the
			// brand facets without reading a row.
			`CREATE INDEX IF NOT EXISTS idx_products_listing ON products(category_id, active, brand, popularity)`,
			// A shopper's behaviour history is read on every personalized
			// page; impressions and searches pile up beside it under the
			// same user key, so the history has its own partial index.
			`CREATE INDEX IF NOT EXISTS idx_events_user_behaviour ON events(user_key, created_at)
				WHERE type IN ('view','click','add_to_cart','purchase')`)
	})
}

type v1Category struct {
	ID       uint   `gorm:"primaryKey"`
	Slug     string `gorm:"uniqueIndex;not null"`
	Name     string `gorm:"not null"`
	ParentID *uint  `gorm:"index"`
	Position int
}

func (v1Category) TableName() string { return "categories" }

type v1Product struct {
	ID          uint   `gorm:"primaryKey"`
	ExternalID  string `gorm:"uniqueIndex;not null"`
	Slug        string `gorm:"index;not null"`
	Title       string `gorm:"not null"`
	Description string
	Brand       string `gorm:"index"`
	CategoryID  uint   `gorm:"index;not null"`
	Category    v1Category
	PriceCents  int64 `gorm:"index;not null"`
	Stock       int   `gorm:"not null;check:stock >= 0"`
	ImageURL    string
	Active      bool      `gorm:"index;not null;default:true"`
	Popularity  float64   `gorm:"index;not null;default:0"`
	CreatedAt   time.Time `gorm:"index"`
	UpdatedAt   time.Time
}

func (v1Product) TableName() string { return "products" }

type v1Shopper struct {
	ID           uint    `gorm:"primaryKey"`
	ExternalID   string  `gorm:"uniqueIndex;not null"`
	Email        *string `gorm:"uniqueIndex"`
	Name         string
	PasswordHash string
	OptOut       bool `gorm:"not null;default:false"`
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

func (v1Shopper) TableName() string { return "shoppers" }

type v1Staff struct {
	ID           uint   `gorm:"primaryKey"`
	Email        string `gorm:"uniqueIndex;not null"`
	Name         string
	PasswordHash string `gorm:"not null"`
	Role         string `gorm:"not null"`
	CreatedAt    time.Time
}

func (v1Staff) TableName() string { return "staffs" }

type v1Event struct {
	ID        uint   `gorm:"primaryKey"`
	UserKey   string `gorm:"index:idx_events_user_time,priority:1;not null"`
	ProductID *uint  `gorm:"index"`
	Type      string `gorm:"size:16;not null"`
	Slot      string `gorm:"index"`
	Position  int
	Query     string
	Value     float64
	CreatedAt time.Time `gorm:"index;index:idx_events_user_time,priority:2"`
}

func (v1Event) TableName() string { return "events" }

type v1CartItem struct {
	ID        uint   `gorm:"primaryKey"`
	OwnerKey  string `gorm:"uniqueIndex:idx_cart_owner_product;not null"`
	ProductID uint   `gorm:"uniqueIndex:idx_cart_owner_product;not null"`
	Product   v1Product
	Quantity  int `gorm:"not null"`
	UpdatedAt time.Time
}

func (v1CartItem) TableName() string { return "cart_items" }

type v1Order struct {
	ID             uint   `gorm:"primaryKey"`
	ShopperID      *uint  `gorm:"index"`
	IdempotencyKey string `gorm:"uniqueIndex;not null"`
	Status         string `gorm:"not null"`
	TotalCents     int64  `gorm:"not null"`
	Email          string
	Name           string
	Street         string
	City           string
	Postcode       string
	Country        string
	Items          []v1OrderItem `gorm:"foreignKey:OrderID"`
	CreatedAt      time.Time     `gorm:"index"`
}

func (v1Order) TableName() string { return "orders" }

type v1OrderItem struct {
	ID         uint `gorm:"primaryKey"`
	OrderID    uint `gorm:"index;not null"`
	ProductID  uint `gorm:"index;not null"`
	Title      string
	PriceCents int64 `gorm:"not null"`
	Quantity   int   `gorm:"not null"`
}

func (v1OrderItem) TableName() string { return "order_items" }

type v1Page struct {
	ID                 uint   `gorm:"primaryKey"`
	Key                string `gorm:"uniqueIndex;not null"`
	DraftRevision      int    `gorm:"not null;default:1"`
	PublishedVersionID *uint
}

func (v1Page) TableName() string { return "pages" }

type v1Slot struct {
	ID        uint   `gorm:"primaryKey"`
	PageID    uint   `gorm:"index;not null"`
	Position  int    `gorm:"not null"`
	Type      string `gorm:"not null"`
	Title     string
	Subtitle  string
	Strategy  string
	Size      int
	Category  string
	Brands    string
	MinPrice  int64
	MaxPrice  int64
	Pins      string
	Excludes  string
	Boosts    string
	Audience  string
	StartsAt  *time.Time
	EndsAt    *time.Time
	Locked    bool
	Enabled   bool `gorm:"not null;default:true"`
	Link      string
	UpdatedAt time.Time
}

func (v1Slot) TableName() string { return "slots" }

type v1LayoutVersion struct {
	ID        uint   `gorm:"primaryKey"`
	PageID    uint   `gorm:"index;not null"`
	Number    int    `gorm:"not null"`
	Snapshot  string `gorm:"not null"`
	Summary   string
	Author    string
	CreatedAt time.Time
}

func (v1LayoutVersion) TableName() string { return "layout_versions" }

type v1AuditLog struct {
	ID        uint   `gorm:"primaryKey"`
	Actor     string `gorm:"index"`
	Action    string
	Target    string
	Detail    string
	CreatedAt time.Time `gorm:"index"`
}

func (v1AuditLog) TableName() string { return "audit_logs" }

type v1ModelArtifact struct {
	ID        uint `gorm:"primaryKey"`
	Blob      []byte
	Stats     string
	Metrics   string
	Events    int
	TrainedAt time.Time `gorm:"index"`
}

func (v1ModelArtifact) TableName() string { return "model_artifacts" }

type v1APIKey struct {
	ID        uint   `gorm:"primaryKey"`
	Name      string `gorm:"not null"`
	Prefix    string `gorm:"index;not null"`
	Hash      string `gorm:"uniqueIndex;not null"`
	Scope     string `gorm:"not null"`
	CreatedAt time.Time
	RevokedAt *time.Time
}

func (v1APIKey) TableName() string { return "api_keys" }

type v1Setting struct {
	Key   string `gorm:"primaryKey"`
	Value string
}

func (v1Setting) TableName() string { return "settings" }
