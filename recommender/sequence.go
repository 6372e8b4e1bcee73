package recommender

import (
	"cmp"
	"math"
	"slices"
	"sync"
	"time"
)

// Sequence and taste signals of the hybrid, beyond the collaborative models:
//   - next: directional transitions, what shoppers viewed or bought next
//     after an item (within a day), from the shopper's latest items with
//     the most recent counting most — complements and "what comes next";
//   - category, brand and price affinity of the shopper's history;
//   - freshness: products launched shortly before the data's "now".
// The tuner decides how much each one counts for a shop.

const (
	recentItems   = 5            // latest distinct items the transitions start from
	recentKept    = maxHistory   // latest distinct items kept per shopper (the profile's recency order)
	nextNeighbors = 30           // transitions kept per item
	nextGap       = 24 * 60 * 60 // seconds: a later event this close follows the earlier one
	// afterBuyItems: the distinct products after a purchase (or a visit)
	// that count as what it led to, whenever they came — a complement may
	// wait for the shopper's next session.
	afterBuyItems = 3
	// liftAlpha: a pair (a purchase of a, then b) is what the purchase
	// leads to when a Poisson count with the expectation a's visits give
	// reaches its count with a probability below this (liftedPairs).
	liftAlpha     = 0.001
	freshHalfLife = 14 * 24 * 60 * 60  // seconds
	freshHorizon  = 120 * 24 * 60 * 60 // older products are not fresh at all
	recentDecay   = 0.6                // weight of each older recent item relative to the next
	// sameStep marks an item of a shopper's latest items (Model.recent)
	// whose latest event has the same timestamp as the item listed before
	// it. On a coarse clock (a daily export, a batch import) such events
	// are listed as recorded, an order the export may not have kept, so
	// the profile's recency gives every item of one timestamp the same
	// place (profileWeights). Other items hold 1.
	sameStep = 2
)

// buildSequences returns item → next-item transitions and each user's
// latest distinct items (most recent first, an item whose latest event
// shares the timestamp of the item before it marked sameStep) from
// cleaned events by user, then time, events on one timestamp in the
// order recorded (signals.byTime): on a coarse clock (a daily export)
// that order is the only one saying what followed what.
func buildSequences(byTime []compactEvent, nItems, nUsers int) (next, afterBuy, recent csr) {
	var pairs, buyPairs []uint64
	var seen []int32
	recent = csr{rows: nUsers, cols: nItems, indptr: make([]int32, 1, nUsers+1)}
	inRecent := make([]int32, nItems) // user+1 whose recent list holds the item
	u := int32(0)
	for lo := 0; lo < len(byTime); {
		hi := lo
		for hi < len(byTime) && byTime[hi].user == byTime[lo].user {
			hi++
		}
		for ; u < byTime[lo].user; u++ {
			recent.indptr = append(recent.indptr, int32(len(recent.indices)))
		}
		run := byTime[lo:hi]
		for k := 1; k < len(run); k++ {
			a, b := run[k-1], run[k]
			if a.item != b.item && b.unix-a.unix <= nextGap {
				pairs = append(pairs, uint64(a.item)<<32|uint64(uint32(b.item)))
			}
		}
		for k, a := range run {
			if a.typ != Purchase {
				continue
			}
			// What this shopper went on to after the purchase: the next
			// afterBuyItems distinct products, whenever they came.
			seen = followers(run, k, seen, func(b int32) {
				buyPairs = append(buyPairs, uint64(a.item)<<32|uint64(uint32(b)))
			})
		}
		start := len(recent.indices)
		var last int64
		for k := len(run) - 1; k >= 0 && len(recent.indices)-start < recentKept; k-- {
			if j := run[k].item; inRecent[j] != run[k].user+1 {
				inRecent[j] = run[k].user + 1
				step := float32(1)
				if len(recent.indices) > start && run[k].unix == last {
					step = sameStep
				}
				last = run[k].unix
				recent.indices = append(recent.indices, j)
				recent.data = append(recent.data, step)
			}
		}
		recent.indptr = append(recent.indptr, int32(len(recent.indices)))
		u++
		lo = hi
	}
	for ; int(u) < nUsers; u++ {
		recent.indptr = append(recent.indptr, int32(len(recent.indices)))
	}
	return transitions(pairs, nItems), transitions(liftedPairs(byTime, buyPairs, nItems), nItems), recent
}

