package search

import "strings"

// A title often names what a product goes with after "for": "Replacement
// Ear Pads for Sony WH-1000XM5", "Laptop Sleeve for MacBook Air", "TV Wall
// Bracket for LG OLED55C3". The words after it say what the product fits,
// not what it is: the title's head, the words before it (the whole title
// when it has no such clause), is indexed once more as a field of its own
// (fieldHead) on top of the whole title. A shopper typing "wh-1000xm5",
// "macbook air" or "dcd796" finds the headphones, the laptop and the drill
// before the pads, sleeves and batteries made for them, which still follow.

// fitsWords are the words that open a title's "for" clause, by language:
// the first one found, with a word before it, splits the title.
var fitsWords = map[string][]string{
	English: {"for", "compatible with", "fits"},
	French:  {"pour", "compatible avec"},
	German:  {"für", "fur", "passend für", "kompatibel mit"},
	Spanish: {"para", "compatible con"},
	Dutch:   {"voor", "geschikt voor"},
	Italian: {"per", "compatibile con"},
}

// titleParts splits a title into what the product is and what it is for:
// "Replacement Ear Pads for Sony WH-1000XM5" is "Replacement Ear Pads" and
// "Sony WH-1000XM5". A title without such a clause is all head.
func titleParts(title, lang string) (head, fits string) {
	words := fitsWords[lang]
	if words == nil {
		words = fitsWords[English]
	}
	lower := strings.ToLower(title)
	cut := -1
	for _, w := range words {
		for from := 0; ; {
			i := strings.Index(lower[from:], w)
			if i < 0 {
				break
			}
			i += from
			end := i + len(w)
			// A whole word (not "Comfort" or "perfume") with a word of the
			// title before it.
			if i > 0 && !isWordByteBefore(lower, i) && (end == len(lower) || !isWordByteAt(lower, end)) &&
				strings.ContainsFunc(lower[:i], isWordRune) {
				if cut < 0 || i < cut {
					cut = i
				}
				break
			}
			from = end
		}
	}
	if cut < 0 {
		return title, ""
	}
	// Lower case, as the index stores it (and lowering may change a
	// title's length, so its offsets are lower's).
	return strings.TrimSpace(lower[:cut]), strings.TrimSpace(lower[cut:])
}

// isWordByteBefore and isWordByteAt tell whether the rune ending just before
// i, or starting at i, is a letter or digit.
func isWordByteBefore(s string, i int) bool {
	r := []rune(s[:i])
	return len(r) > 0 && isWordRune(r[len(r)-1])
}

func isWordByteAt(s string, i int) bool {
	for _, r := range s[i:] {
		return isWordRune(r)
	}
	return false
}
