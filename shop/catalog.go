package shop

import (
	"cmp"
	"context"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"storefront/models"
)

// CatNode is a category with its place in the tree.
type CatNode struct {
	models.Category
	Parent      *CatNode
	Children    []*CatNode
	Descendants []uint // this category and every category below it
}

// Path returns the categories from the root down to c.
func (c *CatNode) Path() []*CatNode {
	var p []*CatNode
	for n := c; n != nil; n = n.Parent {
		p = append([]*CatNode{n}, p...)
	}
	return p
}

// Catalog is an immutable in-memory snapshot of categories and products,
// reloaded when the catalog changes. Pages read it instead of querying for
// every card; anything that must be exact (stock at checkout, the product
// page) still reads the database.
type Catalog struct {
	Roots   []*CatNode
	bySlug  map[string]*CatNode
	byCatID map[uint]*CatNode
	// recNames holds the categories the recommender knows by their path
	// (see RecName): those whose name another category shares.
	recNames map[uint]string
	products []models.Product
	byID     map[uint]*models.Product
	byExt    map[string]*models.Product
	groups   map[string][]uint // group_id → its products' ids, in the catalog's order
	// groupNames names the groups of two or more active products (see
	// groupNaming).
	groupNames map[string]string
	// list is the listing index (category and search pages), built in
	// the background once the snapshot is made: the first homepage of a
	// large shop does not wait for its sorts. Whoever lists first waits
	// for it.
	list    func() *listIndex
	Popular []uint // active, in stock, by popularity
	Newest  []uint // active, in stock, newest first
	Brands  []string
	// ImageOrigins are the origins ("https://img.example.com") of the
	// product images hosted elsewhere (an import's image_url), which the
	// pages' content security policy must allow.
	ImageOrigins []string
	Loaded       time.Time
	Version      string // models.CatalogVersion when it was loaded
	// epoch and changes place the snapshot in its run (see Shown).
	epoch   uint64
	changes *changeLog
	// serial numbers the snapshot (see Serial).
	serial uint64
	// approx says a patch changed more than stock: the listings' orders
	// and facets wait for the next full build.
	approx bool
	// changedAt is the latest change (updated_at) of its products.
	changedAt time.Time
	// normal maps the external ids not in Unicode normal form C by that
	// form (FindProduct), made at the first need.
	normal func() map[string]string
	// twins maps each product outside any group that shares its title and
	// brand with another such product to their one card key (see
	// twinKeys); built on first use.
	twins func() map[string]string
	// variants maps each product of a group of two or more active
	// products to its variant (see Variants); built on first use.
	variants func() variantIndex
	// listed holds the categories whose listing shows a shopper something:
	// a product for sale (Active), not found by search only, in the
	// category or below (see Listed).
	listed map[uint]bool
}

// RefreshCatalog reloads the catalog, or with force unset only if it changed
// since it was loaded: rebuilding it costs a CPU spike worth skipping. The
// search index follows the new snapshot (only changed products are
// re-indexed); synonyms are re-read every time, as another instance of the
// shop may have changed them.
func (s *Shop) RefreshCatalog(ctx context.Context, force bool) error {
	if err := s.loadSynonyms(ctx); err != nil {
		return err
	}
	rebuilt, err := s.rebuildCatalog(ctx, force)
	if err == nil && rebuilt {
		s.syncSearch(s.catalog.Load())
	}
	return err
}

