package recommender

import (
	"fmt"
	"slices"
)

// Explanations for merchandisers: what a composed page left out and why,
// and why a given product is not on it. They replay each row's request
// with the rules relaxed, so they cost several times a normal page and are
// meant for the preview and the health check, not for serving.

// Why a candidate is not in a row, besides LostToSlot and LostUnavailable.
const (
	WhyInactive   = "inactive"
	WhyOutOfStock = "out of stock"
	// WhyNotListed: the catalog does not list it (found by search only),
	// and rows are listings.
	WhyNotListed = "found by search only: rows show what the catalog lists"
	WhyBought    = "already bought"
	WhySeen      = "already seen by the shopper"
	WhyExcluded  = "excluded by the slot"
	WhyDiversity = "left out to spread the row's categories and brands"
)

// ItemStatus tells a product's live state: "" when it can be sold, else
// WhyInactive, WhyOutOfStock or WhyNotListed.
type ItemStatus func(item string) string

// Explanation is a composed page with what each row left out.
type Explanation struct {
	Slots []ExplainedSlot
	// NotForShopper are the slots whose audience the shopper is not in.
	NotForShopper []SlotSpec
}

// ExplainedSlot is a composed row (empty rows included) and the products
// it would have shown but for a rule.
type ExplainedSlot struct {
	ComposedSlot
	Filtered []Lost
}

// maxFiltered bounds the list of left-out products per row.
const maxFiltered = 24

// Explain composes a page like Compose, keeping empty rows, and lists for
// every row the candidates its strategy ranked among its cards that the
// rules removed: pins lost to other rows, unavailable products, exclusions,
// products the shopper already bought or saw, duplicates on the page.
func Explain(m *Model, page []SlotSpec, sh Shopper, opt ComposeOptions, status ItemStatus,
	fallback func(spec *SlotSpec, exclude map[string]bool, n int) []Recommendation) Explanation {
	opt.KeepEmpty = true
	slots, hidden := compose(m, page, sh, opt, fallback)
	exp := Explanation{NotForShopper: hidden}
	// used is the row (by place) each shown product is in: rows, not
	// slots, as one slot may fill several rows, and a product in a sibling
	// row is on the page, not left out to spread this one.
	used := map[string]int{}
	for k, cs := range slots {
		for _, it := range cs.Items {
			used[it.ItemID] = k
		}
	}
	history := map[string]EventType{}
	if m != nil && sh.Personalize {
		history = m.historyKinds(sh.User, sh.Recent)
		for _, id := range sh.Seen {
			if _, ok := history[id]; !ok {
				history[id] = View
			}
		}
	}
	for k, cs := range slots {
		es := ExplainedSlot{ComposedSlot: cs, Filtered: slices.Clone(cs.Lost)}
		if m != nil && cs.req.N > 0 {
			es.Filtered = append(es.Filtered, m.leftOut(slots, k, used, history, status)...)
		}
		if len(es.Filtered) > maxFiltered {
			es.Filtered = es.Filtered[:maxFiltered]
		}
		exp.Slots = append(exp.Slots, es)
	}
	return exp
}

// relaxed is a row's request without the rules an explanation looks for.
func relaxed(req Request, n int) Request {
	req.Exclude, req.Seen, req.Pins, req.Available, req.Fits, req.folded, req.cover = nil, nil, nil, nil, nil, nil, nil
	req.ExcludeSeen, req.AllowRepurchase, req.spreadBrands = false, true, false
	req.N = n
	return req
}

// leftOut replays a row without its rules and names why each candidate
// ranked among (or, for a short row, anywhere above the end of) the row's
// cards is missing.
func (m *Model) leftOut(slots []ComposedSlot, row int, used map[string]int, history map[string]EventType, status ItemStatus) []Lost {
	cs := slots[row]
	shown := map[string]bool{}
	for _, it := range cs.Items {
		shown[it.ItemID] = true
	}
	short := len(cs.Items) < cs.req.N
	var out []Lost
	found := 0
	for _, c := range m.recommend(relaxed(cs.req, cs.req.N+maxFiltered), true) {
		if found == len(shown) && !short {
			break
		}
		if shown[c.ItemID] {
			found++
			continue
		}
		out = append(out, m.whyLeftOut(slots, row, c.ItemID, used, history, status))
	}
	return out
}

