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

// TestBotGuardVolumeLineFromTheShopsUpperTail: a shop shaped like the demo
// world, a crowd of one-view visitors beside long-history shoppers. Read
// over all users, the spread of log views put the volume line in the
// millions and a 20,000-view scraper browsing at a person's pace stayed in
// training; read from the shoppers with a few views it is a line of
// thousands, the scraper goes with its reason, and every person stays: the
// loyal shopper with thousands of views and purchases, a keen browser who
// never carts, and every shopper of the long tail.
func TestBotGuardVolumeLineFromTheShopsUpperTail(t *testing.T) {
	items := testItems()
	rng := rand.New(rand.NewPCG(10, 2))
	start := testNow.AddDate(0, 0, -90)
	var evs []Event
	// browse appends n views (and every cartEvery-th a cart, 0 for none)
	// one person's pace apart: 20 s to 2 min between events, sessions
	// spread over the 90 days.
	browse := func(user string, n, cartEvery int) {
		at := start.Add(time.Duration(rng.Int64N(int64(80 * 24 * time.Hour))))
		for i := range n {
			if i%40 == 39 { // a new session, hours or days later
				at = at.Add(time.Duration(1+rng.IntN(48)) * time.Hour)
			}
			item := items[rng.IntN(len(items))].ID
			evs = append(evs, Event{User: user, Item: item, Type: View, Time: at})
			at = at.Add(time.Duration(20+rng.IntN(100)) * time.Second)
			if cartEvery > 0 && i%cartEvery == cartEvery-1 {
				evs = append(evs, Event{User: user, Item: item, Type: AddToCart, Time: at})
				at = at.Add(time.Duration(20+rng.IntN(100)) * time.Second)
			}
		}
	}
	for v := range 1200 { // one-view visitors, a third of the users, a few of whom cart
		cart := 0
		if v%5 == 0 {
			cart = 1
		}
		browse(fmt.Sprintf("visitor%d", v), 1, cart)
	}
	for s := range 2400 { // shoppers with histories of 3 to 700 views
		n := min(700, max(3, int(math.Exp(3.6+rng.NormFloat64()))))
		cart := 15
		if s%10 == 0 {
			cart = 0 // some never cart
		}
		browse(fmt.Sprintf("shopper%d", s), n, cart)
	}
	browse("loyal", 6000, 50)   // years of views, and carts
	browse("keen", 2500, 0)     // a keen browser who never carts
	browse("scraper", 20000, 0) // a scraper at a person's pace

	m, err := Train(context.Background(), Dataset{Items: items, Events: evs, Now: testNow}, testConfig(), nil)
	if err != nil {
		t.Fatal(err)
	}
	st := m.Stats()
	notes := strings.Join(st.Cleaning, "\n")
	if m.KnownUser("scraper") || st.BotUsers != 1 || len(st.Dropped) != 1 || st.Dropped[0].User != "scraper" ||
		!strings.Contains(st.Dropped[0].Reason, "20000 views and never a cart") {
		t.Fatalf("the scraper was kept or others dropped: %+v\n%s", st.Dropped, notes)
	}
	if want := 1200 + 2400 + 2; m.NumUsers() != want {
		t.Errorf("%d users trained, want %d: %s", m.NumUsers(), want, notes)
	}
	for _, u := range []string{"loyal", "keen", "shopper0", "visitor1"} {
		if !m.KnownUser(u) {
			t.Errorf("%s was dropped", u)
		}
	}
	if !strings.Contains(notes, "dropped 1 user") || !strings.Contains(notes, "far-out line") {
		t.Errorf("cleaning notes do not say what was dropped and from which line: %q", notes)
	}
	t.Log(notes)
}

// TestFarOutViews: the line is the far-out fence of the quartiles of log
// views, is not moved by a crowd of users with fewer than minActiveViews
// (they are not given to it), and a shop with no such user gets none.
func TestFarOutViews(t *testing.T) {
	var logs []float64
	for _, v := range []float64{10, 20, 40, 80} {
		for range 25 {
			logs = append(logs, math.Log(v))
		}
	}
	v := farOutViews(logs)
	// Q1 = 20, Q3 = 80: exp(log 80 + 3·log 4) = 80·64.
	if math.Abs(v.line-80*64) > 1e-6 || v.users != 100 || math.Abs(v.upperQ-80) > 1e-9 || math.Abs(v.median-40) > 1e-9 {
		t.Errorf("far-out line %+v, want 5120 from 100 users, median 40, upper quartile 80", v)
	}
	if got := farOutViews(nil); got.line != 0 || !strings.Contains(got.describe(minBotViews), "the floor") {
		t.Errorf("no users: %+v %q", got, got.describe(minBotViews))
	}
	if got := thousands(11649849.4); got != "11,649,849" {
		t.Errorf("thousands: %q", got)
	}
	if got := thousands(999); got != "999" {
		t.Errorf("thousands: %q", got)
	}
}
