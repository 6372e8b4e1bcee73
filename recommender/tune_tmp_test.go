package recommender

import (
	"context"
	"testing"
)

func TestTuneShopTmp(t *testing.T) {
	d := syntheticShop(20000, 5000, 300000, 3)
	train, test := TimeSplit(d.Events, 0.8)
	for _, reg := range []float64{0.1, 5, 20} {
		for _, alpha := range []float64{1, 10} {
			cfg := DefaultConfig()
			cfg.ALS.Reg, cfg.ALS.Alpha = reg, alpha
			res, err := Evaluate(context.Background(), Dataset{Items: d.Items, Events: train, Now: train[len(train)-1].Time}, test, 10, cfg,
				[]Strategy{Popular, ItemKNN, ALS, SVD, EASE, Hybrid})
			if err != nil {
				t.Fatal(err)
			}
			for _, st := range []Strategy{Popular, ItemKNN, ALS, SVD, EASE, Hybrid} {
				t.Logf("reg=%g alpha=%g %-8s NDCG %.4f R %.4f cov %.3f", reg, alpha, st, res[st].NDCG, res[st].Recall, res[st].Coverage)
			}
		}
	}
}