// followers calls f with each of the next afterBuyItems distinct products
// after run[k] (other than its own).
func followers(run []compactEvent, k int, seen []int32, f func(b int32)) []int32 {
	seen = seen[:0]
	for _, b := range run[k+1:] {
		if len(seen) >= afterBuyItems {
			break
		}
		if b.item == run[k].item || slices.Contains(seen, b.item) {
			continue
		}
		seen = append(seen, b.item)
		f(b.item)
	}
	return seen
}

// liftedPairs keeps of the after-purchase pairs (sorted or not) those a
// purchase leads to more often than any visit of the product does: the
// pair's count after purchases against what the product's visits'
// followers predict for that many purchases, kept when a Poisson count
// of that expectation reaches it with probability below liftAlpha.
func liftedPairs(byTime []compactEvent, buyPairs []uint64, nItems int) []uint64 {
	slices.Sort(buyPairs)
	buys := make([]float64, nItems)
	cand := map[uint64]float64{}
	for _, e := range byTime {
		if e.typ == Purchase {
			buys[e.item]++
		}
	}
	hasCand := make([]bool, nItems)
	for lo := 0; lo < len(buyPairs); {
		hi := lo
		for hi < len(buyPairs) && buyPairs[hi] == buyPairs[lo] {
			hi++
		}
		if hi-lo >= 2 {
			cand[buyPairs[lo]] = 0
			hasCand[buyPairs[lo]>>32] = true
		}
		lo = hi
	}
	visits := make([]float64, nItems)
	var seen []int32
	for lo := 0; lo < len(byTime); {
		hi := lo
		for hi < len(byTime) && byTime[hi].user == byTime[lo].user {
			hi++
		}
		run := byTime[lo:hi]
		for k, a := range run {
			if !hasCand[a.item] || k+1 < len(run) && run[k+1].item == a.item {
				continue // a visit of a product counts once, at its last event
			}
			visits[a.item]++
			seen = followers(run, k, seen, func(b int32) {
				key := uint64(a.item)<<32 | uint64(uint32(b))
				if _, ok := cand[key]; ok {
					cand[key]++
				}
			})
		}
		lo = hi
	}
	out := buyPairs[:0]
	for lo := 0; lo < len(buyPairs); {
		hi := lo
		for hi < len(buyPairs) && buyPairs[hi] == buyPairs[lo] {
			hi++
		}
		key := buyPairs[lo]
		if base, ok := cand[key]; ok {
			a := key >> 32
			e := buys[a] * base / max(visits[a], 1)
			if poissonTail(e, hi-lo) < liftAlpha {
				out = append(out, buyPairs[lo:hi]...)
			}
		}
		lo = hi
	}
	return out
}

// poissonTail is P(X ≥ c) for X Poisson with mean e.
func poissonTail(e float64, c int) float64 {
	term, below := math.Exp(-e), 0.0
	for k := 0; k < c; k++ {
		below += term
		term *= e / float64(k+1)
	}
	return max(1-below, 0)
}

// transitions turns item pairs (a<<32 | b, one per time b followed a) into
// each item's nextNeighbors strongest followers by directional cosine,
// damped for pairs seen once or twice.
func transitions(pairs []uint64, nItems int) csr {
	slices.Sort(pairs)
	out := make([]float64, nItems)
	in := make([]float64, nItems)
	type edge struct {
		a, b int32
		c    float64
	}
	var edges []edge
	for lo := 0; lo < len(pairs); {
		hi := lo
		for hi < len(pairs) && pairs[hi] == pairs[lo] {
			hi++
		}
		e := edge{int32(pairs[lo] >> 32), int32(uint32(pairs[lo])), float64(hi - lo)}
		out[e.a] += e.c
		in[e.b] += e.c
		edges = append(edges, e)
		lo = hi
	}
	next := csr{rows: nItems, cols: nItems, indptr: make([]int32, nItems+1)}
	var h topN
	for lo := 0; lo < len(edges); {
		hi := lo
		for hi < len(edges) && edges[hi].a == edges[lo].a {
			hi++
		}
		a := edges[lo].a
		h.reset(nextNeighbors)
		for _, e := range edges[lo:hi] {
			// Directional cosine, damped for pairs seen once or twice.
			h.push(float32(e.c/(math.Sqrt(out[a]*in[e.b])+2)), e.b)
		}
		idx, sim := h.sorted()
		next.indices = append(next.indices, idx...)
		next.data = append(next.data, sim...)
		next.indptr[a+1] = int32(len(next.indices))
		lo = hi
	}
	for i := 1; i <= nItems; i++ {
		next.indptr[i] = max(next.indptr[i], next.indptr[i-1])
	}
	return next
}

