package recommender

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// coarseShop is a shop exported with a coarse clock: its events in time
// order within each shopper, the file listing shopper after shopper, and
// every timestamp replaced by stamp(k) of the k-th row.
func coarseShop(stamp func(k int, t time.Time) time.Time) Dataset {
	d := syntheticShop(400, 300, 12_000, 31)
	slices.SortStableFunc(d.Events, func(a, b Event) int { return a.Time.Compare(b.Time) })
	slices.SortStableFunc(d.Events, func(a, b Event) int { return strings.Compare(a.User, b.User) })
	for k := range d.Events {
		d.Events[k].Time = stamp(k, d.Events[k].Time)
	}
	return d
}

// TestACoarseClockIsTunedOnEachShoppersLatestEvents: a history imported
// with one timestamp for every event, or written shopper after shopper
// within one hour, leaves the time cut-off a single shopper with events
// on both sides, so the shop was never tuned ("only 1 held-out
// shoppers"). Tuning holds out each shopper's latest events in the order
// they were recorded instead, and the report says so and why.
func TestACoarseClockIsTunedOnEachShoppersLatestEvents(t *testing.T) {
	imported := time.Date(2025, 6, 1, 10, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name  string
		stamp func(k int, t time.Time) time.Time
		why   string
	}{
		{"one timestamp", func(int, time.Time) time.Time { return imported },
			"its cut-off fell among 12,000 events on one timestamp (2025-06-01 10:00:00 UTC)"},
		{"one hour, shopper after shopper", func(k int, _ time.Time) time.Time {
			return imported.Add(time.Duration(k) * 3600 * time.Second / 12_000)
		},
			"the latest events by time are a few shoppers' whole histories"},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := coarseShop(c.stamp)
			_, rep, err := Tune(context.Background(), d, testConfig(), FitOptions{Budget: time.Second, CPUClock: true})
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Join(rep.Lines(), "\n")
			if !rep.Tuned || rep.Users < minTuneUsers {
				t.Fatalf("not tuned, or on %d held-out shoppers:\n%s", rep.Users, lines)
			}
			for _, want := range []string{"held-out split: each shopper's latest 20% of events, those on one timestamp in the order they were recorded (the file's), the 10% before them left out",
				"the latest 10% of the events by time left 1 shopper with events on both sides (30 needed)", c.why} {
				if !strings.Contains(lines, want) {
					t.Errorf("the report does not say %q:\n%s", want, lines)
				}
			}
		})
	}
	// A clock that separates the shoppers' events keeps the time cut-off.
	d := syntheticShop(400, 300, 12_000, 31)
	_, rep, err := Tune(context.Background(), d, testConfig(), FitOptions{Budget: time.Second, CPUClock: true})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Split != "" || rep.Users < minTuneUsers {
		t.Fatalf("a fine clock was not tuned on its time cut-off (%d held-out shoppers):\n%s", rep.Users, strings.Join(rep.Lines(), "\n"))
	}
}

// TestShopperLastSplitHoldsOutEachShoppersLatestInRecordedOrder: events
// on one timestamp keep the order given; each shopper's latest fifth is
// held out, the tenth before it left out, and a one-event shopper trains.
func TestShopperLastSplitHoldsOutEachShoppersLatestInRecordedOrder(t *testing.T) {
	at := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	var evs []Event
	for _, u := range []string{"b", "a"} {
		for i := range 10 {
			evs = append(evs, Event{User: u, Item: u + string(rune('0'+i)), Time: at})
		}
	}
	evs = append(evs, Event{User: "c", Item: "c0", Time: at.Add(-time.Hour)})
	train, test := ShopperLastSplit(evs, 0.2, 0.1)
	items := func(evs []Event) string {
		var s []string
		for _, e := range evs {
			s = append(s, e.Item)
		}
		return strings.Join(s, " ")
	}
	if got, want := items(test), "b8 b9 a8 a9"; got != want {
		t.Errorf("held out %q, want %q", got, want)
	}
	if got, want := items(train), "c0 b0 b1 b2 b3 b4 b5 b6 a0 a1 a2 a3 a4 a5 a6"; got != want {
		t.Errorf("trained on %q, want %q", got, want)
	}
}

// On a coarse clock (a daily export: every event of a day at its
// midnight) what followed what is the order the events were recorded in,
// and the transitions follow it: shoppers who went down a series (part 9,
// then 8, then 7) make part 4's next part 3, not part 5, although the
// catalog lists part 5 after part 4.
func TestTransitionsOnOneTimestampFollowTheOrderRecorded(t *testing.T) {
	day := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	d := Dataset{Now: day.Add(24 * time.Hour)}
	for i := range 10 {
		d.Items = append(d.Items, Item{ID: fmt.Sprintf("part%d", i), Title: fmt.Sprintf("Part %d", i), Category: "Parts", PriceCents: 1000, Stock: 5, Active: true})
	}
	for u := range 240 {
		top := 3 + u%7
		for k := range 4 {
			d.Events = append(d.Events, Event{User: fmt.Sprintf("u%d", u), Item: fmt.Sprintf("part%d", top-k), Type: View, Time: day})
		}
	}
	m := trainServed(t, d, testConfig())
	first := func(rows *csr, item string) string {
		t.Helper()
		next, _ := rows.row(int(m.cat.index[item]))
		if len(next) == 0 {
			t.Fatalf("%s has no followers", item)
		}
		return m.cat.items[next[0]].ID
	}
	for _, c := range []struct{ item, want string }{{"part4", "part3"}, {"part8", "part7"}, {"part5", "part4"}} {
		if got := first(&m.next, c.item); got != c.want {
			t.Errorf("after %s shoppers went on to %s, the transitions say %s", c.item, c.want, got)
		}
	}
	if top, _ := m.next.row(int(m.cat.index["part1"])); slices.Contains(top, m.cat.index["part2"]) {
		t.Errorf("part 2 never followed part 1, yet it is among part 1's followers")
	}
}
