package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"storefront/models"
	"storefront/recommender"
	"storefront/seed"
	"storefront/shop"
)

// openForCommand opens the database for a command that stops cleanly on
// Ctrl-C or SIGTERM; done closes both.
func openForCommand(cfg config) (context.Context, *models.DB, func(), error) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	db, err := openDB(cfg.db)
	if err != nil {
		stop()
		return nil, nil, nil, err
	}
	return ctx, db, func() { db.Close(); stop() }, nil
}

func seedCmd(cfg config, scale string, ifEmpty, reset bool, stdout, stderr io.Writer) error {
	ctx, db, done, err := openForCommand(cfg)
	if err != nil {
		return err
	}
	defer done()
	if ifEmpty {
		var n int64
		if err := db.R.WithContext(ctx).Model(&models.Product{}).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			fmt.Fprintf(stderr, "seed: %s already has %d products; keeping it\n", dbName(cfg.db), n)
			return nil
		}
	}
	sum, err := seed.Seed(ctx, db, seed.Options{Scale: scale, Reset: reset}, stderr)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "seeded %s: %d categories, %d products, %d shoppers, %d events, %d orders, %d slots in %s\n",
		dbName(cfg.db), sum.Categories, sum.Products, sum.Shoppers, sum.Events, sum.Orders, sum.Slots, sum.Duration.Round(time.Millisecond))
	// Printed here, once: `serve` never shows passwords. The staff ones are
	// published, so the first login asks for a new one.
	fmt.Fprintf(stdout, "demo logins (printed once):\n  Shopper:      %s / %s\n  Merchandiser: %s / %s  (admin at /admin)\n  Admin:        %s / %s\n"+
		"  staff choose a new password at their first login\n",
		seed.DemoShopperEmail, seed.DemoShopperPassword, seed.DemoMerchEmail, seed.DemoMerchPassword, seed.DemoAdminEmail, seed.DemoAdminPassword)
	return nil
}

func importCmd(cfg config, opts seed.ImportOptions, stdout, stderr io.Writer) error {
	ctx, db, done, err := openForCommand(cfg)
	if err != nil {
		return err
	}
	defer done()
	sum, err := seed.ImportWith(ctx, db, opts, stderr)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, importLine(opts, sum))
	if len(sum.Renamed) > 0 {
		// The events API and recommend take the shop's ids: the merchant
		// needs every one of these, not the first three the line names.
		fmt.Fprintln(stdout, "customers kept apart from an account here (your file's user_id → their id here, which the events API and `storefront recommend` take):")
		for _, r := range sum.Renamed {
			fmt.Fprintf(stdout, "  %s → %s\n", r.UserID, r.Key)
		}
	}
	if opts.DeactivateMissing {
		fmt.Fprintf(stdout, "deactivated %d %s missing from %s\n", sum.ProductsDeactivated, plural(sum.ProductsDeactivated, "product", "products"), opts.Products)
	}
	if l := sum.ListsLine(); l != "" {
		fmt.Fprintln(stdout, l)
	}
	if opts.Customers != "" {
		fmt.Fprintln(stdout, sum.CustomersLine())
	}
	if sum.ProductsInactive > 0 {
		fmt.Fprintf(stdout, "%d %s not for sale, as the file's active column says (a draft, a private product): switch one on in /admin/catalog\n",
			sum.ProductsInactive, plural(sum.ProductsInactive, "product", "products"))
	}
	if sum.DefaultHomepage {
		fmt.Fprintln(stdout, "published a default homepage built from the shop's categories (edit it at /admin/layout)")
	}
	if l := sum.HomepageLine(); l != "" {
		fmt.Fprintf(stdout, "%s (/admin/layout)\n", l)
	}
	return nil
}

