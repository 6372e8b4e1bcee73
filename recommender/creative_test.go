package recommender

import (
	"math/rand/v2"
	"testing"
)

// TestChooseCreative: a shopper who likes a creative's category mostly sees
// that creative; without affinity, the creative with more clicks per
// impression is shown most, and an untried one still gets shown.
func TestChooseCreative(t *testing.T) {
	opt := DefaultComposeOptions()
	rng := rand.New(rand.NewPCG(1, 2))
	count := func(cs []CreativeSpec, aff map[string]float64) []int {
		n := make([]int, len(cs))
		for range 2000 {
			n[ChooseCreative(cs, aff, opt, rng)]++
		}
		return n
	}
	even := []CreativeSpec{{ID: "1", Category: "Tents"}, {ID: "2", Category: "Kitchen"}}
	if n := count(even, map[string]float64{"Kitchen": 1}); n[1] < 1600 {
		t.Errorf("a shopper who loves Kitchen saw the Kitchen creative %d of 2000 times", n[1])
	}
	if n := count(even, map[string]float64{"Tents": 1}); n[0] < 1600 {
		t.Errorf("a shopper who loves Tents saw the Tents creative %d of 2000 times", n[0])
	}
	tried := []CreativeSpec{{ID: "1", Impressions: 5000, Clicks: 50}, {ID: "2", Impressions: 5000, Clicks: 250}, {ID: "3"}}
	n := count(tried, nil)
	if n[1] <= n[0] {
		t.Errorf("the creative with 5%% CTR was shown %d times, the one with 1%% %d times", n[1], n[0])
	}
	if n[2] == 0 {
		t.Error("a new creative was never shown")
	}
	if got := ChooseCreative(nil, nil, opt, rng); got != -1 {
		t.Errorf("a banner without creatives chose %d", got)
	}
}
