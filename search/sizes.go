package search

import "unicode"

// Sizes are written both ways: "500 g" and "500g", "330 ml" and "330ml",
// "6 x 330 ml" and "6x330ml". A shopper types either, whatever the catalog
// wrote, so a query's size is read the catalog's way when only that way is
// known to the catalog.

// catalogSizes rewrites the query's sizes the way the catalog writes them:
// a word gluing numbers and letters that the catalog does not know
// ("500g") becomes its parts when the catalog knows them ("500", "g"; a
// multiplication "x" the catalog never writes is dropped), and a number
// followed by a word ("500", "g") becomes one word when only the glued form
// is the catalog's ("500g").
func (ix *Index) catalogSizes(voc *vocabulary, cs []concept) []concept {
	known := func(w string) bool { return ix.knownConcept(voc, word(w)) == conceptKnown }
	out := make([]concept, 0, len(cs))
	for i := 0; i < len(cs); i++ {
		c := cs[i]
		if len(c.terms) != 1 || c.terms[0] != c.typed {
			out = append(out, c) // a synonym group: the merchandiser's words
			continue
		}
		if parts := numberLetterRuns(c.typed); len(parts) > 1 && !known(c.typed) {
			kept := make([]concept, 0, len(parts))
			for _, p := range parts {
				switch {
				case known(p):
					kept = append(kept, word(p))
				case p == "x" || p == "×":
				default:
					kept = nil
				}
				if kept == nil {
					break
				}
			}
			if len(kept) > 0 {
				out = append(out, kept...)
				continue
			}
		}
		if i+1 < len(cs) && allDigits(c.typed) && len(cs[i+1].terms) == 1 && cs[i+1].terms[0] == cs[i+1].typed {
			next := cs[i+1].typed
			if glued := c.typed + next; !(known(c.typed) && known(next)) && known(glued) {
				out = append(out, word(glued))
				i++
				continue
			}
		}
		out = append(out, c)
	}
	return out
}

func word(w string) concept { return concept{typed: w, terms: []string{w}} }

// numberLetterRuns splits a word into its runs of digits and of letters
// ("6x330ml" → 6, x, 330, ml); a word without digits, or without letters,
// is one run.
func numberLetterRuns(w string) []string {
	var runs []string
	start, digit := 0, false
	for i, r := range w {
		d := unicode.IsDigit(r)
		if i > 0 && d != digit {
			runs = append(runs, w[start:i])
			start = i
		}
		digit = d
	}
	return append(runs, w[start:])
}
