package shop

import (
	"sync"

	"storefront/recommender"
)

// launchCache holds the content links of the products created since the
// model was trained (recommender.Launches), computed once per catalog
// snapshot and model, so "new for you" rows reach shoppers whose history
// is like a launch without retraining; and the products whose category,
// brand or price changed since (recommender.Request.Edited), so rows that
// filter by them follow a catalog edit at once.
type launchCache struct {
	mu       sync.Mutex
	model    *recommender.Model
	catalog  *Catalog
	launches *recommender.Launches
	edited   *recommender.ItemSet
}

// Launches returns the launches of the current catalog for model m.
func (s *Shop) Launches(m *recommender.Model) *recommender.Launches {
	l, _ := s.sinceTraining(m)
	return l
}

// Edited returns the products of model m whose category, brand or price
// the current catalog changed since training.
func (s *Shop) Edited(m *recommender.Model) *recommender.ItemSet {
	_, e := s.sinceTraining(m)
	return e
}

func (s *Shop) sinceTraining(m *recommender.Model) (*recommender.Launches, *recommender.ItemSet) {
	cat := s.catalog.Load()
	if m == nil || cat == nil {
		return nil, nil
	}
	c := &s.launches
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.model == m && c.catalog == cat {
		return c.launches, c.edited
	}
	var items []recommender.Item
	var edited []string
	for i := range cat.products {
		p := &cat.products[i]
		if now, ok := cat.byExt[p.ExternalID]; ok {
			p = now // a ProductsChanged patch replaces products in byExt only
		}
		was, known := m.Item(p.ExternalID)
		switch {
		case !known && p.Active:
			items = append(items, recItem(cat, p))
		case known && (p.PriceCents != was.PriceCents || p.Brand != was.Brand || !samePath(cat, cat.CategoryOf(p), was.CategoryPath)):
			edited = append(edited, p.ExternalID)
		}
	}
	c.model, c.catalog, c.launches, c.edited = m, cat, m.Launches(items), m.ItemSet(edited)
	return c.launches, c.edited
}

// forget drops what the cache computed, and the model it computed it for:
// a model swapped out is not kept alive until the next page asks.
func (c *launchCache) forget() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.model, c.catalog, c.launches, c.edited = nil, nil, nil, nil
}

// samePath reports whether category n is the one named by path, root first
// (recItem's CategoryPath).
func samePath(cat *Catalog, n *CatNode, path []string) bool {
	k := len(path)
	for ; n != nil; n = n.Parent {
		// A model trained before two categories shared a name knows
		// them by their names.
		if k == 0 || path[k-1] != cat.RecName(n) && path[k-1] != n.Name {
			return false
		}
		k--
	}
	return k == 0
}
