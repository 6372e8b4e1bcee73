package loadtest

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	_ "net/http/pprof" // profiling endpoints for the child server only
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"syscall"
	"time"

	"storefront/models"
	"storefront/recommender"
	"storefront/shop"
	"storefront/web"
)

// Child modes: the harness re-executes itself so the server and the
// training run in their own processes, with their own memory figures.
const (
	childServe = "child-serve"
	childTrain = "child-train"
)

// serveChild runs the real shop server on a random local port. It prints
// "listen ADDR" once serving (and "pprof ADDR" with --pprof), and on
// SIGINT/SIGTERM shuts down gracefully, draining the event writer, then
// prints the writer's counters.
func serveChild(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet(childServe, flag.ContinueOnError)
	dbPath := fs.String("db", "", "database file")
	withPprof := fs.Bool("pprof", false, "serve net/http/pprof on another local port")
	addr := fs.String("addr", "127.0.0.1:0", "listen address")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	db, err := models.Open(*dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	srv, err := web.New(ctx, web.Config{Addr: *addr, Logger: logger, BenchReference: true}, db)
	if err != nil {
		return err
	}
	if *withPprof {
		// Lock contention and blocking too: a page phase whose rate does
		// not follow the server's CPU waits somewhere (the harness saves
		// mutex-<scale>-<phase>.pprof beside each CPU profile).
		runtime.SetMutexProfileFraction(20)
		runtime.SetBlockProfileRate(int(20 * time.Microsecond))
		ln, err := net.Listen("tcp", nextPort(*addr))
		if err != nil {
			return err
		}
		go http.Serve(ln, http.DefaultServeMux) //nolint:errcheck // ends with the process
		fmt.Fprintf(stdout, "pprof %s\n", ln.Addr())
	}
	err = srv.ListenAndServe(ctx, func(addr string) { fmt.Fprintf(stdout, "listen %s\n", addr) })
	w, d, f := srv.Events().Stats()
	fmt.Fprintf(stdout, "events %d %d %d\n", w, d, f)
	if err != nil && ctx.Err() == nil {
		return err
	}
	return nil
}

// trainReport is what the training child prints.
type trainReport struct {
	Load, Train, Save time.Duration
	Events            int
	Users, Items      int
}

// trainChild trains and stores a model the way `storefront train` does.
func trainChild(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet(childTrain, flag.ContinueOnError)
	dbPath := fs.String("db", "", "database file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	db, err := models.Open(*dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	progress := func(stage string, d time.Duration) {
		fmt.Fprintf(stderr, "bench: train %-12s %s\n", stage, d.Round(time.Millisecond))
	}
	res, err := shop.TrainAndStore(context.Background(), db, recommender.DefaultConfig(), progress)
	if err != nil {
		return err
	}
	return json.NewEncoder(stdout).Encode(trainReport{Load: res.Load, Train: res.Train, Save: res.Save,
		Events: res.Artifact.Events, Users: res.Model.NumUsers(), Items: res.Model.NumItems()})
}

// nextPort is the address one port above addr, or a random port when addr
// has none.
func nextPort(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	n, perr := strconv.Atoi(port)
	if err != nil || perr != nil || n == 0 {
		return "127.0.0.1:0"
	}
	return net.JoinHostPort(host, strconv.Itoa(n+1))
}
