package loadtest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"storefront/models"
)

// CompareReport is a comparison run: the same homepage phases on SQLite and
// on PostgreSQL with one and with several instances, repeated in rounds so
// the spread on a shared machine shows.
type CompareReport struct {
	Date       time.Time         `json:"date"`
	Scale      string            `json:"scale"`
	CPUs       int               `json:"cpus"`
	CPUModel   string            `json:"cpu_model"`
	LoadBefore string            `json:"load_before"`
	LoadAfter  string            `json:"load_after"`
	Counts     models.DataCounts `json:"counts"`
	Workers    int               `json:"workers"`
	Phase      time.Duration     `json:"phase"`
	Setups     []string          `json:"setups"`
	Runs       []SetupRun        `json:"runs"`
	Path       string            `json:"-"`
}

// SetupRun is one setup's phases in one round.
type SetupRun struct {
	Round   int      `json:"round"`
	Setup   string   `json:"setup"`
	Results []Result `json:"results"`
}

// comparePhases are the endpoints a comparison measures: the static asset
// (the machine's ceiling in that moment), both homepages, the browsing mix
// and product pages (each view an event written).
var comparePhases = []string{epStatic, epHome, epHomeAnon, epMix, "product"}

// compared are the phases shown as shares of SQLite's figure.
var compared = comparePhases[1:]

// Compare prepares the seeded world on SQLite and on the PostgreSQL database
// of o.DB (a model trained and stored on each), then, round after round,
// serves each setup in turn and measures the same phases, so every ratio
// compares figures taken minutes apart on the same machine.
func Compare(ctx context.Context, o Options) (*CompareReport, error) {
	log := o.Log
	if log == nil {
		log = io.Discard
	}
	sq := o
	sq.DB = ""
	ps, err := prepare(ctx, sq, log)
	if err != nil {
		return nil, err
	}
	pg := o
	pg.Reseed, pg.pgReseed = false, o.Reseed // the SQLite world is new already; the PostgreSQL copy follows it
	pg.ModelFrom = ps.path
	pp, err := prepare(ctx, pg, log)
	if err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 2))
	// Ids are the same in both: the copy keeps them.
	fx, counts, err := loadFixture(ctx, ps.path, rng)
	if err != nil {
		return nil, err
	}
	type setup struct {
		name, db string
		n        int
	}
	setups := []setup{{"SQLite, 1 instance", ps.path, 1}, {"PostgreSQL, 1 instance", pp.path, 1},
		{fmt.Sprintf("PostgreSQL, %d instances", o.Instances), pp.path, o.Instances}}
	cr := &CompareReport{Date: time.Now(), Scale: o.Scale, CPUs: runtime.NumCPU(), CPUModel: cpuModel(), LoadBefore: loadAvg(),
		Counts: counts, Workers: o.Workers, Phase: o.Phase, Path: filepath.Join(o.Dir, "results-compare-"+o.Scale+".json")}
	for _, s := range setups {
		cr.Setups = append(cr.Setups, s.name)
	}
	logFile, err := os.Create(filepath.Join(o.Dir, "server-compare-"+o.Scale+".log"))
	if err != nil {
		return nil, err
	}
	defer logFile.Close()
	for round := 1; round <= o.Rounds; round++ {
		for _, s := range setups {
			fmt.Fprintf(log, "bench: round %d: %s\n", round, s.name)
			res, err := measureSetup(ctx, o, s.db, s.n, fx, rng, logFile)
			if err != nil {
				return cr, fmt.Errorf("loadtest: round %d, %s: %w", round, s.name, err)
			}
			cr.Runs = append(cr.Runs, SetupRun{Round: round, Setup: s.name, Results: res})
		}
	}
	cr.LoadAfter = loadAvg()
	if b, err := json.MarshalIndent(cr, "", "  "); err == nil {
		if err := os.WriteFile(cr.Path, b, 0o644); err != nil {
			cr.Path = ""
		}
	}
	return cr, nil
}

// measureSetup starts n instances on db, signs the visitors in, warms up
// and measures the comparison's phases closed loop, then stops the servers.
func measureSetup(ctx context.Context, o Options, db string, n int, fx *fixture, rng *rand.Rand, logFile io.Writer) ([]Result, error) {
	log := o.Log
	if log == nil {
		log = io.Discard
	}
	srvs, err := startServers(ctx, db, o.Addr, n, false, logFile)
	if err != nil {
		return nil, err
	}
	defer srvs.kill()
	shoppers, err := newVisitors(ctx, srvs[0].base, db, o.Shoppers, fx.shoppers, rng)
	if err != nil {
		return nil, err
	}
	anons, err := newVisitors(ctx, srvs[0].base, db, o.Visitors, 0, rng)
	if err != nil {
		return nil, err
	}
	if err := warmOn(ctx, srvs.bases()[1:], shoppers, anons); err != nil {
		return nil, err
	}
	eps := map[string]endpoint{}
	for _, ep := range endpoints(fx, shoppers, anons, encGzip) {
		eps[ep.name] = ep
	}
	bases := srvs.bases()
	attack(ctx, bases, eps[epHome], 0, 2*time.Second, o.Workers, nil)
	var out []Result
	for _, name := range comparePhases {
		r := attack(ctx, bases, eps[name], 0, o.Phase, o.Workers, nil)
		out = append(out, r)
		fmt.Fprintf(log, "bench:   %-10s %8.0f req/s  p50 %-8s p99 %-8s %s\n", name, r.Throughput, ms(r.P50), ms(r.P99), codes(r.Codes))
		if ctx.Err() != nil {
			return out, ctx.Err()
		}
	}
	srvs.stop(log)
	return out, nil
}

