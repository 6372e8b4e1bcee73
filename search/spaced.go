package search

// Shoppers also write one catalog word as two: "sun screen" for
// "Sunscreen", "back pack" for "Backpack", "crew neck" for "Crewneck",
// "skin care" for a "Skincare" category. Neither half need be a catalog
// word, so without this the query found nothing, or products that merely
// mention "pack" or "care".

// spacedWords reads two consecutive words of a query as the one word the
// catalog writes when the catalog knows them glued together: the pair
// becomes one concept matching the glued word, or, when the catalog also
// knows both halves, the glued word or the two words in one field ("rose
// water" finds "Rosewater Mist" and "Rose Water Toner", not a hydration
// pack "back in stock" for "back pack"). Synonym groups, stop words and
// words already read as sizes are left as they are.
func (ix *Index) spacedWords(voc *vocabulary, cs []concept) []concept {
	known := func(w string) bool { return ix.knownConcept(voc, word(w)) == conceptKnown }
	plain := func(c concept) bool {
		return len(c.terms) == 1 && c.terms[0] == c.typed && ix.stem(c.typed) != ""
	}
	out := make([]concept, 0, len(cs))
	for i := 0; i < len(cs); i++ {
		c := cs[i]
		if i+1 < len(cs) && plain(c) && plain(cs[i+1]) {
			next := cs[i+1].typed
			if glued := c.typed + next; known(glued) {
				pair := c.typed + " " + next
				joined := concept{typed: pair, terms: []string{glued}}
				if known(c.typed) && known(next) {
					joined.pairs = []string{pair}
				}
				out = append(out, joined)
				i++
				continue
			}
		}
		out = append(out, c)
	}
	return out
}
