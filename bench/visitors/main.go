// Command visitors measures how the shop serves first-time visitors with
// simulated shoppers. It seeds a demo world, trains a model on it, starts
// the real server on 127.0.0.1 and sends agents with hidden tastes (by
// default those of random shoppers of the world: a product they carted or
// bought, read from the world's event table, never from the model) through
// the real HTML: they read the homepage's cards with attention that falls
// off down the page, click and add to cart by taste, come back to the
// homepage and leave when nothing appeals. Every agent visits four times:
// with its cookies kept, as a new visitor on every page, on an oracle page
// of its own best products, and on the shop's pages until its first click
// and the oracle's after it (the ceiling of a page that follows the visit).
// The agents judge products only by what the
// shop shows of them (department, category, brand, price) and never read
// the recommender. See docs/recommender.md for the model and the figures.
//
// A run is bounded (--timeout) and stops by itself; given --seed, the agents'
// tastes and choices are the same on every run.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"storefront/models"
	"storefront/recommender"
	"storefront/seed"
	"storefront/shop"
	"storefront/web"
)

type options struct {
	agents   int
	seed     uint64
	addr     string
	dir      string
	workers  int
	timeout  time.Duration
	products int
	shoppers int
	events   int
	tastes   string
	// productRows: agents also read the product page's rows (agent.readsRows).
	productRows bool
}

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "visitors:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	var o options
	fs := flag.NewFlagSet("visitors", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&o.agents, "agents", 300, "agents per arm (1–5000)")
	fs.Uint64Var(&o.seed, "seed", 1, "seed of the agents' tastes and choices")
	fs.StringVar(&o.addr, "addr", "127.0.0.1:0", "address the shop listens on (loopback)")
	fs.StringVar(&o.dir, "dir", "", "directory for the run's database (default: a temporary one, removed after)")
	fs.IntVar(&o.workers, "workers", 2, "agents browsing at the same time (1–16)")
	fs.DurationVar(&o.timeout, "timeout", 10*time.Minute, "the whole run stops after this long")
	fs.IntVar(&o.products, "products", 2000, "products in the seeded world")
	fs.IntVar(&o.shoppers, "shoppers", 2000, "shoppers in the seeded world")
	fs.IntVar(&o.events, "events", 120_000, "behaviour events in the seeded world")
	fs.StringVar(&o.tastes, "tastes", tastesDemand, "where the agents' tastes come from: demand (a random cart or purchase of the world's shoppers) or catalog (departments and categories by their number of products)")
	fs.BoolVar(&o.productRows, "product-rows", false, "agents also read a product page's rows (\"Customers also bought\", \"Similar items\") and open products there, before coming back to the homepage")
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch {
	case o.agents < 1 || o.agents > 5000:
		return fmt.Errorf("--agents %d: want 1 to 5000", o.agents)
	case o.workers < 1 || o.workers > 16:
		return fmt.Errorf("--workers %d: want 1 to 16", o.workers)
	case o.tastes != tastesDemand && o.tastes != tastesCatalog:
		return fmt.Errorf("--tastes %q: want %s or %s", o.tastes, tastesDemand, tastesCatalog)
	case o.timeout <= 0:
		return fmt.Errorf("--timeout must be positive")
	case o.products < 100 || o.shoppers < 100 || o.events < 1000:
		return fmt.Errorf("the world needs at least 100 products, 100 shoppers and 1000 events")
	}
	ctx, cancel := context.WithTimeout(context.Background(), o.timeout)
	defer cancel()

	dir := o.dir
	if dir == "" {
		d, err := os.MkdirTemp("", "visitors-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		dir = d
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	began := time.Now()
	db, w, err := prepare(ctx, o, filepath.Join(dir, "visitors.db"), stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	prepared := time.Since(began)

	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	srvCtx, stop := context.WithCancel(ctx)
	srv, err := web.New(srvCtx, web.Config{Addr: o.addr, Logger: logger}, db)
	if err != nil {
		stop()
		return err
	}
	ready := make(chan string, 1)
	served := make(chan error, 1)
	go func() { served <- srv.ListenAndServe(srvCtx, func(addr string) { ready <- addr }) }()
	var base string
	select {
	case addr := <-ready:
		base = "http://" + addr
	case err := <-served:
		stop()
		return err
	}
	shopDone := func() error {
		stop()
		return <-served
	}
	client := &shopClient{base: base, timeout: 30 * time.Second, flush: srv.Events().Flush,
		hc: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: o.workers * 2}},
		// The shop's standing control group (5 % of visitors unless the
		// merchant set otherwise) gets the stranger's page throughout: the
		// report tells the share with and without those visitors.
		control: func(id string) bool { return srv.Shop().Assign(srvCtx, id).Control }}

	res, err := simulate(ctx, o, client, w, stderr)
	if serr := shopDone(); err == nil && serr != nil && !errors.Is(serr, context.Canceled) {
		err = serr
	}
	if err != nil {
		return err
	}
	report(stdout, o, res, prepared, time.Since(began)-prepared)
	return nil
}