// importLine says what an import brought in: the products part for a
// products file, the events part (with its rate) for an events file.
func importLine(opts seed.ImportOptions, sum *seed.ImportSummary) string {
	var parts []string
	if opts.Products != "" {
		parts = append(parts, fmt.Sprintf("%d %s created, %d updated, %d %s created", sum.ProductsCreated, plural(sum.ProductsCreated, "product", "products"),
			sum.ProductsUpdated, sum.CategoriesCreated, plural(sum.CategoriesCreated, "category", "categories")))
	}
	took := sum.Duration.Round(time.Millisecond)
	if opts.Events == "" {
		if len(parts) == 0 {
			return fmt.Sprintf("imported: %d %s in %s", sum.CustomerEmails, plural(sum.CustomerEmails, "customer's address", "customers' addresses"), took)
		}
		line := fmt.Sprintf("imported: %s in %s", strings.Join(parts, ", "), took)
		if c := sum.CurrencyLine(); c != "" {
			line += "; " + c
		}
		return line
	}
	rate := float64(sum.Events) / math.Max(sum.Duration.Seconds(), 1e-9)
	parts = append(parts, fmt.Sprintf("%d events", sum.Events))
	line := fmt.Sprintf("imported: %s in %s (%.0f events/s)", strings.Join(parts, ", "), took, rate)
	if k := sum.SkippedLine(); k != "" {
		line += "; " + k
	}
	if r := sum.RenamedLine(); r != "" {
		line += "; " + r
	}
	if c := sum.CurrencyLine(); c != "" {
		line += "; " + c
	}
	return line
}

// trainMemoryLimit is the soft heap limit of `storefront train` (unless
// GOMEMLIMIT sets one): the collector works harder near it instead of
// letting the heap grow to twice what is live, which on the large world
// (2M events) kept the peak RSS over 1.5 GiB.
const trainMemoryLimit = 1 << 30

func trainCmd(cfg config, budget time.Duration, stdout, stderr io.Writer) error {
	if os.Getenv("GOMEMLIMIT") == "" {
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(trainMemoryLimit))
	}
	ctx, db, done, err := openForCommand(cfg)
	if err != nil {
		return err
	}
	defer done()
	// A model of an empty shop, once stored, answered every user of the
	// products imported after it with an empty list until the next train.
	var products int64
	if err := db.R.WithContext(ctx).Model(&models.Product{}).Count(&products).Error; err != nil {
		return err
	}
	if products == 0 {
		return fmt.Errorf("train: %s has no products to train on (import or seed some first); no model stored", dbName(cfg.db))
	}
	progress := func(stage string, d time.Duration) {
		fmt.Fprintf(stderr, "train: %-12s %s\n", stage, d.Round(time.Millisecond))
	}
	start := time.Now()
	rcfg := recommender.DefaultConfig()
	rcfg.TuneBudget = budget
	res, err := shop.TrainAndStore(ctx, db, rcfg, progress)
	if err != nil {
		return err
	}
	st := res.Model.Stats()
	total := time.Since(start)
	fmt.Fprintf(stdout, "trained model %d in %s: %d users, %d items, %d interactions from %d events\n",
		res.Artifact.ID, total.Round(time.Millisecond), st.Users, st.Items, st.Interactions, st.Events)
	fmt.Fprintf(stdout, "  load %s, tune %s (%.0f%% of the whole), train %s, save %s; models: %s; model memory ~%.1f MiB, stored %.1f MiB\n",
		res.Load.Round(time.Millisecond), res.Tune.Round(time.Millisecond), 100*res.Tune.Seconds()/max(total.Seconds(), 1e-9), res.Train.Round(time.Millisecond), res.Save.Round(time.Millisecond),
		strings.Join(st.Models, ", "), float64(st.MemoryBytes)/(1<<20), float64(len(res.Artifact.Blob))/(1<<20))
	for _, s := range st.Stages {
		fmt.Fprintf(stdout, "  %-12s %s\n", s.Stage, s.Duration.Round(time.Millisecond))
	}
	for _, l := range res.Tuning.Lines() {
		fmt.Fprintf(stdout, "  %s\n", l)
	}
	fmt.Fprintf(stdout, "  cleaning: dropped %d events of %d bot/outlier users, %d events of unknown items, %d duplicates\n",
		st.DroppedBotEvents, st.BotUsers, st.DroppedUnknownItem, st.DroppedDuplicates)
	for _, note := range st.Cleaning {
		fmt.Fprintf(stdout, "    %s\n", note)
	}
	if c := res.Crowds.String(); c != "" {
		fmt.Fprintf(stdout, "    %s\n", c)
	}
	for _, d := range st.Dropped {
		fmt.Fprintf(stdout, "    dropped user %s (%d events): %s\n", d.User, d.Events, d.Reason)
	}
	return nil
}