// indexFresh computes each product's freshness against the data's "now".
func (m *Model) indexFresh() {
	m.fresh = make([]float32, len(m.cat.items))
	m.freshBits = make([]uint64, (len(m.cat.items)+63)/64)
	m.freshItems = nil
	for i, it := range m.cat.items {
		m.fresh[i] = float32(freshness(it.Created, m.DataNow))
		if m.fresh[i] > 0 {
			m.freshBits[i>>6] |= 1 << (i & 63)
			m.freshItems = append(m.freshItems, int32(i))
		}
	}
	m.freshCats = freshestByCategory(&m.cat, m.fresh)
}

const (
	// freshPerCategory is how many of the freshest products of each
	// category (and of the whole catalog) a bounded hybrid row scores.
	freshPerCategory = 10
	// freshCategories is how many of the history's categories (its
	// latest first, a product's department and leaf each counting) add
	// their freshest products to a bounded row.
	freshCategories = 6
	// freshMin is the least freshness worth listing: a product launched
	// more than 28 days from the data's "now" gets less than a quarter of
	// freshness's weight, too little to reach a row on it alone (what the
	// other parts rank high is in the row's subset already).
	freshMin = 0.25
)

// freshestByCategory lists, per category id (a product's root and its
// leaf), its freshPerCategory freshest products, freshest first; the
// last row lists the whole catalog's. A hybrid row scored on a subset
// adds them for the shopper's categories (hybridSubset), so a launch no
// shopper touched yet is scored as the whole catalog would score it.
func freshestByCategory(cat *catalog, fresh []float32) csr {
	nc := len(cat.categories)
	rows := make([][]int32, nc+1)
	for j, f := range fresh {
		if f < freshMin {
			continue
		}
		rows[nc] = append(rows[nc], int32(j))
		if cats := cat.itemCats[j]; len(cats) > 0 {
			rows[cats[0]] = append(rows[cats[0]], int32(j))
			if leaf := cat.leafCat[j]; leaf >= 0 && leaf != cats[0] {
				rows[leaf] = append(rows[leaf], int32(j))
			}
		}
	}
	out := csr{rows: nc + 1, cols: len(fresh), indptr: make([]int32, 1, nc+2)}
	for _, r := range rows {
		slices.SortStableFunc(r, func(a, b int32) int { return cmp.Compare(fresh[b], fresh[a]) })
		r = r[:min(len(r), freshPerCategory)]
		out.indices = append(out.indices, r...)
		for range r {
			out.data = append(out.data, 1)
		}
		out.indptr = append(out.indptr, int32(len(out.indices)))
	}
	return out
}

// addFreshest marks in the subset (s.subBits) the freshest products of
// the shopper's history's categories and of the whole catalog.
func (m *Model) addFreshest(s *scratch) {
	nc := len(m.cat.categories)
	if m.freshCats.rows != nc+1 {
		return
	}
	add := func(c int32) {
		items, _ := m.freshCats.row(int(c))
		for _, j := range items {
			s.subBits[j>>6] |= 1 << (j & 63)
		}
	}
	add(int32(nc))
	// The history's categories by the weight of its items in them (the
	// session's events weigh most), the heaviest freshCategories first.
	s.freshSeen, s.freshW = s.freshSeen[:0], s.freshW[:0]
	for k, i := range s.hist.items {
		w, cats := s.hist.weights[k], [2]int32{m.cat.rootCat[i], m.cat.leafCat[i]}
		if cats[1] == cats[0] {
			cats[1] = -1
		}
		for _, c := range cats {
			if c < 0 {
				continue
			}
			if at := slices.Index(s.freshSeen, c); at >= 0 {
				s.freshW[at] += w
			} else {
				s.freshSeen = append(s.freshSeen, c)
				s.freshW = append(s.freshW, w)
			}
		}
	}
	for n := range min(len(s.freshSeen), freshCategories) {
		best := n
		for k := n + 1; k < len(s.freshSeen); k++ {
			if s.freshW[k] > s.freshW[best] {
				best = k
			}
		}
		s.freshSeen[n], s.freshSeen[best] = s.freshSeen[best], s.freshSeen[n]
		s.freshW[n], s.freshW[best] = s.freshW[best], s.freshW[n]
		add(s.freshSeen[n])
	}
}

