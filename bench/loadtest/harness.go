package loadtest

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"storefront/models"
	"storefront/seed"
)

// Options configure a run.
type Options struct {
	Dir           string        // databases, logs, profiles and results
	Scale         string        // seed.ScaleSmall or seed.ScaleLarge
	Reseed        bool          // rebuild the pristine database
	Shoppers      int           // logged-in shoppers
	Visitors      int           // anonymous visitors
	Workers       int           // concurrent connections
	Phase         time.Duration // length of each closed- and open-loop phase
	OpenFraction  float64       // open-loop rate as a fraction of the closed-loop maximum
	EventRate     int           // events/s of the sustained event API run
	EventBatch    int           // events per request
	EventDuration time.Duration // length of the sustained event API run; 0 skips it
	OrderRate     float64       // orders/s placed during the page phases; 0 none
	Buyers        int           // signed-in shoppers who place them, none of the Shoppers
	Profile       bool          // save CPU profiles of the server per closed-loop phase
	HomepageOnly  bool          // only the static, reference, homepage and mix phases
	Only          []string      // only these page phases (names as in the report), when set
	Addr          string        // the server child's listen address
	DB            string        // a postgres:// URL to serve from PostgreSQL; "" for SQLite under Dir
	Instances     int           // server children on the one database, requests alternated between them
	Compare       bool          // homepage throughput on SQLite and PostgreSQL (one and Instances instances), in rounds
	Rounds        int           // rounds of a comparison
	ModelFrom     string        // copy the stored model of this database instead of training
	Encoding      string        // Accept-Encoding of every request but static-identity: gzip or identity
	Log           io.Writer     // progress; nil discards it

	pgReseed bool // copy the world into PostgreSQL again
}

// Main parses the command line: a run by default, or one of the child modes
// the harness starts itself in.
func Main(args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		switch args[0] {
		case childServe:
			return serveChild(args[1:], stdout, stderr)
		case childTrain:
			return trainChild(args[1:], stdout, stderr)
		}
	}
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o Options
	fs.StringVar(&o.Dir, "dir", "bench/data", "directory for databases, logs, profiles and results (not in git)")
	fs.StringVar(&o.Scale, "scale", seed.ScaleSmall, "world size: small or large")
	fs.BoolVar(&o.Reseed, "reseed", false, "rebuild the seeded database even if one exists")
	fs.IntVar(&o.Shoppers, "shoppers", 1000, "distinct seeded shoppers to log in; they take turns")
	fs.IntVar(&o.Visitors, "visitors", 1000, "anonymous visitors; they take turns")
	fs.IntVar(&o.Workers, "workers", 32, "concurrent connections")
	fs.DurationVar(&o.Phase, "phase", 8*time.Second, "length of each load phase")
	fs.Float64Var(&o.OpenFraction, "open-fraction", 0.5, "open-loop rate as a fraction of the closed-loop maximum")
	fs.IntVar(&o.EventRate, "event-rate", 10000, "events/s of the sustained event API run")
	fs.IntVar(&o.EventBatch, "event-batch", 50, "events per event API request")
	fs.DurationVar(&o.EventDuration, "event-duration", 60*time.Second, "length of the sustained event API run (0 skips it)")
	fs.Float64Var(&o.OrderRate, "order-rate", 5, "orders/s placed during the page phases (not the static ones) by --buyers other signed-in shoppers: each changes stock; 0 none")
	fs.IntVar(&o.Buyers, "buyers", 100, "signed-in shoppers placing the orders of --order-rate, none of the --shoppers")
	fs.BoolVar(&o.Profile, "profile", false, "save a CPU profile of the server for every closed-loop phase")
	fs.BoolVar(&o.HomepageOnly, "homepage-only", false, "measure only the static asset, the reference page, the homepages and the mix")
	fs.StringVar(&o.Encoding, "accept-encoding", encGzip, "Accept-Encoding every request sends (static-identity always sends identity): gzip, or identity for a client that does not accept compressed answers")
	only := fs.String("only", "", "measure only these page phases, comma-separated (static,static-identity,reference,home,home-anon,mix,category,product,search,cart-add,events-api); the sustained event API run follows --event-duration")
	fs.StringVar(&o.Addr, "addr", "127.0.0.1:0", "address the server child listens on (pprof on the next port when it is not 0; further instances two ports up each)")
	fs.StringVar(&o.DB, "db", "", "serve from PostgreSQL: postgres://user@host:port/NAME (the harness copies the seeded world into NAME_seed once and recreates NAME from it every run; both must be new or the harness's own)")
	fs.IntVar(&o.Instances, "instances", 1, "server instances on the one database; requests alternate between them")
	fs.BoolVar(&o.Compare, "compare", false, "with --db: homepage phases on SQLite, on PostgreSQL with one instance and with --instances (2 unless set), in --rounds rounds")
	fs.IntVar(&o.Rounds, "rounds", 2, "rounds of --compare")
	fs.StringVar(&o.ModelFrom, "model-from", "", "serve the newest model stored in this SQLite database (e.g. an earlier run's bench/data/small-run.db copied aside) instead of training one; the run's training figures are then empty")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *only != "" {
		o.Only = strings.Split(*only, ",")
	}
	if o.Encoding != encGzip && o.Encoding != encIdentity {
		return fmt.Errorf("bench: --accept-encoding takes gzip or identity, not %q", o.Encoding)
	}
	if o.Workers < 1 || o.Phase <= 0 || o.Shoppers < 1 || o.Visitors < 1 || o.EventBatch < 1 || o.EventBatch > 1000 ||
		o.Instances < 1 || o.Instances > 8 || o.Rounds < 1 || o.Rounds > 10 || !(o.OrderRate >= 0 && o.OrderRate <= 100) || o.Buyers < 1 {
		return errors.New("bench: --workers, --phase, --shoppers, --visitors, --buyers must be positive; --event-batch 1..1000; --instances 1..8; --rounds 1..10; --order-rate 0..100")
	}
	if o.DB != "" {
		if err := models.CheckTarget(o.DB); err != nil || !models.IsPostgresURL(o.DB) {
			return fmt.Errorf("bench: --db takes a postgres://user@host:port/NAME URL (SQLite is the default, under --dir): %q", models.RedactURL(o.DB))
		}
	}
	if o.Compare && o.DB == "" {
		return errors.New("bench: --compare needs --db postgres://…")
	}
	o.Log = stderr
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if o.Compare {
		if o.Instances == 1 {
			o.Instances = 2
		}
		cr, err := Compare(ctx, o)
		if cr != nil {
			cr.Print(stdout)
		}
		return err
	}
	rep, err := Run(ctx, o)
	if rep != nil {
		rep.Print(stdout)
		if b, jerr := json.MarshalIndent(rep, "", "  "); jerr == nil {
			path := filepath.Join(o.Dir, "results-"+o.Scale+".json")
			if werr := os.WriteFile(path, b, 0o644); werr == nil {
				fmt.Fprintf(stdout, "\nresults: %s\n", path)
			}
		}
	}
	return err
}

