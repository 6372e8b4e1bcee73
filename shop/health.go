package shop

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"storefront/models"
	"storefront/recommender"
)

// Health is the check a draft layout gets before it is published: the
// draft is composed for a sample of shoppers and what would go wrong for
// them is listed.
type Health struct {
	Sampled []string // who the draft was composed for
	Issues  []HealthIssue
}

// A row "loses most of its products to dedupe" when as many candidates as
// it has places went to rows above it, for most sampled shoppers.

// HealthIssue is one problem, with the slot it is about.
type HealthIssue struct {
	Slot     string // the slot's title
	Severity string // "error" or "warning"
	Message  string
}

// Errors counts the issues of severity "error".
func (h Health) Errors() int {
	n := 0
	for _, is := range h.Issues {
		if is.Severity == "error" {
			n++
		}
	}
	return n
}

// healthSample is how many recently active shoppers the check composes for,
// besides a new visitor.
const healthSample = 6

// CheckLayout composes slots for a new visitor and a sample of recently
// active shoppers at now, and reports empty or short rows, rows that lose
// most of their products to rows above, pins that cannot be shown,
// schedules in the past or overlapping, audiences nobody sampled is in, and
// links for which linkOK says no. Times are written in now's location and
// prices by money (nil: 19.99), as the shop's settings say.
func (s *Shop) CheckLayout(ctx context.Context, slots []models.Slot, now time.Time, linkOK func(string) bool, money func(int64) string) (Health, error) {
	var h Health
	add := func(sl *models.Slot, sev, format string, args ...any) {
		h.Issues = append(h.Issues, HealthIssue{Slot: slotTitle(sl), Severity: sev, Message: fmt.Sprintf(format, args...)})
	}
	viewers, names, err := s.healthViewers(ctx)
	if err != nil {
		return h, err
	}
	h.Sampled = names
	tallies := map[uint]*slotTally{}
	notForThem := map[uint]int{} // slot → sampled shoppers outside its audience
	for i, v := range viewers {
		exp := s.ExplainHome(ctx, v, slots, now)
		for _, sl := range exp.NotForShopper {
			notForThem[sl.ID]++
		}
		mine, order := tallyRows(exp, i == 0, tallies)
		for _, id := range order {
			t, c := tallies[id], mine[id]
			t.seen++
			switch {
			case c.empty == c.n:
				t.empty++
				t.whoEmpty = append(t.whoEmpty, names[i])
			case c.short > 0 || c.empty > 0:
				t.short++
			}
			if c.lost > 0 {
				t.lost++
			}
		}
	}
	for i := range slots {
		sl := &slots[i]
		if !sl.Enabled || sl.EndsAt != nil && now.After(*sl.EndsAt) || sl.StartsAt != nil && now.Before(*sl.StartsAt) {
			if sl.Enabled && sl.EndsAt != nil && now.After(*sl.EndsAt) {
				add(sl, "warning", "Its schedule ended on %s: nobody sees it.", sl.EndsAt.In(now.Location()).Format("Jan 2 15:04 MST"))
			}
			continue
		}
		t := tallies[sl.ID]
		switch {
		case (t == nil || t.seen == 0) && notForThem[sl.ID] > 0:
			add(sl, "warning", "None of the %d sampled shoppers is in its audience (%s).", len(viewers), sl.Audience)
		case (t == nil || t.seen == 0) && s.model.Load() == nil:
			add(sl, "warning", "No model is trained yet, so it is built for nobody; it shows once the first training ends.")
		case t == nil || t.seen == 0:
			add(sl, "warning", "None of the %d sampled shoppers viewed a product it can be built from.", len(viewers))
		case t.empty == t.seen:
			add(sl, "error", "It comes out empty for every sampled shopper.")
		case t.empty > 0:
			add(sl, "warning", "It comes out empty for %s.", strings.Join(t.whoEmpty, ", "))
		}
		if t != nil && t.short > 0 {
			add(sl, "warning", "It shows fewer than half of its %d products for %d of %d sampled shoppers.", sl.Size, t.short, t.seen)
		}
		if t != nil && 2*t.lost > t.seen {
			add(sl, "warning", "For %d of %d sampled shoppers most of its best products are already shown by %s, so it shows its next best. %s",
				t.lost, t.seen, t.takers.rows(), t.takers.advice(sl))
		}
		h.checkPins(s.catalog.Load(), sl, money)
		if sl.Link != "" && linkOK != nil && !linkOK(sl.Link) {
			add(sl, "error", "Its link %s leads to a page that does not exist.", sl.Link)
		}
		for _, cr := range sl.Creatives {
			if linkOK != nil && !linkOK(cr.Link) {
				add(sl, "error", "The link %s of its creative “%s” leads to a page that does not exist.", cr.Link, cr.Title)
			}
		}
	}
	h.checkOverlaps(slots, now)
	return h, nil
}