// recommendLine is one output line of `storefront recommend`.
type recommendLine struct {
	UserID           string              `json:"user_id"`
	RecommendedItems []recommendLineItem `json:"recommended_items"`
}

type recommendLineItem struct {
	ItemID string  `json:"item_id"`
	Score  float64 `json:"score"`
	Reason string  `json:"reason"`
}

func recommendCmd(cfg config, user, usersFile string, n int, format string, stdout, stderr io.Writer) error {
	if format != "jsonl" {
		return fmt.Errorf("recommend: unknown --format %q (want jsonl)", format)
	}
	// An id is read as the import and the users file read it: the spaces
	// around it are not part of it.
	user = strings.TrimSpace(user)
	if (user == "") == (usersFile == "") {
		return errors.New("recommend: give exactly one of --user ID or --users-file FILE")
	}
	if n < 1 || n > 1000 {
		return fmt.Errorf("recommend: --n %d out of range 1..1000", n)
	}
	var users []string
	var lines []int // the users file's line of each user
	if user != "" {
		users = []string{user}
	} else {
		f, err := os.Open(usersFile)
		if err != nil {
			return fmt.Errorf("recommend: %w", err)
		}
		sc := bufio.NewScanner(seed.TextReader(bufio.NewReader(f)))
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		sc.Split(scanAnyLine)
		line := 1
		for ; sc.Scan(); line++ {
			if u := strings.TrimSpace(strings.TrimPrefix(sc.Text(), "\ufeff")); u != "" {
				users, lines = append(users, u), append(lines, line)
			}
		}
		f.Close()
		if err := sc.Err(); errors.Is(err, bufio.ErrTooLong) {
			return fmt.Errorf("recommend: %s:%d: the line is longer than 1 MiB; the file holds one user id per line", usersFile, line)
		} else if err != nil {
			return fmt.Errorf("recommend: read %s: %w", usersFile, err)
		}
	}
	ctx, db, done, err := openForCommand(cfg)
	if err != nil {
		return err
	}
	defer done()
	if len(lines) > 0 && lines[0] == 1 && isUserIDHeader(users[0]) {
		// The file's first line names the column, as the events file's
		// header does (`cut -d, -f1 events.csv | uniq`, a spreadsheet's
		// column saved alone): it is no user, unless the shop has one
		// by that id.
		known, err := db.UserItems(ctx, users[0])
		if err != nil {
			return err
		}
		if _, err := db.ShopperByExternalID(ctx, users[0]); len(known) == 0 && errors.Is(err, models.ErrNotFound) {
			fmt.Fprintf(stderr, "recommend: %s:1: %q read as the column's header, not a user id\n", usersFile, users[0])
			users, lines = users[1:], lines[1:]
		} else if err != nil && !errors.Is(err, models.ErrNotFound) {
			return err
		}
	}
	normal, err := normalIDs(ctx, db, users)
	if err != nil {
		return err
	}
	keys, err := importedKeys(ctx, db, normal, usersFile, lines, stderr)
	if err != nil {
		return err
	}
	m, _, err := shop.LoadStoredModel(ctx, db)
	why := "no stored model"
	if err == nil && m.NumItems() == 0 {
		// Stored before the catalog was imported (a shop served before
		// its import): it would answer everyone with an empty list.
		var products int64
		if err = db.R.WithContext(ctx).Model(&models.Product{}).Count(&products).Error; err == nil && products > 0 {
			why, err = "the stored model was trained before the shop had products", models.ErrNotFound
		}
	}
	if errors.Is(err, models.ErrNotFound) {
		fmt.Fprintf(stderr, "recommend: %s; training one now (run `storefront train` to keep it)\n", why)
		data, derr := shop.LoadDataset(ctx, db)
		if derr != nil {
			return derr
		}
		m, err = recommender.Train(ctx, data, recommender.DefaultConfig(), nil)
	}
	if errors.Is(err, recommender.ErrCorruptModel) {
		return fmt.Errorf("recommend: the stored model cannot be read (%w); run `storefront train --db %s` to store a new one (a serving shop trains at its next scheduled run)", err, dbName(cfg.db))
	}
	if err != nil {
		return err
	}
	optedOut, err := db.OptedOutUsers(ctx)
	if err != nil {
		return err
	}
	// Deleted shoppers are served like strangers, even by a model stored
	// before their deletion.
	forgotten, err := db.ForgottenUsers(ctx)
	if err != nil {
		return err
	}
	m.Forget(func(u string) bool { return forgotten[u] })
	// The catalog as it is now, as GET /api/v1/recommendations reads it: a
	// product deactivated or sold out since training is not recommended,
	// nor two sizes of one product group.
	cats, err := db.Categories(ctx)
	if err != nil {
		return err
	}
	products, err := db.AllProducts(ctx)
	if err != nil {
		return err
	}
	catalog := shop.BuildCatalog(cats, products)
	available, group, name := catalog.Live()
	variant, variantOf := catalog.Variants()
	w := bufio.NewWriter(stdout)
	defer w.Flush()
	enc := json.NewEncoder(w)
	var strangers []int // users with no event in the shop, by index
	for i, u := range users {
		key := keys[i] // the shop's id of the customer the file calls u
		req := recommender.Request{User: key, N: n, Strategy: recommender.Hybrid, ExcludeSeen: true}
		if optedOut[key] {
			req = recommender.Request{N: n, Strategy: recommender.Popular}
		} else if req.Recent, err = shop.RecentEvents(ctx, db, m, key); err != nil {
			return err
		} else if req.Seen, err = db.UserItems(ctx, key); err != nil {
			// Every item in the raw history, including events the training's
			// cleaning dropped, is excluded.
			return err
		} else if len(req.Seen) == 0 {
			strangers = append(strangers, i)
		}
		req.Available, req.Group, req.Name = available, group, name
		req.Variant, req.VariantOf = variant, variantOf
		line := recommendLine{UserID: u, RecommendedItems: []recommendLineItem{}}
		for _, r := range m.Recommend(req) {
			score := r.Score
			if math.IsNaN(score) || math.IsInf(score, 0) {
				score = 0
			}
			line.RecommendedItems = append(line.RecommendedItems, recommendLineItem{ItemID: r.ItemID, Score: math.Round(score*1e6) / 1e6, Reason: r.Reason})
		}
		if err := enc.Encode(line); err != nil {
			return err
		}
	}
	tellStrangers(stderr, users, lines, usersFile, strangers)
	return nil
}

