package recommender

import (
	"context"
	"math"
	"testing"
)

// TestALSReadsAPurchasedProductAsAFewViewedOnes: with the default
// LogStrength, ALS's confidence reads a product viewed, carted and bought
// (strength 13) as log(1 + 13/m) against log(1 + 1/m) for a product only
// viewed, m the shop's median strength, and a model saved and loaded again
// reads a session's strengths the same way, so its fold-in is the trained
// model's.
func TestALSReadsAPurchasedProductAsAFewViewedOnes(t *testing.T) {
	cfg := testConfig()
	cfg.ALS.LogStrength = true
	d := Dataset{Items: testItems(), Events: testEvents(), Now: testNow}
	m := trainTestModelWith(t, d, cfg)
	med := medianStrength(m.ui.data)
	if med <= 0 || m.als.scale != med {
		t.Fatalf("ALS scale %g, want the median strength %g", m.als.scale, med)
	}
	got := m.als.strengths(nil, []float32{1, 13})
	want := math.Log1p(13/float64(med)) / math.Log1p(1/float64(med))
	if r := float64(got[1] / got[0]); math.Abs(r-want) > 1e-4 || r >= 13 {
		t.Errorf("a purchased product reads as %.3g viewed ones, want %.3g", r, want)
	}

	served := trainServed(t, d, cfg)
	if served.als.scale != m.als.scale {
		t.Fatalf("loaded model's ALS scale %g, trained %g", served.als.scale, m.als.scale)
	}
	session := []Event{{User: "visitor", Item: "mug", Type: View, Time: testNow}, {User: "visitor", Item: "pan", Type: Purchase, Time: testNow}}
	a, b := m.FoldIn(session), served.FoldIn(session)
	if a == nil || relErr(b, a) > 1e-5 {
		t.Errorf("the loaded model's fold-in is %.2g from the trained one's", relErr(b, a))
	}

	cfg.ALS.LogStrength = false
	if lin := trainTestModelWith(t, d, cfg); lin.als.scale != 0 {
		t.Errorf("without LogStrength the ALS scale is %g, want 0 (strengths as they are)", lin.als.scale)
	}
}

func trainTestModelWith(tb testing.TB, d Dataset, cfg Config) *Model {
	tb.Helper()
	m, err := Train(context.Background(), d, cfg, nil)
	if err != nil {
		tb.Fatalf("Train: %v", err)
	}
	return m
}
