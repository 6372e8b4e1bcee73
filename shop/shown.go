package shop

import (
	"maps"
	"sync/atomic"

	"storefront/models"
)

// A page cached for every viewer (a product page, a listing) shows a few
// products of the catalog. An order changes the stock of the products it
// holds, and dropping every cached page for it left the caches of a busy
// shop mostly cold. So snapshots come in runs: a full build starts one (an
// epoch), and a change that cannot add a product to a page that did not
// show it — a sale, a price, a title, a picture, a product selling out —
// continues the run, recording which products (and their groups and
// categories) changed at which step. A page built from one snapshot of a
// run is still right on a later one unless something it shows changed.
// Anything else (a product added, restocked, moved, regrouped or
// reactivated, a category edited, the popularity that orders fallback
// rows) starts a new run, and every cached page is built afresh.

// epochs numbers the runs of snapshots.
var epochs atomic.Uint64

// maxChanged bounds the products a run records; past it the next change
// starts a new run.
const maxChanged = 4096

// changeLog is the changes since a run's full build: the step at which
// each product and group last changed, each category (a product's and the
// ones above it) last changed in what its listing shows, and the last
// step that changed a product in more than its stock. Replaced, never
// edited in place.
type changeLog struct {
	step     uint64
	products map[uint]uint64
	groups   map[string]uint64
	cats     map[uint]uint64
	// other is the last step at which a product changed in more than its
	// stock (a price, a sale, a title, a picture): a page that picks its
	// products by what they are (a homepage row's price range) may then
	// show another product.
	other uint64
	// cards and cardGroups are the steps at which a product (a group's
	// product) last changed in what its card shows: anything but its
	// stock, or selling out. An order that leaves a product in stock
	// changes none of the cards showing it, nor (cats) the listings
	// holding it.
	cards      map[uint]uint64
	cardGroups map[string]uint64
}

// with returns the log with these products changed at the next step
// (c holds them as they were).
func (l *changeLog) with(c *Catalog, changed []*models.Product) *changeLog {
	n := &changeLog{step: l.step + 1, products: maps.Clone(l.products), groups: maps.Clone(l.groups), cats: maps.Clone(l.cats), other: l.other,
		cards: maps.Clone(l.cards), cardGroups: maps.Clone(l.cardGroups)}
	if n.products == nil {
		n.products, n.groups, n.cats = map[uint]uint64{}, map[string]uint64{}, map[uint]uint64{}
	}
	if n.cards == nil {
		n.cards, n.cardGroups = map[uint]uint64{}, map[string]uint64{}
	}
	for _, p := range changed {
		old, ok := c.byID[p.ID]
		if !ok || !stockOnly(old, p) {
			n.other = n.step
		}
		if !ok || !stockOnly(old, p) || old.InStock() != p.InStock() {
			n.cards[p.ID] = n.step
			if p.GroupID != "" {
				n.cardGroups[p.GroupID] = n.step
			}
			// A listing's cards, counts and order (sold-out last) follow
			// whether its products are in stock, not how many are left.
			for cat := c.byCatID[p.CategoryID]; cat != nil; cat = cat.Parent {
				n.cats[cat.ID] = n.step
			}
		}
		n.products[p.ID] = n.step
		if p.GroupID != "" {
			n.groups[p.GroupID] = n.step
		}
	}
	return n
}

// Shown is what a cached page shows of a catalog snapshot: the products
// (and their groups) and the listings (categories) it holds, or, for a
// page that may hold any product (search results), everything. Once
// recorded it may be checked from several requests at once.
type Shown struct {
	epoch      uint64
	step       atomic.Uint64 // the latest snapshot step the page is known right on
	products   []uint
	groups     []string
	cards      []uint   // products shown as a card only (Card)
	cardGroups []string // their groups
	cats       []uint
	everything bool
	picks      bool
}

// Shows starts a page's record of what it shows of this snapshot.
func (c *Catalog) Shows() *Shown {
	s := &Shown{epoch: c.epoch}
	s.step.Store(c.changes.step)
	return s
}

// Product records a product the page shows, and its group (whose other
// products name and price its card and its option rows).
func (s *Shown) Product(p *models.Product) *Shown {
	s.products = append(s.products, p.ID)
	if p.GroupID != "" {
		s.groups = append(s.groups, p.GroupID)
	}
	return s
}

// Card records a product the page shows as a card alone (a product page's
// rows): its name, price, picture and whether it is in stock, not how
// many are left. An order that leaves it in stock keeps the page; a
// sell-out or any other change of it, or of its group's products, drops it.
func (s *Shown) Card(p *models.Product) *Shown {
	s.cards = append(s.cards, p.ID)
	if p.GroupID != "" {
		s.cardGroups = append(s.cardGroups, p.GroupID)
	}
	return s
}

// Listing records a listing of a category and everything below it: its
// cards, counts and order say whether its products are in stock, not how
// many are left, so an order that leaves them in stock keeps it; a
// sell-out or any other change of a product in it drops it.
func (s *Shown) Listing(cat uint) *Shown {
	s.cats = append(s.cats, cat)
	return s
}

// Everything records that the page may show any product.
func (s *Shown) Everything() *Shown {
	s.everything = true
	return s
}

// Picks records that the page picks its products by what they are (a
// homepage row's price range or brands, a sale): a product's stock
// changing (selling out included) changes only the pages showing it, any
// other change may put it on this page.
func (s *Shown) Picks() *Shown {
	s.picks = true
	return s
}

