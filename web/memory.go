package web

import (
	"os"
	"runtime"
	"runtime/debug"
)

// The server bounds its own memory with a soft limit
// (debug.SetMemoryLimit): near it the collector runs earlier and returns
// freed memory at once. The automatic limit is what the shop holds once
// started (the model, the catalog, the search index: measured after a
// collection), plus the page caches' budgets, plus room to collect in: as
// much again as the start-up heap, at least 72 MiB. A shop whose caches
// are far from full (the usual case: the small demo world keeps ~25 MB of
// page bodies after the load harness) lives under Go's own growth
// (GOGC=100, twice the live heap) and never meets the limit; a burst (the
// event API at 10,000 events/s) meets it instead of growing the heap to
// twice what a full shop would hold, the former limit, which kept the small
// world's resident set at 370 MiB after the load. A tighter limit (that
// less the room, tried on the small world on 2026-12-02) made the collector
// run nearly all the time under load and halved every page's throughput
// (docs/performance.md).

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

// autoMemoryLimit is what the shop holds once started, plus the page
// caches' budgets, plus as much again as the start-up heap (at least
// minCollectRoom) to collect in. It grows with the shop: the large demo
// world holds ten times what the small one does.
func autoMemoryLimit() int64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return memoryLimitFor(int64(ms.HeapAlloc))
}

// minCollectRoom is the least room the automatic limit leaves the
// collector above a full shop's live heap. On the small demo world under
// the load harness (docs/performance.md "The automatic memory limit's
// room"), 64 MiB kept the resident set at 278-282 MiB but the collector
// ran so often near the limit that product pages fell to 34-49 % of the
// static ceiling; 80 MiB served them at 55 % and ended at 312 MiB; 72 MiB
// met both targets (52 %, 287 MiB).
const minCollectRoom = 72 << 20

// memoryLimitFor is the automatic limit of a shop holding started bytes
// once started.
func memoryLimitFor(started int64) int64 {
	return started + personalBodyBytes + sharedBodyBytes + max(started, minCollectRoom)
}
