package recommender

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

// freshOnly scores every product for a shopper with freshness alone in
// the blend (weight 1) and returns the row.
func freshOnly(m *Model, user string) []float32 {
	return blendScores(m, user, HybridWeights{Fresh: 1})
}

// Freshness counts as it is, not scaled to the newest product: in a shop
// whose newest product came out 100 days ago, freshness adds next to
// nothing to any product (it used to lift that product by the part's full
// weight), while a product launched yesterday still gets nearly all of it.
func TestFreshnessIsNotScaledToTheNewestProduct(t *testing.T) {
	items := testItems()
	for i := range items {
		items[i].Created = testNow.AddDate(-1, 0, 0)
	}
	old := slices.IndexFunc(items, func(it Item) bool { return it.ID == "shoepro" })
	items[old].Created = testNow.AddDate(0, 0, -100)
	m, err := Train(context.Background(), Dataset{Items: items, Events: testEvents(), Now: testNow}, testConfig(), nil)
	if err != nil {
		t.Fatal(err)
	}
	j := m.cat.index["shoepro"]
	want := float32(freshness(items[old].Created, testNow)) // 2^(-100/14) ≈ 0.007
	if got := freshOnly(m, "runner3")[j]; got > want*1.001 || got <= 0 {
		t.Fatalf("a product launched 100 days ago gets %.4f from freshness at weight 1, want its freshness %.4f at most (and above 0)", got, want)
	}
	items[old].Created = testNow.AddDate(0, 0, -1)
	m, err = Train(context.Background(), Dataset{Items: items, Events: testEvents(), Now: testNow}, testConfig(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := freshOnly(m, "runner3")[j]; got < 0.9 {
		t.Fatalf("a product launched yesterday in the runner's department gets %.4f from freshness at weight 1, want nearly 1", got)
	}
}

// Tuning sees launches as serving does: products created after the data's
// last event that nothing touched are left out of the held-out split's
// lists (they come after its window), a product with events is kept
// whatever its creation time says, and a shop whose launches come after
// the tuning split's cut-off has far more new products at the data's end
// than at that cut-off.
func TestTuningTellsLaunchesItCannotJudge(t *testing.T) {
	start := testNow.AddDate(0, 0, -100)
	var items []Item
	var evs []Event
	for i := range 40 {
		items = append(items, Item{ID: fmt.Sprintf("p%d", i), Title: fmt.Sprintf("Product %d", i), Category: "Shop", Active: true, Stock: 5,
			Created: start.AddDate(-1, 0, 0)})
	}
	for u := range 30 {
		for k := range 10 {
			evs = append(evs, Event{User: fmt.Sprintf("u%d", u), Item: fmt.Sprintf("p%d", (u+k)%40), Type: View,
				Time: start.Add(time.Duration(u*10+k) * 8 * time.Hour)})
		}
	}
	end := latest(evs)
	// Launches: two in the last tenth of the data (after the tuning
	// split's cut-off), six still to come, one "still to come" with events
	// (its creation time is the catalog's import, not its launch).
	launch := func(id string, at time.Time) {
		items = append(items, Item{ID: id, Title: "New " + id, Category: "Shop", Active: true, Stock: 5, Created: at})
	}
	launch("late1", end.Add(-24*time.Hour))
	launch("late2", end.Add(-12*time.Hour))
	for i := range 6 {
		launch(fmt.Sprintf("soon%d", i), end.Add(time.Duration(i+1)*24*time.Hour))
	}
	launch("imported", end.Add(48*time.Hour))
	evs = append(evs, Event{User: "u1", Item: "imported", Type: View, Time: end.Add(-time.Hour)})
	d := Dataset{Items: items, Events: evs}
	full, err := Train(context.Background(), d, testConfig(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var notYet []string
	for _, j := range notYetLaunched(full, d) {
		notYet = append(notYet, full.cat.items[j].ID)
	}
	slices.Sort(notYet)
	if want := []string{"soon0", "soon1", "soon2", "soon3", "soon4", "soon5"}; !slices.Equal(notYet, want) {
		t.Fatalf("not yet launched: %v, want %v (not the product with events)", notYet, want)
	}
	trainEv, _ := TimeSplit(evs, 0.9)
	if got, want := timeAtRank(evs, len(trainEv)-1), latest(trainEv); !got.Equal(want) {
		t.Fatalf("the tuning split's cut-off read from the data: %v, the split's own %v", got, want)
	}
	surge := measureLaunchSurge(d)
	if surge.atEnd < 6 || !surge.on {
		t.Fatalf("new products weigh %.2f at the data's end and %.2f at the tuning cut-off: want the end's (nine launches) more than twice the cut-off's", surge.atEnd, surge.atCut)
	}
	// The cut-off's sum leaves out exactly what is still to come: the
	// products of the catalog but the six launches, at the cut-off.
	var want float64
	for _, it := range items {
		if !strings.HasPrefix(it.ID, "soon") {
			want += freshness(it.Created, latest(trainEv))
		}
	}
	if math.Abs(surge.atCut-want) > 1e-9 {
		t.Fatalf("at the cut-off: %.4f, want %.4f", surge.atCut, want)
	}
	// Untuned training sees the surge as tuning does.
	cfg := testConfig()
	cfg.Weights.Fresh = 0.3
	for _, budget := range []time.Duration{-1, 2 * time.Second} {
		m, rep, err := Fit(context.Background(), d, cfg, FitOptions{Budget: budget})
		if err != nil {
			t.Fatal(err)
		}
		reason := strings.Join(rep.Lines(), "\n")
		if !strings.Contains(reason, "launches surge at the data's end") {
			t.Errorf("budget %v: the fit does not say launches surge:\n%s", budget, reason)
		}
		if budget < 0 && (m.cfg.Weights.Fresh != launchSurgeFresh || rep.Config.Weights.Fresh != launchSurgeFresh) {
			t.Errorf("untuned: freshness at %.3g (report %.3g), want %v for a launch surge", m.cfg.Weights.Fresh, rep.Config.Weights.Fresh, launchSurgeFresh)
		}
	}
	// A shop that launched as many products before the cut-off is steady.
	for i := range 9 {
		launch(fmt.Sprintf("earlier%d", i), latest(trainEv).Add(-time.Duration(i+1)*24*time.Hour))
	}
	d.Items = items
	if s := measureLaunchSurge(d); s.on {
		t.Fatalf("steady launches: new products weigh %.2f at the data's end and %.2f at the tuning cut-off, want them comparable", s.atEnd, s.atCut)
	}
	m, rep, err := Fit(context.Background(), d, cfg, FitOptions{Budget: -1})
	if err != nil {
		t.Fatal(err)
	}
	if m.cfg.Weights.Fresh != 0.3 || strings.Contains(strings.Join(rep.Lines(), "\n"), "surge") {
		t.Errorf("steady launches untuned: freshness %.3g, report %q; want the default 0.3 and no surge", m.cfg.Weights.Fresh, rep.Lines())
	}
}

// TestTimeAtRank: the event at a rank by time, read without sorting,
// is the one a sort gives, on spread, tied and single times.
func TestTimeAtRank(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	for name, at := range map[string]func(i int) time.Time{
		"spread": func(int) time.Time { return testNow.Add(-time.Duration(rng.Int64N(int64(400 * 24 * time.Hour)))) },
		"tied":   func(i int) time.Time { return testNow.AddDate(0, 0, -(i % 7)) },
		"single": func(int) time.Time { return testNow },
	} {
		evs := make([]Event, 5000)
		for i := range evs {
			evs[i].Time = at(i)
		}
		sorted := slices.Clone(evs)
		slices.SortStableFunc(sorted, func(a, b Event) int { return a.Time.Compare(b.Time) })
		for _, k := range []int{0, 1, 2499, 4499, 4999} {
			if got, want := timeAtRank(evs, k), sorted[k].Time.Truncate(time.Second); !got.Equal(want) {
				t.Errorf("%s: rank %d at %v, want %v", name, k, got, want)
			}
		}
		if !timeAtRank(evs, len(evs)).IsZero() || !timeAtRank(evs, -1).IsZero() {
			t.Errorf("%s: a rank outside the events has a time", name)
		}
	}
}
