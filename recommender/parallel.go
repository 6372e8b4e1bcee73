package recommender

import (
	"runtime"
	"sync"
	"sync/atomic"
)

func workerCount(n int) int {
	if n <= 0 {
		return runtime.GOMAXPROCS(0)
	}
	return n
}

// parallelRange runs body on `workers` goroutines; each body pulls [lo,hi)
// chunks of [0,n) from next until it reports false. Chunks are small enough to
// balance rows of very different cost (heavy users) across workers.
func parallelRange(n, workers int, body func(next func() (lo, hi int, ok bool))) {
	workers = workerCount(workers)
	chunk := max(1, min(256, n/(workers*16)))
	var pos atomic.Int64
	next := func() (int, int, bool) {
		lo := int(pos.Add(int64(chunk))) - chunk
		if lo >= n {
			return 0, 0, false
		}
		return lo, min(lo+chunk, n), true
	}
	if workers == 1 {
		body(next)
		return
	}
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() { body(next) })
	}
	wg.Wait()
}