// prepare seeds the world, trains a model and reads the catalog the agents
// judge by.
func prepare(ctx context.Context, o options, path string, log io.Writer) (*models.DB, *world, error) {
	for _, suffix := range []string{"", "-wal", "-shm"} {
		os.Remove(path + suffix)
	}
	db, err := models.Open(path)
	if err != nil {
		return nil, nil, err
	}
	fail := func(err error) (*models.DB, *world, error) {
		db.Close()
		return nil, nil, err
	}
	fmt.Fprintf(log, "visitors: seeding %d products, %d shoppers, %d events\n", o.products, o.shoppers, o.events)
	if _, err := seed.Seed(ctx, db, seed.Options{Reset: true, Products: o.products, Shoppers: o.shoppers, Events: o.events}, nil); err != nil {
		return fail(err)
	}
	// The default settings, untuned, and candidate lists not cut by time:
	// tuning and candidates stop at a wall-time budget, and the model must
	// be the same on a busy machine as on an idle one.
	cfg := recommender.DefaultConfig()
	cfg.TuneBudget = -1
	cfg.Candidates.Budget = 0
	fmt.Fprintln(log, "visitors: training")
	if _, err := shop.TrainAndStore(ctx, db, cfg, nil); err != nil {
		return fail(err)
	}
	cats, err := db.Categories(ctx)
	if err != nil {
		return fail(err)
	}
	products, err := db.AllProducts(ctx)
	if err != nil {
		return fail(err)
	}
	demand, err := readDemand(ctx, db)
	if err != nil {
		return fail(err)
	}
	w := newWorld(cats, products, demand)
	fmt.Fprintf(log, "visitors: %d carts and purchases of %d shoppers to draw tastes from\n", len(w.demand), len(w.byShopper))
	if o.tastes == tastesDemand && len(w.demand) == 0 {
		return fail(fmt.Errorf("--tastes demand: the world has no carts or purchases of buyable categories"))
	}
	return db, w, nil
}

// readDemand reads the population the agents are drawn from (--tastes
// demand): every cart and purchase of the world's shoppers, not anything the
// model learnt. The seeded world's slot engagement and experiment history
// (events labelled with a slot or an arm) are left out: their products are
// drawn at random for the dashboards, not by any shopper's taste. The order
// is by shopper and product, not by time, since the seeded timestamps end at
// the hour of the run and the draws must not depend on it.
func readDemand(ctx context.Context, db *models.DB) ([]demandEvent, error) {
	var out []demandEvent
	err := db.R.WithContext(ctx).Raw(`SELECT user_key, product_id FROM events
		WHERE type IN (?, ?) AND product_id IS NOT NULL AND slot = '' AND arm = ''
		ORDER BY user_key, product_id, type`, models.EventAddToCart, models.EventPurchase).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("read the world's carts and purchases: %w", err)
	}
	return out, nil
}

// demandEvent is one cart or purchase of the world: who wanted which product.
type demandEvent struct {
	UserKey   string
	ProductID uint
}

// results holds every agent's visit in every arm, by agent.
type results struct {
	visits [numArms][]visit
	layout int // card positions on the oracle page
}

// simulate sends every agent through the arms. Agent i has the same
// taste, patience and random draws in every arm, so the arms are compared
// on the same shoppers and differ only by the pages they are shown.
func simulate(ctx context.Context, o options, s *shopClient, w *world, log io.Writer) (*results, error) {
	res := &results{}
	for a := range numArms {
		res.visits[a] = make([]visit, o.agents)
	}
	// The oracle's positions are those of the page a new visitor gets.
	doc, err := s.get(ctx, s.newBrowser(), "/")
	if err != nil {
		return nil, err
	}
	layout := homeCards(doc)
	if len(layout) == 0 {
		return nil, fmt.Errorf("the homepage shows no product cards")
	}
	res.layout = len(layout)
	// With --product-rows, the oracle's product pages fill the positions of
	// the shop's product page's rows.
	var productLayout []card
	if o.productRows {
		doc, err := s.get(ctx, s.newBrowser(), layout[0].href)
		if err != nil {
			return nil, err
		}
		productLayout = productRowCards(doc)
	}

	jobs := make(chan int)
	errs := make(chan error, o.workers)
	var wg sync.WaitGroup
	for range o.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				tasteRNG := rand.New(rand.NewPCG(o.seed, uint64(i)))
				ag := &agent{taste: newTaste(w, tasteRNG, o.tastes), patience: 1 + tasteRNG.IntN(3), wants: 1 + tasteRNG.IntN(3),
					readsRows: o.productRows}
				for a := range numArms {
					// The same draws in every arm: where two arms show the
					// same page, the agent does the same on it.
					rng := rand.New(rand.NewPCG(o.seed^0x9e3779b97f4a7c15, uint64(i)))
					v, err := ag.browse(ctx, s, w, a, rng, layout, productLayout)
					if err != nil {
						errs <- fmt.Errorf("agent %d, %s: %w", i, a, err)
						return
					}
					res.visits[a][i] = v
				}
			}
		}()
	}
	var failed error
feed:
	for i := range o.agents {
		select {
		case jobs <- i:
		case failed = <-errs:
			break feed
		case <-ctx.Done():
			failed = fmt.Errorf("stopped after %d of %d agents: %w", i, o.agents, ctx.Err())
			break feed
		}
		if (i+1)%50 == 0 {
			fmt.Fprintf(log, "visitors: %d agents sent\n", i+1)
		}
	}
	close(jobs)
	wg.Wait()
	if failed == nil {
		select {
		case failed = <-errs:
		default:
		}
	}
	return res, failed
}
