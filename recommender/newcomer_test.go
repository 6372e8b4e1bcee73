package recommender

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// newcomerShop is a shop of one-time buyers: five new shoppers a day for
// 200 days each buy one of 20 steady products, while 15 regulars (known
// since the first day) bought five fad products in the last six weeks.
// Over a week the fads lead; over all time, and for every new shopper, the
// steady products do.
func newcomerShop() Dataset {
	var items []Item
	add := func(id string) {
		items = append(items, Item{ID: id, Title: "Product " + id, Category: "Shop", CategoryPath: []string{"Shop"},
			PriceCents: 1000, Stock: 50, Active: true, Created: testNow.AddDate(-1, 0, 0)})
	}
	for i := range 20 {
		add(fmt.Sprintf("steady%02d", i))
	}
	for i := range 5 {
		add(fmt.Sprintf("fad%d", i))
	}
	var evs []Event
	start := testNow.AddDate(0, 0, -200)
	for day := range 200 {
		for k := range 5 {
			at := start.Add(time.Duration(day)*24*time.Hour + time.Duration(k)*3*time.Hour)
			u := fmt.Sprintf("new-%d-%d", day, k)
			// Product i is bought about 1/(i+1) as often as the first.
			i := (day*5 + k) % 60
			item := fmt.Sprintf("steady%02d", min(19, i*i/180))
			evs = append(evs, Event{User: u, Item: item, Type: View, Time: at},
				Event{User: u, Item: item, Type: Purchase, Time: at.Add(time.Minute)})
		}
	}
	for r := range 15 {
		u := fmt.Sprintf("regular%d", r)
		evs = append(evs, Event{User: u, Item: "steady19", Type: View, Time: start.Add(time.Duration(r) * time.Hour)})
		for f := range 5 {
			at := testNow.Add(-time.Duration(40*24-(r*5+f)*12) * time.Hour)
			evs = append(evs, Event{User: u, Item: fmt.Sprintf("fad%d", f), Type: Purchase, Time: at})
		}
	}
	return Dataset{Items: items, Events: evs, Now: testNow}
}

// TestANewShoppersPopularityIsChosenOnTheShopsOwnNewShoppers: where the
// shop's new shoppers go to the all-time bestsellers, not what its regulars
// bought this week, training chooses the popularity that scores best on
// its own held-out new shoppers, says so, saves it with the model, and
// serves it to an unknown shopper and a visitor's popularity row.
func TestANewShoppersPopularityIsChosenOnTheShopsOwnNewShoppers(t *testing.T) {
	d := newcomerShop()
	m, rep, err := Fit(context.Background(), d, testConfig(), FitOptions{Budget: 3 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	line := ""
	for _, l := range rep.Lines() {
		if strings.Contains(l, "new shoppers' popularity") {
			line = l
		}
	}
	if !strings.Contains(line, "all time") || !strings.Contains(line, "validation NDCG@10") {
		t.Fatalf("train's report does not name an all-time popularity chosen with its validation figure: %q", line)
	}
	t.Log(line)
	b, err := m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if m, err = Load(bytes.NewReader(b)); err != nil {
		t.Fatal(err)
	}
	for _, strategy := range []Strategy{Hybrid, Popular} {
		var got []string
		for _, r := range m.Recommend(Request{User: "someone-new", Strategy: strategy, N: 5}) {
			got = append(got, r.ItemID)
			if strings.Contains(r.Reason, "this week") {
				t.Errorf("%v: %s's reason %q says this week of an all-time popularity", strategy, r.ItemID, r.Reason)
			}
		}
		want := []string{"steady00", "steady01", "steady02", "steady03", "steady04"}
		if !slices.Equal(got, want) {
			t.Errorf("%v: a new shopper's list is %v, want the all-time bestsellers %v", strategy, got, want)
		}
	}
}

// TestANewShoppersPopularityKeptWhereTooFewToChoose: with fewer held-out
// new shoppers than minNewcomers, or tuning off, the blend's popularity
// serves new shoppers, and train says why.
func TestANewShoppersPopularityKeptWhereTooFewToChoose(t *testing.T) {
	d := newcomerShop()
	// Only the first 20 days' new shoppers and the regulars.
	var evs []Event
	for _, e := range d.Events {
		if !strings.HasPrefix(e.User, "new-") || e.Time.Before(testNow.AddDate(0, 0, -180)) {
			evs = append(evs, e)
		}
	}
	d.Events = evs
	form, line := chooseNewcomer(d, testConfig())
	if form.Chosen || !strings.Contains(line, "held-out new shoppers (need 50)") {
		t.Fatalf("with few new shoppers: %+v, %q", form, line)
	}
	full := newcomerShop()
	m, rep, err := Fit(context.Background(), full, testConfig(), FitOptions{Budget: -1})
	if err != nil {
		t.Fatal(err)
	}
	if m.pop.newcomer != nil || m.cfg.Newcomer.Chosen || strings.Contains(strings.Join(rep.Lines(), "\n"), "new shoppers' popularity") {
		t.Fatalf("tuning off chose a new shopper's popularity: %+v", m.cfg.Newcomer)
	}
}
