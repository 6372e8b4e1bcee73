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

func (s *Shop) retentionLoop() {
	defer s.background.Done()
	tick := time.NewTicker(24 * time.Hour)
	defer tick.Stop()
	for {
		if n, err := s.ApplyRetention(context.Background()); err != nil {
			s.log.Error("event retention failed", "err", err)
		} else if n > 0 {
			s.log.Info("event retention", "deleted", n)
		}
		if n, err := s.db.PruneImages(context.Background(), time.Now().Add(-imageGrace)); err != nil {
			s.log.Error("pruning unused pictures failed", "err", err)
		} else if n > 0 {
			s.log.Info("deleted pictures nothing refers to", "pictures", n)
		}
		if n, err := s.db.DeleteIdleVisitorCarts(context.Background(), time.Now().Add(-VisitorCartIdle)); err != nil {
			s.log.Error("deleting idle visitor carts failed", "err", err)
		} else if n > 0 {
			s.log.Info("deleted idle visitor carts", "lines", n)
		}
		if _, err := s.db.DeleteVoidedPaymentsBefore(context.Background(), time.Now().Add(-models.VoidedPaymentKept)); err != nil {
			s.log.Error("deleting old voided checkout keys failed", "err", err)
		}
		if n, err := s.db.Sessions().DeleteExpired(context.Background()); err != nil {
			s.log.Error("deleting expired sessions failed", "err", err)
		} else if n > 0 {
			s.log.Info("deleted expired sessions", "sessions", n)
		}
		select {
		case <-s.stop:
			return
		case <-tick.C:
		}
	}
}
