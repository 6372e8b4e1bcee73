package search

import (
	"strings"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/char/asciifolding"
	"github.com/blevesearch/bleve/v2/analysis/lang/de"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/lang/es"
	"github.com/blevesearch/bleve/v2/analysis/lang/fr"
	"github.com/blevesearch/bleve/v2/analysis/lang/it"
	"github.com/blevesearch/bleve/v2/analysis/lang/nl"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/registry"
)

// A catalog is searched in its own language: its stop words are dropped
// and its words stemmed as that language's (bleve's own stop lists and
// stemmers), so a French shop finds "thé" (which English analysis folded
// to the stop word "the" and dropped) and "chaussure" for "chaussures".
// The language is read from the catalog's text (DetectLanguage); English
// when nothing says otherwise.

// Languages the search analyses, by ISO 639-1 code.
const (
	English = "en"
	French  = "fr"
	German  = "de"
	Spanish = "es"
	Dutch   = "nl"
	Italian = "it"
)

// language is one language's analysis: its stop words (for detection too)
// and the token filters between lowercasing and the accent folding.
type language struct {
	code string
	stop string   // bleve's stop word filter (and token map) of the language
	pre  []string // filters before the stop words (elision: "l'", "d'")
	post []string // filters after the accents are folded: normalising, stemming
}

var languages = []language{
	{code: French, stop: fr.StopName, pre: []string{fr.ElisionName}, post: []string{fr.LightStemmerName}},
	{code: German, stop: de.StopName, post: []string{de.NormalizeName, de.LightStemmerName}},
	{code: Spanish, stop: es.StopName, post: []string{es.NormalizeName, es.LightStemmerName}},
	{code: Dutch, stop: nl.StopName, post: []string{nl.SnowballStemmerName}},
	{code: Italian, stop: it.StopName, pre: []string{it.ElisionName}, post: []string{it.LightStemmerName}},
}

// analyzerFor names the analyzer of a language; English keeps the name
// (and the stored indexes) it had when it was the only one.
func analyzerFor(lang string) string {
	if lang == English || lang == "" {
		return analyzerName
	}
	return analyzerName + "_" + lang
}

func init() {
	for _, l := range languages {
		l := l
		if err := registry.RegisterAnalyzer(analyzerFor(l.code), func(_ map[string]interface{}, cache *registry.Cache) (analysis.Analyzer, error) {
			tok, err := cache.TokenizerNamed(tokenizerName)
			if err != nil {
				return nil, err
			}
			// Stop words are matched with their accents ("été" is a verb,
			// "thé" is tea), then the accents are folded before stemming,
			// so a word typed without them ("the vert") is stemmed as the
			// catalog's is.
			names := append(append(append([]string{lowercase.Name}, arabicFilters...), l.pre...), l.stop)
			var filters []analysis.TokenFilter
			for _, name := range names {
				f, err := cache.TokenFilterNamed(name)
				if err != nil {
					return nil, err
				}
				filters = append(filters, f)
			}
			filters = append(filters, foldFilter{})
			for _, name := range l.post {
				f, err := cache.TokenFilterNamed(name)
				if err != nil {
					return nil, err
				}
				filters = append(filters, f)
			}
			return &analysis.DefaultAnalyzer{CharFilters: []analysis.CharFilter{greekFolding{}}, Tokenizer: tok, TokenFilters: filters}, nil
		}); err != nil {
			panic(err)
		}
	}
}

// foldFilter folds the accents of each word, as the English analysis does
// before its stop words.
type foldFilter struct{}

func (foldFilter) Filter(in analysis.TokenStream) analysis.TokenStream {
	f := asciifolding.New()
	for _, t := range in {
		t.Term = f.Filter(t.Term)
	}
	return in
}

// stopWords are each language's stop words, for DetectLanguage.
var stopWords = func() map[string]analysis.TokenMap {
	cache := registry.NewCache()
	out := map[string]analysis.TokenMap{}
	for _, l := range append([]language{{code: English, stop: en.StopName}}, languages...) {
		m, err := cache.TokenMapNamed(l.stop)
		if err != nil {
			panic(err)
		}
		out[l.code] = m
	}
	return out
}()

// detectSample bounds the documents DetectLanguage reads.
const detectSample = 2000

// DetectLanguage reads the language of a catalog from its text: the
// language whose stop words its titles and descriptions use most ("de",
// "la", "et", "pour" against "the", "and", "for"), English unless another
// language's stop words are clearly more frequent (half as many again, and
// at least 20 of them), so a few borrowed words ("Café de Paris") do not
// turn an English shop French. Words of one letter are not counted: in a
// catalog they are mostly units and the letters of codes ("2 m", "5 l",
// "USB-C"), which French and Italian list as stop words (for "l'", "d'",
// "c'"), and an English shop of cables read as French lost its English
// stemming.
func DetectLanguage(docs []Doc) string {
	count := map[string]int{}
	step := max(1, len(docs)/detectSample)
	for i := 0; i < len(docs); i += step {
		d := &docs[i]
		for _, text := range []string{d.Title, d.Description} {
			for _, w := range Tokenize(strings.ToLower(text)) {
				if utf8.RuneCountInString(w) < 2 {
					continue
				}
				for code, m := range stopWords {
					if _, ok := m[w]; ok {
						count[code]++
					}
				}
			}
		}
	}
	best, most := English, count[English]
	for _, l := range languages {
		if c := count[l.code]; c > most {
			best, most = l.code, c
		}
	}
	if best != English && (most < 20 || 2*most < 3*count[English]) {
		return English
	}
	return best
}
