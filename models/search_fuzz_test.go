package models

import (
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

var fuzzDocs = []SearchDoc{
	{ID: 1, Title: "Alpine Trail Tent", Brand: "Summit", Category: "Tents", Description: "A light two-person tent.", Popularity: 10, Active: true},
	{ID: 2, Title: "Ridge Dome Tent", Brand: "Northway", Category: "Tents", Description: "Roomy family dome.", Popularity: 8, Active: true},
	{ID: 3, Title: "Cast Iron Skillet", Brand: "Hearth", Category: "Kitchen", Description: "Pre-seasoned 26 cm pan.", Popularity: 20, Active: true},
	{ID: 4, Title: "Chef Knife", Brand: "Kōbō", Category: "Kitchen", Description: "Forged steel blade.", Active: true},
	{ID: 5, Title: "<script>alert(1)</script> Lantern", Brand: "Summit", Category: "Outdoor", Description: "Rechargeable.", Active: true},
	{ID: 6, Title: "Hidden Old Tent", Brand: "Gone", Category: "Tents", Active: false},
}

// FuzzSearch: any query answers a page of distinct, active, known products
// within the page size, and the same query answers the same page.
func FuzzSearch(f *testing.F) {
	for _, s := range []string{"tent", "skilet", "ten", "summit tent", "<script>", "kobo", "Kōbō", "zzzz", "", "a b c d e f g h i j",
		strings.Repeat("tent ", 60), "\xff", "ß"} {
		f.Add(s, 1, 24)
	}
	f.Add("tent", 2, 1)
	f.Add("tent", -3, -1)
	idx := NewSearchIndex(fuzzDocs)
	f.Fuzz(func(t *testing.T, q string, page, perPage int) {
		res := idx.Search(q, page, perPage)
		if res.Total < len(res.IDs) {
			t.Fatalf("Search(%q) total %d below %d ids", q, res.Total, len(res.IDs))
		}
		limit := perPage
		if limit <= 0 {
			limit = 24
		}
		if len(res.IDs) > limit {
			t.Fatalf("Search(%q, %d, %d) returned %d ids", q, page, perPage, len(res.IDs))
		}
		seen := map[uint]bool{}
		for _, id := range res.IDs {
			if seen[id] || id < 1 || id > 5 {
				t.Fatalf("Search(%q) returned %v: duplicate, unknown or inactive", q, res.IDs)
			}
			seen[id] = true
		}
		if again := idx.Search(q, page, perPage); !slices.Equal(again.IDs, res.IDs) || again.Total != res.Total {
			t.Fatalf("Search(%q) is not deterministic: %v then %v", q, res.IDs, again.IDs)
		}
	})
}
