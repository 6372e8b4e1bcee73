package recommender

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
)

// Model is a trained, immutable recommender. It is safe for concurrent use;
// retraining builds a new Model that callers swap in (see Holder).
type Model struct {
	TrainedAt time.Time // when Train finished
	DataNow   time.Time // the dataset's "now" that decay and trending were computed against

	cfg       Config
	cat       catalog
	avail     []bool  // Active && Stock > 0 at training time
	brandID   []int32 // per item, index into brands or -1
	brands    map[string]int32
	userIDs   []string
	userIndex map[string]int32
	ui        csr         // user × item strengths
	kind      []EventType // strongest event type per ui entry
	pref      []float32   // per ui entry: the rating against the shopper's mean, as a profile weight; nil unless the events carry ratings
	burst     []float32   // per item: its weight in a shopper's tastes, below 1 for a product many shoppers came to in one week (burst.go); nil when none did

	pop     popularity
	knn     csr        // item → co-occurrence neighbours (all event types)
	bought  csr        // item → co-purchase neighbours
	content csr        // item → TF-IDF neighbours
	text    *termModel // the taste model over the products' words, derived when first needed (terms.go)
	als     alsModel
	svd     svdModel
	// rowOf maps a user index to its row of the ALS and SVD user factors,
	// -1 for a shopper whose factors are derived from their history when
	// served; nil: every user has the row of its own index (factorrows.go).
	rowOf          []int32
	factorRowCount int
	rowsDecided    bool
	ease           easeModel
	cands          candidateLists // per user: items worth scoring (see candidates.go)
	next           csr            // item → items shoppers went on to (sequence.go)
	// afterBuy: item → what buying it leads shoppers to, beyond what a
	// visit of it does (sequence.go, liftedPairs)
	afterBuy csr
	// order: item → (item, direction): whether the shoppers who took both
	// took the other after it (+) or before it (−) (order.go).
	order  csr
	recent csr // user → latest distinct items, most recent first
	// afterPurchase: the shop's purchases stand apart from its browsing, so
	// the transitions after a shopper's purchases are a blend part of their
	// own (indexPurchases; derived, not stored).
	afterPurchase bool
	// shoppers is each product's count of distinct shoppers with a training
	// event (ui's column counts), catShoppers its sum per leaf category: the
	// popularity "popular in your categories" weighs by (indexShoppers).
	shoppers, catShoppers []float32
	// catShare is each leaf category's share of the shop's shoppers
	// (catShoppers over their sum), catPopWithin each product's share of
	// its category's, smoothed, to the power catPopPower: what "popular
	// in your categories" multiplies (catPopValue). Derived with shoppers.
	catShare, catPopWithin []float32
	fresh                  []float32 // per item: how recently it launched (derived, not stored)
	// freshBits and freshItems say which items have a freshness above 0
	// (a bit each; listed in index order), derived with fresh.
	freshBits  []uint64
	freshItems []int32
	// freshCats lists each category's freshest products (derived, not stored; sequence.go)
	freshCats csr
	ranker    *Ranker // second stage over the blend's candidates (rerank.go); nil = the blend alone

	// alsIndex and svdIndex order the items by the norm of their factors,
	// built on the first factor row served (factorindex.go).
	alsIndex, svdIndex factorIndexOnce
	// alsPop and svdPop hold the popular items' factors in one block, for
	// the shoppers scored on the fallback subset (factorindex.go).
	alsPop, svdPop popBlockOnce
	// recs holds every product's serving data in one record, for the
	// hybrid rows scored on a subset (subsetrec.go; derived, not stored).
	recs itemRecsOnce
	// leafShare: the shop's share of each leaf category, for a calibrated
	// row's target (calibrate.go).
	leafShare leafShareOnce
	// siblings: each leaf category's others under its parent, where a
	// category bought once passes a shopper's count (onceToSiblings).
	siblings leafSiblingsOnce
	// nextCat is the shop's table of the categories that follow which
	// (nextcat.go; nil: rows as the blend ranks them).
	nextCat *NextCategories
	// once lists the categories the shop's buyers seldom buy again
	// (boughtonce.go), sorted: a purchase in one keeps it out of personal
	// rows past ComposeOptions.AfterPurchase.
	once []string
	// partByPart turns the records off: subsets are scored part by part
	// (tests compare the two).
	partByPart bool

	stats   Stats
	scratch sync.Pool // *scratch, sized for this model

	// shortNames keeps each product's short name once a reason has named
	// it (reasons.go; derived, not stored).
	shortNames     []atomic.Pointer[string]
	shortNamesOnce sync.Once

	// related holds every item's ranked product-page candidates once
	// PrepareRelated has run (related.go; derived, not stored).
	related     atomic.Pointer[relatedRows]
	relatedOnce sync.Once
	demand      demandIndexOnce // the shop's demand by category, for strangers' pages (cover.go)
}

