package shop

import (
	"context"
	"time"
)

// accountOverlap is how far before the newest account change seen each poll
// looks again: a change is stamped by the clock of the instance that wrote
// it, before its transaction commits, so one may become visible after a
// later-stamped one was seen (a slow commit, another machine's clock a
// little behind).
const accountOverlap = time.Minute

// accountWatch follows account changes made through other instances.
type accountWatch struct {
	started bool
	mark    time.Time            // the newest change seen
	told    map[string]time.Time // the stamp of each change reported within the overlap, by user id
}

// followAccounts tells Options.AccountsChanged which shoppers' accounts
// changed since the last poll, so an instance drops what it cached about
// them (an opt-out, hidden interests, an edited history) within one poll
// of the change, whichever instance took it. The first call (Start, before
// the first request is served) only takes the mark.
func (s *Shop) followAccounts(ctx context.Context) error {
	if s.opt.AccountsChanged == nil {
		return nil
	}
	w := &s.accounts
	if !w.started {
		mark, err := s.db.LatestAccountChange(ctx)
		if err != nil {
			return err
		}
		w.mark, w.told = mark, map[string]time.Time{}
	}
	changes, err := s.db.AccountsChangedSince(ctx, w.mark.Add(-accountOverlap))
	if err != nil {
		return err
	}
	if !w.started {
		// What changed before the mark is not news.
		for _, c := range changes {
			w.told[c.ExternalID] = c.UpdatedAt
		}
		w.started = true
		return nil
	}
	var keys []string
	for _, c := range changes {
		// A row's stamp changes only when it is written again, even to an
		// earlier one (another instance's clock).
		if at, ok := w.told[c.ExternalID]; ok && c.UpdatedAt.Equal(at) {
			continue
		}
		w.told[c.ExternalID] = c.UpdatedAt
		keys = append(keys, c.ExternalID)
		if c.UpdatedAt.After(w.mark) {
			w.mark = c.UpdatedAt
		}
	}
	for k, at := range w.told {
		if at.Before(w.mark.Add(-accountOverlap)) {
			delete(w.told, k)
		}
	}
	if len(keys) > 0 {
		s.opt.AccountsChanged(keys)
	}
	return nil
}