// Report is everything one run measured.
type Report struct {
	Date       time.Time `json:"date"`
	Scale      string    `json:"scale"`
	Database   string    `json:"database"` // "SQLite" or "PostgreSQL"
	Instances  int       `json:"instances"`
	CPUs       int       `json:"cpus"`
	CPUModel   string    `json:"cpu_model"`
	LoadBefore string    `json:"load_before"`
	Counts     models.DataCounts
	Seeded     time.Duration `json:"seeded"`
	TrainLoad  time.Duration `json:"train_load"`
	TrainFit   time.Duration `json:"train_fit"`
	TrainSave  time.Duration `json:"train_save"`
	TrainWall  time.Duration `json:"train_wall"`
	TrainRSS   int64         `json:"train_peak_rss"`
	Startup    time.Duration `json:"startup"`
	ServerRSS  int64         `json:"server_rss"`
	ServerPeak int64         `json:"server_peak_rss"`
	// ServerRSSParts splits ServerRSS: anonymous, file-backed, shared memory.
	ServerRSSParts [3]int64      `json:"server_rss_anon_file_shmem"`
	Results        []Result      `json:"results"`
	RefRatio       float64       `json:"home_to_reference"`
	Events         *EventCheck   `json:"events,omitempty"`
	Orders         *OrderCheck   `json:"orders,omitempty"`
	LoginTime      time.Duration `json:"login_time"`
	Options        Options       `json:"-"`
	WriterStats    [3]int64      `json:"writer_written_dropped_failed"`
}

// EventCheck is the sustained event API run and its count.
type EventCheck struct {
	Run        Result  `json:"run"`
	Requested  int     `json:"requested_events_per_s"`
	Acked      int64   `json:"acknowledged"`
	Failed     int64   `json:"failed_requests"`
	Stored     int64   `json:"stored"`
	EventsPerS float64 `json:"acknowledged_per_s"`
}