// tellStrangers says on stderr how many of the users recommend was asked
// for have no event in the shop, and which: they are answered with what
// is popular, as a stranger would be, and a users file naming customers
// by another id than the events file's, or holding a second column,
// would otherwise be answered so without a word.
func tellStrangers(stderr io.Writer, users []string, lines []int, usersFile string, strangers []int) {
	if len(strangers) == 0 {
		return
	}
	if usersFile == "" {
		fmt.Fprintf(stderr, "recommend: %q has no event in the shop and was answered with what is popular\n", users[0])
		return
	}
	has, were := "have", "were"
	if len(strangers) == 1 {
		has, were = "has", "was"
	}
	fmt.Fprintf(stderr, "recommend: %d of the %d users asked for %s no event in the shop and %s answered with what is popular", len(strangers), len(users), has, were)
	const shown = 3
	var named []string
	for _, i := range strangers[:min(len(strangers), shown)] {
		named = append(named, fmt.Sprintf("%s:%d %q", usersFile, lines[i], users[i]))
	}
	more := ""
	if len(strangers) > shown {
		more = fmt.Sprintf(" and %d more", len(strangers)-shown)
	}
	fmt.Fprintf(stderr, ": %s%s\n", strings.Join(named, ", "), more)
	for _, i := range strangers {
		if sep := strings.IndexAny(users[i], "\t,;"); sep >= 0 {
			fmt.Fprintf(stderr, "recommend: %s:%d: %q holds %s; the file holds one user id per line, the events file's user_id alone\n",
				usersFile, lines[i], users[i], map[byte]string{'\t': "a tab", ',': "a comma", ';': "a semicolon"}[users[i][sep]])
			break
		}
	}
}

