package recommender

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"
)

// freshOnly scores every product for a shopper with freshness alone in
// the blend (weight 1) and returns the row.
func freshOnly(m *Model, user string) []float32 {
	s := m.getScratch()
	defer m.scratch.Put(s)
	s.begin()
	req := Request{User: user}
	u := m.buildHistory(s, req)
	w := HybridWeights{Fresh: 1}
	req.weights = &w
	m.hybrid(s, req, u, nil)
	return slices.Clone(s.score)
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
	cut, err := Train(context.Background(), Dataset{Items: items, Events: trainEv, Now: latest(trainEv)}, testConfig(), nil)
	if err != nil {
		t.Fatal(err)
	}
	atEnd, atCut := freshMass(cut, d, notYetLaunched(cut, d))
	if atEnd < 6 || atEnd <= 2*atCut {
		t.Fatalf("new products weigh %.2f at the data's end and %.2f at the tuning cut-off: want the end's (nine launches) more than twice the cut-off's", atEnd, atCut)
	}
	// A shop that launched as many products before the cut-off is steady.
	for i := range 9 {
		launch(fmt.Sprintf("earlier%d", i), latest(trainEv).Add(-time.Duration(i+1)*24*time.Hour))
	}
	d.Items = items
	cut, err = Train(context.Background(), Dataset{Items: items, Events: trainEv, Now: latest(trainEv)}, testConfig(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if atEnd, atCut := freshMass(cut, d, notYetLaunched(cut, d)); atEnd > 2*atCut {
		t.Fatalf("steady launches: new products weigh %.2f at the data's end and %.2f at the tuning cut-off, want them comparable", atEnd, atCut)
	}
}
