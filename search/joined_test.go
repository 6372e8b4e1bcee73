package search

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// A shop selling clothes, electronics, groceries and books whose titles
// write words with spaces and hyphens shoppers leave out ("Polo Shirt",
// "USB-C", "Coca-Cola", "Le Guin") and model numbers shoppers type part of
// ("U2723QE").
var joinedShop = []struct {
	group  string
	titles []string
}{
	{"polo", []string{"Piqué Polo Shirt", "Slim Polo Shirt", "Long Sleeve Polo Shirt"}},
	{"tee", []string{"Crew Neck Shirt", "Oxford Shirt", "Linen Shirt"}},
	{"usbc", []string{"USB-C Charging Cable 1m", "USB-C Hub 7-in-1", "USB-C Wall Charger 65W"}},
	{"usba", []string{"USB-A Flash Drive 64GB", "USB-A Extension Cable 2m"}},
	{"cola", []string{"Coca-Cola 330ml Can", "Coca-Cola Zero 6 x 330ml", "Coca-Cola 1.5L Bottle"}},
	{"juice", []string{"Orange Juice 1L", "Apple Juice 1L", "Cola Flavour Sweets"}},
	{"leguin", []string{"The Dispossessed by Ursula Le Guin", "A Wizard of Earthsea by Ursula Le Guin"}},
	{"guinness", []string{"Guinness World Records 2027", "Le Petit Prince"}},
	{"drill", []string{"Cordless Drill Driver 18V", "Hammer Drill 800W"}},
	{"bits", []string{"Drill Bit Set", "Masonry Drill Bit 8mm"}},
	{"u2723", []string{"U2723QE 27-inch 4K Monitor", "U2723QE Monitor, Refurbished"}},
	{"u2422", []string{"U2422H 24-inch Monitor", "U2422HE Monitor with Ethernet"}},
	{"sn850", []string{"SN850X 1TB NVMe SSD", "SN850X 2TB NVMe SSD with Heatsink"}},
}

var joinedRelevance = []struct{ query, group string }{
	{"poloshirt", "polo"},
	{"poloshirts", "polo"},
	{"usbc", "usbc"},
	{"usbc cable", "usbc"},
	{"cocacola", "cola"},
	{"cocacola zero", "cola"},
	{"leguin", "leguin"},
	{"ursula leguin", "leguin"},
	{"drillbit", "bits"},
	{"cordless drill", "drill"},
	{"u2723", "u2723"}, // part of a model number
	{"u2422", "u2422"},
	{"sn850 ssd", "sn850"},
}

func joinedShopDocs(n int) (docs []Doc, groupOf map[uint]string) {
	rng := rand.New(rand.NewPCG(11, 3))
	groupOf = map[uint]string{}
	brands := []string{"Northwind", "Kestrel", "Voltforge", "Greenrow"}
	for i := 0; i < n; i++ {
		g := joinedShop[i%len(joinedShop)]
		title := g.titles[rng.IntN(len(g.titles))]
		brand := brands[rng.IntN(len(brands))]
		id := uint(i + 1)
		groupOf[id] = g.group
		docs = append(docs, Doc{ID: id, Title: fmt.Sprintf("%s %s", brand, title), Brand: brand, Category: "Shop",
			Description: "A favourite of our customers.", Popularity: float64(rng.IntN(100))})
	}
	return docs, groupOf
}

// Shoppers type "poloshirt", "usbc" or "cocacola" for what the catalog
// writes "Polo Shirt", "USB-C" and "Coca-Cola", and "u2723" for the
// "U2723QE": each finds those products, first.
func TestSearchRelevanceJoinedWords(t *testing.T) {
	docs, groupOf := joinedShopDocs(1200)
	ix := openTest(t, "", docs)
	ix.SetSynonyms(Defaults())
	var sum float64
	for _, tc := range joinedRelevance {
		p, r := precisionAt10(t, ix, tc.query, func(id uint) bool { return groupOf[id] == tc.group })
		sum += p
		t.Logf("%-16s P@10 in %-7s %.1f", tc.query, tc.group, p)
		if len(r.IDs) == 0 || groupOf[r.IDs[0]] != tc.group {
			t.Errorf("%q: the first result is not in %s", tc.query, tc.group)
		}
	}
	mean := sum / float64(len(joinedRelevance))
	t.Logf("mean precision@10 over %d queries: %.3f", len(joinedRelevance), mean)
	if mean < 0.95 {
		t.Errorf("mean precision@10 %.3f is below 0.95", mean)
	}
}

