// Command bench is the shop's load harness; see bench/loadtest and
// docs/performance.md. `make bench` runs it on the small demo world.
package main

import (
	"fmt"
	"os"

	"storefront/bench/loadtest"
)

func main() {
	if err := loadtest.Main(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}
