// Package web is the shop's HTTP server: routes, handlers, sessions,
// tracking and the JSON API. It turns requests into calls on models and the
// recommender and renders templates; echo.Context never leaves this package.
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
	"storefront/recommender"
)

// Config is the server's configuration.
type Config struct {
	Addr          string
	SecureCookies bool          // set behind TLS
	TrainEvery    time.Duration // background retraining period; 0 = never
	Logger        *slog.Logger
	// EventQueue bounds the number of pending event submissions.
	EventQueue int
	// BenchReference serves GET /bench/reference for the load harness;
	// never set in production.
	BenchReference bool
}

// Server is the shop's web application.
type Server struct {
	cfg      Config
	db       *models.DB
	log      *slog.Logger
	echo     *echo.Echo
	sessions *scs.SessionManager
	events   *models.EventWriter
	catalog  atomic.Pointer[Catalog]
	limiter  *loginLimiter
	// idleTimeout ends signed-in sessions idle this long; idleTouch is how
	// often an active session is marked.
	idleTimeout, idleTouch time.Duration
	model                  recommender.Holder
	modelInfo              atomic.Pointer[models.ModelArtifact]
	trainer                *Trainer
	layout                 layoutCache
	reference              referencePage
	prom                   *serverMetrics

	refresh    chan struct{}
	stop       chan struct{}
	background sync.WaitGroup
	degraded   atomic.Value // string: why the shop is degraded, "" when healthy
	started    time.Time
}

// New builds the server, loading the catalog and the stored model.
func New(ctx context.Context, cfg Config, db *models.DB) (*Server, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.EventQueue <= 0 {
		cfg.EventQueue = 10000
	}
	s := &Server{cfg: cfg, db: db, log: cfg.Logger, refresh: make(chan struct{}, 1), stop: make(chan struct{}), started: time.Now(), limiter: newLoginLimiter()}
	s.degraded.Store("")
	s.events = models.NewEventWriter(db, cfg.EventQueue, 2000, 5*time.Millisecond, cfg.Logger)

	s.sessions = scs.New()
	s.sessions.Store = db.Sessions()
	s.sessions.Lifetime = 14 * 24 * time.Hour
	// Idle sessions end after idleTimeout; see checkIdle for why this is
	// not scs's IdleTimeout.
	s.idleTimeout, s.idleTouch = 3*24*time.Hour, 10*time.Minute
	s.sessions.Cookie.Name = "sf_session"
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
	if err := s.loadCatalog(ctx); err != nil {
		return nil, err
	}
	s.loadStoredModel(ctx)
	s.trainer = newTrainer(s)
	s.prom = newServerMetrics(s)
	s.echo = s.routes()
	return s, nil
}

// Handler returns the HTTP handler (for tests).
func (s *Server) Handler() http.Handler { return s.echo }

// Echo returns the router.
func (s *Server) Echo() *echo.Echo { return s.echo }

// Events returns the event writer.
func (s *Server) Events() *models.EventWriter { return s.events }

// Start runs background work (catalog refresh, scheduled training).
func (s *Server) Start() {
	s.background.Add(1)
	go s.refreshLoop()
	s.background.Add(1)
	go s.retentionLoop()
	if s.cfg.TrainEvery > 0 {
		s.background.Add(1)
		go s.trainLoop(s.cfg.TrainEvery)
	}
}

// ListenAndServe serves on cfg.Addr until ctx is cancelled, then shuts down
// gracefully and drains the event writer.
func (s *Server) ListenAndServe(ctx context.Context, ready func(addr string)) error {
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("web: listen on %s: %w", s.cfg.Addr, err)
	}
	srv := s.httpServer()
	s.Start()
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
	}
	shutCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	err = srv.Shutdown(shutCtx)
	return errors.Join(err, s.Close(shutCtx))
}

// httpServer bounds how long a client may take to send a request, how long
// a response may take and how long an idle connection is kept, so slow or
// stuck clients cannot hold connections forever.
func (s *Server) httpServer() *http.Server {
	return &http.Server{
		Handler:           s.echo,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
}

// Close stops background work and drains the event writer.
func (s *Server) Close(ctx context.Context) error {
	select {
	case <-s.stop:
	default:
		close(s.stop)
	}
	s.trainer.wait()
	s.background.Wait()
	return s.events.Close(ctx)
}

func (s *Server) refreshLoop() {
	defer s.background.Done()
	tick := time.NewTicker(30 * time.Second)
	defer tick.Stop()
	for {
		force := false
		select {
		case <-s.stop:
			return
		case <-tick.C:
		case <-s.refresh:
			// Coalesce bursts of changes into one reload.
			time.Sleep(200 * time.Millisecond)
			force = true
		}
		if err := s.refreshCatalog(context.Background(), force); err != nil {
			s.log.Error("catalog refresh failed", "err", err)
		}
	}
}

// catalogChanged asks for the in-memory catalog to be reloaded soon.
func (s *Server) catalogChanged() {
	select {
	case s.refresh <- struct{}{}:
	default:
	}
}

func (s *Server) setDegraded(reason string) {
	if prev, _ := s.degraded.Load().(string); prev != reason && reason != "" {
		s.log.Warn("degraded", "reason", reason)
	}
	s.degraded.Store(reason)
}