func TestJoinedWordsAreReadAsTheCatalogsWords(t *testing.T) {
	v := &vocabulary{words: map[string]int32{}, stems: map[string]struct{}{"shirt": {}}}
	for _, w := range []string{"polo", "shirt", "usb", "c", "coca", "cola", "hb", "m8", "40", "a2", "po", "lo", "sh", "irt", "pol", "oshirt"} {
		v.words[w] = 1
	}
	for _, tc := range []struct {
		typed string
		want  []string
	}{
		{"poloshirt", []string{"polo", "shirt"}},   // fewest words, then longest shortest word
		{"poloshirts", []string{"polo", "shirts"}}, // "shirts" has the stem of "shirt"
		{"usbc", []string{"usb", "c"}},
		{"cocacola", []string{"coca", "cola"}},
		{"hbm840a2", []string{"hb", "m8", "40", "a2"}},
		{"hbm840a2c", nil}, // five words: too many
		{"polowshirt", nil},
		{"cola", nil}, // one word is not a split
		{"ab", nil},
	} {
		if got := v.split(tc.typed, stemShirts); !slices.Equal(got, tc.want) {
			t.Errorf("split(%q) = %q, want %q", tc.typed, got, tc.want)
		}
	}
}

// stemShirts stems like the shop's analyser for the words of the test.
func stemShirts(w string) string {
	if w == "shirts" {
		return "shirt"
	}
	return w
}

func TestPartOfAModelNumberFindsTheCatalogsNumbers(t *testing.T) {
	v := buildVocabulary([]Doc{
		{Title: "Dell U2723QE Monitor"}, {Title: "Dell U2723DE Monitor"}, {Title: "Dell U2422H Monitor"},
		{Title: "WD SN850X SSD"}, {Title: "Sony WH-1000XM5"},
	}, func(w string) string { return w })
	for _, tc := range []struct {
		typed string
		want  []string
	}{
		{"u2723", []string{"u2723de", "u2723qe"}},
		{"u2422h", []string{"u2422h"}},
		{"sn85", []string{"sn850x"}},
		{"u27", nil},   // shorter than four characters: too many numbers begin so
		{"dell", nil},  // no digit: a word, not a number
		{"u2724", nil}, // begins none
	} {
		if got := v.completeCode(tc.typed); !slices.Equal(got, tc.want) {
			t.Errorf("completeCode(%q) = %q, want %q", tc.typed, got, tc.want)
		}
	}
}

func TestTheEndOfAModelNumberFindsTheCatalogsNumbers(t *testing.T) {
	v := buildVocabulary([]Doc{
		{Title: "Sony WH-1000XM5 Headphones"}, {Title: "Sony WF-1000XM5 Earbuds"}, {Title: "Sony WH-1000XM4"},
		{Title: "Sandpaper Sheets P120"}, {Title: "Sandpaper Sheets P80"}, {Title: "Dell U2120 Monitor"},
	}, func(w string) string { return w })
	for _, tc := range []struct {
		typed string
		want  []string
	}{
		{"xm5", []string{"1000xm5"}},
		{"120", []string{"p120"}}, // not u2120: 120 is not a run of it
		{"m5", nil},               // shorter than three characters
		{"heets", nil},            // no digit
		{"xm6", nil},              // ends none
	} {
		if got := v.completeCodeEnd(tc.typed); !slices.Equal(got, tc.want) {
			t.Errorf("completeCodeEnd(%q) = %q, want %q", tc.typed, got, tc.want)
		}
	}
	ix := openTest(t, "", []Doc{
		{ID: 1, Title: "Sony WH-1000XM5 Wireless Headphones"}, {ID: 2, Title: "Sony WH-1000XM4 Wireless Headphones"},
		{ID: 3, Title: "3M Sandpaper Sheets P120, 10 Pack"}, {ID: 4, Title: "3M Sandpaper Sheets P80, 10 Pack"},
	})
	findsFirst(t, ix, []typed{{"xm5", 1}, {"sony xm5", 1}, {"sandpaper 120", 3}})
}
