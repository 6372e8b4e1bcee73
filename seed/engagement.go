package seed

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"storefront/models"
)

// slotCTR is the click-through rate the demo gives each kind of slot, so
// analytics and the homepage's slot ordering have history to show.
var slotCTR = map[string]float64{
	models.SlotRecommended:    0.062,
	models.SlotBecauseViewed:  0.054,
	models.SlotRecentlyViewed: 0.041,
	models.SlotCategory:       0.038,
	models.SlotTrending:       0.031,
	models.SlotPopular:        0.027,
	models.SlotNewArrivals:    0.022,
	models.SlotCollection:     0.018,
	models.SlotHero:           0.035,
}

// engagementDays is how many recent days get slot impressions and clicks.
const engagementDays = 14

// seedSlotEngagement records impressions, clicks and add-to-carts of the
// published homepage slots over the last days, deterministically.
func seedSlotEngagement(ctx context.Context, db *models.DB, opts Options, shoppers int) (int, error) {
	slots, _, err := db.PublishedLayout(ctx, models.HomePage)
	if err != nil {
		return 0, err
	}
	products, err := db.AllProducts(ctx)
	if err != nil {
		return 0, err
	}
	var sellable []uint
	price := map[uint]int64{}
	for _, p := range products {
		if p.InStock() {
			sellable = append(sellable, p.ID)
			price[p.ID] = p.PriceCents
		}
	}
	if len(sellable) == 0 || shoppers == 0 {
		return 0, nil
	}
	rng := rand.New(rand.NewPCG(uint64(opts.Seed), 7))
	var events []models.Event
	dayStart := opts.Now.Truncate(24 * time.Hour)
	for d := engagementDays - 1; d >= 0; d-- {
		day := dayStart.AddDate(0, 0, -d)
		for _, sl := range slots {
			ctr := slotCTR[sl.Type]
			views := 120 + rng.IntN(80)
			for range views {
				user := fmt.Sprintf("u%05d", 1+rng.IntN(shoppers))
				at := day.Add(time.Duration(rng.Int64N(int64(24 * time.Hour))))
				if at.After(opts.Now) {
					at = opts.Now.Add(-time.Duration(rng.Int64N(int64(time.Hour))))
				}
				pid := sellable[rng.IntN(len(sellable))]
				pos := 1 + rng.IntN(8)
				slot := fmt.Sprintf("s%d", sl.ID)
				events = append(events, models.Event{UserKey: user, ProductID: &pid, Type: models.EventImpression, Slot: slot, Position: pos, CreatedAt: at})
				if rng.Float64() < ctr {
					click := at.Add(time.Duration(5+rng.IntN(60)) * time.Second)
					events = append(events, models.Event{UserKey: user, ProductID: &pid, Type: models.EventClick, Slot: slot, Position: pos, CreatedAt: click})
					if rng.Float64() < 0.25 {
						events = append(events, models.Event{UserKey: user, ProductID: &pid, Type: models.EventAddToCart, Slot: slot, CreatedAt: click.Add(time.Minute)})
						if rng.Float64() < 0.4 {
							// Bought later the same session: revenue the slot earned.
							events = append(events, models.Event{UserKey: user, ProductID: &pid, Type: models.EventPurchase,
								Value: float64(price[pid]) / 100, CreatedAt: click.Add(10 * time.Minute)})
						}
					}
				}
			}
		}
	}
	if err := db.InsertEvents(ctx, events); err != nil {
		return 0, err
	}
	return len(events), nil
}
