// Package seed builds the deterministic demo world (catalog, shoppers,
// behaviour, orders, homepage layout) and imports merchants' CSV files.
// It writes only through models and must not import GORM, Echo, web or
// recommender.
package seed

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"storefront/models"
	"storefront/recommender"
)

// Demo accounts created by Seed. Every other seeded shopper
// (shopper00001@example.com, user id u00001, …) has ShopperPassword.
const (
	DemoShopperEmail    = "demo@storefront.test"
	DemoShopperPassword = "demo-shopper-2026"
	DemoShopperID       = "demo" // the demo shopper's user id in events
	DemoShopperName     = "Alex Morgan"

	DemoMerchEmail    = "merch@storefront.test"
	DemoMerchPassword = "demo-merch-2026"
	DemoMerchName     = "Maya Lindqvist"

	DemoAdminEmail    = "admin@storefront.test"
	DemoAdminPassword = "demo-admin-2026"
	DemoAdminName     = "Sam Okafor"

	ShopperPassword = "shopper-pass-2026"
)

// DefaultSeed is the random seed `make seed` uses.
const DefaultSeed int64 = 20260101

// Scales.
const (
	ScaleSmall = "small"
	ScaleLarge = "large"
)

// ErrNotEmpty is returned when seeding a database that already has data
// without Options.Reset.
var ErrNotEmpty = errors.New("seed: database is not empty (seeding replaces all data; pass Reset to wipe it first)")

// Options configure Seed. The zero value seeds the small world from
// DefaultSeed ending now.
type Options struct {
	Scale string    // ScaleSmall (default) or ScaleLarge
	Seed  int64     // random seed; 0 means DefaultSeed
	Now   time.Time // end of the behaviour window; zero means the current hour
	// Reset deletes every row of every table first. Without it Seed refuses
	// a database that holds any catalog, people, events, orders or layout.
	Reset bool
	// Sizes overriding the scale when > 0 (tests use small worlds).
	Products, Shoppers, Events int
}

// sizes resolves the scale and overrides.
func (o Options) sizes() (products, shoppers, events int, err error) {
	switch o.Scale {
	case "", ScaleSmall:
		products, shoppers, events = 5_000, 5_000, 350_000
	case ScaleLarge:
		products, shoppers, events = 50_000, 100_000, 2_000_000
	default:
		return 0, 0, 0, fmt.Errorf("seed: unknown scale %q (want %s or %s)", o.Scale, ScaleSmall, ScaleLarge)
	}
	if o.Products > 0 {
		products = o.Products
	}
	if o.Shoppers > 0 {
		shoppers = o.Shoppers
	}
	if o.Events > 0 {
		events = o.Events
	}
	return products, shoppers, events, nil
}

