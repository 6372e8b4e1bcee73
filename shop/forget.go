package shop

import (
	"bytes"
	"context"
	"fmt"
	"maps"

	"storefront/models"
	"storefront/recommender"
)

// Deleting an account takes effect at once: the shopper's id becomes a
// tombstone (models.ForgottenUser) that every serving path checks, and the
// stored models are rewritten without the shopper. The next training never
// sees their events, and one running meanwhile leaves them out
// (TrainAndStore).

// LoadForgotten reads the tombstones into memory, so serving checks them
// without a query.
func (s *Shop) LoadForgotten(ctx context.Context) error {
	ids, err := s.db.ForgottenUsers(ctx)
	if err != nil {
		return err
	}
	s.forgotten.Store(&ids)
	return nil
}

// IsForgotten reports whether user belongs to a deleted shopper.
func (s *Shop) IsForgotten(user string) bool {
	if m := s.forgotten.Load(); m != nil {
		return (*m)[user]
	}
	return false
}

// Forget serves user like a stranger from now on and rewrites the stored
// models without them in the background. Call it after models.DeleteShopper.
func (s *Shop) Forget(user string) {
	for {
		old := s.forgotten.Load()
		next := map[string]bool{user: true}
		if old != nil {
			next = maps.Clone(*old)
			next[user] = true
		}
		if s.forgotten.CompareAndSwap(old, &next) {
			break
		}
	}
	s.background.Add(1)
	go func() {
		defer s.background.Done()
		s.purgeForgotten(context.Background())
	}()
}

// purgeForgotten rewrites stored models without deleted shoppers, then
// serves the rewritten newest one.
func (s *Shop) purgeForgotten(ctx context.Context) {
	s.purgeMu.Lock()
	defer s.purgeMu.Unlock()
	n, err := PurgeForgotten(ctx, s.db)
	if err != nil {
		s.log.Error("rewriting stored models without deleted shoppers failed", "err", err)
		return
	}
	if n == 0 {
		return
	}
	s.log.Info("stored models rewritten without deleted shoppers", "artifacts", n)
	if info := s.modelInfo.Load(); info != nil {
		m, a, err := LoadStoredModel(ctx, s.db)
		// Unless a training finished meanwhile (its model already leaves
		// the shoppers out).
		if err == nil && a.ID == info.ID && s.modelInfo.Load().ID == a.ID {
			s.serve(m)
		}
	}
}

// PurgeForgotten rewrites every stored model artifact without the deleted
// shoppers not yet purged, and marks them purged. It returns how many
// artifacts it rewrote.
func PurgeForgotten(ctx context.Context, db *models.DB) (int, error) {
	pending, err := db.UnpurgedForgottenUsers(ctx)
	if err != nil || len(pending) == 0 {
		return 0, err
	}
	all, err := db.ForgottenUsers(ctx)
	if err != nil {
		return 0, err
	}
	list, err := db.ModelArtifacts(ctx)
	if err != nil {
		return 0, err
	}
	rewritten := 0
	for _, info := range list {
		a, err := db.ModelArtifactByID(ctx, info.ID)
		if err != nil {
			return rewritten, err
		}
		m, err := recommender.Load(bytes.NewReader(a.Blob))
		if err != nil {
			// An unreadable model cannot be served; it may still hold the
			// shopper, so it goes.
			if err := db.DeleteModelArtifact(ctx, a.ID); err != nil {
				return rewritten, err
			}
			continue
		}
		if m.Forget(func(u string) bool { return all[u] }) == 0 {
			continue
		}
		var buf bytes.Buffer
		if err := m.Save(&buf); err != nil {
			return rewritten, fmt.Errorf("shop: rewrite model %d: %w", a.ID, err)
		}
		if err := db.ReplaceArtifactBlob(ctx, a.ID, buf.Bytes()); err != nil {
			return rewritten, err
		}
		rewritten++
	}
	return rewritten, db.MarkForgottenPurged(ctx, pending)
}
