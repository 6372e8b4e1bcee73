// Package loadtest is the shop's load harness. It seeds (or reuses) a demo
// database under a bench directory, trains and stores a model, starts the
// real server (web.New + ListenAndServe) in a child process on a random
// 127.0.0.1 port, logs seeded shoppers in through the login form, and drives
// every shopper-facing endpoint with vegeta: closed loop (a fixed number of
// workers, as fast as the server answers) for throughput and open loop
// (constant rate) for honest latency. It then reports requests/s and
// p50/p95/p99 per endpoint, the personalized homepage's throughput as a ratio
// to a fixed reference homepage, the event API's sustained rate with a count
// of every acknowledged event in the database, start-up time and the
// server's memory.
//
// Every run is bounded in time and requests and stops by itself. net/http/pprof
// is imported here only, so profiling endpoints exist only in the harness's
// child server, never in the shop binary. The package may import web, models
// and seed; nothing imports it.
package loadtest