func (o Options) resolved() Options {
	if o.Seed == 0 {
		o.Seed = DefaultSeed
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	o.Now = o.Now.UTC().Truncate(time.Second)
	return o
}

// Summary reports what Seed created.
type Summary struct {
	Seed       int64
	Now        time.Time
	Categories int
	Products   int
	Shoppers   int // including the demo shopper
	Staff      int
	Events     int
	Orders     int
	Slots      int
	Duration   time.Duration
}

// world is everything Seed writes, generated in memory first.
type world struct {
	cat *catalog
	beh *behaviour
}

func generate(o Options) (*world, error) {
	o = o.resolved()
	np, ns, ne, err := o.sizes()
	if err != nil {
		return nil, err
	}
	c := buildCatalog(o.Seed, o.Now, np)
	return &world{cat: c, beh: generateBehaviour(c, o.Seed, o.Now, ns, ne)}, nil
}

// Seed fills an empty database (or, with opts.Reset, a wiped one) with the
// demo world and publishes the default homepage layout. The same options
// always produce the same catalog, shoppers and events.
func Seed(ctx context.Context, db *models.DB, opts Options, progress io.Writer) (*Summary, error) {
	began := time.Now()
	if progress == nil {
		progress = io.Discard
	}
	opts = opts.resolved()
	if _, _, _, err := opts.sizes(); err != nil {
		return nil, err
	}
	step := func(format string, args ...any) {
		fmt.Fprintf(progress, "seed: %-44s %6.2fs\n", fmt.Sprintf(format, args...), time.Since(began).Seconds())
	}

	if opts.Reset {
		if err := db.DeleteAllData(ctx); err != nil {
			return nil, fmt.Errorf("seed: %w", err)
		}
		step("deleted existing data")
	} else {
		counts, err := db.Counts(ctx)
		if err != nil {
			return nil, fmt.Errorf("seed: %w", err)
		}
		if !counts.Empty() {
			return nil, fmt.Errorf("%w: %d products, %d shoppers, %d events, %d slots", ErrNotEmpty,
				counts.Products, counts.Shoppers, counts.Events, counts.Slots)
		}
	}

	// bcrypt is slow on purpose: hash the four passwords in parallel while
	// the world is generated.
	hashes := map[string]string{}
	var hashErr error
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, pw := range []string{ShopperPassword, DemoShopperPassword, DemoMerchPassword, DemoAdminPassword} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h, err := models.HashPassword(pw)
			mu.Lock()
			defer mu.Unlock()
			hashes[pw] = h
			if err != nil {
				hashErr = err
			}
		}()
	}

	w, err := generate(opts)
	if err != nil {
		return nil, err
	}
	step("generated %d products, %d shoppers, %d events", len(w.cat.products), len(w.beh.shoppers), len(w.beh.events))
	wg.Wait()
	if hashErr != nil {
		return nil, fmt.Errorf("seed: %w", hashErr)
	}

	// The page row is created outside the bulk transaction: the writer pool
	// has one connection.
	page, err := db.PageByKey(ctx, models.HomePage)
	if err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	sum := &Summary{Seed: opts.Seed, Now: opts.Now}
	err = db.Bulk(ctx, func(b *models.BulkTx) error {
		return w.write(ctx, b, opts, hashes, page.ID, sum, step)
	})
	if err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	if _, err := db.PublishDraft(ctx, models.HomePage, "seed"); err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	if err := db.MarkDemoWorld(ctx); err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	step("published homepage layout (%d slots)", sum.Slots)
	nc, err := seedCampaign(ctx, db, w.cat, opts.Now)
	if err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	sum.Slots += nc
	step("published the campaign page /l/%s (%d slots)", DemoCampaign, nc)
	n, err := seedSlotEngagement(ctx, db, opts, sum.Shoppers-1)
	if err != nil {
		return nil, fmt.Errorf("seed: slot engagement: %w", err)
	}
	sum.Events += n
	step("stored %d slot impressions, clicks and carts", n)
	n, orders, err := seedExperiment(ctx, db, opts, sum.Shoppers-1)
	if err != nil {
		return nil, fmt.Errorf("seed: experiment: %w", err)
	}
	sum.Events += n
	sum.Orders += orders
	step("stored a finished experiment: %d events, %d orders", n, orders)
	sum.Duration = time.Since(began)
	return sum, nil
}

