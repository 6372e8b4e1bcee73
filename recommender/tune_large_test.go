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
	// calibration fit's stages timed it on this machine: real time, which
	// a loaded machine stretches (a quiet one's 4 s rest read 27 s at load
	// 28, a budget of 7 s where the search below aimed at 3 s). The floor
	// stretched to the cap pins it at DefaultTuneBudget whatever they read.
	clock := func(elapsed func(time.Time) time.Duration) {
		withTuneClock(t, elapsed)
		slowdownOf = func(*tuneClock) float64 { return float64(DefaultTuneBudget) / float64(MinTuneBudget) }
	}
	// First the calibration fit reads an hour: how many times its time
	// the first fit is predicted to take is in the reason.
	reads := 0
	clock(func(time.Time) time.Duration {
		if reads++; reads == 2 {
			return time.Hour
		}
		return 0
	})
	_, rep, err := Tune(context.Background(), d, cfg, FitOptions{})
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
		got, rep, err = Tune(context.Background(), d, cfg, FitOptions{})
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

// TestTheBudgetsFloorStretchesWithTheLoad: the default budget's floor is
// MinTuneBudget of a quiet machine: stretched by how much the machine's
// load stretches the process's wall time (at most maxSlowdown times), so
// a small shop that tunes within it on a quiet machine is not over it on
// a loaded one. The quarter of the rest is measured under the load
// already and is not stretched again.
func TestTheBudgetsFloorStretchesWithTheLoad(t *testing.T) {
	for _, c := range []struct {
		rest time.Duration
		slow float64
		want time.Duration
	}{
		{time.Second, 1, MinTuneBudget},
		{time.Second, 0.5, MinTuneBudget},
		{time.Second, 2.5, MinTuneBudget * 5 / 2},
		{time.Minute, 2, 15 * time.Second},
		{time.Hour, 4, DefaultTuneBudget},
	} {
		if got := defaultTuneBudget(c.rest, c.slow); got != c.want {
			t.Errorf("rest %s at %.1f times: budget %s, want %s", c.rest, c.slow, got, c.want)
		}
	}
	// The clock reads nothing through the calibration, then an hour: the
	// guard after the first fit (the budget set from it) stops tuning
	// there instead of a whole search the budget does not depend on.
	withTuneClockJumping(t, 3)
	slowdownOf = func(*tuneClock) float64 { return 2.5 }
	d := syntheticShop(400, 300, 20_000, 5)
	cfg := DefaultConfig()
	cfg.Workers = 2
	_, rep, err := Tune(context.Background(), d, cfg, FitOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Budget < MinTuneBudget*5/2 || !strings.Contains(rep.BudgetWhy, "stretched 2.5 times by the machine's load") {
		t.Fatalf("at a load that stretches the process 2.5 times: budget %s (%s)", rep.Budget, rep.BudgetWhy)
	}
	if c := newTuneClock(time.Second, 2, true); slowdownOfMeasured(c) < 1 || slowdownOfMeasured(c) > maxSlowdown {
		t.Fatalf("the measured slowdown %g is outside 1–%d", slowdownOfMeasured(c), maxSlowdown)
	}
}
