package recommender

import (
	"fmt"
	"math"
	"slices"
	"time"
)

// NewcomerForm is the popularity a shopper without history is shown (the
// new shopper's list, and the popularity rows of a visitor's pages). Which
// form predicts what new shoppers go on to touch depends on the shop: in a
// shop of one-time buyers and in one whose history came as merged exports
// all-time popularity by distinct shoppers scored 24–34 % above the
// blend's 7-day, type-weighted popularity; in a subscription shop (a new
// subscriber takes this month's box) the 7-day form scored better, and in
// another shop type-weighted events did (docs/recommender.md, "New
// shoppers' popularity, chosen on the shop's own newcomers"). Training
// chooses it on the shop's own held-out new shoppers (chooseNewcomer).
type NewcomerForm struct {
	// Chosen is false where the blend's popularity is served (too few new
	// shoppers to judge, no form clearly better, or tuning off).
	Chosen   bool
	HalfLife time.Duration // 0: all time
	Distinct bool          // each shopper counts once a product; else by event type weights
}

func (f NewcomerForm) String() string {
	kind := "type-weighted"
	if f.Distinct {
		kind = "distinct shoppers"
	}
	return kind + ", " + halfLifeText(f.HalfLife)
}

const (
	// minNewcomers: fewer held-out new shoppers than this and the blend's
	// popularity is kept for them.
	minNewcomers = 50
	// maxNewcomers: new shoppers scored per form (the earliest after the
	// cut-off beyond it).
	maxNewcomers = 5000
	// newcomerZ: a form replaces the blend's popularity only when its gain
	// over it is this many standard errors of the paired difference.
	newcomerZ = 2
	// newcomerHeldOut: the latest share of the events whose shoppers,
	// first seen in it, are the held-out new shoppers.
	newcomerHeldOut = 0.1
)

// newcomerForms are the forms compared: type-weighted and distinct
// shoppers, each over a week, a month and all time.
func newcomerForms(cfg Config) []NewcomerForm {
	var out []NewcomerForm
	for _, distinct := range []bool{false, true} {
		for _, hl := range []time.Duration{7 * 24 * time.Hour, 30 * 24 * time.Hour, 0} {
			if !distinct && hl == cfg.PopularityHalfLife {
				continue // the blend's own: the baseline
			}
			out = append(out, NewcomerForm{Chosen: true, HalfLife: hl, Distinct: distinct})
		}
	}
	return out
}

// newcomerScores is the form's popularity over the signals, normalised.
func newcomerScores(s *signals, n int, cfg Config, f NewcomerForm) []float32 {
	pop, _, _ := popularityCredits(s, n, cfg, f.HalfLife, f.Distinct, false)
	return normalised(popularityScores(pop, cfg.TypeWeights[AddToCart]))
}

