package seed

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"time"

	"storefront/models"
)

// The demo world's finished experiment: the "Recommended for you" row's
// blend against matrix factorization, run for four weeks ending twelve days
// ago on the visitors outside a 5 % control group, with every visitor's
// homepage impressions, clicks, carts, purchases and orders labelled with
// their arm, so the results page shows real figures and charts.

// armBehaviour is what a visitor of an arm does: the chance a homepage view
// leads to a click on a row, and that the visitor adds to the cart and buys.
type armBehaviour struct {
	click, cart, buy float64
}

var (
	experimentStarts = 40 * 24 * time.Hour // before Now
	experimentRuns   = 28 * 24 * time.Hour
	// Control is not personalized: fewer clicks and purchases. Matrix
	// factorization beats the blend by enough to be found.
	controlBehaviour = armBehaviour{click: 0.24, cart: 0.13, buy: 0.070}
	armBehaviours    = []armBehaviour{{click: 0.30, cart: 0.17, buy: 0.100}, {click: 0.34, cart: 0.20, buy: 0.126}}
)

// seedExperiment stores the finished experiment and its history; it
// returns the events and orders it added.
func seedExperiment(ctx context.Context, db *models.DB, opts Options, shoppers int) (int, int, error) {
	slots, _, err := db.PublishedLayout(ctx, models.HomePage)
	if err != nil {
		return 0, 0, err
	}
	var rec *models.Slot
	for i := range slots {
		if slots[i].Type == models.SlotRecommended && slots[i].Enabled {
			rec = &slots[i]
			break
		}
	}
	products, err := db.AllProducts(ctx)
	if err != nil {
		return 0, 0, err
	}
	var sellable []models.Product
	for _, p := range products {
		if p.InStock() {
			sellable = append(sellable, p)
		}
	}
	if rec == nil || len(sellable) == 0 || shoppers == 0 {
		return 0, 0, nil
	}
	// Visitors pick among the best sellers, as homepage rows show them.
	sort.SliceStable(sellable, func(i, j int) bool { return sellable[i].Popularity > sellable[j].Popularity })
	sellable = sellable[:min(len(sellable), 400)]

	start := opts.Now.Add(-experimentStarts)
	stop := start.Add(experimentRuns)
	e := &models.Experiment{Name: "Recommended row: blend or matrix factorization", Kind: models.ExperimentStrategy, SlotID: rec.ID,
		Status: models.ExperimentStopped, MDEPercent: 25, BaselineRate: 0.10, CreatedBy: DemoMerchName,
		CreatedAt: start.Add(-2 * time.Hour), StartedAt: &start, StoppedAt: &stop,
		Arms: []models.ExperimentArm{
			{Position: 1, Name: "Blend (live)", Source: models.ArmStrategyPrefix + "hybrid", Weight: 50},
			{Position: 2, Name: "Matrix factorization", Source: models.ArmStrategyPrefix + "als", Weight: 50},
		}}

	// Buyers sign in to check out, so their events carry their account's
	// user id; a shopper buys in one arm only (in a small world some buy
	// more than once).
	rng := rand.New(rand.NewPCG(uint64(opts.Seed), 11))
	buyerPool := rng.Perm(shoppers)
	keys := make([]string, 0, len(buyerPool))
	for _, i := range buyerPool {
		keys = append(keys, fmt.Sprintf("u%05d", i+1))
	}
	accounts, err := db.ShoppersByExternalIDs(ctx, keys)
	if err != nil {
		return 0, 0, err
	}
	const visitors = 6_000
	slotKeys := make([]string, 0, len(slots))
	for _, sl := range slots {
		if sl.Enabled {
			slotKeys = append(slotKeys, fmt.Sprintf("s%d", sl.ID))
		}
	}
	history := func(arms []models.ExperimentArm) ([]models.Event, []models.Order) {
		var events []models.Event
		var orders []models.Order
		nextBuyer := 0
		usedIn := map[string][]models.Shopper{} // accounts that bought, by arm
		for v := range visitors {
			label, beh := models.ArmLabelControl, controlBehaviour
			if rng.Float64() >= 0.05 {
				a := rng.IntN(len(arms))
				label, beh = arms[a].Label(), armBehaviours[a%len(armBehaviours)]
			}
			user := fmt.Sprintf("v:demo-visitor-%05d", v+1)
			buys := rng.Float64() < beh.buy
			carts := buys || rng.Float64() < beh.cart
			var acct models.Shopper
			if buys {
				switch {
				case nextBuyer < len(keys) && accounts[keys[nextBuyer]].ID != 0:
					acct = accounts[keys[nextBuyer]]
					nextBuyer++
					usedIn[label] = append(usedIn[label], acct)
				case len(usedIn[label]) > 0:
					acct = usedIn[label][rng.IntN(len(usedIn[label]))]
				default:
					buys = false
				}
				if buys {
					user = acct.ExternalID
				}
			}
			at := start.Add(time.Duration(rng.Int64N(int64(experimentRuns - 24*time.Hour))))
			views := 1
			if rng.Float64() < 0.4 {
				views++
			}
			if rng.Float64() < 0.15 {
				views++
			}
			// One impression row per row of the page for all the visitor's
			// views, counting its cards (the live site writes one per view).
			for pos, sk := range slotKeys {
				events = append(events, models.Event{UserKey: user, Type: models.EventImpression, Slot: sk, Position: pos + 1, Value: float64(8 * views), Arm: label, CreatedAt: at})
			}
			var picked models.Product
			for range views {
				if rng.Float64() < beh.click {
					picked = sellable[rng.IntN(len(sellable))]
					pid := picked.ID
					sk := slotKeys[rng.IntN(len(slotKeys))]
					events = append(events, models.Event{UserKey: user, ProductID: &pid, Type: models.EventClick, Slot: sk, Position: 1 + rng.IntN(8),
						Arm: label, CreatedAt: at.Add(20 * time.Second)})
				}
				at = at.Add(time.Duration(30+rng.IntN(600)) * time.Minute)
			}
			if !carts {
				continue
			}
			if picked.ID == 0 {
				picked = sellable[rng.IntN(len(sellable))]
			}
			pid := picked.ID
			events = append(events, models.Event{UserKey: user, ProductID: &pid, Type: models.EventAddToCart, Arm: label, CreatedAt: at})
			if !buys {
				continue
			}
			bought := at.Add(time.Duration(5+rng.IntN(40)) * time.Minute)
			events = append(events, models.Event{UserKey: user, ProductID: &pid, Type: models.EventPurchase, Value: float64(picked.PriceCents) / 100,
				Arm: label, CreatedAt: bought})
			sid := acct.ID
			email := ""
			if acct.Email != nil {
				email = *acct.Email
			}
			city := cities[int(sid)%len(cities)]
			orders = append(orders, models.Order{ShopperID: &sid, IdempotencyKey: fmt.Sprintf("seed-exp-%05d", len(orders)+1), Status: models.OrderPaid,
				TotalCents: picked.PriceCents, Email: email, Name: acct.Name, Street: fmt.Sprintf("%d %s", 1+int(sid)%180, streets[int(sid)%len(streets)]),
				City: city.name, Postcode: city.postcode, Country: city.country, Arm: label, CreatedAt: bought,
				Items: []models.OrderItem{{ProductID: pid, Title: picked.Title, PriceCents: picked.PriceCents, Quantity: 1}}})
		}
		return events, orders
	}
	return db.StoreExperimentHistory(ctx, e, history)
}
