package search

import (
	"context"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// FuzzTokenize: tokens are non-empty runs of letters and digits, valid
// UTF-8, and tokenizing them again changes nothing.
func FuzzTokenize(f *testing.F) {
	for _, s := range []string{"Trail Tent 2P", "<script>alert(1)</script>", "Kōbō knife", "İstanbul ǅ ß", "\xff\xfe bad utf8",
		"a-b_c.d/e", "  ", "", "１２３ full-width", "emoji 🎒 pack", strings.Repeat("x", 300)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tokens := Tokenize(s)
		for _, tok := range tokens {
			if tok == "" || !utf8.ValidString(tok) {
				t.Fatalf("Tokenize(%q) gave token %q", s, tok)
			}
			for _, r := range tok {
				if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
					t.Fatalf("Tokenize(%q) gave token %q with %q", s, tok, r)
				}
			}
		}
		if again := Tokenize(strings.Join(tokens, " ")); !slices.Equal(again, tokens) {
			t.Fatalf("Tokenize is not stable on %q: %q then %q", s, tokens, again)
		}
	})
}

// FuzzSearch: any query answers distinct, indexed products, full matches
// counted within them, and the same query answers the same list.
func FuzzSearch(f *testing.F) {
	for _, s := range []string{"tent", "skilet", "ten", "northpeak tent", "<script>", "kobo", "Kōbō", "zzzz", "", "a b c d e f g h i j",
		strings.Repeat("tent ", 60), "\xff", "ß", "wireless headphnes for kids"} {
		f.Add(s)
	}
	ix, err := Open("")
	if err != nil {
		f.Fatal(err)
	}
	defer ix.Close()
	if _, err := ix.Sync(testDocs); err != nil {
		f.Fatal(err)
	}
	ix.SetSynonyms(Defaults())
	f.Fuzz(func(t *testing.T, q string) {
		res, err := ix.Search(context.Background(), q, true)
		if err != nil {
			t.Fatal(err)
		}
		if res.Full > len(res.IDs) {
			t.Fatalf("Search(%q): %d full matches of %d", q, res.Full, len(res.IDs))
		}
		seen := map[uint]bool{}
		for _, id := range res.IDs {
			if seen[id] || id < 1 || id > uint(len(testDocs)) {
				t.Fatalf("Search(%q) returned %v: duplicate or unknown", q, res.IDs)
			}
			seen[id] = true
		}
		again, _ := ix.Search(context.Background(), q, true)
		if !slices.Equal(again.IDs, res.IDs) || again.Corrected != res.Corrected {
			t.Fatalf("Search(%q) is not deterministic: %v then %v", q, res.IDs, again.IDs)
		}
		if _, err := ix.Suggest(context.Background(), q, 6); err != nil {
			t.Fatal(err)
		}
	})
}
