package models

import (
	"time"

	"gorm.io/gorm"

	"storefront/recommender"
)

// Category is a node of the catalog tree.
type Category struct {
	ID       uint   `gorm:"primaryKey"`
	Slug     string `gorm:"uniqueIndex;not null"`
	Name     string `gorm:"not null"`
	ParentID *uint  `gorm:"index"`
	Position int
}

// Product is one sellable item. ExternalID is the merchant's own id (SKU),
// used by import, the recommender and the API.
type Product struct {
	ID          uint   `gorm:"primaryKey"`
	ExternalID  string `gorm:"uniqueIndex;not null"`
	Slug        string `gorm:"index;not null"`
	Title       string `gorm:"not null"`
	Description string
	Brand       string `gorm:"index"`
	CategoryID  uint   `gorm:"index;not null"`
	Category    Category
	PriceCents  int64 `gorm:"index;not null"`
	// CompareAtCents is the regular price when the product is on sale
	// (above PriceCents); 0 means no sale.
	CompareAtCents int64 `gorm:"not null;default:0"`
	Stock          int   `gorm:"not null;check:stock >= 0"`
	ImageURL       string
	// GroupID names the product's group (the sizes or colours of one
	// model, an import's group_id); "" for a product of its own. A row of
	// recommendations shows one product of a group.
	GroupID string `gorm:"not null;default:''"`
	// Visibility is where shoppers find the product (a Magento export's
	// visibility column): "" in category listings and search alike,
	// VisibilityCatalog only in listings, VisibilitySearch only in search.
	Visibility string  `gorm:"not null;default:''"`
	Active     bool    `gorm:"index;not null;default:true"`
	Popularity float64 `gorm:"index;not null;default:0"`
	// Folded is the title, brand and external id without case or accents
	// (FoldText), kept on every save, for the staff catalog search.
	Folded    string    `gorm:"not null;default:''"`
	CreatedAt time.Time `gorm:"index"`
	UpdatedAt time.Time
}

// Where a product is found besides its own page (Product.Visibility). Rows
// of recommendations are listings: they show what InListings allows
// (shop.InRows).
const (
	VisibilityCatalog = "catalog" // category listings, not search
	VisibilitySearch  = "search"  // search, not category listings
)

// InListings reports whether category listings and the sale page show the
// product (all but VisibilitySearch).
func (p Product) InListings() bool { return p.Visibility != VisibilitySearch }

// InSearch reports whether search finds the product (all but
// VisibilityCatalog).
func (p Product) InSearch() bool { return p.Visibility != VisibilityCatalog }

// BeforeSave keeps Folded in step with the fields it folds.
func (p *Product) BeforeSave(*gorm.DB) error {
	p.Folded = foldedProduct(p.Title, p.Brand, p.ExternalID)
	return nil
}

func foldedProduct(title, brand, externalID string) string {
	// A line apiece, so a search never matches across two fields.
	return FoldText(title) + "\n" + FoldText(brand) + "\n" + FoldText(externalID)
}

// OnSale reports whether the product sells below its compare-at price.
func (p Product) OnSale() bool { return p.CompareAtCents > p.PriceCents && p.PriceCents > 0 }

// DiscountPercent is the sale's discount, rounded down so it never
// promises more than it gives; 0 when not on sale.
func (p Product) DiscountPercent() int {
	if !p.OnSale() {
		return 0
	}
	return int((p.CompareAtCents - p.PriceCents) * 100 / p.CompareAtCents)
}

// InStock reports whether the product can be bought now.
func (p Product) InStock() bool { return p.Active && p.Stock > 0 }

// Shopper is a customer account. ExternalID is the user id that events,
// import and the recommender use; imported users may have no email.
type Shopper struct {
	ID           uint    `gorm:"primaryKey"`
	ExternalID   string  `gorm:"uniqueIndex;not null"`
	Email        *string `gorm:"uniqueIndex"`
	Name         string
	PasswordHash string
	OptOut       bool `gorm:"not null;default:false"`
	// HistoryEditedAt is when the shopper last removed items or interests
	// from their history: until a model trained after it is served, their
	// homepage ignores what the stored model learnt about them.
	HistoryEditedAt *time.Time
	// HiddenInterests are interests the shopper removed, one per line as
	// "category:<slug>" or "brand:<name>": rows built from their history
	// leave them out until they show them again or reset.
	HiddenInterests string
	// ImportedAs is the user id an import's events file gave this customer:
	// a re-import finds them by it. It is nil for an account registered
	// here; an imported id that a registered account already uses gets an
	// ExternalID of its own (BulkTx.ImportShoppers), so neither ever sees
	// the other's history.
	ImportedAs *string `gorm:"uniqueIndex"`
	// ClaimEmail is the address the merchant gave a customer an import
	// brought under an id of its own system (cust0042): a customers file
	// or the admin's customer page. "Forgot your password?" to it sends
	// them their first password, which makes it their account's Email; nil
	// once claimed, and for everyone else.
	ClaimEmail *string `gorm:"uniqueIndex"`
	// Origin is the pseudonym of the network and UTC day the account was
	// registered from (NetworkOrigin, as a visitor id carries it), so the
	// training counts the accounts a network makes in a day with its
	// visitors; "" for imported customers and accounts from before.
	Origin    string `gorm:"not null;default:''"`
	CreatedAt time.Time
	UpdatedAt time.Time
}

