package search

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var testDocs = []Doc{
	{ID: 1, Title: "Northpeak Weatherproof Dome Tent", Brand: "Northpeak", Category: "Outdoor Tents", Description: "Pitches in five minutes.", Popularity: 10},
	{ID: 2, Title: "Trailwise Family Tent", Brand: "Trailwise", Category: "Outdoor Tents", Description: "Sleeps six.", Popularity: 50},
	{ID: 3, Title: "Waterproof Hiking Boot", Brand: "Ridgeback", Category: "Outdoor Hiking Boots", Description: "Grips wet rock.", Popularity: 5},
	{ID: 4, Title: "Wireless Over-Ear Headphones", Brand: "Sonorra", Category: "Electronics Headphones", Description: "Thirty hours of battery.", Popularity: 20},
	{ID: 5, Title: "On-Ear Headphones", Brand: "Voltaic", Category: "Electronics Headphones", Description: "Folds flat.", Popularity: 30},
	{ID: 6, Title: "Wireless Speaker", Brand: "Voltaic", Category: "Electronics Speakers", Description: "Fills a room.", Popularity: 1},
	{ID: 7, Title: "Floor Puzzle", Brand: "Playfolk", Category: "Toys Puzzles", Description: "A puzzle for children aged three and up.", Popularity: 3},
	{ID: 8, Title: "Road Running Shoe", Brand: "Velocita", Category: "Sports Running Shoes", Description: "Light and springy.", Popularity: 8},
	{ID: 9, Title: "French Press", Brand: "Copperleaf", Category: "Kitchen Coffee", Description: "Brews four cups.", Popularity: 9},
}

func openTest(t *testing.T, path string, docs []Doc) *Index {
	t.Helper()
	ix, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ix.Close() })
	if _, err := ix.Sync(docs); err != nil {
		t.Fatal(err)
	}
	return ix
}

func search(t *testing.T, ix *Index, q string) Result {
	t.Helper()
	r, err := ix.Search(context.Background(), q, true)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestSearch(t *testing.T) {
	ix := openTest(t, "", testDocs)
	ix.SetSynonyms(Defaults())
	tests := []struct {
		name      string
		q         string
		first     []uint // the first results, in order when more than one is given
		full      int    // how many match every word; -1 to skip
		corrected string
		unknown   []string
		absent    []uint
	}{
		{name: "plural finds singular", q: "tents", first: []uint{2, 1}, full: 2},
		{name: "stemming", q: "running shoes", first: []uint{8}, full: 1},
		{name: "all words first, then some", q: "wireless headphones", first: []uint{4}, full: 1},
		{name: "synonym", q: "waterproof tent", first: []uint{1}, full: 1},
		{name: "synonym group both ways", q: "kids puzzle", first: []uint{7}, full: 1},
		{name: "stop words ignored, unknown words left out", q: "running shoes for men", first: []uint{8}, full: 1, unknown: []string{"men"}},
		{name: "misspelling corrected", q: "headphnes", first: []uint{5, 4}, corrected: "headphones", full: 2},
		{name: "short word not corrected to another first letter", q: "dress", unknown: []string{"dress"}, absent: []uint{9}, full: 0},
		{name: "known words kept, unknown left out", q: "red tent", first: []uint{2, 1}, unknown: []string{"red"}, full: 2},
		{name: "title outranks description", q: "puzzle", first: []uint{7}, full: 1},
		{name: "nothing", q: "xylophone", unknown: []string{"xylophone"}, full: 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := search(t, ix, tc.q)
			if len(r.IDs) < len(tc.first) || !slices.Equal(r.IDs[:len(tc.first)], tc.first) {
				t.Errorf("results %v, want to start with %v", r.IDs, tc.first)
			}
			if tc.full >= 0 && r.Full != tc.full {
				t.Errorf("full matches %d, want %d (%v)", r.Full, tc.full, r.IDs)
			}
			if r.Corrected != tc.corrected {
				t.Errorf("corrected %q, want %q", r.Corrected, tc.corrected)
			}
			if !slices.Equal(r.Unknown, tc.unknown) {
				t.Errorf("unknown %q, want %q", r.Unknown, tc.unknown)
			}
			for _, id := range tc.absent {
				if slices.Contains(r.IDs, id) {
					t.Errorf("%d should not match %q", id, tc.q)
				}
			}
		})
	}
}

