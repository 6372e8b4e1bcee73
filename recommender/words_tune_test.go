package recommender

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// categoryPopularityShop is a general store whose shoppers pick a product
// by its category and its popularity alone: each has two favourite
// categories (seven times as likely as the others, as the outside check's
// general store draws them) and comes back in visits of a few products
// over four months. With sizes, every product is one of five sizes of a
// style, a shopper keeps to one size, and what they pick next is a style
// of their categories in their own size: the learned parts find the size,
// the shopper's words (category times popularity) do not.
func categoryPopularityShop(seed uint64, sizes bool) Dataset {
	rng := rand.New(rand.NewPCG(seed, 17))
	now := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	start := now.Add(-120 * 24 * time.Hour)
	cats := []string{"Tea", "Stationery", "Toys", "Cosmetics", "Household", "Outdoor"}
	const styles = 900
	nSizes := 1
	if sizes {
		nSizes = 5
	}
	d := Dataset{Now: now}
	type style struct {
		cat int
		pop float64
	}
	st := make([]style, styles)
	for s := range st {
		st[s] = style{cat: rng.IntN(len(cats)), pop: math.Pow(rng.Float64(), -1/1.2)} // Pareto(1.2)
		for z := range nSizes {
			d.Items = append(d.Items, Item{ID: fmt.Sprintf("s%03d-%d", s, z), Title: fmt.Sprintf("%s piece %d size %d", cats[st[s].cat], s, z),
				Category: cats[st[s].cat], Brand: fmt.Sprintf("b%d", rng.IntN(3)), PriceCents: int64(100 + rng.IntN(20000)),
				Active: true, Stock: 50, Created: start.Add(-400 * 24 * time.Hour)})
		}
	}
	types := []EventType{View, View, Click, Purchase}
	ws := make([]float64, styles)
	for u := range 2000 {
		fav := [2]int{rng.IntN(len(cats)), rng.IntN(len(cats))}
		size := rng.IntN(nSizes)
		total := 0.0
		for s := range st {
			ws[s] = st[s].pop * 0.3
			if st[s].cat == fav[0] || st[s].cat == fav[1] {
				ws[s] = st[s].pop * 7
			}
			total += ws[s]
		}
		t := start.Add(time.Duration(rng.Float64() * 100 * 24 * float64(time.Hour)))
		for range 1 + int(rng.ExpFloat64()*4) {
			t = t.Add(time.Duration(rng.ExpFloat64() * 8 * 24 * float64(time.Hour)))
			if !t.Before(now) {
				break
			}
			for range 1 + rng.IntN(6) {
				x := rng.Float64() * total
				s := 0
				for ; s < styles-1 && x > ws[s]; s++ {
					x -= ws[s]
				}
				d.Events = append(d.Events, Event{User: fmt.Sprintf("c%d", u), Item: d.Items[s*nSizes+size].ID, Type: types[rng.IntN(len(types))], Time: t})
				t = t.Add(time.Duration(20+rng.IntN(200)) * time.Second)
			}
		}
	}
	return d
}

// TestTuningLetsTheShoppersWordsLeadWhereShoppersPickByCategoryAndPopularity:
// in a general store whose shoppers pick by category and popularity alone
// (the outside check's general store, where a plain category popularity
// beat the hybrid), tuning's search raises the weight of the shopper's
// words, which carry exactly that, on its held-out shoppers; where the
// shoppers keep to a size the learned parts find, it leaves the words at
// the default. The choice is one scoring
// of the held-out shoppers' cached parts per weight, made before the
// blend's fit; without it the search kept the words at 0.3 in the general
// store (its blend fit, one part at a time, stayed within its noise).
func TestTuningLetsTheShoppersWordsLeadWhereShoppersPickByCategoryAndPopularity(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Workers = 2
	chosen := func(d Dataset) (def, got HybridWeights, gain float64) {
		tn, c, work := heldOutTuner(t, d, cfg)
		cache := tn.cacheFor(c.m)
		per := tn.perUser(cache, work.Weights)
		w, wPer := tn.tuneWords(cache, work.Weights, per)
		return work.Weights, w, mean(wPer) - mean(per)
	}
	def, got, gain := chosen(categoryPopularityShop(3, false))
	if got.Terms <= def.Terms || gain <= 0 {
		t.Fatalf("general store: the words at %g (default %g), validation NDCG@10 %+.4f", got.Terms, def.Terms, gain)
	}
	if want := def; func() bool { want.Terms = got.Terms; return want != got }() {
		t.Fatalf("general store: more than the words changed: %+v", got)
	}
	if def, got, _ := chosen(categoryPopularityShop(3, true)); got != def {
		t.Fatalf("a shop of sizes: the words raised to %g (default %g)", got.Terms, def.Terms)
	}
}