// ForgottenUser is a tombstone: a deleted shopper's user id, which nothing
// may serve personal results for again. Shopper ids are never reused.
type ForgottenUser struct {
	UserKey   string `gorm:"primaryKey"`
	ShopperID uint   `gorm:"uniqueIndex;not null"`
	DeletedAt time.Time
	// Purged is set once every stored model artifact was rewritten
	// without the user.
	Purged bool `gorm:"not null;default:false"`
}

// Staff roles.
const (
	RoleMerchandiser = "merchandiser"
	RoleAdmin        = "admin"
)

// Staff is a merchandiser or admin of the shop. A deactivated account
// (DeactivatedAt set) keeps its history but cannot log in.
type Staff struct {
	ID            uint   `gorm:"primaryKey"`
	Email         string `gorm:"uniqueIndex;not null"`
	Name          string
	PasswordHash  string `gorm:"not null"`
	Role          string `gorm:"not null"`
	CreatedAt     time.Time
	DeactivatedAt *time.Time
	// MustChangePassword sends the account to choose a new password at its
	// next login (the demo staff, whose passwords are published).
	MustChangePassword bool `gorm:"not null;default:false"`
	// PasswordGivenAt is when a given password (MustChangePassword) was
	// set; it logs in for GivenPasswordLifetime from then (GivenExpired).
	PasswordGivenAt *time.Time
	// PasswordGeneration counts the password's changes. A session holds the
	// generation it signed in with, so setting a password ends the account's
	// other sessions.
	PasswordGeneration int `gorm:"not null;default:0"`
}

// GivenPasswordLifetime is how long a password someone else gave a staff
// account (an admin's "Add staff" or "Reset password", the demo staff's
// published ones) logs in before its owner replaces it: long enough to
// reach its owner over a weekend, not a standing way into the account for
// whoever read it (ASVS 2.3.1).
const GivenPasswordLifetime = 72 * time.Hour

// GivenExpired reports whether the account's password was given and is
// older than GivenPasswordLifetime at now.
func (s *Staff) GivenExpired(now time.Time) bool {
	return s.MustChangePassword && s.PasswordGivenAt != nil && now.Sub(*s.PasswordGivenAt) > GivenPasswordLifetime
}

// Event types recorded from behaviour.
const (
	EventView       = "view"
	EventClick      = "click"
	EventAddToCart  = "add_to_cart"
	EventPurchase   = "purchase"
	EventSearch     = "search"
	EventImpression = "impression"
)

// Event is one behaviour signal. UserKey is the shopper's ExternalID, or
// "v:<visitor id>" for an anonymous visitor until they log in.
type Event struct {
	ID        uint   `gorm:"primaryKey"`
	UserKey   string `gorm:"not null"` // indexed in two halves: see schema_202612022045_events_user_index.go
	ProductID *uint  // not indexed: see schema_202612021450_events_product_index.go
	Type      string `gorm:"size:16;not null"`
	Slot      string // indexed only where set: see schema_202612022120_events_slot_index.go
	Position  int
	Query     string
	Value     float64
	Arm       string    `gorm:"size:24"` // the experiment arm or control group the visitor was in (ArmLabel…)
	CreatedAt time.Time `gorm:"index"`
}

// CartItem is a line of a cart owned by a user key (visitor or shopper).
type CartItem struct {
	ID        uint   `gorm:"primaryKey"`
	OwnerKey  string `gorm:"uniqueIndex:idx_cart_owner_product;not null"`
	ProductID uint   `gorm:"uniqueIndex:idx_cart_owner_product;not null"`
	Product   Product
	Quantity  int `gorm:"not null"`
	UpdatedAt time.Time
}

// Order statuses.
const (
	OrderPaid = "paid"
)

// Order is a completed checkout. Personal fields are blanked when a shopper
// deletes their account; the order itself stays for accounting.
type Order struct {
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
	PaymentRef     string // the payment provider's reference
	Arm            string `gorm:"size:24"` // the buyer's experiment arm or control group (Event.Arm)
	Items          []OrderItem
	CreatedAt      time.Time `gorm:"index"`
}

// OrderItem is a line of an order with the price paid.
type OrderItem struct {
	ID         uint `gorm:"primaryKey"`
	OrderID    uint `gorm:"index;not null"`
	ProductID  uint `gorm:"index;not null"`
	Title      string
	PriceCents int64 `gorm:"not null"`
	Quantity   int   `gorm:"not null"`
}

