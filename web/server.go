// Package web is the shop's HTTP server: routes, handlers, sessions,
// tracking and the JSON API. It turns requests into calls on package shop
// (catalog, layout, model, training), models and the recommender and
// renders templates; echo.Context never leaves this package.
package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/labstack/echo/v4"

	"storefront/models"
	"storefront/payment"
	"storefront/shop"
)

// Config is the server's configuration.
type Config struct {
	Addr          string
	SecureCookies bool // set behind TLS
	// TrustedProxies are the reverse proxies (load balancers, TLS
	// terminators) whose X-Forwarded-For is believed: a request from one of
	// them is the client's at the address the proxy says. Empty: every
	// request is its direct peer's, and X-Forwarded-For is ignored.
	TrustedProxies []*net.IPNet
	// NewVisitorsPerMinute bounds the new visitors one client address
	// (IPv6: per /64) has tracked a minute (visitorBudget); 0 leaves them
	// unbounded. `storefront serve` sets it (--new-visitors-per-minute).
	NewVisitorsPerMinute int
	// EventsPerMinute bounds the behaviour (views, clicks, searches, adds
	// to cart) one client address (IPv6: per /64) has recorded from pages
	// a minute, and one visitor or shopper at most 120 of it (eventBudget);
	// 0 leaves them unbounded. `storefront serve` sets it
	// (--events-per-minute).
	EventsPerMinute int
	// ConnectionsPerClient bounds the connections one client address
	// (IPv6: per /64; a trusted proxy's are not bounded) holds open at
	// once (connLimiter); 0 leaves them unbounded. `storefront serve` sets
	// it (--connections-per-client).
	ConnectionsPerClient int
	// APIRequestsPerSecond bounds the requests one API key is served a
	// second (twice that at once; apiKeyLimiter); 0 leaves them unbounded.
	// `storefront serve` sets it (--api-requests-per-second).
	APIRequestsPerSecond int
	// APIEventsPerSecond bounds the events one API key has stored a second
	// (ten seconds' worth at once, never less than one full request);
	// 0 leaves them unbounded. `storefront serve` sets it
	// (--api-events-per-second).
	APIEventsPerSecond int
	// MetricsToken is the bearer token /metrics asks for; empty turns
	// /metrics off.
	MetricsToken string
	TrainEvery   time.Duration // background retraining period; 0 = never
	// Poll is how often changes made by other instances are looked for
	// (see shop.Options.Poll); zero picks the default.
	Poll   time.Duration
	Logger *slog.Logger
	// EventQueue bounds the number of pending event submissions.
	EventQueue int
	// BenchReference serves GET /bench/reference for the load harness;
	// never set in production.
	BenchReference bool
	// Payments takes the checkout's payments; nil means payment.Simulated.
	Payments payment.Provider
	// MemoryLimit is the soft limit of the Go runtime's memory in bytes
	// (memory.go): 0 computes one once the shop has started, negative
	// leaves the runtime's own (GOMEMLIMIT). Set by ListenAndServe.
	MemoryLimit int64
	// Mail sends password reset links; nil: the shop sends no email, and
	// a shopper who forgot their password is told to contact the shop.
	Mail *Mailer
	// PageTimeout is the time a page has to be answered (its request's
	// context); 0 = 20 s (defaultDeadlines).
	PageTimeout time.Duration
}

