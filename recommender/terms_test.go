package recommender

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestShoppersWordsCarryATasteAcrossCategories: a shopper who chose rustic
// tents is shown the rustic boot before the modern one, a shopper who chose
// modern tents the modern boot first — boots neither of them touched, of
// equal popularity — by the taste model over the products' words alone, and
// the stored model does the same.
func TestShoppersWordsCarryATasteAcrossCategories(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	item := styledOutdoorItem(now)
	items := append(styledTents(now), item("b1", "Modern trail boot", "Boots"), item("b2", "Rustic trail boot", "Boots"))
	histories := map[string][]string{
		"ann": {"t1", "t2"}, "bob": {"t3", "t4"},
		"cid": {"b1"}, "dee": {"b2"}, // one shopper each: the boots are equally popular
	}
	var evs []Event
	for u, h := range histories {
		for k, id := range h {
			evs = append(evs, Event{User: u, Item: id, Type: View, Time: now.Add(-time.Duration(48-k) * time.Hour)})
		}
	}
	m := trainWordsAlone(t, Dataset{Items: items, Events: evs, Now: now})
	var buf bytes.Buffer
	if err := m.Save(&buf); err != nil {
		t.Fatal(err)
	}
	stored, err := Load(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	for _, mm := range []*Model{m, stored} {
		for u, first := range map[string]string{"ann": "b2", "bob": "b1"} {
			var ids []string
			for _, r := range mm.Recommend(Request{User: u, N: 4, ExcludeSeen: true}) {
				if r.Source != Hybrid.String() {
					t.Fatalf("%s: %s placed by %s, want the taste model (%q)", u, r.ItemID, r.Source, Hybrid.String())
				}
				ids = append(ids, r.ItemID)
			}
			b1, b2 := slices.Index(ids, "b1"), slices.Index(ids, "b2")
			if b1 < 0 || b2 < 0 {
				t.Fatalf("%s: %v, want both boots", u, ids)
			}
			if got := ids[min(b1, b2)]; got != first {
				t.Errorf("%s: %v, want %s before the other boot (the style of their tents)", u, ids, first)
			}
		}
	}
}

// TestALongDescriptionKeepsItsRarestWords: the taste model reads at most
// maxItemWords words of a product, its rarest, so a long description does
// not make every request pay for every word.
func TestALongDescriptionKeepsItsRarestWords(t *testing.T) {
	common := "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima"
	more := " mike november oscar papa quebec romeo sierra tango"
	items := []Item{
		{ID: "long", Title: "Velvet", Category: "Chairs", CategoryPath: []string{"Chairs"}, Description: common + more + " uniform victor", Active: true},
		{ID: "a", Title: "Plain", Category: "Chairs", CategoryPath: []string{"Chairs"}, Description: common + more, Active: true},
		{ID: "b", Title: "Plain", Category: "Chairs", CategoryPath: []string{"Chairs"}, Description: common, Active: true},
	}
	m := &Model{cat: newCatalog(Dataset{Items: items})}
	m.pop.pop = make([]float32, len(items))
	tm := (&termModel{}).get(m)
	long, _ := tm.itemTerms.row(0)
	if len(long) != maxItemWords {
		t.Fatalf("the long product keeps %d words, want %d", len(long), maxItemWords)
	}
	// Its own three words (velvet, uniform, victor) are the rarest: kept,
	// and no other product has them.
	others := map[int32]bool{}
	for r := 1; r < len(items); r++ {
		words, _ := tm.itemTerms.row(r)
		for _, id := range words {
			others[id] = true
		}
	}
	own := 0
	for _, id := range long {
		if !others[id] {
			own++
		}
	}
	if own != 3 {
		t.Errorf("the long product keeps %d of its own 3 words", own)
	}
	if b, _ := tm.itemTerms.row(2); len(b) != 13 {
		t.Errorf("a short product keeps %d words, want all 13", len(b))
	}
}

// TestIncidentalWordsDoNotCarryTaste: in a shop where shoppers keep to a
// style (rustic or modern) and an incidental word ("maple") falls on half
// the products at random, a shopper who chose rustic three times in five,
// every time a maple product, is shown an untouched rustic boot before an
// untouched modern maple boot. With one fixed pseudo-count for every word
// the maple lift (five of five) outweighed the style's (three of five);
// the shop's own shoppers show that maple carries no taste and the style
// does.
func TestIncidentalWordsDoNotCarryTaste(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	rng := rand.New(rand.NewPCG(7, 11))
	var items []Item
	styles := []string{"Rustic", "Modern"}
	type key struct {
		cat   string
		style int
		maple bool
	}
	byKey := map[key][]string{}
	for _, cat := range []string{"Tents", "Lamps", "Boots"} {
		for k := range 24 {
			st, maple := k%2, rng.IntN(2) == 0
			extra := "oak"
			if maple {
				extra = "maple"
			}
			id := fmt.Sprintf("%s-%02d", cat, k)
			items = append(items, Item{ID: id, Title: fmt.Sprintf("%s %s %s", styles[st], extra, strings.TrimSuffix(cat, "s")),
				Category: cat, CategoryPath: []string{"Outdoor", cat}, Brand: "Acme", PriceCents: 5000, Stock: 5, Active: true,
				Created: now.AddDate(0, -2, 0)})
			byKey[key{cat, st, maple}] = append(byKey[key{cat, st, maple}], id)
		}
	}
	// Two boots no one touched: one rustic without maple, one modern with it.
	items = append(items,
		Item{ID: "rustic-boot", Title: "Rustic oak Boot", Category: "Boots", CategoryPath: []string{"Outdoor", "Boots"}, Brand: "Acme", PriceCents: 5000, Stock: 5, Active: true, Created: now.AddDate(0, -2, 0)},
		Item{ID: "modern-maple-boot", Title: "Modern maple Boot", Category: "Boots", CategoryPath: []string{"Outdoor", "Boots"}, Brand: "Acme", PriceCents: 5000, Stock: 5, Active: true, Created: now.AddDate(0, -2, 0)})
	var evs []Event
	at := now.Add(-30 * 24 * time.Hour)
	view := func(u, id string) {
		evs = append(evs, Event{User: u, Item: id, Type: View, Time: at})
		at = at.Add(time.Minute)
	}
	for u := range 300 {
		st := u % 2
		for range 6 {
			cat := []string{"Tents", "Lamps", "Boots"}[rng.IntN(3)]
			list := byKey[key{cat, st, rng.IntN(2) == 0}]
			view(fmt.Sprintf("u%03d", u), list[rng.IntN(len(list))])
		}
	}
	// Tess: rustic three times, modern twice, maple every time, in tents and lamps.
	for k, c := range []key{{"Tents", 0, true}, {"Lamps", 0, true}, {"Tents", 0, true}, {"Lamps", 1, true}, {"Tents", 1, true}} {
		view("tess", byKey[c][k%len(byKey[c])])
	}
	m := trainWordsAlone(t, Dataset{Items: items, Events: evs, Now: now})
	var ids []string
	for _, r := range m.Recommend(Request{User: "tess", N: len(items), ExcludeSeen: true}) {
		ids = append(ids, r.ItemID)
	}
	rustic, maple := slices.Index(ids, "rustic-boot"), slices.Index(ids, "modern-maple-boot")
	if rustic < 0 || maple < 0 {
		t.Fatalf("tess: %v, want both untouched boots", ids)
	}
	if rustic > maple {
		t.Errorf("tess: the modern maple boot at %d before the rustic boot at %d: the incidental word outweighed her style", maple, rustic)
	}
}

// TestPrepareTermsBuildsWhatFirstUseBuilds: the shopper's-words tables a
// server builds in the background once it is ready (PrepareTerms) are the
// ones the first shopper with a history would build, and the rows served
// from them are the same.
func TestPrepareTermsBuildsWhatFirstUseBuilds(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	var items []Item
	for i, title := range []string{"Rustic cabin tent", "Modern dome tent", "Rustic trail boot", "Modern trail boot", "Wool blanket", "Linen blanket"} {
		cat := []string{"Tents", "Tents", "Boots", "Boots", "Bedding", "Bedding"}[i]
		items = append(items, Item{ID: string(rune('a' + i)), Title: title, Category: cat, CategoryPath: []string{"Outdoor", cat},
			Brand: "Acme", Description: "Made to last.", PriceCents: 5000, Stock: 5, Active: true, Created: now.AddDate(0, -2, 0)})
	}
	var evs []Event
	for u, h := range map[string][]string{"ann": {"a", "c"}, "bob": {"b", "d"}, "cid": {"e"}, "dee": {"f", "a"}} {
		for k, id := range h {
			evs = append(evs, Event{User: u, Item: id, Type: View, Time: now.Add(-time.Duration(48-k) * time.Hour)})
		}
	}
	cfg := DefaultConfig()
	cfg.Workers = 1
	cfg.Weights = HybridWeights{Terms: 1}
	m, err := Train(context.Background(), Dataset{Items: items, Events: evs, Now: now}, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	blob, err := m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	prepared, err := LoadBytes(blob)
	if err != nil {
		t.Fatal(err)
	}
	firstUse, err := LoadBytes(blob)
	if err != nil {
		t.Fatal(err)
	}
	if prepared.Prepared() {
		t.Fatal("a loaded model reports its tables built before anything built them")
	}
	prepared.PrepareRelated()
	prepared.PrepareTerms()
	if !prepared.Prepared() || !prepared.text.built.Load() {
		t.Fatal("PrepareTerms left the shopper's-words tables unbuilt")
	}
	if firstUse.text.built.Load() {
		t.Fatal("tables built before first use")
	}
	for _, u := range []string{"ann", "bob", "cid", "dee"} {
		got := prepared.Recommend(Request{User: u, N: 4, ExcludeSeen: true})
		want := firstUse.Recommend(Request{User: u, N: 4, ExcludeSeen: true})
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: prepared model serves %v, first use %v", u, got, want)
		}
	}
	if !firstUse.text.built.Load() {
		t.Fatal("a shopper with a history did not build the tables")
	}
	a, b := prepared.text, firstUse.text
	for name, pair := range map[string][2]any{
		"item words": {a.itemTerms, b.itemTerms}, "category words": {a.catTerms, b.catTerms},
		"popularity shares": {a.popShare, b.popShare}, "category priors": {a.catPrior, b.catPrior}, "leaf categories": {a.leafCat, b.leafCat},
		"word dispersions": {a.kappa, b.kappa}, "word pseudo-counts": {a.pseudo, b.pseudo}, "first price word": {a.priceLo, b.priceLo},
	} {
		if !reflect.DeepEqual(pair[0], pair[1]) {
			t.Errorf("%s differ between the prepared and the first-use tables", name)
		}
	}
}

// trainWordsAlone trains d with the shopper's words as the only blend part
// (no candidate lists, one worker), so a test reads that part's ranking.
func trainWordsAlone(t *testing.T, d Dataset) *Model {
	t.Helper()
	cfg := DefaultConfig()
	cfg.Workers = 1
	cfg.Candidates.PerUser = 0
	cfg.Weights = HybridWeights{Terms: 1}
	m, err := Train(context.Background(), d, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// priceShop is a shop of tents, lamps and mugs at two price levels (about
// €12 and about €120) where 400 shoppers view six products each: with
// taste, every shopper keeps to a level of their own; without, each view
// takes either level at random. Tess viewed four products at about €12, in
// tents and lamps. Two boots she never touched, alike but for the price:
// the €120 boot viewed by four other shoppers, the €12 boot by two.
func priceShop(t *testing.T, taste bool) []string {
	t.Helper()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	rng := rand.New(rand.NewPCG(3, 5))
	var items []Item
	byKey := map[[2]int][]string{} // category, level
	cats := []string{"Tents", "Lamps", "Mugs"}
	for c, cat := range cats {
		for k := range 20 {
			level := k % 2
			cents := int64(1000 + 100*rng.IntN(5))
			if level == 1 {
				cents *= 10
			}
			id := fmt.Sprintf("%s-%02d", cat, k)
			items = append(items, Item{ID: id, Title: "Acme " + strings.TrimSuffix(cat, "s"), Category: cat,
				CategoryPath: []string{"Outdoor", cat}, Brand: "Acme", PriceCents: cents, Stock: 5, Active: true, Created: now.AddDate(0, -2, 0)})
			byKey[[2]int{c, level}] = append(byKey[[2]int{c, level}], id)
		}
	}
	boot := func(id string, cents int64) Item {
		return Item{ID: id, Title: "Acme Boot", Category: "Boots", CategoryPath: []string{"Outdoor", "Boots"}, Brand: "Acme",
			PriceCents: cents, Stock: 5, Active: true, Created: now.AddDate(0, -2, 0)}
	}
	items = append(items, boot("dear-boot", 12000), boot("cheap-boot", 1200))
	var evs []Event
	at := now.Add(-30 * 24 * time.Hour)
	view := func(u, id string) {
		evs = append(evs, Event{User: u, Item: id, Type: View, Time: at})
		at = at.Add(time.Minute)
	}
	for u := range 400 {
		level := u % 2
		for range 6 {
			if !taste {
				level = rng.IntN(2)
			}
			list := byKey[[2]int{rng.IntN(len(cats)), level}]
			view(fmt.Sprintf("u%03d", u), list[rng.IntN(len(list))])
		}
	}
	for k := range 4 {
		view(fmt.Sprintf("dear%d", k), "dear-boot")
	}
	for k := range 2 {
		view(fmt.Sprintf("cheap%d", k), "cheap-boot")
	}
	for k, c := range []int{0, 1, 0, 1} {
		view("tess", byKey[[2]int{c, 0}][k])
	}
	m := trainWordsAlone(t, Dataset{Items: items, Events: evs, Now: now})
	var ids []string
	for _, r := range m.Recommend(Request{User: "tess", N: len(items), ExcludeSeen: true}) {
		ids = append(ids, r.ItemID)
	}
	return ids
}

// TestPriceLevelIsATasteWhereShoppersShowIt: in a shop whose shoppers keep
// to a price level, a shopper who viewed products at about €12 is shown
// the untouched €12 boot before the €120 one, though the dearer boot is
// twice as popular — by the shopper's words alone, through the products'
// price words. Without them the boots differ only in popularity.
func TestPriceLevelIsATasteWhereShoppersShowIt(t *testing.T) {
	ids := priceShop(t, true)
	cheap, dear := slices.Index(ids, "cheap-boot"), slices.Index(ids, "dear-boot")
	if cheap < 0 || dear < 0 {
		t.Fatalf("tess: %v, want both boots", ids)
	}
	if cheap > dear {
		t.Errorf("tess: the €120 boot at %d before the €12 boot at %d: her price level was not learned", dear, cheap)
	}
}

// TestPriceStaysNeutralWhereShoppersIgnoreIt: in a shop whose shoppers
// take any price alike, the same history (four products at about €12, by
// chance) does not outweigh popularity: the twice as popular €120 boot
// comes first.
func TestPriceStaysNeutralWhereShoppersIgnoreIt(t *testing.T) {
	ids := priceShop(t, false)
	cheap, dear := slices.Index(ids, "cheap-boot"), slices.Index(ids, "dear-boot")
	if cheap < 0 || dear < 0 {
		t.Fatalf("tess: %v, want both boots", ids)
	}
	if dear > cheap {
		t.Errorf("tess: the €12 boot at %d before the twice as popular €120 boot at %d: price lifted in a shop where it carries no taste", cheap, dear)
	}
}

// styledOutdoorItem makes the style tests' products: equal in everything
// but their title's style word and their department.
func styledOutdoorItem(now time.Time) func(id, title, cat string) Item {
	return func(id, title, cat string) Item {
		return Item{ID: id, Title: title, Category: cat, CategoryPath: []string{"Outdoor", cat}, Brand: "Acme",
			Description: "Made to last.", PriceCents: 5000, Stock: 5, Active: true, Created: now.AddDate(0, -2, 0)}
	}
}

// styledTents are two rustic tents (t1, t2) and two modern ones (t3, t4).
func styledTents(now time.Time) []Item {
	item := styledOutdoorItem(now)
	return []Item{
		item("t1", "Rustic cabin tent", "Tents"), item("t2", "Rustic canvas tent", "Tents"),
		item("t3", "Modern dome tent", "Tents"), item("t4", "Modern tunnel tent", "Tents"),
	}
}
