package web

import (
	"crypto/subtle"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// serverMetrics are the Prometheus metrics served at /metrics.
type serverMetrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

func newServerMetrics(s *Server) *serverMetrics {
	m := &serverMetrics{registry: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "storefront_http_requests_total",
		Help: "HTTP requests by route and status code."}, []string{"route", "code"})
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "storefront_http_request_seconds",
		Help: "HTTP request latency by route.", Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5}},
		[]string{"route"})
	events := func(name, help string, pick func(w, d, f int64) int64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help}, func() float64 {
			w, d, f := s.events.Stats()
			return float64(pick(w, d, f))
		})
	}
	m.registry.MustRegister(m.requests, m.latency,
		events("storefront_events_written_total", "Events committed to the database.", func(w, _, _ int64) int64 { return w }),
		events("storefront_events_dropped_total", "Events dropped because the queue was full.", func(_, d, _ int64) int64 { return d }),
		events("storefront_events_failed_total", "Events whose batch failed to commit.", func(_, _, f int64) int64 { return f }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "storefront_event_queue_length", Help: "Event submissions waiting."},
			func() float64 { return float64(s.events.QueueLen()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "storefront_model_age_seconds", Help: "Age of the serving model; -1 without one."},
			func() float64 {
				if m := s.shop.Model(); m != nil {
					return time.Since(m.TrainedAt).Seconds()
				}
				return -1
			}),
		collectors.NewGoCollector(),
	)
	return m
}

// instrument counts requests and their latency by route pattern.
func (m *serverMetrics) instrument(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		route := c.Path()
		if route == "" {
			route = "unmatched"
		}
		code := c.Response().Status
		if he, ok := err.(*echo.HTTPError); ok {
			code = he.Code
		}
		m.requests.WithLabelValues(route, strconv.Itoa(code)).Inc()
		m.latency.WithLabelValues(route).Observe(time.Since(start).Seconds())
		return err
	}
}

// metrics serves Prometheus text to a scraper that sends the configured
// token (Authorization: Bearer …); without a configured token the endpoint
// is off. Figures about traffic and queues are not for anyone who asks.
func (s *Server) metrics(c echo.Context) error {
	if s.cfg.MetricsToken == "" {
		return echo.ErrNotFound
	}
	got, ok := bearerToken(c.Request().Header.Get("Authorization"))
	if !ok || subtle.ConstantTimeCompare([]byte(got), []byte(s.cfg.MetricsToken)) != 1 {
		c.Response().Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
		return echo.NewHTTPError(http.StatusUnauthorized, "metrics need Authorization: Bearer <STOREFRONT_METRICS_TOKEN>")
	}
	promhttp.HandlerFor(s.prom.registry, promhttp.HandlerOpts{}).ServeHTTP(c.Response(), c.Request())
	return nil
}
