package recommender

import (
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"
)

// Reasons are read on a phone under a small product card, so they stay short
// (about six words) and name what a shopper recognises: the same kind of
// thing they looked at ("Like the dome tent you viewed"), something that
// goes with it ("Goes with your hiking backpack"), a category they browse
// ("Because you like Tents"), or what is popular. A history item is named
// only when the recommended item is plainly related to it: the same leaf
// category, a shared department, or a strong co-purchase/co-view neighbour.
// Anything else would be true but baffling (wall art "because you added a
// hiking backpack"), so it is explained by the shopper's category interest,
// or simply as picked for them.

// Reasons that do not name anything.
const (
	reasonPickedForYou = "Picked for you"
	reasonPinned       = "Pinned by our team"
	reasonTrending     = "Trending now"
	// reasonPopularTimeless is popularity over data that ended long ago.
	reasonPopularTimeless = "Popular with shoppers"
	reasonNew             = "New arrival"
	reasonOurRange        = "From our range"
	reasonMoreIn          = "More in " // + a category: a product the row's category holds, and no more
)

// NewArrivalAge is how old a product may be, on the latest day the model
// knows (or, with no model, today), and still be called a new arrival.
const NewArrivalAge = 90 * 24 * time.Hour

// NewnessReason explains a product picked because it is among the newest
// (a row of new arrivals, or a row filled past what is popular) as of
// now: "New arrival" while it is one. A shop without recent launches
// still fills such rows newest first, and a product created two years
// before is no new arrival: it is said to be in the row's category
// (category, "" for none), or in the shop's range. A zero now calls every
// product with a creation time new.
func NewnessReason(created, now time.Time, category string) string {
	if newAt(created, now) {
		return reasonNew
	}
	if category != "" {
		return reasonMoreIn + category
	}
	return reasonOurRange
}

// newAt reports whether a product created then is a new arrival at now.
func newAt(created, now time.Time) bool {
	return !created.IsZero() && (now.IsZero() || now.Sub(created) <= NewArrivalAge)
}

// newReason is NewnessReason on the model's latest day: its data's last
// event, or when it was trained if it had none.
func (m *Model) newReason(created time.Time, category string) string {
	return NewnessReason(created, m.latestDay(), category)
}

func (m *Model) isNewArrival(created time.Time) bool { return newAt(created, m.latestDay()) }

func (m *Model) latestDay() time.Time {
	if m.DataNow.IsZero() {
		return m.TrainedAt
	}
	return m.DataNow
}

// relation is how a recommended item relates to a history item.
type relation uint8

const (
	unrelated    relation = iota
	sameKind              // same leaf category: an alternative to it
	goesWith              // a strong co-purchase or co-view neighbour
	sameDivision          // shares a department (a parent category) only
)

// strongNeighbours is how many of an item's best co-purchase and co-view
// neighbours count as going with it.
const strongNeighbours = 20

func (m *Model) relate(i, j int32) relation {
	if i < 0 || j < 0 {
		return unrelated
	}
	// Bought together is a complement even within one category (boots
	// and socks filed under Footwear).
	if m.strongNeighbour(&m.bought, i, j) {
		return goesWith
	}
	if li := m.cat.leafCat[i]; li >= 0 && li == m.cat.leafCat[j] {
		return sameKind
	}
	if m.strongNeighbour(&m.knn, i, j) {
		return goesWith
	}
	for _, c := range m.cat.itemCats[i] {
		if c != m.cat.leafCat[i] && slices.Contains(m.cat.itemCats[j], c) {
			return sameDivision
		}
	}
	return unrelated
}

func (m *Model) strongNeighbour(nb *csr, i, j int32) bool {
	if nb.rows == 0 || int(i) >= nb.rows {
		return false
	}
	idx, _ := nb.row(int(i))
	return slices.Contains(idx[:min(len(idx), strongNeighbours)], j)
}

// historyReason explains j by the history item i that contributed most to
// its score, when the two are plainly related; otherwise by the shopper's
// interest in j's category. cooccur says j was scored as a co-occurrence
// neighbour of i, which with a shared department makes it go with i.
func (m *Model) historyReason(s *scratch, i, j int32, cooccur bool) string {
	kind := View
	if i >= 0 && s.hposAt[i] == s.epoch {
		p := s.hpos[i]
		kind = s.histKinds[p]
		// A product the shopper rated below their own mean is no reason
		// to show them another ("Like the film you bought" of a 1-star).
		if int(p) < len(s.histPrefs) && s.histPrefs[p] < 1 {
			return m.interestReason(s, j)
		}
	}
	name := m.nameOf(s, i)
	rel := m.relate(i, j)
	if rel == sameDivision && cooccur {
		rel = goesWith
	}
	switch rel {
	case sameKind:
		switch kind {
		case Purchase:
			return "Like the " + name + " you bought"
		case AddToCart:
			return "Like the " + name + " in your cart"
		}
		return "Like the " + name + " you viewed"
	case goesWith:
		if kind >= AddToCart {
			return "Goes with your " + name
		}
		return "Goes with the " + name + " you viewed"
	}
	return m.interestReason(s, j)
}

