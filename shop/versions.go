package shop

import (
	"cmp"
	"context"
	"maps"
	"slices"
	"sync"

	"storefront/models"
	"storefront/recommender"
)

// Versions names everything a page composed from the shop's shared state
// depends on: the published layout, the catalog snapshot and the serving
// model. A cache keyed by it is right until one of them changes, whichever
// instance or path changed it: each is replaced, never edited in place.
type Versions struct {
	Layout  uint64             // bumped when the published layout differs
	Catalog *Catalog           // replaced on every catalog change or reload
	Model   *recommender.Model // replaced on every retrain or reload
}

// Versions returns the current versions.
func (s *Shop) Versions() Versions {
	return Versions{Layout: s.layout.gen.Load(), Catalog: s.catalog.Load(), Model: s.model.Load()}
}

// ProductsChanged makes a change to these products (stock after an order,
// an edit) visible at once: the snapshot is replaced by a copy holding the
// products as they are now in the database, so the next page (and every
// cache keyed by Versions) sees them. A refresh follows shortly: when only
// stock changed it reads the products changed since (followStock), else
// the whole catalog.
func (s *Shop) ProductsChanged(ctx context.Context, ids ...uint) error {
	defer s.refreshSoon()
	if len(ids) == 0 {
		return nil
	}
	fresh, err := s.db.ProductsByIDs(ctx, ids)
	if err != nil {
		return err
	}
	s.patchMu.Lock()
	defer s.patchMu.Unlock()
	cur := s.catalog.Load()
	if cur == nil {
		return nil
	}
	s.catalog.Store(cur.withProducts(fresh))
	return nil
}

// withProducts returns a copy of the snapshot with these products replaced:
// the lists of products in stock drop the ones no longer in stock and take
// back, in their places, the ones back in stock (a restock saved in the
// admin, an import), as a full build would list them.
func (c *Catalog) withProducts(fresh []models.Product) *Catalog {
	cp := *c
	cp.serial = serials.Add(1)
	cp.byID, cp.byExt = maps.Clone(c.byID), maps.Clone(c.byExt)
	cp.normal = sync.OnceValue(func() map[string]string { return normalIDs(cp.byExt) })
	retitled := false // a title, brand or group changed: the twins are found again
	gone := map[uint]bool{}
	var back []*models.Product
	regrouped, relisted := false, false
	// A change that cannot put a product on a page that did not show it
	// continues the run (see Shown); any other starts a new one.
	var changed []*models.Product
	continues := len(c.changes.products)+len(fresh) < maxChanged
	for i := range fresh {
		p := &fresh[i]
		old, ok := c.byID[p.ID]
		if !ok || !sameProduct(old, p) {
			changed = append(changed, p)
			continues = continues && c.continues(p)
			cp.approx = cp.approx || !ok || !stockOnly(old, p)
		}
		retitled = retitled || !ok || old.Title != p.Title || old.Brand != p.Brand || old.GroupID != p.GroupID
		if p.GroupID != "" && (!ok || old.GroupID != p.GroupID) {
			if !regrouped {
				cp.groups, regrouped = maps.Clone(c.groups), true
			}
			if !slices.Contains(cp.groups[p.GroupID], p.ID) {
				cp.groups[p.GroupID] = append(slices.Clone(cp.groups[p.GroupID]), p.ID)
			}
		}
		if ok && p.CategoryID == old.CategoryID {
			p.Category = old.Category
		}
		relisted = relisted || !ok || listable(old) != listable(p) || old.CategoryID != p.CategoryID
		if ok && !old.InStock() && p.InStock() {
			back = append(back, p)
		}
		cp.byID[p.ID], cp.byExt[p.ExternalID] = p, p
		if !p.InStock() {
			gone[p.ID] = true
		}
		if p.UpdatedAt.After(cp.changedAt) {
			cp.changedAt = p.UpdatedAt
		}
	}
	drop := func(ids []uint) []uint {
		return slices.DeleteFunc(slices.Clone(ids), func(id uint) bool { return gone[id] })
	}
	if relisted {
		// A product put on or off sale, moved, or made visible elsewhere
		// may change which departments a shopper can browse; when it does
		// every page's header changes, and a new run starts.
		// The listings are built afresh from the products as they are
		// now, in the catalog's order: the index patched below only
		// points at new copies of the products it lists, and a product
		// back on sale would be in the header's department but not in its
		// listing.
		all := make([]models.Product, 0, len(cp.byID))
		seen := make(map[uint]bool, len(c.products))
		for i := range c.products {
			if p, ok := cp.byID[c.products[i].ID]; ok {
				all = append(all, *p)
				seen[p.ID] = true
			}
		}
		for i := range fresh {
			if !seen[fresh[i].ID] {
				all = append(all, fresh[i])
				seen[fresh[i].ID] = true
			}
		}
		cp.products = all
		cp.listed = listedCategories(cp.byCatID, all)
		if !maps.Equal(cp.listed, c.listed) {
			continues = false
		}
	}
	if retitled {
		cp.twins = sync.OnceValue(func() map[string]string { return twinKeys(cp.byExt) })
		cp.variants = sync.OnceValue(cp.variantLabels)
	}
	cp.Popular, cp.Newest = drop(c.Popular), drop(c.Newest)
	for _, p := range back {
		cp.Popular = insertListed(cp.Popular, p, cp.byID, byPopularity)
		cp.Newest = insertListed(cp.Newest, p, cp.byID, byNewest)
	}
	switch {
	case !continues:
		cp.epoch, cp.changes = epochs.Add(1), &changeLog{}
	case len(changed) > 0:
		cp.changes = c.changes.with(c, changed)
	}
	if list := c.list; relisted {
		cp.list = sync.OnceValue(func() *listIndex { return buildListIndex(&cp) })
	} else if list != nil {
		cp.list = sync.OnceValue(func() *listIndex { return list().withProducts(fresh) })
	}
	return &cp
}

// insertListed puts p into ids, a list of products in stock ordered by
// order and then by id as BuildCatalog orders them, at its place; a
// product the list holds already stays where it is.
func insertListed(ids []uint, p *models.Product, byID map[uint]*models.Product, order func(a, b *models.Product) int) []uint {
	if slices.Contains(ids, p.ID) {
		return ids
	}
	at, _ := slices.BinarySearchFunc(ids, p, func(id uint, p *models.Product) int {
		q, ok := byID[id]
		if !ok {
			return -1
		}
		if c := order(q, p); c != 0 {
			return c
		}
		return cmp.Compare(q.ID, p.ID)
	})
	return slices.Insert(ids, at, p.ID)
}