func (s *Shop) rebuildCatalog(ctx context.Context, force bool) (bool, error) {
	version, err := s.db.CatalogVersion(ctx)
	if err != nil {
		return false, err
	}
	cur := s.catalog.Load()
	if m := s.matched.Load(); !force && cur != nil && (cur.Version == version || m != nil && m.cat == cur && m.version == version) {
		return false, nil
	}
	if !force && cur != nil {
		if followed, err := s.followStock(ctx, cur, version); err != nil || followed {
			return false, err
		}
	}
	cats, err := s.db.Categories(ctx)
	if err != nil {
		return false, err
	}
	products, err := s.db.AllProducts(ctx)
	if err != nil {
		return false, err
	}
	// The snapshot in hand (patched after an order) may show the database
	// already: kept, with the pages cached from it, nothing to build or
	// re-index.
	s.patchMu.Lock()
	cur = s.catalog.Load()
	same := cur != nil && cur.shows(cats, products)
	if same {
		s.matched.Store(&matchedVersion{cat: cur, version: version})
	}
	s.patchMu.Unlock()
	if same {
		return false, nil
	}
	c := BuildCatalog(cats, products)
	c.Version = version
	s.patchMu.Lock()
	defer s.patchMu.Unlock()
	if cur := s.catalog.Load(); c.follow(cur) {
		s.matched.Store(&matchedVersion{cat: cur, version: version})
		return false, nil
	}
	s.catalog.Store(c)
	return true, nil
}

// maxFollowed bounds the changed products a snapshot follows the database
// with (followStock); more are read with the rest in a full build.
const maxFollowed = 256

// followedSlack is how far before the snapshot's latest change followStock
// reads the changes from: a change stamped a moment earlier on another
// instance's clock, or committed after one stamped later, is read too (the
// products read again that the snapshot already shows change nothing).
const followedSlack = 2 * time.Second

// followStock brings snapshot cur up to database version when the only
// changes since it are stock (orders here or on another instance, a
// restock saved on another instance): it reads the products updated since
// cur's latest change, not the whole catalog (after every order that was a
// read of every product, ~10 MB of garbage on the small demo world), and
// patches them in as an order's patch does, a product back in stock taking
// its place in the lists of products in stock again. It reports whether it
// did; anything else changed (a product added or removed, a category, a
// field other than stock), or more than maxFollowed products, is left to
// the full build.
func (s *Shop) followStock(ctx context.Context, cur *Catalog, version string) (bool, error) {
	n, ncats, ok := models.CatalogVersionCounts(version)
	if !ok || cur.approx || cur.changedAt.IsZero() || n != len(cur.byID) || ncats != len(cur.byCatID) {
		return false, nil
	}
	fresh, more, err := s.db.ProductsUpdatedSince(ctx, cur.changedAt.Add(-followedSlack), maxFollowed)
	if err != nil || more {
		return false, err
	}
	s.patchMu.Lock()
	defer s.patchMu.Unlock()
	base := s.catalog.Load() // an order's patch may have come meanwhile
	if base.approx || len(base.byID) != len(cur.byID) {
		return false, nil
	}
	var changed []models.Product
	for i := range fresh {
		p := &fresh[i]
		old, ok := base.byID[p.ID]
		if !ok || !stockOnly(old, p) {
			return false, nil
		}
		if !sameProduct(old, p) {
			changed = append(changed, *p)
		}
	}
	if len(changed) == 0 {
		s.matched.Store(&matchedVersion{cat: base, version: version})
		return true, nil
	}
	next := base.withProducts(changed)
	next.Version = version
	s.catalog.Store(next)
	return true, nil
}

// matchedVersion is a database version (models.CatalogVersion) a snapshot
// was found to show without being built from it.
type matchedVersion struct {
	cat     *Catalog
	version string
}