// normalIDs are the ids recommend was asked for as the shop matches them:
// in Unicode normal form C (models.NormalID), as the import stores them, so
// a users file written in another form than the events file ("Zoë" with a
// combining diaeresis) asks for the same customers. An id the shop holds as
// written (stored before ids were normalised) is kept.
func normalIDs(ctx context.Context, db *models.DB, users []string) ([]string, error) {
	out := slices.Clone(users)
	for i, u := range users {
		n := models.NormalID(u)
		if n == u {
			continue
		}
		held, err := db.UserItems(ctx, u)
		if err != nil {
			return nil, err
		}
		if len(held) == 0 {
			out[i] = n
		}
	}
	return out, nil
}

// isUserIDHeader reports whether a users file's first line is the name of
// the column of user ids (the events file's `user_id`, in any case,
// quoted or not) rather than an id. Other words are ids: a shop may call
// a customer "user".
func isUserIDHeader(line string) bool {
	line = strings.Trim(line, `"'`)
	return strings.EqualFold(strings.TrimSpace(line), "user_id")
}

// importedKeys returns the shop's id of each user recommend was asked
// for. The ids are the events file's (DESIGN.md: external ids), and an
// import keeps a customer whose id an account registered here already has
// under "<id>~imported", apart from that account: asked for the file's id,
// recommend answers for the imported customer, under the id it was asked
// for, and says on stderr (by the users file's line) which customer that
// is and that the registered account was not answered for.
func importedKeys(ctx context.Context, db *models.DB, users []string, usersFile string, lines []int, stderr io.Writer) ([]string, error) {
	keys := slices.Clone(users)
	renamed, err := db.RenamedImports(ctx, users)
	if err != nil || len(renamed) == 0 {
		return keys, err
	}
	told := 0
	for i, u := range users {
		key, ok := renamed[u]
		if !ok {
			continue
		}
		keys[i] = key
		if told++; told > 5 {
			continue
		}
		where := "--user"
		if usersFile != "" {
			where = fmt.Sprintf("%s:%d", usersFile, lines[i])
		}
		fmt.Fprintf(stderr, "recommend: %s: %q answered for the customer your events file called %q, kept here as %q apart from the account registered with that id\n", where, u, u, key)
	}
	if told > 5 {
		fmt.Fprintf(stderr, "recommend: and %d more such ids\n", told-5)
	}
	return keys, nil
}

// scanAnyLine is bufio.ScanLines for lines that end with a newline, a
// carriage return and newline, or a carriage return alone (a
// spreadsheet's "CSV (Macintosh)"), which bufio.ScanLines keeps in the line.
func scanAnyLine(data []byte, atEOF bool) (advance int, token []byte, err error) {
	if i := bytes.IndexAny(data, "\r\n"); i >= 0 {
		if data[i] == '\n' {
			return i + 1, data[:i], nil
		}
		if i+1 < len(data) {
			if data[i+1] == '\n' {
				return i + 2, data[:i], nil
			}
			return i + 1, data[:i], nil
		}
		if atEOF {
			return i + 1, data[:i], nil
		}
		return 0, nil, nil // a newline may follow the carriage return
	}
	if atEOF && len(data) > 0 {
		return len(data), data, nil
	}
	return 0, nil, nil
}

