package recommender

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"time"
)

// catalog is the dense encoding of the item side, shared by every model.
type catalog struct {
	items      []Item
	index      map[string]int32
	categories []string         // distinct category names
	catIndex   map[string]int32 // name → category id
	itemCats   [][]int32        // per item: category ids on its path (root..leaf, plus Category)
	leafCat    []int32          // per item: leaf category id or -1
	rootCat    []int32          // per item: itemCats[i][0] or -1, flat for per-product loops
	catSize    []int32          // per category: how many items it holds (anywhere on their path)
	// inCat and inLeaf list each category's items (anywhere on their path;
	// as their leaf), so that what marks a category's items reads the
	// category, not the catalog.
	inCat, inLeaf groups
}

// groups lists the items of each group: group g's are
// items[start[g]:start[g+1]], in catalog order.
type groups struct {
	start, items []int32
}

// of returns group g's items (none for a group out of range).
func (g *groups) of(c int32) []int32 {
	if c < 0 || int(c)+1 >= len(g.start) {
		return nil
	}
	return g.items[g.start[c]:g.start[c+1]]
}

// groupItems builds the groups of n groups from each item's ids (each
// passes its groups to emit).
func groupItems(n, items int, each func(i int, emit func(g int32))) groups {
	g := groups{start: make([]int32, n+1)}
	for i := range items {
		each(i, func(c int32) { g.start[c+1]++ })
	}
	for c := range n {
		g.start[c+1] += g.start[c]
	}
	g.items = make([]int32, g.start[n])
	next := slices.Clone(g.start[:n])
	for i := range items {
		each(i, func(c int32) { g.items[next[c]] = int32(i); next[c]++ })
	}
	return g
}