// Shares of the shopper's history weight above which a category counts as
// an interest worth naming: a leaf category, or its department.
const (
	leafInterestShare = 0.15
	deptInterestShare = 0.3
)

// interestReason names the most specific of j's categories that holds a
// fair share of the shopper's history, and more of it than of the catalog,
// else says the item was picked for them (a factor model's taste match with
// no single nameable cause). A category that holds as much of the catalog as
// of the history is no interest: a root over the whole catalog ("Shop >
// Mugs", "Shop > Lamps") holds every shopper's whole history. Nor is one
// the shopper rated below their own mean on balance: many 1- and 2-star
// films are no liking of their genre.
func (m *Model) interestReason(s *scratch, j int32) string {
	total, acc, rated := m.historyCategoryWeights(s)
	if total <= 0 {
		return reasonPickedForYou
	}
	cats := m.cat.itemCats[j]
	items := float32(len(m.cat.items))
	// itemCats runs from the root to the leaf; try the leaf first.
	for k := len(cats) - 1; k >= 0; k-- {
		c := cats[k]
		need := float32(deptInterestShare)
		if c == m.cat.leafCat[j] {
			need = leafInterestShare
		}
		share := acc[c] / total
		if len(rated) > 0 && rated[c] < acc[c] {
			continue
		}
		if share >= need && share > float32(m.cat.catSize[c])/items {
			return "Because you like " + m.cat.categories[c]
		}
	}
	return reasonPickedForYou
}

// historyCategoryWeights returns the history's total weight and its weight
// per category (every item counted once in each category on its path), and
// in a shop with ratings that weight times each item's rating weight
// (Model.pref: above 1 for a product rated above the shopper's own mean,
// below 1 under it), else an empty slice; summed once per request for all
// the reasons of a row.
func (m *Model) historyCategoryWeights(s *scratch) (float32, []float32, []float32) {
	prefs := s.hist.ratings()
	if s.histCatAt == s.epoch && len(s.histCat) == len(m.cat.categories) {
		return s.histCatTotal, s.histCat, s.histCatRated
	}
	s.histCat = resize(s.histCat, len(m.cat.categories))
	s.histCatRated = s.histCatRated[:0]
	if prefs != nil {
		s.histCatRated = resize(s.histCatRated, len(m.cat.categories))
	}
	var total float32
	for h, i := range s.hist.items {
		w := s.hist.weights[h]
		total += w
		for _, c := range m.cat.itemCats[i] { // distinct ids
			s.histCat[c] += w
			if prefs != nil {
				s.histCatRated[c] += w * prefs[h]
			}
		}
	}
	s.histCatTotal, s.histCatAt = total, s.epoch
	return total, s.histCat, s.histCatRated
}

// maxNameRunes bounds a product's name inside a reason; maxShortNameRunes
// its short name in a picture's label.
const (
	maxNameRunes      = 28
	maxShortNameRunes = 24
)

// shortName is how a reason names a product: its title (see reasonName).
func (m *Model) shortName(i int32) string {
	if i < 0 || int(i) >= len(m.cat.items) {
		return "item you liked"
	}
	// Each product's short name is worked out once, when a reason first
	// names it (a row names the same history items again and again).
	m.shortNamesOnce.Do(func() { m.shortNames = make([]atomic.Pointer[string], len(m.cat.items)) })
	if p := m.shortNames[i].Load(); p != nil {
		return *p
	}
	it := &m.cat.items[i]
	name := reasonName(it.Title, it.Brand, it.ID)
	m.shortNames[i].Store(&name)
	return name
}

// nameOf is how a reason names history item i: by the request's Name (the
// name of its product group, "Dress Élise" rather than "Dress Élise – S")
// when that differs from its title, else as shortName does.
func (m *Model) nameOf(s *scratch, i int32) string {
	if s != nil && s.name != nil && i >= 0 && int(i) < len(m.cat.items) {
		it := &m.cat.items[i]
		if n := s.name(it.ID); n != "" && n != it.Title {
			return reasonName(n, it.Brand, it.ID)
		}
	}
	return m.shortName(i)
}

// nameWords is a title's words without a leading brand or article, which
// neither a reason nor a picture's label repeats.
func nameWords(title, brand string) []string {
	words := strings.Fields(title)
	if b := strings.Fields(brand); len(b) > 0 && len(words) > len(b) && strings.EqualFold(strings.Join(words[:len(b)], " "), strings.Join(b, " ")) {
		words = words[len(b):]
	}
	if len(words) > 1 && isArticle(words[0]) {
		words = words[1:]
	}
	return words
}

