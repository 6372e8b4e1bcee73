package recommender

import (
	"cmp"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// SlotKind is what a homepage slot shows.
type SlotKind string

// Slot kinds understood by Compose.
const (
	KindHero           SlotKind = "hero"
	KindRecommended    SlotKind = "recommended"
	KindBecauseViewed  SlotKind = "because_viewed"
	KindTrending       SlotKind = "trending"
	KindNewArrivals    SlotKind = "new_arrivals"
	KindCategory       SlotKind = "category"
	KindCollection     SlotKind = "collection"
	KindRecentlyViewed SlotKind = "recently_viewed"
	KindPopular        SlotKind = "popular"
	KindBanner         SlotKind = "banner"
)

// SlotSpec is one slot of a published layout, as the merchandiser set it
// up, plus its observed engagement.
type SlotSpec struct {
	ID       string
	Kind     SlotKind
	Title    string // may hold {anchor} or {category}
	Subtitle string // a hero's text under its title
	Strategy string // "" (the kind's own rule) or one of Kind.Strategies(), by name
	Size     int
	Locked   bool
	// VisitFirst lets the row that most closely follows a visit in
	// progress (the category the visitor is looking at) come before this
	// locked slot: for a visitor who opened products in this visit, that
	// row leads the page and the slot follows it. A stranger back on the
	// homepage without having opened anything, who saw the slot on their
	// first page, gets the rows of products they have not passed over
	// above it. On a visitor's first page, and for every other row, the
	// slot keeps its position.
	VisitFirst bool
	Category   string // category name for category rows and filters
	Brands     []string
	MinPrice   int64
	MaxPrice   int64
	Pins       []string
	Excludes   []string
	Boosts     []string
	// Audience: "" or one of Audiences(), or AudienceAffinity followed by a
	// category name (see ParseAudience).
	Audience string

	Impressions, Clicks float64 // engagement so far, for ordering

	// Creatives are a banner's alternatives, one shown per page view.
	Creatives []CreativeSpec
}

// CreativeSpec is one creative of a banner: the category it targets (a
// category name, "" for none) and its engagement so far.
type CreativeSpec struct {
	ID                  string
	Category            string
	Impressions, Clicks float64
}

// Shopper is who a page is composed for.
type Shopper struct {
	User           string  // user key; empty for a visitor without identity
	Recent         []Event // events since the model was trained
	RecentlyViewed []string
	Seen           []string // every item in the shopper's raw history; never recommended again
	// Bought are the items of Seen the shopper bought: "Recently viewed"
	// leaves them out (it offers what they may go back to; what they own
	// is in their orders).
	Bought      []string
	Personalize bool // false when the shopper opted out
	LoggedIn    bool
	// Purchases are the shopper's latest purchases with their times: for a
	// while after buying, rows offer what goes with a purchase rather than
	// more of the same kind (a second tent).
	Purchases []Event
	// IgnoreTrained drops what the trained model knows about the shopper, so
	// only Recent counts: set after the shopper removed history or interests
	// that the stored model still holds.
	IgnoreTrained bool
	// HiddenCategories and HiddenBrands are interests the shopper removed:
	// rows built from their history leave them out.
	HiddenCategories []string
	HiddenBrands     []string
	// Passed are products the shopper passed over on this visit's
	// homepages (the pages a visitor without history left without opening
	// anything, the cards above one they opened): rows the recommender
	// fills put them last, so the best places show what they have not
	// turned down yet. Pins and collections still show theirs.
	Passed []string
	// PassedRead is, for each of Passed, the chance the visitor read it
	// where it was on their page (ReadChance): a stranger's next page
	// takes the demand a card offered as turned down only as far as the
	// card was likely read. Empty: every passed card was read.
	PassedRead []float64

	visit   []Event            // the visit in progress, oldest first (see sessionAffinity)
	session map[string]float64 // the visit's interest per category
	cover   *demandCover       // for a stranger: the demand the page's cards above offer
}

// ComposedSlot is a filled slot.
type ComposedSlot struct {
	Spec     *SlotSpec
	Title    string
	Subtitle string // the hero's subtitle, as honestTitle leaves it
	Items    []Recommendation
	Anchor   string
	// Source is what filled the row: a strategy name, or a rule
	// (RulePinned, RuleRecent) for kinds without strategies.
	Source string
	// Reason is the reason every card of the row shares, shown once in the
	// row's heading; the cards' own reasons are then empty.
	Reason string
	// Personal is set when the row comes from the shopper's own history.
	Personal bool
	// Lost lists the row's pins that are not in it, and why.
	Lost []Lost
	// Creative is the index in Spec.Creatives of the creative a banner
	// shows; -1 when it has none.
	Creative int
	// visit is set on rows that follow the visit in progress
	// (followsVisit).
	visit bool

	req Request // the request that filled the row, for explanations
}

// RowFilters are the filters a row applies: a category name, brands and a
// price range in cents (0 = open).
type RowFilters struct {
	Category           string
	Brands             []string
	MinPrice, MaxPrice int64
}

// ComposeOptions tunes composition.
type ComposeOptions struct {
	Available func(item string) bool
	// Revisit, if set, is Available for the recently viewed row: what the
	// viewer viewed may show there though no other row shows it (a
	// product found by search only).
	Revisit func(item string) bool
	// Group names an item's product group (Request.Group): a page shows
	// one product of a group.
	Group func(item string) string
	// Variant and VariantOf name an item's variant in its product group
	// and find a group's product by variant (Request.Variant): a card
	// shows a group in the size the shopper keeps to.
	Variant   func(item string) string
	VariantOf func(item, label string) string
	// Name is how reasons and a row's heading name an item (Request.Name):
	// its product group's name.
	Name func(item string) string
	// Fits, if set, returns the caller's live check of a row's filters
	// (Request.Fits): the model knows prices, brands and categories as
	// they were at training.
	Fits func(RowFilters) func(item string) bool
	// Edited are the items the caller's catalog changed since training
	// (Request.Edited): rows with filters leave them to Fits.
	Edited *ItemSet
	Rand   *rand.Rand // exploration randomness; nil uses a fresh source
	// Explore scales how far observed engagement (Thompson sampling) can
	// move a free slot, in positions. 0 disables exploration.
	Explore float64
	// AffinityWeight scales how far personal affinity can move a free slot.
	AffinityWeight float64
	MaxAnchors     int // "because you viewed" rows per slot
	// AfterPurchase is how long after a purchase personal rows leave out
	// the purchased item's category, offering complements instead.
	AfterPurchase time.Duration
	// Now is the time AfterPurchase counts from; zero means the clock.
	Now time.Time
	// Launches are the products created since the model was trained, for
	// rows with the NewForYou strategy (see Model.Launches).
	Launches *Launches
	// KeepEmpty keeps rows with nothing to show (explanations need them).
	KeepEmpty bool
	// SessionWindow is how far back the shopper's events since training
	// count as the visit in progress, whose rows lead the page.
	SessionWindow time.Duration
	// Departments, if set, lists the shop's top-level categories that
	// have products for sale, the largest first, for the rows a page
	// shows of its departments when its own rows cannot fill
	// (departmentRows). Unset, they are read from the model.
	Departments func() []string
}

// modelKey names the model an item is of: its product group (the sizes and
// colours of one product), or the item itself outside any group.
func (o ComposeOptions) modelKey(id string) string {
	if o.Group != nil {
		if g := o.Group(id); g != "" {
			return "group:" + g
		}
	}
	return id
}

// maxHeadingNameRunes bounds the product name a "Because you viewed …"
// heading quotes: a longer one is cut to its first words and "…".
const maxHeadingNameRunes = 40

// passedBoost scales the score of a product the visitor was shown and
// passed over: low enough to put it after any product they have not seen,
// while a row that has nothing else still shows it.
const passedBoost = 0.01

// DefaultComposeOptions returns the shop's composition settings.
func DefaultComposeOptions() ComposeOptions {
	return ComposeOptions{Explore: 1.5, AffinityWeight: 1.5, MaxAnchors: 2, AfterPurchase: 7 * 24 * time.Hour,
		SessionWindow: 30 * time.Minute}
}

// Compose fills the slots of a page for a shopper and orders them: locked
// slots keep their position; the free slots that follow the visit in
// progress (what the shopper viewed, clicked or carted in the last
// SessionWindow) come first; the others start from the merchandiser's order
// and move by the shopper's affinity and each slot's sampled click-through
// rate, so a new slot gets a chance. No item appears twice on the page and
// empty slots are left out. m may be nil, then rows come from fallback.
func Compose(m *Model, page []SlotSpec, sh Shopper, opt ComposeOptions, fallback func(spec *SlotSpec, exclude map[string]bool, n int) []Recommendation) []ComposedSlot {
	out, _ := compose(m, page, sh, opt, fallback)
	return out
}

// compose is Compose, also returning the slots the shopper is not in the
// audience of.
func compose(m *Model, page []SlotSpec, sh Shopper, opt ComposeOptions, fallback func(spec *SlotSpec, exclude map[string]bool, n int) []Recommendation) ([]ComposedSlot, []SlotSpec) {
	rng := opt.Rand
	if rng == nil {
		rng = rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	}
	user := sh.User
	recent := sh.Recent
	if sh.IgnoreTrained {
		user = "" // unknown to the model: only the events given count
	}
	if !sh.Personalize {
		user, recent = "", nil
		sh.Purchases, sh.Passed, sh.PassedRead = nil, nil, nil
	}
	var affinity map[string]float64
	if m != nil && sh.Personalize {
		affinity = m.Affinity(user, recent)
	}
	hasHistory := len(affinity) > 0 || len(sh.RecentlyViewed) > 0
	var notForThem []SlotSpec
	page = slices.DeleteFunc(slices.Clone(page), func(s SlotSpec) bool {
		if audienceMatches(s.Audience, sh.LoggedIn, hasHistory, affinity) {
			return false
		}
		notForThem = append(notForThem, s)
		return true
	})

	sh.visit, sh.session = sessionAffinity(m, recent, opt)
	if m != nil && len(affinity) == 0 && len(sh.visit) == 0 {
		// Nothing is known of the shopper: the rows reach as much of the
		// shop's demand as they can together, starting after what the
		// visitor already passed over (cover.go).
		sh.cover = newDemandCover(m)
		sh.cover.passedOver(sh.Passed, sh.PassedRead)
	}
	order := orderSlots(page, affinity, hasHistory, sh.session, opt, rng)
	if sh.cover != nil && len(sh.Passed) > 0 {
		// A stranger back on the homepage without having opened anything
		// has seen what the locked slots that let a visit come first show
		// (the hero's campaign) and passed it over: the rows of products
		// they have not passed over go above those slots, which follow
		// them.
		for _, i := range slices.Clone(order) {
			if !page[i].Locked {
				order = visitFirst(page, order, i)
			}
		}
	}
	// Categories personal rows leave out: what the shopper just bought a
	// substitute of, and interests they removed.
	bought := boughtCategories(m, sh.Purchases, opt)
	for _, c := range sh.HiddenCategories {
		if bought == nil {
			bought = map[string]bool{}
		}
		bought[c] = true
	}
	folded := &foldedVectors{shareHybrid: hybridRows(page, sh.Personalize && len(affinity) > 0) > 1}

	// Merchandisers' content claims its products before the algorithmic
	// rows: every pin is reserved for the first slot (in page order) that
	// pins it, and locked slots and collections are filled before the
	// others. An algorithmic row then never takes a pinned product, and a
	// row says what it lost to the rows filled before it.
	pinnedBy := map[string]string{}
	for _, idx := range order {
		for _, p := range page[idx].Pins {
			if _, ok := pinnedBy[p]; !ok {
				pinnedBy[p] = page[idx].ID
			}
		}
	}
	fillOrder := slices.Clone(order)
	slices.SortStableFunc(fillOrder, func(a, b int) int { return ClaimRank(&page[a]) - ClaimRank(&page[b]) })
	banners := map[int][]ComposedSlot{} // a banner's creative is chosen once
	// fillPage hands the page's products out to its rows but the dropped
	// ones, and lays the rows out in page order; from is each row's slot.
	fillPage := func(dropped map[int]bool) (out []ComposedSlot, from []int) {
		// rowAt is each slot's row on the page (the rows with products
		// above it), for the stranger's cover: a card further down is
		// read less.
		rowAt := make(map[int]int, len(order))
		n := 0
		for _, idx := range order {
			rowAt[idx] = n
			if page[idx].Kind != KindBanner && !dropped[idx] {
				n++
			}
		}
		used := map[string]string{} // item → ID of the slot showing it
		filled := make(map[int][]ComposedSlot, len(page))
		// The dropped slots come last, and only to explain (KeepEmpty)
		// what they would have shown.
		var last []int
		if opt.KeepEmpty {
			for _, idx := range fillOrder {
				if dropped[idx] {
					last = append(last, idx)
				}
			}
		}
		for _, idx := range append(slices.DeleteFunc(slices.Clone(fillOrder), func(i int) bool { return dropped[i] }), last...) {
			spec := &page[idx]
			blocked := make(map[string]bool, len(used)+len(pinnedBy))
			for it := range used {
				blocked[it] = true
			}
			for it, by := range pinnedBy {
				if by != spec.ID {
					blocked[it] = true
				}
			}
			if spec.Kind == KindBanner {
				// A banner shows a creative, not products: which one is
				// chosen per shopper.
				if banners[idx] == nil {
					banners[idx] = []ComposedSlot{{Spec: spec, Title: spec.Title, Source: RuleCreative,
						Creative: ChooseCreative(spec.Creatives, affinity, opt, rng)}}
				}
				filled[idx] = slices.Clone(banners[idx])
				continue
			}
			if dropped[idx] {
				rows := fillSlot(m, spec, sh, user, recent, affinity, bought, blocked, opt, folded, fallback)
				for i := range rows {
					rows[i].Items = nil
				}
				filled[idx] = rows
				continue
			}
			if sh.cover != nil {
				sh.cover.row = rowAt[idx]
			}
			rows := fillSlot(m, spec, sh, user, recent, affinity, bought, blocked, opt, folded, fallback)
			visit := followsVisit(spec, sh.session)
			for i := range rows {
				rows[i].visit = visit
				rows[i].Lost = lostPins(m, opt, spec, used, pinnedBy, rows[i].Items)
				for place, it := range rows[i].Items {
					used[it.ItemID] = spec.ID
					if sh.cover != nil {
						sh.cover.shownIDs(place, it.ItemID)
					}
				}
			}
			filled[idx] = rows
		}
		for _, idx := range order {
			for _, cs := range filled[idx] {
				if cs.Empty() && !opt.KeepEmpty {
					continue
				}
				out = append(out, cs)
				from = append(from, idx)
			}
		}
		return out, from
	}
	// The rows are headed once filled (explainRows), and a row whose
	// honest heading a row above already has is left off. Its products
	// were handed out all the same, so the page is filled again without
	// it, those products free for the rows shown: an imported shop (every
	// product new, none sold) lost sixteen products to two rows headed
	// "New arrivals" under its best sellers' "New arrivals", and showed
	// its last row with the one card they had left.
	dropped := map[int]bool{}
	var out []ComposedSlot
	for pass := 0; ; pass++ {
		if pass > 0 && sh.cover != nil {
			// The stranger's cover starts again with the page.
			sh.cover = newDemandCover(m)
			sh.cover.passedOver(sh.Passed, sh.PassedRead)
		}
		var from []int
		out, from = fillPage(dropped)
		cards := make([]int, len(out))
		for i := range out {
			cards[i] = len(out[i].Items)
		}
		explainRows(out, m == nil || m.dataIsCurrent())
		again := false
		for i := range out {
			if cards[i] > 0 && out[i].Empty() && rowsOfSlot(from, from[i]) == 1 {
				dropped[from[i]], again = true, true
			}
		}
		if !again || pass >= len(page) {
			// The rows shown are final: a row the others left one card
			// is left off too (no other row wants its card: each was
			// filled before it, or took what it wanted).
			for i := range out {
				if lonelyRow(m, &out[i]) {
					out[i].Items = nil
				}
			}
			break
		}
	}
	out = departmentRows(m, page, out, sh, user, recent, affinity, bought, opt, folded, fallback)
	if !opt.KeepEmpty {
		// A row whose heading would repeat one above was emptied.
		out = slices.DeleteFunc(out, func(cs ComposedSlot) bool { return cs.Empty() })
	}
	out = varyRows(m, out)
	if sh.cover != nil && len(sh.Passed) > 0 {
		out = passedRowsLast(out, sh.Passed)
	}
	return out, notForThem
}

// passedRowsLast moves each row that shows only products the visitor
// passed over (a collection's fixed picks on a stranger's next homepage,
// the same cards for the second and third time) below the rows after it,
// down to the next locked slot: the places
// where a visitor back without a click looks first go to what they have
// not turned down yet.
func passedRowsLast(rows []ComposedSlot, passed []string) []ComposedSlot {
	seen := make(map[string]bool, len(passed))
	for _, id := range passed {
		seen[id] = true
	}
	stale := func(cs ComposedSlot) bool {
		if cs.Spec.Locked || len(cs.Items) == 0 {
			return false
		}
		for _, it := range cs.Items {
			if !seen[it.ItemID] {
				return false
			}
		}
		return true
	}
	for moved := true; moved; {
		moved = false
		for i := 0; i+1 < len(rows); i++ {
			if stale(rows[i]) && !rows[i+1].Spec.Locked && !stale(rows[i+1]) {
				rows[i], rows[i+1] = rows[i+1], rows[i]
				moved = true
			}
		}
	}
	return rows
}

// Empty reports whether a composed row has nothing to show: no products,
// and for a banner no creative. A hero shows its title without products.
func (cs *ComposedSlot) Empty() bool {
	switch cs.Spec.Kind {
	case KindHero:
		return false
	case KindBanner:
		return cs.Creative < 0
	}
	return len(cs.Items) == 0
}

// ChooseCreative picks the creative of a banner a shopper sees: each
// creative's click-through rate is sampled (Thompson sampling on clicks
// per impression, so a new creative gets its chance) and compared with the
// banner's mean, and the shopper's affinity for a creative's category
// adds to it, on the same scales as the ordering of free slots. -1 when
// there is none.
func ChooseCreative(creatives []CreativeSpec, affinity map[string]float64, opt ComposeOptions, rng *rand.Rand) int {
	if len(creatives) == 0 {
		return -1
	}
	var imps, clicks float64
	for _, c := range creatives {
		imps += c.Impressions
		clicks += c.Clicks
	}
	mean := (clicks + 1) / (imps + 2)
	best, bestKey := 0, math.Inf(-1)
	for i, c := range creatives {
		key := 0.0
		if opt.Explore > 0 && rng != nil {
			sample := betaSample(rng, c.Clicks+1, math.Max(c.Impressions-c.Clicks, 0)+1)
			key += opt.Explore * math.Max(-1, math.Min(1, (sample-mean)/mean))
		}
		if c.Category != "" {
			key += opt.AffinityWeight * affinity[c.Category]
		}
		if key > bestKey {
			best, bestKey = i, key
		}
	}
	return best
}

// ClaimRank orders the filling of a page: collections first, then other
// locked slots, then the free rows a merchandiser narrowed to brands or a
// price range, then the other free rows. A narrowed row has few products
// to choose from: filled after a broad row (the exploration puts the free
// rows in any order) it could find them all taken and drop off the page,
// while the broad row had others to show.
// The publish check (shop) orders its rows by it too, so that its advice
// follows the page.
func ClaimRank(s *SlotSpec) int {
	switch {
	case s.Kind == KindCollection:
		return 0
	case s.Locked:
		return 1
	case s.Narrowed():
		return 2
	}
	return 3
}

// Narrowed reports whether a row is narrowed to brands or a price range.
func (s *SlotSpec) Narrowed() bool {
	return len(s.Brands) > 0 || s.MinPrice > 0 || s.MaxPrice > 0
}

// Lost is a product a row meant to show and did not, and why.
type Lost struct {
	ItemID string
	Why    string // LostToSlot, LostUnavailable
	Slot   string // ID of the slot that shows it instead, for LostToSlot
	// Row is the place on the page (from 1) of the row that shows it
	// instead, when an explanation knows it: one slot may fill several
	// rows ("Because you viewed" one product and another, a visit's
	// category and the rest of its department), and its ID does not say
	// which; 0 when unknown.
	Row int
}

// Why a row lost a product.
const (
	LostToSlot      = "already on the page"
	LostUnavailable = "out of stock or inactive"
)

// lostPins lists the slot's pins that did not make it into the row.
func lostPins(m *Model, opt ComposeOptions, spec *SlotSpec, used, pinnedBy map[string]string, items []Recommendation) []Lost {
	var lost []Lost
	for _, p := range spec.Pins {
		if slices.ContainsFunc(items, func(r Recommendation) bool { return r.ItemID == p }) {
			continue
		}
		switch {
		case used[p] != "":
			lost = append(lost, Lost{ItemID: p, Why: LostToSlot, Slot: used[p]})
		case pinnedBy[p] != spec.ID:
			lost = append(lost, Lost{ItemID: p, Why: LostToSlot, Slot: pinnedBy[p]})
		case !available(m, opt, p):
			lost = append(lost, Lost{ItemID: p, Why: LostUnavailable})
		}
	}
	return lost
}

// minAudienceAffinity is how strong an interest (the strongest category is
// 1) puts a shopper in a slot's "affinity:<category>" audience.
const minAudienceAffinity = 0.3

// audienceMatches reports whether a slot is meant for this shopper.
func audienceMatches(audience string, loggedIn, hasHistory bool, affinity map[string]float64) bool {
	category, err := ParseAudience(audience)
	switch {
	case err != nil:
		return false
	case category != "":
		return affinity[category] >= minAudienceAffinity
	case audience == AudienceNew:
		return !hasHistory
	case audience == AudienceReturning:
		return hasHistory
	case audience == AudienceLoggedIn:
		return loggedIn
	}
	return true
}

// sessionAffinity returns the visit in progress, the views, clicks and
// carts among recent within opt.SessionWindow, and its interest per
// category, scaled so the strongest category is 1. Both are nil when there
// are none.
func sessionAffinity(m *Model, recent []Event, opt ComposeOptions) ([]Event, map[string]float64) {
	if m == nil || opt.SessionWindow <= 0 {
		return nil, nil
	}
	now := opt.Now
	if now.IsZero() {
		now = time.Now()
	}
	since := now.Add(-opt.SessionWindow)
	var visit []Event
	for _, e := range recent {
		if e.Type != Purchase && e.Time.After(since) {
			visit = append(visit, e)
		}
	}
	if len(visit) == 0 {
		return nil, nil
	}
	return visit, m.Affinity("", visit)
}

// sessionCategory is the category a row following the visit shows: the
// category of the latest item when the visit dwells in it, else the visit's
// favourite; "" when the visit's categories are all left out (skip).
func sessionCategory(m *Model, sh Shopper, skip map[string]bool) string {
	if len(sh.visit) == 0 {
		return ""
	}
	if it, ok := m.Item(sh.visit[len(sh.visit)-1].Item); ok && it.Category != "" && !skip[it.Category] &&
		sh.session[it.Category] >= 0.5 && !slices.ContainsFunc(it.CategoryPath, func(c string) bool { return skip[c] }) {
		return it.Category
	}
	return topCategory(sh.session, skip)
}

// sessionWeights is the blend a row following the visit is filled with:
// the model's, with the shopper's price band and brands counting at least
// as much as one model, since a few events tell little about taste but
// show what the visitor is looking at now.
func sessionWeights(m *Model) *HybridWeights {
	w := m.cfg.Weights
	w.Price = max(w.Price, 1)
	w.Brand = max(w.Brand, 1)
	w.ShortHistory = 0 // the visit in progress is the signal, not what everyone buys
	return &w
}

// sessionIntent is how closely a slot follows the visit in progress, in
// [0, 1]: 0 for a slot that does not, and for every slot without a visit.
func sessionIntent(s *SlotSpec, session map[string]float64) float64 {
	if len(session) == 0 {
		return 0
	}
	switch s.Kind {
	case KindCategory:
		if s.Category == "" {
			// Shows the category the visitor is looking at, near the
			// visit's prices and brands (see fillSlot): the closest match
			// to what they just opened leads.
			return 1
		}
		if v := session[s.Category]; v >= 0.5 {
			return 0.8 * v
		}
	case KindBecauseViewed:
		return 0.9 // anchored on the latest items, which are the visit's
	case KindRecommended:
		// Folded in from the visit too, over every category: it follows
		// the rows above, ahead of the rows that ignore the visit (best
		// sellers, trending, new arrivals). Not when the merchandiser
		// chose a strategy that reads no history.
		switch st, ok, _ := s.Kind.ParseSlotStrategy(s.Strategy); {
		case !ok, st == Hybrid, st == ALS, st == SVD, st == EASE, st == ItemKNN, st == Content, st == NewForYou:
			return 0.5
		}
	}
	return 0
}

// followsVisit reports whether a slot shows what the visit in progress is
// about (its category, what goes with its items): such rows lead the page
// together, even when they share a category (see varyRows).
func followsVisit(s *SlotSpec, session map[string]float64) bool {
	return (s.Kind == KindCategory || s.Kind == KindBecauseViewed) && sessionIntent(s, session) > 0
}

// orderSlots returns slot indexes in display order.
func orderSlots(page []SlotSpec, affinity map[string]float64, hasHistory bool, session map[string]float64, opt ComposeOptions, rng *rand.Rand) []int {
	// Mean click-through rate over the page is the yardstick for each slot.
	var imps, clicks float64
	for _, s := range page {
		imps += s.Impressions
		clicks += s.Clicks
	}
	mean := (clicks + 1) / (imps + 2)
	type ranked struct {
		idx    int
		intent float64
		key    float64
	}
	var free []ranked
	locked := map[int]int{} // position → slot index
	for i, s := range page {
		if s.Locked {
			locked[i] = i
			continue
		}
		key := float64(i)
		if opt.AffinityWeight > 0 {
			key -= opt.AffinityWeight * slotAffinity(&s, affinity, hasHistory)
		}
		if opt.Explore > 0 {
			sample := betaSample(rng, s.Clicks+1, math.Max(s.Impressions-s.Clicks, 0)+1)
			lift := math.Max(-1, math.Min(1, (sample-mean)/mean))
			key -= opt.Explore * lift
		}
		free = append(free, ranked{i, sessionIntent(&s, session), key})
	}
	// The rows that follow the visit lead, most closely following first;
	// exploration and affinity order the rest.
	sort.SliceStable(free, func(a, b int) bool {
		if free[a].intent != free[b].intent {
			return free[a].intent > free[b].intent
		}
		return free[a].key < free[b].key
	})
	order := make([]int, 0, len(page))
	for pos, f := 0, 0; pos < len(page); pos++ {
		if i, ok := locked[pos]; ok {
			order = append(order, i)
			continue
		}
		order = append(order, free[f].idx)
		f++
	}
	if len(free) > 0 && free[0].intent > 0 && followsVisit(&page[free[0].idx], session) {
		order = visitFirst(page, order, free[0].idx)
	}
	return order
}

// visitFirst moves row, the row that most closely follows the visit in
// progress, above the locked slots right before it that let the visit come
// first (SlotSpec.VisitFirst); a locked slot without it stops the move.
func visitFirst(page []SlotSpec, order []int, row int) []int {
	at := slices.Index(order, row)
	to := at
	for to > 0 && page[order[to-1]].Locked && page[order[to-1]].VisitFirst {
		to--
	}
	if to == at {
		return order
	}
	copy(order[to+1:at+1], order[to:at])
	order[to] = row
	return order
}

// slotAffinity is how much a slot suits this shopper, in [0, 1].
func slotAffinity(s *SlotSpec, affinity map[string]float64, hasHistory bool) float64 {
	switch s.Kind {
	case KindRecommended, KindBecauseViewed, KindRecentlyViewed:
		if hasHistory {
			return 1
		}
		return 0
	case KindCategory:
		if s.Category == "" {
			if hasHistory {
				return 0.8
			}
			return 0
		}
		return affinity[s.Category]
	case KindBanner:
		best := 0.0
		for _, c := range s.Creatives {
			best = math.Max(best, affinity[c.Category])
		}
		return best
	case KindTrending, KindPopular, KindNewArrivals:
		if hasHistory {
			return 0
		}
		return 0.5
	}
	return 0
}

// betaSample draws from Beta(a, b) as X/(X+Y) with X~Gamma(a), Y~Gamma(b).
func betaSample(rng *rand.Rand, a, b float64) float64 {
	x, y := gammaSample(rng, a), gammaSample(rng, b)
	if x+y == 0 {
		return 0.5
	}
	return x / (x + y)
}

// gammaSample draws from Gamma(shape, 1) (Marsaglia and Tsang).
func gammaSample(rng *rand.Rand, shape float64) float64 {
	if shape < 1 {
		return gammaSample(rng, shape+1) * math.Pow(rng.Float64(), 1/shape)
	}
	d := shape - 1.0/3
	c := 1 / math.Sqrt(9*d)
	for {
		x := rng.NormFloat64()
		v := 1 + c*x
		if v <= 0 {
			continue
		}
		v = v * v * v
		u := rng.Float64()
		if u < 1-0.0331*x*x*x*x || math.Log(u) < 0.5*x*x+d*(1-v+math.Log(v)) {
			return d * v
		}
	}
}

func fillSlot(m *Model, spec *SlotSpec, sh Shopper, user string, recent []Event, affinity map[string]float64,
	bought map[string]bool, used map[string]bool, opt ComposeOptions, folded *foldedVectors, fallback func(*SlotSpec, map[string]bool, int) []Recommendation) []ComposedSlot {
	size := spec.Size
	if size <= 0 {
		size = 8
	}
	exclude := make(map[string]bool, len(used)+len(spec.Excludes))
	for k := range used {
		exclude[k] = true
	}
	for _, x := range spec.Excludes {
		exclude[x] = true
	}
	boosts := map[string]float64{}
	for _, b := range spec.Boosts {
		boosts[b] = 2
	}
	for _, id := range sh.Passed {
		b := boosts[id]
		if b == 0 {
			b = 1
		}
		boosts[id] = b * passedBoost
	}
	// Pins lead every row the recommender fills, not only the hero.
	base := Request{User: user, Recent: recent, N: size, Exclude: exclude, Boosts: boosts, Brands: spec.Brands, Pins: spec.Pins,
		MinPriceCents: spec.MinPrice, MaxPriceCents: spec.MaxPrice, Available: opt.Available, Group: opt.Group, Name: opt.Name, Diversity: 0.3, folded: folded,
		Variant: opt.Variant, VariantOf: opt.VariantOf,
		Launches: opt.Launches, cover: sh.cover}
	if sh.Personalize {
		// What the shopper already viewed, carted or bought is never
		// recommended back, in any row the model fills.
		base.Seen, base.ExcludeSeen = sh.Seen, true
	}
	title := spec.Title
	// chosen is the merchandiser's strategy for the slot, when they chose
	// one its kind allows; otherwise the kind's own rule below decides.
	chosen, isChosen, _ := spec.Kind.ParseSlotStrategy(spec.Strategy)
	pick := func(def Strategy) Strategy {
		if isChosen {
			return chosen
		}
		return def
	}
	one := func(req Request, title, anchor string) []ComposedSlot {
		var items []Recommendation
		source := req.Strategy.String()
		// A row named for a category or department shows its range: no
		// brand takes more than a fair share of it, unless the slot chose
		// its brands.
		req.spreadBrands = req.Category != "" && len(req.Brands) == 0
		if opt.Fits != nil && (req.Category != "" || len(req.Brands) > 0 || req.MinPriceCents > 0 || req.MaxPriceCents > 0) {
			req.Fits = opt.Fits(RowFilters{Category: req.Category, Brands: req.Brands, MinPrice: req.MinPriceCents, MaxPrice: req.MaxPriceCents})
			req.Edited = opt.Edited
		}
		if m != nil {
			items = m.Recommend(req)
		} else if fallback != nil {
			items = fallback(spec, exclude, req.N)
			source = Popular.String()
		}
		return []ComposedSlot{{Spec: spec, Title: title, Items: items, Anchor: anchor, Source: source, req: req}}
	}
	switch spec.Kind {
	case KindHero:
		base.N = min(size, 3)
		base.Strategy = pick(Popular)
		base.Category = spec.Category
		return one(base, title, "")
	case KindCollection:
		var items []Recommendation
		for _, p := range spec.Pins {
			if exclude[p] || !available(m, opt, p) {
				continue
			}
			items = append(items, Recommendation{ItemID: p, Score: 1, Reason: "Pinned by our team", Source: RulePinned})
			exclude[p] = true
			if len(items) == size {
				break
			}
		}
		return []ComposedSlot{{Spec: spec, Title: title, Items: items, Source: RulePinned}}
	case KindRecentlyViewed:
		if !sh.Personalize {
			return nil
		}
		var items []Recommendation
		// One card per product group, the size viewed last: two sizes of
		// one jacket showed two cards, both named by the jacket. A group
		// the shopper bought in any size is in their orders.
		key := opt.modelKey
		seen := map[string]bool{}
		for _, id := range sh.Bought {
			seen[key(id)] = true
		}
		for _, p := range sh.Purchases {
			seen[key(p.Item)] = true
		}
		for _, id := range sh.RecentlyViewed {
			if seen[key(id)] || exclude[id] || !revisitable(m, opt, id) {
				continue
			}
			seen[key(id)] = true
			items = append(items, Recommendation{ItemID: id, Score: 1, Reason: "You viewed this recently", Source: RuleRecent})
			if len(items) == size {
				break
			}
		}
		return []ComposedSlot{{Spec: spec, Title: title, Items: items, Source: RuleRecent}}
	case KindBecauseViewed:
		if !sh.Personalize || m == nil {
			return nil
		}
		strategy := pick(Similar)
		var out []ComposedSlot
		anchors := map[string]bool{}
		for _, id := range sh.RecentlyViewed {
			// One row per model: two sizes viewed of one jacket made two
			// rows both headed "Because you viewed" the jacket.
			key := opt.modelKey(id)
			if anchors[key] {
				continue
			}
			it, ok := m.Item(id)
			if !ok {
				continue
			}
			anchors[key] = true
			req := base
			req.Strategy, req.Anchor, req.ExcludeSeen = strategy, id, true
			if bought[it.Category] {
				// Just bought one of these: show what goes with it.
				req.Strategy, req.ExcludeCategories = AlsoBought, boughtList(bought)
			}
			if len(sh.HiddenCategories)+len(sh.HiddenBrands) > 0 {
				req.ExcludeCategories, req.ExcludeBrands = boughtList(bought), sh.HiddenBrands
			}
			name := it.Title
			if opt.Name != nil {
				if n := opt.Name(id); n != "" {
					name = n
				}
			}
			if utf8.RuneCountInString(name) > maxHeadingNameRunes {
				// A heading of four lines on a phone: its first words.
				name = firstWords(name, "", name, maxHeadingNameRunes)
			}
			t := strings.ReplaceAll(title, "{anchor}", name)
			if t == "" {
				t = "Because you viewed " + name
			}
			out = append(out, one(req, t, id)...)
			for _, it := range out[len(out)-1].Items {
				exclude[it.ItemID] = true
			}
			if len(anchors) >= max(opt.MaxAnchors, 1) {
				break
			}
		}
		return out
	case KindCategory:
		cat := spec.Category
		req := base
		forVisit := false
		if cat == "" {
			// The visit's category, else the shopper's favourite.
			if m != nil {
				cat = sessionCategory(m, sh, bought)
			}
			req.ExcludeCategories, req.ExcludeBrands = boughtList(bought), sh.HiddenBrands
			if forVisit = cat != ""; !forVisit && sh.cover != nil && len(sh.Passed) > 0 {
				// A stranger back without having opened anything: no
				// visit to follow, so the row offers the category of the
				// most demand their pages have not reached yet (cover.go),
				// its best sellers across its prices.
				return favouriteCategoryRow(req, sh.cover.categoriesLeft(bought, maxFavouriteTries), func(req Request, cat string) []ComposedSlot {
					req.Category = cat
					req.Strategy = pick(Category)
					return one(req, strings.ReplaceAll(title, "{category}", cat), "")
				})
			}
			if !forVisit {
				return favouriteCategoryRow(req, favouriteCategories(affinity, bought), func(req Request, cat string) []ComposedSlot {
					req.Category = cat
					req.Strategy = Category
					if sh.Personalize && len(affinity) > 0 {
						req.Strategy = Hybrid
					}
					req.Strategy = pick(req.Strategy)
					return one(req, strings.ReplaceAll(title, "{category}", cat), "")
				})
			}
		}
		if cat == "" {
			return nil
		}
		req.Category = cat
		// Without a chosen strategy the row is personal for shoppers with
		// history and the category's best sellers for everyone else.
		req.Strategy = Category
		if sh.Personalize && len(affinity) > 0 {
			req.Strategy = Hybrid
		}
		req.Strategy = pick(req.Strategy)
		if forVisit && req.Strategy == Hybrid {
			// Its own blend: the page's shared hybrid scores do not apply;
			// the visit's rows share theirs.
			req.weights, req.folded = sessionWeights(m), folded.forVisit()
		}
		rows := one(req, strings.ReplaceAll(title, "{category}", cat), "")
		if forVisit && req.Strategy == Hybrid && !sh.IgnoreTrained && !m.KnownUser(user) {
			rows = append(rows, departmentRow(m, sh, req, cat, rows[0].Items, one)...)
		}
		return rows
	}
	req := base
	switch spec.Kind {
	case KindTrending:
		req.Strategy = Trending
	case KindNewArrivals:
		req.Strategy = pick(New)
	case KindPopular:
		req.Strategy = Popular
	default:
		req.Strategy = pick(Hybrid)
		req.ExcludeSeen = true
		req.ExcludeCategories, req.ExcludeBrands = boughtList(bought), sh.HiddenBrands
		if req.Strategy == Hybrid && m != nil && len(sh.visit) > 0 && !sh.IgnoreTrained && !m.KnownUser(user) {
			// A visitor the model never saw: the visit is all the shop
			// knows of them, and its price band and brands show what they
			// are after now (as in the visit's category row).
			req.weights, req.folded = sessionWeights(m), folded.forVisit()
		}
	}
	if spec.Category != "" {
		req.Category = spec.Category
	}
	return one(req, title, "")
}

// departmentRow is the second row of a stranger's visit category row: the
// rest of the department the visit's category belongs to (the category's
// parent), near the visit's prices and brands, its categories spread. One
// click tells the department more surely than the category: a product of a
// neighbouring category is opened for its brand and price too, and a visitor
// who came for two kinds of thing (a tent and a sleeping bag) opened one of
// them. req is the category row's request, items its cards; nil when the
// category has no parent or the row would be empty.
func departmentRow(m *Model, sh Shopper, req Request, cat string, items []Recommendation,
	one func(Request, string, string) []ComposedSlot) []ComposedSlot {
	dept := ""
	for i := len(sh.visit) - 1; i >= 0 && dept == ""; i-- {
		if it, ok := m.Item(sh.visit[i].Item); ok && it.Category == cat && len(it.CategoryPath) >= 2 {
			dept = it.CategoryPath[len(it.CategoryPath)-2]
		}
	}
	if dept == "" {
		return nil
	}
	dreq := req
	dreq.Category = dept
	dreq.ExcludeCategories = append(slices.Clone(req.ExcludeCategories), cat)
	dreq.Exclude = maps.Clone(req.Exclude)
	for _, it := range items {
		dreq.Exclude[it.ItemID] = true
	}
	rows := one(dreq, "More in "+dept, "")
	if len(rows) == 0 || len(rows[0].Items) == 0 {
		return nil
	}
	return rows
}

// maxFavouriteTries bounds how many of a shopper's favourite categories a
// row of their favourite category tries before it stays empty.
const maxFavouriteTries = 4

// favouriteCategoryRow is the row of the first of the shopper's favourite
// categories (favourites, best first) that has something to show: the
// favourite may have nothing left, such as a department whose only
// category the shopper just bought from (left out for a week), which left
// "Top picks in Kids" empty for every buyer of toys, or a category whose
// every product they have already seen. The last row tried when none has.
func favouriteCategoryRow(req Request, favourites []string, row func(Request, string) []ComposedSlot) []ComposedSlot {
	var rows []ComposedSlot
	for i, cat := range favourites {
		if i == maxFavouriteTries {
			break
		}
		if rows = row(req, cat); len(rows) > 0 && len(rows[0].Items) > 0 {
			return rows
		}
	}
	return rows
}

// favouriteCategories are the shopper's categories apart from skip, the
// favourite first (ties by name), none for a shopper without history.
func favouriteCategories(affinity map[string]float64, skip map[string]bool) []string {
	return keysByValue(affinity, func(c string, v float64) bool { return !skip[c] && v > 0 })
}

// keysByValue are m's keys that keep accepts (all when keep is nil), the
// highest value first, ties by key.
func keysByValue[V cmp.Ordered](m map[string]V, keep func(string, V) bool) []string {
	out := make([]string, 0, len(m))
	for k, v := range m {
		if keep == nil || keep(k, v) {
			out = append(out, k)
		}
	}
	slices.SortFunc(out, func(a, b string) int {
		if c := cmp.Compare(m[b], m[a]); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
	return out
}

// topCategory is the shopper's favourite category apart from skip, or ""
// for a shopper without history.
func topCategory(affinity map[string]float64, skip map[string]bool) string {
	best, bestV := "", 0.0
	for c, v := range affinity {
		if skip[c] {
			continue
		}
		if v > bestV || (v == bestV && c < best) {
			best, bestV = c, v
		}
	}
	return best
}

// available applies the caller's live stock check, or the model's
// training-time one.
func available(m *Model, opt ComposeOptions, id string) bool {
	if opt.Available != nil {
		return opt.Available(id)
	}
	if m == nil {
		return true
	}
	it, ok := m.Item(id)
	return ok && it.Active && it.Stock > 0
}

// revisitable is available for the recently viewed row (Revisit).
func revisitable(m *Model, opt ComposeOptions, id string) bool {
	if opt.Revisit != nil {
		return opt.Revisit(id)
	}
	return available(m, opt, id)
}

// hybridRows counts the slots of a page that fill from the hybrid blend, so
// Compose can score the catalog once for all of them.
func hybridRows(page []SlotSpec, personalCategory bool) int {
	n := 0
	for _, sp := range page {
		switch sp.Kind {
		case KindRecommended:
			if st, ok, _ := sp.Kind.ParseSlotStrategy(sp.Strategy); !ok || st == Hybrid {
				n++
			}
		case KindCategory:
			if personalCategory {
				n++
			}
		}
	}
	return n
}