// Stats describes a trained model for the admin status page and logs.
type Stats struct {
	Users, Items, Interactions int
	Events                     int           // events given to Train
	DroppedUnknownItem         int           // events about items not in the catalog
	DroppedBotEvents, BotUsers int           // bot/outlier guard
	DroppedDuplicates          int           // repeats collapsed by the de-duplication window
	Dropped                    []DroppedUser // the users the bot guard dropped (the first few), with the reason
	Cleaning                   []string      // what cleaning did and assumed about the data, in words
	Tuning                     []string      // settings chosen on held-out data and the validation figures (set by the caller that tuned)
	Stages                     []StageTiming
	Models                     []string // models that were trained (e.g. EASE is skipped for big catalogs)
	MemoryBytes                int64    // approximate heap held by the model
	TrainedAt                  time.Time
}

// StageTiming is the wall time of one training stage, and the CPU time
// this process used meanwhile (what the default tuning budget counts: it
// does not stretch with other work on the machine).
type StageTiming struct {
	Stage    string
	Duration time.Duration
	CPU      time.Duration
}

// Stats returns training statistics.
func (m *Model) Stats() Stats {
	s := m.stats
	s.Stages = append([]StageTiming(nil), s.Stages...)
	s.Models = append([]string(nil), s.Models...)
	s.Dropped = append([]DroppedUser(nil), s.Dropped...)
	s.Cleaning = append([]string(nil), s.Cleaning...)
	s.Tuning = append([]string(nil), s.Tuning...)
	return s
}

// Train builds every model from d. progress, if not nil, is called after
// each stage with its name and duration (stages: signals, popularity,
// item_knn, content, als, svd, ease, candidates).
func Train(ctx context.Context, d Dataset, cfg Config, progress func(stage string, dur time.Duration)) (*Model, error) {
	d, _ = readCategories(d)
	return train(ctx, d, cfg, progress, nil)
}

// train is Train reusing a content model already trained on d's catalog
// (content depends on nothing else), if one with cfg's size is given.
func train(ctx context.Context, d Dataset, cfg Config, progress func(stage string, dur time.Duration), content *contentModel) (*Model, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	workers := workerCount(cfg.Workers)
	m := &Model{cfg: cfg}
	stage := func(name string, f func() error) error {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("recommender: train: %w", err)
		}
		sp := startSpan()
		if err := f(); err != nil {
			return err
		}
		dur, cpu := sp.took()
		m.stats.Stages = append(m.stats.Stages, StageTiming{name, dur, cpu})
		if progress != nil {
			progress(name, dur)
		}
		return nil
	}

	var sig signals
	err := stage("signals", func() error {
		sig = m.buildBase(d, cfg)
		return nil
	})
	if err != nil {
		return nil, err
	}
	_ = stage("popularity", func() error {
		m.pop = trainPopularity(&sig, &m.cat, cfg)
		return nil
	})
	m.cfg.Weights.CategoryMix = categoryMix(&sig, &m.cat)
	m.nextCat = nextCategories(&sig, &m.cat)
	m.once = onceCategories(&sig, &m.cat)
	_ = stage("sequences", func() error {
		m.next, m.afterBuy, m.recent = buildSequences(sig.byTime, len(m.cat.items), len(m.userIDs))
		m.order = buildOrder(sig.byTime, len(m.cat.items))
		return nil
	})
	sig.events, sig.byTime = nil, nil
	for _, c := range modelComponents {
		if !c.enabled(m, cfg) {
			continue
		}
		if c.name == "content" && content != nil && content.neighbors == cfg.Content.Neighbors && content.sims.rows == len(m.cat.items) {
			// Trained before (by tuning): its time is this training's.
			m.content = content.sims
			m.stats.Models = append(m.stats.Models, c.name)
			m.stats.Stages = append(m.stats.Stages, StageTiming{c.name, content.took, content.cpu})
			if progress != nil {
				progress(c.name, content.took)
			}
			continue
		}
		if err := stage(c.name, func() error { return c.train(ctx, m, &sig, cfg, workers) }); err != nil {
			return nil, err
		}
		if c.trained(m) {
			m.stats.Models = append(m.stats.Models, c.name)
		}
	}
	m.easeToKNN()
	if cfg.Candidates.builds(len(m.cat.items)) && m.ui.nnz() > 0 {
		_ = stage("candidates", func() error {
			m.buildCandidates(ctx, d.Events, cfg.Candidates, workers)
			return nil
		})
	}
	m.TrainedAt = time.Now()
	m.stats.Users, m.stats.Items, m.stats.Interactions = len(m.userIDs), len(m.cat.items), m.ui.nnz()
	m.stats.Events = sig.rawEvents
	m.stats.DroppedUnknownItem, m.stats.DroppedBotEvents = sig.droppedUnknown, sig.droppedBots
	m.stats.BotUsers, m.stats.DroppedDuplicates = sig.botUsers, sig.droppedDuplicates
	m.stats.Dropped, m.stats.Cleaning = sig.dropped, sig.cleaning
	m.stats.TrainedAt = m.TrainedAt
	m.stats.MemoryBytes = m.memoryBytes()
	return m, nil
}

