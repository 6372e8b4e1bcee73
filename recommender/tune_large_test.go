package recommender

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

// manyBooksReaders is a shop of 8,000 books by 80 authors and 2,500
// readers who each buy 3–6 books of one favourite author: few purchases
// per product, so ALS (a row per product) is most of a fit, and the
// brand's part is what its blend wants.
func manyBooksReaders() Dataset { return booksOfAuthors(8000, 2500, 43, 7) }

// TestALargeShopIsTunedWithFewerALSFactors: with the default budget, a
// shop whose calibration fit predicts tuning's first fit over the budget
// with ALS's configured factors — on the outside check's 14,000-product
// marketplace ALS was most of it, and the defaults were kept — tunes with
// tuning's fits training ALS at fewer factors when that brings the first
// fit within: the blend is chosen on held-out shoppers and served, and the
// final training's ALS keeps its configured factors.
func TestALargeShopIsTunedWithFewerALSFactors(t *testing.T) {
	d := manyBooksReaders()
	cfg := DefaultConfig()
	cfg.Workers = 2
	// The default budget is a quarter of the rest of the training as the
	// calibration fit's stages timed it on this machine: an hour's loading
	// before it pins it at DefaultTuneBudget whatever they read.
	opt := FitOptions{Before: time.Hour}
	clock := func(elapsed func(time.Time) time.Duration) { withTuneClock(t, elapsed) }
	// First the calibration fit reads an hour: how many times its time
	// the first fit is predicted to take is in the reason.
	reads := 0
	clock(func(time.Time) time.Duration {
		if reads++; reads == 2 {
			return time.Hour
		}
		return 0
	})
	_, rep, err := Tune(context.Background(), d, cfg, opt)
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(rep.Reason, "first fit would take ~")
	first, err := time.ParseDuration(strings.SplitN(after, ";", 2)[0])
	if !ok || err != nil || rep.Tuned {
		t.Fatalf("an hour's calibration fit did not keep the defaults with the first fit's time: tuned %v, %q", rep.Tuned, rep.Reason)
	}
	grow := float64(first) / float64(time.Hour)
	if !strings.Contains(rep.Reason, fmt.Sprintf("the budget of ~%s ", DefaultTuneBudget)) {
		t.Fatalf("the budget is not pinned at %s: %q", DefaultTuneBudget, rep.Reason)
	}
	// Now the calibration fit reads x, first so that the first fit with
	// all the factors is predicted at the budget: one and a half of it are
	// half again the budget. The other reads are nothing until the blend's
	// start (the seventh read); from there the clock reads an hour, so no
	// move is tried after the blend's fit. The prediction scales the
	// calibration's stages as the machine timed them, so x is moved until
	// the first fit is over the budget with all the factors (tuning went
	// on with them: x up) and within it with fewer (the defaults were
	// kept even with the fewest: x down).
	x := time.Duration(float64(DefaultTuneBudget) / grow)
	var got Config
	var lines string
	for try := 0; ; try++ {
		reads = 0
		clock(func(time.Time) time.Duration {
			switch reads++; {
			case reads == 2:
				return x
			case reads < 7:
				return 0
			}
			return time.Hour
		})
		got, rep, err = Tune(context.Background(), d, cfg, opt)
		if err != nil {
			t.Fatal(err)
		}
		lines = strings.Join(rep.Lines(), "\n")
		cheap := strings.Contains(lines, "tuning's fits with ALS at")
		if rep.Tuned && cheap {
			break
		}
		if try == 8 {
			t.Fatalf("no calibration time between a first fit within the budget with all the factors and one over it even with the fewest was tuned with fewer (x %s): tuned %v after %d fits: %q",
				x, rep.Tuned, rep.fits, lines)
		}
		if rep.Tuned {
			x = x * 8 / 5
		} else {
			if !strings.Contains(rep.Reason, "even with ALS at") {
				t.Fatalf("the defaults kept without trying fewer factors: %q", rep.Reason)
			}
			x = x * 5 / 8
		}
	}
	if rep.DefaultsKept || rep.fits < 1 || rep.Users < minTuneUsers {
		t.Fatalf("tuned with fewer factors, yet the defaults kept (%v) after %d fits on %d held-out shoppers: %q", rep.DefaultsKept, rep.fits, rep.Users, lines)
	}
	if weightVec(got.Weights) == weightVec(cfg.Weights) || rep.Chosen <= rep.Default || !strings.Contains(lines, "blend → tuned") {
		t.Fatalf("no blend chosen on held-out shoppers (validation %.4f, %.4f with the defaults): %q", rep.Chosen, rep.Default, lines)
	}
	// ALS, weaker with fewer factors than the final training's, keeps
	// its settings and its share of the blend.
	if got.ALS != cfg.ALS || got.Weights.ALS != cfg.Weights.ALS {
		t.Fatalf("the final training's ALS %+v with weight %g, the configured %+v with %g", got.ALS, got.Weights.ALS, cfg.ALS, cfg.Weights.ALS)
	}
}

