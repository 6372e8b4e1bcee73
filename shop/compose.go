package shop

import (
	"cmp"
	"context"
	"maps"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"storefront/models"
	"storefront/recommender"
)

// Viewer is who a homepage is composed for: the requester, or the shopper a
// merchandiser previews as.
type Viewer struct {
	Key       string // user key of events and cart
	ShopperID uint
	LoggedIn  bool
	OptOut    bool
	// Control is a visitor in the experiments' control group: shown the
	// same slots without personalization (merchandiser rows and
	// popularity), whatever their history.
	Control bool
	// HistoryEditedAt is when the shopper last removed history or
	// interests (nil if never): until a model trained after it is served,
	// only the history in the database counts.
	HistoryEditedAt *time.Time
	// Hidden are interests the shopper removed ("category:<slug>" or
	// "brand:<name>").
	Hidden []string
	// Passed are products the viewer passed over on this visit's
	// homepages: for a visitor without history, those of the homepages
	// they left without opening anything; for a visitor who opened a
	// product from a homepage, the cards above it (see
	// recommender.Shopper.Passed).
	Passed []string
	// PassedRead is, for each of Passed, the chance the viewer read it
	// where it was on their page (recommender.Shopper.PassedRead).
	PassedRead []float64
}

// HomeSlot is one composed slot of a homepage.
type HomeSlot struct {
	Slot     *models.Slot
	Key      string // SlotKey of the slot, used in tracking
	Title    string
	Subtitle string // the hero's text under its title: the slot's, unless it claims what no card backs
	Link     string
	Anchor   string
	Position int // 1-based place on the page
	Items    []Pick
	Source   string           // what filled the row: a strategy or a rule (recommender.ComposedSlot)
	Reason   string           // the reason every item shares, shown once in the heading
	Personal bool             // built from the viewer's own history
	Creative *models.Creative // the creative a banner shows this viewer
}

// Pick is one product shown in a slot and why.
type Pick struct {
	Product *models.Product
	// Name is what the card calls the product: its group's name (the
	// model, not the size; Catalog.DisplayName), else its title.
	Name     string
	Reason   string
	Score    float64
	Source   string // the signal or rule that placed it
	Personal bool   // the reason comes from the viewer's own history
}

// SlotKey is how events and the API name a slot.
func SlotKey(id uint) string { return "s" + strconv.FormatUint(uint64(id), 10) }

