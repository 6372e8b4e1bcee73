package recommender

import (
	"fmt"
	"testing"
)

// TestNewForYouOnAReusedScratch: a scratch back in the pool may still hold
// another request's sums; "new for you" still finds the launches like the
// shopper's latest item (it found none, and served plain new arrivals, when
// the pool handed it such a scratch).
func TestNewForYouOnAReusedScratch(t *testing.T) {
	m := trainTestModel(t)
	req := Request{Strategy: NewForYou, N: 10, Recent: []Event{{Item: "tent", Type: Click}}}
	fresh := fmt.Sprint(m.Recommend(req))
	s := m.getScratch()
	for i := range s.tmp {
		s.tmp[i] = 1
	}
	m.scratch.Put(s)
	if reused := fmt.Sprint(m.Recommend(req)); reused != fresh {
		t.Fatalf("on a fresh scratch %s\non a reused one %s", fresh, reused)
	}
}
