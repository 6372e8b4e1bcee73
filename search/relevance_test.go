package search

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// A shop unlike the demo world, generated here so search is judged on a
// vocabulary nobody tuned it for: hardware, garden, pets, office and baby
// goods, with descriptions that mention other departments' products.
var otherShop = []struct {
	dept, leaf string
	nouns      []string
	adjs       []string
	brands     []string
	features   []string
}{
	{"Tools", "Drills", []string{"Cordless Drill", "Hammer Drill", "Drill Driver", "Impact Driver"}, []string{"18V", "Brushless", "Compact"},
		[]string{"Ironhand", "Voltforge"}, []string{"has a two-speed gearbox", "comes with two batteries"}},
	{"Tools", "Saws", []string{"Circular Saw", "Jigsaw", "Mitre Saw", "Hand Saw", "Reciprocating Saw"}, []string{"Corded", "Precision", "Heavy-Duty"},
		[]string{"Ironhand", "Sawtooth"}, []string{"cuts straight through hardwood", "has a laser guide"}},
	{"Garden", "Hoses", []string{"Garden Hose", "Expandable Hose", "Hose Reel", "Spray Nozzle"}, []string{"Kink-Free", "50 ft", "Lightweight"},
		[]string{"Greenrow", "Bloomfield"}, []string{"never kinks or tangles", "connects to any outdoor tap"}},
	{"Garden", "Lawn Care", []string{"Lawn Mower", "Grass Trimmer", "Leaf Blower", "Wheelbarrow", "Lawn Rake"}, []string{"Electric", "Self-Propelled", "Quiet"},
		[]string{"Greenrow", "Turfmaster"}, []string{"mulches clippings back into the lawn", "folds flat for storage in a garden shed"}},
	{"Pets", "Dog Food", []string{"Dry Dog Food", "Puppy Food", "Dog Treats", "Wet Dog Food"}, []string{"Grain-Free", "Salmon", "Senior"},
		[]string{"Happy Paws", "Barkley"}, []string{"is made with real meat", "supports healthy joints"}},
	{"Pets", "Cat Supplies", []string{"Cat Tree", "Cat Toy", "Scratching Post", "Cat Litter", "Litter Box"}, []string{"Sisal", "Interactive", "Clumping"},
		[]string{"Whiskerly", "Happy Paws"}, []string{"keeps claws away from the sofa", "is loved by kittens and older cats"}},
	{"Office", "Paper", []string{"Printer Paper", "Notebook", "Sticky Notes", "Envelopes"}, []string{"A4", "Recycled", "Ruled"},
		[]string{"Papermill", "Deskwise"}, []string{"feeds without jams in any printer", "is bright white"}},
	{"Office", "Chairs", []string{"Office Chair", "Desk Chair", "Kneeling Chair", "Drafting Stool"}, []string{"Ergonomic", "Mesh", "Adjustable"},
		[]string{"Deskwise", "Postura"}, []string{"supports your lower back", "has lockable castors"}},
	{"Baby", "Strollers", []string{"Stroller", "Pushchair", "Travel System", "Jogging Stroller"}, []string{"Foldable", "All-Terrain", "Lightweight"},
		[]string{"Littlestep", "Cradleco"}, []string{"folds with one hand", "suits children from birth to four years"}},
	{"Baby", "Car Seats", []string{"Infant Car Seat", "Booster Seat", "Convertible Car Seat"}, []string{"Isofix", "Rear-Facing", "Padded"},
		[]string{"Littlestep", "Safeway"}, []string{"is crash-tested to the latest standard", "keeps children snug on long drives"}},
}

var otherRelevance = []struct{ query, leaf string }{
	{"cordless drill", "Drills"},
	{"drills", "Drills"},
	{"circular saw", "Saws"},
	{"garden hoses", "Hoses"},
	{"lawn mower", "Lawn Care"},
	{"wheelbarow", "Lawn Care"},
	{"dog food", "Dog Food"},
	{"puppy treats", "Dog Food"},
	{"cat toys", "Cat Supplies"},
	{"scratching post", "Cat Supplies"},
	{"printer paper", "Paper"},
	{"ergonomic office chair", "Chairs"},
	{"stroller", "Strollers"},
	{"car seat for kids", "Car Seats"},
	{"booster seats", "Car Seats"},
	{"pushchiar", "Strollers"},
}

func otherShopDocs(n int) (docs []Doc, leafOf map[uint]string) {
	rng := rand.New(rand.NewPCG(7, 7))
	leafOf = map[uint]string{}
	pick := func(xs []string) string { return xs[rng.IntN(len(xs))] }
	for i := 0; i < n; i++ {
		l := otherShop[i%len(otherShop)]
		other := otherShop[rng.IntN(len(otherShop))]
		brand := pick(l.brands)
		title := brand + " " + pick(l.adjs) + " " + pick(l.nouns)
		desc := fmt.Sprintf("The %s %s. It %s. Pairs well with our %s.", title, pick(l.features), pick(l.features), strings.ToLower(pick(other.nouns)))
		id := uint(i + 1)
		leafOf[id] = l.leaf
		docs = append(docs, Doc{ID: id, Title: title, Brand: brand, Category: l.dept + " " + l.leaf, Description: desc, Popularity: float64(rng.IntN(100))})
	}
	return docs, leafOf
}

func TestSearchRelevanceOtherShop(t *testing.T) {
	docs, leafOf := otherShopDocs(3000)
	ix := openTest(t, "", docs)
	ix.SetSynonyms(Defaults())
	var sum float64
	for _, tc := range otherRelevance {
		p, r := precisionAt10(t, ix, tc.query, func(id uint) bool { return leafOf[id] == tc.leaf })
		sum += p
		t.Logf("%-24s P@10 in %-14s %.1f %s", tc.query, tc.leaf, p, r.Corrected)
	}
	mean := sum / float64(len(otherRelevance))
	t.Logf("mean category precision@10 over %d queries: %.3f", len(otherRelevance), mean)
	if mean < 0.95 {
		t.Errorf("mean category precision@10 %.3f is below 0.95", mean)
	}
}

// precisionAt10 searches ix for query (corrections on) and returns the
// share of the first ten results right accepts, with the results.
func precisionAt10(t *testing.T, ix *Index, query string, right func(id uint) bool) (float64, Result) {
	t.Helper()
	r, err := ix.Search(context.Background(), query, true)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, id := range r.IDs[:min(10, len(r.IDs))] {
		if right(id) {
			n++
		}
	}
	return float64(n) / 10, r
}
