// Command storefront runs the shop and its data tools. This file only parses
// the command line and wires packages together.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"slices"
	"syscall"
	"time"

	"storefront/models"
	"storefront/recommender"
	"storefront/seed"
	"storefront/web"
)

const usage = `storefront — a personalized shop in one binary.

Usage:
  storefront serve     [--db PATH] [--addr 127.0.0.1:8080] [--secure-cookies] [--trusted-proxies CIDR,...] [--new-visitors-per-minute 30] [--events-per-minute 1200] [--connections-per-client 256] [--api-requests-per-second 100] [--api-events-per-second 500] [--train-every 1h] [--memory-limit MiB]
                       [--smtp-addr HOST:PORT --mail-from ADDRESS --public-url URL]
  storefront seed      [--db PATH] [--scale small|large] [--if-empty] [--reset]
  storefront import    [--db PATH] [--products products.csv] [--events events.csv] [--deactivate-missing] [--customers customers.csv]
  storefront train     [--db PATH] [--tune-budget auto|0|DURATION] [--cpuprofile FILE]
  storefront recommend [--db PATH] (--user ID | --users-file FILE) [--n 10] [--format jsonl]
  storefront eval      [--db PATH] [--k 10] [--format table|json] [--dataset movielens --dir DIR] [--tune-budget auto|0|DURATION]
  storefront backup    [--db PATH] --to FILE
  storefront migrate   [--db PATH]
  storefront migrate-data --from data/storefront.db --to postgres://user:pass@host:5432/db [--samples 20]
  storefront staff add            [--db PATH] --email E --role admin|merchandiser [--name N] [--password-stdin]
  storefront staff list           [--db PATH]
  storefront staff remove         [--db PATH] --email E
  storefront staff reset-password [--db PATH] --email E [--password-stdin]
  storefront customer export      [--db PATH] (--user ID | --email E)
  storefront customer delete      [--db PATH] (--user ID | --email E)

Every command takes --db: a SQLite file (default data/storefront.db, created
if missing) or postgres://user:pass@host:port/db?sslmode=disable (the database
must exist). Opening a database brings its schema up to date.
`

// config holds everything the commands need.
type config struct {
	db            string
	addr          string
	secureCookies bool
	// trustedProxies is web.Config.TrustedProxies, as given.
	trustedProxies string
	trainEvery     time.Duration
	// memoryLimitMiB is web.Config.MemoryLimit in MiB (0 automatic, -1 none).
	memoryLimitMiB int64
	// newVisitors is web.Config.NewVisitorsPerMinute.
	newVisitors int
	// eventsPerMinute is web.Config.EventsPerMinute.
	eventsPerMinute int
	// connsPerClient is web.Config.ConnectionsPerClient.
	connsPerClient int
	// apiPerSecond is web.Config.APIRequestsPerSecond.
	apiPerSecond int
	// apiEventsPerSecond is web.Config.APIEventsPerSecond.
	apiEventsPerSecond int
	// smtpAddr, mailFrom and publicURL are web.Config.Mail's relay.
	smtpAddr, mailFrom, publicURL string
}

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "storefront:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	return runWith(args, os.Stdin, stdout, stderr)
}

// runWith is run with the standard input given, for commands that read a
// password from it.
func runWith(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, usage)
		return nil
	}
	cmd, args := args[0], args[1:]
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	if about, ok := commandHelp[cmd]; ok {
		// --help says what the command does, then its flags, on standard
		// output and with no error; a wrong flag gets the same on stderr.
		if slices.ContainsFunc(args, func(a string) bool { return a == "-h" || a == "-help" || a == "--help" }) {
			fs.SetOutput(stdout)
		}
		fs.Usage = func() {
			fmt.Fprintf(fs.Output(), "storefront %s — %s\n\nFlags:\n", cmd, about)
			fs.PrintDefaults()
		}
	}
	err := runCommand(cmd, args, fs, stdin, stdout, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	return err
}

