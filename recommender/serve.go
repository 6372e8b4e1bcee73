package recommender

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"time"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
)

// Request asks for one row of recommendations for one shopper.
type Request struct {
	User     string   // external user or visitor id; may be unknown to the model
	Recent   []Event  // the shopper's events since training (session signals, ALS fold-in)
	Strategy Strategy // how to fill the row
	Anchor   string   // item for Similar / AlsoBought ("because you viewed X"); defaults to the latest session item
	Category string   // only items whose category path contains this name
	N        int      // items wanted (default 10)

	Exclude         map[string]bool    // e.g. already on the page
	Pins            []string           // shown first, in order, when available
	Boosts          map[string]float64 // score multipliers (>1 raises an item, <1 lowers it)
	Brands          []string           // only these brands (case-insensitive); empty = all
	MinPriceCents   int64              // 0 = no lower bound
	MaxPriceCents   int64              // 0 = no upper bound
	ExcludeSeen     bool               // drop items the shopper interacted with (training + Recent + Seen)
	AllowRepurchase bool               // purchased items are dropped unless this is set
	Diversity       float64            // 0 = off; up to 1 = strongest category spread (MMR)
	// ExcludeCategories drops items under these category names, e.g. what
	// the shopper just bought a substitute of.
	ExcludeCategories []string
	// ExcludeBrands drops items of these brands (case-insensitive).
	ExcludeBrands []string

	// Seen lists every item the shopper ever interacted with, read from the
	// raw event store: training's cleaning (bot guard, de-duplication) may
	// have dropped some of those events, and they still count as seen.
	Seen []string

	// Available, if set, is the caller's live check (stock, active flag) and
	// replaces the training-time snapshot Item.Active && Item.Stock > 0.
	Available func(item string) bool

	// Group, if set, names the product group an item belongs to (the
	// sizes or colours of one model: an import's group_id), "" for none.
	// A list then holds one product per group, and no product of a group
	// the shopper already bought (or, with ExcludeSeen, interacted with) or
	// that Exclude holds a product of: another size of the dress on the
	// page, or of the one bought, is not another recommendation.
	Group func(item string) string

	// Variant, if set with Group, names an item's variant within its
	// product group ("M" for "Linen Shirt – M"), "" for none; VariantOf
	// returns the id of the product of item's group whose variant is label,
	// "" for none. A list then offers a group in the variant the shopper
	// took most among their products whose group has it (a shopper keeps
	// to their size), when that variant passes the list's checks, instead
	// of the variant the model scored highest.
	Variant   func(item string) string
	VariantOf func(item, label string) string

	// Name, if set, is how reasons name an item: the name of its product
	// group ("Dress Élise" for "Dress Élise – size S"), "" or its title
	// for an item of its own. Unset, reasons name the item's title.
	Name func(item string) string

	// Fits, if set, is the caller's live check of the request's filters
	// (category, brands, price range) against today's catalog: the model
	// filters by the catalog as it was at training, and a product since
	// repriced or moved is checked here. Like Available it runs on the
	// finalists only; pins are not subject to it (their caller checks them).
	Fits func(item string) bool

	// Edited, if set with Fits, are the items whose category, brand or
	// price the catalog changed since training (Model.ItemSet): the model's
	// own filters do not hold them back, Fits alone judges them, so a
	// product repriced or moved into a row's filters joins it at once.
	Edited *ItemSet

	// Launches, when set, are the products created since the model was
	// trained, for the NewForYou strategy (see Model.Launches).
	Launches *Launches

	// folded keeps the shopper's folded-in factor vectors across the
	// requests of one page (Compose), so the solve runs once per page.
	folded *foldedVectors
	// spreadBrands caps each brand at a fair share of the row while other
	// brands have candidates (spreadBrands below): a row named for a
	// category or department shows its range, not one brand's.
	spreadBrands bool
	// weights, when set, replace the model's hybrid blend (tuning).
	weights *HybridWeights
	// cover, on a page for a visitor the shop knows nothing about, is the
	// demand the cards above already offer: the row picks among its best
	// candidates those that offer the rest (demandCover).
	cover *demandCover
	// fullScan scores the whole catalog even when the shopper has a
	// candidate list (set when the list could not fill the row), and a
	// factor row without its norm-ordered scan (tests compare the two).
	fullScan bool
}

// foldedVectors are a shopper's user vectors computed from their history
// and, when a page has several hybrid rows, the hybrid scores themselves.
type foldedVectors struct {
	als, svd []float32

	shareHybrid bool // set by Compose when more than one row blends the hybrid
	hybrid      *hybridScores

	// visit is shared by the rows of the page that the visit's own blend
	// fills (sessionWeights: the visit's category row, a stranger's
	// department row and "Recommended for you"): the same shopper, visit
	// and weights give the same scores, before each row's filters, so
	// the catalog is scored once for all of them.
	visit *foldedVectors
}

// forVisit returns the page's vectors and scores for the rows the visit's
// own blend fills.
func (f *foldedVectors) forVisit() *foldedVectors {
	if f == nil {
		return nil
	}
	if f.visit == nil {
		f.visit = &foldedVectors{shareHybrid: true}
	}
	return f.visit
}

// hybridScores is a saved hybrid blend: scores before boosts and filters,
// with what explains each item.
type hybridScores struct {
	score, srcVal []float32
	src           []source
	knnAnchor     []int32
	cntAnchor     []int32
	subset        bool // scored over a candidate list only
}

// Recommendation is one recommended item with the true reason it was chosen.
type Recommendation struct {
	ItemID string
	Score  float64
	Reason string
	Source string // the signal or rule that placed it (see Source names)
	// Personal is set when the reason comes from the shopper's own history
	// (not popularity, newness, a pin or an anchor the caller chose).
	Personal bool
}

const (
	defaultN     = 10
	maxHistory   = 200 // strongest history items used per request
	sessionBoost = 2   // session events outweigh older training events of the same type
)

// source records which signal put an item in a row, to explain it.
type source uint8

const (
	srcNone source = iota
	srcALS
	srcSVD
	srcEASE
	srcKNN
	srcContent
	srcPopular
	srcTrending
	srcNew
	srcBought // co-purchased with the anchor
	srcViewed // co-viewed with the anchor
	srcPinned
	srcNext     // what shoppers went on to after one of the shopper's latest items
	srcCategory // the shopper's favourite categories
	srcBrand    // the shopper's favourite brands
	srcPrice    // the shopper's price range
	srcTerms    // the taste model over the products' words (terms.go)
)