// Size is the memory the record holds.
func (s *Shown) Size() int {
	n := 64 + 8*(len(s.products)+len(s.cards)+len(s.cats))
	for _, g := range s.groups {
		n += len(g) + 16
	}
	for _, g := range s.cardGroups {
		n += len(g) + 16
	}
	return n
}

// Still reports whether a page that showed s shows the same on snapshot c,
// and if so moves s on to c, so the next check is one comparison. Safe
// for concurrent use: a page right on a step is right on every step of
// its run before it too.
func (c *Catalog) Still(s *Shown) bool {
	if s.epoch != c.epoch {
		return false
	}
	l := c.changes
	step := s.step.Load()
	if step >= l.step {
		return true
	}
	if s.everything || s.picks && l.other > step {
		return false
	}
	for _, id := range s.products {
		if l.products[id] > step {
			return false
		}
	}
	for _, g := range s.groups {
		if l.groups[g] > step {
			return false
		}
	}
	for _, id := range s.cards {
		if l.cards[id] > step {
			return false
		}
	}
	for _, g := range s.cardGroups {
		if l.cardGroups[g] > step {
			return false
		}
	}
	for _, id := range s.cats {
		if l.cats[id] > step {
			return false
		}
	}
	s.step.Store(l.step)
	return true
}

// continues reports whether a snapshot holding fresh in place of the
// products of c continues c's run: fresh changes nothing that could put
// a product on a page that did not show it.
func (c *Catalog) continues(fresh *models.Product) bool {
	old, ok := c.byID[fresh.ID]
	if !ok {
		return false
	}
	return old.ExternalID == fresh.ExternalID && old.CategoryID == fresh.CategoryID && old.GroupID == fresh.GroupID && old.Visibility == fresh.Visibility &&
		old.Active == fresh.Active && old.Popularity == fresh.Popularity && old.CreatedAt.Equal(fresh.CreatedAt) &&
		(old.InStock() || !fresh.InStock())
}

// stockOnly reports whether b differs from a in its stock alone, which
// listings read as they list (a patched snapshot's listing orders and
// facets are those of the last full build).
func stockOnly(a, b *models.Product) bool {
	x := *b
	x.Stock, x.UpdatedAt, x.Category = a.Stock, a.UpdatedAt, a.Category
	return sameProduct(a, &x)
}

// sameProduct reports whether two versions of a product show the same.
func sameProduct(a, b *models.Product) bool {
	return a.ID == b.ID && a.ExternalID == b.ExternalID && a.Slug == b.Slug && a.Title == b.Title &&
		a.Description == b.Description && a.Brand == b.Brand && a.CategoryID == b.CategoryID &&
		a.PriceCents == b.PriceCents && a.CompareAtCents == b.CompareAtCents && a.Stock == b.Stock &&
		a.ImageURL == b.ImageURL && a.GroupID == b.GroupID && a.Visibility == b.Visibility && a.Active == b.Active &&
		a.Popularity == b.Popularity && a.CreatedAt.Equal(b.CreatedAt) && a.UpdatedAt.Equal(b.UpdatedAt)
}

// sameCategory reports whether two versions of a category show the same.
func sameCategory(x, y *models.Category) bool {
	return x.ID == y.ID && x.Slug == y.Slug && x.Name == y.Name && x.Position == y.Position &&
		(x.ParentID == nil) == (y.ParentID == nil) && (x.ParentID == nil || *x.ParentID == *y.ParentID)
}

// sameCategories reports whether two snapshots hold the same categories.
func sameCategories(a, b *Catalog) bool {
	if len(a.byCatID) != len(b.byCatID) {
		return false
	}
	for id, x := range a.byCatID {
		y, ok := b.byCatID[id]
		if !ok || !sameCategory(&x.Category, &y.Category) {
			return false
		}
	}
	return true
}

// shows reports whether the snapshot shows these categories and products
// as they are: a full build from them would show nothing else.
func (c *Catalog) shows(cats []models.Category, products []models.Product) bool {
	if c.approx || len(cats) != len(c.byCatID) || len(products) != len(c.byID) {
		return false
	}
	for i := range cats {
		n, ok := c.byCatID[cats[i].ID]
		if !ok || !sameCategory(&n.Category, &cats[i]) {
			return false
		}
	}
	for i := range products {
		p, ok := c.byID[products[i].ID]
		if !ok || !sameProduct(p, &products[i]) {
			return false
		}
	}
	return true
}

// follow makes a freshly built snapshot c continue the run of cur when
// what changed between them allows it (another instance's order, an edit
// the reload reads). same says c shows nothing cur does not (the reload
// that follows an order reads back what the order's patch holds).
func (c *Catalog) follow(cur *Catalog) (same bool) {
	if cur == nil || cur.approx || len(c.byID) != len(cur.byID) || !sameCategories(c, cur) {
		return false
	}
	var changed []*models.Product
	for i := range c.products {
		p := &c.products[i]
		old, ok := cur.byID[p.ID]
		if !ok {
			return false
		}
		if sameProduct(old, p) {
			continue
		}
		if !cur.continues(p) || len(cur.changes.products)+len(changed) >= maxChanged {
			return false
		}
		changed = append(changed, p)
	}
	c.epoch, c.changes = cur.epoch, cur.changes
	if len(changed) > 0 {
		c.changes = cur.changes.with(cur, changed) // cur holds them as they were
	}
	return len(changed) == 0
}