// commandHelp is the first line of each command's --help.
var commandHelp = map[string]string{
	"serve":        "the shop: storefront pages, admin, API, /healthz. Trains in the background at start when no model is stored, then every --train-every (0: never); Ctrl-C or SIGTERM finishes the requests in flight and writes queued events before it exits.",
	"seed":         "fills the database with the deterministic demo world (products, shoppers, events, staff).",
	"import":       "imports your products and/or events from CSV files (and, optionally, your customers' email addresses), all or nothing; bad rows are reported as file:line: field f: reason.",
	"train":        "tunes and trains the recommender on the shop's events and stores the model in the database; a running serve on the same database picks it up within its poll (2 s on PostgreSQL, 30 s on SQLite).",
	"recommend":    "prints recommendations for one user or a file of users, one JSON line each.",
	"eval":         "offline evaluation: trains on the earlier 80 % of events and scores every model against popularity on the rest.",
	"backup":       "writes a consistent copy of the database while the shop serves (SQLite: VACUUM INTO; PostgreSQL: pg_dump --format=custom).",
	"migrate":      "brings the database schema up to date and lists the migrations it ran.",
	"migrate-data": "copies a shop (stopped first) into an empty database, e.g. SQLite to PostgreSQL, then checks row counts and sample homepages; --db is not used.",
	"staff":        "manages staff accounts: staff add|list|remove|reset-password (storefront staff SUBCOMMAND --help lists its flags).",
	"customer":     "a customer's data request: customer export --user ID prints everything stored about them as JSON; customer delete --user ID deletes their account and history (orders kept without personal data), as /account does for a shopper who can log in. ID is the events file's user_id (or --email E).",
}

