package recommender

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// A row whose best-scored products are all of one category, for a shopper
// whose history is half of another, takes the other category's best
// products in when calibrated, as many as the target asks, and keeps the
// blend's order within each category; with no trade-off it is the blend's
// order.
func TestACalibratedRowTakesTheHistorysOtherCategoryIn(t *testing.T) {
	var leaves []int32
	var scores []float32
	for i := range 40 {
		leaf := int32(0)
		if i >= 20 {
			leaf = 1
		}
		leaves = append(leaves, leaf)
		scores = append(scores, float32(100-i))
	}
	hist := []int32{0, 0, 0, 1, 1, 1}
	share := []float32{0.5, 0.5}
	var c calibrator
	plain := append([]int(nil), c.calibrateOrder(leaves, scores, hist, share, 1, 0, 10)...)
	for r, i := range plain {
		if i != r {
			t.Fatalf("with no trade-off the row is %v, want the blend's order", plain)
		}
	}
	got := c.calibrateOrder(leaves, scores, hist, share, 1, 0.9, 10)
	other, last := 0, map[int32]int{0: -1, 1: -1}
	for _, i := range got {
		if leaves[i] == 1 {
			other++
		}
		if i <= last[leaves[i]] {
			t.Fatalf("calibrated row %v leaves the blend's order within a category", got)
		}
		last[leaves[i]] = i
	}
	if other < 4 || other > 6 {
		t.Fatalf("calibrated row %v holds %d of 10 of the history's other category, want about half", got, other)
	}
}

