package recommender

import (
	"slices"
	"strings"
	"time"
	"unicode"
)

// boughtCategories is the set of leaf categories the shopper bought from
// within opt.AfterPurchase, and from whenever in a category the shop's
// buyers seldom buy again (boughtOnce): personal rows offer complements to
// those purchases instead of substitutes.
func boughtCategories(m *Model, purchases []Event, opt ComposeOptions) map[string]bool {
	if m == nil || len(purchases) == 0 || opt.AfterPurchase <= 0 {
		return nil
	}
	now := opt.Now
	if now.IsZero() {
		now = time.Now()
	}
	out := map[string]bool{}
	for _, e := range purchases {
		if e.Type != Purchase {
			continue
		}
		if it, ok := m.Item(e.Item); ok && it.Category != "" && (now.Sub(e.Time) <= opt.AfterPurchase || m.boughtOnce(it.Category)) {
			out[it.Category] = true
		}
	}
	return out
}

func boughtList(bought map[string]bool) []string {
	if len(bought) == 0 {
		return nil
	}
	out := make([]string, 0, len(bought))
	for c := range bought {
		out = append(out, c)
	}
	slices.Sort(out)
	return out
}

// explainRows moves a reason every card of a row shares into the row's
// Reason (a page shows it under the heading unless the heading says it
// already, RepeatsHeading), keeps rows that are not built from the shopper's history
// from saying "for you", and keeps headings from claiming what no card
// backs (honestTitle), nor, when the model's data ended long before it was
// trained (current false: an old export imported), that anything sells
// "now" (timelessTitle).
func explainRows(rows []ComposedSlot, current bool) {
	for i := range rows {
		cs := &rows[i]
		if cs.Subtitle == "" {
			cs.Subtitle = cs.Spec.Subtitle
		}
		if cs.Spec.Kind == KindHero {
			continue
		}
		cs.Personal = cs.Anchor != "" || cs.Spec.Kind == KindRecentlyViewed
		for _, it := range cs.Items {
			cs.Personal = cs.Personal || it.Personal
		}
		if shared := sharedReason(cs.Items); shared != "" && len(cs.Items) > 1 {
			for k := range cs.Items {
				cs.Items[k].Reason = ""
			}
			// The heading of a recently-viewed row already says it.
			if cs.Spec.Kind != KindRecentlyViewed {
				cs.Reason = shared
			}
		}
	}
	for i := range rows {
		cs := &rows[i]
		if cs.Spec.Kind != KindHero && !cs.Personal && SaysForYou(cs.Title) {
			cs.Title = "Popular right now"
			if !current {
				cs.Title = timelessPopular(rows, i, "")
			}
			// The shared reason becomes the heading, unless another row
			// of the page is headed or captioned so: a visitor without
			// history got two rows headed "Trending now", one after the
			// other, or "Popular this week" right under "Best sellers",
			// captioned "Popular this week".
			if cs.Reason != "" && !namedElsewhere(rows, i, cs.Reason) {
				cs.Title = cs.Reason
				if cs.Reason == reasonNew {
					cs.Title = "New arrivals" // a heading over several
				}
			}
		}
		honestTitle(rows, i)
		if !current {
			timelessTitle(rows, i)
		}
	}
	for i := range rows {
		if headedAbove(rows, i) {
			// Its cards are the shop's all the same; left off only when
			// that heading is above too.
			rows[i].Title = reasonOurRange
			if headedAbove(rows, i) {
				rows[i].Items = nil
			}
		}
	}
}