// scratch is the per-request working memory, pooled per model so serving
// does not allocate item-sized arrays.
type scratch struct {
	score, tmp, srcVal []float32
	foldVals           []float32 // a fold-in's strengths as ALS reads them (alsModel.strengths)
	src                []source
	knnAnchor          []int32
	knnAnchorVal       []float32
	cntAnchor          []int32
	cntAnchorVal       []float32
	easeLocal          []float32
	mark               []uint32    // == epoch: blocked for this request
	hpos               []int32     // position in histKinds, valid when hposAt == epoch
	histKinds          []EventType // strongest event type of every history item, before the maxHistory cut
	histPrefs          []float32   // rating weight (Model.pref) of every history item, before the cut; empty without ratings
	hposAt             []uint32
	epoch              uint32
	touched            []int32
	hist               sparseRow
	histOrder          []int32   // buildHistory: positions of the history by strength
	histCut            sparseRow // buildHistory: the strongest maxHistory items
	pw                 []float32 // history weights for the neighbour models and EASE (cfg.Profile), parallel to hist.items
	pwRated            []float32 // pw with the ratings' weights (ratedWeights): the neighbour models and the words; pw or pwRatedBuf
	pwRatedBuf         []float32
	rank               []int32 // recency rank of a history item, valid when rankAt == epoch
	rankAt             []uint32
	heap               topN
	picked             []int32
	pickedScore        []float32
	divCand            []int32 // diversify: the candidates, their scores, which are used and their similarity to the chosen
	divScore           []float32
	divUsed            []bool
	divSim             []float64
	divRel             []float64
	divLeaf            []int32
	divCats            [][]int32
	brandSet           []int32
	onceLeaves         []int32    // newFilter: the categories bought once the shopper bought in
	subBits            []uint64   // hybridSubset: the items it scores, one bit each
	sub                []int32    // the items a candidate-list request scores, in index order
	scored             []int32    // every item s.add gave a source to, while tracking
	tracking           bool       // set by hybridSubset: selectTop picks from s.scored
	scan               factorScan // a factor row scored lazily (factorindex.go)
	cg                 *cgScratch // fold-in by CG (foldIn)
	foldG              []float32  // the ALS Gram matrix in float32, for foldIn
	blockBuf           []float32  // factor scores of a popBlock
	subVal             []float32  // hybridSubset: one part's values, per position of s.sub
	sink               float32    // touchRecords: what it read, kept so the reads are not optimised away
	subALS, subTerms   []float32  // subsetPass: the parts' values per position of s.sub
	subTrend, subFresh []float32
	far                []int32   // subsetPass: the items of s.sub outside the records' block
	topSample          []float32 // topOf: a sample of the values
	topCand            []int32   // topOf: the items at or above its threshold
	scanning           bool      // s.scan is set up for this request: selectTop extends it
	latest             []int32   // the shopper's latest items, most recent first
	ordNum, ordDen     []float32 // orderDemotions: the history's weighed directions per product, and their weights
	ordTouched         []int32
	nextAnchor         []int32
	nextAnchorVal      []float32
	catAcc, brandAcc   []float32
	catCnt             []float32 // the history's distinct products per leaf category (historyTastes)
	onceCats           []int32   // onceToSiblings: the history's categories bought once, bought
	priceNear          []float32 // tasteParts: the price part's value of each of the catalog's distinct prices
	deptAcc            []float32 // history weight per category (root and leaf), for freshness
	hiRoot, hiLeaf     float32   // deptAcc's largest top-level and leaf category
	freshSeen          []int32   // the history's categories whose freshest products joined the subset
	freshW             []float32 // addFreshest: the weights of freshSeen's categories
	comp               []float32 // second stage: each component alone, numComponents × items
	cands              []int32   // second stage: the blend's candidates
	feat               []float32 // second stage: their features
	reasonNorms        []float32 // factorReason: norms of the history's factors, for reasonNormsOf in reasonNormsAt
	reasonNormsOf      source
	reasonF            []float32 // factorReason: the history's factors, one row per item, in reasonOrder
	reasonOrder        []int32   // factorReason: positions in s.hist, strongest first
	histCat            []float32 // interestReason: the history's weight per category, valid when histCatAt == epoch
	histCatRated       []float32 // interestReason: the same weighed by the shopper's ratings (empty without ratings)
	histCatTotal       float32
	histCatAt          uint32
	reasonDot          []float32 // factorReason: their dot products with the explained item
	reasonNormsAt      uint32
	termAcc            []float32                // termScores: the history's weight per word, then each word's lift
	termExp            []float32                // termScores: each history word's weight expected from the history's categories
	termBits           []uint64                 // termScores: a bit per word of the history
	termLift           []float32                // termScores: each word's lift, 1 for the words not in the history (kept so between requests)
	termCat            []float32                // termScores: the history's weight per leaf category
	termHist           []int32                  // termScores: the words of the history
	termCats           []int32                  // termScores: the leaf categories of the history
	name               func(item string) string // the request's Name, for reasons
	calibrate          float64                  // the request's calibration trade-off (calibrating; 0: none)
	cal                calibrator
	calLeaves, calHist []int32 // calibrate: the candidates' and the history's leaf categories
	calPicked          []int32 // calibrate: the candidates and their scores before the re-ranking
	calScore           []float32
	nextCat            float64   // the request's calibration toward the categories that come next (nextCatLambda; 0: none)
	nextW, nextP       []float64 // nextCatCalibrate: the history's category weights and the predicted mix
	nextShare          []float32
	nextUser           int32 // the shopper whose latest categories nextCatCalibrate reads
}

func (m *Model) getScratch() *scratch {
	if s, ok := m.scratch.Get().(*scratch); ok {
		return s
	}
	n := len(m.cat.items)
	return &scratch{
		score: make([]float32, n), tmp: make([]float32, n), srcVal: make([]float32, n),
		src: make([]source, n), knnAnchor: make([]int32, n), knnAnchorVal: make([]float32, n),
		cntAnchor: make([]int32, n), cntAnchorVal: make([]float32, n),
		easeLocal: make([]float32, m.ease.n),
		mark:      make([]uint32, n), hpos: make([]int32, n), hposAt: make([]uint32, n),
		rank: make([]int32, n), rankAt: make([]uint32, n), nextAnchor: make([]int32, n), nextAnchorVal: make([]float32, n),
	}
}

func (s *scratch) begin() {
	s.epoch++
	if s.epoch == 0 { // wrapped: old stamps could collide
		clear(s.mark)
		clear(s.hposAt)
		clear(s.rankAt)
		s.histCatAt, s.reasonNormsAt = 0, 0
		s.epoch = 1
	}
	clear(s.score)
	clear(s.srcVal)
	clear(s.src)
	s.hist.reset()
	s.picked, s.pickedScore = s.picked[:0], s.pickedScore[:0]
	s.scored, s.tracking = s.scored[:0], false
	s.scanning = false
	s.name = nil
	s.calibrate = 0
	s.nextCat = 0
}

// Recommend returns up to req.N items for one shopper, best first, pins
// first. Items the catalog marks inactive or out of stock (or that
// req.Available rejects) are never returned, nor is any item twice.
func (m *Model) Recommend(req Request) []Recommendation {
	if req.Strategy == NewForYou {
		return m.newForYou(req)
	}
	return m.recommend(req, false)
}