// mixShop is a shop of ten categories whose shoppers' products come from
// their own favourite category with probability loyal, else from any.
func mixShop(loyal float64) Dataset {
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	d := Dataset{Now: now}
	for c := range 10 {
		for i := range 20 {
			d.Items = append(d.Items, Item{ID: fmt.Sprintf("c%dp%d", c, i), Title: fmt.Sprintf("Product %d %d", c, i),
				Category: fmt.Sprintf("Cat %d", c), PriceCents: 1000, Stock: 5, Active: true})
		}
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for u := range 300 {
		fav := rng.IntN(10)
		for k := range 8 {
			c := fav
			if rng.Float64() >= loyal {
				c = rng.IntN(10)
			}
			at := now.Add(-time.Duration(80-10*k) * 24 * time.Hour).Add(time.Duration(u) * time.Minute)
			d.Events = append(d.Events, Event{User: fmt.Sprintf("u%d", u), Item: fmt.Sprintf("c%dp%d", c, rng.IntN(20)), Type: View, Time: at})
		}
	}
	return d
}

// Training reads from the shop's data how much of the shoppers' next
// products their own categories explain: most in a shop whose shoppers
// keep to their category, little in one whose shoppers pick across the
// catalog, and the served model keeps what it read.
func TestTheCalibrationTargetFollowsWhereTheShopsShoppersGoNext(t *testing.T) {
	mix := func(loyal float64) float64 {
		t.Helper()
		return trainServed(t, mixShop(loyal), testConfig()).cfg.Weights.CategoryMix
	}
	loyal, spread := mix(0.9), mix(0.1)
	if loyal < 0.8 {
		t.Errorf("a shop whose shoppers keep to their category: mix %.2f, want at least 0.8", loyal)
	}
	if spread > 0.3 {
		t.Errorf("a shop whose shoppers pick across the catalog: mix %.2f, want at most 0.3", spread)
	}
}

// The calibration target reads each shopper's products in the order they
// came: shoppers who browsed two categories early on and came back late
// for one more product of each keep to their categories (α near 1),
// though the late products come first in the catalog, so that read in
// catalog order each shopper's second late product looks like one from a
// category new to them (α near 0).
func TestTheCalibrationTargetReadsEachShoppersProductsInTimeOrder(t *testing.T) {
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	d := Dataset{Now: now}
	for _, phase := range []string{"late", "early"} {
		for c := range 10 {
			for i := range 30 {
				d.Items = append(d.Items, Item{ID: fmt.Sprintf("%s-c%dp%d", phase, c, i), Title: fmt.Sprintf("Product %s %d %d", phase, c, i),
					Category: fmt.Sprintf("Cat %d", c), PriceCents: 1000, Stock: 5, Active: true})
			}
		}
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for u := range 300 {
		cats := [2]int{u % 10, (u + 3) % 10}
		view := func(phase string, c int, i int, at time.Time) {
			d.Events = append(d.Events, Event{User: fmt.Sprintf("u%d", u), Item: fmt.Sprintf("%s-c%dp%d", phase, c, i), Type: View, Time: at})
		}
		for k, i := range rng.Perm(30)[:8] {
			view("early", cats[k%2], i, now.Add(-time.Duration(90-3*k)*24*time.Hour).Add(time.Duration(u)*time.Minute))
		}
		for k, c := range cats {
			view("late", c, rng.IntN(30), now.Add(-time.Duration(10-5*k)*24*time.Hour).Add(time.Duration(u)*time.Minute))
		}
	}
	if mix := trainServed(t, d, testConfig()).cfg.Weights.CategoryMix; mix < 0.8 {
		t.Fatalf("shoppers who came back for their own categories: mix %.2f, want at least 0.8", mix)
	}
}

// A served row is calibrated when the weights ask for it: a shopper of
// two categories in a shop where one sells far more gets the smaller
// one's products in their row, more than without, in `recommend`'s and
// the API's rows and a homepage's alike.
func TestAServedRowIsCalibratedWhenTheWeightsAskForIt(t *testing.T) {
	d := mixShop(1)
	// The shopper: half of the history in Cat 0, half in Cat 1.
	for k := range 6 {
		d.Events = append(d.Events, Event{User: "two", Item: fmt.Sprintf("c%dp%d", k%2, k), Type: View, Time: d.Now.Add(-time.Duration(20-k) * time.Hour)})
	}
	// Cat 0 sells far more.
	for u := range 200 {
		for k := range 3 {
			d.Events = append(d.Events, Event{User: fmt.Sprintf("a%d", u), Item: fmt.Sprintf("c0p%d", (u+k)%20), Type: Purchase, Time: d.Now.Add(-time.Duration(u+k) * time.Hour)})
		}
	}
	inOther := func(lambda float64) int {
		t.Helper()
		cfg := testConfig()
		cfg.Weights.Calibrate = lambda
		// The 200 buyers of Cat 0 all came within eight days, a wave
		// (burst.go) that would weigh Cat 0 down without calibration.
		cfg.BurstPower = 0
		m, err := Train(context.Background(), d, cfg, nil)
		if err != nil {
			t.Fatalf("Train: %v", err)
		}
		row := m.Recommend(Request{User: "two", N: 10, ExcludeSeen: true})
		// A homepage's model-filled row (spread by a diversity of its
		// own) is calibrated alike: the shop's mix takes its place.
		home := m.Recommend(Request{User: "two", N: 10, ExcludeSeen: true, Diversity: 0.3})
		n, same := 0, len(row) == len(home)
		for k, r := range row {
			if m.cat.leafCat[m.cat.index[r.ItemID]] == m.cat.leafCat[m.cat.index["c1p0"]] {
				n++
			}
			same = same && home[k].ItemID == r.ItemID
		}
		if lambda > 0 && !same {
			t.Fatalf("a homepage row is not the calibrated row: %v against %v", home, row)
		}
		return n
	}
	plain, calibrated := inOther(0), inOther(0.9)
	if calibrated <= plain || calibrated < 3 {
		t.Fatalf("the shopper's smaller category holds %d of 10 calibrated, %d without: want more, at least 3", calibrated, plain)
	}
}

// calibrationCache is held-out shoppers' cached scores: 30 products, the
// first 20 of one category and the rest of another, scored best first,
// for shoppers whose histories are half of each; the product the shopper
// went on to is relevant.
func calibrationCache(relevant int) []userCache {
	cache := make([]userCache, 100)
	for u := range cache {
		uc := userCache{nrel: 1, hist: 4, histLeaf: []int32{0, 0, 1, 1}, share: []float32{0.5, 0.5}, mix: 1}
		for p := range 30 {
			uc.items = append(uc.items, int32(p))
			leaf := int32(0)
			if p >= 20 {
				leaf = 1
			}
			uc.leaf = append(uc.leaf, leaf)
			row := make([]float32, numComponents)
			row[0] = float32(100-p) / 100 // ALS
			uc.vals = append(uc.vals, row...)
			uc.rel = append(uc.rel, p == relevant)
		}
		cache[u] = uc
	}
	return cache
}

// Tuning calibrates the row where its held-out shoppers went on to the
// history's other category, which the blend ranks below the row, and
// leaves it off where they went on to what the blend ranks in it.
func TestTuningCalibratesTheRowOnlyWhereItsHeldOutShoppersGain(t *testing.T) {
	tu := &tuner{workers: 1}
	w := HybridWeights{ALS: 1}
	gain := calibrationCache(20)
	got, per := tu.tuneCalibrate(gain, w, tu.perUser(gain, w))
	if got.Calibrate <= 0 || mean(per) <= mean(tu.perUser(gain, w)) {
		t.Fatalf("held-out shoppers who went on to the other category: calibration %g (NDCG@10 %.3f)", got.Calibrate, mean(per))
	}
	cost := calibrationCache(5)
	if got, _ := tu.tuneCalibrate(cost, w, tu.perUser(cost, w)); got.Calibrate != 0 {
		t.Fatalf("held-out shoppers who went on to the blend's sixth product: calibration %g, want off", got.Calibrate)
	}
}