// headedAbove reports whether a row above rows[i] has its heading, plural
// aside: a heading a page would show twice. A shop whose every product is
// new and none sold headed its best sellers "New arrivals" (honestTitle),
// a new visitor's row "New arrival" (their cards' shared reason) and its
// own new arrivals row "New arrivals" again, under the one card the rows
// above had left; such a row is now headed "From our range", or left off
// when a row above is. The hero and banners have headings of their own.
func headedAbove(rows []ComposedSlot, i int) bool {
	kept := func(cs *ComposedSlot) bool {
		return !cs.Empty() && cs.Spec.Kind != KindHero && cs.Spec.Kind != KindBanner && strings.TrimSpace(cs.Title) != ""
	}
	if !kept(&rows[i]) {
		return false
	}
	for k := range i {
		if kept(&rows[k]) && RepeatsHeading(rows[k].Title, rows[i].Title) && RepeatsHeading(rows[i].Title, rows[k].Title) {
			return true
		}
	}
	return false
}

// honestTitle keeps rows[i]'s heading (and a hero's subtitle) from claiming
// popularity ("Best sellers", "Trending now", "Popular in Candles", "Our
// most popular picks") or newness ("New arrivals") that none of its cards
// has: a shop imported without events, or whose products are years old,
// fills such rows from its range, each card saying so ("From our range",
// "More in Candles"). The heading becomes what the cards share ("From our
// range", "More in Candles", "New arrivals" when they are all new), and a
// row whose new heading an earlier row already has is emptied (left off
// the page): the cards of a row that has nothing to say are no better
// than those of the row above. A heading some card backs stays, the
// merchant's own included; so do personal rows and collections.
func honestTitle(rows []ComposedSlot, i int) {
	cs := &rows[i]
	switch {
	case len(cs.Items) == 0 || cs.Personal || cs.Spec.Kind == KindCollection || cs.Spec.Kind == KindBanner:
		return
	case cs.Spec.Kind == KindHero:
		if claimsSignal(cs.Subtitle) && !backed(cs, cs.Subtitle) {
			cs.Subtitle = "Picks from our range."
			if c := cs.Spec.Category; c != "" {
				cs.Subtitle = "Picks from our " + c + " range."
			}
		}
		return
	}
	if !claimsSignal(cs.Title) || backed(cs, cs.Title) {
		return
	}
	title := reasonOurRange
	switch shared := cs.Reason; {
	case shared == reasonNew:
		title = "New arrivals"
	case rangeReason(shared):
		title = shared
	}
	cs.Title = title
	for k := range i {
		if !rows[k].Empty() && strings.EqualFold(rows[k].Title, title) {
			cs.Items = nil
			return
		}
	}
}

// timelessTitle keeps rows[i]'s heading (and a hero's subtitle) from
// saying its products sell now ("Trending now", "Popular right now", "Best
// sellers this week") when the model's data ended long before training: a
// shop imported from an export a year old ranks by its history's last
// days, and its cards say "Popular with shoppers", not "this week". The
// heading becomes what the cards share when that is popularity ("Popular
// in Candles"), else "Popular with shoppers", or "More popular picks"
// where another row of the page is headed or captioned so already.
// Personal rows, collections and banners keep their headings.
func timelessTitle(rows []ComposedSlot, i int) {
	cs := &rows[i]
	if cs.Personal || cs.Spec.Kind == KindCollection || cs.Spec.Kind == KindBanner {
		return
	}
	if cs.Spec.Kind == KindHero {
		if claimsPopularity(cs.Subtitle) && claimsNow(cs.Subtitle) {
			cs.Subtitle = "Popular with our shoppers."
		}
		return
	}
	if !claimsPopularity(cs.Title) || !claimsNow(cs.Title) {
		return
	}
	prefer := ""
	if strings.HasPrefix(cs.Reason, "Popular") && !claimsNow(cs.Reason) {
		prefer = cs.Reason
	}
	cs.Title = timelessPopular(rows, i, prefer)
}

