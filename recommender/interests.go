package recommender

import (
	"cmp"
	"slices"
	"time"
)

// Interests are what the shop infers a shopper likes from their history,
// each with the events that show it, so a shopper can see why and correct
// it. They weigh events the way training does (a purchase counts more than
// a view).

// Touch is one event of a shopper on an item.
type Touch struct {
	Item Item
	Type EventType
	Time time.Time
}

// Interest is a category or brand the shopper seems to like.
type Interest struct {
	Name     string
	Share    float64 // of the history's weight, in (0, 1]
	Evidence []Touch // the strongest event per item, newest first
}

// PriceBand is the price range most of the shopper's items fall in.
type PriceBand struct {
	LowCents, HighCents int64
	Items               int // distinct items it was measured on
}

// ShopperInterests is everything inferred.
type ShopperInterests struct {
	Categories []Interest
	Brands     []Interest
	Price      PriceBand
}

// Thresholds for naming an interest: a category needs a fair share of the
// history; a brand, besides its share, at least two items or a purchase.
const (
	minCategoryShare = 0.08
	minBrandShare    = 0.15
	maxInterests     = 6
	maxEvidence      = 4
	minPriceItems    = 3
)

// InferInterests derives categories, brands and a price band from a
// shopper's history (any order).
func InferInterests(history []Touch) ShopperInterests {
	weights := DefaultConfig().TypeWeights
	// The strongest event per item is its evidence; its weight counts once
	// per event, like the interaction matrix sums repeated events.
	type itemAgg struct {
		best   Touch
		weight float64
	}
	items := map[string]*itemAgg{}
	var total float64
	for _, t := range history {
		if t.Type >= numEventTypes || weights[t.Type] <= 0 || t.Item.ID == "" {
			continue
		}
		w := weights[t.Type]
		total += w
		a := items[t.Item.ID]
		if a == nil {
			a = &itemAgg{best: t}
			items[t.Item.ID] = a
		}
		a.weight += w
		if t.Type > a.best.Type || t.Type == a.best.Type && t.Time.After(a.best.Time) {
			a.best = t
		}
	}
	var out ShopperInterests
	if total == 0 {
		return out
	}
	group := func(key func(Item) string, minShare float64, brand bool) []Interest {
		type acc struct {
			weight float64
			ev     []Touch
			bought bool
		}
		by := map[string]*acc{}
		for _, a := range items {
			k := key(a.best.Item)
			if k == "" {
				continue
			}
			g := by[k]
			if g == nil {
				g = &acc{}
				by[k] = g
			}
			g.weight += a.weight
			g.ev = append(g.ev, a.best)
			g.bought = g.bought || a.best.Type == Purchase
		}
		var res []Interest
		for name, g := range by {
			share := g.weight / total
			if share < minShare || brand && len(g.ev) < 2 && !g.bought {
				continue
			}
			slices.SortFunc(g.ev, func(a, b Touch) int {
				if c := b.Time.Compare(a.Time); c != 0 {
					return c
				}
				return cmp.Compare(a.Item.ID, b.Item.ID)
			})
			res = append(res, Interest{Name: name, Share: share, Evidence: g.ev[:min(len(g.ev), maxEvidence)]})
		}
		slices.SortFunc(res, func(a, b Interest) int {
			if c := cmp.Compare(b.Share, a.Share); c != 0 {
				return c
			}
			return cmp.Compare(a.Name, b.Name)
		})
		return res[:min(len(res), maxInterests)]
	}
	out.Categories = group(func(it Item) string { return it.Category }, minCategoryShare, false)
	out.Brands = group(func(it Item) string { return it.Brand }, minBrandShare, true)
	prices := make([]weightedPrice, 0, len(items))
	for _, a := range items {
		if c := a.best.Item.PriceCents; c > 0 {
			prices = append(prices, weightedPrice{c, a.weight})
		}
	}
	out.Price = priceBand(prices)
	return out
}

type weightedPrice struct {
	cents  int64
	weight float64
}

// priceBand is the weighted 20th to 80th percentile of the item prices:
// where most of what the shopper looks at and buys sits.
func priceBand(prices []weightedPrice) PriceBand {
	if len(prices) < minPriceItems {
		return PriceBand{Items: len(prices)}
	}
	slices.SortFunc(prices, func(a, b weightedPrice) int { return cmp.Compare(a.cents, b.cents) })
	var total float64
	for _, p := range prices {
		total += p.weight
	}
	at := func(q float64) int64 {
		var run float64
		for _, p := range prices {
			run += p.weight
			if run >= q*total {
				return p.cents
			}
		}
		return prices[len(prices)-1].cents
	}
	return PriceBand{LowCents: at(0.2), HighCents: at(0.8), Items: len(prices)}
}