// chooseNewcomer holds out the shoppers whose first event comes in the
// latest newcomerHeldOut of the events (new shoppers, as serving meets
// them: no history), scores each form's top 10 built on the events before
// the cut-off against the products each went on to touch, and returns the
// best form when it beats the blend's popularity (cfg.PopularityHalfLife,
// type-weighted) by newcomerZ standard errors, with a line for `train`
// saying what was chosen, or why nothing was.
func chooseNewcomer(d Dataset, cfg Config) (NewcomerForm, string) {
	const head = "new shoppers' popularity: "
	if len(d.Events) == 0 {
		return NewcomerForm{}, head + "the blend's (no events)"
	}
	sorted := slices.Clone(d.Events)
	slices.SortStableFunc(sorted, func(a, b Event) int { return a.Time.Compare(b.Time) })
	cut := int(math.Round((1 - newcomerHeldOut) * float64(len(sorted))))
	// Events on the cut-off's instant stay together on the training side.
	for cut < len(sorted) && cut > 0 && sorted[cut].Time.Equal(sorted[cut-1].Time) {
		cut++
	}
	trainEv := sorted[:cut:cut]
	seen := make(map[string]bool)
	for _, e := range trainEv {
		seen[e.User] = true
	}
	cat := newCatalog(Dataset{Items: d.Items, Events: trainEv})
	truth := make(map[string]map[int32]bool)
	var order []string
	for _, e := range sorted[cut:] {
		if seen[e.User] || e.User == "" || e.Type >= numEventTypes || cfg.TypeWeights[e.Type] <= 0 {
			continue
		}
		it, ok := cat.index[e.Item]
		if !ok {
			continue
		}
		t := truth[e.User]
		if t == nil {
			if len(order) >= maxNewcomers {
				continue
			}
			t = make(map[int32]bool)
			truth[e.User] = t
			order = append(order, e.User)
		}
		t[it] = true
	}
	if len(order) < minNewcomers {
		return NewcomerForm{}, head + fmt.Sprintf("the blend's (%s, type-weighted): only %d held-out new shoppers (need %d) to choose another",
			halfLifeText(cfg.PopularityHalfLife), len(order), minNewcomers)
	}
	sig := buildSignals(Dataset{Items: d.Items, Events: trainEv}, &cat, cfg)
	n := len(cat.items)
	score := func(pop []float32) []float64 {
		top := orderByScore(pop)
		top = top[:min(tuneK, len(top))]
		out := make([]float64, len(order))
		for u, id := range order {
			t := truth[id]
			dcg, ideal := 0.0, 0.0
			for r, j := range top {
				if t[j] {
					dcg += 1 / math.Log2(float64(r)+2)
				}
			}
			for r := range min(len(t), tuneK) {
				ideal += 1 / math.Log2(float64(r)+2)
			}
			out[u] = dcg / ideal
		}
		return out
	}
	baseline := score(newcomerScores(&sig, n, cfg, NewcomerForm{HalfLife: cfg.PopularityHalfLife}))
	best, bestPer := NewcomerForm{}, baseline
	for _, f := range newcomerForms(cfg) {
		per := score(newcomerScores(&sig, n, cfg, f))
		if mean(per) > mean(bestPer) {
			best, bestPer = f, per
		}
	}
	base := fmt.Sprintf("%s, type-weighted", halfLifeText(cfg.PopularityHalfLife))
	if !best.Chosen {
		return NewcomerForm{}, head + fmt.Sprintf("the blend's (%s; validation NDCG@10 %.4f on %d held-out new shoppers): no other form scored higher",
			base, mean(baseline), len(order))
	}
	gain, se := pairedGain(bestPer, baseline)
	if gain <= newcomerZ*se {
		return NewcomerForm{}, head + fmt.Sprintf("the blend's (%s; validation NDCG@10 %.4f on %d held-out new shoppers): the best other, %s (%.4f), is within %d standard errors",
			base, mean(baseline), len(order), best, mean(bestPer), newcomerZ)
	}
	return best, head + fmt.Sprintf("%s (validation NDCG@10 %.4f against %.4f for the blend's %s, on %d held-out new shoppers)",
		best, mean(bestPer), mean(baseline), base, len(order))
}

func halfLifeText(hl time.Duration) string {
	if hl <= 0 {
		return "all time"
	}
	return days(hl) + " half-life"
}

// newcomerPop is the popularity a shopper without history is shown.
func (m *Model) newcomerPop() []float32 {
	if m.pop.newcomer != nil {
		return m.pop.newcomer
	}
	return m.pop.pop
}

// newcomerOrder is newcomerPop's items, most popular first.
func (m *Model) newcomerOrder() []int32 {
	if m.pop.newcomer != nil {
		return m.pop.newcomerOrder
	}
	return m.pop.popOrder
}

// newcomerHalfLife is the half-life of newcomerPop.
func (m *Model) newcomerHalfLife() time.Duration {
	if m.pop.newcomer != nil {
		return m.cfg.Newcomer.HalfLife
	}
	return m.cfg.PopularityHalfLife
}