// recommend is Recommend; evaluation ranks the whole catalog regardless of
// today's stock, so it passes ignoreStock.
func (m *Model) recommend(req Request, ignoreStock bool) []Recommendation {
	n := req.N
	if n <= 0 {
		n = defaultN
	}
	if len(m.cat.items) == 0 {
		return nil
	}
	s := m.getScratch()
	defer m.scratch.Put(s)
	s.begin()
	s.name = req.Name
	user := m.buildHistory(s, req)

	// Pins first: a merchandiser's choice, subject only to stock, explicit
	// exclusions and not re-selling what the shopper already bought.
	// A product created since training (a launch: the model has no index
	// for it) is pinned too when it is available and fits the row.
	f := m.newFilter(s, req, ignoreStock)
	var pinned []int32
	var pins []string // pinned, trained and launches, in the merchandiser's order
	for _, id := range req.Pins {
		if len(pins) >= n || req.Exclude[id] || slices.Contains(pins, id) {
			continue
		}
		j, ok := m.cat.index[id]
		if !ok {
			if li, launch := req.Launches.lookup(id); launch && req.launchFits(req.Launches.items[li]) &&
				(req.Fits == nil || req.Fits(id)) && (req.AllowRepurchase || !boughtInSession(req.Recent, id)) {
				pins = append(pins, id)
			}
			continue
		}
		if !req.AllowRepurchase && m.purchased(s, user, j) || !f.stockOK(j) {
			continue
		}
		pinned = append(pinned, j)
		pins = append(pins, id)
	}
	for _, j := range pinned {
		s.mark[j] = s.epoch
	}
	for _, id := range pins {
		f.takeGroupOf(id)
	}
	out := make([]Recommendation, 0, min(n, len(m.cat.items)))

	anchor := m.resolveAnchor(s, req)
	dense := m.score(s, req, user, anchor)
	m.applyBoosts(s, req)
	s.calibrate = m.calibrating(s, req)
	s.nextCat, s.nextUser = m.nextCatLambda(req, user), user

	want := n - len(pins)
	m.selectTop(s, f, want, dense, req.Diversity, req.cover, req.Boosts, req.spreadBrands)
	if len(s.picked) < want && !req.fullScan && req.Strategy == Hybrid && m.candidateSubset(req, user) != nil {
		// The candidate list could not fill the row (narrow filters, stock):
		// rank the whole catalog as without a list.
		req.fullScan = true
		return m.recommend(req, ignoreStock)
	}
	m.backfill(s, f, want)

	top := float32(1)
	if len(s.pickedScore) > 0 && s.pickedScore[0] > 0 {
		top = s.pickedScore[0]
	}
	for _, id := range pins {
		out = append(out, Recommendation{ItemID: id, Score: float64(top), Reason: reasonPinned, Source: RulePinned})
	}
	// Launches (products created since training) the row may show: newest
	// first, merged by creation into a "newest first" row, else after the
	// trained picks where the row has room (a category created since
	// training has nothing else).
	room := want - len(s.picked)
	if req.Strategy == New {
		room = want
	}
	launches := m.rowLaunches(req, f, pins, room)
	score := top
	kept := 0
	for k, j := range s.picked {
		for len(launches) > 0 && req.Strategy == New && !launches[0].Created.Before(m.cat.items[j].Created) && kept < want {
			out = append(out, Recommendation{ItemID: launches[0].ID, Score: float64(score), Reason: m.newReason(launches[0].Created, req.Category), Source: New.String()})
			launches, kept = launches[1:], kept+1
		}
		if kept >= want {
			break
		}
		reason, personal := m.reason(s, req, f, j, anchor)
		score = s.pickedScore[k]
		out = append(out, Recommendation{
			ItemID:   m.cat.items[j].ID,
			Score:    float64(score),
			Reason:   reason,
			Source:   s.src[j].name(),
			Personal: personal,
		})
		kept++
	}
	for _, it := range launches {
		if kept >= want {
			break
		}
		if score > 0 {
			score *= 0.999
		} else {
			score -= 0.001
		}
		out = append(out, Recommendation{ItemID: it.ID, Score: float64(score), Reason: m.newReason(it.Created, req.Category), Source: New.String()})
		kept++
	}
	return out
}

// buildHistory merges the user's training row with the session events into
// s.hist (strongest maxHistory items) and returns the user's index or -1.
func (m *Model) buildHistory(s *scratch, req Request) int32 {
	h := &s.hist
	u, known := m.userIndex[req.User]
	if !known {
		u = -1
	} else {
		lo, hi := m.ui.indptr[u], m.ui.indptr[u+1]
		h.items = append(h.items, m.ui.indices[lo:hi]...)
		h.weights = append(h.weights, m.ui.data[lo:hi]...)
		h.kinds = append(h.kinds, m.kind[lo:hi]...)
		if m.pref != nil {
			h.prefs = append(h.prefs, m.pref[lo:hi]...)
		}
	}
	for k, j := range h.items {
		s.hpos[j], s.hposAt[j] = int32(k), s.epoch
	}
	for _, e := range req.Recent {
		j, ok := m.cat.index[e.Item]
		if !ok || e.Type >= numEventTypes {
			continue
		}
		w := float32(m.cfg.TypeWeights[e.Type] * sessionBoost)
		if w <= 0 {
			continue
		}
		if s.hposAt[j] == s.epoch {
			p := s.hpos[j]
			h.weights[p] += w
			h.kinds[p] = max(h.kinds[p], e.Type)
			continue
		}
		s.hpos[j], s.hposAt[j] = int32(len(h.items)), s.epoch
		h.items = append(h.items, j)
		h.weights = append(h.weights, w)
		h.kinds = append(h.kinds, e.Type)
		if m.pref != nil {
			h.prefs = append(h.prefs, 1)
		}
	}
	if c := float32(m.cfg.MaxStrength); c > 0 {
		for k, w := range h.weights {
			h.weights[k] = min(w, c)
		}
	}
	// hpos indexes the whole history; the cut below keeps only the
	// strongest items for scoring, so keep every item's kind apart.
	s.histKinds = append(s.histKinds[:0], h.kinds...)
	s.histPrefs = append(s.histPrefs[:0], h.prefs...)
	if len(h.items) > maxHistory {
		order := s.histOrder[:0]
		for k := range h.items {
			order = append(order, int32(k))
		}
		slices.SortFunc(order, func(a, b int32) int {
			if h.weights[a] != h.weights[b] {
				if h.weights[a] > h.weights[b] {
					return -1
				}
				return 1
			}
			return int(a - b)
		})
		t := &s.histCut
		t.reset()
		for _, k := range order[:maxHistory] {
			t.items = append(t.items, h.items[k])
			t.weights = append(t.weights, h.weights[k])
			t.kinds = append(t.kinds, h.kinds[k])
			if len(h.prefs) > 0 {
				t.prefs = append(t.prefs, h.prefs[k])
			}
		}
		s.histOrder = order
		// Items beyond the cut still count as seen; only scoring ignores them.
		h.items, h.weights, h.kinds = append(h.items[:0], t.items...), append(h.weights[:0], t.weights...), append(h.kinds[:0], t.kinds...)
		h.prefs = append(h.prefs[:0], t.prefs...)
	}
	m.profileWeights(s, req, u)
	m.ratedWeights(s)
	return u
}

