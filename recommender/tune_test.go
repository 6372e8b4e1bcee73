package recommender

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

func TestTuneFollowsTheShopsData(t *testing.T) {
	// A shop where what people do next is mostly the week's best sellers,
	// whatever they looked at before: nothing like the defaults' home.
	var items []Item
	for i := range 200 {
		items = append(items, Item{ID: fmt.Sprintf("i%d", i), Title: fmt.Sprintf("Item %d", i), Category: "C", CategoryPath: []string{"C"}, Active: true, Stock: 9})
	}
	rng := rand.New(rand.NewPCG(5, 6))
	var evs []Event
	at := testNow.Add(-60 * 24 * time.Hour)
	for round := range 6 {
		for u := range 120 {
			item := fmt.Sprintf("i%d", 20+rng.IntN(180)) // long-tail browsing
			if round >= 3 && rng.Float64() < 0.8 {
				item = fmt.Sprintf("i%d", rng.IntN(5)) // then the hits
			}
			evs = append(evs, Event{User: fmt.Sprintf("u%d", u), Item: item, Type: View, Time: at})
			at = at.Add(10 * time.Minute)
		}
	}
	// Tune on the earlier 80%, then compare on the later 20%: the tuned
	// configuration must do at least as well as the defaults on events
	// tuning never saw.
	train, test := TimeSplit(evs, 0.8)
	td := Dataset{Items: items, Events: train}
	cfg := testConfig()
	cfg.TuneBudget = 20 * time.Second
	got, rep, err := Tune(context.Background(), td, cfg, FitOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Tuned || rep.Candidates < 10 || len(rep.Steps) == 0 {
		t.Fatalf("not tuned, only %d configurations scored or nothing changed: %q", rep.Candidates, rep.Lines())
	}
	ndcg := func(cfg Config) float64 {
		res, err := Evaluate(context.Background(), td, test, 10, cfg, []Strategy{Hybrid})
		if err != nil {
			t.Fatal(err)
		}
		return res[Hybrid].NDCG
	}
	if def, tuned := ndcg(cfg), ndcg(got); tuned < def {
		t.Fatalf("tuned NDCG@10 %.4f on later events, defaults %.4f: %q", tuned, def, rep.Lines())
	}
}

func TestTuneKeepsTheDefaultsWithoutEvidence(t *testing.T) {
	cfg := testConfig()
	got, rep, err := Tune(context.Background(), Dataset{Items: testItems(), Events: testEvents(), Now: testNow}, cfg, FitOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got != cfg || rep.Tuned || !strings.Contains(rep.Lines()[0], "held-out shoppers") {
		t.Fatalf("a handful of held-out shoppers changed the configuration: %q", rep.Lines())
	}
}

func TestSampleUsersKeepsWholeUsersAndBoundsTheCount(t *testing.T) {
	var evs []Event
	for u := range 10000 {
		for k := range 2 {
			evs = append(evs, Event{User: fmt.Sprintf("user-%d", u), Item: fmt.Sprintf("i%d", k)})
		}
	}
	got := sampleUsers(evs, 3000)
	per := map[string]int{}
	for _, e := range got {
		per[e.User]++
	}
	if n := len(per); n < 2500 || n > 3500 {
		t.Fatalf("sampled %d users, want about 3000", n)
	}
	for u, n := range per {
		if n != 2 {
			t.Fatalf("user %s kept %d of 2 events", u, n)
		}
	}
}

// TestDefaultBudgetIsAShareOfTheTraining: by default tuning gets a quarter of
// the rest of the training (loading included), so about a fifth of the
// whole, and never more than DefaultTuneBudget; an explicit budget
// is kept as given.
func TestDefaultBudgetIsAShareOfTheTraining(t *testing.T) {
	d := syntheticShop(2000, 800, 60_000, 11)
	cfg := DefaultConfig()
	cfg.Workers = 2
	budgetFor := func(before time.Duration, explicit time.Duration) *FitReport {
		t.Helper()
		c := cfg
		c.TuneBudget = explicit
		start := time.Now()
		_, rep, err := Tune(context.Background(), d, c, FitOptions{Before: before})
		if err != nil {
			t.Fatal(err)
		}
		if !rep.Tuned {
			t.Fatalf("not tuned: %q", rep.Lines())
		}
		if took := time.Since(start); took < rep.Duration {
			t.Fatalf("report says %s, took %s", rep.Duration, took)
		}
		return rep
	}
	quick := budgetFor(0, 0)
	if quick.Budget <= 0 || quick.Budget >= DefaultTuneBudget/4 || !strings.Contains(quick.BudgetWhy, "a quarter of the rest of the training") {
		t.Fatalf("default budget on a small shop with nothing loaded: %s (%s)", quick.Budget, quick.BudgetWhy)
	}
	if !strings.Contains(strings.Join(quick.Lines(), "\n"), "tuning budget") {
		t.Fatalf("the report does not give the budget: %q", quick.Lines())
	}
	// Twelve seconds of loading alone give tuning at least three. (The
	// models' share is estimated from a timed first fit, so it differs
	// from one call to the next; only the loading's share is fixed.)
	slow := budgetFor(12*time.Second, 0)
	if slow.Budget < 3*time.Second || slow.Budget <= quick.Budget {
		t.Fatalf("budget %s after a 12 s load, %s after none: loading must count", slow.Budget, quick.Budget)
	}
	if given := budgetFor(0, 1500*time.Millisecond); given.Budget != 1500*time.Millisecond || given.BudgetWhy != "set explicitly" {
		t.Fatalf("explicit budget: %s (%s)", given.Budget, given.BudgetWhy)
	}
	if got := defaultTuneBudget(time.Hour); got != DefaultTuneBudget {
		t.Fatalf("an hour of training gives tuning %s, want the cap %s", got, DefaultTuneBudget)
	}
}

// TestAutoTuneSampleIsAFifthWithEnoughHeldOutShoppers: with the default
// budget tuning fits a hash sample of the shoppers holding about a fifth
// of the events, grown until at least minAutoHeldOut of its shoppers have
// held-out events; an explicit budget fits everything up to
// maxTuneEvents.
func TestAutoTuneSampleIsAFifthWithEnoughHeldOutShoppers(t *testing.T) {
	timeSplit := func(evs []Event) ([]Event, []Event) { return TimeSplit(evs, 0.9) }
	users := func(evs []Event) map[string]bool {
		out := map[string]bool{}
		for _, e := range evs {
			out[e.User] = true
		}
		return out
	}
	// Many shoppers: a fifth of the events, but at least minAutoTuneEvents
	// (a blend fit on a small shop's few shoppers chooses by chance), holds
	// enough held-out shoppers.
	d := syntheticShop(20_000, 800, 150_000, 3)
	train, val, scale := tuneSplit(d.Events, timeSplit, true)
	if want, n := max(len(d.Events)/autoTuneShare, minAutoTuneEvents), len(train)+len(val); n < want*4/5 || n > want*5/4 {
		t.Fatalf("the sample holds %d of %d events, want about %d", n, len(d.Events), want)
	}
	if held := heldOutShoppers(train, val); held < minAutoHeldOut {
		t.Fatalf("%d held-out shoppers in the sample, want at least %d", held, minAutoHeldOut)
	}
	if got := float64(len(users(append(train[:len(train):len(train)], val...)))) / float64(len(users(d.Events))); math.Abs(scale-got) > 0.01 {
		t.Fatalf("scale %.3f, the sample keeps %.3f of the shoppers", scale, got)
	}
	// Few shoppers: a fifth would hold fewer than minAutoHeldOut held out,
	// so the sample grows until it holds them.
	few := syntheticShop(1500, 800, 150_000, 4)
	_, allVal := timeSplit(few.Events)
	allTrain, _ := timeSplit(few.Events)
	if heldOutShoppers(allTrain, allVal) < 2*minAutoHeldOut {
		t.Fatalf("the shop has too few held-out shoppers for this test")
	}
	ftrain, fval, fscale := tuneSplit(few.Events, timeSplit, true)
	if held := heldOutShoppers(ftrain, fval); held < minAutoHeldOut || fscale <= 0.2 {
		t.Fatalf("%d held-out shoppers in a sample of %.2f of the shoppers, want at least %d", held, fscale, minAutoHeldOut)
	}
	// Whole shoppers are kept: every event of a sampled shopper is in.
	kept := users(append(ftrain[:len(ftrain):len(ftrain)], fval...))
	n := 0
	for _, e := range few.Events {
		if kept[e.User] {
			n++
		}
	}
	if n != len(ftrain)+len(fval) {
		t.Fatalf("the sample holds %d events of its shoppers' %d", len(ftrain)+len(fval), n)
	}
	// An explicit budget fits every event below maxTuneEvents.
	if etrain, eval, escale := tuneSplit(few.Events, timeSplit, false); escale != 1 || len(etrain)+len(eval) != len(few.Events) {
		t.Fatalf("explicit budget: sample of %.2f, %d of %d events", escale, len(etrain)+len(eval), len(few.Events))
	}
}

// TestTunedModelsEASECoversEveryItem: tuning's fits with the default
// budget cover the most-interacted half of EASE's items, the final model
// every active item, with the tuned λ scaled back to the whole data.
func TestTunedModelsEASECoversEveryItem(t *testing.T) {
	d := syntheticShop(2000, 1300, 30_000, 5)
	cfg := DefaultConfig()
	cfg.Workers = 2
	cfg.Candidates.PerUser = 0
	m, rep, err := Fit(context.Background(), d, cfg, FitOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Tuned {
		t.Fatalf("not tuned: %q", rep.Lines())
	}
	if rep.Config.EASE.tuneTop || m.cfg.EASE.tuneTop {
		t.Fatalf("the final configuration keeps tuning's EASE cover")
	}
	if !m.ease.enabled() || m.ease.n != m.ease.active || m.ease.n <= easeTuneFloor {
		t.Fatalf("the final EASE covers %d of %d active items", m.ease.n, m.ease.active)
	}
	if costs := strings.Join(rep.Lines(), "\n"); strings.Contains(costs, "ease") && !strings.Contains(costs, "most-interacted") {
		t.Fatalf("the report names EASE's cost without its cover: %q", costs)
	}
}
