package shop

import (
	"sync"

	"storefront/recommender"
)

// launchCache holds the content links of the products created since the
// model was trained (recommender.Launches), computed once per catalog
// snapshot and model, so "new for you" rows reach shoppers whose history
// is like a launch without retraining.
type launchCache struct {
	mu       sync.Mutex
	model    *recommender.Model
	catalog  *Catalog
	launches *recommender.Launches
}

// Launches returns the launches of the current catalog for model m.
func (s *Shop) Launches(m *recommender.Model) *recommender.Launches {
	cat := s.catalog.Load()
	if m == nil || cat == nil {
		return nil
	}
	c := &s.launches
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.model == m && c.catalog == cat {
		return c.launches
	}
	var items []recommender.Item
	for i := range cat.products {
		p := &cat.products[i]
		if _, known := m.Item(p.ExternalID); !known && p.Active {
			items = append(items, recItem(cat, p))
		}
	}
	c.model, c.catalog, c.launches = m, cat, m.Launches(items)
	return c.launches
}
