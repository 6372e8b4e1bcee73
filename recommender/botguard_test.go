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
	shop := newDemoShapedShop()
	shop.browse("loyal", 6000, 50)   // years of views, and carts
	shop.browse("keen", 2500, 0)     // a keen browser who never carts
	shop.browse("scraper", 20000, 0) // a scraper at a person's pace

	m, err := Train(context.Background(), Dataset{Items: shop.items, Events: shop.evs, Now: testNow}, testConfig(), nil)
	if err != nil {
		t.Fatal(err)
	}
	st := m.Stats()
	notes := strings.Join(st.Cleaning, "\n")
	if m.KnownUser("scraper") || st.BotUsers != 1 || len(st.Dropped) != 1 || st.Dropped[0].User != "scraper" ||
		!strings.Contains(st.Dropped[0].Reason, "20000 views and never a cart") {
		t.Fatalf("the scraper was kept or others dropped: %+v\n%s", st.Dropped, notes)
	}
	if want := demoShapedUsers + 2; m.NumUsers() != want {
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

// demoShapedShop is a shop shaped like the demo world: a crowd of one-view
// visitors beside shoppers with histories of 3 to 700 views, most of whom
// cart now and then, all browsing at a person's pace.
type demoShapedShop struct {
	items []Item
	evs   []Event
	rng   *rand.Rand
	start time.Time
}

// demoShapedUsers is how many visitors and shoppers newDemoShapedShop has.
const demoShapedUsers = 1200 + 2400

func newDemoShapedShop() *demoShapedShop {
	s := &demoShapedShop{items: testItems(), rng: rand.New(rand.NewPCG(10, 2)), start: testNow.AddDate(0, 0, -90)}
	for v := range 1200 { // one-view visitors, a third of the users, a few of whom cart
		cart := 0
		if v%5 == 0 {
			cart = 1
		}
		s.browse(fmt.Sprintf("visitor%d", v), 1, cart)
	}
	for i := range 2400 { // shoppers with histories of 3 to 700 views
		n := min(700, max(3, int(math.Exp(3.6+s.rng.NormFloat64()))))
		cart := 15
		if i%10 == 0 {
			cart = 0 // some never cart
		}
		s.browse(fmt.Sprintf("shopper%d", i), n, cart)
	}
	return s
}

// browse appends n views (and every cartEvery-th a cart, 0 for none) one
// person's pace apart: 20 s to 2 min between events, sessions spread over
// the 90 days.
func (s *demoShapedShop) browse(user string, n, cartEvery int) {
	at := s.start.Add(time.Duration(s.rng.Int64N(int64(80 * 24 * time.Hour))))
	for i := range n {
		if i%40 == 39 { // a new session, hours or days later
			at = at.Add(time.Duration(1+s.rng.IntN(48)) * time.Hour)
		}
		item := s.items[s.rng.IntN(len(s.items))].ID
		s.evs = append(s.evs, Event{User: user, Item: item, Type: View, Time: at})
		at = at.Add(time.Duration(20+s.rng.IntN(100)) * time.Second)
		if cartEvery > 0 && i%cartEvery == cartEvery-1 {
			s.evs = append(s.evs, Event{User: user, Item: item, Type: AddToCart, Time: at})
			at = at.Add(time.Duration(20+s.rng.IntN(100)) * time.Second)
		}
	}
}

// burst appends n views every `every` from at on.
func (s *demoShapedShop) burst(user string, at time.Time, n int, every time.Duration) {
	for i := range n {
		s.evs = append(s.evs, Event{User: user, Item: s.items[s.rng.IntN(len(s.items))].ID, Type: View, Time: at.Add(time.Duration(i) * every)})
	}
}

// TestBotGuardRateRuleBelowTheVolumeLine: in a demo-shaped shop (volume
// line in the thousands), a 2,000-view crawler at 240 events a minute and
// never a cart goes for its rate, below the volume line; a person stays
// whatever their volume or bursts: a keen browser who never carts, a
// shopper who flicks through a gallery at 40 views a minute, a history an
// import wrote at 20 rows a second in one burst, a batch import with one
// timestamp, and the crawler's twin who carted. Cut to whole days (a
// daily export), the same shop drops no one.
func TestBotGuardRateRuleBelowTheVolumeLine(t *testing.T) {
	shop := newDemoShapedShop()
	mid := testNow.AddDate(0, 0, -30)
	shop.burst("crawler", mid, 2000, 250*time.Millisecond) // 240 a minute for 8 minutes
	shop.burst("buyer-crawler", mid, 2000, 250*time.Millisecond)
	shop.evs = append(shop.evs, Event{User: "buyer-crawler", Item: shop.items[0].ID, Type: AddToCart, Time: mid.Add(time.Hour)})
	shop.browse("keen", 2500, 0)
	for k := range 15 { // 600 views: galleries flicked at 40 a minute, days apart
		shop.burst("flicker", mid.AddDate(0, 0, -2*k), 40, 1500*time.Millisecond)
	}
	shop.burst("imported", mid.AddDate(0, 0, -40), 800, 50*time.Millisecond) // one import, 40 s
	shop.browse("imported", 300, 0)
	shop.burst("batch", mid.AddDate(0, 0, -40), 800, 0) // one timestamp for the lot
	shop.browse("batch", 300, 0)

	m, err := Train(context.Background(), Dataset{Items: shop.items, Events: shop.evs, Now: testNow}, testConfig(), nil)
	if err != nil {
		t.Fatal(err)
	}
	st := m.Stats()
	notes := strings.Join(st.Cleaning, "\n")
	if m.KnownUser("crawler") || st.BotUsers != 1 || len(st.Dropped) != 1 || st.Dropped[0].User != "crawler" ||
		!strings.Contains(st.Dropped[0].Reason, "2000 views, no cart or purchase, up to 240 events in one minute") {
		t.Fatalf("the crawler was kept or others dropped: %+v\n%s", st.Dropped, notes)
	}
	for _, u := range []string{"buyer-crawler", "keen", "flicker", "imported", "batch", "shopper0"} {
		if !m.KnownUser(u) {
			t.Errorf("%s was dropped", u)
		}
	}
	if want := demoShapedUsers + 5; m.NumUsers() != want {
		t.Errorf("%d users trained, want %d: %s", m.NumUsers(), want, notes)
	}
	if !strings.Contains(notes, "outlier line") {
		t.Errorf("the rule does not say where its least views came from: %q", notes)
	}
	t.Log(notes)

	// The same shop as a daily export: its clock cannot tell a rate, so
	// no one goes, the crawler included.
	daily := slices.Clone(shop.evs)
	for i := range daily {
		daily[i].Time = daily[i].Time.Truncate(24 * time.Hour)
	}
	m, err = Train(context.Background(), Dataset{Items: shop.items, Events: daily, Now: testNow}, testConfig(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if st := m.Stats(); st.BotUsers != 0 || !strings.Contains(strings.Join(st.Cleaning, "\n"), "whole days") {
		t.Errorf("a daily export dropped %+v: %q", st.Dropped, st.Cleaning)
	}
}

// TestMachineRateSpan: the span a rate was kept counts from the first to
// the last event closing a minute that holds it; one burst inside a
// minute is not kept beyond it.
func TestMachineRateSpan(t *testing.T) {
	at := func(secs ...int64) []compactEvent {
		var out []compactEvent
		for _, s := range secs {
			out = append(out, compactEvent{unix: 1_000_000 + s})
		}
		return out
	}
	var steady, burst []int64
	for i := range 600 { // 2 a second for 5 minutes
		steady = append(steady, int64(i/2))
	}
	for i := range 500 { // 500 within 50 s, then nothing
		burst = append(burst, int64(i/10))
	}
	for _, c := range []struct {
		name string
		evs  []compactEvent
		want int64
	}{
		{"steady", at(steady...), 299 - 59}, // from the 120th event (59 s) to the last (299 s)
		{"burst", at(burst...), 49 - 11},    // from the 120th event (11 s) to the last (49 s)
		{"slow", at(0, 30, 60, 90), 0},
	} {
		if got := machineRateSpan(c.evs, 120); got != c.want {
			t.Errorf("%s: span %d s, want %d", c.name, got, c.want)
		}
	}
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
	// Q1 = 20, Q3 = 80: exp(log 80 + 3·log 4) = 80·64, the inner fence
	// exp(log 80 + 1.5·log 4) = 80·8.
	if math.Abs(v.line-80*64) > 1e-6 || math.Abs(v.outlier-80*8) > 1e-6 || v.users != 100 || math.Abs(v.upperQ-80) > 1e-9 || math.Abs(v.median-40) > 1e-9 {
		t.Errorf("far-out line %+v, want 5120 and an outlier line of 640 from 100 users, median 40, upper quartile 80", v)
	}
	if got := farOutViews(nil); got.line != 0 || !strings.Contains(got.describe(), "the floors") || !strings.Contains(lineText("outlier line", got.outlier, minRateViews), "the floor") {
		t.Errorf("no users: %+v %q", got, got.describe())
	}
	if got := thousands(11649849.4); got != "11,649,849" {
		t.Errorf("thousands: %q", got)
	}
	if got := thousands(999); got != "999" {
		t.Errorf("thousands: %q", got)
	}
}

// TestDailyExportInTheShopsTimeZone: a daily export written at midnight
// of the shop's own time zone (every timestamp 22:00 UTC for a shop at
// UTC+02:00, 05:00 UTC at UTC−05:00) is a daily export, and training
// says so with the offset, as it does for one written at UTC midnight;
// no one is dropped.
func TestDailyExportInTheShopsTimeZone(t *testing.T) {
	for _, tc := range []struct {
		zone *time.Location
		want string
	}{
		{time.UTC, "timestamps are whole days (a daily export)"},
		{time.FixedZone("CEST", 2*3600), "timestamps are whole days at UTC+02:00 (a daily export)"},
		{time.FixedZone("EST", -5*3600), "timestamps are whole days at UTC-05:00 (a daily export)"},
		{time.FixedZone("IST", 5*3600+1800), "timestamps are whole days at UTC+05:30 (a daily export)"},
	} {
		evs := testEvents()
		users := map[string]bool{}
		for i, e := range evs {
			l := e.Time.In(tc.zone)
			evs[i].Time = time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, tc.zone)
			users[e.User] = true
		}
		m, err := Train(context.Background(), Dataset{Items: testItems(), Events: evs, Now: testNow}, testConfig(), nil)
		if err != nil {
			t.Fatal(err)
		}
		notes := strings.Join(m.Stats().Cleaning, "\n")
		if !strings.Contains(notes, tc.want) {
			t.Errorf("%s: the report does not say %q:\n%s", tc.zone, tc.want, notes)
		}
		if m.NumUsers() != len(users) {
			t.Errorf("%s: %d of %d users trained: %s", tc.zone, m.NumUsers(), len(users), notes)
		}
	}
}

// TestMonthlyFilesAreNamedAsMonths: order files stamped at midnight of
// the first of each month (at UTC or in the shop's time zone) are named
// monthly files, not a daily export; no one is dropped.
func TestMonthlyFilesAreNamedAsMonths(t *testing.T) {
	for _, tc := range []struct {
		zone *time.Location
		want string
	}{
		{time.UTC, "timestamps are whole months (monthly files)"},
		{time.FixedZone("CEST", 2*3600), "timestamps are whole months at UTC+02:00 (monthly files)"},
	} {
		evs := testEvents()
		users := map[string]bool{}
		for i, e := range evs {
			l := e.Time.In(tc.zone).AddDate(0, -i%3, 0)
			evs[i].Time = time.Date(l.Year(), l.Month(), 1, 0, 0, 0, 0, tc.zone)
			users[e.User] = true
		}
		m, err := Train(context.Background(), Dataset{Items: testItems(), Events: evs, Now: testNow}, testConfig(), nil)
		if err != nil {
			t.Fatal(err)
		}
		notes := strings.Join(m.Stats().Cleaning, "\n")
		if !strings.Contains(notes, tc.want) || strings.Contains(notes, "daily export") {
			t.Errorf("%s: the report does not say %q:\n%s", tc.zone, tc.want, notes)
		}
		if m.NumUsers() != len(users) {
			t.Errorf("%s: %d of %d users trained: %s", tc.zone, m.NumUsers(), len(users), notes)
		}
	}
}
