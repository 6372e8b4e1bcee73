package recommender

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

// waveShop: lamp and kettle shoppers with steady tastes over four months,
// and a wave: 120 shoppers viewed a featured kettle within three days,
// three months ago, and 80 of them went on to its four related kettles a
// week later. The shopper "t" likes lamps, and followed that wave like
// everyone else.
func waveShop() Dataset {
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	d := Dataset{Now: now}
	for i := range 12 {
		d.Items = append(d.Items, Item{ID: fmt.Sprintf("L%d", i), Title: fmt.Sprintf("Desk lamp %d", i), Category: "Lamps", Active: true, Stock: 10})
		d.Items = append(d.Items, Item{ID: fmt.Sprintf("K%d", i), Title: fmt.Sprintf("Kettle %d", i), Category: "Kettles", Active: true, Stock: 10})
	}
	ev := func(u, item string, at time.Time) {
		d.Events = append(d.Events, Event{User: u, Item: item, Type: View, Time: at})
	}
	// Steady tastes: each shopper views four products of one category on
	// four days spread over 120 days; the featured kettle K0 and the
	// related K1–K4 are among them like any other.
	for u := range 160 {
		cat := "L"
		if u%2 == 1 {
			cat = "K"
		}
		for k := range 4 {
			at := now.Add(-time.Duration((u*7+k*31)%120+1) * day).Add(time.Duration(u) * time.Minute)
			ev(fmt.Sprintf("s%03d", u), fmt.Sprintf("%s%d", cat, (u+k*5)%12), at)
		}
	}
	wave := now.Add(-90 * day)
	for u := range 120 {
		who := fmt.Sprintf("s%03d", u)
		ev(who, "K0", wave.Add(time.Duration(u*30)*time.Minute))
		if u < 80 {
			ev(who, fmt.Sprintf("K%d", 1+u%4), wave.Add(7*day+time.Duration(u)*time.Minute))
			ev(who, fmt.Sprintf("K%d", 1+(u+1)%4), wave.Add(7*day+time.Duration(u)*time.Minute+time.Minute))
		}
	}
	// The lamp shopper: three lamps over the months, and the wave.
	ev("t", "L0", now.Add(-100*day))
	ev("t", "L5", now.Add(-60*day))
	ev("t", "L7", now.Add(-20*day))
	ev("t", "K0", wave.Add(time.Hour))
	ev("t", "K1", wave.Add(7*day))
	return d
}

func TestAWaveOfAttentionIsNoTaste(t *testing.T) {
	d := waveShop()
	cfg := quickConfig()
	m, err := Train(context.Background(), d, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if m.burst == nil {
		t.Fatal("no product came in a wave; want the featured kettle K0 and its related K1–K4")
	}
	for id, most := range map[string]float32{"K0": 0.25, "K1": 0.75, "K2": 0.75} {
		if w := m.burst[m.cat.index[id]]; w > most {
			t.Errorf("%s, which most of its shoppers came to in one week, weighs %.3f in a shopper's tastes; want at most %.2f", id, w, most)
		}
	}
	for _, id := range []string{"L3", "K9"} {
		if w := m.burst[m.cat.index[id]]; w != 1 {
			t.Errorf("%s, whose shoppers came steadily, weighs %.3f; want 1", id, w)
		}
	}
	check := func(name string, m *Model) {
		// What the shopper touched is left out, as the command line's
		// recommend does.
		seen := map[string]bool{"L0": true, "L5": true, "L7": true, "K0": true, "K1": true}
		recs := m.Recommend(Request{User: "t", N: 4, Exclude: seen})
		var got []string
		kettles := 0
		for _, r := range recs {
			got = append(got, r.ItemID)
			if strings.HasPrefix(r.ItemID, "K") {
				kettles++
			}
		}
		if len(recs) != 4 || kettles > 1 {
			t.Errorf("%s: the lamp shopper who followed a kettle's wave three months ago is shown %v; want lamps (at most one kettle in four)", name, got)
		}
	}
	check("trained", m)
	loaded := reloaded(t, m)
	check("loaded", loaded)
}