// evalStrategies are compared by `storefront eval`, baseline first.
var evalStrategies = []recommender.Strategy{recommender.Popular, recommender.Trending, recommender.ItemKNN,
	recommender.Content, recommender.ALS, recommender.SVD, recommender.EASE, recommender.Hybrid}

// evalResult is the JSON shape of `storefront eval`.
type evalResult struct {
	Dataset  string            `json:"dataset"`
	Protocol string            `json:"protocol"`
	K        int               `json:"k"`
	Train    int               `json:"train_events"`
	Test     int               `json:"test_events"`
	Seconds  float64           `json:"seconds"`
	Tuning   []string          `json:"tuning"`
	Models   []evalModelResult `json:"models"`
	// Ablation: the hybrid as trained, without the second stage, and the
	// blend without each of its parts.
	Ablation []evalAblation `json:"ablation"`
}

type evalAblation struct {
	Variant string  `json:"variant"`
	NDCG    float64 `json:"ndcg"`
	Users   int     `json:"users"`
}

type evalModelResult struct {
	Model     string  `json:"model"`
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1"`
	NDCG      float64 `json:"ndcg"`
	MAP       float64 `json:"map"`
	HitRate   float64 `json:"hit_rate"`
	Coverage  float64 `json:"coverage"`
	Users     int     `json:"users"`
	VsPopular float64 `json:"ndcg_vs_popular"`
}

