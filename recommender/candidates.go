package recommender

import (
	"context"
	"slices"
	"sort"
	"sync/atomic"
	"time"
)

// CandidateConfig sizes the candidate lists precomputed at training time.
// For each recently active shopper the model keeps the items its own hybrid
// blend ranks highest (seen items excluded, stock ignored, so a stock-out
// does not empty a list); serving then scores only those items plus the
// neighbours of what the shopper did since training, instead of the whole
// catalog.
type CandidateConfig struct {
	PerUser  int           // items kept per shopper; 0 disables candidate lists
	MaxUsers int           // most recently active shoppers given a list
	Window   time.Duration // only shoppers active this close to the data's "now"
	Budget   time.Duration // wall-time bound of the stage; the most recent shoppers come first
	// MinItems is the smallest catalog given lists (0: every catalog). A
	// request scores a catalog of up to fullScanItems whole when its
	// shopper has no list, and on the demo world's 5,000 products that
	// took no more CPU than scoring the list (p50 0.54-0.77 ms against
	// 0.56-0.86 ms, p99 1.0-1.5 ms against 1.3-2.1 ms), while the lists
	// were a third of the training's CPU.
	MinItems int
}

// DefaultCandidateConfig is the shop's setting: lists only for catalogs
// a request never scores whole.
func DefaultCandidateConfig() CandidateConfig {
	return CandidateConfig{PerUser: 200, MaxUsers: 50000, Window: 60 * 24 * time.Hour, Budget: 15 * time.Second, MinItems: fullScanItems + 1}
}

// builds reports whether a catalog of this many items gets lists.
func (c CandidateConfig) builds(items int) bool {
	return c.PerUser > 0 && items >= c.MinItems
}

// candidateLists holds one compact list of item indexes per user index
// (rows of users without a list are empty).
type candidateLists struct {
	indptr []int32 // len(users)+1, or empty when there are no lists
	items  []int32
}

func (c *candidateLists) row(u int32) []int32 {
	if u < 0 || int(u)+1 >= len(c.indptr) {
		return nil
	}
	return c.items[c.indptr[u]:c.indptr[u+1]]
}

// Users reports how many shoppers have a candidate list.
func (c *candidateLists) users() int {
	n := 0
	for u := 0; u+1 < len(c.indptr); u++ {
		if c.indptr[u+1] > c.indptr[u] {
			n++
		}
	}
	return n
}

// CandidateUsers reports how many shoppers have a precomputed candidate list.
func (m *Model) CandidateUsers() int { return m.cands.users() }

// buildCandidates fills m.cands for the shoppers active within the window,
// most recent first, until the budget or MaxUsers is reached.
func (m *Model) buildCandidates(ctx context.Context, events []Event, cfg CandidateConfig, workers int) {
	if !cfg.builds(len(m.cat.items)) || len(m.userIDs) == 0 || len(m.cat.items) == 0 {
		return
	}
	last := make([]int64, len(m.userIDs))
	for _, e := range events {
		if u, ok := m.userIndex[e.User]; ok {
			if t := e.Time.UnixNano(); t > last[u] {
				last[u] = t
			}
		}
	}
	from := int64(0)
	if cfg.Window > 0 && !m.DataNow.IsZero() {
		from = m.DataNow.Add(-cfg.Window).UnixNano()
	}
	var users []int32
	for u, t := range last {
		if t > 0 && t >= from {
			users = append(users, int32(u))
		}
	}
	sort.SliceStable(users, func(a, b int) bool { return last[users[a]] > last[users[b]] })
	if cfg.MaxUsers > 0 && len(users) > cfg.MaxUsers {
		users = users[:cfg.MaxUsers]
	}
	rows := make([][]int32, len(m.userIDs))
	deadline := time.Now().Add(cfg.Budget)
	var next atomic.Int64
	done := make(chan struct{})
	workers = workerCount(workers)
	for range workers {
		go func() {
			defer func() { done <- struct{}{} }()
			for {
				k := int(next.Add(1) - 1)
				if k >= len(users) || ctx.Err() != nil || cfg.Budget > 0 && time.Now().After(deadline) {
					return
				}
				u := users[k]
				rows[u] = m.topForUser(u, cfg.PerUser)
			}
		}()
	}
	for range workers {
		<-done
	}
	c := candidateLists{indptr: make([]int32, len(m.userIDs)+1)}
	for u, r := range rows {
		c.items = append(c.items, r...)
		c.indptr[u+1] = int32(len(c.items))
	}
	if len(c.items) == 0 {
		return
	}
	m.cands = c
}

// candidateCost is the wall time one shopper's candidate list adds when
// workers build lists side by side, as buildCandidates does, measured on
// up to n shoppers spread over the user index: on a busy machine the
// workers do not run in parallel, and early and late shoppers differ.
// cpu is the CPU time per shopper this process used meanwhile.
func (m *Model) candidateCost(perUser, n, workers int) (wall, cpu time.Duration) {
	n = min(n, len(m.userIDs))
	if n == 0 {
		return 0, 0
	}
	stride := len(m.userIDs) / n
	sp := startSpan()
	parallelRange(n, workers, func(next func() (int, int, bool)) {
		for {
			lo, hi, ok := next()
			if !ok {
				return
			}
			for k := lo; k < hi; k++ {
				m.topForUser(int32(k*stride), perUser)
			}
		}
	})
	wall, cpu = sp.took()
	return wall / time.Duration(n), cpu / time.Duration(n)
}

// topForUser ranks the whole catalog with the hybrid blend for a trained
// user and returns the best n unseen items, in index order (a set).
func (m *Model) topForUser(u int32, n int) []int32 {
	s := m.getScratch()
	defer m.scratch.Put(s)
	s.begin()
	req := Request{User: m.userIDs[u], Strategy: Hybrid, ExcludeSeen: true, AllowRepurchase: false}
	m.buildHistory(s, req)
	m.newFilter(s, req, true)
	m.hybrid(s, req, u, nil)
	s.heap.reset(n)
	for j, sc := range s.score {
		if s.src[j] == srcNone || s.mark[j] == s.epoch || sc <= 0 {
			continue
		}
		if s.heap.full() && !better(sc, int32(j), s.heap.score[0], s.heap.idx[0]) {
			continue
		}
		s.heap.push(sc, int32(j))
	}
	idx, _ := s.heap.sorted()
	out := slices.Clone(idx)
	slices.Sort(out)
	return out
}

// candidateSubset returns the items a hybrid request of a user with a
// candidate list scores: the list, plus (added by the caller) whatever the
// neighbour models reach from the shopper's history. A shopper without a
// list (a new visitor, or one the stage did not reach) in a catalog above
// fullScanItems scores the fallbackCandidates most popular items plus that
// reach, so one request stays within a bounded number of items. nil means
// "score the whole catalog".
func (m *Model) candidateSubset(req Request, user int32) []int32 {
	if req.fullScan || req.weights != nil {
		return nil
	}
	if row := m.cands.row(user); len(row) > 0 {
		return row
	}
	if len(m.cat.items) > fullScanItems {
		return m.fallbackSubset()
	}
	return nil
}

const (
	fullScanItems      = 10_000 // larger catalogs are never scored whole for a hybrid row
	fallbackCandidates = 2_000  // popular items scored for a shopper without a candidate list
)