// Server is the shop's web application.
type Server struct {
	cfg      Config
	db       *models.DB
	log      *slog.Logger
	echo     *echo.Echo
	sessions *scs.SessionManager
	// sessionStore is the sessions' store, which also ends a shopper's
	// sessions by the owner it keeps (endSessionsOf).
	sessionStore *models.SessionStore
	// visitorKey signs visitor cookies (models.DB.VisitorCookieKey);
	// visitorMACs keeps its HMACs for reuse (every page checks a cookie).
	visitorKey  []byte
	visitorMACs sync.Pool
	// visitorName is the visitor cookie's name, visitorScope what its
	// signature covers before the id (visitorCookieName).
	visitorName, visitorScope string
	// hostCookiesSince is when the shop first served with secure cookies
	// (models.DB.HostCookiesSince); zero over plain http.
	hostCookiesSince time.Time
	// insecureCookiesOverTLS warns once of a request over https to a shop
	// serving without secure cookies (securityHeaders).
	insecureCookiesOverTLS sync.Once
	events                 *models.EventWriter
	shop                   *shop.Shop // catalog, layout, model, training: the domain services
	limiter                *loginLimiter
	// newVisitors is each address's budget of new tracked visitors.
	newVisitors *visitorBudget
	// eventBudget is each address's and viewer's budget of recorded
	// behaviour.
	eventBudget *eventBudget
	// cartWrites is each address's and visitor's budget of cart changes
	// by visitors who are not signed in (the same figures as eventBudget,
	// counted apart): each may store a cart line kept 30 days and a
	// session kept an hour.
	cartWrites    *eventBudget
	conns         *connLimiter // open connections per client address
	apiLimit      *apiKeyLimiter
	apiEventLimit *apiKeyLimiter // events stored per key (apiLimit counts requests)
	// idleTimeout ends signed-in sessions idle this long; idleTouch is how
	// often an active session is marked.
	idleTimeout, idleTouch time.Duration
	// now is the clock sessions are timed by; tests set it instead of
	// sleeping.
	now func() time.Time
	// deadlines bound how long a request may take; tests shorten them.
	deadlines deadlines
	reference referencePage
	prom      *serverMetrics
	started   time.Time
	payments  payment.Provider
	settings  settingsCache
	imports   importJobs
	// uploadTurns: an upload route's one upload at a time (bigBodies),
	// a send taking the turn; another waits at most uploadWait for it.
	uploadTurns map[string]chan struct{}
	uploadWait  time.Duration
	images      *imageCache
	// resetMails are the password reset links waiting for the relay.
	resetMails *resetMailQueue
	closeOnce  sync.Once
	closeErr   error
	// expResults keeps experiment figures a while (admin_experiments.go).
	expResults resultsCache

	// Page caches (pagecache.go).
	viewers *viewerCache
	shared  sharedHomes
	bodies  bodyCache
	// Made once per catalog snapshot instead of per request: the content
	// security policy (its img-src lists the catalog's image hosts) and the
	// layout's category navigation (middleware.go).
	perCatalog atomic.Pointer[catalogDerived]
}

// eventBatchMax is the most events one write transaction takes. Under load
// the writer gathers what queued while the last batch committed; the more
// one commit holds, the fewer times the events indexes' pages are written
// (10,000 events: ~2 MB of rows in memory, one commit of ~1 s at most on a
// busy machine, so an API call waits for at most two).
const eventBatchMax = 10000

// sessionLifetime is how long a session lasts at most.
const sessionLifetime = 14 * 24 * time.Hour