// profileWeights sets s.pw, each history item's weight for the neighbour
// models and EASE (cfg.Profile): its strength, flattened toward 1, and
// halved every RecencyHalfRank places down the history, latest first (the
// session's events, then the order known at training, the items of one
// timestamp sharing their middle place), never below the floor.
func (m *Model) profileWeights(s *scratch, req Request, user int32) {
	p := m.cfg.Profile
	s.pw = append(s.pw[:0], s.hist.weights...)
	if p.Flatten > 0 {
		e := 1 - min(p.Flatten, 1)
		for k, w := range s.pw {
			s.pw[k] = float32(math.Pow(float64(w), e))
		}
	}
	if m.burst != nil && p.Flatten > 0 {
		// A product of a wave counts less (burst.go): its strength
		// carries the weight, and what flattening took of it is put back.
		f := min(p.Flatten, 1)
		for k, j := range s.hist.items {
			if b := m.burst[j]; b < 1 {
				s.pw[k] *= float32(math.Pow(float64(b), f))
			}
		}
	}
	if p.RecencyHalfRank <= 0 || len(s.pw) == 0 {
		return
	}
	// s.rank holds twice an item's place, so the items of one step can
	// share the step's middle place.
	r := int32(0)
	place := func(j int32) {
		if s.rankAt[j] != s.epoch {
			s.rank[j], s.rankAt[j] = 2*r, s.epoch
			r++
		}
	}
	for k := len(req.Recent) - 1; k >= 0; k-- {
		if j, ok := m.cat.index[req.Recent[k].Item]; ok {
			place(j)
		}
	}
	if user >= 0 && m.recent.rows > int(user) {
		items, steps := m.recent.row(int(user))
		for lo := 0; lo < len(items); {
			hi := lo + 1
			for hi < len(items) && steps[hi] == sameStep {
				hi++
			}
			// Items whose latest events share one timestamp (a coarse
			// clock) take the step's middle place: their order is not known.
			first := r
			for _, j := range items[lo:hi] {
				if s.rankAt[j] != s.epoch {
					r++
				}
			}
			for _, j := range items[lo:hi] {
				if s.rankAt[j] != s.epoch {
					s.rank[j], s.rankAt[j] = first+r-1, s.epoch
				}
			}
			lo = hi
		}
	}
	floor := min(max(p.RecencyFloor, 0), 1)
	for k, j := range s.hist.items {
		rk := float64(r) // not in the recency order: after every item that is
		if s.rankAt[j] == s.epoch {
			rk = float64(s.rank[j]) / 2
		}
		s.pw[k] *= float32(floor + (1-floor)*math.Exp2(-rk/p.RecencyHalfRank))
	}
}

// ratedWeights sets s.pwRated: the profile weights s.pw with each item's
// rating against the shopper's mean (Model.pref) in a shop whose events
// carry ratings, for the neighbour models and the shopper's words; s.pw
// itself when there are none. EASE keeps s.pw: its regression is fit on
// the plain pattern of what shoppers rated, and weighing its input by the
// rating cost it on MovieLens.
func (m *Model) ratedWeights(s *scratch) {
	if len(s.hist.prefs) != len(s.pw) || len(s.pw) == 0 {
		s.pwRated = s.pw
		return
	}
	s.pwRatedBuf = append(s.pwRatedBuf[:0], s.pw...)
	for k, p := range s.hist.prefs {
		s.pwRatedBuf[k] *= p
	}
	s.pwRated = s.pwRatedBuf
}

// categoryName is the name of the category the row keeps to, "" for any.
func (f *filter) categoryName() string {
	if f == nil || f.cat < 0 {
		return ""
	}
	if f.within >= 0 {
		return f.m.cat.categories[f.within] + " > " + f.m.cat.categories[f.cat]
	}
	return f.m.cat.categories[f.cat]
}

// filter holds one request's candidate rules.
type filter struct {
	m           *Model
	s           *scratch
	ignoreStock bool
	cat         int32 // -1 = any
	within      int32 // -1 = any; else the parent cat must also hold (filedCategory)
	noMatch     bool  // unknown category or brands: nothing qualifies
	brands      []int32
	minP, maxP  int64
	available   func(string) bool
	fits        func(string) bool
	edited      *ItemSet // items Fits alone judges (Request.Edited)
	group       func(string) string
	groups      map[string]bool // groups taken: picked, pinned, excluded or seen (Request.Group)
	variantOf   func(item, label string) string
	variants    []variantCount // the shopper's variants, most taken first (Request.Variant)
	once        []int32        // the categories bought once the shopper bought in, left out of a hybrid list (boughtOnceLeaves)
}

// variantCount is how many of a shopper's products are in one variant.
type variantCount struct {
	label string
	n     int
}

// shopperVariants counts the variants (Request.Variant) of the products
// the shopper took — trained, since training and in the raw history — each
// product once, most taken first.
func (m *Model) shopperVariants(s *scratch, req Request) []variantCount {
	counts := map[string]int{}
	seen := map[string]bool{}
	add := func(id string) {
		if seen[id] {
			return
		}
		seen[id] = true
		if v := req.Variant(id); v != "" {
			counts[v]++
		}
	}
	if u, ok := m.userIndex[req.User]; ok {
		items, _ := m.ui.row(int(u))
		for _, j := range items {
			add(m.cat.items[j].ID)
		}
	}
	for _, e := range req.Recent {
		add(e.Item)
	}
	for _, id := range req.Seen {
		add(id)
	}
	out := make([]variantCount, 0, len(counts))
	for v, n := range counts {
		out = append(out, variantCount{v, n})
	}
	slices.SortFunc(out, func(a, b variantCount) int {
		if a.n != b.n {
			return b.n - a.n
		}
		return strings.Compare(a.label, b.label)
	})
	return out
}

// sized is the item of j's product group a list offers for j: the variant
// the shopper took most among those the group has, when it passes every
// check j passed; else j.
func (f *filter) sized(j int32) int32 {
	if len(f.variants) == 0 {
		return j
	}
	id := f.m.cat.items[j].ID
	for _, v := range f.variants {
		other := f.variantOf(id, v.label)
		if other == "" {
			continue
		}
		if other == id {
			return j
		}
		k, ok := f.m.cat.index[other]
		if ok && f.allowed(k) && f.stockOK(k) && f.finalOK(k) {
			// The offer takes j's place, score and source (its reason).
			s := f.s
			s.score[k], s.srcVal[k], s.src[k] = s.score[j], s.srcVal[j], s.src[j]
			return k
		}
	}
	return j
}

