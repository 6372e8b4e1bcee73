package search

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// vocabulary is every word the catalog uses, as shoppers type it and as the
// index stores it. It decides whether a query word is known and, when it is
// not, which catalog word it was probably meant to be.
type vocabulary struct {
	words map[string]int32    // surface word → how many documents use it
	stems map[string]struct{} // analysed terms present in the index
	byLen [][]string          // surface words by length in runes, for corrections
	codes []string            // sorted words of letters and digits ("u2723qe"), for prefixes
	// codeEnds are the codes written backwards ("eq3272u"), sorted, for
	// their ends.
	codeEnds []string
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// Tokenize lower-cases s and splits it into words of letters and digits
// (the index's words too: see analyzerName). Chinese characters and
// Japanese hiragana, written without spaces between words, are a word each
// (as Unicode's word boundaries, UAX #29, and Lucene's standard tokenizer
// split them): "進撃の巨人" is 進, 撃, の, 巨, 人, so a shopper typing 進撃 or
// 巨人 finds the title. Katakana runs stay one word (ワンピース).
func Tokenize(s string) []string {
	lower := strings.ToLower(s)
	var words []string
	splitWords(lower, func(start, end int) { words = append(words, lower[start:end]) })
	return words
}

// splitWords calls word with the byte range of every word of s, in order.
func splitWords(s string, word func(start, end int)) {
	start := -1
	for i, r := range s {
		switch {
		case isOwnWord(r):
			if start >= 0 {
				word(start, i)
				start = -1
			}
			word(i, i+utf8.RuneLen(r))
		case isWordRune(r):
			if start < 0 {
				start = i
			}
		case start >= 0:
			word(start, i)
			start = -1
		}
	}
	if start >= 0 {
		word(start, len(s))
	}
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// isOwnWord tells whether r is a word by itself: a Chinese character (kanji,
// hanzi) or a hiragana, which scripts write without spaces between words.
func isOwnWord(r rune) bool {
	return r >= 0x3040 && (unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r))
}

func buildVocabulary(docs []Doc, stem func(string) string) *vocabulary {
	v := &vocabulary{words: map[string]int32{}, stems: map[string]struct{}{}}
	// lastDoc[w] is 1 + the last document that counted w: each document
	// counts a word once without a set per document.
	lastDoc := map[string]int32{}
	var buf []byte
	for i := range docs {
		d := &docs[i]
		doc := int32(i + 1)
		count := func(w string) {
			if lastDoc[w] != doc {
				lastDoc[w] = doc
				v.words[w]++
			}
		}
		for _, s := range [...]string{d.Title, d.Brand, d.Category, d.Description} {
			if !isASCII(s) {
				for _, w := range Tokenize(s) {
					count(w)
				}
				continue
			}
			// ASCII, the common case: Tokenize's words without its
			// allocations (the map lookups of string(buf) do not copy).
			for j := 0; j <= len(s); j++ {
				if j < len(s) {
					if c := s[j]; c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
						buf = append(buf, c)
						continue
					} else if c >= 'A' && c <= 'Z' {
						buf = append(buf, c+'a'-'A')
						continue
					}
				}
				if len(buf) > 0 {
					if lastDoc[string(buf)] != doc {
						w := string(buf)
						lastDoc[w] = doc
						v.words[w]++
					}
					buf = buf[:0]
				}
			}
		}
	}
	for w := range v.words {
		if s := stem(w); s != "" {
			v.stems[s] = struct{}{}
		}
		n := utf8.RuneCountInString(w)
		for len(v.byLen) <= n {
			v.byLen = append(v.byLen, nil)
		}
		v.byLen[n] = append(v.byLen[n], w)
		if isCode(w) {
			v.codes = append(v.codes, w)
		}
	}
	slices.Sort(v.codes)
	for _, c := range v.codes {
		v.codeEnds = append(v.codeEnds, reverse(c))
	}
	slices.Sort(v.codeEnds)
	return v
}

func reverse(s string) string {
	r := []rune(s)
	slices.Reverse(r)
	return string(r)
}

// isCode tells whether w mixes letters and digits, as model and part
// numbers do ("u2723qe", "sn850x", "m8").
func isCode(w string) bool {
	letter, digit := false, false
	for _, r := range w {
		letter = letter || unicode.IsLetter(r)
		digit = digit || unicode.IsDigit(r)
	}
	return letter && digit
}

// minCodePrefix and maxCodeCompletions bound what a partial model number
// may stand for: at least four characters, at most this many catalog codes.
const (
	minCodePrefix      = 4
	maxCodeCompletions = 20
)

// completeCode returns the catalog's model or part numbers that begin with
// w, a code the catalog does not write whole ("u2723" for "U2723QE"); nil
// when w is no code, is shorter than minCodePrefix or begins none.
func (v *vocabulary) completeCode(w string) []string {
	if utf8.RuneCountInString(w) < minCodePrefix || !isCode(w) {
		return nil
	}
	i, _ := slices.BinarySearch(v.codes, w)
	var out []string
	for ; i < len(v.codes) && strings.HasPrefix(v.codes[i], w) && len(out) < maxCodeCompletions; i++ {
		out = append(out, v.codes[i])
	}
	return out
}

// minCodeEnd is the shortest end of a model number a word may stand for.
const minCodeEnd = 3