// freshness is how new a product created at c is at now: 1 when it
// launches at now, halved every freshHalfLife before or after (a product
// launching in two weeks draws less of the coming weeks' attention than
// one launching tomorrow), 0 past freshHorizon or without a creation time.
func freshness(c, now time.Time) float64 {
	if c.IsZero() {
		return 0
	}
	age := now.Unix() - c.Unix()
	if age < 0 {
		age = -age
	}
	if age >= freshHorizon {
		return 0
	}
	return math.Exp2(-float64(age) / freshHalfLife)
}

// latestItems lists the shopper's latest items, most recent first: the
// session's events, then the latest items known at training.
func (m *Model) latestItems(s *scratch, req Request, user int32) []int32 {
	s.latest = s.latest[:0]
	for k := len(req.Recent) - 1; k >= 0 && len(s.latest) < recentItems; k-- {
		if j, ok := m.cat.index[req.Recent[k].Item]; ok && !slices.Contains(s.latest, j) {
			s.latest = append(s.latest, j)
		}
	}
	if user >= 0 && m.recent.rows > int(user) {
		items, _ := m.recent.row(int(user))
		for _, j := range items {
			if len(s.latest) >= recentItems {
				break
			}
			if !slices.Contains(s.latest, j) {
				s.latest = append(s.latest, j)
			}
		}
	}
	return s.latest
}

// addNext adds w times what shoppers went on to after item i to s.tmp,
// noting each product it touches and the anchor that gave it the most.
func (m *Model) addNext(s *scratch, i int32, w float32) { m.addRow(s, &m.next, i, w) }

// addRow adds w times item i's row of a transition matrix to s.tmp, as addNext.
func (m *Model) addRow(s *scratch, rows *csr, i int32, w float32) {
	idx, sim := rows.row(int(i))
	for t, j := range idx {
		c := w * sim[t]
		if s.tmp[j] == 0 {
			s.touched = append(s.touched, j)
			s.nextAnchorVal[j] = 0
		}
		s.tmp[j] += c
		if c > s.nextAnchorVal[j] {
			s.nextAnchorVal[j], s.nextAnchor[j] = c, i
		}
	}
}

// blendSequence adds the transitions from the shopper's latest items.
func (m *Model) blendSequence(s *scratch, req Request, user int32, weight float32) {
	if m.next.rows == 0 || weight <= 0 {
		return
	}
	s.touched = s.touched[:0]
	w := float32(1)
	for _, i := range m.latestItems(s, req, user) {
		m.addNext(s, i, w)
		w *= recentDecay
	}
	m.blendTouched(s, weight, srcNext)
}

// blendTaste adds category, brand and price affinity and freshness, over
// every item or only s.sub.
func (m *Model) blendTaste(s *scratch, w HybridWeights, subset bool) {
	if w.Category <= 0 && w.Brand <= 0 && w.Price <= 0 && w.Fresh <= 0 && w.CatPop <= 0 {
		return
	}
	// each adds weight·f(j)/max f; absolute (freshness: 1 is a product
	// launched now) adds weight·f(j) as it is, so a shop without recent
	// launches gets next to nothing from it instead of its oldest
	// "recent" products lifted to the top.
	each := func(f func(j int32) float32, weight float32, src source, absolute bool) {
		if weight <= 0 {
			return
		}
		hi := float32(0)
		visit := func(fn func(j int32)) {
			if subset {
				for _, j := range s.sub {
					fn(j)
				}
				return
			}
			for j := range m.cat.items {
				fn(int32(j))
			}
		}
		visit(func(j int32) { hi = max(hi, f(j)) })
		if hi <= 0 {
			return
		}
		scale := weight / hi
		if absolute {
			scale = weight
		}
		visit(func(j int32) {
			if v := f(j); v > 0 {
				s.add(j, v*scale, src)
			}
		})
	}
	if len(s.hist.items) > 0 && (w.Category > 0 || w.Brand > 0 || w.Price > 0 || w.CatPop > 0) {
		sum, sumLog, sumSq := m.historyTastes(s)
		each(func(j int32) float32 {
			if c := m.cat.leafCat[j]; c >= 0 {
				return s.catAcc[c]
			}
			return 0
		}, float32(w.Category), srcCategory, false)
		if w.CatPop > 0 {
			// P(category | shopper) · P(product | category)^β
			// (catPopValue).
			each(func(j int32) float32 { return m.catPopValue(s, j) }, float32(w.CatPop), srcCategory, false)
		}
		each(func(j int32) float32 {
			if b := m.brandID[j]; b >= 0 {
				return s.brandAcc[b]
			}
			return 0
		}, float32(w.Brand), srcBrand, false)
		if sum > 0 {
			mu := sumLog / sum
			sd := max(math.Sqrt(max(sumSq/sum-mu*mu, 0)), 0.25)
			each(func(j int32) float32 {
				p := m.cat.items[j].PriceCents
				if p <= 0 {
					return 0
				}
				return float32(math.Exp(-math.Abs(math.Log(float64(p))-mu) / sd))
			}, float32(w.Price), srcPrice, false)
		}
	}
	if len(m.fresh) == len(m.cat.items) && w.Fresh > 0 {
		m.blendFresh(s, float32(w.Fresh), subset)
	}
}