// reasonName quotes a product's title in a reason ("Like the Ultralight
// Ripstop Nylon… you viewed"): the title without a leading brand, article
// or trailing size, whole when short, else its first words up to
// maxNameRunes and an ellipsis (the first characters for a title written
// without spaces). It never picks words from inside a title, which only
// reads right in languages that name the product last, as English does;
// fallback is used when the title is empty.
func reasonName(title, brand, fallback string) string {
	return firstWords(title, brand, fallback, maxNameRunes)
}

// ShortName is what a picture's label calls a product: like reasonName, the
// title's first words ("Ultralight Ripstop Nylon…" of "Northpeak Ultralight
// Ripstop Nylon Dome Tent"), bounded by maxShortNameRunes, so it reads
// right whatever language the title is written in; fallback is used when
// the title is empty.
func ShortName(title, brand, fallback string) string {
	return firstWords(title, brand, fallback, maxShortNameRunes)
}

// firstWords is a title without a leading brand or article, whole when it
// fits in limit runes (else without a trailing size), else its first words
// up to limit runes with an ellipsis.
func firstWords(title, brand, fallback string, limit int) string {
	words := nameWords(title, brand)
	if len(words) == 0 {
		return fallback
	}
	// A short title is quoted whole ("Trail Runner 2"); a long one first
	// loses a trailing size ("9 rolls"), which says little on its own.
	for _, ws := range [][]string{words, dropTrailingSizes(words)} {
		whole := strings.TrimRight(strings.Join(ws, " "), trailingPunct)
		if whole != "" && utf8.RuneCountInString(whole) <= limit {
			return whole
		}
		words = ws
	}
	prefix := ""
	for _, w := range words {
		next := w
		if prefix != "" {
			next = prefix + " " + w
		}
		if utf8.RuneCountInString(next) > limit-1 {
			break
		}
		prefix = next
	}
	if prefix == "" {
		// The first word alone is longer: its first characters.
		prefix = string([]rune(words[0])[:limit-1])
	}
	return strings.TrimRight(prefix, trailingPunct+" ") + "…"
}

// trailingPunct is trimmed from a name's end: the comma of "Mature
// Cheddar, 400 g".
const trailingPunct = ",;:/-–—(\"“”«»"

// sizeUnits are the words that, after a number, give a size or a pack count
// rather than the product ("400 g", "1.5 L", "9 rolls", "24 pack").
var sizeUnits = map[string]bool{
	"g": true, "gr": true, "kg": true, "mg": true, "mcg": true, "µg": true,
	"ml": true, "cl": true, "dl": true, "l": true, "ltr": true, "litre": true, "litres": true, "liter": true, "liters": true,
	"oz": true, "fl": true, "lb": true, "lbs": true, "pt": true, "pint": true, "pints": true, "gal": true,
	"cm": true, "mm": true, "m": true, "in": true, "inch": true, "ft": true,
	"x": true, "pack": true, "packs": true, "pk": true, "pc": true, "pcs": true, "pieces": true, "count": true, "ct": true,
	"roll": true, "rolls": true, "bag": true, "bags": true, "sheets": true, "tablets": true, "tabs": true,
	"capsules": true, "caps": true, "pods": true, "servings": true,
}

// gluedSize matches a size written as one word: "500g", "1.5L", "6x330ml",
// "2-Pack", "12pk".
var gluedSize = regexp.MustCompile(`^(?i)\(?(\d+([.,]\d+)?[x×])?\d+([.,]\d+)?-?(g|gr|kg|mg|ml|cl|dl|l|ltr|oz|lb|lbs|cm|mm|m|pack|pk|pcs|ct|x)\)?[,;]?$`)

// dropTrailingSizes drops the sizes, pack counts and codes that end a title
// ("SPF 50", "500 g", "6 × 330 ml", "2-Pack"), keeping at least one word.
func dropTrailingSizes(words []string) []string {
	for len(words) > 1 {
		last := words[len(words)-1]
		switch {
		case !hasLetter(last) || gluedSize.MatchString(last):
			words = words[:len(words)-1]
		case len(words) > 2 && sizeUnits[strings.ToLower(strings.Trim(last, "()[],;."))] && !hasLetter(words[len(words)-2]):
			words = words[:len(words)-2]
		default:
			return words
		}
	}
	return words
}

func isArticle(w string) bool {
	return strings.EqualFold(w, "the") || strings.EqualFold(w, "a") || strings.EqualFold(w, "an")
}

func hasLetter(w string) bool {
	return strings.IndexFunc(w, unicode.IsLetter) >= 0
}
