// Command recs is the recommender's robustness suite: generated shops with
// different properties plus MovieLens 100k, each split like serving (a time
// cut-off), trained through the shop's own training path (tuning included,
// on the training part only) and compared with popularity and plain
// item-item cosine neighbours on NDCG@10. `make bench-recs` runs it; the
// figures are in docs/recommender.md.
package main

import (
	"cmp"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"storefront/recommender"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "recs:", err)
		os.Exit(1)
	}
}

var (
	keepLists  bool // -headroom: keep each shopper's lists for the breakdown
	ablation   bool
	tuneBudget time.Duration
	overrides  string  // JSON merged over recommender.DefaultConfig for the hybrid
	byLength   bool    // -by-history: each world's figures per history length
	viaCLI     *cliRun // -cli: also score each world through import → train → recommend
)

type result struct {
	name                  string
	trainEvents, testUser int
	pop, knn, hybrid      float64
	catPop                float64 // the shopper's share of each category × the product's distinct users
	oracle                float64 // generated worlds: ranked by the hidden tastes (0 = none)
	seconds               float64
	unanswered, seenShown int
	// newUsers are the test shoppers without a training event (a new
	// shopper: `recommend` answers them with the cold-start list);
	// newPop and newHybrid their NDCG from popularity and the hybrid.
	newUsers          int
	newPop, newHybrid float64
	cli               *cliResult // -cli
	// lists holds each test shopper's top k from item-kNN and the hybrid
	// (with -headroom).
	lists map[string][2][]string
	// byHistory holds each shopper's NDCG per list (with -by-history);
	// ablation the blend without each part per history bucket (with
	// -ablate too).
	byHistory *byHistory
	ablation  []bucketAblation
}

// bucketAblation is the blend without one part, per history bucket.
type bucketAblation struct {
	variant string
	ndcg    []float64 // per historyBuckets entry; NaN = no users there
}

