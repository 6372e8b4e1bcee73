package recommender

import "time"

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