// takeGroup reports whether j's group is still free and takes it; an item
// without a group is always free.
func (f *filter) takeGroup(j int32) bool {
	if f.group == nil {
		return true
	}
	g := f.group(f.m.cat.items[j].ID)
	if g == "" {
		return true
	}
	if f.groups[g] {
		return false
	}
	f.groups[g] = true
	return true
}

// takeGroupOf takes the group of an item by its id (pins, exclusions and
// history, which may be products the model does not know).
func (f *filter) takeGroupOf(id string) {
	if f.group == nil {
		return
	}
	if g := f.group(id); g != "" {
		f.groups[g] = true
	}
}

func (m *Model) newFilter(s *scratch, req Request, ignoreStock bool) *filter {
	f := &filter{m: m, s: s, ignoreStock: ignoreStock, cat: -1, within: -1, minP: req.MinPriceCents, maxP: req.MaxPriceCents}
	if req.Group != nil {
		f.group, f.groups = req.Group, map[string]bool{}
		if req.Variant != nil && req.VariantOf != nil && req.User != "" {
			f.variantOf, f.variants = req.VariantOf, m.shopperVariants(s, req)
		}
	}
	if !ignoreStock {
		f.available, f.fits = req.Available, req.Fits
		if req.Fits != nil && req.Edited != nil && req.Edited.m == m && req.Edited.n > 0 {
			f.edited = req.Edited
		}
	}
	if req.Category != "" {
		id, ok := m.cat.catIndex[req.Category]
		if !ok {
			for name, cid := range m.cat.catIndex {
				if strings.EqualFold(name, req.Category) {
					id, ok = cid, true
					break
				}
			}
		}
		if !ok {
			// A category as filed whose name is read across its parents.
			id, f.within, ok = m.cat.filedCategory(req.Category)
		}
		f.cat, f.noMatch = id, !ok
	}
	if len(req.Brands) > 0 {
		f.brands = s.brandSet[:0]
		for _, b := range req.Brands {
			if id, ok := m.brands[strings.ToLower(strings.TrimSpace(b))]; ok {
				f.brands = append(f.brands, id)
			}
		}
		s.brandSet = f.brands
		if len(f.brands) == 0 {
			f.noMatch = true
		}
	}
	for id := range req.Exclude {
		if j, ok := m.cat.index[id]; ok {
			s.mark[j] = s.epoch
		}
		f.takeGroupOf(id)
	}
	m.excludeCategories(s, req.ExcludeCategories)
	m.excludeBrands(s, req.ExcludeBrands)
	for k, j := range s.hist.items {
		purchased := s.hist.kinds[k] == Purchase
		if req.ExcludeSeen || purchased && !req.AllowRepurchase {
			s.mark[j] = s.epoch
			f.takeGroupOf(m.cat.items[j].ID)
		}
	}
	if req.ExcludeSeen {
		for _, id := range req.Seen {
			if j, ok := m.cat.index[id]; ok {
				s.mark[j] = s.epoch
			}
			f.takeGroupOf(id)
		}
	}
	// Training items beyond the maxHistory cut are seen too.
	if u, ok := m.userIndex[req.User]; ok && req.ExcludeSeen {
		items, _ := m.ui.row(int(u))
		for _, j := range items {
			s.mark[j] = s.epoch
			f.takeGroupOf(m.cat.items[j].ID)
		}
	}
	if u, ok := m.userIndex[req.User]; ok && !req.AllowRepurchase {
		lo, hi := m.ui.indptr[u], m.ui.indptr[u+1]
		for k := lo; k < hi; k++ {
			if m.kind[k] == Purchase {
				s.mark[m.ui.indices[k]] = s.epoch
				f.takeGroupOf(m.cat.items[m.ui.indices[k]].ID)
			}
		}
	}
	if req.Strategy == Hybrid {
		// The shopper's personal list leaves out the categories they
		// bought in that the shop's buyers buy once (a second fridge),
		// as tuning's scoring does (cacheFor) — except a row asked for
		// that very category.
		user, ok := m.userIndex[req.User]
		if !ok {
			user = -1
		}
		f.once = slices.DeleteFunc(m.boughtOnceLeaves(s.onceLeaves[:0], user, req.Recent), func(c int32) bool { return c == f.cat })
		s.onceLeaves = f.once
		m.eachInLeaves(f.once, func(j int32) { s.mark[j] = s.epoch })
	}
	return f
}

// excludeCategories marks every item under the named categories.
func (m *Model) excludeCategories(s *scratch, names []string) {
	for _, name := range names {
		c, ok := m.cat.catIndex[name]
		within := int32(-1)
		if !ok {
			if c, within, ok = m.cat.filedCategory(name); !ok {
				continue
			}
		}
		for _, j := range m.cat.inCat.of(c) {
			if within < 0 || m.cat.inCategory(j, within) {
				s.mark[j] = s.epoch
			}
		}
	}
}

// excludeBrands marks every item of the named brands.
func (m *Model) excludeBrands(s *scratch, names []string) {
	for _, name := range names {
		b, ok := m.brands[strings.ToLower(strings.TrimSpace(name))]
		if !ok {
			continue
		}
		for j, id := range m.brandID {
			if id == b {
				s.mark[j] = s.epoch
			}
		}
	}
}

// purchased reports whether the shopper bought j (training or session).
func (m *Model) purchased(s *scratch, user, j int32) bool {
	if s.hposAt[j] == s.epoch && s.histKinds[s.hpos[j]] == Purchase {
		return true
	}
	if user < 0 {
		return false
	}
	items, _ := m.ui.row(int(user))
	if k, ok := slices.BinarySearch(items, j); ok {
		return m.kind[int(m.ui.indptr[user])+k] == Purchase
	}
	return false
}

// stockOK applies the availability rule (live check or training snapshot).
func (f *filter) stockOK(j int32) bool {
	if f.ignoreStock {
		return true
	}
	if f.available != nil {
		return f.available(f.m.cat.items[j].ID)
	}
	return f.m.avail[j]
}

// finalOK applies the caller's live checks (Available and Fits) to a
// finalist.
func (f *filter) finalOK(j int32) bool {
	id := f.m.cat.items[j].ID
	return (f.available == nil || f.available(id)) && (f.fits == nil || f.fits(id))
}

// allowed applies every rule except a caller-supplied Available, which is
// checked only on the few finalists (it may be slow).
func (f *filter) allowed(j int32) bool {
	if f.s.mark[j] == f.s.epoch {
		return false
	}
	if !f.ignoreStock && f.available == nil && !f.m.avail[j] {
		return false
	}
	if f.edited != nil && f.edited.has(j) {
		return true // the catalog changed it since training: Fits judges it (finalOK)
	}
	if f.noMatch {
		return false
	}
	if f.cat >= 0 && !f.m.cat.inCategory(j, f.cat) || f.within >= 0 && !f.m.cat.inCategory(j, f.within) {
		return false
	}
	if len(f.brands) > 0 && !slices.Contains(f.brands, f.m.brandID[j]) {
		return false
	}
	p := f.m.cat.items[j].PriceCents
	return (f.minP <= 0 || p >= f.minP) && (f.maxP <= 0 || p <= f.maxP)
}