// timelessPopular is a heading of popularity that says nothing of when
// for rows[i]: prefer when given, else the first of a few that no other
// row of the page is headed or captioned with (two rows of an old
// history's page, one headed "Popular with shoppers" over another
// captioned so, said the same twice).
func timelessPopular(rows []ComposedSlot, i int, prefer string) string {
	names := []string{reasonPopularTimeless, "More popular picks", "Shoppers' favourites"}
	if prefer != "" {
		names = append([]string{prefer}, names...)
	}
	for _, n := range names {
		if !namedElsewhere(rows, i, n) {
			return n
		}
	}
	return names[len(names)-1]
}

// claimsNow reports whether a heading speaks of the present: "now",
// "today", "this week", "trending".
func claimsNow(s string) bool {
	if mentions(s, "this week", "this month", "today", "tonight", "trending", "at the moment") {
		return true
	}
	return slices.Contains(strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) }), "now")
}

// claimsPopularity and claimsNewness report whether a heading says its
// products sell, or are new.
func claimsPopularity(s string) bool {
	return mentions(s, "popular", "best sell", "bestsell", "best-sell", "top sell", "trending", "most loved", "favourite", "favorite")
}

func claimsNewness(s string) bool {
	return mentions(s, "new arrival", "just in", "new in", "newest", "latest")
}

// mentions reports whether s holds any of words (lower case), in any case.
func mentions(s string, words ...string) bool {
	t := strings.ToLower(s)
	return slices.ContainsFunc(words, func(w string) bool { return strings.Contains(t, w) })
}

func claimsSignal(s string) bool { return claimsPopularity(s) || claimsNewness(s) }

// rangeReason reports whether a card's reason says only that the product
// is for sale (NewnessReason of a product that is no new arrival).
func rangeReason(r string) bool { return r == reasonOurRange || strings.HasPrefix(r, reasonMoreIn) }

// backed reports whether a card of the row has the signal claim speaks of:
// any reason but the range's backs a claim of popularity, except a new
// arrival's, which backs a claim of newness alone.
func backed(cs *ComposedSlot, claim string) bool {
	fresh := claimsNewness(claim)
	for _, it := range cs.Items {
		r := it.Reason
		if r == "" {
			r = cs.Reason
		}
		switch {
		case r == "" || rangeReason(r):
		case r == reasonNew:
			if fresh {
				return true
			}
		default:
			return true
		}
	}
	return false
}

// namedElsewhere reports whether a row of the page other than rows[i] is
// headed name, or shows it as its caption.
func namedElsewhere(rows []ComposedSlot, i int, name string) bool {
	name = strings.TrimSpace(name)
	for k := range rows {
		if k == i {
			continue
		}
		if strings.EqualFold(strings.TrimSpace(rows[k].Title), name) ||
			strings.EqualFold(strings.TrimSpace(rows[k].Reason), name) && !RepeatsHeading(rows[k].Reason, rows[k].Title) {
			return true
		}
	}
	return false
}

// RepeatsHeading reports whether a row's shared reason says no more than
// its heading: every word of the reason is a word of the heading, plural
// or not ("New arrival" under "New arrivals", "Trending now" under
// "Trending now"). Pages leave such a caption out; one that adds
// something ("Popular this week" under "Best sellers") stays.
func RepeatsHeading(reason, title string) bool {
	words := func(s string) []string {
		f := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
			return !unicode.IsLetter(r) && !unicode.IsDigit(r)
		})
		for i, w := range f {
			if len(w) > 3 {
				f[i] = strings.TrimSuffix(w, "s")
			}
		}
		return f
	}
	rw, tw := words(reason), words(title)
	if len(rw) == 0 {
		return false
	}
	for _, w := range rw {
		if !slices.Contains(tw, w) {
			return false
		}
	}
	return true
}

// SaysForYou reports whether a heading claims to be personal.
func SaysForYou(title string) bool {
	t := strings.ToLower(title)
	return strings.Contains(t, "for you") || strings.Contains(t, "you might like") || strings.Contains(t, "your picks")
}

func sharedReason(items []Recommendation) string {
	if len(items) == 0 {
		return ""
	}
	r := items[0].Reason
	for _, it := range items[1:] {
		if it.Reason != r {
			return ""
		}
	}
	return r
}