func TestPartialMatchesFollowFullOnes(t *testing.T) {
	ix := openTest(t, "", testDocs)
	r := search(t, ix, "wireless headphones")
	// 4 has both words; 5 (headphones) and 6 (wireless) one each.
	if r.Full != 1 || len(r.IDs) != 3 || r.IDs[0] != 4 {
		t.Fatalf("got %v full %d", r.IDs, r.Full)
	}
	// Among partial matches the last word, the kind of product, leads:
	// headphones before a wireless speaker.
	if r.IDs[1] != 5 || r.IDs[2] != 6 {
		t.Errorf("partial matches %v, want headphones (5) before the speaker (6)", r.IDs[1:])
	}
}

func TestCorrectionOnlyForUnknownWords(t *testing.T) {
	// "press" is a catalog word; it must never be "corrected" to "dress"
	// even when a dress exists.
	docs := append(slices.Clone(testDocs), Doc{ID: 10, Title: "Linen Dress", Brand: "Maren", Category: "Fashion Dresses"})
	ix := openTest(t, "", docs)
	if r := search(t, ix, "press"); r.Corrected != "" || len(r.IDs) != 1 || r.IDs[0] != 9 {
		t.Errorf("press: %+v", r)
	}
	if r := search(t, ix, "dresss"); r.Corrected != "dress" || len(r.IDs) != 1 || r.IDs[0] != 10 {
		t.Errorf("dresss: %+v", r)
	}
	// Without correction the unknown word is reported, not replaced.
	r, err := ix.Search(context.Background(), "dresss", false)
	if err != nil || r.Corrected != "" || len(r.IDs) != 0 || !slices.Equal(r.Unknown, []string{"dresss"}) {
		t.Errorf("dresss without correction: %+v %v", r, err)
	}
}

// A word typed with a letter too many can also be read as two catalog
// words: "teapott" as "teapot" and the "t" of "T-Shirt", "assamm" as
// "assam" and the size "M". No product has both, so the shopper was told
// nothing matched; the typo's correction is used instead.
func TestATypoThatSplitsIntoWordsNoProductHasIsCorrected(t *testing.T) {
	docs := []Doc{
		{ID: 1, Title: "Stoneware Teapot", Brand: "Kiln North", Category: "Ceramics Teapots"},
		{ID: 2, Title: "Assam Breakfast Tea", Brand: "Himal Gardens", Category: "Tea Black Tea"},
		{ID: 3, Title: "Logo T-Shirt – M", Brand: "Fjord Leaf", Category: "Apparel T-Shirts"},
		{ID: 4, Title: "Logo T-Shirt – S", Brand: "Fjord Leaf", Category: "Apparel T-Shirts"},
	}
	ix := openTest(t, "", docs)
	for _, tc := range []struct {
		typed, want string
		id          uint
	}{{"teapott", "teapot", 1}, {"assamm", "assam", 2}} {
		if r := search(t, ix, tc.typed); r.Corrected != tc.want || len(r.IDs) != 1 || r.IDs[0] != tc.id {
			t.Errorf("%s: %+v, want corrected to %q finding %d", tc.typed, r, tc.want, tc.id)
		}
	}
	// A split that finds products is still read as the catalog's words.
	if r := search(t, ix, "logot"); r.Corrected != "" || len(r.IDs) != 2 {
		t.Errorf("logot: %+v, want the two logo T-shirts, uncorrected", r)
	}
}

func TestSynonymsChangeWithoutReindex(t *testing.T) {
	ix := openTest(t, "", testDocs)
	if r := search(t, ix, "couch"); len(r.IDs) != 0 {
		t.Fatalf("couch before synonyms: %v", r.IDs)
	}
	syn, problems := ParseSynonyms("coffee maker ~ french press\n")
	if problems != nil {
		t.Fatal(problems)
	}
	ix.SetSynonyms(syn)
	if r := search(t, ix, "coffee maker"); len(r.IDs) == 0 || r.IDs[0] != 9 || r.Full != 1 {
		t.Errorf("multi-word synonym: %+v", r)
	}
}