func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("recs", flag.ContinueOnError)
	only := fs.String("worlds", "", "comma-separated world names (default: all, plus movielens)")
	ml := fs.String("movielens", "../shared/datasets/ml-100k", "MovieLens 100k directory (read in place; empty skips it)")
	k := fs.Int("k", 10, "cut-off of the ranking metrics")
	verbose := fs.Bool("v", false, "print what training chose for each world (with -cli, also what `storefront train` printed)")
	profile := fs.String("cpuprofile", "", "write a CPU profile to this file")
	budget := fs.Duration("tune-budget", recommender.DefaultTuneBudget, "tuning budget per world (0 = no tuning)")
	ablate := fs.Bool("ablate", false, "also score each model of the tuned hybrid alone, and the hybrid without each part")
	fs.BoolVar(&byLength, "by-history", false, "print each world's figures per history length (distinct products in the training part: 1–3, 4–7, 8–15, 16+); with -ablate, each part alone and the blend without each part per length too")
	headroomFlag := fs.Bool("headroom", false, "generated shops: print which held-out items item-kNN, the hybrid and the oracle (the hidden tastes) rank in their top k, by kind of item")
	dbs := fs.String("db", "", "comma-separated storefront databases (after `storefront import`): also score each shop's own data, split by time like the generated worlds")
	cliBin := fs.String("cli", "", "a storefront binary: also score each world through its import → train → recommend on a fresh database, with the shop's defaults")
	export := fs.String("export", "", "write each chosen world's whole catalog and events as the import's products.csv and events.csv under DIR/<world>/, then stop without scoring (files to time or try `storefront import` on)")
	fs.StringVar(&overrides, "config", "", `JSON merged over the default configuration the hybrid starts from, e.g. '{"Neighbors":200,"Profile":{"RecencyHalfRank":4}}' (durations in nanoseconds)`)
	if err := fs.Parse(args); err != nil {
		return err
	}
	ctx := context.Background()
	if *profile != "" {
		f, err := os.Create(*profile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	ablation = *ablate
	if *cliBin != "" {
		bin, err := filepath.Abs(*cliBin)
		if err != nil {
			return err
		}
		viaCLI = &cliRun{bin: bin, dir: os.TempDir()}
		if *verbose {
			viaCLI.log = stderr
		}
	}
	keepLists = *headroomFlag
	tuneBudget = *budget
	if tuneBudget <= 0 {
		tuneBudget = -1
	}
	want := map[string]bool{}
	for _, w := range strings.Split(*only, ",") {
		if w = strings.TrimSpace(w); w != "" {
			want[w] = true
		}
	}
	if *export != "" {
		return exportWorlds(*export, want, stderr)
	}
	var results []result
	for _, spec := range worlds {
		if !spec.chosen(want) {
			continue
		}
		w := generate(spec)
		d := recommender.Dataset{Items: w.items, Events: w.evs}
		train, test := recommender.TimeSplit(d.Events, 0.8)
		if spec.PerUserSplit {
			train, test = perUserTimeSplit(d.Events, 0.8)
		}
		r, err := evaluate(ctx, spec.Name, recommender.Dataset{Items: d.Items, Events: train}, test, *k, stderr, *verbose)
		if err != nil {
			return err
		}
		r.printByHistory(stdout)
		if byLength {
			printSplitShares(stdout, spec.Name, train, test)
		}
		r.oracle = oracleNDCG(w, train, test, *k)
		if keepLists {
			printHeadroom(stdout, spec.Name, headroom(w, train, test, r.lists, *k))
			tuneTrain, _ := recommender.TimeSplit(train, 0.9) // what tuning trains on before its held-out split
			fmt.Fprintf(stdout, "%s: the training part ends at %.1f %% of the time, tuning's held-out split (its latest 10 %%) starts at %.1f %%\n",
				spec.Name, 100*w.timeShare(latestTime(train)), 100*w.timeShare(latestTime(tuneTrain)))
		}
		results = append(results, r)
	}
	for _, path := range strings.Split(*dbs, ",") {
		if path = strings.TrimSpace(path); path == "" {
			continue
		}
		d, err := loadShop(ctx, path)
		if err != nil {
			return err
		}
		train, test := recommender.TimeSplit(d.Events, 0.8)
		r, err := evaluate(ctx, shopName(path), recommender.Dataset{Items: d.Items, Events: train}, test, *k, stderr, *verbose)
		if err != nil {
			return err
		}
		r.printByHistory(stdout)
		if byLength {
			printSplitShares(stdout, r.name, train, test)
		}
		results = append(results, r)
	}
	if *ml != "" && (len(want) == 0 || want["movielens"]) {
		d, err := recommender.LoadMovieLens(*ml)
		if err != nil {
			return err
		}
		train, test := perUserTimeSplit(d.Events, 0.8)
		r, err := evaluate(ctx, "movielens-100k", recommender.Dataset{Items: d.Items, Events: train}, test, *k, stderr, *verbose)
		if err != nil {
			return err
		}
		r.printByHistory(stdout)
		results = append(results, r)
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "world\ttrain events\ttest users\tpopular\titem-kNN\tcat-pop\thybrid\thybrid/kNN\thybrid/cat-pop\thybrid/popular\toracle\tkNN/oracle\tunanswered\tseen shown\ttrain s\tnew shoppers\tnew: popular\tnew: hybrid\t")
	if viaCLI != nil {
		fmt.Fprintf(tw, "via CLI\tCLI/kNN\tCLI/cat-pop\tCLI unanswered\tCLI seen shown\tCLI train s\t")
	}
	fmt.Fprintln(tw)
	for _, r := range results {
		oracle, share := "–", "–"
		if r.oracle > 0 {
			oracle, share = fmt.Sprintf("%.4f", r.oracle), fmt.Sprintf("%.2f", r.knn/r.oracle)
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.4f\t%.4f\t%.4f\t%.4f\t%.2f×\t%.2f×\t%.2f×\t%s\t%s\t%d\t%d\t%.1f\t", r.name, r.trainEvents, r.testUser,
			r.pop, r.knn, r.catPop, r.hybrid, ratio(r.hybrid, r.knn), ratio(r.hybrid, r.catPop), ratio(r.hybrid, r.pop), oracle, share, r.unanswered, r.seenShown, r.seconds)
		fmt.Fprintf(tw, "%d\t%.4f\t%.4f\t", r.newUsers, r.newPop, r.newHybrid)
		if c := r.cli; c != nil {
			fmt.Fprintf(tw, "%.4f\t%.2f×\t%.2f×\t%d\t%d\t%.1f\t", c.ndcg, ratio(c.ndcg, r.knn), ratio(c.ndcg, r.catPop), c.unanswered, c.seenShown, c.trainSeconds)
		}
		fmt.Fprintln(tw)
	}
	return tw.Flush()
}

func latestTime(evs []recommender.Event) time.Time {
	var t time.Time
	for _, e := range evs {
		if e.Time.After(t) {
			t = e.Time
		}
	}
	return t
}

func ratio(a, b float64) float64 {
	if b == 0 {
		return math.Inf(1)
	}
	return a / b
}

// baselineConfig is the plain reference: every event an equal, binary
// interaction whatever its type or rating, no decay, no bot guard, cosine neighbours without shrinkage,
// every history item counting once whatever its place, popularity as plain
// counts.
func baselineConfig() recommender.Config {
	c := recommender.DefaultConfig()
	for t := range recommender.Purchase + 1 {
		if t >= recommender.View {
			c.TypeWeights[t] = 1
		}
	}
	c.HalfLife, c.DecayFloor, c.DedupWindow, c.MaxStrength = 0, 1, 0, 1
	c.BotGuard = false
	c.RatingGain = 0 // a rating counts as any other event
	c.PopularityHalfLife = 0
	c.Neighbors, c.KNNShrink, c.MaxUserHistory = 200, 0, 0
	c.KNN, c.Profile = recommender.CosineKNN, recommender.ProfileConfig{}
	c.ALS.Factors, c.SVD.Rank, c.EASE.MaxItems, c.Content.Neighbors = 0, 0, 0, 0
	return c
}

func evaluate(ctx context.Context, name string, train recommender.Dataset, test []recommender.Event, k int, stderr io.Writer, verbose bool) (result, error) {
	r := result{name: name, trainEvents: len(train.Events)}
	seen := map[string]map[string]bool{}
	for _, e := range train.Events {
		if seen[e.User] == nil {
			seen[e.User] = map[string]bool{}
		}
		seen[e.User][e.Item] = true
	}
	rel := map[string]map[string]bool{}
	fresh := map[string]map[string]bool{} // the new shoppers' held-out products
	for _, e := range test {
		if seen[e.User] == nil {
			if fresh[e.User] == nil {
				fresh[e.User] = map[string]bool{}
			}
			fresh[e.User][e.Item] = true
			continue
		}
		if seen[e.User][e.Item] {
			continue
		}
		if rel[e.User] == nil {
			rel[e.User] = map[string]bool{}
		}
		rel[e.User][e.Item] = true
	}
	users := make([]string, 0, len(rel))
	for u := range rel {
		users = append(users, u)
	}
	slices.Sort(users)
	r.testUser = len(users)
	fmt.Fprintf(stderr, "%s: %d items, %d train events, %d test users\n", name, len(train.Items), len(train.Events), len(users))

	base, err := recommender.Train(ctx, train, baselineConfig(), nil)
	if err != nil {
		return r, err
	}
	start := time.Now()
	cfg := recommender.DefaultConfig()
	if overrides != "" {
		if err := json.Unmarshal([]byte(overrides), &cfg); err != nil {
			return r, fmt.Errorf("-config: %w", err)
		}
	}
	cfg.TuneBudget = tuneBudget
	// A set budget counts CPU time too, so runs on a busy machine search
	// as far as runs on a quiet one (FitOptions.CPUClock).
	m, report, err := recommender.Fit(ctx, train, cfg, recommender.FitOptions{CPUClock: true})
	if err != nil {
		return r, err
	}
	r.seconds = time.Since(start).Seconds()
	if st := m.Stats(); st.BotUsers > 0 {
		fmt.Fprintf(stderr, "%s: the bot guard dropped %d users (%d events): %+v\n", name, st.BotUsers, st.DroppedBotEvents, st.Dropped)
	} else {
		fmt.Fprintf(stderr, "%s: the bot guard dropped no one\n", name)
	}
	if verbose && report != nil {
		for _, l := range report.Lines() {
			fmt.Fprintf(stderr, "  %s\n", l)
		}
	}
	if byLength {
		r.byHistory = newByHistory(seen, users)
	}
	score := func(m *recommender.Model, st recommender.Strategy, check bool, column string) float64 {
		var sum float64
		for _, u := range users {
			seenList := make([]string, 0, len(seen[u]))
			for it := range seen[u] {
				seenList = append(seenList, it)
			}
			recs := m.Recommend(recommender.Request{User: u, Strategy: st, N: k, ExcludeSeen: true, Seen: seenList})
			if keepLists && (st == recommender.ItemKNN && m == base || st == recommender.Hybrid && check) {
				if r.lists == nil {
					r.lists = map[string][2][]string{}
				}
				l, i := r.lists[u], 1 // [0] the plain item-kNN, [1] the hybrid
				if st == recommender.ItemKNN {
					i = 0
				}
				for _, x := range recs {
					l[i] = append(l[i], x.ItemID)
				}
				r.lists[u] = l
			}
			if check {
				if len(recs) < k {
					r.unanswered++
				}
				for _, x := range recs {
					if seen[u][x.ItemID] {
						r.seenShown++
					}
				}
			}
			v := ndcg(recs, rel[u], k)
			sum += v
			if column != "" {
				r.byHistory.add(column, u, v)
			}
		}
		return sum / float64(max(len(users), 1))
	}
	r.pop = score(base, recommender.Popular, false, "popular")
	r.knn = score(base, recommender.ItemKNN, false, "item-kNN")
	r.catPop = categoryPopularity(train, users, seen, rel, k, func(u string, v float64) { r.byHistory.add("cat-pop", u, v) })
	r.hybrid = score(m, recommender.Hybrid, true, "hybrid")
	r.newUsers = len(fresh)
	for u, items := range fresh {
		r.newPop += ndcg(base.Recommend(recommender.Request{User: u, Strategy: recommender.Popular, N: k}), items, k)
		r.newHybrid += ndcg(m.Recommend(recommender.Request{User: u, Strategy: recommender.Hybrid, N: k}), items, k)
	}
	if r.newUsers > 0 {
		r.newPop /= float64(r.newUsers)
		r.newHybrid /= float64(r.newUsers)
	}
	if ablation {
		for _, st := range []recommender.Strategy{recommender.Popular, recommender.Trending, recommender.ItemKNN, recommender.Content,
			recommender.ALS, recommender.SVD, recommender.EASE} {
			fmt.Fprintf(stderr, "  %s alone (tuned settings): %.4f\n", st, score(m, st, false, st.String()+" alone"))
		}
		rows, err := m.Ablation(ctx, test, k)
		if err != nil {
			return r, err
		}
		for _, a := range rows {
			fmt.Fprintf(stderr, "  %s: %.4f\n", a.Variant, a.NDCG)
		}
		if byLength {
			if r.ablation, err = ablationByHistory(ctx, m, test, r.byHistory, k); err != nil {
				return r, err
			}
		}
	}
	fmt.Fprintf(stderr, "%s: popular %.4f, item-kNN %.4f, category popularity %.4f, hybrid %.4f (%.1fs)\n", name, r.pop, r.knn, r.catPop, r.hybrid, r.seconds)
	if viaCLI != nil {
		c, err := viaCLI.score(ctx, train, users, seen, rel, k)
		if err != nil {
			return r, fmt.Errorf("%s through the command line: %w", name, err)
		}
		r.cli = &c
		fmt.Fprintf(stderr, "%s: through import → train → recommend %.4f (train %.1fs)\n", name, c.ndcg, c.trainSeconds)
	}
	return r, nil
}

// oracleNDCG ranks each test shopper's unseen products by the
// generator's hidden tastes at the start of the test window: what a
// recommender that knew the tastes exactly would score under the same
// protocol.
func oracleNDCG(w *world, train, test []recommender.Event, k int) float64 {
	if len(test) == 0 {
		return 0
	}
	at := testStart(w, test)
	seen := map[string]map[int]bool{}
	index := map[string]int{}
	for i, it := range w.items {
		index[it.ID] = i
	}
	for _, e := range train {
		if seen[e.User] == nil {
			seen[e.User] = map[int]bool{}
		}
		seen[e.User][index[e.Item]] = true
	}
	rel := map[string]map[string]bool{}
	for _, e := range test {
		if seen[e.User] == nil || seen[e.User][index[e.Item]] {
			continue
		}
		if rel[e.User] == nil {
			rel[e.User] = map[string]bool{}
		}
		rel[e.User][e.Item] = true
	}
	sum := 0.0
	for u, r := range rel {
		sc := w.oracle(u, at(u))
		order := make([]int, 0, len(sc))
		for i := range sc {
			if !seen[u][i] {
				order = append(order, i)
			}
		}
		slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(sc[b], sc[a]) })
		recs := make([]recommender.Recommendation, 0, k)
		for _, i := range order[:min(k, len(order))] {
			recs = append(recs, recommender.Recommendation{ItemID: w.items[i].ID})
		}
		sum += ndcg(recs, r, k)
	}
	return sum / float64(max(len(rel), 1))
}

