package web

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
)

func utoa(n uint) string { return strconv.FormatUint(uint64(n), 10) }

// healthz reports whether the shop can serve, and why it is degraded if so.
func (s *Server) healthz(c echo.Context) error {
	status, code := "ok", http.StatusOK
	body := map[string]any{"uptime_seconds": int(time.Since(s.started).Seconds())}
	if err := s.db.Ping(c.Request().Context()); err != nil {
		status, code = "down", http.StatusServiceUnavailable
		body["database"] = "unreachable"
	}
	if err, since, lost := s.events.Failing(); err != nil && status == "ok" {
		// Reads work (the ping passed) but writes fail: a full disk, a
		// read-only database. Orders and sign-ups fail alike, so this
		// reason comes before the model's.
		status = "degraded"
		body["reason"] = fmt.Sprintf("events are not being stored since %s (%d lost): %v",
			since.UTC().Format(time.RFC3339), lost, err)
	}
	if reason := s.shop.Degraded(); reason != "" && status == "ok" {
		status = "degraded"
		body["reason"] = reason
	}
	written, dropped, failed := s.events.Stats()
	body["events"] = map[string]int64{"written": written, "dropped": dropped, "failed": failed, "queued": int64(s.events.QueueLen())}
	body["status"] = status
	return c.JSON(code, body)
}