func TestParseSynonyms(t *testing.T) {
	s, problems := ParseSynonyms("# comment\nWaterproof, weatherproof\n\nkids ~ children ~ child\n")
	if problems != nil {
		t.Fatal(problems)
	}
	if s.Len() != 2 || s.Text() != "waterproof, weatherproof\nkids, children, child\n" {
		t.Errorf("got %d groups: %q", s.Len(), s.Text())
	}
	for _, tc := range []struct{ in, want string }{
		{"lonely\n", "line 1: a group needs at least two terms"},
		{"a, b\nc, a\n", `line 2: "a" is already in the group on line 1`},
		{"one two three four five, x\n", "has more than 4 words"},
	} {
		_, problems := ParseSynonyms(tc.in)
		if len(problems) == 0 || !strings.Contains(problems[0], tc.want) {
			t.Errorf("%q: problems %q, want %q", tc.in, problems, tc.want)
		}
	}
}

func TestSyncIsIncrementalAndPersists(t *testing.T) {
	path := filepath.Join(t.TempDir(), "products.search")
	ix, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := ix.Sync(testDocs); err != nil || n != len(testDocs) {
		t.Fatalf("first sync wrote %d, %v", n, err)
	}
	changed := slices.Clone(testDocs[:len(testDocs)-1]) // 9 is gone
	changed[0].Title = "Northpeak Storm Dome Tent"
	changed[1].Popularity = 99 // popularity alone is not re-indexed
	if n, err := ix.Sync(changed); err != nil || n != 2 {
		t.Fatalf("second sync wrote %d, %v; want 2 (one change, one removal)", n, err)
	}
	if r := search(t, ix, "storm"); len(r.IDs) != 1 || r.IDs[0] != 1 {
		t.Errorf("changed title not found: %v", r.IDs)
	}
	if r := search(t, ix, "press"); len(r.IDs) != 0 {
		t.Errorf("removed product still found: %v", r.IDs)
	}
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	reopened := openTest(t, path, changed)
	if n, _ := reopened.Sync(changed); n != 0 {
		t.Errorf("reopened index re-wrote %d documents", n)
	}
	if reopened.Len() != len(changed) {
		t.Errorf("reopened index has %d documents, want %d", reopened.Len(), len(changed))
	}
	if r := search(t, reopened, "storm"); len(r.IDs) != 1 {
		t.Errorf("reopened index lost the change: %v", r.IDs)
	}
}

// TestTheGenerationMovesOnlyWithWhatSearchesRead checks that the results a
// shop keeps under the index's generation outlive a catalog reload that
// changed nothing a search reads (after an order: stock), and not a change
// of what it reads.
func TestTheGenerationMovesOnlyWithWhatSearchesRead(t *testing.T) {
	ix := openTest(t, "", testDocs)
	syn, _ := ParseSynonyms("coffee maker ~ french press\n")
	ix.SetSynonyms(syn)
	g := ix.Generation()
	ix.SetSynonyms(syn)
	again, _ := ParseSynonyms("coffee maker ~ french press\n")
	ix.SetSynonyms(again)
	if _, err := ix.Sync(slices.Clone(testDocs)); err != nil {
		t.Fatal(err)
	}
	if ix.Generation() != g {
		t.Fatalf("the same documents and synonyms again moved the generation from %d to %d", g, ix.Generation())
	}
	for _, change := range []struct {
		name string
		do   func() error
	}{
		{"a title", func() error {
			docs := slices.Clone(testDocs)
			docs[0].Title = "Northpeak Storm Dome Tent"
			_, err := ix.Sync(docs)
			return err
		}},
		{"a popularity", func() error {
			docs := slices.Clone(testDocs)
			docs[0].Title = "Northpeak Storm Dome Tent"
			docs[1].Popularity = 99
			_, err := ix.Sync(docs)
			return err
		}},
		{"the synonyms", func() error {
			more, _ := ParseSynonyms("coffee maker ~ french press\nsofa ~ couch\n")
			ix.SetSynonyms(more)
			return nil
		}},
	} {
		g := ix.Generation()
		if err := change.do(); err != nil {
			t.Fatal(err)
		}
		if ix.Generation() == g {
			t.Errorf("a change of %s kept the generation", change.name)
		}
	}
}