// blendFresh adds weight·freshFor(j) (absolute, see blendTaste) to the
// row, visiting only the products with a freshness (a small bit set says
// which: most of a catalog launched long ago, and their freshness, zero,
// adds nothing).
func (m *Model) blendFresh(s *scratch, weight float32, subset bool) {
	f := m.freshFor(s)
	if !subset {
		for _, j := range m.freshItems {
			if v := f(j); v > 0 {
				s.add(j, v*weight, srcNew)
			}
		}
		return
	}
	bits := m.freshBits
	for _, j := range s.sub {
		if bits[j>>6]&(1<<(j&63)) == 0 {
			continue
		}
		if v := f(j); v > 0 {
			s.add(j, v*weight, srcNew)
		}
	}
}

// freshFloor is the share of a launch's freshness kept for a shopper who
// never touched its department.
const freshFloor = 0.2

// freshFor scores launches for this shopper: a new product counts in full
// in the departments the shopper's history falls in and at freshFloor
// elsewhere, so two shoppers of different tastes are not shown the same
// new arrivals. Without history every launch counts in full. It is the
// one freshness of the blend and of "new for you" (launchFresh).
func (m *Model) freshFor(s *scratch) func(j int32) float32 {
	plain := func(j int32) float32 { return m.fresh[j] }
	if !m.deptShares(s) {
		return plain
	}
	return func(j int32) float32 {
		f := m.fresh[j]
		if f == 0 {
			return 0
		}
		return f * s.deptShare(m.cat.rootCat[j], m.cat.leafCat[j])
	}
}

// deptShares sums the shopper's history per department (top-level and
// leaf category) into s, for deptShare; false when the history has no
// category to share by (then every launch counts in full).
func (m *Model) deptShares(s *scratch) bool {
	s.hiRoot, s.hiLeaf = 0, 0
	if len(s.hist.items) == 0 {
		return false
	}
	s.deptAcc = resize(s.deptAcc, len(m.cat.categories))
	for k, i := range s.hist.items {
		cats := m.cat.itemCats[i]
		if len(cats) == 0 {
			continue
		}
		w := s.hist.weights[k]
		root, leaf := cats[0], m.cat.leafCat[i]
		s.deptAcc[root] += w
		s.hiRoot = max(s.hiRoot, s.deptAcc[root])
		if leaf >= 0 && leaf != root {
			s.deptAcc[leaf] += w
		}
		if leaf >= 0 {
			s.hiLeaf = max(s.hiLeaf, s.deptAcc[leaf])
		}
	}
	return s.hiRoot > 0
}

// deptShare is the share of a launch's freshness the shopper of
// deptShares gets for a product of this top-level and leaf category (-1
// for none): freshFloor plus the rest by the mean of the history's share
// of each, against its largest.
func (s *scratch) deptShare(root, leaf int32) float32 {
	share := float32(0)
	if root >= 0 {
		share = s.deptAcc[root] / s.hiRoot
		if leaf >= 0 && s.hiLeaf > 0 {
			share = (share + s.deptAcc[leaf]/s.hiLeaf) / 2
		}
	}
	return freshFloor + (1-freshFloor)*share
}

// catPopPower is β of "popular in your categories": a product's share of
// its category's shoppers counts to this power, so a category's
// bestsellers stand further above its tail than their counts alone say.
// On the nine outside checks' shop splits where the plain form leads,
// β 1.3 scored 0.8–2.4 % above β 1 (docs/recommender.md, "popular in
// your categories on the shop's shoppers").
const catPopPower = 1.3

