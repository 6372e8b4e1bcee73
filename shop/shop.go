// Package shop holds the shop's domain services, shared by the web server,
// the command-line tools and the load harness: the in-memory catalog
// snapshot, the published layout and its engagement, the serving model and
// its training and evaluation, event retention, and recommendations for a
// user. It knows nothing of HTTP.
package shop

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"storefront/models"
	"storefront/recommender"
	"storefront/search"
)

// Options configures a Shop.
type Options struct {
	Logger     *slog.Logger
	TrainEvery time.Duration // background retraining period; 0 = never
	// Poll is how often the shop looks in the database for changes made
	// elsewhere (another instance, a command): the catalog and the newest
	// trained model. Zero picks 2s on PostgreSQL, where several instances
	// share one database, and 30s on SQLite.
	Poll time.Duration
	// AccountsChanged, when set, is told every poll the user ids of the
	// shoppers whose account (opt-out, hidden interests, edited history)
	// was written since the last one, through this instance or another
	// (followAccounts): a cache of account state drops them.
	AccountsChanged func(userKeys []string)
	// EventsRecorded, when set, is told every poll the user ids of the
	// shoppers and visitors with behaviour (any event but impressions)
	// written since the last one, through this instance or another, and
	// which of them bought (followEvents): a cache of composed homepages
	// drops theirs.
	EventsRecorded func(userKeys []string, purchased map[string]bool)
}

// Shop is one running shop's state over its database: what every page and
// tool reads instead of querying for it.
type Shop struct {
	db        *models.DB
	log       *slog.Logger
	opt       Options
	catalog   atomic.Pointer[Catalog]
	matched   atomic.Pointer[matchedVersion] // the current snapshot shows this version too (rebuildCatalog)
	search    *search.Index
	model     recommender.Holder
	modelInfo atomic.Pointer[models.ModelArtifact]
	launches  launchCache   // products created since training (launches.go)
	seenModel atomic.Uint64 // newest stored model id followStoredModel tried
	ownModel  atomic.Uint64 // the newest model this instance trained itself (ScheduledRun)
	// firstModelFor is the catalog snapshot trainFirstModel last started
	// a training for.
	firstModelFor atomic.Pointer[Catalog]
	trainer       *Trainer
	layout        layoutCache
	// experiments is the running experiment and control share (experiments.go).
	experiments experimentState
	degraded    atomic.Value                    // string: why the shop is degraded, "" when healthy
	forgotten   atomic.Pointer[map[string]bool] // deleted shoppers' user ids (forget.go)
	purgeMu     sync.Mutex                      // one rewrite of the stored models at a time
	patchMu     sync.Mutex                      // one ProductsChanged patch at a time
	accounts    accountWatch                    // account changes seen (accounts.go); refreshLoop's alone
	events      eventWatch                      // events seen (events_follow.go); refreshLoop's alone
	id          string                          // this process in the instances table (instances.go)
	instances   atomic.Int32                    // instances serving the database, as last counted (Instances)

	refresh chan struct{}
	// forceRefresh makes the refresh asked for a full reload
	// (CatalogChanged) rather than a follow of the catalog version.
	forceRefresh atomic.Bool
	// life ends when the shop stops (Close): background work runs under it;
	// stop is its Done channel.
	life       context.Context
	endLife    context.CancelFunc
	stop       <-chan struct{}
	background sync.WaitGroup
	started    chan struct{} // closed when New's background work is done (Started)
}

// New loads the catalog and the stored model.
func New(ctx context.Context, db *models.DB, opt Options) (*Shop, error) {
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	if opt.Poll <= 0 {
		opt.Poll = 30 * time.Second
		if db.Postgres() {
			opt.Poll = 2 * time.Second
		}
	}
	s := &Shop{db: db, log: opt.Logger, opt: opt, refresh: make(chan struct{}, 1),
		started: make(chan struct{}), id: instanceID()}
	s.life, s.endLife = context.WithCancel(context.Background())
	s.stop = s.life.Done()
	s.degraded.Store("")
	if id, err := db.LatestModelArtifactID(ctx); err == nil {
		s.seenModel.Store(uint64(id))
	}
	// The stored model is read from the start, while the search index is
	// opened and the catalog is read (on a large shop each is a second or
	// more of one core, and they share nothing). What is derived from the
	// model for later (product pages' related rows, the shopper's-words
	// tables) waits until the shop is ready: see below.
	modelLoaded := make(chan struct{})
	go func() {
		defer close(modelLoaded)
		s.reloadModel(ctx, false)
	}()
	fail := func(err error) (*Shop, error) {
		<-modelLoaded
		return nil, err
	}
	var err error
	if s.search, err = search.Open(searchIndexPath(db)); err != nil {
		return fail(err)
	}
	if err := s.LoadForgotten(ctx); err != nil {
		return fail(err)
	}
	if err := s.loadSynonyms(ctx); err != nil {
		return fail(err)
	}
	if _, err := s.rebuildCatalog(ctx, true); err != nil {
		return fail(err)
	}
	<-modelLoaded
	s.trainer = newTrainer(s)
	// The shop can serve now. What is left of its start-up runs in the
	// background, one step after the other on one goroutine, so that it
	// takes at most one core from the first requests (on a 2-core machine
	// the model's and the catalog's reads had to share the cores with the
	// related rows and the search vocabulary, and the first page with all
	// three): the search index brought up to date (searches wait for its
	// first Sync: search.Index), then the product pages' related rows
	// (until they are ranked a product page ranks its own), then the
	// shopper's-words tables (until they are built the first shopper with
	// a history builds them).
	s.background.Add(1)
	go func() {
		defer s.background.Done()
		defer close(s.started)
		s.syncSearch(s.Catalog())
		if m := s.model.Load(); m != nil && !s.stopping() {
			prepareModel(m)
		}
	}()
	return s, nil
}