// easeToKNN gives item-kNN cfg.EASEFallback of EASE's blend weight when
// EASE was not trained (a catalog above its item limit): both score a
// shopper's next products from the products of their history, and without
// either an untuned large catalog's blend has no model of what goes with
// what.
func (m *Model) easeToKNN() {
	if w := &m.cfg.Weights; w.EASE > 0 && m.cfg.EASEFallback > 0 && !m.ease.enabled() && m.cfg.Neighbors > 0 && m.ui.nnz() > 0 {
		w.KNN += m.cfg.EASEFallback * w.EASE
		w.EASE = 0
	}
}

// buildBase encodes the catalog and builds the cleaned signals every model
// is trained from.
func (m *Model) buildBase(d Dataset, cfg Config) signals {
	m.cat = newCatalog(d)
	sig := buildSignals(d, &m.cat, cfg)
	m.DataNow = sig.now
	m.userIDs, m.userIndex, m.ui, m.kind, m.pref, m.burst = sig.userIDs, sig.userIndex, sig.ui, sig.kind, sig.pref, sig.burst
	m.indexItems()
	m.indexFresh()
	m.indexPurchases()
	m.indexShoppers()
	m.text = &termModel{}
	return sig
}

// component is one trainable model of the hybrid.
type component struct {
	name    string
	enabled func(m *Model, cfg Config) bool
	train   func(ctx context.Context, m *Model, sig *signals, cfg Config, workers int) error
	trained func(m *Model) bool
}

// modelComponents are trained in this order after the signals.
var modelComponents = []component{
	{"item_knn", func(m *Model, cfg Config) bool { return cfg.Neighbors > 0 },
		func(_ context.Context, m *Model, _ *signals, cfg Config, workers int) error {
			all := binaryRows(&m.ui, m.kind, nil, cfg.MaxUserHistory)
			m.knn = cooccurrenceNeighbors(&all, cfg.Neighbors, cfg.KNNShrink, cfg.KNN, workers)
			if cfg.tuneFit {
				return nil // a product page's "bought together": never scored by tuning
			}
			bought := binaryRows(&m.ui, m.kind, func(t EventType) bool { return t == Purchase }, cfg.MaxUserHistory)
			m.bought = cooccurrenceNeighbors(&bought, cfg.Neighbors, cfg.KNNShrink, cfg.KNN, workers)
			return nil
		}, func(*Model) bool { return true }},
	{"content", func(m *Model, cfg Config) bool { return cfg.Content.Neighbors > 0 },
		func(_ context.Context, m *Model, _ *signals, cfg Config, workers int) error {
			m.content = trainContent(&m.cat, cfg.Content.Neighbors, workers)
			return nil
		}, func(*Model) bool { return true }},
	{"als", func(m *Model, cfg Config) bool { return cfg.ALS.Factors > 0 && m.ui.nnz() > 0 },
		func(ctx context.Context, m *Model, sig *signals, cfg Config, workers int) (err error) {
			var attrs *csr
			if cfg.ALS.AttributePrior > 0 {
				a := itemAttributes(&m.cat)
				attrs = &a
			}
			m.als, err = trainALS(ctx, &m.ui, &sig.iu, cfg.ALS, workers, attrs)
			if err == nil {
				alsRecencyRows(m, cfg, workers, false)
				m.als.userF = m.keepFactorRows(m.als.userF, m.als.k)
			}
			return err
		}, func(m *Model) bool { return m.als.enabled() }},
	{"svd", func(m *Model, cfg Config) bool { return cfg.SVD.Rank > 0 && m.ui.nnz() > 0 },
		func(ctx context.Context, m *Model, sig *signals, cfg Config, workers int) (err error) {
			m.decideFactorRows()
			m.svd, err = trainSVD(ctx, &m.ui, cfg.SVD, workers, m.rowOf, m.factorRowCount)
			return err
		}, func(m *Model) bool { return m.svd.enabled() }},
	{"ease", func(m *Model, cfg Config) bool { return cfg.EASE.MaxItems > 0 && m.ui.nnz() > 0 },
		func(ctx context.Context, m *Model, sig *signals, cfg Config, _ int) (err error) {
			m.ease, err = trainEASE(ctx, &m.ui, &sig.iu, cfg.EASE)
			return err
		}, func(m *Model) bool { return m.ease.enabled() }},
}