// catPopValue is "popular in your categories" for product j and the
// shopper whose history s holds (historyTastes ran): the history's count
// of distinct products in j's leaf category, smoothed by the category's
// share of the shop's shoppers (one product's worth), times the product's
// share of its category's distinct shoppers to the power catPopPower
// (m.catPopWithin). Each product of the history counts once, whatever
// its events' types and ages: in a shop whose shoppers pick by category
// and popularity, which categories a shopper touched, not how hard, is
// what their next product follows. 0 for a product without a category.
func (m *Model) catPopValue(s *scratch, j int32) float32 {
	c := m.cat.leafCat[j]
	if c < 0 {
		return 0
	}
	return (s.catCnt[c] + m.catShare[c]) * m.catPopWithin[j]
}

// historyTastes sums the history's weight and counts its products per
// leaf category (s.catAcc, s.catCnt), sums its weight per brand
// (s.brandAcc), and its priced products' weight with the weighted sum of
// their log prices and of its square, for the taste parts.
func (m *Model) historyTastes(s *scratch) (sum, sumLog, sumSq float64) {
	s.catAcc = resize(s.catAcc, len(m.cat.categories))
	s.catCnt = resize(s.catCnt, len(m.cat.categories))
	s.brandAcc = resize(s.brandAcc, len(m.brands))
	for k, i := range s.hist.items {
		hw := s.hist.weights[k]
		if c := m.cat.leafCat[i]; c >= 0 {
			s.catAcc[c] += hw
			s.catCnt[c]++
		}
		if b := m.brandID[i]; b >= 0 {
			s.brandAcc[b] += hw
		}
		if p := m.cat.items[i].PriceCents; p > 0 {
			l := math.Log(float64(p))
			sum += float64(hw)
			sumLog += float64(hw) * l
			sumSq += float64(hw) * l * l
		}
	}
	m.onceToSiblings(s)
	return sum, sumLog, sumSq
}

// onceToSiblings moves the history's count in each category bought once
// the shopper bought in (a fridge bought: its buyers seldom buy a second,
// and the list leaves the category out) to the other leaf categories of
// its department (the kitchen's ovens, dishwashers, microwaves), each
// taking the whole count: the need the fridge met is over, and the
// shopper's next need in that room is a category beside it. Without it
// "popular in your categories" spends its weight on products the list
// cannot show.
func (m *Model) onceToSiblings(s *scratch) {
	if len(m.once) == 0 {
		return
	}
	s.onceCats = s.onceCats[:0]
	for k, i := range s.hist.items {
		c := m.cat.leafCat[i]
		if c < 0 || s.hist.kinds[k] != Purchase || slices.Contains(s.onceCats, c) || !m.boughtOnce(m.cat.categories[c]) {
			continue
		}
		s.onceCats = append(s.onceCats, c)
	}
	sib := m.leafSiblings()
	for _, c := range s.onceCats {
		n := s.catCnt[c]
		s.catCnt[c] = 0
		p := sib.parent[c]
		if p < 0 {
			continue
		}
		for _, d := range sib.leaves[p] {
			if d != c && !slices.Contains(s.onceCats, d) {
				s.catCnt[d] += n
			}
		}
	}
}

// leafSiblings holds each leaf category's parent (-1 for none, or for a
// category no product has as its leaf) and each parent's leaf categories:
// a leaf's siblings are its parent's other leaves. Kept per parent, not
// per leaf, so that a department of thousands of categories costs its
// categories, not their pairs.
type leafSiblings struct {
	parent []int32
	leaves [][]int32
}

// leafSiblingsOnce holds the catalog's leafSiblings, built on first use.
type leafSiblingsOnce struct {
	once sync.Once
	x    leafSiblings
}

func (m *Model) leafSiblings() *leafSiblings {
	m.siblings.once.Do(func() { m.siblings.x = newLeafSiblings(&m.cat) })
	return &m.siblings.x
}

// newLeafSiblings reads, for each leaf category of cat (the leaf of some
// product), its parent: the level above the leaf on its products' category
// path (none at the top level).
func newLeafSiblings(cat *catalog) leafSiblings {
	sib := leafSiblings{parent: make([]int32, len(cat.categories)), leaves: make([][]int32, len(cat.categories))}
	seen := make([]bool, len(cat.categories))
	for c := range sib.parent {
		sib.parent[c] = -1
	}
	for j, c := range cat.leafCat {
		if c < 0 || seen[c] {
			continue
		}
		seen[c] = true
		if k := slices.Index(cat.itemCats[j], c); k > 0 {
			p := cat.itemCats[j][k-1]
			sib.parent[c] = p
			sib.leaves[p] = append(sib.leaves[p], c)
		}
	}
	return sib
}