// maxSameLead is how many consecutive rows one category may lead.
const maxSameLead = 2

// varyRows keeps more than maxSameLead consecutive rows from being led by
// the same category (a toy buyer's page of four puzzle rows): a row that
// would make a third is swapped with the next free row led by something
// else. Locked rows keep their place, and so do the rows that follow the
// visit in progress: a visitor who opened two jackets gets the jackets row
// and what goes with each jacket before anything else. A row's lead is the
// leaf category of most of its cards.
func varyRows(m *Model, rows []ComposedSlot) []ComposedSlot {
	if m == nil || len(rows) <= maxSameLead {
		return rows
	}
	leads := make([]string, len(rows))
	for i := range rows {
		leads[i] = LeadCategory(m, rows[i])
	}
	sameRun := func(p int) bool { // rows p-maxSameLead..p share one lead
		if p < maxSameLead || leads[p] == "" {
			return false
		}
		for k := 1; k <= maxSameLead; k++ {
			if leads[p-k] != leads[p] {
				return false
			}
		}
		return true
	}
	for p := maxSameLead; p < len(rows); p++ {
		if !sameRun(p) || rows[p].Spec.Locked || rows[p].visit {
			continue
		}
		for q := p + 1; q < len(rows); q++ {
			if rows[q].Spec.Locked || leads[q] == leads[p] {
				continue
			}
			// Move row q up to p; the free rows in between move down one.
			var free []int
			for k := p; k <= q; k++ {
				if !rows[k].Spec.Locked {
					free = append(free, k)
				}
			}
			row, lead := rows[q], leads[q]
			for k := len(free) - 1; k > 0; k-- {
				rows[free[k]], leads[free[k]] = rows[free[k-1]], leads[free[k-1]]
			}
			rows[p], leads[p] = row, lead
			break
		}
	}
	return rows
}

// LeadCategory is the leaf category most of a row's cards belong to (the
// earliest card breaks ties), or "" for the hero and rows the model does not
// know.
func LeadCategory(m *Model, row ComposedSlot) string {
	if m == nil || row.Spec.Kind == KindHero {
		return ""
	}
	count := map[string]int{}
	best, bestN := "", 0
	for _, it := range row.Items {
		item, ok := m.Item(it.ItemID)
		if !ok || item.Category == "" {
			continue
		}
		count[item.Category]++
		if n := count[item.Category]; n > bestN {
			best, bestN = item.Category, n
		}
	}
	return best
}

// lonelyRow reports whether a row the model fills was left one card of the
// several it asked for when the rows above took the rest: a single card
// under a heading looks like a mistake, not a choice (an imported shop's
// last row, "From our range" over one bath tray). A row that has one card
// to show however the page is filled (a brand's only product) keeps it;
// so do the hero, banners, the merchandiser's collections and pinned
// rows, the shopper's own recently viewed products, and a row of what goes
// with a product they viewed (the one card is still about it).
func lonelyRow(m *Model, cs *ComposedSlot) bool {
	switch cs.Spec.Kind {
	case KindHero, KindBanner, KindCollection, KindRecentlyViewed:
		return false
	}
	if m == nil || len(cs.Items) != 1 || cs.req.N < 2 || len(cs.Spec.Pins) > 0 || cs.Anchor != "" {
		return false
	}
	alone := cs.req
	alone.N, alone.cover = 2, nil
	alone.Exclude = make(map[string]bool, len(cs.Spec.Excludes))
	for _, x := range cs.Spec.Excludes {
		alone.Exclude[x] = true
	}
	return len(m.Recommend(alone)) > 1
}

// rowsOfSlot is how many of a page's rows slot idx filled (from is each
// row's slot).
func rowsOfSlot(from []int, idx int) int {
	n := 0
	for _, f := range from {
		if f == idx {
			n++
		}
	}
	return n
}