// TestTheDefaultBudgetIsTheSameOnABusyMachine: the default budget is a
// quarter of the rest of the training, at least MinTuneBudget, at most
// DefaultTuneBudget, all on the work clock: the process's CPU time per
// worker, which other work on the machine does not stretch. The wall
// time counts only past maxWallStretch times that.
func TestTheDefaultBudgetIsTheSameOnABusyMachine(t *testing.T) {
	for _, c := range []struct{ rest, want time.Duration }{
		{time.Second, MinTuneBudget},
		{time.Minute, 15 * time.Second},
		{time.Hour, DefaultTuneBudget},
	} {
		if got := defaultTuneBudget(c.rest); got != c.want {
			t.Errorf("rest %s: budget %s, want %s", c.rest, got, c.want)
		}
	}
	c := &tuneClock{workers: 2}
	for _, r := range []struct{ wall, cpu, want time.Duration }{
		{4 * time.Second, 8 * time.Second, 4 * time.Second},    // a quiet machine, two workers busy
		{8 * time.Second, 4 * time.Second, 2 * time.Second},    // a quiet machine, one worker busy
		{40 * time.Second, 8 * time.Second, 4 * time.Second},   // a busy one: the same work
		{400 * time.Second, 8 * time.Second, 10 * time.Second}, // too busy: a fortieth of the wall time
	} {
		if got := c.of(r.wall, r.cpu); got != r.want {
			t.Errorf("%s of wall time and %s of CPU time read %s, want %s", r.wall, r.cpu, got, r.want)
		}
	}
}

// TestTuningOnABusyMachineChoosesAsOnAQuietOne: a shop tuned with the
// default budget on a machine whose load stretches every wall time read
// six times (the process's CPU time unchanged) scores the same held-out
// shoppers and configurations and chooses the same configuration as on a
// quiet machine. On wall time the busy machine's search stopped at its
// budget after a sixth of the configurations (a shop of ten years of visits
// chose 1.18× kNN at load 22, 1.64× quiet). The clocks are faked, each
// read a step later, and so are the times of each stage of a fit and
// each scoring, so both runs read the same times.
func TestTuningOnABusyMachineChoosesAsOnAQuietOne(t *testing.T) {
	d := syntheticShop(400, 300, 20_000, 5)
	cfg := DefaultConfig()
	cfg.Workers = 2
	run := func(stretch time.Duration) (Config, *FitReport) {
		var reads, spans time.Duration
		withTuneClockReads(t, func(c *tuneClock) (time.Duration, time.Duration) {
			reads += 5 * time.Millisecond
			return stretch * reads, 2 * reads
		})
		// Each timed part of a fit or a scoring takes a step too.
		prev := spanNow
		spanNow = func() (time.Duration, time.Duration) {
			spans += time.Millisecond
			return stretch * spans, 2 * spans
		}
		defer func() { spanNow = prev }()
		got, rep, err := Tune(context.Background(), d, cfg, FitOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return got, rep
	}
	quiet, qrep := run(1)
	busy, brep := run(6)
	if !qrep.Tuned || qrep.Candidates < 100 {
		t.Fatalf("the quiet machine did not tune: %q", qrep.Lines())
	}
	if quiet != busy || qrep.Users != brep.Users || qrep.Candidates != brep.Candidates || qrep.Budget != brep.Budget {
		t.Fatalf("a busy machine chose otherwise: %d configurations on %d held-out shoppers (budget %s) against %d on %d (%s) quiet:\nbusy: %q\nquiet: %q",
			brep.Candidates, brep.Users, brep.Budget, qrep.Candidates, qrep.Users, qrep.Budget, brep.Lines(), qrep.Lines())
	}
	if !strings.Contains(qrep.budgetLine(), "CPU time per worker (2 workers") {
		t.Fatalf("the report does not say which clock the budget was spent on: %q", qrep.budgetLine())
	}
}
