package web

import (
	"os"
	"runtime"
	"runtime/debug"
)

// The server bounds its own memory. Between collections Go lets the heap
// grow to twice what is live (GOGC=100) and gives freed pages back to the
// system only slowly, so after a burst of load the resident set stayed at
// about three times the live heap. The server therefore sets a soft memory
// limit (debug.SetMemoryLimit): near it the collector runs earlier and
// returns freed memory at once.

// memoryHeadroom is the least room the automatic limit leaves for requests
// in flight, event batches and garbage.
const memoryHeadroom = 64 << 20

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

// autoMemoryLimit is what the shop holds once started (the model, the
// catalog, the search index: measured after a collection), plus the page
// caches' budgets, plus as much again as it holds (at least
// memoryHeadroom) for everything in flight. It grows with the shop: the
// large demo world holds ten times what the small one does.
func autoMemoryLimit() int64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := int64(ms.HeapAlloc)
	return base + personalBodyBytes + sharedBodyBytes + max(base, memoryHeadroom)
}
