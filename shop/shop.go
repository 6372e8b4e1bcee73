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
}

// Shop is one running shop's state over its database: what every page and
// tool reads instead of querying for it.
type Shop struct {
	db        *models.DB
	log       *slog.Logger
	opt       Options
	catalog   atomic.Pointer[Catalog]
	search    *search.Index
	model     recommender.Holder
	modelInfo atomic.Pointer[models.ModelArtifact]
	launches  launchCache   // products created since training (launches.go)
	seenModel atomic.Uint64 // newest stored model id followStoredModel tried
	trainer   *Trainer
	layout    layoutCache
	// experiments is the running experiment and control share (experiments.go).
	experiments experimentState
	degraded    atomic.Value                    // string: why the shop is degraded, "" when healthy
	forgotten   atomic.Pointer[map[string]bool] // deleted shoppers' user ids (forget.go)
	purgeMu     sync.Mutex                      // one rewrite of the stored models at a time
	patchMu     sync.Mutex                      // one ProductsChanged patch at a time

	refresh    chan struct{}
	stop       chan struct{}
	background sync.WaitGroup
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
	s := &Shop{db: db, log: opt.Logger, opt: opt, refresh: make(chan struct{}, 1), stop: make(chan struct{})}
	s.degraded.Store("")
	if id, err := db.LatestModelArtifactID(ctx); err == nil {
		s.seenModel.Store(uint64(id))
	}
	// The stored model is read from the start, while the search index is
	// opened and the catalog is read (on a large shop each is a second or
	// more of one core, and they share nothing).
	modelLoaded := make(chan struct{})
	go func() {
		defer close(modelLoaded)
		s.ReloadModel(ctx)
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
	// The search index is brought up to date in the background: pages
	// that do not search are served at once, and searches wait until the
	// index is ready (search.Index waits for its first Sync).
	s.background.Add(1)
	go func() {
		defer s.background.Done()
		s.syncSearch(s.Catalog())
	}()
	<-modelLoaded
	s.trainer = newTrainer(s)
	return s, nil
}

// DB returns the shop's database.
func (s *Shop) DB() *models.DB { return s.db }

// Catalog returns the current catalog snapshot.
func (s *Shop) Catalog() *Catalog { return s.catalog.Load() }

// Model returns the serving model, nil until one is trained.
func (s *Shop) Model() *recommender.Model { return s.model.Load() }

// serve publishes m as the serving model and ranks its product pages'
// rows in the background (recommender.Model.PrepareRelated); until that is
// done a product page ranks its own rows.
func (s *Shop) serve(m *recommender.Model) {
	s.model.Store(m)
	go m.PrepareRelated()
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
	select {
	case <-s.stop:
	default:
		close(s.stop)
	}
	s.trainer.Wait()
	s.background.Wait()
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
			force = true
		}
		if err := s.RefreshCatalog(context.Background(), force); err != nil {
			s.log.Error("catalog refresh failed", "err", err)
		}
		// A model trained by another instance or by `storefront train`.
		if err := s.followStoredModel(context.Background()); err != nil {
			s.log.Error("checking for a newer model failed", "err", err)
		}
		// Content links of new products, before a shopper asks for them.
		s.Launches(s.model.Load())
		// Accounts deleted by another process are forgotten here too.
		if err := s.LoadForgotten(context.Background()); err != nil {
			s.log.Error("loading deleted shoppers failed", "err", err)
		}
	}
}

// CatalogChanged asks for the in-memory catalog to be reloaded soon.
func (s *Shop) CatalogChanged() {
	select {
	case s.refresh <- struct{}{}:
	default:
	}
}