// SplitList splits a comma-separated list, dropping blanks. Two commas
// are one comma inside an item (JoinList): a brand such as "Hachette, Ltd.".
func SplitList(s string) []string {
	var out []string
	for _, f := range strings.Split(strings.ReplaceAll(s, ",,", "\x00"), ",") {
		if f = strings.TrimSpace(strings.ReplaceAll(f, "\x00", ",")); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// JoinList is the list SplitList reads back as items: joined by commas,
// a comma inside an item doubled.
func JoinList(items []string) string {
	esc := make([]string, len(items))
	for i, it := range items {
		esc[i] = strings.ReplaceAll(it, ",", ",,")
	}
	return strings.Join(esc, ",")
}

// History is what composing a homepage needs of a viewer's behaviour.
type History struct {
	Interactions []models.Interaction // latest views, clicks, carts and purchases, oldest first
	Seen         []string             // every item the viewer ever interacted with
	Bought       []string             // the items of Seen the viewer bought
}

// Empty reports whether the viewer has no behaviour at all.
func (h History) Empty() bool { return len(h.Interactions) == 0 && len(h.Seen) == 0 }

// ignoreTrained reports whether a shopper removed history or interests
// since model m was trained: then they are served from the database's
// history alone.
func ignoreTrained(m *recommender.Model, v Viewer) bool {
	return m != nil && v.HistoryEditedAt != nil && !m.DataNow.After(*v.HistoryEditedAt)
}

// LoadHistory reads a viewer's history, as much of it as composing with
// model m needs.
func (s *Shop) LoadHistory(ctx context.Context, v Viewer, m *recommender.Model) (History, error) {
	limit := 60
	if ignoreTrained(m, v) {
		limit = 200
	}
	var h History
	var err error
	if h.Interactions, err = s.db.UserInteractions(ctx, v.Key, time.Time{}, limit); err != nil {
		return h, err
	}
	if h.Seen, h.Bought, err = s.db.UserItemsBought(ctx, v.Key); err != nil {
		return h, err
	}
	return h, nil
}

// ComposeHome fills and orders the slots for a viewer; a slot with nothing
// to show is left out, and no product appears twice on the page.
func (s *Shop) ComposeHome(ctx context.Context, v Viewer, slots []models.Slot) []HomeSlot {
	var h History
	if !v.OptOut && !v.Control {
		var err error
		if h, err = s.LoadHistory(ctx, v, s.model.Load()); err != nil {
			s.log.Warn("history unavailable", "err", err)
		}
	}
	return s.ComposeHomeWith(v, slots, h)
}

// ComposeHomeSeeded is ComposeHome with the exploration randomness drawn
// from a fixed seed, so two shops holding the same data compose the same
// page (storefront migrate-data compares them).
func (s *Shop) ComposeHomeSeeded(ctx context.Context, v Viewer, slots []models.Slot, seed uint64) ([]HomeSlot, error) {
	var h History
	if !v.OptOut {
		var err error
		if h, err = s.LoadHistory(ctx, v, s.model.Load()); err != nil {
			return nil, err
		}
	}
	return s.composeWith(v, slots, h, rand.New(rand.NewPCG(seed, seed))), nil
}

// ComposeHomeWith is ComposeHome with the viewer's history already read.
func (s *Shop) ComposeHomeWith(v Viewer, slots []models.Slot, h History) []HomeSlot {
	return s.composeWith(v, slots, h, nil)
}

func (s *Shop) composeWith(v Viewer, slots []models.Slot, h History, rng *rand.Rand) []HomeSlot {
	in := s.composeInput(v, slots, h, time.Now())
	in.opt.Rand = rng
	composed := recommender.Compose(in.model, in.specs, in.shopper, in.opt, FallbackRow(in.cat))
	return in.homeSlots(composed, false)
}

// composeInput is what composing a page for a viewer needs.
type composeInput struct {
	cat     *Catalog
	model   *recommender.Model
	specs   []recommender.SlotSpec
	bySpec  map[string]*models.Slot
	off     []OffSlot // enabled flag or schedule keeps them off the page
	shopper recommender.Shopper
	opt     recommender.ComposeOptions
}

// OffSlot is a slot left off a page before composition, and why.
type OffSlot struct {
	Slot *models.Slot
	Why  string
	// At, when set, is the time Why leads to ("scheduled to start"): the
	// page that shows it writes it in the shop's time zone.
	At time.Time
}

func (s *Shop) composeInput(v Viewer, slots []models.Slot, h History, now time.Time) composeInput {
	cat := s.catalog.Load()
	m := s.model.Load()
	personalize := !v.OptOut && !v.Control
	in := composeInput{cat: cat, model: m}

	// The viewer's latest interactions: the recently viewed row, anchors for
	// "because you viewed", and everything since training for fold-in.
	var recent, purchases []recommender.Event
	var recentlyViewed, seen, bought []string
	ignoreTrained := ignoreTrained(m, v)
	if personalize {
		hist := h.Interactions
		var since time.Time
		if m != nil && !ignoreTrained {
			since = m.DataNow
		}
		for i := len(hist) - 1; i >= 0; i-- {
			recentlyViewed = append(recentlyViewed, hist[i].ItemID)
		}
		for _, h := range hist {
			if ignoreTrained || h.CreatedAt.After(since) {
				recent = append(recent, RecEvent(h))
			}
			if h.Type == models.EventPurchase {
				purchases = append(purchases, RecEvent(h))
			}
		}
		seen, bought = h.Seen, h.Bought
	}

	specs := make([]recommender.SlotSpec, 0, len(slots))
	bySpec := map[string]*models.Slot{}
	for i := range slots {
		sl := &slots[i]
		switch {
		case !sl.Enabled:
			in.off = append(in.off, OffSlot{Slot: sl, Why: "disabled"})
			continue
		case sl.StartsAt != nil && now.Before(*sl.StartsAt):
			in.off = append(in.off, OffSlot{Slot: sl, Why: "scheduled to start", At: *sl.StartsAt})
			continue
		case sl.EndsAt != nil && now.After(*sl.EndsAt):
			in.off = append(in.off, OffSlot{Slot: sl, Why: "its schedule ended", At: *sl.EndsAt})
			continue
		}
		key := SlotKey(sl.ID)
		eng := s.SlotEngagement(key)
		spec := recommender.SlotSpec{ID: key, Kind: recommender.SlotKind(sl.Type), Title: sl.Title, Subtitle: sl.Subtitle, Strategy: sl.Strategy,
			Size: sl.Size, Locked: sl.Locked, VisitFirst: sl.VisitFirst, Brands: SplitList(sl.Brands), MinPrice: sl.MinPrice, MaxPrice: sl.MaxPrice,
			Pins: cat.PinsWithinFilters(sl), Excludes: SplitList(sl.Excludes), Boosts: SplitList(sl.Boosts),
			Audience: sl.Audience, Impressions: eng.Impressions, Clicks: eng.Clicks}
		if slug, ok := strings.CutPrefix(sl.Audience, recommender.AudienceAffinity); ok {
			// Slots name categories by slug; the recommender knows names.
			if n, ok := cat.CategoryBySlug(slug); ok {
				spec.Audience = recommender.AudienceAffinity + cat.RecName(n)
			}
		}
		slug := sl.Category
		if slug == "" && sl.Type == models.SlotHero && strings.HasPrefix(sl.Link, "/c/") {
			slug = strings.TrimPrefix(sl.Link, "/c/")
		}
		if n, ok := cat.CategoryBySlug(slug); ok {
			spec.Category = cat.RecName(n)
		}
		for _, cr := range sl.Creatives {
			cs := recommender.CreativeSpec{ID: strconv.Itoa(cr.ID)}
			if n, ok := cat.CategoryBySlug(cr.Category); ok {
				cs.Category = cat.RecName(n)
			}
			ce := s.SlotEngagement(models.CreativeKey(key, models.CreativeQuery(cr.ID)))
			cs.Impressions, cs.Clicks = ce.Impressions, ce.Clicks
			spec.Creatives = append(spec.Creatives, cs)
		}
		specs = append(specs, spec)
		bySpec[key] = sl
	}
	opt := recommender.DefaultComposeOptions()
	opt.Available, _, opt.Name = cat.Live()
	// A page's cards: one of a group, and one of the listings of an item
	// that share its title and brand (CardKeyOf). The API and `storefront
	// recommend` answer ids, one of a group, as their contract says.
	opt.Group = cat.CardKeyOf
	opt.Variant, opt.VariantOf = cat.Variants()
	opt.Revisit = cat.revisit
	opt.Fits = cat.RowFits
	opt.Launches, opt.Edited = s.sinceTraining(m)
	opt.Departments = cat.Departments
	shopper := recommender.Shopper{User: v.Key, Recent: recent, RecentlyViewed: recentlyViewed, Seen: seen, Bought: bought, Personalize: personalize,
		LoggedIn: v.LoggedIn, Purchases: purchases, IgnoreTrained: ignoreTrained}
	if personalize {
		shopper.Passed, shopper.PassedRead = v.Passed, v.PassedRead
	}
	for _, h := range v.Hidden {
		if slug, ok := strings.CutPrefix(h, "category:"); ok {
			if n, ok := cat.CategoryBySlug(slug); ok {
				shopper.HiddenCategories = append(shopper.HiddenCategories, cat.RecName(n))
			}
		} else if brand, ok := strings.CutPrefix(h, "brand:"); ok {
			shopper.HiddenBrands = append(shopper.HiddenBrands, brand)
		}
	}
	in.shopper = shopper
	in.specs, in.bySpec, in.opt = specs, bySpec, opt
	return in
}

// homeSlots turns composed rows into the page's slots; keepEmpty keeps rows
// with nothing to show (explanations).
func (in composeInput) homeSlots(composed []recommender.ComposedSlot, keepEmpty bool) []HomeSlot {
	cat, bySpec := in.cat, in.bySpec
	out := make([]HomeSlot, 0, len(composed))
	for _, cs := range composed {
		sl := bySpec[cs.Spec.ID]
		if sl == nil {
			// A department's row the page added (recommender.departmentRows):
			// no slot of the layout, so it has no ID.
			sl = &models.Slot{Type: models.SlotCategory, Title: cs.Spec.Title, Size: cs.Spec.Size, Enabled: true}
		}
		hs := HomeSlot{Slot: sl, Key: cs.Spec.ID, Title: cs.Title, Subtitle: cs.Subtitle, Link: sl.Link, Position: len(out) + 1, Anchor: cs.Anchor, Source: cs.Source,
			Reason: cs.Reason, Personal: cs.Personal}
		if hs.Link == "" && sl.Type == models.SlotCategory {
			hs.Link = cat.CategoryLink(cs.Spec.Category)
		}
		for _, it := range cs.Items {
			p, ok := cat.ProductByExt(it.ItemID)
			if !ok {
				continue
			}
			hs.Items = append(hs.Items, Pick{Product: p, Name: cat.DisplayName(p), Reason: it.Reason, Score: it.Score, Source: it.Source, Personal: it.Personal})
		}
		if sl.Type == models.SlotBanner && cs.Creative >= 0 && cs.Creative < len(sl.Creatives) {
			hs.Creative = &sl.Creatives[cs.Creative]
		}
		if cs.Empty() && !keepEmpty {
			continue
		}
		out = append(out, hs)
	}
	return out
}

// FallbackRow fills a slot from the catalog's popularity when no model is
// trained yet, so the homepage always renders.
func FallbackRow(cat *Catalog) func(spec *recommender.SlotSpec, exclude map[string]bool, n int) []recommender.Recommendation {
	return func(spec *recommender.SlotSpec, exclude map[string]bool, n int) []recommender.Recommendation {
		ids, reason := cat.Popular, "Popular right now"
		if spec.Kind == recommender.KindNewArrivals {
			ids, reason = cat.Newest, "New arrival"
		}
		var under *CatNode
		if node, ok := cat.CategoryByName(spec.Category); ok {
			under, reason = node, "Popular in "+node.Name
		}
		// The slot's brands and price range hold here too.
		fits := cat.RowFits(recommender.RowFilters{Brands: spec.Brands, MinPrice: spec.MinPrice, MaxPrice: spec.MaxPrice})
		// One product of a group (its sizes), none of a group the page shows.
		groups := map[string]bool{}
		for id := range exclude {
			if g := cat.GroupOf(id); g != "" {
				groups[g] = true
			}
		}
		skip := func(p *models.Product) bool {
			if !p.InListings() || exclude[p.ExternalID] || !fits(p.ExternalID) || p.GroupID != "" && groups[p.GroupID] {
				return true
			}
			if p.GroupID != "" {
				groups[p.GroupID] = true // TopIn takes every product skip lets through
			}
			return false
		}
		var out []recommender.Recommendation
		now := time.Now()
		for _, p := range cat.TopIn(ids, under, n, skip) {
			// What nobody has bought yet is not popular, and what was made
			// months ago is no new arrival.
			why, category := reason, ""
			if under != nil {
				category = under.Name
			}
			if spec.Kind == recommender.KindNewArrivals || p.Popularity <= 0 {
				why = recommender.NewnessReason(p.CreatedAt, now, category)
			}
			out = append(out, recommender.Recommendation{ItemID: p.ExternalID, Score: p.Popularity, Reason: why})
		}
		return out
	}
}

// Departments are the catalog's top-level categories that hold a product
// a row may show (InRows), the most such products first (ties by name):
// the rows a homepage adds when its own cannot fill
// (recommender.ComposeOptions). A department whose products are all found
// by search only has no page to lead to, and no row.
func (c *Catalog) Departments() []string {
	count := make(map[*CatNode]int, len(c.Roots))
	for _, id := range c.Popular {
		p, ok := c.byID[id]
		if !ok || !InRows(p) {
			continue
		}
		n := c.byCatID[p.CategoryID]
		for n != nil && n.Parent != nil {
			n = n.Parent
		}
		if n != nil {
			count[n]++
		}
	}
	roots := make([]*CatNode, 0, len(count))
	for _, r := range c.Roots {
		if count[r] > 0 {
			roots = append(roots, r)
		}
	}
	slices.SortStableFunc(roots, func(a, b *CatNode) int {
		if d := cmp.Compare(count[b], count[a]); d != 0 {
			return d
		}
		return strings.Compare(a.Name, b.Name)
	})
	out := make([]string, len(roots))
	for i, r := range roots {
		out[i] = c.RecName(r)
	}
	return out
}

// InRows reports whether rows of recommendations may show the product: it
// is for sale, in stock and listed in the catalog (models.Product.InListings).
// A row is a listing: Magento's related, up-sell and cross-sell blocks show
// only products visible in the catalog, so a product an import marked
// found by search only ("Search") is in no row, as in no category page.
func InRows(p *models.Product) bool { return p.InStock() && p.InListings() }

// Live is what a request or a homepage reads from the catalog as it is
// now rather than as the model was trained on: whether a product is
// available (InRows: one deactivated or sold out since training is not
// recommended, nor one found by search only), its product group (two
// products of one group are never recommended together), and the name
// reasons give it (its group's). The homepage, campaign pages, product
// pages, GET /api/v1/recommendations and `storefront recommend` read it
// alike.
func (c *Catalog) Live() (available func(ext string) bool, group, name func(ext string) string) {
	available = func(ext string) bool {
		p, ok := c.ProductByExt(ext)
		return ok && InRows(p)
	}
	return available, c.GroupOf, c.NameOf
}

// revisit reports whether the recently viewed row may show a product the
// viewer viewed: in stock, whatever its visibility (it is the viewer's own
// history, not a listing; Magento's recently viewed block shows products
// found by search too).
func (c *Catalog) revisit(ext string) bool {
	p, ok := c.ProductByExt(ext)
	return ok && p.InStock()
}

// RecommendFor answers one user's recommendations with live stock, the
// user's events since training, and their opt-out honoured.
func (s *Shop) RecommendFor(ctx context.Context, req recommender.Request) ([]recommender.Recommendation, error) {
	cat := s.catalog.Load()
	req.Available, req.Group, req.Name = cat.Live()
	req.Variant, req.VariantOf = cat.Variants()
	if req.Category != "" || len(req.Brands) > 0 || req.MinPriceCents > 0 || req.MaxPriceCents > 0 {
		req.Fits = cat.RowFits(recommender.RowFilters{Category: req.Category, Brands: req.Brands, MinPrice: req.MinPriceCents, MaxPrice: req.MaxPriceCents})
		req.Edited = s.Edited(s.model.Load())
	}
	if s.IsForgotten(req.User) {
		// A deleted shopper: served like a stranger, never their history.
		req.User, req.Strategy, req.ExcludeSeen = "", recommender.Popular, false
	} else if sh, err := s.db.ShopperByExternalID(ctx, req.User); err == nil && sh.OptOut {
		req.User, req.Strategy, req.ExcludeSeen = "", recommender.Popular, false
	}
	m := s.model.Load()
	if m == nil {
		// No model yet (a shop imported and served before its first
		// training): the best sellers, less what the customer already
		// had, as a model's answer leaves it out.
		exclude := req.Exclude
		if req.User != "" && req.ExcludeSeen {
			had, err := s.db.UserItems(ctx, req.User)
			if err != nil {
				return nil, err
			}
			exclude = maps.Clone(req.Exclude)
			if exclude == nil {
				exclude = make(map[string]bool, len(had))
			}
			for _, id := range had {
				exclude[id] = true
			}
		}
		return FallbackRow(cat)(&recommender.SlotSpec{}, exclude, req.N), nil
	}
	if req.User != "" {
		recent, err := RecentEvents(ctx, s.db, m, req.User)
		if err != nil {
			return nil, err
		}
		req.Recent = recent
		if req.ExcludeSeen {
			if req.Seen, err = s.db.UserItems(ctx, req.User); err != nil {
				return nil, err
			}
		}
	}
	req.Launches = s.Launches(m)
	return m.Recommend(req), nil
}
