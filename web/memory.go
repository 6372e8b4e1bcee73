package web

import (
	"os"
	"runtime"
	"runtime/debug"
)

// The server bounds its own memory with a soft limit
// (debug.SetMemoryLimit): near it the collector runs earlier and returns
// freed memory at once. The automatic limit is twice what the shop may keep
// live: what it holds once started (the model, the catalog, the search
// index: measured after a collection) plus the page caches' budgets. That is
// Go's own growth (GOGC=100) applied to a full shop, so the limit only binds
// when the caches are full and garbage piles up. A tighter limit (that
// plus 64 MiB, tried on the small world) kept the resident set under 300
// MiB but made the collector run nearly all the time under load and halved
// every page's throughput (docs/performance.md).

// limitMemory applies Config.MemoryLimit (automatic when 0: see
// autoMemoryLimit); GOMEMLIMIT set in the environment wins.
func (s *Server) limitMemory() {
	if os.Getenv("GOMEMLIMIT") != "" || s.cfg.MemoryLimit < 0 {
		return
	}
	limit := s.cfg.MemoryLimit
	if limit == 0 {
		limit = autoMemoryLimit()
	}
	debug.SetMemoryLimit(limit)
	s.log.Info("memory limit", "mib", limit>>20)
}

// autoMemoryLimit is twice what the shop holds once started plus the page
// caches' budgets. It grows with the shop: the large demo world holds ten
// times what the small one does.
func autoMemoryLimit() int64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return 2 * (int64(ms.HeapAlloc) + personalBodyBytes + sharedBodyBytes)
}