// testStart gives the time the oracle ranks a shopper's held-out items
// at: the start of the test window, or with a per-user split
// (PerUserSplit) the shopper's own first held-out event.
func testStart(w *world, test []recommender.Event) func(user string) time.Time {
	at := test[0].Time
	first := map[string]time.Time{}
	for _, e := range test {
		if e.Time.Before(at) {
			at = e.Time
		}
		if t, ok := first[e.User]; !ok || e.Time.Before(t) {
			first[e.User] = e.Time
		}
	}
	return func(user string) time.Time {
		if w.spec.PerUserSplit {
			return first[user]
		}
		return at
	}
}

// categoryPopularity scores the plain category popularity an outside
// check compares with: each product ranked by the shopper's share of its
// category (of the distinct products in their training history) × its
// distinct users in the training part, seen products left out, the list
// padded with the most popular products. perUser, if set, is given each
// shopper's NDCG.
func categoryPopularity(train recommender.Dataset, users []string, seen, rel map[string]map[string]bool, k int, perUser func(user string, ndcg float64)) float64 {
	catOf := map[string]string{}
	for _, it := range train.Items {
		catOf[it.ID] = it.Category
	}
	buyers := map[string]map[string]bool{}
	for _, e := range train.Events {
		if buyers[e.Item] == nil {
			buyers[e.Item] = map[string]bool{}
		}
		buyers[e.Item][e.User] = true
	}
	byPop := make([]string, 0, len(buyers))
	for it := range buyers {
		byPop = append(byPop, it)
	}
	slices.SortFunc(byPop, func(a, b string) int {
		return cmp.Or(cmp.Compare(len(buyers[b]), len(buyers[a])), cmp.Compare(a, b))
	})
	inCat := map[string][]string{} // each category's products, most popular first
	for _, it := range byPop {
		inCat[catOf[it]] = append(inCat[catOf[it]], it)
	}
	var sum float64
	for _, u := range users {
		share := map[string]float64{}
		for it := range seen[u] {
			share[catOf[it]] += 1 / float64(len(seen[u]))
		}
		type scored struct {
			id string
			s  float64
		}
		var cands []scored
		for c, w := range share {
			n := 0
			for _, it := range inCat[c] {
				if n == k {
					break
				}
				if !seen[u][it] {
					cands = append(cands, scored{it, w * float64(len(buyers[it]))})
					n++
				}
			}
		}
		slices.SortFunc(cands, func(a, b scored) int { return cmp.Or(cmp.Compare(b.s, a.s), cmp.Compare(a.id, b.id)) })
		recs := make([]recommender.Recommendation, 0, k)
		in := map[string]bool{}
		for _, x := range cands[:min(k, len(cands))] {
			recs, in[x.id] = append(recs, recommender.Recommendation{ItemID: x.id}), true
		}
		for _, it := range byPop {
			if len(recs) == k {
				break
			}
			if !seen[u][it] && !in[it] {
				recs = append(recs, recommender.Recommendation{ItemID: it})
			}
		}
		v := ndcg(recs, rel[u], k)
		sum += v
		if perUser != nil {
			perUser(u, v)
		}
	}
	return sum / float64(max(len(users), 1))
}

