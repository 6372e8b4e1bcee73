package recommender

import (
	"fmt"
	"strings"
)

// The layout vocabulary: slot kinds, the strategies each kind may use and
// the audiences a slot can target. Everything that stores or edits a slot
// (the admin form, the seed, the API, imports) checks names against these
// lists, so a name cannot drift from what Compose understands.

// slotKinds lists every kind in menu order, with its label and the
// strategies a merchandiser may choose for it. A kind without strategies
// is filled by a rule (pins, the shopper's own history); for the others
// the empty strategy means the kind's own rule (see Compose).
var slotKinds = []struct {
	kind       SlotKind
	label      string
	strategies []Strategy
}{
	{KindHero, "Hero banner", []Strategy{Popular, Trending, New}},
	{KindRecommended, "Recommended for you", []Strategy{Hybrid, ALS, SVD, EASE, ItemKNN, Content, Popular, Trending, New, NewForYou}},
	{KindBecauseViewed, "Because you viewed …", []Strategy{Similar, AlsoBought}},
	{KindTrending, "Trending", []Strategy{Trending}},
	{KindPopular, "Popular", []Strategy{Popular}},
	{KindNewArrivals, "New arrivals", []Strategy{New, NewForYou}},
	{KindCategory, "Category row", []Strategy{Hybrid, Category, Trending, New, NewForYou}},
	{KindCollection, "Collection (pinned products)", nil},
	{KindBanner, "Banner (creatives)", nil},
	{KindRecentlyViewed, "Recently viewed", nil},
}

// SlotKinds lists every slot kind, in the order an editor offers them.
func SlotKinds() []SlotKind {
	out := make([]SlotKind, len(slotKinds))
	for i, k := range slotKinds {
		out[i] = k.kind
	}
	return out
}

// ParseSlotKind parses a stored slot kind.
func ParseSlotKind(s string) (SlotKind, error) {
	for _, k := range slotKinds {
		if string(k.kind) == s {
			return k.kind, nil
		}
	}
	return "", fmt.Errorf("recommender: unknown slot kind %q", s)
}

// Label names the kind for merchandisers.
func (k SlotKind) Label() string {
	for _, x := range slotKinds {
		if x.kind == k {
			return x.label
		}
	}
	return string(k)
}

// Strategies lists the strategies a slot of this kind may be set to; none
// when a rule fills it.
func (k SlotKind) Strategies() []Strategy {
	for _, x := range slotKinds {
		if x.kind == k {
			return x.strategies
		}
	}
	return nil
}

// DefaultStrategy is what fills a slot of this kind when no strategy is
// chosen and a single strategy must stand for it (the API's slot rows): the
// first of Strategies, or Hybrid for kinds filled by a rule.
func (k SlotKind) DefaultStrategy() Strategy {
	if st := k.Strategies(); len(st) > 0 {
		return st[0]
	}
	return Hybrid
}

// Rule names what fills a kind that has no strategies: "pinned" for a
// collection, "recent" for recently viewed; "" for the other kinds.
func (k SlotKind) Rule() string {
	switch k {
	case KindCollection:
		return RulePinned
	case KindRecentlyViewed:
		return RuleRecent
	case KindBanner:
		return RuleCreative
	}
	return ""
}

// Rules that fill a row or a card instead of a strategy.
const (
	RulePinned = "pinned" // a merchandiser's pin
	RuleRecent = "recent" // the shopper's own recently viewed items
	// RuleCreative: a banner shows one of its creatives, chosen per
	// shopper (ChooseCreative).
	RuleCreative = "creative"
)

// ParseSlotStrategy checks a slot's stored strategy against its kind. The
// empty name is always allowed (the kind's own rule) and returns ok false.
func (k SlotKind) ParseSlotStrategy(name string) (st Strategy, ok bool, err error) {
	if name == "" {
		return 0, false, nil
	}
	st, err = ParseStrategy(name)
	if err == nil {
		for _, allowed := range k.Strategies() {
			if allowed == st {
				return st, true, nil
			}
		}
	}
	allowed := k.Strategies()
	if len(allowed) == 0 {
		return 0, false, fmt.Errorf("recommender: a %s row is filled by its own rule and takes no strategy, not %q", k.Label(), name)
	}
	names := make([]string, len(allowed))
	for i, a := range allowed {
		names[i] = a.String()
	}
	return 0, false, fmt.Errorf("recommender: a %s row uses one of %s, not %q", k.Label(), strings.Join(names, ", "), name)
}

var strategyLabels = [numStrategies]string{
	Hybrid:     "Hybrid: a blend of every model",
	ALS:        "ALS: matrix factorization",
	SVD:        "SVD: truncated SVD",
	EASE:       "EASE: item-to-item regression",
	ItemKNN:    "Item kNN: items seen together",
	Popular:    "Popular",
	Trending:   "Trending",
	Content:    "Content: similar descriptions",
	New:        "Newest first",
	Similar:    "Similar to the viewed item",
	AlsoBought: "Bought together with the viewed item",
	Category:   "Top of the category",
	NewForYou:  "New for you: new products like the shopper's history",
}

// Label describes the strategy for merchandisers.
func (s Strategy) Label() string {
	if s < numStrategies {
		return strategyLabels[s]
	}
	return s.String()
}

// Audiences a slot can target; AudienceAffinity is a prefix followed by a
// category name (or, where slots are stored, a category slug).
const (
	AudienceEveryone  = "everyone"
	AudienceNew       = "new"       // no history yet
	AudienceReturning = "returning" // has history
	AudienceLoggedIn  = "logged_in"
	AudienceAffinity  = "affinity:" // a strong interest in the category
)

// Audiences lists the audiences without a category, in menu order, with
// their labels.
func Audiences() [][2]string {
	return [][2]string{
		{AudienceEveryone, "Everyone"}, {AudienceNew, "New visitors"},
		{AudienceReturning, "Returning visitors"}, {AudienceLoggedIn, "Logged-in shoppers"},
	}
}

// ParseAudience checks an audience and returns the category of an
// affinity audience ("" for the others). The empty audience is everyone.
func ParseAudience(a string) (category string, err error) {
	switch a {
	case "", AudienceEveryone, AudienceNew, AudienceReturning, AudienceLoggedIn:
		return "", nil
	}
	if c, ok := strings.CutPrefix(a, AudienceAffinity); ok && strings.TrimSpace(c) != "" {
		return c, nil
	}
	return "", fmt.Errorf("recommender: unknown audience %q", a)
}

// name is how a card's source is shown: the strategy whose signal placed
// the item, or the rule.
func (s source) name() string {
	switch s {
	case srcALS:
		return ALS.String()
	case srcSVD:
		return SVD.String()
	case srcEASE:
		return EASE.String()
	case srcKNN:
		return ItemKNN.String()
	case srcContent:
		return Content.String()
	case srcTrending:
		return Trending.String()
	case srcNew:
		return New.String()
	case srcBought:
		return AlsoBought.String()
	case srcViewed:
		return Similar.String()
	case srcPinned:
		return RulePinned
	case srcTerms:
		return Hybrid.String() // a part of the hybrid only
	}
	return Popular.String()
}