// write stores the generated world inside one transaction.
func (w *world) write(ctx context.Context, b *models.BulkTx, opts Options, hashes map[string]string, pageID uint, sum *Summary, step func(string, ...any)) error {
	c, beh := w.cat, w.beh

	// Categories: departments first so children can point at them.
	cats := c.cats
	var top, leaves []models.Category
	var leafAt []int
	for i := range cats {
		if c.catParent[i] < 0 {
			top = append(top, cats[i])
		}
	}
	if err := b.CreateCategories(top); err != nil {
		return err
	}
	ti := 0
	for i := range cats {
		if c.catParent[i] < 0 {
			cats[i].ID = top[ti].ID
			ti++
		}
	}
	for i := range cats {
		if p := c.catParent[i]; p >= 0 {
			pid := cats[p].ID
			cats[i].ParentID = &pid
			leaves = append(leaves, cats[i])
			leafAt = append(leafAt, i)
		}
	}
	if err := b.CreateCategories(leaves); err != nil {
		return err
	}
	for j, i := range leafAt {
		cats[i].ID = leaves[j].ID
	}
	sum.Categories = len(cats)

	for i := range c.products {
		c.products[i].CategoryID = cats[c.leaves[c.prodLeaf[i]].cat].ID
	}
	if err := b.CreateProducts(c.products); err != nil {
		return err
	}
	sum.Products = len(c.products)
	step("stored %d categories, %d products", sum.Categories, sum.Products)
	if err := ctx.Err(); err != nil {
		return err
	}

	shoppers := beh.shoppers
	demoEmail := DemoShopperEmail
	shoppers[0].Email = &demoEmail
	shoppers[0].PasswordHash = hashes[DemoShopperPassword]
	shoppers[0].CreatedAt = opts.Now.Add(-200 * 24 * time.Hour)
	shoppers[0].UpdatedAt = shoppers[0].CreatedAt
	for i := 1; i < len(shoppers); i++ {
		shoppers[i].PasswordHash = hashes[ShopperPassword]
	}
	if err := b.CreateShoppers(shoppers); err != nil {
		return err
	}
	// The published passwords are given now, on the real clock (not the
	// world's): they log in for models.GivenPasswordLifetime from the seeding.
	given := time.Now().UTC()
	staff := []models.Staff{
		{Email: DemoMerchEmail, Name: DemoMerchName, PasswordHash: hashes[DemoMerchPassword], Role: models.RoleMerchandiser, CreatedAt: opts.Now.Add(-400 * 24 * time.Hour), MustChangePassword: true, PasswordGivenAt: &given},
		{Email: DemoAdminEmail, Name: DemoAdminName, PasswordHash: hashes[DemoAdminPassword], Role: models.RoleAdmin, CreatedAt: opts.Now.Add(-500 * 24 * time.Hour), MustChangePassword: true, PasswordGivenAt: &given},
	}
	if err := b.CreateStaff(staff); err != nil {
		return err
	}
	sum.Shoppers, sum.Staff = len(shoppers), len(staff)
	step("stored %d shoppers, %d staff", sum.Shoppers, sum.Staff)

	// Events, converted from the compact form a chunk at a time.
	productIDs := make([]uint, len(c.products))
	for i := range c.products {
		productIDs[i] = c.products[i].ID
	}
	// The events table is empty, so its indexes are built once at the end.
	err := b.WithoutEventIndexes(func() error { return w.insertEvents(ctx, b, productIDs) })
	if err != nil {
		return err
	}
	sum.Events = len(beh.events)
	step("stored %d events", sum.Events)

	orders := make([]models.Order, 0, len(beh.orders))
	for i, o := range beh.orders {
		s := &shoppers[o.user]
		sid := s.ID
		city := cities[(int(o.user)*7)%len(cities)]
		order := models.Order{
			ShopperID: &sid, IdempotencyKey: fmt.Sprintf("seed-%07d", i+1), Status: models.OrderPaid,
			Email: *s.Email, Name: s.Name,
			Street: fmt.Sprintf("%d %s", 1+int(o.user)%180, streets[int(o.user)%len(streets)]),
			City:   city.name, Postcode: city.postcode, Country: city.country,
			CreatedAt: time.Unix(o.at, 0).UTC(),
		}
		for _, p := range o.items {
			pr := &c.products[p]
			order.Items = append(order.Items, models.OrderItem{ProductID: pr.ID, Title: pr.Title, PriceCents: pr.PriceCents, Quantity: 1})
			order.TotalCents += pr.PriceCents
		}
		orders = append(orders, order)
	}
	if err := b.CreateOrders(orders); err != nil {
		return err
	}
	sum.Orders = len(orders)
	step("stored %d orders", sum.Orders)

	if err := b.RefreshPopularity(); err != nil {
		return err
	}
	step("computed popularity")

	slots := defaultSlots(c, pageID)
	if err := b.CreateSlots(slots); err != nil {
		return err
	}
	sum.Slots = len(slots)
	return nil
}