// healthViewers are the shoppers the layout check composes for: a new
// visitor, then the recently active shoppers who did not opt out, with the
// names the check's report uses.
func (s *Shop) healthViewers(ctx context.Context) ([]Viewer, []string, error) {
	viewers := []Viewer{{Key: "v:health-check"}}
	names := []string{"a new visitor"}
	recent, err := s.db.RecentShoppers(ctx, healthSample)
	if err != nil {
		return nil, nil, err
	}
	for _, sh := range recent {
		if sh.OptOut {
			continue
		}
		viewers = append(viewers, Viewer{Key: sh.ExternalID, ShopperID: sh.ID, LoggedIn: true})
		names = append(names, sh.ExternalID)
	}
	return viewers, names, nil
}

// slotTally is what the layout check found of one slot over the sampled
// shoppers: how many saw it, and for how many it was empty, short or lost
// most of its products to rows above (and to which).
type slotTally struct {
	seen, empty, short, lost int
	whoEmpty                 []string
	takers                   takers
}

// slotRows counts one shopper's rows of one slot: how many, and how many
// of them empty, short or losing most of their products to rows above.
type slotRows struct{ n, empty, short, lost int }

// tallyRows counts one shopper's composed homepage per slot (mine, with
// the slots in page order), and records in tallies which rows took the
// products of rows that lost them. A new visitor's personal rows are not
// counted: they have no history to fill them.
func tallyRows(exp ExplainedHome, newVisitor bool, tallies map[uint]*slotTally) (mine map[uint]*slotRows, order []uint) {
	// The order the rows were filled in for this shopper: collections,
	// then locked rows, then the free ones, each in page order. Only a
	// row filled earlier takes a product from a later one; a product a
	// later row shows is one this row passed over (its pins came first).
	filled := map[uint]int{}
	for k, es := range exp.Slots {
		if _, ok := filled[es.Slot.ID]; !ok {
			filled[es.Slot.ID] = fillRank(es.Slot)*len(exp.Slots) + k
		}
	}
	// A slot may give one shopper several rows ("Because you viewed"
	// once per viewed product): they count as one shopper, empty when
	// every row is, short or lost when one is.
	mine = map[uint]*slotRows{}
	for _, es := range exp.Slots {
		if es.Slot.ID == 0 {
			continue // a department's row the page added: no slot to edit
		}
		t := tallies[es.Slot.ID]
		if t == nil {
			t = &slotTally{}
			tallies[es.Slot.ID] = t
		}
		personal := es.Slot.Type == models.SlotRecentlyViewed || es.Slot.Type == models.SlotBecauseViewed
		if newVisitor && personal {
			continue // a new visitor has no history to fill them: by design
		}
		c := mine[es.Slot.ID]
		if c == nil {
			c = &slotRows{}
			mine[es.Slot.ID] = c
			order = append(order, es.Slot.ID)
		}
		c.n++
		if es.Slot.Type == models.SlotBanner {
			if es.Creative == nil {
				c.empty++
			}
			continue // a banner shows a creative, not products
		}
		size := max(es.Slot.Size, 1)
		if es.Slot.Type == models.SlotHero {
			size = min(size, 3) // a hero shows at most three products
		}
		switch {
		case len(es.Items) == 0 && es.Slot.Type != models.SlotHero:
			c.empty++
		case len(es.Items) < size/2:
			c.short++
		}
		// Products "Recently viewed" shows are ones the shopper saw,
		// which the other rows would not show again anyway.
		taken := func(l Left) bool {
			if l.Why != recommender.LostToSlot || l.In == nil || l.In.Type == models.SlotRecentlyViewed {
				return false
			}
			by, ok := filled[l.In.ID]
			return ok && by < filled[es.Slot.ID]
		}
		lost := 0
		for _, l := range es.Left {
			if taken(l) {
				lost++
			}
		}
		// Most of the row's own best candidates went to other rows.
		if lost >= size {
			c.lost++
			for _, l := range es.Left {
				if taken(l) {
					t.takers.add(l.In, slices.Contains(SplitList(l.In.Pins), l.SKU))
				}
			}
		}
	}
	return mine, order
}

