package shop

import (
	"context"
	"time"

	"storefront/models"
)

// ApplyRetention deletes raw events older than the retention period, and
// events dated beyond the accepted window (stored before it was enforced),
// which no retention period would ever reach.
func (s *Shop) ApplyRetention(ctx context.Context) (int64, error) {
	now := time.Now()
	n, err := s.db.DeleteEventsAfter(ctx, now.Add(models.EventClockSkew))
	if err != nil {
		return n, err
	}
	days, err := s.db.RetentionDays(ctx)
	if err != nil || days == 0 {
		return n, err
	}
	old, err := s.db.DeleteEventsBefore(ctx, now.AddDate(0, 0, -days))
	return n + old, err
}

// imageGrace is how long an uploaded picture is kept before anything
// refers to it; after that, once a day, pictures no product, creative or
// published version refers to are deleted (models.PruneImages).
const imageGrace = 24 * time.Hour

// VisitorCartIdle is how long an anonymous visitor's cart is kept with no
// change; once a day older ones are deleted (models.DeleteIdleVisitorCarts).
const VisitorCartIdle = 30 * 24 * time.Hour

// retentionLoop runs the housekeeping pass at the start and once a day.
// A pass gives up at the shop's stop: its deletes are cancelled, no step
// begins after it, and what a stop cut short is not logged as a failure
// (the next start's pass does it). On a database another process held
// locked (an import, a backup) each step waited out the lock (SQLite's
// 5 s busy timeout, on PostgreSQL until the lock was released), and a stop
// during the pass waited for all five steps, past the 20 s a stop has.
func (s *Shop) retentionLoop() {
	defer s.background.Done()
	tick := time.NewTicker(24 * time.Hour)
	defer tick.Stop()
	for {
		s.housekeeping()
		select {
		case <-s.stop:
			return
		case <-tick.C:
		}
	}
}

// housekeeping is one pass of retentionLoop.
func (s *Shop) housekeeping() {
	ctx := s.life
	steps := []struct {
		failed string
		run    func() (int64, error)
		done   func(n int64)
	}{
		{"event retention failed", func() (int64, error) { return s.ApplyRetention(ctx) },
			func(n int64) { s.log.Info("event retention", "deleted", n) }},
		{"pruning unused pictures failed", func() (int64, error) {
			n, err := s.db.PruneImages(ctx, time.Now().Add(-imageGrace))
			return int64(n), err
		},
			func(n int64) { s.log.Info("deleted pictures nothing refers to", "pictures", n) }},
		{"deleting idle visitor carts failed", func() (int64, error) { return s.db.DeleteIdleVisitorCarts(ctx, time.Now().Add(-VisitorCartIdle)) },
			func(n int64) { s.log.Info("deleted idle visitor carts", "lines", n) }},
		{"deleting old voided checkout keys failed", func() (int64, error) {
			return s.db.DeleteVoidedPaymentsBefore(ctx, time.Now().Add(-models.VoidedPaymentKept))
		}, nil},
		{"deleting expired sessions failed", func() (int64, error) { return s.db.Sessions().DeleteExpired(ctx) },
			func(n int64) { s.log.Info("deleted expired sessions", "sessions", n) }},
	}
	for _, st := range steps {
		if s.stopping() {
			return
		}
		n, err := st.run()
		switch {
		case s.stopping():
			return
		case err != nil:
			s.log.Error(st.failed, "err", err)
		case n > 0 && st.done != nil:
			st.done(n)
		}
	}
}
