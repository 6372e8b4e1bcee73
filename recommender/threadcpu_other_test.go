//go:build !linux

package recommender

import "time"

// threadCPU is unavailable here; benchmarks report wall time only.
func threadCPU() time.Duration { return 0 }
