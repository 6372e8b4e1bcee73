package recommender

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestBotGuardSparesRealCustomers: heavy buyers, batch-imported histories
// and daily exports are people, not bots; only the view-only machine goes.
func TestBotGuardSparesRealCustomers(t *testing.T) {
	items := testItems()
	evs := testEvents()
	for i := range 2000 { // a batch rating session: purchases, many a second
		evs = append(evs, Event{User: "collector", Item: items[i%len(items)].ID, Type: Purchase, Time: testNow.Add(-time.Duration(i) * 200 * time.Millisecond)})
	}
	for i := range 1500 { // an imported history: one timestamp for the lot
		evs = append(evs, Event{User: "imported", Item: items[i%len(items)].ID, Type: View, Time: testNow.Add(-48 * time.Hour)})
	}
	for i := range 1200 { // a daily export of a keen browser
		evs = append(evs, Event{User: "daily", Item: items[i%len(items)].ID, Type: View, Time: testNow.Truncate(24*time.Hour).AddDate(0, 0, -i/10)})
	}
	for i := range 2000 { // the crawler: 20 views a second for minutes
		evs = append(evs, Event{User: "crawler", Item: items[i%len(items)].ID, Type: View, Time: testNow.Add(-time.Duration(i) * 50 * time.Millisecond)})
	}
	m, err := Train(context.Background(), Dataset{Items: items, Events: evs, Now: testNow}, testConfig(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{"collector", "imported", "daily", "runner1"} {
		if !m.KnownUser(u) {
			t.Errorf("%s was dropped: %+v", u, m.Stats().Dropped)
		}
	}
	st := m.Stats()
	if m.KnownUser("crawler") || st.BotUsers != 1 || len(st.Dropped) != 1 || !strings.Contains(st.Dropped[0].Reason, "no cart") {
		t.Errorf("crawler kept or misreported: %+v", st.Dropped)
	}
	if !strings.Contains(strings.Join(st.Cleaning, "\n"), "dropped 1 user") {
		t.Errorf("cleaning notes do not say what was dropped: %q", st.Cleaning)
	}
}

// TestCoarseClockDropsNobody: an events file whose timestamps are all equal,
// or all in one day, trains without dropping users and says what it assumed.
func TestCoarseClockDropsNobody(t *testing.T) {
	items := testItems()
	for name, stamp := range map[string]func(i int) time.Time{
		"same timestamp": func(int) time.Time { return testNow },
		"one day":        func(i int) time.Time { return testNow.Add(-time.Duration(i%1000) * time.Second) },
	} {
		var evs []Event
		for u := range 30 {
			n := 5
			if u == 0 {
				n = 3000 // a huge imported history, view-only
			}
			for i := range n {
				evs = append(evs, Event{User: fmt.Sprintf("u%d", u), Item: items[(u+i)%len(items)].ID, Type: View, Time: stamp(u*7 + i)})
			}
		}
		// Through Fit, as `storefront train` does: tuning on a time split
		// of a clock that cannot order the events must not fail either.
		cfg := testConfig()
		cfg.TuneBudget = 2 * time.Second
		m, rep, err := Fit(context.Background(), Dataset{Items: items, Events: evs}, cfg, FitOptions{})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(rep.Lines()) == 0 {
			t.Errorf("%s: the fit report says nothing", name)
		}
		st := m.Stats()
		if st.BotUsers != 0 || m.NumUsers() != 30 {
			t.Errorf("%s: dropped %d users (%+v)", name, st.BotUsers, st.Dropped)
		}
		notes := strings.Join(st.Cleaning, "\n")
		if !strings.Contains(notes, "assumed") {
			t.Errorf("%s: cleaning notes do not say what was assumed: %q", name, notes)
		}
		if len(m.Recommend(Request{User: "u1", Strategy: Hybrid, N: 3, ExcludeSeen: true})) == 0 {
			t.Errorf("%s: no recommendations", name)
		}
	}
}