// fillSpec is what of slot sl decides where the homepage fills it
// (recommender.ClaimRank), read as the homepage reads it.
func fillSpec(sl *models.Slot) *recommender.SlotSpec {
	return &recommender.SlotSpec{Kind: recommender.SlotKind(sl.Type), Locked: sl.Locked, Brands: SplitList(sl.Brands),
		MinPrice: sl.MinPrice, MaxPrice: sl.MaxPrice}
}

// fillRank is a slot's place in the order rows are filled: collections,
// then locked rows, then the free ones narrowed to brands or a price
// range, then the other free ones.
func fillRank(sl *models.Slot) int { return recommender.ClaimRank(fillSpec(sl)) }

// narrowed reports whether a free row is narrowed to brands or a price
// range, which fills it before the broad ones.
func narrowed(sl *models.Slot) bool { return fillSpec(sl).Narrowed() }

// takers are the rows that show a row's best products instead of it, with
// how many of them each showed and how many of those it pins.
type takers []taker

type taker struct {
	slot          *models.Slot
	shown, pinned int
}

func (ts *takers) add(sl *models.Slot, pinned bool) {
	i := slices.IndexFunc(*ts, func(t taker) bool { return t.slot.ID == sl.ID })
	if i < 0 {
		*ts = append(*ts, taker{slot: sl})
		i = len(*ts) - 1
	}
	(*ts)[i].shown++
	if pinned {
		(*ts)[i].pinned++
	}
}

// rows names the taking rows, those that took most first.
func (ts takers) rows() string {
	slices.SortStableFunc(ts, func(a, b taker) int { return b.shown - a.shown })
	names := make([]string, 0, len(ts))
	for _, t := range ts {
		names = append(names, "“"+slotTitle(t.slot)+"”")
	}
	return joinAnd(names)
}