func (m *Model) applyBoosts(s *scratch, req Request) {
	for id, b := range req.Boosts {
		j, ok := m.cat.index[id]
		if !ok || b <= 0 || s.src[j] == srcNone {
			continue
		}
		// Scale the distance from zero so a boost above 1 always raises the
		// item, whatever the sign of its score.
		v := s.score[j]
		s.score[j] = v + float32(math.Abs(float64(v))*(b-1))
	}
}

// selectTop fills s.picked with the best `want` allowed items. dense means
// every item carries a score (factor models); otherwise only items with a
// positive score are candidates and the rest is left to backfill.
func (m *Model) selectTop(s *scratch, f *filter, want int, dense bool, diversity float64, cover *demandCover, boosts map[string]float64, spread bool) {
	if want <= 0 {
		return
	}
	pool := want
	switch {
	case cover != nil:
		pool = want * coverPool
	case s.nextCat > 0:
		pool = max(want, nextCatPool)
	case s.calibrate > 0:
		pool = max(want, calibratePool)
	case diversity > 0:
		pool = want * 3
	}
	if spread {
		pool = max(pool, want*brandPool)
	}
	n := len(m.cat.items)
	for k := pool; ; k *= 4 {
		if f.available != nil || f.fits != nil {
			k += k/2 + 8
		}
		if s.scanning {
			m.scanFactors(s, f, k)
		}
		s.heap.reset(k)
		// The loop runs over the whole catalog (or the items a candidate-
		// list blend scored): cheap checks first, the full rule set only
		// when a filter is active.
		score, src, mark, avail := s.score[:n], s.src[:n], s.mark[:n], m.avail[:n]
		checkStock := !f.ignoreStock && f.available == nil
		simple := f.cat < 0 && len(f.brands) == 0 && f.minP <= 0 && f.maxP <= 0 && !f.noMatch
		// A candidate-list blend listed every item it scored (s.scored):
		// the rest of the catalog has no source and could not be picked.
		list, count := s.scored, len(s.scored)
		if !s.tracking {
			list, count = nil, n
		}
		for t := range count {
			j := int32(t)
			if list != nil {
				j = list[t]
			}
			sc := score[j]
			if src[j] == srcNone || !dense && sc <= 0 {
				continue
			}
			// The heap's bound before the rules: most items fall below it,
			// and the rules' arrays are then not read for them.
			if s.heap.full() && !better(sc, j, s.heap.score[0], s.heap.idx[0]) {
				continue
			}
			if mark[j] == s.epoch || checkStock && !avail[j] {
				continue
			}
			if !simple && !f.allowed(j) {
				continue
			}
			s.heap.push(sc, j)
		}
		idx, sc := s.heap.sorted()
		s.picked, s.pickedScore = s.picked[:0], s.pickedScore[:0]
		var inList map[string]bool // groups of the finalists kept (Request.Group)
		for t, j := range idx {
			if !f.finalOK(j) {
				continue
			}
			if f.group != nil {
				if g := f.group(m.cat.items[j].ID); g != "" {
					if f.groups[g] || inList[g] {
						continue
					}
					if inList == nil {
						inList = map[string]bool{}
					}
					inList[g] = true
					j = f.sized(j)
				}
			}
			s.picked = append(s.picked, j)
			s.pickedScore = append(s.pickedScore, sc[t])
		}
		// A row that spreads its brands ranks on until its candidates hold
		// enough of other brands to fill it at their shares: a visit's brand
		// can lead a whole department's ranking (the visit's blend weighs
		// it), and a pool of one brand has nothing to spread.
		if len(s.picked) >= pool && (!spread || m.brandsFill(s.picked, want)) || len(idx) < k {
			break
		}
	}
	if spread {
		m.spreadBrands(s, want)
	}
	switch {
	case cover != nil:
		m.pickCovering(s, want, cover, boosts)
	case s.nextCat > 0:
		// The categories that follow the shopper's latest ones, where the
		// shop's sequences predict them, spread the row in place of the
		// calibration to the shopper's own mix.
		m.nextCatCalibrate(s, s.nextUser, want, s.nextCat)
	case s.calibrate > 0:
		// The shop's own mix of categories spreads the row in place of
		// the row's diversity (a homepage row's).
		m.calibrate(s, want, s.calibrate)
	case diversity > 0:
		m.diversify(s, want, min(diversity, 1))
	}
	if len(s.picked) > want {
		s.picked, s.pickedScore = s.picked[:want], s.pickedScore[:want]
	}
	for _, j := range s.picked {
		s.mark[j] = s.epoch
		f.takeGroup(j)
	}
}

// brandPool is how many candidates per card a row that spreads its brands
// ranks, so other brands have some to offer.
const brandPool = 3

// minBrandCards is the fewest cards a brand may hold in a row that spreads
// its brands: a row of eight from eight brands would bury the best ones.
const minBrandCards = 2

// brandsFill reports whether candidates (best first) fill want cards with
// no brand over its fair share (spreadBrands): false while a single brand
// holds all of them that have one.
func (m *Model) brandsFill(candidates []int32, want int) bool {
	count := map[int32]int{}
	unbranded := 0
	for _, j := range candidates {
		if b := m.brandID[j]; b >= 0 {
			count[b]++
		} else {
			unbranded++
		}
	}
	if len(count) < 2 {
		return unbranded+min(len(candidates)-unbranded, minBrandCards) >= want
	}
	share := brandShare(want, len(count))
	fill := unbranded
	for _, n := range count {
		fill += min(n, share)
	}
	return fill >= want
}

// brandShare is the most cards of a row of want one brand holds when the
// row spreads brands among the given number of brands.
func brandShare(want, brands int) int {
	return max((want+brands-1)/brands, minBrandCards)
}

// spreadBrands drops from s.picked (the row's candidates, best first) each
// brand's candidates beyond its fair share of the row (want over the
// candidates' brands, at least minBrandCards) while the others leave want
// candidates; products without a brand are not capped. It runs before the
// row's re-ranking (diversify, calibrate, pickCovering), which then picks
// from candidates no brand holds more than its share of, and it keeps their
// order: a brand's best stay, its candidates beyond the share come back,
// best first, only when the other brands run out.
func (m *Model) spreadBrands(s *scratch, want int) {
	if len(s.picked) <= want {
		return
	}
	count := map[int32]int{}
	for _, j := range s.picked {
		if b := m.brandID[j]; b >= 0 {
			count[b] = 0
		}
	}
	if len(count) < 2 {
		return
	}
	share := brandShare(want, len(count))
	keep := make([]bool, len(s.picked))
	kept := 0
	for t, j := range s.picked {
		if b := m.brandID[j]; b < 0 || count[b] < share {
			keep[t] = true
			kept++
			if b >= 0 {
				count[b]++
			}
		}
	}
	for t := range s.picked {
		if kept >= want {
			break
		}
		if !keep[t] {
			keep[t] = true
			kept++
		}
	}
	n := 0
	for t, j := range s.picked {
		if keep[t] {
			s.picked[n], s.pickedScore[n] = j, s.pickedScore[t]
			n++
		}
	}
	s.picked, s.pickedScore = s.picked[:n], s.pickedScore[:n]
}