func ndcg(recs []recommender.Recommendation, rel map[string]bool, k int) float64 {
	var dcg, idcg float64
	for i, x := range recs[:min(k, len(recs))] {
		if rel[x.ItemID] {
			dcg += 1 / math.Log2(float64(i)+2)
		}
	}
	for i := range min(len(rel), k) {
		idcg += 1 / math.Log2(float64(i)+2)
	}
	if idcg == 0 {
		return 0
	}
	return dcg / idcg
}

// perUserTimeSplit keeps each user's earliest frac of events for training
// and their later events for testing (ties in time keep file order).
func perUserTimeSplit(evs []recommender.Event, frac float64) (train, test []recommender.Event) {
	byUser := map[string][]recommender.Event{}
	var order []string
	for _, e := range evs {
		if _, ok := byUser[e.User]; !ok {
			order = append(order, e.User)
		}
		byUser[e.User] = append(byUser[e.User], e)
	}
	for _, u := range order {
		list := byUser[u]
		slices.SortStableFunc(list, func(a, b recommender.Event) int { return cmp.Compare(a.Time.Unix(), b.Time.Unix()) })
		cut := int(math.Round(frac * float64(len(list))))
		train = append(train, list[:cut]...)
		test = append(test, list[cut:]...)
	}
	return train, test
}