// indexItems derives the serving lookups from the catalog.
func (m *Model) indexItems() {
	n := len(m.cat.items)
	m.avail = make([]bool, n)
	m.brandID = make([]int32, n)
	m.brands = make(map[string]int32)
	for i, it := range m.cat.items {
		m.avail[i] = it.Active && it.Stock > 0
		m.brandID[i] = -1
		if b := strings.ToLower(strings.TrimSpace(it.Brand)); b != "" {
			id, ok := m.brands[b]
			if !ok {
				id = int32(len(m.brands))
				m.brands[b] = id
			}
			m.brandID[i] = id
		}
	}
}

func (m *Model) memoryBytes() int64 {
	f32 := func(s []float32) int64 { return int64(len(s)) * 4 }
	i32 := func(s []int32) int64 { return int64(len(s)) * 4 }
	sp := func(c *csr) int64 { return i32(c.indptr) + i32(c.indices) + f32(c.data) }
	b := sp(&m.ui) + int64(len(m.kind)) + f32(m.pref) + f32(m.burst) + sp(&m.knn) + sp(&m.bought) + sp(&m.content) + sp(&m.next) + sp(&m.afterBuy) + sp(&m.order) + sp(&m.recent) + f32(m.fresh) + sp(&m.freshCats)
	b += f32(m.als.userF) + f32(m.als.itemF) + int64(len(m.als.gram))*8
	b += f32(m.svd.userF) + f32(m.svd.itemF) + i32(m.rowOf)
	b += f32(m.ease.b) + i32(m.ease.items) + i32(m.ease.local)
	b += i32(m.cands.indptr) + i32(m.cands.items)
	b += i32(m.cat.inCat.start) + i32(m.cat.inCat.items) + i32(m.cat.inLeaf.start) + i32(m.cat.inLeaf.items)
	b += f32(m.pop.pop) + f32(m.pop.trend) + i32(m.pop.popOrder) + i32(m.pop.trendOrder) + i32(m.pop.newOrder) + f32(m.pop.newcomer) + i32(m.pop.newcomerOrder) + f32(m.shoppers) + f32(m.catShoppers) + f32(m.catShare) + f32(m.catPopWithin)
	for i, it := range m.cat.items {
		b += int64(unsafe.Sizeof(it)) + int64(len(it.ID)+len(it.Title)+len(it.Brand)+len(it.Category)+len(it.Description))
		b += 16 + int64(len(it.ID)) + 4*int64(len(m.cat.itemCats[i])) // index entry + category ids
		for _, c := range it.CategoryPath {
			b += 16 + int64(len(c))
		}
	}
	for _, id := range m.userIDs {
		b += 2*16 + 2*int64(len(id)) + 8 // slice + map entry
	}
	// Per-request scratch held by the pool: a few item-sized arrays per CPU.
	b += int64(workerCount(0)) * int64(len(m.cat.items)) * 24
	return b
}

// NumItems and NumUsers report the encoded catalog and user counts.
func (m *Model) NumItems() int { return len(m.cat.items) }

// NumUsers reports how many users have training interactions.
func (m *Model) NumUsers() int { return len(m.userIDs) }

// Item returns the catalog entry for id as of training time.
func (m *Model) Item(id string) (Item, bool) {
	i, ok := m.cat.index[id]
	if !ok {
		return Item{}, false
	}
	return m.cat.items[i], true
}

// KnownUser reports whether the model has training interactions for user.
func (m *Model) KnownUser(user string) bool {
	_, ok := m.userIndex[user]
	return ok
}