func (m *Model) whyLeftOut(slots []ComposedSlot, row int, id string, used map[string]int, history map[string]EventType, status ItemStatus) Lost {
	cs := slots[row]
	if status != nil {
		if why := status(id); why != "" {
			return Lost{ItemID: id, Why: why}
		}
	}
	other, onPage := used[id]
	switch kind, seen := history[id]; {
	case slices.Contains(cs.Spec.Excludes, id):
		return Lost{ItemID: id, Why: WhyExcluded}
	case onPage && other != row:
		return Lost{ItemID: id, Why: LostToSlot, Slot: slots[other].Spec.ID, Row: other + 1}
	case seen && kind == Purchase:
		return Lost{ItemID: id, Why: WhyBought}
	case seen && cs.req.ExcludeSeen:
		return Lost{ItemID: id, Why: WhySeen}
	}
	return Lost{ItemID: id, Why: WhyDiversity}
}

// historyKinds is the strongest interaction with each item the shopper has.
func (m *Model) historyKinds(user string, recent []Event) map[string]EventType {
	s := m.getScratch()
	defer m.scratch.Put(s)
	s.begin()
	m.buildHistory(s, Request{User: user, Recent: recent})
	out := make(map[string]EventType, len(s.hist.items))
	for k, j := range s.hist.items {
		out[m.cat.items[j].ID] = s.hist.kinds[k]
	}
	return out
}

// WhyNot answers "why is this product not shown to this shopper" from an
// explanation: where it is, or, row by row, what kept it out.
func (e Explanation) WhyNot(m *Model, item string, status ItemStatus) []string {
	title := func(id string) string {
		for _, s := range e.Slots {
			if s.Spec.ID == id {
				return s.Title
			}
		}
		return id
	}
	for _, s := range e.Slots {
		for k, it := range s.Items {
			if it.ItemID == item {
				return []string{fmt.Sprintf("It is shown in “%s” at position %d (%s, score %.2f): %s.", s.Title, k+1, it.Source, it.Score, it.Reason)}
			}
		}
	}
	var out []string
	if status != nil {
		if why := status(item); why != "" {
			out = append(out, "It is "+why+": no row shows it.")
		}
	}
	if m == nil {
		return append(out, "No model is trained yet; rows show the catalog's best sellers.")
	}
	if _, ok := m.Item(item); !ok {
		return append(out, "The model does not know it yet (added since the last training): rows other than pins and collections show it after the next training.")
	}
	for _, s := range e.Slots {
		if s.req.N == 0 {
			continue // a rule fills the row: pins or the shopper's history
		}
		if k := slices.IndexFunc(s.Filtered, func(l Lost) bool { return l.ItemID == item }); k >= 0 {
			l := s.Filtered[k]
			why := l.Why
			if l.Slot != "" {
				why += " (in “" + title(l.Slot) + "”)"
			}
			out = append(out, fmt.Sprintf("“%s” would show it but it is %s.", s.Title, why))
			continue
		}
		all := m.recommend(relaxed(s.req, len(m.cat.items)), true)
		if k := slices.IndexFunc(all, func(r Recommendation) bool { return r.ItemID == item }); k >= 0 {
			out = append(out, fmt.Sprintf("“%s” ranks it #%d by %s; the row shows %d.", s.Title, k+1, s.Source, s.req.N))
		} else {
			out = append(out, fmt.Sprintf("“%s” does not consider it: it is outside the row's category, brand or price filters, or %s has no signal for it.", s.Title, s.Source))
		}
	}
	for _, sp := range e.NotForShopper {
		out = append(out, fmt.Sprintf("“%s” is not shown to this shopper: its audience is %s.", sp.Title, sp.Audience))
	}
	if len(out) == 0 {
		out = append(out, "No row on this page could show it.")
	}
	return out
}
