package recommender

import (
	"slices"
	"strings"
)

// DepartmentSlotPrefix starts the ID of a row departmentRows adds: it is
// no slot of the merchant's layout.
const DepartmentSlotPrefix = "department:"

// maxDepartmentRows bounds the rows of departments a page adds.
const maxDepartmentRows = 6

// maxDepartmentTries bounds the departments a page tries to fill a row
// from, the largest first: a catalog of thousands of departments of a
// product or two each (an import whose category column held a code per
// product) had every stranger's homepage try each of them, 10,000 rows'
// work, and answer after minutes or never. Departments past the largest
// ones are smaller still, and rarely fill half a row.
const maxDepartmentTries = 3 * maxDepartmentRows

// rangeSlot reports whether a slot shows the shop's range to anyone, a
// stranger included: best sellers, trending, new arrivals, a category's
// row and the recommended row (popular picks for a stranger). Rows built
// from a shopper's history are empty for a stranger by design.
func rangeSlot(s *SlotSpec) bool {
	switch s.Kind {
	case KindPopular, KindTrending, KindNewArrivals, KindRecommended:
		return true
	case KindCategory:
		return s.Category != ""
	}
	return false
}

// departmentRows adds to a page whose rows cannot fill a row for each of
// the shop's departments (top-level categories) that no row of the page
// leads, the largest first, at most maxDepartmentRows, each headed by the
// department's name and showing its best products (the newest when
// nothing has sold), its categories spread; a department the rows above
// left fewer than half a row of is left out. An established shop imported
// without events (every product months old, none sold) filled its best
// sellers with its range and left trending, new arrivals and the
// recommended row off, as their headings would have repeated "From our
// range": its homepage was a hero and one row. A page whose rows fill
// adds none. The rows go after the others, above a closing "Recently
// viewed".
func departmentRows(m *Model, page []SlotSpec, out []ComposedSlot, sh Shopper, user string, recent []Event,
	affinity map[string]float64, bought map[string]bool, opt ComposeOptions, folded *foldedVectors,
	fallback func(*SlotSpec, map[string]bool, int) []Recommendation) []ComposedSlot {
	shown := map[string]bool{}
	led := map[string]bool{}
	used := map[string]bool{}
	for i := range out {
		cs := &out[i]
		if cs.Empty() {
			continue
		}
		shown[cs.Spec.ID] = true
		if c := cs.Spec.Category; c != "" && (cs.Spec.Kind == KindHero || cs.Spec.Kind == KindCategory) {
			led[strings.ToLower(c)] = true
		}
		for _, it := range cs.Items {
			used[it.ItemID] = true
		}
	}
	missing := 0
	for i := range page {
		if rangeSlot(&page[i]) && !shown[page[i].ID] {
			missing++
		}
	}
	if missing == 0 {
		return out
	}
	var depts []string
	if opt.Departments != nil {
		depts = opt.Departments()
	} else {
		depts = modelDepartments(m, opt)
	}
	var added []ComposedSlot
	tried := 0
	for _, d := range depts {
		if len(added) == maxDepartmentRows || tried == maxDepartmentTries {
			break
		}
		if led[strings.ToLower(d)] {
			continue
		}
		tried++
		spec := &SlotSpec{ID: DepartmentSlotPrefix + d, Kind: KindCategory, Title: d, Category: d, Size: 8, Audience: AudienceEveryone}
		if sh.cover != nil {
			sh.cover.row = len(out) + len(added)
		}
		rows := fillSlot(m, spec, sh, user, recent, affinity, bought, used, opt, folded, fallback)
		if len(rows) == 0 || len(rows[0].Items) < spec.Size/2 {
			// What the rows above left of the department: two cards
			// under a heading look like a mistake.
			continue
		}
		row := rows[0]
		row.Title = d
		for place, it := range row.Items {
			used[it.ItemID] = true
			if sh.cover != nil {
				sh.cover.shownIDs(place, it.ItemID)
			}
		}
		added = append(added, row)
	}
	if len(added) == 0 {
		return out
	}
	explainRows(added, m == nil || m.dataIsCurrent())
	for i := range added {
		if rangeReason(added[i].Reason) {
			// "More in Bedding" under "Bedding" says nothing more.
			added[i].Reason = ""
		}
	}
	// Above a closing "Recently viewed": the shopper's own products end
	// the page as the layout has them.
	at := len(out)
	for k := len(out) - 1; k >= 0; k-- {
		if out[k].Empty() {
			continue
		}
		if out[k].Spec.Kind == KindRecentlyViewed {
			at = k
		}
		break
	}
	return slices.Insert(out, at, added...)
}

// modelDepartments are the top-level categories of the model's catalog
// that hold an available product, the most products first (ties by name).
func modelDepartments(m *Model, opt ComposeOptions) []string {
	if m == nil {
		return nil
	}
	count := map[string]int{}
	for _, it := range m.cat.items {
		if len(it.CategoryPath) == 0 || !available(m, opt, it.ID) {
			continue
		}
		count[it.CategoryPath[0]]++
	}
	return keysByValue(count, nil)
}