// Run prepares the world, starts the server and measures it.
func Run(ctx context.Context, o Options) (*Report, error) {
	log := o.Log
	if log == nil {
		log = io.Discard
	}
	rep := &Report{Date: time.Now(), Scale: o.Scale, Database: dbKind(o.DB), Instances: o.Instances,
		CPUs: runtime.NumCPU(), CPUModel: cpuModel(), LoadBefore: loadAvg(), Options: o}
	p, err := prepare(ctx, o, log)
	if err != nil {
		return nil, err
	}
	rep.Seeded, rep.TrainLoad, rep.TrainFit, rep.TrainSave = p.seeded, p.train.Load, p.train.Train, p.train.Save
	rep.TrainWall, rep.TrainRSS = p.trainWall, p.trainRSS
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	fx, counts, err := loadFixture(ctx, p.path, rng)
	if err != nil {
		return nil, err
	}
	rep.Counts = counts

	logFile, err := os.Create(filepath.Join(o.Dir, "server-"+o.Scale+".log"))
	if err != nil {
		return nil, err
	}
	defer logFile.Close()
	srvs, err := startServers(ctx, p.path, o.Addr, o.Instances, o.Profile, logFile)
	if err != nil {
		return nil, err
	}
	defer srvs.kill()
	srv, bases := srvs[0], srvs.bases()
	rep.Startup = srv.startup
	fmt.Fprintf(log, "bench: server at %s answered its first homepage %s after exec\n", srv.base, srv.startup.Round(time.Millisecond))

	start := time.Now()
	buyers := 0
	if o.OrderRate > 0 {
		buyers = o.Buyers
	}
	shoppers, err := newVisitors(ctx, srv.base, p.path, o.Shoppers+buyers, fx.shoppers, rng)
	if err != nil {
		return rep, err
	}
	// Distinct shoppers: the buyers' carts and orders are their own.
	shoppers, buyerList := shoppers[:len(shoppers)-min(buyers, len(shoppers)/2)], shoppers[len(shoppers)-min(buyers, len(shoppers)/2):]
	anons, err := newVisitors(ctx, srv.base, p.path, o.Visitors, 0, rng)
	if err != nil {
		return rep, err
	}
	if err := warmOn(ctx, bases[1:], shoppers, anons); err != nil {
		return rep, err
	}
	rep.LoginTime = time.Since(start)
	fmt.Fprintf(log, "bench: %d shoppers signed in (%d through the login form), %d visitors in %s\n", len(shoppers), min(formLogins, len(shoppers)), len(anons), rep.LoginTime.Round(time.Millisecond))

	eps := endpoints(fx, shoppers, anons, o.Encoding)
	es := &eventSource{fx: fx, prefix: "bench-" + strconv.FormatInt(time.Now().Unix(), 36) + "-u", batch: o.EventBatch}
	eps = append(eps, es.endpoint())
	if o.HomepageOnly && len(o.Only) == 0 {
		o.Only = []string{epStatic, epStaticID, epReference, epHome, epHomeAnon, epMix}
	}
	if len(o.Only) > 0 {
		var chosen []endpoint
		for _, name := range o.Only {
			i := slices.IndexFunc(eps, func(ep endpoint) bool { return ep.name == strings.TrimSpace(name) })
			if i < 0 {
				return rep, fmt.Errorf("bench: --only: no phase %q", name)
			}
			chosen = append(chosen, eps[i])
		}
		eps = chosen
	}
	// Start-up work the server does in the background (the search index,
	// content links, the visitors' held-back impressions, collecting the
	// sign-ins' garbage) must not share the cores with the first phase, the
	// static ceiling: a slowed ceiling would flatter every page's share.
	srvs.settle(ctx, log)
	// Warm up connections, caches and the Go runtime.
	attack(ctx, bases, eps[0], 0, 2*time.Second, o.Workers, nil)

	orders := newOrderStream(bases, buyerList, fx)
	ordersCtx, stopOrders := context.WithCancel(ctx)
	defer stopOrders()
	go orders.run(ordersCtx, o.OrderRate)
	pagePhase := func(ep endpoint) bool {
		return ep.name != epStatic && ep.name != epStaticID && ep.name != "events-api"
	}

	closed := map[string]Result{}
	for _, ep := range eps {
		orders.on.Store(pagePhase(ep))
		var file string
		if o.Profile && srv.pprof != "" {
			file = filepath.Join(o.Dir, "cpu-"+o.Scale+"-"+ep.name+".pprof")
			go func() {
				if err := profile(ctx, srv.pprof, "profile", file, o.Phase-time.Second); err != nil {
					fmt.Fprintf(log, "bench: profile %s: %v\n", ep.name, err)
				}
			}()
			for _, kind := range []string{"mutex", "block"} {
				go func() {
					f := filepath.Join(o.Dir, kind+"-"+o.Scale+"-"+ep.name+".pprof")
					if err := profile(ctx, srv.pprof, kind, f, o.Phase-time.Second); err != nil {
						fmt.Fprintf(log, "bench: %s profile %s: %v\n", kind, ep.name, err)
					}
				}()
			}
		}
		r := attack(ctx, bases, ep, 0, o.Phase, o.Workers, es.recordIf(ep))
		r.Profile = file
		closed[ep.name] = r
		rep.Results = append(rep.Results, r)
		fmt.Fprintf(log, "bench: closed %-10s %8.0f req/s  p50 %-8s p99 %-8s %s\n", ep.name, r.Throughput, ms(r.P50), ms(r.P99), codes(r.Codes))
		if o.Profile {
			time.Sleep(1500 * time.Millisecond) // let the profile finish before the next phase
		}
		if ctx.Err() != nil {
			return rep, ctx.Err()
		}
	}
	if ref := closed[epReference].Throughput; ref > 0 {
		rep.RefRatio = closed[epHome].Throughput / ref
	}
	for _, ep := range eps {
		rate := closed[ep.name].Throughput * o.OpenFraction
		if rate < 1 {
			continue
		}
		orders.on.Store(pagePhase(ep))
		r := attack(ctx, bases, ep, rate, o.Phase, o.Workers, es.recordIf(ep))
		rep.Results = append(rep.Results, r)
		fmt.Fprintf(log, "bench: open   %-10s %8.0f req/s  p50 %-8s p99 %-8s %s\n", ep.name, r.Throughput, ms(r.P50), ms(r.P99), codes(r.Codes))
		if ctx.Err() != nil {
			return rep, ctx.Err()
		}
	}

	orders.on.Store(false)
	stopOrders()
	if o.OrderRate > 0 {
		rep.Orders = &OrderCheck{Rate: o.OrderRate, Placed: orders.placed.Load(), Failed: orders.failed.Load()}
	}

	// The ceiling again, after every page phase (and once the server is
	// idle): the report compares pages with the highest static figure.
	if i := slices.IndexFunc(eps, func(ep endpoint) bool { return ep.name == epStatic }); i >= 0 {
		srvs.settle(ctx, log)
		r := attack(ctx, bases, eps[i], 0, o.Phase, o.Workers, nil)
		r.Endpoint = epStaticEnd
		rep.Results = append(rep.Results, r)
		fmt.Fprintf(log, "bench: closed %-10s %8.0f req/s  p50 %-8s p99 %-8s %s\n", r.Endpoint, r.Throughput, ms(r.P50), ms(r.P99), codes(r.Codes))
	}

	if !o.HomepageOnly && o.EventDuration > 0 {
		// The sustained run counts only its own users' events.
		sustained := &eventSource{fx: fx, prefix: "bench-" + strconv.FormatInt(time.Now().UnixNano(), 36) + "-s", batch: o.EventBatch}
		fmt.Fprintf(log, "bench: event API at %d events/s for %s\n", o.EventRate, o.EventDuration)
		r := attack(ctx, bases, sustained.endpoint(), float64(o.EventRate)/float64(o.EventBatch), o.EventDuration, 4*o.Workers, sustained.record)
		rep.Events = &EventCheck{Run: r, Requested: o.EventRate, Acked: sustained.acked.Load(), Failed: sustained.failed.Load()}
		// Per second of the attack window: vegeta sends for exactly EventDuration.
		rep.Events.EventsPerS = float64(rep.Events.Acked) / o.EventDuration.Seconds()
		defer func() {
			// After the server drained its writer: count what is stored.
			db, err := models.Open(p.path)
			if err != nil {
				fmt.Fprintf(log, "bench: count events: %v\n", err)
				return
			}
			defer db.Close()
			rep.Events.Stored, err = db.CountEventsOfUsers(context.Background(), sustained.prefix)
			if err != nil {
				fmt.Fprintf(log, "bench: count events: %v\n", err)
			}
		}()
	}
	rep.ServerRSS, rep.ServerPeak, rep.ServerRSSParts = srv.memoryParts()
	if o.Profile && srv.pprof != "" {
		// What the server holds after the load (in use, after a collection).
		file := filepath.Join(o.Dir, "heap-"+o.Scale+".pprof")
		if err := fetch(ctx, srv.pprof+"/debug/pprof/heap?gc=1", file); err != nil {
			fmt.Fprintf(log, "bench: heap profile: %v\n", err)
		}
		// The same as text, with the runtime's memory statistics at its end.
		if err := fetch(ctx, srv.pprof+"/debug/pprof/heap?debug=1", strings.TrimSuffix(file, ".pprof")+".txt"); err != nil {
			fmt.Fprintf(log, "bench: heap statistics: %v\n", err)
		}
	}
	rep.WriterStats = srvs.stop(log)
	return rep, nil
}

// recordIf records acknowledgements of event API phases.
func (es *eventSource) recordIf(ep endpoint) func(*vegetaResult) {
	if ep.name != "events-api" {
		return nil
	}
	return es.record
}