func (r SetupRun) throughput(name string) float64 {
	for _, res := range r.Results {
		if res.Endpoint == name {
			return res.Throughput
		}
	}
	return 0
}

// Print writes the rounds as a Markdown table, each PostgreSQL figure as a
// share of SQLite's in the same round, the spread over the rounds and the
// target.
func (cr *CompareReport) Print(w io.Writer) {
	fmt.Fprintf(w, "\n## SQLite and PostgreSQL homepages — %s world, %s\n\n", cr.Scale, cr.Date.Format("2006-01-02 15:04 MST"))
	fmt.Fprintf(w, "machine: %d CPUs (%s); load average before: %s, after: %s\n", cr.CPUs, cr.CPUModel, cr.LoadBefore, cr.LoadAfter)
	fmt.Fprintf(w, "data: %d products, %d shoppers, %d events; %d concurrent connections, %s per phase, closed loop\n\n",
		cr.Counts.Products, cr.Counts.Shoppers, cr.Counts.Events, cr.Workers, cr.Phase)
	fmt.Fprintf(w, "| round | setup | static req/s | home req/s | home-anon req/s | mix req/s | product req/s | home vs SQLite | home-anon vs SQLite | mix vs SQLite | product vs SQLite |\n")
	fmt.Fprintf(w, "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	shares := map[string][]float64{} // setup/endpoint → shares of SQLite
	var base SetupRun
	for _, r := range cr.Runs {
		if r.Setup == cr.Setups[0] {
			base = r
		}
		cells := make([]string, 0, len(compared))
		for _, name := range compared {
			if r.Setup == cr.Setups[0] || base.throughput(name) <= 0 {
				cells = append(cells, "—")
				continue
			}
			s := r.throughput(name) / base.throughput(name)
			shares[r.Setup+"/"+name] = append(shares[r.Setup+"/"+name], s)
			// The same share with each setup's figure taken relative to its
			// own static asset phase, which takes out part of the machine's
			// swings between phases.
			if st, bst := r.throughput(epStatic), base.throughput(epStatic); st > 0 && bst > 0 {
				shares[r.Setup+"/"+name+"/static"] = append(shares[r.Setup+"/"+name+"/static"], s*bst/st)
			}
			cells = append(cells, fmt.Sprintf("%.0f %%", 100*s))
		}
		fmt.Fprintf(w, "| %d | %s | %.0f | %.0f | %.0f | %.0f | %.0f | %s |\n", r.Round, r.Setup, r.throughput(epStatic),
			r.throughput(epHome), r.throughput(epHomeAnon), r.throughput(epMix), r.throughput("product"), strings.Join(cells, " | "))
	}
	fmt.Fprintln(w)
	met := true
	for _, s := range cr.Setups[1:] {
		for _, name := range compared {
			v := shares[s+"/"+name]
			if len(v) == 0 {
				continue
			}
			lo, hi := v[0], v[0]
			for _, x := range v {
				lo, hi = min(lo, x), max(hi, x)
			}
			fmt.Fprintf(w, "%s, %s: %.0f–%.0f %% of SQLite over %d rounds", s, name, 100*lo, 100*hi, len(v))
			if n := shares[s+"/"+name+"/static"]; len(n) > 0 {
				nlo, nhi := slices.Min(n), slices.Max(n)
				fmt.Fprintf(w, " (%.0f–%.0f %% with each figure per its setup's static throughput)", 100*nlo, 100*nhi)
			}
			fmt.Fprintln(w)
			if s == cr.Setups[1] && (name == epHome || name == epHomeAnon) && lo < 0.7 {
				met = false
			}
		}
	}
	mark := "MET   "
	if !met {
		mark = "MISSED"
	}
	fmt.Fprintf(w, "\ntargets:\n  %s PostgreSQL (one instance) homepages ≥ 70 %% of SQLite's in every round\n", mark)
	if cr.Path != "" {
		fmt.Fprintf(w, "\nresults: %s\n", cr.Path)
	}
}