// insertEvents converts the compact events a chunk at a time and writes them.
func (w *world) insertEvents(ctx context.Context, b *models.BulkTx, productIDs []uint) error {
	c, beh, shoppers := w.cat, w.beh, w.beh.shoppers
	const chunk = 20_000
	buf := make([]models.Event, 0, chunk)
	for start := 0; start < len(beh.events); start += chunk {
		buf = buf[:0]
		for _, e := range beh.events[start:min(start+chunk, len(beh.events))] {
			ev := models.Event{UserKey: shoppers[e.user].ExternalID, Type: eventTypeNames[e.typ], CreatedAt: time.Unix(e.at, 0).UTC()}
			if e.item >= 0 {
				ev.ProductID = &productIDs[e.item]
				if e.typ == evPurchase {
					ev.Value = float64(c.products[e.item].PriceCents) / 100
				}
			}
			if e.query >= 0 {
				ev.Query = beh.queries[e.query]
			}
			buf = append(buf, ev)
		}
		if err := b.InsertEvents(buf); err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	return nil
}

// defaultSlots is the homepage a fresh shop starts with.
func defaultSlots(c *catalog, pageID uint) []models.Slot {
	slots := []models.Slot{
		heroSlot(c),
		{Type: models.SlotRecommended, Title: "Recommended for you", Strategy: recommender.Hybrid.String()},
		{Type: models.SlotBecauseViewed, Title: "Because you viewed {anchor}", Strategy: recommender.Similar.String()},
		{Type: models.SlotTrending, Title: "Trending now"},
		// Without a category the row shows the shopper's favourite one.
		{Type: models.SlotCategory, Title: "Top picks in {category}"},
		{Type: models.SlotNewArrivals, Title: "New arrivals"},
		{Type: models.SlotCollection, Title: "Editor's picks", Subtitle: "Chosen by our team this month.", Pins: strings.Join(editorsPicks(c, 8), ",")},
		{Type: models.SlotRecentlyViewed, Title: "Recently viewed"},
		{Type: models.SlotPopular, Title: "Best sellers"},
	}
	for i := range slots {
		slots[i].PageID = pageID
		slots[i].Position = i + 1
		slots[i].Size = 8
		slots[i].Audience = recommender.AudienceEveryone
		slots[i].Enabled = true
	}
	return slots
}

// heroSlot promises the sale the catalog really has: the largest discount
// among tents, packs and boots, with three of those products on it, linking
// to the sale's campaign page.
func heroSlot(c *catalog) models.Slot {
	pins, most := c.heroSale(3)
	hero := models.Slot{Type: models.SlotHero, Title: "Autumn Outdoor Sale", Link: "/l/" + DemoCampaign, Strategy: recommender.Popular.String(),
		Category: "outdoor", Locked: true, VisitFirst: true, Pins: strings.Join(pins, ",")}
	if most > 0 {
		hero.Subtitle = fmt.Sprintf("Up to %d%% off tents, packs and boots, this week only.", most)
	} else {
		hero.Title, hero.Subtitle, hero.Link = "Outdoor favourites", "Tents, packs and boots our shoppers love.", "/c/outdoor"
	}
	return hero
}

// editorsPicks takes the best-ranked buyable item of n leaves spread over
// the departments.
func editorsPicks(c *catalog, n int) []string {
	var out []string
	used := map[int]bool{}
	for round := 0; len(out) < n && round < 8; round++ {
		for d := range departments {
			if len(out) == n {
				break
			}
			for li := range c.leaves {
				ls := &c.leaves[li]
				if ls.dept != d || used[li] {
					continue
				}
				used[li] = true
				for _, p := range ls.items[:min(10, len(ls.items))] {
					if c.products[p].InStock() {
						out = append(out, c.products[p].ExternalID)
						break
					}
				}
				break
			}
		}
	}
	return out
}

type city struct{ name, postcode, country string }

var cities = []city{
	{"London", "N1 9GU", "GB"}, {"Manchester", "M4 1HN", "GB"}, {"Edinburgh", "EH1 1YZ", "GB"}, {"Bristol", "BS1 4DJ", "GB"},
	{"Dublin", "D02 X285", "IE"}, {"Berlin", "10115", "DE"}, {"Amsterdam", "1012 AB", "NL"}, {"Copenhagen", "1050", "DK"},
	{"Lyon", "69002", "FR"}, {"Stockholm", "111 52", "SE"}, {"Leeds", "LS1 4AP", "GB"}, {"Cardiff", "CF10 1EP", "GB"},
}

var streets = []string{"High Street", "Station Road", "Church Lane", "Mill Road", "Harbour Way", "Elm Grove", "Park Avenue", "Queen Street", "Orchard Close", "Victoria Road"}

// DemoCampaign is the address (/l/<slug>) of the demo world's campaign page.
const DemoCampaign = "autumn-outdoors"

// seedCampaign publishes the demo world's campaign page, live from three
// days before the world's now for sixty days: a banner with a creative per
// sale category (each targeting it), the sale's products, and rows of the
// sale's categories and of what is trending outdoors, which are ordered per
// shopper.
func seedCampaign(ctx context.Context, db *models.DB, c *catalog, now time.Time) (slots int, err error) {
	start, end := now.Add(-3*24*time.Hour), now.Add(60*24*time.Hour)
	p := &models.Page{Key: models.CampaignKey(DemoCampaign), Title: "Autumn outdoors", StartsAt: &start, EndsAt: &end}
	if err := db.SaveCampaign(ctx, "", p); err != nil {
		return 0, err
	}
	slugOf := map[string]string{}
	for _, ls := range c.leaves {
		slugOf[ls.vocab.Name] = c.cats[ls.cat].Slug
	}
	banner := models.Slot{Type: models.SlotBanner, Title: "Autumn outdoors", Locked: true, Creatives: []models.Creative{
		{ID: 1, Title: "Tents for cold nights", Text: "Four-season shelters and roomy domes, now on sale.", Link: "/sale?c=" + slugOf["Tents"], Category: slugOf["Tents"]},
		{ID: 2, Title: "Packs for long trails", Text: "Daypacks to trekking packs, with a discount while the season lasts.", Link: "/sale?c=" + slugOf["Backpacks"], Category: slugOf["Backpacks"]},
		{ID: 3, Title: "Boots for wet leaves", Text: "Waterproof hiking boots and trail shoes at autumn prices.", Link: "/sale?c=" + slugOf["Hiking Boots"], Category: slugOf["Hiking Boots"]},
	}}
	pins, _ := c.heroSale(8)
	page := []models.Slot{
		banner,
		{Type: models.SlotCollection, Title: "On sale now", Subtitle: "The best of the autumn sale.", Pins: strings.Join(pins, ",")},
		{Type: models.SlotCategory, Title: "Tents", Category: slugOf["Tents"], Link: "/sale?c=" + slugOf["Tents"]},
		{Type: models.SlotCategory, Title: "Backpacks", Category: slugOf["Backpacks"], Link: "/sale?c=" + slugOf["Backpacks"]},
		{Type: models.SlotCategory, Title: "Hiking boots", Category: slugOf["Hiking Boots"], Link: "/sale?c=" + slugOf["Hiking Boots"]},
		{Type: models.SlotTrending, Title: "Trending outdoors", Category: "outdoor"},
	}
	for i := range page {
		sl := &page[i]
		sl.Size, sl.Audience, sl.Enabled = 8, recommender.AudienceEveryone, true
		if err := db.SaveSlot(ctx, p.Key, 0, "", sl); err != nil {
			return 0, fmt.Errorf("campaign slot %q: %w", sl.Title, err)
		}
	}
	_, err = db.PublishDraft(ctx, p.Key, "seed")
	return len(page), err
}