func resize(x []float32, n int) []float32 {
	if cap(x) < n {
		return make([]float32, n)
	}
	x = x[:n]
	clear(x)
	return x
}

// purchaseShareLimit: in a shop where at least this share of the
// shopper–product pairs are purchases (ratings, an order export) a
// purchase does not stand out from the rest of a history, and the
// transitions after the history's purchases are only the transitions
// after the history: the after-purchase part is left out there.
const purchaseShareLimit = 0.5

// indexShoppers counts each product's distinct shoppers in the training
// data, all time (the interaction matrix's column counts), and sums them per
// leaf category. "Popular in your categories" ranks a shopper's categories'
// products by them: in a shop whose tastes are categories and whose
// products differ by how many shoppers they reach, the share of a
// category's shoppers a product has is what predicts the next product
// there, where the week's type-weighted popularity (pop) follows what is
// selling now and counts a purchase as eight views (docs/recommender.md,
// "Popular in your categories on the shop's shoppers").
func (m *Model) indexShoppers() {
	m.shoppers = make([]float32, len(m.cat.items))
	for _, j := range m.ui.indices {
		if int(j) < len(m.shoppers) {
			m.shoppers[j]++
		}
	}
	m.catShoppers = make([]float32, len(m.cat.categories))
	total := float32(0)
	for j, n := range m.shoppers {
		if c := m.cat.leafCat[j]; c >= 0 {
			m.catShoppers[c] += n
			total += n
		}
	}
	m.catShare = make([]float32, len(m.cat.categories))
	for c, n := range m.catShoppers {
		if total > 0 {
			m.catShare[c] = n / total
		}
	}
	m.catPopWithin = make([]float32, len(m.cat.items))
	for j, n := range m.shoppers {
		if c := m.cat.leafCat[j]; c >= 0 {
			m.catPopWithin[j] = float32(math.Pow((float64(n)+0.5)/(float64(m.catShoppers[c])+1), catPopPower))
		}
	}
}

// indexPurchases decides whether the shop's purchases stand apart from
// its browsing (m.afterPurchase): fewer than purchaseShareLimit of the
// shopper–product pairs have a purchase as their strongest event.
func (m *Model) indexPurchases() {
	bought := 0
	for _, k := range m.kind {
		if k == Purchase {
			bought++
		}
	}
	m.afterPurchase = bought > 0 && float64(bought) < purchaseShareLimit*float64(len(m.kind))
}

// blendAfterPurchase adds what shoppers went on to after the products the
// shopper bought: the transitions (m.next) from every purchase in the
// history, each weighted like the profile weighs it (the latest counting
// most) — the matching product of another department that a purchase
// leads to, which the shopper may come back for sessions later, not only
// from the latest few items as blendSequence does.
func (m *Model) blendAfterPurchase(s *scratch, weight float32) {
	if m.next.rows == 0 || weight <= 0 || !m.afterPurchase {
		return
	}
	s.touched = s.touched[:0]
	for k, i := range s.hist.items {
		if s.hist.kinds[k] != Purchase {
			continue
		}
		m.addNext(s, i, s.pw[k])
	}
	m.blendTouched(s, weight, srcNext)
}

// blendPurchaseLeads adds what a purchase of a product leads shoppers to
// beyond what a visit of it does (m.afterBuy: only pairs the shop's data
// shows beyond chance, liftedPairs), from every purchase in the history,
// each weighted like the profile weighs it. A shopper whose purchases lead
// nowhere in particular gets nothing from it; a shop whose purchases never
// do (most shops without complements) has no such pairs at all.
func (m *Model) blendPurchaseLeads(s *scratch, weight float32) {
	if m.afterBuy.rows == 0 || weight <= 0 || !m.afterPurchase {
		return
	}
	s.touched = s.touched[:0]
	for k, i := range s.hist.items {
		if s.hist.kinds[k] == Purchase {
			m.addRow(s, &m.afterBuy, i, s.pw[k])
		}
	}
	m.blendTouched(s, weight, srcNext)
}