func newCatalog(d Dataset) catalog {
	c := catalog{index: make(map[string]int32), catIndex: make(map[string]int32)}
	add := func(it Item) {
		if _, dup := c.index[it.ID]; dup || it.ID == "" {
			return
		}
		c.index[it.ID] = int32(len(c.items))
		c.items = append(c.items, it)
	}
	for _, it := range d.Items {
		add(it)
	}
	if len(d.Items) == 0 {
		// No catalog given (benchmarks, tests): derive items from the events
		// and treat them as available.
		for _, e := range d.Events {
			add(Item{ID: e.Item, Title: e.Item, Active: true, Stock: 1})
		}
	}
	c.itemCats = make([][]int32, len(c.items))
	c.leafCat = make([]int32, len(c.items))
	c.rootCat = make([]int32, len(c.items))
	for i, it := range c.items {
		var ids []int32
		names := it.CategoryPath
		if it.Category != "" && !slices.Contains(names, it.Category) {
			names = append(slices.Clip(names), it.Category)
		}
		for _, name := range names {
			if name == "" {
				continue
			}
			id, ok := c.catIndex[name]
			if !ok {
				id = int32(len(c.categories))
				c.catIndex[name] = id
				c.categories = append(c.categories, name)
			}
			if !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
		c.itemCats[i] = ids
		for _, id := range ids {
			for int(id) >= len(c.catSize) {
				c.catSize = append(c.catSize, 0)
			}
			c.catSize[id]++
		}
		c.rootCat[i] = -1
		if len(ids) > 0 {
			c.rootCat[i] = ids[0]
		}
		c.leafCat[i] = -1
		if it.Category != "" {
			c.leafCat[i] = c.catIndex[it.Category]
		} else if len(ids) > 0 {
			c.leafCat[i] = ids[len(ids)-1]
		}
	}
	nc := len(c.categories)
	c.inCat = groupItems(nc, len(c.items), func(i int, emit func(int32)) {
		for _, id := range c.itemCats[i] {
			emit(id)
		}
	})
	c.inLeaf = groupItems(nc, len(c.items), func(i int, emit func(int32)) {
		if c.leafCat[i] >= 0 {
			emit(c.leafCat[i])
		}
	})
	return c
}

func (c *catalog) inCategory(item int32, cat int32) bool {
	return slices.Contains(c.itemCats[item], cat)
}

// compactEvent is an event after id encoding, filtering and de-duplication.
type compactEvent struct {
	user, item int32
	typ        EventType
	value      float32 // the event's Value (a rating in a ratings shop)
	unix       int64   // seconds
}

// signals is the cleaned behaviour: the weighted interaction matrix in both
// orientations plus the events that fed it (for popularity and trending).
type signals struct {
	userIDs   []string
	userIndex map[string]int32
	ui, iu    csr
	kind      []EventType // strongest event type per ui entry
	// pref is each ui entry's rating against the shopper's own mean, as a
	// weight (ratingScale.preference), in a shop whose events carry ratings;
	// nil otherwise.
	pref    []float32
	ratings ratingScale
	// burst is each product's weight in a shopper's tastes (burstWeights);
	// nil when no product came in a wave.
	burst []float32
	// events are the cleaned events by shopper, then product, type and
	// time; byTime the same events by shopper, then time, events on one
	// timestamp in the order given (the file's). What reads a shopper's
	// events as a sequence (what came before, what came next) reads
	// byTime.
	events, byTime []compactEvent
	now            time.Time

	rawEvents, droppedUnknown, droppedBots, droppedDuplicates int
	botUsers                                                  int
	dropped                                                   []DroppedUser
	cleaning                                                  []string // what cleaning did and assumed, in words
}

// buildSignals encodes ids, drops bots and unknown items, collapses repeats
// and builds r_ui = Σ weight(type)·decay(age), capped at cfg.MaxStrength.
func buildSignals(d Dataset, cat *catalog, cfg Config) signals {
	s := signals{userIndex: make(map[string]int32), rawEvents: len(d.Events), now: d.end()}

	// Encode users in order of first appearance; keep events with a known
	// item and a type that carries weight.
	rawUser := make(map[string]int32)
	var rawIDs []string
	evs := make([]compactEvent, 0, len(d.Events))
	for _, e := range d.Events {
		if e.Type >= numEventTypes || cfg.TypeWeights[e.Type] <= 0 || e.User == "" {
			continue
		}
		it, ok := cat.index[e.Item]
		if !ok {
			s.droppedUnknown++
			continue
		}
		u, ok := rawUser[e.User]
		if !ok {
			u = int32(len(rawIDs))
			rawUser[e.User] = u
			rawIDs = append(rawIDs, e.User)
		}
		evs = append(evs, compactEvent{user: u, item: it, typ: e.Type, value: float32(e.Value), unix: e.Time.Unix()})
	}

	// Bot guard: decided from this shop's own distribution of users.
	raw := evs
	evs = sortByUserTime(evs, len(rawIDs))
	bot := make([]bool, len(rawIDs))
	if cfg.BotGuard {
		g := newBotGuard(evs)
		s.cleaning = append(s.cleaning, g.clockNotes...)
		for _, d := range g.dropped {
			bot[d.user] = true
			s.botUsers++
			s.droppedBots += d.events
			if len(s.dropped) < maxDroppedReported {
				s.dropped = append(s.dropped, DroppedUser{User: rawIDs[d.user], Events: d.events, Reason: d.reason})
			}
		}
		if s.botUsers > 0 {
			s.cleaning = append(s.cleaning, fmt.Sprintf("dropped %d user(s) with %d events as bots: %s", s.botUsers, s.droppedBots, g.rule))
		} else {
			s.cleaning = append(s.cleaning, "no user dropped as a bot ("+g.rule+")")
		}
	}

	// De-duplicate: same user, item and type within DedupWindow of the last
	// counted event count once. evs keeps each shopper's events in time
	// order, ties in the order given (the file's: on a coarse clock the
	// only order there is), for what reads them as a sequence (s.byTime);
	// byItem holds the same events by product, then type and time, for the
	// strengths.
	window := int64(cfg.DedupWindow / time.Second)
	byItem := raw[:0] // the events as given are not read again: their room holds them by product
	kept := 0
	var perm []int32
	var dup []bool
	for lo := 0; lo < len(evs); {
		hi := lo + 1
		for hi < len(evs) && evs[hi].user == evs[lo].user {
			hi++
		}
		run := evs[lo:hi]
		lo = hi
		if bot[run[0].user] {
			continue
		}
		perm = perm[:0]
		for k := range run {
			perm = append(perm, int32(k))
		}
		slices.SortFunc(perm, func(a, b int32) int {
			x, y := &run[a], &run[b]
			return cmp.Or(cmp.Compare(x.item, y.item), cmp.Compare(x.typ, y.typ), cmp.Compare(x.unix, y.unix), cmp.Compare(a, b))
		})
		dup = append(dup[:0], make([]bool, len(run))...)
		start := len(byItem)
		for _, k := range perm {
			e := run[k]
			if window > 0 && len(byItem) > start {
				if p := byItem[len(byItem)-1]; p.item == e.item && p.typ == e.typ && e.unix-p.unix < window {
					s.droppedDuplicates++
					dup[k] = true
					continue
				}
			}
			byItem = append(byItem, e)
		}
		// The kept events in time order, written over the runs already read.
		for k, e := range run {
			if !dup[k] {
				evs[kept] = e
				kept++
			}
		}
	}
	byTime := evs[:kept]
	evs = byItem

	// Re-encode surviving users densely and aggregate strengths. evs is
	// sorted by user then item, so each (user, item) run is contiguous.
	nowUnix := s.now.Unix()
	s.burst = burstWeights(evs, len(cat.items), nowUnix, cfg.BurstPower)
	if s.burst != nil {
		waves := 0
		for _, w := range s.burst {
			if w < 0.5 {
				waves++
			}
		}
		if waves > 0 {
			s.cleaning = append(s.cleaning, fmt.Sprintf("%d product(s) came in a wave (most of their shoppers in one week): each weighs under half a product in a shopper's tastes", waves))
		}
	}
	s.ratings = detectRatings(evs)
	weighRatings := s.ratings.ok && cfg.RatingGain > 0
	var userMean float64
	var prefs []float32
	dense := make([]int32, len(rawIDs))
	for i := range dense {
		dense[i] = -1
	}
	indptr := []int32{0}
	var indices []int32
	var data []float32
	var kinds []EventType
	for lo := 0; lo < len(evs); {
		u := evs[lo].user
		if dense[u] < 0 {
			dense[u] = int32(len(s.userIDs))
			s.userIndex[rawIDs[u]] = dense[u]
			s.userIDs = append(s.userIDs, rawIDs[u])
		}
		hi := lo
		if weighRatings {
			userMean = s.ratings.userMean(evs[lo:], u)
		}
		for hi < len(evs) && evs[hi].user == u {
			it := evs[hi].item
			var r, vsum float64
			var vn int
			var strongest EventType
			for hi < len(evs) && evs[hi].user == u && evs[hi].item == it {
				e := evs[hi]
				r += cfg.TypeWeights[e.typ] * interactionDecay(nowUnix-e.unix, cfg)
				strongest = max(strongest, e.typ)
				if e.value != 0 {
					vsum, vn = vsum+float64(e.value), vn+1
				}
				hi++
			}
			if weighRatings {
				p := 1.0
				if vn > 0 {
					p = s.ratings.preference(vsum/float64(vn), userMean, cfg.RatingGain)
				}
				prefs = append(prefs, float32(p))
			}
			if cfg.MaxStrength > 0 && r > cfg.MaxStrength {
				r = cfg.MaxStrength
			}
			if s.burst != nil {
				r *= float64(s.burst[it])
			}
			indices = append(indices, it)
			data = append(data, float32(r))
			kinds = append(kinds, strongest)
		}
		indptr = append(indptr, int32(len(indices)))
		lo = hi
	}
	for k := range evs {
		evs[k].user = dense[evs[k].user]
	}
	for k := range byTime {
		byTime[k].user = dense[byTime[k].user]
	}
	s.events, s.byTime = evs, byTime
	s.ui = csr{rows: len(s.userIDs), cols: len(cat.items), indptr: indptr, indices: indices, data: data}
	s.kind = kinds
	s.pref = prefs
	if weighRatings {
		s.cleaning = append(s.cleaning, s.ratings.String())
	}
	s.iu = s.ui.transpose()
	return s
}

// interactionDecay weighs an interaction by its age, never below the
// configured floor: a purchase from last year still says something about
// a shopper, just less than yesterday's.
func interactionDecay(ageSeconds int64, cfg Config) float64 {
	f := min(max(cfg.DecayFloor, 0), 1)
	return f + (1-f)*decay(ageSeconds, cfg.HalfLife)
}

// decay is 0.5^(age/halfLife); events from the future count fully.
func decay(ageSeconds int64, halfLife time.Duration) float64 {
	if halfLife <= 0 || ageSeconds <= 0 {
		return 1
	}
	return math.Exp2(-float64(ageSeconds) / halfLife.Seconds())
}

// sortByUserTime orders events by user, then time: a counting sort by user
// (stable, so events already in time order, as a shop's are, stay so),
// then each user's run sorted by time only where it is not already.
func sortByUserTime(evs []compactEvent, users int) []compactEvent {
	start := make([]int, users+1)
	for _, e := range evs {
		start[e.user+1]++
	}
	for u := 1; u <= users; u++ {
		start[u] += start[u-1]
	}
	out := make([]compactEvent, len(evs))
	for _, e := range evs {
		out[start[e.user]] = e
		start[e.user]++
	}
	byTime := func(a, b compactEvent) int { return cmp.Compare(a.unix, b.unix) }
	forEachUserRun(out, func(run []compactEvent) {
		if !slices.IsSortedFunc(run, byTime) {
			slices.SortStableFunc(run, byTime)
		}
	})
	return out
}

// forEachUserRun calls f on each run of events of one user in evs (sorted
// by user).
func forEachUserRun(evs []compactEvent, f func(run []compactEvent)) {
	for lo := 0; lo < len(evs); {
		hi := lo + 1
		for hi < len(evs) && evs[hi].user == evs[lo].user {
			hi++
		}
		f(evs[lo:hi])
		lo = hi
	}
}

// ratingScale is what the events' values say: in a shop whose events
// carry ratings — a value on most events, every value on a small scale of
// whole or half points (1–5, 0–10) — a rating below the shopper's own mean
// is a product they liked less than their usual, and it weighs less in
// their profile. Purchase amounts (money, a different number on almost
// every order), quantities (order lines: 1 more often than any other
// number, so a single loaf is not a dislike; or a value on cart events:
// nobody rates what is still in their cart) or a value on a few events
// leave ok false.
type ratingScale struct {
	ok       bool
	lo, hi   float32
	mean     float64 // over every rated event
	rated, n int     // events with a value, events
}

// detectRatings decides from the events whether their values are ratings.
func detectRatings(evs []compactEvent) ratingScale {
	r := ratingScale{n: len(evs), lo: float32(math.Inf(1)), hi: float32(math.Inf(-1))}
	distinct := map[float32]int{} // events per value, up to maxRatingSteps+1 values
	var sum float64
	carts := 0 // events with a value that are a cart's
	for _, e := range evs {
		if e.value == 0 {
			continue
		}
		r.rated++
		if e.typ == AddToCart {
			carts++
		}
		sum += float64(e.value)
		r.lo, r.hi = min(r.lo, e.value), max(r.hi, e.value)
		if _, ok := distinct[e.value]; ok || len(distinct) <= maxRatingSteps {
			distinct[e.value]++
		}
		if e.value*2 != float32(math.Round(float64(e.value)*2)) || e.value < 0 || e.value > 10 {
			return ratingScale{}
		}
	}
	if r.rated == 0 || float64(r.rated) < ratingShare*float64(r.n) || len(distinct) < 2 || len(distinct) > maxRatingSteps ||
		float64(carts) > cartValueShare*float64(r.rated) {
		return ratingScale{}
	}
	// Quantities are mostly the least of them (one of each); on a rating
	// scale the lowest mark is the rarest or near it (MovieLens: 1 star on
	// 6 % of ratings, 4 stars on 34 %).
	lowest := distinct[r.lo]
	quantities := true
	for v, n := range distinct {
		if v != r.lo && n >= lowest {
			quantities = false
			break
		}
	}
	if quantities {
		return ratingScale{}
	}
	r.ok, r.mean = true, sum/float64(r.rated)
	return r
}

const (
	ratingShare    = 0.8 // the least share of events with a value for a ratings shop
	cartValueShare = 0.1 // above this share of the values on cart events, they are quantities
	maxRatingSteps = 21  // the most distinct values a rating scale has (0–10 in half points)
	ratingPrior    = 3   // a shopper's mean rating is shrunk toward the shop's with this many ratings' weight
)

// userMean is the shopper's mean rating, over the run of their events that
// starts evs (sorted by user), shrunk toward the shop's mean so a shopper
// with two ratings is not judged by them alone.
func (r ratingScale) userMean(evs []compactEvent, u int32) float64 {
	sum, n := r.mean*ratingPrior, float64(ratingPrior)
	for _, e := range evs {
		if e.user != u {
			break
		}
		if e.value != 0 {
			sum, n = sum+float64(e.value), n+1
		}
	}
	return sum / n
}

// preference is the weight of a product the shopper rated v, against their
// own mean: 2^(gain × points from the mean), a point a quarter of the
// scale's range (one star on 1–5), between ⅛ and 2.
func (r ratingScale) preference(v, mean, gain float64) float64 {
	if gain <= 0 {
		return 1
	}
	step := float64(r.hi-r.lo) / 4 // one point on a 1–5 scale
	return min(max(math.Exp2(gain*(v-mean)/step), 0.125), 2)
}

func (r ratingScale) String() string {
	return fmt.Sprintf("the events carry ratings (%d of %d have a value, %g–%g, mean %.2f): a product rated below the shopper's own mean weighs less in their profile",
		r.rated, r.n, r.lo, r.hi, r.mean)
}