// BuildCatalog builds a snapshot from the categories and products.
func BuildCatalog(cats []models.Category, products []models.Product) *Catalog {
	c := &Catalog{bySlug: map[string]*CatNode{}, byCatID: map[uint]*CatNode{},
		byID: make(map[uint]*models.Product, len(products)), byExt: make(map[string]*models.Product, len(products)),
		groups: map[string][]uint{}, products: products, Loaded: time.Now(), epoch: epochs.Add(1), changes: &changeLog{},
		serial: serials.Add(1)}
	for _, cat := range cats {
		n := &CatNode{Category: cat}
		c.byCatID[cat.ID] = n
		c.bySlug[cat.Slug] = n
	}
	for _, cat := range cats {
		n := c.byCatID[cat.ID]
		if cat.ParentID != nil {
			if p, ok := c.byCatID[*cat.ParentID]; ok {
				n.Parent = p
				p.Children = append(p.Children, n)
				continue
			}
		}
		c.Roots = append(c.Roots, n)
	}
	var fill func(n *CatNode) []uint
	fill = func(n *CatNode) []uint {
		n.Descendants = []uint{n.ID}
		for _, ch := range n.Children {
			n.Descendants = append(n.Descendants, fill(ch)...)
		}
		return n.Descendants
	}
	for _, r := range c.Roots {
		fill(r)
	}
	c.recNames = recNames(c.byCatID)
	brands := map[string]bool{}
	origins := map[string]bool{} // ImageOrigins as a set
	var inStock []int32          // indexes into products
	for i := range products {
		p := &products[i]
		c.byID[p.ID] = p
		c.byExt[p.ExternalID] = p
		if p.UpdatedAt.After(c.changedAt) {
			c.changedAt = p.UpdatedAt
		}
		if p.GroupID != "" {
			c.groups[p.GroupID] = append(c.groups[p.GroupID], p.ID)
		}
		if p.InStock() {
			inStock = append(inStock, int32(i))
		}
		brands[p.Brand] = true
		if o := imageOrigin(p.ImageURL); o != "" && !origins[o] {
			origins[o] = true
			c.ImageOrigins = append(c.ImageOrigins, o)
		}
	}
	sort.Strings(c.ImageOrigins)
	c.listed = listedCategories(c.byCatID, products)
	c.groupNames = groupNames(products, c.groups, c.byID)
	// Ties keep the products' order (an unstable sort with the index as
	// the last key: a stable sort costs seconds on a large catalog).
	ordered := func(cmpOf func(a, b *models.Product) int) []uint {
		o := slices.Clone(inStock)
		slices.SortFunc(o, func(a, b int32) int {
			if c := cmpOf(&products[a], &products[b]); c != 0 {
				return c
			}
			return cmp.Compare(a, b)
		})
		ids := make([]uint, len(o))
		for k, i := range o {
			ids[k] = products[i].ID
		}
		return ids
	}
	c.Popular, c.Newest = ordered(byPopularity), ordered(byNewest)
	for b := range brands {
		c.Brands = append(c.Brands, b)
	}
	sort.Strings(c.Brands)
	c.list = sync.OnceValue(func() *listIndex { return buildListIndex(c) })
	c.normal = sync.OnceValue(func() map[string]string { return normalIDs(c.byExt) })
	c.twins = sync.OnceValue(func() map[string]string { return twinKeys(c.byExt) })
	c.variants = sync.OnceValue(c.variantLabels)
	go c.list()
	return c
}

// listable reports whether a category listing shows the product: it is
// for sale and not found by search only (models.Product.InListings).
func listable(p *models.Product) bool {
	return p.Active && p.InListings()
}

// listedCategories is the set of categories with a listable product in
// them or below.
func listedCategories(byCatID map[uint]*CatNode, products []models.Product) map[uint]bool {
	listed := map[uint]bool{}
	for i := range products {
		if !listable(&products[i]) {
			continue
		}
		for n := byCatID[products[i].CategoryID]; n != nil && !listed[n.ID]; n = n.Parent {
			listed[n.ID] = true
		}
	}
	return listed
}

// Listed reports whether the category's listing shows a shopper anything:
// a department whose products are all off sale, or found by search only,
// is left out of the header and its page is not found.
func (c *Catalog) Listed(n *CatNode) bool {
	return n != nil && c.listed[n.ID]
}

// SearchOnly is the set of categories that are not Listed although a
// product for sale is in them or below: their products are all found by
// search only (models.Product.InListings), so neither a listing nor a row
// shows them. Made on each call, for the slot form.
func (c *Catalog) SearchOnly() map[uint]bool {
	out := map[uint]bool{}
	for i := range c.products {
		p := &c.products[i]
		if !p.Active || p.InListings() {
			continue
		}
		for n := c.byCatID[p.CategoryID]; n != nil && !out[n.ID]; n = n.Parent {
			if !c.listed[n.ID] {
				out[n.ID] = true
			}
		}
	}
	return out
}

