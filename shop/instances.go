package shop

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"time"
)

// instanceID names this process in the instances table.
func instanceID() string {
	b := make([]byte, 12)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// instanceWindow is how long an instance counts as running after it last
// announced itself: three polls, and two seconds for clocks a little apart.
func (s *Shop) instanceWindow() time.Duration { return 3*s.opt.Poll + 2*time.Second }

// Announce records in the database that this instance runs and counts the
// instances that announced themselves within the window, itself included
// (Instances). Every poll calls it; Start before the first request.
func (s *Shop) Announce(ctx context.Context) error {
	n, err := s.db.AnnounceInstance(ctx, s.id, time.Now(), s.instanceWindow())
	if err != nil {
		return err
	}
	if old := s.instances.Swap(int32(n)); int(old) != n && old != 0 {
		s.log.Info("instances on this database changed: each keeps its share of the per-address and per-key limits", "instances", n, "before", old)
	}
	return nil
}

// Instances is how many instances serve the database, this one included,
// as the last poll counted them (1 before the first).
func (s *Shop) Instances() int { return max(int(s.instances.Load()), 1) }
