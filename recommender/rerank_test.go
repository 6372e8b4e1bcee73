package recommender

import (
	"math/rand/v2"
	"testing"
)

// A signal the blend misses (here: relevant items have a recent anchor)
// is learned by the second stage and beats the blend on held-out shoppers.
func TestRankerLearnsWhatTheBlendMisses(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var samples []rankSample
	for range 600 {
		rs := rankSample{feat: make([]float32, rerankPool*numRankFeatures), rel: make([]bool, rerankPool)}
		for p := range rerankPool {
			x := rs.feat[p*numRankFeatures : (p+1)*numRankFeatures]
			for f := range x {
				x[f] = rng.Float32()
			}
			x[numComponents] = 1 - float32(p)/rerankPool // the blend's order
			if x[numComponents+4] > 0.9 && rng.Float32() < 0.5 {
				rs.rel[p] = true
				rs.nrel++
			}
		}
		samples = append(samples, rs)
	}
	r, linear, boosted := trainRanker(samples, func() bool { return false })
	if r == nil || len(r.Trees) == 0 {
		t.Fatal("no trees trained")
	}
	if !clearlyBetter(boosted, linear, 2) {
		t.Fatalf("re-ranked NDCG %.4f, blend %.4f: want a clear gain", mean(boosted), mean(linear))
	}
	// The trees survive a save and load of the model.
	m := trainTestModel(t)
	m.ranker = r
	back := reloaded(t, m)
	if back.ranker == nil || len(back.ranker.Trees) != len(r.Trees) {
		t.Fatalf("ranker not restored: %+v", back.ranker)
	}
	x := samples[0].feat[:numRankFeatures]
	if back.ranker.predict(x) != r.predict(x) {
		t.Fatal("restored ranker predicts differently")
	}
	if got := back.Recommend(Request{User: "alice", N: 5}); len(got) == 0 {
		t.Fatal("a model with a second stage recommends nothing")
	}
}