// Started is closed once the work New leaves to the background is done:
// the search index is current and the serving model's derived tables are
// built. A measure of what the started shop holds waits for it.
func (s *Shop) Started() <-chan struct{} { return s.started }

// stopping reports whether Close was called.
func (s *Shop) stopping() bool {
	select {
	case <-s.stop:
		return true
	default:
		return false
	}
}

// Catalog returns the current catalog snapshot.
func (s *Shop) Catalog() *Catalog { return s.catalog.Load() }

// Model returns the serving model, nil until one is trained.
func (s *Shop) Model() *recommender.Model { return s.model.Load() }

// serve publishes m as the serving model and builds what it derives for
// later in the background (prepareModel).
func (s *Shop) serve(m *recommender.Model) {
	s.model.Store(m)
	s.launches.forget()
	go prepareModel(m)
}

// prepareModel ranks m's product pages' rows (recommender.Model.
// PrepareRelated; until then a product page ranks its own) and builds its
// shopper's-words tables and, where rows are scored on subsets, its
// products' serving records (PrepareTerms; until then the first shopper
// with a history builds them).
func prepareModel(m *recommender.Model) {
	m.PrepareRelated()
	m.PrepareTerms()
}

// ModelInfo describes the serving model (without its blob), nil without one.
func (s *Shop) ModelInfo() *models.ModelArtifact { return s.modelInfo.Load() }

// Trainer returns the background trainer.
func (s *Shop) Trainer() *Trainer { return s.trainer }

// Degraded says why the shop is degraded, "" when healthy.
func (s *Shop) Degraded() string {
	r, _ := s.degraded.Load().(string)
	return r
}

// SetDegraded records why the shop is degraded ("" when healthy).
func (s *Shop) SetDegraded(reason string) {
	if prev, _ := s.degraded.Load().(string); prev != reason && reason != "" {
		s.log.Warn("degraded", "reason", reason)
	}
	s.degraded.Store(reason)
}

// Start runs background work: catalog refresh, event retention and, when
// configured, scheduled training.
func (s *Shop) Start() {
	// The marks of account changes and events, before the first request
	// is served: a change from now on is reported, however soon.
	s.followInstances()
	s.background.Add(1)
	go func() {
		defer s.background.Done()
		s.purgeForgotten(context.Background()) // a deletion a stop interrupted
	}()
	s.background.Add(1)
	go s.refreshLoop()
	s.background.Add(1)
	go s.retentionLoop()
	if s.opt.TrainEvery > 0 {
		s.background.Add(1)
		go s.trainLoop(s.opt.TrainEvery)
	}
}

// Close stops background work and waits for a running training to end.
func (s *Shop) Close() {
	s.endLife()
	s.trainer.Wait()
	s.background.Wait()
	// The others take this one's share of the limits at their next poll.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	if err := s.db.RetireInstance(ctx, s.id); err != nil {
		s.log.Error("retiring this instance failed", "err", err)
	}
	cancel()
	if err := s.search.Close(); err != nil {
		s.log.Error("closing the search index", "err", err)
	}
}

func (s *Shop) refreshLoop() {
	defer s.background.Done()
	tick := time.NewTicker(s.opt.Poll)
	defer tick.Stop()
	for {
		force := false
		select {
		case <-s.stop:
			return
		case <-tick.C:
		case <-s.refresh:
			// Coalesce bursts of changes into one reload, but stop at once
			// when asked.
			select {
			case <-s.stop:
				return
			case <-time.After(200 * time.Millisecond):
			}
			force = s.forceRefresh.Swap(false)
		}
		if err := s.RefreshCatalog(context.Background(), force); err != nil {
			s.log.Error("catalog refresh failed", "err", err)
		}
		// A model trained by another instance or by `storefront train`.
		if err := s.followStoredModel(context.Background()); err != nil {
			s.log.Error("checking for a newer model failed", "err", err)
		}
		// A shop served before its import trains once it has products.
		if s.opt.TrainEvery > 0 {
			s.trainFirstModel()
		}
		// Content links of new products, before a shopper asks for them.
		s.Launches(s.model.Load())
		// Accounts deleted by another process are forgotten here too.
		if err := s.LoadForgotten(context.Background()); err != nil {
			s.log.Error("loading deleted shoppers failed", "err", err)
		}
		s.followInstances()
	}
}

// followInstances follows what other instances did since the last poll:
// opt-outs and other account changes made through them, the views, carts
// and purchases recorded through them; and announces this instance to the
// ones sharing the rate limits.
func (s *Shop) followInstances() {
	ctx := context.Background()
	if err := s.followAccounts(ctx); err != nil {
		s.log.Error("checking for changed accounts failed", "err", err)
	}
	if err := s.followEvents(ctx); err != nil {
		s.log.Error("checking for new events failed", "err", err)
	}
	if err := s.Announce(ctx); err != nil {
		s.log.Error("announcing this instance failed", "err", err)
	}
}

// CatalogChanged asks for the in-memory catalog to be reloaded soon.
func (s *Shop) CatalogChanged() {
	s.forceRefresh.Store(true)
	s.refreshSoon()
}

// refreshSoon asks for the in-memory catalog to follow the database soon:
// a full reload when the database's catalog version changed and more than
// stock did (rebuildCatalog).
func (s *Shop) refreshSoon() {
	select {
	case s.refresh <- struct{}{}:
	default:
	}
}
