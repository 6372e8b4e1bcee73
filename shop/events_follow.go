package shop

import "context"

// followedUsers bounds the shoppers one poll reports: far more than act in
// a poll's time; past it the rest wait for their next event here, or for
// personalTTL.
const followedUsers = 20_000

// eventWatch follows the events written through other instances.
type eventWatch struct {
	started bool
	low     uint            // each poll reads the events above it: the newest id seen a poll before the last
	mark    uint            // the newest event id seen
	told    map[string]uint // the highest event id reported of each user above low
}

// followEvents tells Options.EventsRecorded which shoppers acted (views,
// clicks, carts, purchases, searches) since the last poll, through this
// instance or another, so that an instance drops the homepage it composed
// for a shopper who then acted through another one within a poll of that
// event's commit. Event ids are taken before their batch commits, so a
// batch may become visible after one with higher ids was seen: each poll
// reads again from the newest id seen a poll before the last, and a user
// is reported again only for a higher id of theirs. The first call (Start, before
// the first request is served) only takes the mark.
func (s *Shop) followEvents(ctx context.Context) error {
	if s.opt.EventsRecorded == nil {
		return nil
	}
	w := &s.events
	if !w.started {
		mark, err := s.db.LatestEventID(ctx)
		if err != nil {
			return err
		}
		w.low, w.mark, w.told, w.started = mark, mark, map[string]uint{}, true
		return nil
	}
	acted, err := s.db.ActedAfter(ctx, w.low, followedUsers)
	if err != nil {
		return err
	}
	newest := w.mark
	var keys []string
	purchased := map[string]bool{}
	for _, a := range acted {
		newest = max(newest, a.ID)
		if a.ID <= w.told[a.UserKey] {
			continue
		}
		w.told[a.UserKey] = a.ID
		keys = append(keys, a.UserKey)
		if a.Purchased {
			purchased[a.UserKey] = true
		}
	}
	w.low, w.mark = w.mark, newest
	for k, id := range w.told {
		if id <= w.low {
			delete(w.told, k)
		}
	}
	if len(keys) > 0 {
		s.opt.EventsRecorded(keys, purchased)
	}
	return nil
}