// Browsable are the top-level categories a shopper can browse (Listed),
// in the catalog's order: the header's departments.
func (c *Catalog) Browsable() []*CatNode {
	out := make([]*CatNode, 0, len(c.Roots))
	for _, r := range c.Roots {
		if c.Listed(r) {
			out = append(out, r)
		}
	}
	return out
}

// byPopularity and byNewest order the lists of products in stock (Popular,
// Newest): the most popular first, the latest made first.
func byPopularity(a, b *models.Product) int { return cmp.Compare(b.Popularity, a.Popularity) }
func byNewest(a, b *models.Product) int     { return b.CreatedAt.Compare(a.CreatedAt) }

// Run numbers the run of snapshots c is in (see Shown): a page kept from
// one snapshot of a run may still be right on a later one, never on
// another run's (0 for none).
func (c *Catalog) Run() uint64 {
	if c == nil {
		return 0
	}
	return c.epoch
}

// serials numbers the snapshots of the process.
var serials atomic.Uint64

// Serial is the snapshot's number, which no other snapshot of the process
// has (0 for none). A cached page keeps it to say which snapshot it was
// built from rather than a pointer: a page kept across orders would pin
// every snapshot it outlived, and each holds its products' maps, lists
// and often a full build of the products.
func (c *Catalog) Serial() uint64 {
	if c == nil {
		return 0
	}
	return c.serial
}

// Product returns a product by id from the snapshot.
func (c *Catalog) Product(id uint) (*models.Product, bool) {
	p, ok := c.byID[id]
	return p, ok
}

// ProductByExt returns a product by external id from the snapshot.
func (c *Catalog) ProductByExt(ext string) (*models.Product, bool) {
	p, ok := c.byExt[ext]
	return p, ok
}

// FindProduct is ProductByExt for an id from outside the shop (an event
// sent to the API): matched in Unicode normal form C, as customer ids are
// (models.NormalID), so "Crème-1" written with a combining accent names
// the product the catalog holds with one code point, and the other way
// round; a UUID in any letter case (models.ProductMatchID).
func (c *Catalog) FindProduct(ext string) (*models.Product, bool) {
	if p, ok := c.byExt[ext]; ok {
		return p, true
	}
	n := models.ProductMatchID(ext)
	if p, ok := c.byExt[n]; ok {
		return p, true
	}
	if held, ok := c.normal()[n]; ok {
		return c.ProductByExt(held)
	}
	return nil, false
}

// normalIDs maps the ids of byExt that are not in the form they are
// matched in (models.ProductMatchID) to their ids (of two in one form, the
// least).
func normalIDs(byExt map[string]*models.Product) map[string]string {
	out := map[string]string{}
	for ext := range byExt {
		if n := models.ProductMatchID(ext); n != ext {
			if held, dup := out[n]; !dup || ext < held {
				out[n] = ext
			}
		}
	}
	return out
}

// GroupOf is the product group of a product (models.Product.GroupID), ""
// for a product of its own or one the catalog does not hold.
func (c *Catalog) GroupOf(ext string) string {
	if p, ok := c.byExt[ext]; ok {
		return p.GroupID
	}
	return ""
}

// CardKeyOf is what two cards of one page must not share: a product's
// group (GroupOf) or, outside any group, its title and brand when another
// product has them too; "" for a product of its own. A marketplace's
// export lists one item once per seller, under its own id with the same
// title and brand: a row showed the item twice, two cards a shopper cannot
// tell apart. The product page of each listing still shows it.
func (c *Catalog) CardKeyOf(ext string) string {
	if g := c.GroupOf(ext); g != "" {
		return g
	}
	if c.twins == nil {
		return ""
	}
	return c.twins()[ext]
}

// Group returns the active products of a product group (the sizes or
// colours of one model), in the catalog's order; nil for "".
func (c *Catalog) Group(group string) []*models.Product {
	if group == "" {
		return nil
	}
	var out []*models.Product
	for _, id := range c.groups[group] {
		if p, ok := c.byID[id]; ok && p.Active && p.GroupID == group {
			out = append(out, p)
		}
	}
	return out
}