// diversify re-ranks s.picked by maximal marginal relevance: each next item
// maximises (1−d)·relevance − d·similarity to the items already chosen, where
// similarity is 1 for the same leaf category and 0.5 for a shared ancestor.
func (m *Model) diversify(s *scratch, want int, d float64) {
	s.divCand = append(s.divCand[:0], s.picked...)
	s.divScore = append(s.divScore[:0], s.pickedScore...)
	cand, sc := s.divCand, s.divScore
	if len(cand) == 0 {
		return
	}
	// Each candidate's relevance and categories, looked up once (the
	// loop below compares every candidate with every pick).
	lo, hi := sc[len(sc)-1], sc[0]
	s.divRel, s.divLeaf, s.divCats = s.divRel[:0], s.divLeaf[:0], s.divCats[:0]
	for t, j := range cand {
		rel := 1.0
		if hi != lo {
			rel = float64(sc[t]-lo) / float64(hi-lo)
		}
		s.divRel = append(s.divRel, rel)
		s.divLeaf = append(s.divLeaf, m.cat.leafCat[j])
		s.divCats = append(s.divCats, m.cat.itemCats[j])
	}
	s.picked, s.pickedScore = s.picked[:0], s.pickedScore[:0]
	s.divUsed = append(s.divUsed[:0], make([]bool, len(cand))...)
	s.divSim = append(s.divSim[:0], make([]float64, len(cand))...)
	used, maxSim := s.divUsed, s.divSim // maxSim: similarity to the closest item chosen so far
	for len(s.picked) < want && len(s.picked) < len(cand) {
		best, bestV := -1, math.Inf(-1)
		for t, rel := range s.divRel {
			if used[t] {
				continue
			}
			if v := (1-d)*rel - d*maxSim[t]; v > bestV {
				best, bestV = t, v
			}
		}
		used[best] = true
		s.picked = append(s.picked, cand[best])
		s.pickedScore = append(s.pickedScore, sc[best])
		// The candidate's similarity to the pick, from the gathered
		// categories: 1 in the same leaf category, 0.5 sharing another.
		pl, pc := s.divLeaf[best], s.divCats[best]
		for t := range cand {
			if used[t] || maxSim[t] >= 1 {
				continue
			}
			sim := 0.0
			if l := s.divLeaf[t]; l >= 0 && l == pl {
				sim = 1
			} else {
				for _, c := range s.divCats[t] {
					if slices.Contains(pc, c) {
						sim = 0.5
						break
					}
				}
			}
			maxSim[t] = max(maxSim[t], sim)
		}
	}
}

// backfill tops the row up with popular, then newest, items when the
// strategy had too few candidates (cold start, narrow filters).
func (m *Model) backfill(s *scratch, f *filter, want int) {
	prev := float32(1)
	if k := len(s.pickedScore); k > 0 {
		prev = s.pickedScore[k-1]
	}
	popOrder := m.pop.popOrder
	if len(s.hist.items) == 0 {
		popOrder = m.newcomerOrder()
	}
	for pass, order := range [][]int32{popOrder, m.pop.newOrder} {
		for _, j := range order {
			if len(s.picked) >= want {
				return
			}
			if !f.allowed(j) || !f.finalOK(j) || !f.takeGroup(j) {
				continue
			}
			s.mark[j] = s.epoch
			// Keep scores descending below the strategy's own picks.
			if prev > 0 {
				prev *= 0.999
			} else {
				prev -= 0.001
			}
			s.picked = append(s.picked, j)
			s.pickedScore = append(s.pickedScore, prev)
			s.src[j] = [...]source{srcPopular, srcNew}[pass]
		}
	}
}

// reason explains why j was picked, in a few words a shopper recognises
// (see reasons.go), and reports whether the reason comes from the shopper's
// own history.
func (m *Model) reason(s *scratch, req Request, f *filter, j, anchor int32) (string, bool) {
	switch s.src[j] {
	case srcALS:
		return m.factorReason(s, j, srcALS, m.als.k, m.als.item), true
	case srcSVD:
		return m.factorReason(s, j, srcSVD, m.svd.k, m.svd.item), true
	case srcEASE:
		best, bestV := int32(-1), float32(0)
		for k, i := range s.hist.items {
			if v := s.hist.weights[k] * m.ease.weight(i, j); v > bestV {
				best, bestV = i, v
			}
		}
		if best >= 0 {
			return m.historyReason(s, best, j, false), true
		}
		return m.interestReason(s, j), true
	case srcKNN:
		return m.historyReason(s, s.knnAnchor[j], j, true), true
	case srcContent:
		if anchor >= 0 && req.Strategy == Similar {
			return "Similar to the " + m.nameOf(s, anchor), req.Anchor == ""
		}
		return m.historyReason(s, s.cntAnchor[j], j, false), true
	case srcBought:
		return "Often bought with the " + m.nameOf(s, anchor), req.Anchor == ""
	case srcNext:
		return m.historyReason(s, s.nextAnchor[j], j, true), true
	case srcCategory, srcPrice, srcTerms:
		return m.interestReason(s, j), true
	case srcBrand:
		if b := strings.TrimSpace(m.cat.items[j].Brand); b != "" {
			return "From " + b + ", a brand you like", true
		}
		return m.interestReason(s, j), true
	case srcViewed:
		return "Often viewed with the " + m.nameOf(s, anchor), req.Anchor == ""
	case srcTrending:
		if !m.dataIsCurrent() {
			// What rose in the last days of an old export is not
			// trending now.
			return m.popularReason(s, f), false
		}
		return reasonTrending, false
	case srcNew:
		return m.newReason(m.cat.items[j].Created, f.categoryName()), false
	}
	return m.popularReason(s, f), false
}

// factorReason names the history item whose latent factors are closest to
// j's (cosine) weighted by its strength: the taste the factor model
// matched. Only the strongest history items are looked at, to keep a row
// fast.
func (m *Model) factorReason(s *scratch, j int32, model source, k int, item func(int32) []float32) string {
	if i := m.factorMatch(s, j, model, k, item); i >= 0 {
		return m.historyReason(s, i, j, false)
	}
	return m.interestReason(s, j)
}