func TestSearchesWaitForTheFirstSync(t *testing.T) {
	ix, err := Open("")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ix.Close() })
	// Before any Sync the index has neither documents nor vocabulary: a
	// search must not answer from it.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := ix.Search(ctx, "tent", true); err == nil {
		t.Error("a search before the first Sync answered")
	}
	if _, err := ix.Suggest(ctx, "ten", 5); err == nil {
		t.Error("a suggestion before the first Sync answered")
	}
	// A search started before the Sync waits for it and finds its documents.
	done := make(chan Result)
	go func() {
		r, err := ix.Search(context.Background(), "tents", true)
		if err != nil {
			t.Error(err)
		}
		done <- r
	}()
	if _, err := ix.Sync(testDocs); err != nil {
		t.Fatal(err)
	}
	if r := <-done; !slices.Contains(r.IDs, 1) || !slices.Contains(r.IDs, 2) {
		t.Errorf("the waiting search found %v, want both tents", r.IDs)
	}
}

func TestSuggest(t *testing.T) {
	ix := openTest(t, "", testDocs)
	suggestsFirst(t, ix, []typed{
		{"headp", 5},
		{"wireless head", 4},
		{"puzz", 7},
		{"north", 1},
	})
	if got, _ := ix.Suggest(context.Background(), "h", 5); len(got) != 0 {
		t.Errorf("one letter suggests %v", got)
	}
}

func TestEditDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"tent", "tent", 0}, {"tnet", "tent", 1}, {"headphnes", "headphones", 1}, {"kitten", "sitting", 3},
	} {
		if got := editDistance([]rune(tc.a), tc.b, 5); got != tc.want {
			t.Errorf("%s/%s: %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestSecondProcessGetsItsOwnIndex(t *testing.T) {
	path := filepath.Join(t.TempDir(), "products.search")
	first := openTest(t, path, testDocs)
	if !first.Stored() {
		t.Fatal("first index not stored")
	}
	second := openTest(t, path, testDocs) // the stored one is locked
	if second.Stored() {
		t.Fatal("second index claims the stored one")
	}
	if r := search(t, second, "tent"); len(r.IDs) != 2 {
		t.Errorf("in-memory index finds %v", r.IDs)
	}
	if r := search(t, first, "tent"); len(r.IDs) != 2 {
		t.Errorf("stored index damaged: %v", r.IDs)
	}
}

// The vocabulary counts, per word, the documents that use it, exactly as
// Tokenize splits them, for ASCII and other text alike.
func TestVocabularyCountsDocumentsPerWord(t *testing.T) {
	docs := []Doc{
		{ID: 1, Title: "Trail-Tent 2P", Brand: "Packwell", Category: "Tents", Description: "A tent, a TENT: tent!"},
		{ID: 2, Title: "Crème brûlée Torch", Brand: "Küche", Category: "Kitchen", Description: "For crème brûlée and tents"},
	}
	v := buildVocabulary(docs, func(s string) string { return s })
	want := map[string]int32{"trail": 1, "tent": 1, "2p": 1, "packwell": 1, "tents": 2, "a": 1,
		"crème": 1, "brûlée": 1, "torch": 1, "küche": 1, "kitchen": 1, "for": 1, "and": 1}
	if len(v.words) != len(want) {
		t.Errorf("%d words %v, want %d", len(v.words), v.words, len(want))
	}
	for w, n := range want {
		if v.words[w] != n {
			t.Errorf("%q in %d documents, want %d", w, v.words[w], n)
		}
	}
}

// A size is found however it is typed: "500g" in a catalog that writes
// "500 g", "500 g" in one that writes "500g", and "6x330ml" for "6 × 330 ml".
func TestSizesTypedEitherWay(t *testing.T) {
	spaced := openTest(t, "", []Doc{
		{ID: 1, Title: "Spaghetti 500 g", Category: "Pantry Pasta"},
		{ID: 2, Title: "Spaghetti 1 kg", Category: "Pantry Pasta"},
		{ID: 3, Title: "Cola 6 × 330 ml", Category: "Drinks Soft Drinks"},
		{ID: 4, Title: "Cola 2 L", Category: "Drinks Soft Drinks"},
	})
	glued := openTest(t, "", []Doc{
		{ID: 1, Title: "Spaghetti 500g", Category: "Pantry Pasta"},
		{ID: 2, Title: "Spaghetti 1kg", Category: "Pantry Pasta"},
	})
	tests := []struct {
		ix   *Index
		q    string
		want []uint
	}{
		{spaced, "500g", []uint{1}},
		{spaced, "spaghetti 500g", []uint{1}},
		{spaced, "6x330ml", []uint{3}},
		{spaced, "cola 330ml", []uint{3}},
		{spaced, "500 g", []uint{1}},
		{glued, "500 g", []uint{1}},
		{glued, "spaghetti 1 kg", []uint{2}},
		{glued, "500g", []uint{1}},
	}
	for _, tt := range tests {
		r := search(t, tt.ix, tt.q)
		if got := r.IDs[:min(r.Full, len(r.IDs))]; !slices.Equal(got, tt.want) || len(r.Unknown) > 0 {
			t.Errorf("%q: full matches %v (all %v, unknown %q), want %v", tt.q, got, r.IDs, r.Unknown, tt.want)
		}
	}
}

// A shopper types words without their accents and finds a brand by the word
// after its apostrophe, as the catalog's own words are split by the query.
func TestAccentsAndApostrophesAsShoppersTypeThem(t *testing.T) {
	docs := []Doc{
		{ID: 1, Title: "Robe « Élise » écru", Brand: "L'Atelier du Nord", Category: "Femme Robes", Description: "Coupe \"ajustée\"."},
		{ID: 2, Title: "Écharpe Cachemire", Brand: "Søren", Category: "Accessoires Écharpes", Description: "Douce."},
		{ID: 3, Title: "Chemise Oxford", Brand: "Maison Lévêque", Category: "Homme Chemises", Description: "Coton."},
	}
	ix := openTest(t, "", docs)
	for _, tc := range []struct {
		q    string
		want uint
	}{
		{"elise", 1}, {"Élise", 1}, {"robe elise", 1}, {"ecru", 1}, {"atelier", 1}, {"l'atelier", 1},
		{"echarpe", 2}, {"soren", 2}, {"Søren", 2}, {"leveque", 3}, {"lévêque", 3},
	} {
		r := search(t, ix, tc.q)
		if r.Full != 1 || len(r.IDs) != 1 || r.IDs[0] != tc.want || len(r.Unknown) != 0 || r.Corrected != "" {
			t.Errorf("%q: %+v, want only %d, matching every word, uncorrected", tc.q, r, tc.want)
		}
	}
	suggestsFirst(t, ix, []typed{{"eli", 1}, {"Éli", 1}, {"robe el", 1}, {"ech", 2}, {"atel", 1}})
}

// TestJapaneseAndChineseWordsInsideATitle also holds Greek typed without
// its accents, as Greek shoppers often type it (θαλασσα was found only as
// a correction to θάλασσα).
func TestJapaneseAndChineseWordsInsideATitle(t *testing.T) {
	docs := []Doc{
		{ID: 1, Title: "進撃の巨人 第3巻", Brand: "講談社", Category: "Manga > 少年漫画"},
		{ID: 2, Title: "海辺のカフカ", Brand: "新潮社", Category: "Fiction > 小説"},
		{ID: 3, Title: "はらぺこあおむし", Brand: "偕成社", Category: "Children's > 絵本"},
		{ID: 4, Title: "吾輩は猫である", Brand: "新潮社", Category: "Fiction > 小説"},
		{ID: 5, Title: "Η Θάλασσα του Νησιού", Brand: "Πατάκης", Category: "Fiction > Ελληνική λογοτεχνία"},
		{ID: 6, Title: "ワンピース 第1巻", Brand: "集英社", Category: "Manga > 少年漫画"},
	}
	ix := openTest(t, "", docs)
	findsFirst(t, ix, []typed{
		{"進撃", 1}, {"巨人", 1}, {"進撃の巨人", 1}, {"カフカ", 2}, {"海辺", 2}, {"あおむし", 3},
		{"猫", 4}, {"吾輩", 4}, {"講談社", 1}, {"θάλασσα", 5}, {"ワンピース", 6},
		{"θαλασσα", 5}, {"ΘΑΛΑΣΣΑ", 5}, {"νησιου", 5}, {"πατακης", 5},
	})
	if got := Tokenize("進撃の巨人 Vol.3"); !slices.Equal(got, []string{"進", "撃", "の", "巨", "人", "vol", "3"}) {
		t.Errorf("Tokenize: %q", got)
	}
	suggestsFirst(t, ix, []typed{{"進撃", 1}, {"海辺の", 2}, {"カフ", 2}})
}

// Arabic writes the article and some prepositions joined to the word
// ("الورد", the rose; "بالهيل", with cardamom) and a hamza that shoppers
// often leave off ("الأصلي" typed "الاصلي"): a shopper typing "ورد" finds
// rose water as one typing "الورد" does, as Lucene's and bleve's Arabic
// analysis (normalising, then a light stemmer) read them.
func TestArabicWordsWithAndWithoutTheirArticle(t *testing.T) {
	docs := []Doc{
		{ID: 1, Title: "ماء الورد الطبيعي 250 مل", Brand: "دار العطور", Category: "عطور > مياه"},
		{ID: 2, Title: "بخور اللبان العماني", Brand: "الأصالة", Category: "بخور"},
		{ID: 3, Title: "تمر المجدول الفاخر", Brand: "بيت التمور", Category: "تمور"},
		{ID: 4, Title: "قهوة عربية بالهيل", Brand: "بيت القهوة", Category: "قهوة"},
		{ID: 5, Title: "زيت الزيتون الأصلي", Brand: "حقول", Category: "زيوت"},
		{ID: 6, Title: "Rose Water Spray", Brand: "Bloom", Category: "Beauty > Toners"},
	}
	ix := openTest(t, "", docs)
	findsFirst(t, ix, []typed{
		{"ورد", 1}, {"الورد", 1}, {"ماء ورد", 1}, {"لبان", 2}, {"اللبان", 2}, {"مجدول", 3},
		{"هيل", 4}, {"الهيل", 4}, {"زيتون", 5}, {"الاصلي", 5}, {"الأصلي", 5}, {"rose water", 6},
	})
}

// typed is what a shopper types and the product it must lead to.
type typed struct {
	text string
	want uint
}

// findsFirst checks that each search finds its product first and as the
// only full match (every word matched), with no word unknown or corrected.
func findsFirst(t *testing.T, ix *Index, cases []typed) {
	t.Helper()
	for _, tc := range cases {
		r := search(t, ix, tc.text)
		if r.Full != 1 || len(r.IDs) == 0 || r.IDs[0] != tc.want || len(r.Unknown) != 0 || r.Corrected != "" {
			t.Errorf("%q: %+v, want %d alone matching every word, uncorrected", tc.text, r, tc.want)
		}
	}
}

// suggestsFirst checks that each text typed so far suggests its product
// first.
func suggestsFirst(t *testing.T, ix *Index, cases []typed) {
	t.Helper()
	for _, tc := range cases {
		got, err := ix.Suggest(context.Background(), tc.text, 5)
		if err != nil || len(got) == 0 || got[0] != tc.want {
			t.Errorf("suggest %q: %v %v, want %d first", tc.text, got, err, tc.want)
		}
	}
}
