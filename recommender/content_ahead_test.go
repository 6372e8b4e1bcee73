package recommender

import (
	"context"
	"slices"
	"testing"
	"time"
)

// A content model trained ahead (while the events load) is the one Fit
// would train itself, and Fit serves it, tuned or not.
func TestFitReusesContentTrainedAhead(t *testing.T) {
	d := syntheticShop(300, 400, 6000, 5)
	cfg := DefaultConfig()
	cfg.TuneBudget = -1
	ahead := TrainContent(d.Items, cfg)
	if ahead == nil || ahead.m.sims.rows != len(d.Items) {
		t.Fatalf("TrainContent gave %+v for %d items", ahead, len(d.Items))
	}
	own, _, err := Fit(context.Background(), d, cfg, FitOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(own.content.indices, ahead.m.sims.indices) || !slices.Equal(own.content.data, ahead.m.sims.data) {
		t.Fatal("the content model trained ahead differs from the one Fit trains")
	}
	// A marked copy shows which one Fit served.
	marked := *ahead.m
	marked.sims.data = slices.Clone(ahead.m.sims.data)
	marked.sims.data[0] += 1
	// Its time was spent before Fit (while the events loaded): none of it
	// is tuning's.
	marked.took = time.Hour
	for _, budget := range []int{-1, 0} {
		cfg.TuneBudget = 0
		opt := FitOptions{Content: &ContentModel{&marked}}
		if budget < 0 {
			opt.Budget = -1
		}
		m, rep, err := Fit(context.Background(), d, cfg, opt)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Duration < 0 || rep.Duration > time.Hour/2 {
			t.Errorf("budget %d: tuning took %s", budget, rep.Duration)
		}
		if m.content.data[0] != marked.sims.data[0] {
			t.Errorf("budget %d: Fit trained its own content model instead of the one given", budget)
		}
	}
	if TrainContent(nil, cfg) != nil {
		t.Error("a content model for an empty catalog")
	}
}