// runCommand parses cmd's flags and runs it.
func runCommand(cmd string, args []string, fs *flag.FlagSet, stdin io.Reader, stdout, stderr io.Writer) error {
	var cfg config
	fs.StringVar(&cfg.db, "db", "data/storefront.db", "SQLite database file, or postgres://user:pass@host:port/db?sslmode=disable")
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	slog.SetDefault(logger)

	switch cmd {
	case "serve":
		fs.StringVar(&cfg.addr, "addr", "127.0.0.1:8080", "listen address")
		fs.BoolVar(&cfg.secureCookies, "secure-cookies", false, "mark cookies Secure (set when served over TLS)")
		fs.StringVar(&cfg.trustedProxies, "trusted-proxies", "", "comma-separated addresses or CIDR ranges of the reverse proxies in front of the shop, whose X-Forwarded-For names the client (e.g. 10.0.0.0/24); empty = clients connect directly")
		fs.DurationVar(&cfg.trainEvery, "train-every", time.Hour, "retrain the recommender this often (0 = never)")
		fs.IntVar(&cfg.newVisitors, "new-visitors-per-minute", 30, "new visitors one client address may have tracked a minute (more are served, not recorded, so one client cannot pose as a crowd); 0 = no bound")
		fs.IntVar(&cfg.eventsPerMinute, "events-per-minute", 1200, "page views, clicks, searches, adds to cart and the homepage's impression rows one client address may have recorded a minute, one visitor or shopper at most 120 of them (more are served, not recorded, so one client cannot fill the events table); visitors' cart changes have the same figures of their own (more are refused, 429); 0 = no bound")
		fs.IntVar(&cfg.connsPerClient, "connections-per-client", 256, "connections one client address (IPv6: per /64) may hold open at once; more are answered 429 and closed (a trusted proxy's are not bounded); 0 = no bound")
		fs.IntVar(&cfg.apiPerSecond, "api-requests-per-second", 100, "requests one API key is served a second (twice that at once; more answer 429 with Retry-After); 0 = no bound")
		fs.IntVar(&cfg.apiEventsPerSecond, "api-events-per-second", 500, "events one API key has stored a second (ten seconds' worth at once, at least one full batch of 1,000; a batch over it answers 429 with Retry-After and stores nothing); 0 = no bound")
		fs.Int64Var(&cfg.memoryLimitMiB, "memory-limit", 0, "soft limit of the server's Go memory in MiB; 0 = what the shop holds once started + page caches + headroom, -1 = none (GOMEMLIMIT wins)")
		fs.StringVar(&cfg.smtpAddr, "smtp-addr", "", "SMTP relay (host:port) the shop sends password reset links through; credentials from STOREFRONT_SMTP_USERNAME and STOREFRONT_SMTP_PASSWORD; empty = the shop sends no email")
		fs.StringVar(&cfg.mailFrom, "mail-from", "", "sender of the shop's email, such as 'Shop <shop@example.com>' (with --smtp-addr)")
		fs.StringVar(&cfg.publicURL, "public-url", "", "the shop's address as shoppers reach it, such as https://shop.example.com: links in its email start with it (with --smtp-addr)")
		if err := parseFlags(fs, cmd, args); err != nil {
			return err
		}
		return serve(cfg, logger, stdout)
	case "seed":
		scale := fs.String("scale", seed.ScaleSmall, "world size: small or large")
		ifEmpty := fs.Bool("if-empty", false, "do nothing when the database already has products")
		reset := fs.Bool("reset", false, "delete all data first")
		if err := parseFlags(fs, cmd, args); err != nil {
			return err
		}
		return seedCmd(cfg, *scale, *ifEmpty, *reset, stdout, stderr)
	case "import":
		products := fs.String("products", "", "products CSV: id,title,description,category,brand,price,stock,created_at[,image_url,compare_at_price,group_id,active]")
		events := fs.String("events", "", "events CSV: user_id,product_id,type,timestamp[,value]")
		deactivateMissing := fs.Bool("deactivate-missing", false, "the products file is the full catalog: deactivate products not in it")
		customers := fs.String("customers", "", "optional customers CSV: user_id,email[,name] — the address of each customer imported under an id of your shop system (cust0042), who then sets a first password with \"Forgot your password?\" on the login page and logs in to their history")
		if err := parseFlags(fs, cmd, args); err != nil {
			return err
		}
		if *products == "" && *events == "" && *customers == "" {
			return errors.New("import: give --products, --events or both (and --customers for customers' addresses)")
		}
		return importCmd(cfg, seed.ImportOptions{Products: *products, Events: *events, Customers: *customers, DeactivateMissing: *deactivateMissing}, stdout, stderr)
	case "train":
		var budget tuneBudgetFlag
		fs.Var(&budget, "tune-budget", "time spent tuning settings on held-out data before training: auto (a quarter of the rest of the training, at least "+recommender.MinTuneBudget.String()+", at most "+recommender.DefaultTuneBudget.String()+", on this process's CPU time per worker, so a busy machine tunes as much as a quiet one), 0 (no tuning) or a duration (wall time)")
		cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the training to this file (for go tool pprof)")
		if err := parseFlags(fs, cmd, args); err != nil {
			return err
		}
		if *cpuProfile != "" {
			stop, err := startCPUProfile(*cpuProfile)
			if err != nil {
				return err
			}
			defer stop()
		}
		return trainCmd(cfg, budget.config(), stdout, stderr)
	case "recommend":
		user := fs.String("user", "", "one external user id")
		usersFile := fs.String("users-file", "", "file with one external user id per line")
		n := fs.Int("n", 10, "items per user")
		format := fs.String("format", "jsonl", "output format: jsonl")
		if err := parseFlags(fs, cmd, args); err != nil {
			return err
		}
		return recommendCmd(cfg, *user, *usersFile, *n, *format, stdout, stderr)
	case "eval":
		k := fs.Int("k", 10, "list length")
		format := fs.String("format", "table", "output format: table or json")
		dataset := fs.String("dataset", "", "evaluate on a public dataset instead of the shop's events: movielens")
		dir := fs.String("dir", "../shared/datasets/ml-100k", "dataset directory for --dataset movielens")
		var budget tuneBudgetFlag
		fs.Var(&budget, "tune-budget", "time spent tuning on the training part: auto (a quarter of the rest of the training, at least "+recommender.MinTuneBudget.String()+", at most "+recommender.DefaultTuneBudget.String()+", on this process's CPU time per worker, so a busy machine tunes as much as a quiet one), 0 (no tuning) or a duration (wall time)")
		if err := parseFlags(fs, cmd, args); err != nil {
			return err
		}
		return evalCmd(cfg, *k, *format, *dataset, *dir, budget.config(), stdout, stderr)
	case "backup":
		to := fs.String("to", "", "file to write the copy to (must not exist)")
		if err := parseFlags(fs, cmd, args); err != nil {
			return err
		}
		if *to == "" {
			return errors.New("backup: --to FILE is required")
		}
		return backupCmd(cfg, *to, stdout)
	case "staff":
		return staffCmd(&cfg, fs, args, stdin, stdout)
	case "customer":
		return customerCmd(&cfg, fs, args, stdout, stderr)
	case "migrate":
		if err := parseFlags(fs, cmd, args); err != nil {
			return err
		}
		return migrateCmd(cfg, stdout)
	case "migrate-data":
		from := fs.String("from", "", "the shop's database now (SQLite file or postgres:// URL)")
		to := fs.String("to", "", "an empty database to copy it into (postgres:// URL or SQLite file)")
		samples := fs.Int("samples", 20, "shoppers whose homepages are compared after the copy")
		fs.Lookup("db").Usage = "not read by migrate-data: --from and --to name the two databases"
		if err := parseFlags(fs, cmd, args); err != nil {
			return err
		}
		return migrateDataCmd(*from, *to, *samples, stdout, stderr)
	default:
		return fmt.Errorf("unknown command %q\n\n%s", cmd, usage)
	}
}