// factorMatch is the history item factorReason names for j, or -1.
func (m *Model) factorMatch(s *scratch, j int32, model source, k int, item func(int32) []float32) int32 {
	if k == 0 || len(s.hist.items) == 0 {
		return -1
	}
	hist := s.hist.items[:min(len(s.hist.items), factorReasonHistory)]
	// Once per request, not per pick: the history is listed by strength,
	// strongest first (ties in history order), with its norms and its
	// factors gathered into one block in that order. A weighted cosine is
	// at most the strength, so each pick scores the block a few rows at a
	// time, strongest first, and stops once no weaker item could beat the
	// best found: the same item the whole history gives.
	if s.reasonNormsAt != s.epoch || s.reasonNormsOf != model || len(s.reasonNorms) != len(hist) {
		s.reasonOrder = s.reasonOrder[:0]
		for n := range hist {
			s.reasonOrder = append(s.reasonOrder, int32(n))
		}
		w := s.hist.weights
		slices.SortStableFunc(s.reasonOrder, func(a, b int32) int { return cmp.Compare(w[b], w[a]) })
		s.reasonNorms = s.reasonNorms[:0]
		s.reasonF = s.reasonF[:0]
		for _, n := range s.reasonOrder {
			s.reasonNorms = append(s.reasonNorms, norm32(item(hist[n])))
			s.reasonF = append(s.reasonF, item(hist[n])...)
		}
		s.reasonNormsAt, s.reasonNormsOf = s.epoch, model
	}
	fj := item(j)
	nj := norm32(fj)
	s.reasonDot = resize(s.reasonDot, factorReasonBlock)
	// Name an item only when it is clearly alike, so the reason is true.
	best, bestV := int32(-1), float32(factorReasonMinSimilarity)
	if nj > 0 {
		for lo := 0; lo < len(hist); lo += factorReasonBlock {
			if n := s.reasonOrder[lo]; s.hist.weights[n]*(1+scanSlack) < bestV {
				break
			}
			hi := min(lo+factorReasonBlock, len(hist))
			H := blas32.General{Rows: hi - lo, Cols: k, Stride: k, Data: s.reasonF[lo*k : hi*k]}
			blas32.Gemv(blas.NoTrans, 1, H, blas32.Vector{N: k, Data: fj, Inc: 1}, 0, blas32.Vector{N: hi - lo, Data: s.reasonDot, Inc: 1})
			for q, n := range s.reasonOrder[lo:hi] {
				ni := s.reasonNorms[lo+q]
				if ni <= 0 {
					continue
				}
				// The same item wins as in a pass in history order: the
				// highest value, the earliest on a tie.
				if v := s.hist.weights[n] * s.reasonDot[q] / (ni * nj); v > bestV || v == bestV && best >= 0 && n < best {
					best, bestV = n, v
				}
			}
		}
	}
	if best < 0 {
		return -1
	}
	return hist[best]
}

// factorReasonBlock is how many history items factorReason scores at a
// time between two checks of its bound.
const factorReasonBlock = 16

// factorReasonHistory bounds the history items compared per explained item.
const factorReasonHistory = maxHistory

// factorReasonMinSimilarity is the weighted cosine a history item needs to
// be named as the reason for a factor-model pick.
const factorReasonMinSimilarity = 0.3

func norm32(v []float32) float32 {
	var ss float32
	for _, x := range v {
		ss += x * x
	}
	return float32(math.Sqrt(float64(ss)))
}

func (m *Model) popularReason(s *scratch, f *filter) string {
	when := ""
	hl := m.cfg.PopularityHalfLife
	if len(s.hist.items) == 0 {
		hl = m.newcomerHalfLife()
	}
	if hl > 0 && hl <= 8*24*time.Hour && m.dataIsCurrent() {
		when = " this week"
	}
	if f.cat >= 0 {
		return "Popular in " + f.categoryName() + when
	}
	if when == "" {
		return reasonPopularTimeless
	}
	return "Popular" + when
}

// staleData is how long before training the data may end for popularity
// over its last days to be called this week's: an export a day or two old.
const staleData = 2 * 24 * time.Hour

// dataIsCurrent tells whether the events the model learnt from run up to
// about when it was trained. An imported history that ended a month
// earlier is ranked as of its own last day (decay keeps its shape), but its
// best sellers are not "popular this week".
func (m *Model) dataIsCurrent() bool {
	return m.TrainedAt.IsZero() || m.DataNow.IsZero() || m.TrainedAt.Sub(m.DataNow) <= staleData
}

// resolveAnchor returns the item a Similar/AlsoBought row is about: the
// request's Anchor, else the latest session item, else the strongest history
// item (by its rating as well, in a shop with ratings); -1 if none.
func (m *Model) resolveAnchor(s *scratch, req Request) int32 {
	if req.Strategy != Similar && req.Strategy != AlsoBought {
		return -1
	}
	if j, ok := m.cat.index[req.Anchor]; ok {
		s.mark[j] = s.epoch
		return j
	}
	if req.Anchor != "" {
		return -1 // an anchor we do not know: fall back to popular items
	}
	for k := len(req.Recent) - 1; k >= 0; k-- {
		if j, ok := m.cat.index[req.Recent[k].Item]; ok {
			return j
		}
	}
	// The strongest by the shopper's ratings too, in a shop with them: a
	// row is not "Similar to" a film they gave one star.
	prefs := s.hist.ratings()
	best, bestW := int32(-1), float32(0)
	for k, j := range s.hist.items {
		w := s.hist.weights[k]
		if prefs != nil {
			w *= prefs[k]
		}
		if w > bestW {
			best, bestW = j, w
		}
	}
	return best
}

// Affinity returns the shopper's interest per category name (every level of
// each item's category path), scaled so the strongest category is 1. It is
// empty for a shopper without history.
func (m *Model) Affinity(user string, recent []Event) map[string]float64 {
	s := m.getScratch()
	defer m.scratch.Put(s)
	s.begin()
	m.buildHistory(s, Request{User: user, Recent: recent})
	// In a shop with ratings a product counts by how the shopper rated it
	// (Model.pref): shelves of films they gave one star are no interest.
	prefs := s.hist.ratings()
	acc := make(map[int32]float64)
	for k, j := range s.hist.items {
		w := float64(s.hist.weights[k])
		if prefs != nil {
			w *= float64(prefs[k])
		}
		for _, c := range m.cat.itemCats[j] {
			acc[c] += w
		}
	}
	hi := 0.0
	for _, v := range acc {
		hi = max(hi, v)
	}
	out := make(map[string]float64, len(acc))
	for c, v := range acc {
		out[m.cat.categories[c]] = v / hi
	}
	return out
}

// ItemSet is a set of one model's items, built once and read by many
// requests (Request.Edited).
type ItemSet struct {
	m    *Model
	bits []uint64
	n    int
}

// ItemSet returns the set of the model's items among ids; ids the model
// does not know are left out.
func (m *Model) ItemSet(ids []string) *ItemSet {
	s := &ItemSet{m: m, bits: make([]uint64, (len(m.cat.items)+63)/64)}
	for _, id := range ids {
		if j, ok := m.cat.index[id]; ok && !s.has(j) {
			s.bits[j/64] |= 1 << (j % 64)
			s.n++
		}
	}
	return s
}

// Len is how many items the set holds.
func (s *ItemSet) Len() int { return s.n }

func (s *ItemSet) has(j int32) bool { return s.bits[j/64]&(1<<(j%64)) != 0 }