// New builds the server, loading the catalog and the stored model.
func New(ctx context.Context, cfg Config, db *models.DB) (*Server, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.EventQueue <= 0 {
		cfg.EventQueue = 10000
	}
	if cfg.Payments == nil {
		cfg.Payments = payment.NewSimulated()
	}
	s := &Server{cfg: cfg, db: db, log: cfg.Logger, started: time.Now(), limiter: newLoginLimiter(), now: time.Now,
		deadlines: defaultDeadlines, uploadTurns: map[string]chan struct{}{}, uploadWait: defaultUploadWait}
	if cfg.PageTimeout > 0 {
		s.deadlines.page = cfg.PageTimeout
	}
	for path, big := range bigBodies {
		if big.busy != "" {
			s.uploadTurns[path] = make(chan struct{}, 1)
		}
	}
	s.payments = cfg.Payments
	s.limiter.log = cfg.Logger
	var spent atomic.Uint64
	s.limiter.shared = func(ctx context.Context, key string, now time.Time, lim limit) (bool, time.Duration, error) {
		ok, wait, err := db.SpendLoginAllowance(ctx, key, now, lim.every, lim.burst)
		if err == nil && spent.Add(1)%loginAllowanceSweep == 0 {
			// Accounts named once do not stay: whole allowances are no rows.
			if _, err := db.DeleteWholeLoginAllowances(ctx, now); err != nil {
				cfg.Logger.Warn("deleting whole login allowances failed", "err", err)
			}
		}
		return ok, wait, err
	}
	s.newVisitors = newVisitorBudget(cfg.NewVisitorsPerMinute)
	s.eventBudget = newEventBudget(cfg.EventsPerMinute)
	s.cartWrites = newEventBudget(cfg.EventsPerMinute)
	s.conns = newConnLimiter(cfg.ConnectionsPerClient, cfg.TrustedProxies, cfg.Logger)
	s.apiLimit = newAPIKeyLimiter(cfg.APIRequestsPerSecond, cfg.Logger)
	s.apiEventLimit = newAPIEventLimiter(cfg.APIEventsPerSecond, cfg.Logger)
	s.events = models.NewEventWriter(db, cfg.EventQueue, eventBatchMax, 5*time.Millisecond, cfg.Logger)
	s.viewers = newViewerCache()
	s.images = newImageCache()
	s.resetMails = newResetMailQueue()
	s.events.OnWritten(s.eventsWritten)

	key, err := db.VisitorCookieKey(ctx)
	if err != nil {
		return nil, err
	}
	s.visitorKey = key
	s.visitorName, s.visitorScope = visitorCookieName(cfg.SecureCookies)
	if cfg.SecureCookies {
		if s.hostCookiesSince, err = db.HostCookiesSince(ctx, time.Now()); err != nil {
			return nil, err
		}
	}
	s.sessions = scs.New()
	s.sessionStore = db.Sessions()
	s.sessionStore.Owner = sessionOwner
	s.sessions.Store = s.sessionStore
	s.sessions.Lifetime = sessionLifetime
	s.sessions.Codec = sessionCodec{}
	// Idle sessions end after idleTimeout; see checkIdle for why this is
	// not scs's IdleTimeout.
	s.idleTimeout, s.idleTouch = 3*24*time.Hour, 10*time.Minute
	s.sessions.Cookie.Name = sessionCookieName(cfg.SecureCookies)
	s.sessions.Cookie.HttpOnly = true
	s.sessions.Cookie.SameSite = http.SameSiteLaxMode
	s.sessions.Cookie.Secure = cfg.SecureCookies
	s.sessions.ErrorFunc = func(w http.ResponseWriter, r *http.Request, err error) {
		s.log.Error("session store failed", "err", err)
		http.Error(w, "The shop is busy. Please try again in a moment.", http.StatusServiceUnavailable)
	}

	if published, err := db.EnsureDefaultHomepage(ctx); err != nil {
		return nil, err
	} else if published {
		s.log.Info("published a default homepage built from the shop's categories")
	}
	// An account changed through another instance (an opt-out above all)
	// drops what this one cached about the shopper within one poll, and
	// so does an event recorded through another instance: the shopper's
	// homepage here follows their views there.
	sh, err := shop.New(ctx, db, shop.Options{Logger: cfg.Logger, TrainEvery: cfg.TrainEvery, Poll: cfg.Poll,
		AccountsChanged: func(keys []string) { s.userChanged(keys...) },
		EventsRecorded:  s.actedElsewhere})
	if err != nil {
		return nil, err
	}
	s.shop = sh
	// Each instance keeps its share of the per-address and per-key limits:
	// N instances together allow about each figure, not N times it.
	s.limiter.share = sh.Instances
	if s.newVisitors != nil {
		s.newVisitors.share = sh.Instances
	}
	for _, b := range []*eventBudget{s.eventBudget, s.cartWrites} {
		if b != nil {
			b.share = sh.Instances
		}
	}
	for _, l := range []*apiKeyLimiter{s.apiLimit, s.apiEventLimit} {
		if l != nil {
			l.share = sh.Instances
		}
	}
	s.prom = newServerMetrics(s)
	s.echo = s.routes()
	go s.sendResetMails()
	return s, nil
}