// CategoryBySlug returns a category node.
func (c *Catalog) CategoryBySlug(slug string) (*CatNode, bool) {
	n, ok := c.bySlug[slug]
	return n, ok
}

// CategoryOf returns the category node of a product.
func (c *Catalog) CategoryOf(p *models.Product) *CatNode { return c.byCatID[p.CategoryID] }

// CategoryByName finds a category by the name the recommender knows it by
// (RecName); failing that, by its display name (a model trained before two
// categories shared a name; the first match wins).
func (c *Catalog) CategoryByName(name string) (*CatNode, bool) {
	n, _ := c.categoryNamed(name)
	return n, n != nil
}

// categoryNamed is CategoryByName's category, nil when none, and whether
// it was found by a display name other categories share.
func (c *Catalog) categoryNamed(name string) (found *CatNode, shared bool) {
	for _, n := range c.byCatID {
		if c.RecName(n) == name {
			return n, false
		}
	}
	for _, n := range c.byCatID {
		if n.Name != name {
			continue
		}
		if found != nil {
			return found, true
		}
		found = n
	}
	return found, false
}

// CategoryLink is where a row of one of the recommender's categories
// leads: the category's page — or, when the name is one the recommender
// reads across several parents (a type its shoppers follow across brands:
// "Shoes" filed as "Bexley > Shoes" and "Corvin > Shoes"), a search for
// it, which lists them all, not one brand's picked at random; "" when no
// category has it.
func (c *Catalog) CategoryLink(name string) string {
	switch n, shared := c.categoryNamed(name); {
	case shared:
		return "/search?q=" + url.QueryEscape(name)
	case n == nil:
		return ""
	default:
		return "/c/" + n.Slug
	}
}

// RecName is the name the recommender knows category n by: its own name
// when no other category of the catalog has it (compared ignoring case, as
// rows match names), else its path from the root ("Women > Shoes" and "Men >
// Shoes"). The model's categories, the rows' filters, a shopper's hidden
// categories and the reasons name categories this way, so two categories of
// one name in different branches are never one taste, one row or one
// filter.
func (c *Catalog) RecName(n *CatNode) string {
	if s, ok := c.recNames[n.ID]; ok {
		return s
	}
	return n.Name
}

// recNames paths the categories whose name (ignoring case) another category
// has.
func recNames(byID map[uint]*CatNode) map[uint]string {
	count := make(map[string]int, len(byID))
	for _, n := range byID {
		count[strings.ToLower(n.Name)]++
	}
	out := map[uint]string{}
	for id, n := range byID {
		if count[strings.ToLower(n.Name)] < 2 {
			continue
		}
		names := make([]string, 0, 4)
		for _, a := range n.Path() {
			names = append(names, a.Name)
		}
		out[id] = strings.Join(names, " > ")
	}
	return out
}

// TopIn returns up to n products from ids (a ranking such as Popular), in
// that order, that sit under the category node (any category when nil) and
// that skip does not reject.
func (c *Catalog) TopIn(ids []uint, under *CatNode, n int, skip func(*models.Product) bool) []*models.Product {
	var in map[uint]bool
	if under != nil {
		in = make(map[uint]bool, len(under.Descendants))
		for _, id := range under.Descendants {
			in[id] = true
		}
	}
	var out []*models.Product
	for _, id := range ids {
		if len(out) == n {
			break
		}
		p, ok := c.byID[id]
		if !ok || (in != nil && !in[p.CategoryID]) || skip(p) {
			continue
		}
		out = append(out, p)
	}
	return out
}

// imageOrigin is scheme://host[:port] of an absolute http(s) image URL, or
// "" for a path on this site.
func imageOrigin(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	// It goes into a header: only host name characters.
	for _, r := range u.Host {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune(".-:[]", r)) {
			return ""
		}
	}
	return u.Scheme + "://" + u.Host
}
