package recommender

import (
	"fmt"
	"time"
)

// tuneSample keeps the events of a hash sample of the shoppers holding
// about limit events (all of them when there are no more), and reports
// the share of the shoppers kept.
func tuneSample(evs []Event, limit int) ([]Event, float64) {
	if len(evs) <= limit {
		return evs, 1
	}
	users := map[string]bool{}
	for _, e := range evs {
		users[e.User] = true
	}
	keep := int(float64(len(users)) * float64(limit) / float64(len(evs)))
	out := sampleUsers(evs, keep)
	kept := map[string]bool{}
	for _, e := range out {
		kept[e.User] = true
	}
	return out, float64(len(kept)) / float64(len(users))
}

// laterShare is the share of the held-out events later than every
// training event of their shopper: 1 for a split by time, about one in
// the history's length plus one for a random split of each history.
func laterShare(train, val []Event) float64 {
	if len(val) == 0 {
		return 1
	}
	last := map[string]time.Time{}
	for _, e := range train {
		if e.Time.After(last[e.User]) {
			last[e.User] = e.Time
		}
	}
	n := 0
	for _, e := range val {
		if e.Time.After(last[e.User]) {
			n++
		}
	}
	return float64(n) / float64(len(val))
}

// heldOutShoppers counts the shoppers with events on both sides of a split.
func heldOutShoppers(train, val []Event) int {
	inVal := map[string]bool{}
	for _, e := range val {
		inVal[e.User] = true
	}
	n := 0
	for _, e := range train {
		if inVal[e.User] {
			n++
			delete(inVal, e.User)
		}
	}
	return n
}

// sampleUsers keeps the events of at most n users, chosen by a hash of the
// id so the sample is stable and not biased by id order.
func sampleUsers(evs []Event, n int) []Event {
	users := map[string]bool{}
	for _, e := range evs {
		users[e.User] = true
	}
	if len(users) <= n {
		return evs
	}
	// Keep a user when their hash falls below a threshold set so about n stay.
	limit := uint64(float64(^uint64(0)) * float64(n) / float64(len(users)))
	out := evs[:0:0]
	for _, e := range evs {
		if fnv64(e.User) <= limit {
			out = append(out, e)
		}
	}
	return out
}

func fnv64(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// cutOffText says why the time cut-off of events could not tune: how
// many shoppers it left on both sides (train, val) and, when its cut-off
// falls on a timestamp shared across it, how many events that timestamp
// holds.
func cutOffText(events, train, val []Event, held int) string {
	shoppers := "shoppers"
	if held == 1 {
		shoppers = "shopper"
	}
	what := fmt.Sprintf("the latest 10%% of the events by time left %d %s with events on both sides (%d needed)", held, shoppers, minTuneUsers)
	if len(train) == 0 || len(val) == 0 {
		return what
	}
	at := latest(train)
	same := 0
	for _, e := range events {
		if e.Time.Equal(at) {
			same++
		}
	}
	// A timestamp holding a twentieth of the data or more is a coarse
	// clock's, not a busy second.
	if earliest(val).Equal(at) && 20*same >= len(events) {
		what += fmt.Sprintf(": its cut-off fell among %s events on one timestamp (%s)", thousands(float64(same)), at.UTC().Format("2006-01-02 15:04:05 UTC"))
	} else {
		what += ": the latest events by time are a few shoppers' whole histories"
	}
	return what
}

func earliest(evs []Event) time.Time {
	var t time.Time
	for k, e := range evs {
		if k == 0 || e.Time.Before(t) {
			t = e.Time
		}
	}
	return t
}
