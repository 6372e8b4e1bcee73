package recommender

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