// parseFlags parses a command's flags and refuses what is left over: the
// flag package stops at the first argument that is not a flag, so
// `recommend --user a b --n 5` would answer a alone with 10 items and
// `train shop.db` would train data/storefront.db, both without a word.
func parseFlags(fs *flag.FlagSet, cmd string, args []string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%s: unexpected argument %q: every value is given with its flag (e.g. --db FILE), and flags after it were not read", cmd, fs.Arg(0))
	}
	return nil
}

func openDB(path string) (*models.DB, error) {
	return models.Open(path)
}

// memoryLimit turns --memory-limit into web.Config.MemoryLimit.
func memoryLimit(mib int64) int64 {
	if mib < 0 {
		return -1
	}
	return mib << 20
}

func serve(cfg config, logger *slog.Logger, stdout io.Writer) error {
	proxies, err := web.ParseTrustedProxies(cfg.trustedProxies)
	if err != nil {
		return fmt.Errorf("serve: --trusted-proxies: %w", err)
	}
	if cfg.secureCookies && len(proxies) == 0 {
		// TLS is ended by a proxy in front, so every request comes from it.
		logger.Warn("--secure-cookies without --trusted-proxies: every client behind the TLS proxy shares the proxy's login allowance; give the proxy's address")
	}
	var mailer *web.Mailer
	if cfg.smtpAddr != "" {
		// Credentials from the environment, not flags: a flag shows in the process list.
		if mailer, err = web.NewMailer(cfg.smtpAddr, cfg.mailFrom, cfg.publicURL,
			os.Getenv("STOREFRONT_SMTP_USERNAME"), os.Getenv("STOREFRONT_SMTP_PASSWORD")); err != nil {
			return fmt.Errorf("serve: %w", err)
		}
	} else if cfg.mailFrom != "" || cfg.publicURL != "" {
		return errors.New("serve: --mail-from and --public-url are for the shop's email, which needs --smtp-addr")
	} else {
		logger.Info("email off: shoppers who forget their password are told to contact the shop; give --smtp-addr, --mail-from and --public-url to send them a reset link")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	db, err := openDB(cfg.db)
	if err != nil {
		return err
	}
	defer db.Close()
	// From the environment, not a flag: a flag shows in the process list.
	metricsToken := os.Getenv("STOREFRONT_METRICS_TOKEN")
	if metricsToken == "" {
		logger.Info("metrics off: set STOREFRONT_METRICS_TOKEN to serve /metrics to a scraper sending it as a bearer token")
	}
	srv, err := web.New(ctx, web.Config{Addr: cfg.addr, SecureCookies: cfg.secureCookies, TrustedProxies: proxies, NewVisitorsPerMinute: cfg.newVisitors, EventsPerMinute: cfg.eventsPerMinute, ConnectionsPerClient: cfg.connsPerClient, APIRequestsPerSecond: cfg.apiPerSecond, APIEventsPerSecond: cfg.apiEventsPerSecond, TrainEvery: cfg.trainEvery, Logger: logger,
		MetricsToken: metricsToken, MemoryLimit: memoryLimit(cfg.memoryLimitMiB), Mail: mailer}, db)
	if err != nil {
		return err
	}
	setupToken, err := db.CreateSetupToken(ctx)
	if err != nil {
		return err
	}
	err = srv.ListenAndServe(ctx, func(addr string) {
		fmt.Fprintf(stdout, "Storefront is open at http://%s/\n", addr)
		if setupToken != "" {
			fmt.Fprintf(stdout, "  No staff account yet. Create the first admin (this link works once):\n  http://%s/admin/setup?token=%s\n", addr, setupToken)
		}
	})
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

// tuneBudgetFlag is --tune-budget: "auto" (the default), 0 or a duration.
type tuneBudgetFlag struct{ d time.Duration }

func (f *tuneBudgetFlag) String() string {
	if f == nil || f.d == 0 {
		return "auto"
	}
	if f.d < 0 {
		return "0"
	}
	return f.d.String()
}

func (f *tuneBudgetFlag) Set(v string) error {
	if v == "auto" {
		f.d = 0
		return nil
	}
	d, err := time.ParseDuration(v)
	switch {
	case err != nil:
		return fmt.Errorf("want auto, 0 or a duration such as 20s: %w", err)
	case d < 0:
		return fmt.Errorf("want auto, 0 or a positive duration, got %s", v)
	case d > time.Hour:
		return fmt.Errorf("%s is over the limit of 1h", v)
	case d == 0:
		f.d = -1 // no tuning
	default:
		f.d = d
	}
	return nil
}

// config is the value of recommender.Config.TuneBudget: 0 = the adaptive
// default, negative = no tuning.
func (f tuneBudgetFlag) config() time.Duration { return f.d }