// Handler returns the HTTP handler (for tests).
func (s *Server) Handler() http.Handler { return s.echo }

// Echo returns the router.
func (s *Server) Echo() *echo.Echo { return s.echo }

// Events returns the event writer.
func (s *Server) Events() *models.EventWriter { return s.events }

// Shop returns the domain services the server runs on.
func (s *Server) Shop() *shop.Shop { return s.shop }

// Start runs background work (catalog refresh, scheduled training).
func (s *Server) Start() { s.shop.Start() }

// ListenAndServe serves on cfg.Addr until ctx is cancelled, then shuts down
// gracefully and drains the event writer.
func (s *Server) ListenAndServe(ctx context.Context, ready func(addr string)) error {
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("web: listen on %s: %w", s.cfg.Addr, err)
	}
	ln = s.conns.wrap(ln)
	srv := s.httpServer()
	s.Start()
	go func() {
		// The limit follows what the started shop holds: its start-up
		// work done (shop.Started), not the first pages' garbage
		// collection racing them.
		select {
		case <-s.shop.Started():
			s.limitMemory()
		case <-ctx.Done():
		}
	}()
	prepCtx, stopPreparing := context.WithCancel(ctx)
	defer stopPreparing()
	go s.prepareProductPages(prepCtx)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	if ready != nil {
		ready(ln.Addr().String())
	}
	select {
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("web: serve: %w", err)
		}
	case <-ctx.Done():
		s.log.Info("shutting down: finishing the requests in flight and writing the queued events")
	}
	shutCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	err = errors.Join(srv.Shutdown(shutCtx), s.Close(shutCtx))
	written, dropped, failed := s.events.Stats()
	if err != nil || failed > 0 {
		s.log.Error("stopped", "events_written", written, "events_dropped", dropped, "events_failed", failed, "err", err)
	} else {
		s.log.Info("stopped", "events_written", written, "events_dropped", dropped)
	}
	return err
}

// deadlines bound how long a request may take: to arrive (read), to be
// answered (write, and page: the request's context), and, for a staff
// upload (bigBodies), all of it.
type deadlines struct {
	read, write, page, upload time.Duration
}

// defaultDeadlines: a page has 15 s to arrive and 20 s to be answered; a
// staff upload has 10 minutes, 64 MiB at 1 Mbit/s.
var defaultDeadlines = deadlines{read: 15 * time.Second, write: 30 * time.Second, page: 20 * time.Second, upload: 10 * time.Minute}

// httpServer bounds how long a client may take to send a request, how long
// a response may take and how long an idle connection is kept, so slow or
// stuck clients cannot hold connections forever.
func (s *Server) httpServer() *http.Server {
	return &http.Server{
		Handler:           s.echo,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       s.deadlines.read,
		WriteTimeout:      s.deadlines.write,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
}

// Close stops background work, deletes the upload files of the imports
// previewed here and not being applied, and drains the event writer and
// the password reset emails. The drains run beside the stopping of background
// work: a training that takes its time to stop (waiting on a database
// lock) does not use up ctx before a queued email or event is written.
// Closing again does nothing.
func (s *Server) Close(ctx context.Context) error {
	s.closeOnce.Do(func() {
		var mails, events error
		var wg sync.WaitGroup
		wg.Go(func() { mails = s.closeResetMails(ctx) })
		wg.Go(func() { events = s.events.Close(ctx) })
		s.shop.Close()
		s.imports.close()
		wg.Wait()
		s.closeErr = errors.Join(mails, events)
	})
	return s.closeErr
}

// catalogChanged asks for the in-memory catalog to be reloaded soon.
func (s *Server) catalogChanged() { s.shop.CatalogChanged() }
