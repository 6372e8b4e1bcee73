package recommender

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// TestAttributesCarryAStyleAcrossDepartmentsInALS: shoppers of tents and
// shoppers of boots are disjoint, each keeping to a style. With the
// products' attributes as the prior of the item factors, a rustic-tent
// shopper's ALS score for a rustic boot nobody touched clearly beats a
// modern one (and the other way round for a modern-tent shopper); in
// plain ALS both untouched boots sit at zero, up to the solver's noise.
func TestAttributesCarryAStyleAcrossDepartmentsInALS(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	item := styledOutdoorItem(now)
	items := append(styledTents(now),
		item("b1", "Modern trail boot", "Boots"), item("b2", "Modern city boot", "Boots"),
		item("b3", "Rustic trail boot", "Boots"), item("b4", "Rustic work boot", "Boots"),
		item("new-modern", "Modern boot", "Boots"), item("new-rustic", "Rustic boot", "Boots"),
	)
	histories := map[string][]string{
		"rustic-tents": {"t1", "t2"}, "modern-tents": {"t3", "t4"},
		"modern-boots": {"b1", "b2"}, "rustic-boots": {"b3", "b4"},
	}
	var evs []Event
	for group, h := range histories {
		for n := range 6 {
			for k, id := range h {
				evs = append(evs, Event{User: fmt.Sprintf("%s-%d", group, n), Item: id, Type: Purchase, Time: now.Add(-time.Duration(48-k) * time.Hour)})
			}
		}
	}
	score := func(prior float64, user, id string) float32 {
		t.Helper()
		cfg := DefaultConfig()
		cfg.TuneBudget = -1
		cfg.ALS.Factors, cfg.ALS.Reg, cfg.ALS.AttributePrior = 8, 5, prior
		m, err := Train(context.Background(), Dataset{Items: items, Events: evs, Now: now}, cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		u, ok := m.userIndex[user]
		if !ok {
			t.Fatalf("%s unknown", user)
		}
		x, y := servedALSFactors(t, m, u), m.als.item(m.cat.index[id])
		var dot float32
		for f := range x {
			dot += x[f] * y[f]
		}
		return dot
	}
	// The gap between the two untouched boots, in units of the shopper's
	// score for a tent of their own style (which they had): with the
	// attributes it is clear, without them it is the solver's noise.
	gap := func(prior float64, user, own, want, other string) float64 {
		return float64(score(prior, user, want)-score(prior, user, other)) / float64(score(prior, user, own))
	}
	for user, c := range map[string][3]string{
		"rustic-tents-0": {"t1", "new-rustic", "new-modern"},
		"modern-tents-0": {"t3", "new-modern", "new-rustic"},
	} {
		if g := gap(1, user, c[0], c[1], c[2]); g < 0.01 {
			t.Errorf("%s with attributes: %s leads %s by %.3g of an own-style tent's score, want ≥ 0.01 (the style of their tents)", user, c[1], c[2], g)
		}
		if g := gap(0, user, c[0], c[1], c[2]); g >= 0.01 {
			t.Errorf("%s without attributes: %s leads %s by %.3g, want no clear lead (no shopper reached either boot)", user, c[1], c[2], g)
		}
	}
}

func TestALSAttributePriorIsChecked(t *testing.T) {
	for _, prior := range []float64{-0.1, 1.5} {
		cfg := DefaultConfig()
		cfg.ALS.AttributePrior = prior
		if err := cfg.validate(); err == nil {
			t.Errorf("attribute prior %g accepted, want an error", prior)
		}
	}
}