func evalCmd(cfg config, k int, format, dataset, dir string, budget time.Duration, stdout, stderr io.Writer) error {
	if format != "table" && format != "json" {
		return fmt.Errorf("eval: unknown --format %q (want table or json)", format)
	}
	if k < 1 || k > 100 {
		return fmt.Errorf("eval: --k %d out of range 1..100", k)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	start, cpu := time.Now(), recommender.ProcessCPU()
	var (
		train recommender.Dataset
		test  []recommender.Event
		rcfg  recommender.Config
		res   evalResult
	)
	switch dataset {
	case "":
		db, err := openDB(cfg.db)
		if err != nil {
			return err
		}
		defer db.Close()
		data, err := shop.LoadDataset(ctx, db)
		if err != nil {
			return err
		}
		if len(data.Events) == 0 {
			return fmt.Errorf("eval: %s has no events to evaluate on (import or seed some first)", dbName(cfg.db))
		}
		var trainEvents []recommender.Event
		trainEvents, test = recommender.TimeSplit(data.Events, 0.8)
		train = recommender.Dataset{Items: data.Items, Events: trainEvents}
		if len(trainEvents) > 0 {
			train.Now = trainEvents[len(trainEvents)-1].Time
		}
		rcfg = recommender.DefaultConfig()
		res.Dataset, res.Protocol = dbName(cfg.db), "time split: earlier 80% of events train, later 20% test, users in both, seen items removed"
	case "movielens":
		data, err := recommender.LoadMovieLens(dir)
		if err != nil {
			return fmt.Errorf("eval: %w", err)
		}
		var trainEvents []recommender.Event
		trainEvents, test = recommender.UserRandomSplit(data.Events, 0.75, 42)
		train = recommender.Dataset{Items: data.Items, Events: trainEvents, Now: data.Now}
		rcfg = recommender.DefaultConfig()
		res.Dataset, res.Protocol = "MovieLens 100k ("+dir+")", "per-user random 75/25 split, every rating an interaction, training items removed"
	default:
		return fmt.Errorf("eval: unknown --dataset %q (want movielens)", dataset)
	}
	strategies := evalStrategies
	if rcfg.EASE.MaxItems > 0 && len(train.Items) > rcfg.EASE.MaxItems {
		// EASE needs an items × items matrix; it is not trained for a catalog
		// this large, so it has no row of its own.
		fmt.Fprintf(stderr, "eval: EASE skipped: %d items is over its limit of %d\n", len(train.Items), rcfg.EASE.MaxItems)
		strategies = slices.DeleteFunc(slices.Clone(strategies), func(s recommender.Strategy) bool { return s == recommender.EASE })
	}
	// Every model is measured as the shop would ship it: the shop's default
	// configuration tuned on the training part only, validated like the
	// test protocol (a time cut-off for shop data, a random per-user split
	// for the public dataset).
	rcfg.TuneBudget = budget
	opt := recommender.FitOptions{Before: time.Since(start), BeforeCPU: recommender.ProcessCPU() - cpu}
	if dataset == "movielens" {
		opt.Split = func(evs []recommender.Event) ([]recommender.Event, []recommender.Event) {
			return recommender.UserRandomSplit(evs, 0.8, 7)
		}
	}
	rcfg, rep, err := recommender.Tune(ctx, train, rcfg, opt)
	if err != nil {
		return err
	}
	res.Tuning = rep.Lines()
	for _, l := range res.Tuning {
		fmt.Fprintf(stderr, "eval: %s\n", l)
	}
	fmt.Fprintf(stderr, "eval: training on %d events, testing on %d\n", len(train.Events), len(test))
	metrics, ablation, err := recommender.EvaluateTuned(ctx, train, test, k, rep, strategies)
	if err != nil {
		return err
	}
	for _, a := range ablation {
		res.Ablation = append(res.Ablation, evalAblation{Variant: a.Variant, NDCG: a.NDCG, Users: a.Users})
	}
	res.K, res.Train, res.Test, res.Seconds = k, len(train.Events), len(test), time.Since(start).Seconds()
	base := metrics[recommender.Popular].NDCG
	for _, st := range strategies {
		mt, ok := metrics[st]
		if !ok {
			continue
		}
		r := evalModelResult{Model: st.String(), Precision: mt.Precision, Recall: mt.Recall, F1: mt.F1, NDCG: mt.NDCG,
			MAP: mt.MAP, HitRate: mt.HitRate, Coverage: mt.Coverage, Users: mt.Users}
		if base > 0 {
			r.VsPopular = mt.NDCG / base
		}
		res.Models = append(res.Models, r)
	}
	if format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	fmt.Fprintf(stdout, "%s — %s, k=%d, %d train / %d test events\n", res.Dataset, res.Protocol, k, res.Train, res.Test)
	for _, l := range res.Tuning {
		fmt.Fprintf(stdout, "  %s\n", l)
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "model\tP@%d\tR@%d\tF1@%d\tNDCG@%d\tMAP@%d\tHR@%d\tcoverage\tusers\tNDCG vs popular\t\n", k, k, k, k, k, k)
	for _, r := range res.Models {
		fmt.Fprintf(tw, "%s\t%.4f\t%.4f\t%.4f\t%.4f\t%.4f\t%.4f\t%.4f\t%d\t%.2f×\t\n", r.Model, r.Precision, r.Recall, r.F1, r.NDCG, r.MAP, r.HitRate, r.Coverage, r.Users, r.VsPopular)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(res.Ablation) == 0 {
		return nil
	}
	fmt.Fprintf(stdout, "\nablation of the hybrid (NDCG@%d on the same test):\n", k)
	tw = tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	full := res.Ablation[0].NDCG
	for _, a := range res.Ablation {
		change := ""
		if full > 0 && a != res.Ablation[0] {
			change = fmt.Sprintf("%+.1f%%", 100*(a.NDCG/full-1))
		}
		fmt.Fprintf(tw, "  %s\t%.4f\t%s\n", a.Variant, a.NDCG, change)
	}
	return tw.Flush()
}

func backupCmd(cfg config, to string, stdout io.Writer) error {
	ctx, db, done, err := openForCommand(cfg)
	if err != nil {
		return err
	}
	defer done()
	start := time.Now()
	if err := db.Backup(ctx, to); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backed up %s to %s in %s\n", dbName(cfg.db), to, time.Since(start).Round(time.Millisecond))
	return nil
}

// startCPUProfile writes a CPU profile to path until the returned function
// is called.
func startCPUProfile(path string) (func(), error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("cpuprofile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("cpuprofile: %w", err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}