// completeCodeEnd returns the catalog's model or part numbers that end with
// w, their last runs of letters and digits, typed without the start: "xm5"
// for "1000xm5" (Sony's WH-1000XM5), "120" for sandpaper's "p120". w must
// begin where the number changes from digits to letters or back, so "120"
// is not the end of "u2120"; nil when w is shorter than minCodeEnd, has no
// digit or ends none.
func (v *vocabulary) completeCodeEnd(w string) []string {
	r := []rune(w)
	if len(r) < minCodeEnd || !strings.ContainsFunc(w, unicode.IsDigit) {
		return nil
	}
	rw := reverse(w)
	i, _ := slices.BinarySearch(v.codeEnds, rw)
	var out []string
	for ; i < len(v.codeEnds) && strings.HasPrefix(v.codeEnds[i], rw) && len(out) < maxCodeCompletions; i++ {
		code := []rune(v.codeEnds[i])
		if len(code) == len(r) || unicode.IsDigit(code[len(r)]) == unicode.IsDigit(r[0]) {
			continue
		}
		out = append(out, reverse(v.codeEnds[i]))
	}
	slices.Sort(out)
	return out
}

// maxEdits is how far a correction may be from what was typed: short words
// have too many close neighbours to correct safely.
func maxEdits(runes int) int {
	switch {
	case runes >= 8:
		return 2
	case runes >= 4:
		return 1
	}
	return 0
}

// correct returns the catalog word closest to an unknown word, preferring
// fewer edits and then the more common word; "" when nothing is close. Short
// words have many close neighbours, so up to five letters the first letter
// must be right ("dress" is not "press") and a letter may be missing or
// wrong but not extra ("black" is not "back").
func (v *vocabulary) correct(word string) string {
	rw := []rune(word)
	maxD := maxEdits(len(rw))
	if maxD == 0 || allDigits(word) {
		return ""
	}
	best, bestD, bestN := "", maxD+1, int32(0)
	for n := max(len(rw)-maxD, 1); n <= len(rw)+maxD && n < len(v.byLen); n++ {
		for _, cand := range v.byLen[n] {
			if len(rw) <= 5 && (n < len(rw) || !sameFirstRune(cand, rw[0])) {
				continue
			}
			d := editDistance(rw, cand, bestD)
			if d > maxD || d > bestD {
				continue
			}
			if c := v.words[cand]; d < bestD || c > bestN || (c == bestN && cand < best) {
				best, bestD, bestN = cand, d, c
			}
		}
	}
	return best
}

func sameFirstRune(s string, r rune) bool {
	first, _ := utf8.DecodeRuneInString(s)
	return first == r
}

func allDigits(s string) bool {
	for _, r := range s {
		if !unicode.IsDigit(r) {
			return false
		}
	}
	return true
}

// editDistance is the optimal-string-alignment distance of a and b (a
// swapped pair of letters counts as one edit), giving up with limit+1 once
// the distance must exceed limit.
func editDistance(a []rune, bs string, limit int) int {
	var bbuf [64]rune
	b := append(bbuf[:0], []rune(bs)...)
	if abs(len(a)-len(b)) > limit {
		return limit + 1
	}
	var buf [3][65]int
	if len(b) > 64 {
		return limit + 1
	}
	prev2, prev, cur := buf[0][:len(b)+1], buf[1][:len(b)+1], buf[2][:len(b)+1]
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
			rowMin = min(rowMin, cur[j])
		}
		if rowMin > limit {
			return limit + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// maxJoinedParts is how many catalog words a joined word may be read as
// ("hbm840a2": "hb m8 40 a2").
const maxJoinedParts = 4

// split reads a word the catalog does not know as catalog words written
// without their spaces or hyphens ("poloshirt" as "polo shirt", "usbc" as
// "usb c", "cocacola" as "coca cola"; "poloshirts" as "polo shirts", a word
// whose stem the catalog knows): the fewest words that make it up, and among
// as few, the split whose shortest word is longest. It returns nil when no
// split into two to maxJoinedParts catalog words exists.
func (v *vocabulary) split(w string, stem func(string) string) []string {
	r := []rune(w)
	n := len(r)
	if n < 3 || n > 40 {
		return nil
	}
	// best[i] is the best split of r[:i]: its number of words and its
	// shortest word's length; from[i] where its last word starts.
	type score struct{ parts, shortest int }
	best := make([]score, n+1)
	from := make([]int, n+1)
	for i := 1; i <= n; i++ {
		best[i] = score{parts: -1}
		for j := 0; j < i; j++ {
			if j > 0 && best[j].parts < 0 {
				continue
			}
			if !v.knows(string(r[j:i]), stem) {
				continue
			}
			s := score{parts: 1, shortest: i - j}
			if j > 0 {
				s = score{parts: best[j].parts + 1, shortest: min(best[j].shortest, i-j)}
			}
			if s.parts > maxJoinedParts {
				continue
			}
			if b := best[i]; b.parts < 0 || s.parts < b.parts || s.parts == b.parts && s.shortest > b.shortest {
				best[i], from[i] = s, j
			}
		}
	}
	if best[n].parts < 2 {
		return nil
	}
	parts := make([]string, best[n].parts)
	for i, k := n, len(parts)-1; i > 0; i, k = from[i], k-1 {
		parts[k] = string(r[from[i]:i])
	}
	return parts
}

// knows tells whether the catalog writes w, or a word of the same stem.
func (v *vocabulary) knows(w string, stem func(string) string) bool {
	if _, ok := v.words[w]; ok {
		return true
	}
	s := stem(w)
	_, ok := v.stems[s]
	return ok && s != ""
}