// Page is a layout-managed page: the homepage (key "home") or a campaign
// landing page (key "l/<slug>", see CampaignKey). DraftRevision increases
// on every draft change so concurrent editors can detect each other.
type Page struct {
	ID                 uint   `gorm:"primaryKey"`
	Key                string `gorm:"uniqueIndex;not null"`
	DraftRevision      int    `gorm:"not null;default:1"`
	PublishedVersionID *uint
	// A campaign page's name and live window (nil: open on that side);
	// outside the window shoppers are told the campaign is over.
	Title    string
	StartsAt *time.Time
	EndsAt   *time.Time
}

// Slot types: the recommender's slot kinds (see recommender.SlotKinds),
// which also say which strategies a slot of each type may use.
const (
	SlotHero           = string(recommender.KindHero)
	SlotRecommended    = string(recommender.KindRecommended)
	SlotBecauseViewed  = string(recommender.KindBecauseViewed)
	SlotTrending       = string(recommender.KindTrending)
	SlotNewArrivals    = string(recommender.KindNewArrivals)
	SlotCategory       = string(recommender.KindCategory)
	SlotCollection     = string(recommender.KindCollection)
	SlotRecentlyViewed = string(recommender.KindRecentlyViewed)
	SlotPopular        = string(recommender.KindPopular)
	SlotBanner         = string(recommender.KindBanner)
)

// Slot is one row of the draft layout of a page.
type Slot struct {
	ID       uint   `gorm:"primaryKey"`
	PageID   uint   `gorm:"index;not null"`
	Position int    `gorm:"not null"`
	Type     string `gorm:"not null"`
	Title    string
	Subtitle string
	Strategy string // "" (the type's own rule) or a strategy the type allows
	Size     int
	Category string // category slug for category rows / filters
	Brands   string // comma-separated brand filter
	MinPrice int64
	MaxPrice int64
	Pins     string // comma-separated product external ids
	Excludes string
	Boosts   string // comma-separated external ids given a boost
	Audience string // a recommender audience; affinity:<category slug>
	StartsAt *time.Time
	EndsAt   *time.Time
	Locked   bool
	// VisitFirst lets the row of what a shopping visitor is looking at
	// come before this locked slot during their visit (see
	// recommender.SlotSpec.VisitFirst).
	VisitFirst bool `gorm:"not null;default:false"`
	Enabled    bool `gorm:"not null;default:true"`
	Link       string
	// Creatives are a banner's alternatives (see Creative); stored with
	// the slot, so drafts, versions and rollbacks carry them.
	Creatives []Creative `gorm:"type:text;serializer:json"`
	UpdatedAt time.Time
}

// Creative is one alternative of a banner slot: what it says and shows,
// where it leads, and the category it targets (a slug, "" for none). ID
// names it in events for the life of the slot.
type Creative struct {
	ID       int
	Title    string
	Text     string `json:",omitempty"`
	Image    string `json:",omitempty"` // a site path (an upload) or an https URL the pages' CSP allows
	Link     string
	Category string `json:",omitempty"`
}

// LayoutVersion is a published snapshot of a page's slots (JSON).
type LayoutVersion struct {
	ID        uint   `gorm:"primaryKey"`
	PageID    uint   `gorm:"index;not null"`
	Number    int    `gorm:"not null"`
	Snapshot  string `gorm:"not null"`
	Summary   string
	Author    string
	CreatedAt time.Time
}

// AuditLog records every admin change.
type AuditLog struct {
	ID        uint   `gorm:"primaryKey"`
	Actor     string `gorm:"index"`
	Action    string
	Target    string
	Detail    string
	CreatedAt time.Time `gorm:"index"`
}

// ModelArtifact is a trained recommender model stored so a restart serves
// at once and a rollback is possible.
type ModelArtifact struct {
	ID        uint `gorm:"primaryKey"`
	Blob      []byte
	Stats     string // JSON summary of sizes and timings
	Metrics   string // JSON evaluation figures, when measured
	Events    int
	TrainedAt time.Time `gorm:"index"`
}

// ModelArtifactPart is one piece of a stored model too large for one blob
// (SQLite and PostgreSQL refuse a value over 1 GB): the artifact's Blob is
// then empty and its parts, in Seq order, are the model.
type ModelArtifactPart struct {
	ArtifactID uint `gorm:"primaryKey;autoIncrement:false"`
	Seq        int  `gorm:"primaryKey;autoIncrement:false"`
	Data       []byte
}

// APIKey authorises external trackers and API clients. Only a hash of the
// secret is stored.
type APIKey struct {
	ID        uint   `gorm:"primaryKey"`
	Name      string `gorm:"not null"`
	Prefix    string `gorm:"index;not null"`
	Hash      string `gorm:"uniqueIndex;not null"`
	Scope     string `gorm:"not null"` // events | recommendations | all
	CreatedAt time.Time
	RevokedAt *time.Time
}

// Setting is a small key/value store for operator settings.
type Setting struct {
	Key   string `gorm:"primaryKey"`
	Value string
}