// advice says what would give row sl its own best products back. A pinned
// product shows only in the row that pins it, so fewer pins there; the
// products other rows pick themselves go to the row filled first (locked
// rows before free ones, each kind in page order), so moving it above
// them, or filters of its own.
func (ts takers) advice(sl *models.Slot) string {
	var pinning, movable, locked, narrow []string
	picked := false
	for _, t := range ts {
		name := "“" + slotTitle(t.slot) + "”"
		if t.pinned > 0 {
			pinning = append(pinning, name)
		}
		if t.shown == t.pinned {
			continue
		}
		picked = true
		switch {
		case t.slot.Locked && !sl.Locked:
			locked = append(locked, name)
		case !sl.Locked && !t.slot.Locked && narrowed(t.slot) && !narrowed(sl):
			narrow = append(narrow, name)
		case t.slot.Position < sl.Position:
			movable = append(movable, name)
		}
	}
	var out []string
	if len(pinning) > 0 {
		out = append(out, "Some are pinned in "+joinAnd(pinning)+" (a pinned product shows only in the row that pins it): pin fewer there if this row should show them.")
	}
	if !picked {
		return strings.Join(out, " ")
	}
	own := "give it a category, brands or a price range of its own"
	if len(movable) > 0 {
		own = "Move it above " + joinAnd(movable) + ", or " + own
	} else {
		own = strings.ToUpper(own[:1]) + own[1:]
	}
	if len(locked) > 0 {
		verb := "is"
		if len(locked) > 1 {
			verb = "are"
		}
		own += " (" + joinAnd(locked) + " " + verb + " locked, so filled first)"
	}
	if len(narrow) > 0 {
		verb := "is"
		if len(narrow) > 1 {
			verb = "are"
		}
		own += " (" + joinAnd(narrow) + " " + verb + " narrowed to brands or a price range, so filled first)"
	}
	return strings.Join(append(out, own+"."), " ")
}

// joinAnd lists names as "a", "a and b" or "a, b and c".
func joinAnd(names []string) string {
	if len(names) <= 1 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

func (h *Health) checkPins(cat *Catalog, sl *models.Slot, money func(int64) string) {
	var bad []string
	for _, sku := range SplitList(sl.Pins) {
		p, ok := cat.ProductByExt(sku)
		switch {
		case !ok:
			bad = append(bad, sku+" (not in the catalog)")
		case !p.Active:
			bad = append(bad, sku+" (inactive)")
		case p.Stock <= 0:
			bad = append(bad, sku+" (out of stock)")
		case !p.InListings():
			bad = append(bad, sku+" (found by search only)")
		default:
			if why := cat.PinOutsideFilters(sl, p, money); why != "" {
				bad = append(bad, sku+" ("+why+")")
			}
		}
	}
	if len(bad) > 0 {
		h.Issues = append(h.Issues, HealthIssue{Slot: slotTitle(sl), Severity: "warning",
			Message: "Pinned products that cannot be shown: " + strings.Join(bad, ", ") + "."})
	}
}

// checkOverlaps reports scheduled slots of one type and audience whose
// windows overlap: both would show at once, usually a forgotten campaign.
func (h *Health) checkOverlaps(slots []models.Slot, now time.Time) {
	far := now.AddDate(100, 0, 0)
	window := func(sl *models.Slot) (time.Time, time.Time) {
		start, end := time.Time{}, far
		if sl.StartsAt != nil {
			start = *sl.StartsAt
		}
		if sl.EndsAt != nil {
			end = *sl.EndsAt
		}
		return start, end
	}
	var reported []uint
	for i := range slots {
		a := &slots[i]
		if !a.Enabled || a.StartsAt == nil && a.EndsAt == nil {
			continue
		}
		for j := i + 1; j < len(slots); j++ {
			b := &slots[j]
			if !b.Enabled || b.StartsAt == nil && b.EndsAt == nil || a.Type != b.Type || a.Audience != b.Audience || slices.Contains(reported, b.ID) {
				continue
			}
			as, ae := window(a)
			bs, be := window(b)
			if as.Before(be) && bs.Before(ae) {
				reported = append(reported, b.ID)
				h.Issues = append(h.Issues, HealthIssue{Slot: slotTitle(b), Severity: "warning",
					Message: fmt.Sprintf("Its schedule overlaps “%s” (same type and audience): both show at once.", slotTitle(a))})
			}
		}
	}
}

// TitlePlaceholders reads a slot title's placeholders as what each shopper
// sees in their place, for staff pages that name the slot.
var TitlePlaceholders = strings.NewReplacer("{anchor}", "(a viewed product)", "{category}", "(the shopper's category)")

func slotTitle(sl *models.Slot) string {
	if sl.Title != "" {
		return TitlePlaceholders.Replace(sl.Title)
	}
	return "(untitled " + sl.Type + ")"
}
