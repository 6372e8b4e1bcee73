package recommender

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// demoShop is a world the size of the seeded demo shop (5k shoppers, 5k
// products, 350k events), trained once per process.
func demoShop(b *testing.B) *Model { return worldModel(b, benchWorlds[0]) }

// demoPage is the seeded homepage's nine slots.
func demoPage() []SlotSpec {
	return []SlotSpec{
		{ID: "s1", Kind: KindHero, Title: "Autumn sale", Strategy: "popular", Size: 8, Locked: true, Category: "cat3"},
		{ID: "s2", Kind: KindRecommended, Title: "Recommended for you", Strategy: "hybrid", Size: 8},
		{ID: "s3", Kind: KindBecauseViewed, Title: "Because you viewed {anchor}", Strategy: "similar", Size: 8},
		{ID: "s4", Kind: KindTrending, Title: "Trending now", Strategy: "trending", Size: 8},
		{ID: "s5", Kind: KindCategory, Title: "Top picks in {category}", Size: 8},
		{ID: "s6", Kind: KindNewArrivals, Title: "New arrivals", Size: 8},
		{ID: "s7", Kind: KindCollection, Title: "Editor's picks", Size: 8, Pins: []string{"p1", "p2", "p3", "p4"}},
		{ID: "s8", Kind: KindRecentlyViewed, Title: "Recently viewed", Size: 8},
		{ID: "s9", Kind: KindPopular, Title: "Best sellers", Strategy: "popular", Size: 8},
	}
}

// BenchmarkCompose measures composing the demo homepage (nine slots, eight
// items each, rules, reasons and slot ordering) for one shopper, as the
// homepage handler does per request, and reports p50/p99 latency.
func BenchmarkCompose(b *testing.B) {
	m := demoShop(b)
	rng := rand.New(rand.NewPCG(8, 8))
	cases := []struct {
		name    string
		shopper func() Shopper
	}{
		{"known_shopper", func() Shopper {
			recent := make([]Event, 3)
			viewed := make([]string, 0, 3)
			for i := range recent {
				id := fmt.Sprintf("p%d", rng.IntN(5000))
				recent[i] = Event{Item: id, Type: View, Time: time.Now()}
				viewed = append(viewed, id)
			}
			return Shopper{User: fmt.Sprintf("u%d", rng.IntN(5000)), Recent: recent, RecentlyViewed: viewed, Personalize: true}
		}},
		{"anonymous", func() Shopper { return Shopper{User: "v:visitor", Personalize: true} }},
		// A visitor the model does not know, two products into a visit:
		// the visit's rows, its department's row among them, lead.
		{"visitor_with_visit", func() Shopper {
			a, c := fmt.Sprintf("p%d", rng.IntN(5000)), fmt.Sprintf("p%d", rng.IntN(5000))
			now := time.Now()
			return Shopper{User: "v:visitor", Recent: []Event{{Item: a, Type: View, Time: now.Add(-time.Minute)}, {Item: c, Type: View, Time: now}},
				RecentlyViewed: []string{c, a}, Seen: []string{a, c}, Personalize: true}
		}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			var lat []time.Duration
			for b.Loop() {
				sh := c.shopper()
				start := time.Now()
				slots := Compose(m, demoPage(), sh, DefaultComposeOptions(), nil)
				lat = append(lat, time.Since(start))
				if len(slots) < 5 {
					b.Fatalf("composed %d slots", len(slots))
				}
			}
			reportPercentiles(b, lat, nil)
		})
	}
}
