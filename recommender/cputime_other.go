//go:build !unix

package recommender

import "time"

// processCPU is unavailable here: the tuning budget is then wall time only.
func processCPU() time.Duration { return 0 }
