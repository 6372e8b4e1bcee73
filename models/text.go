package models

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// NormalID is a customer id as the shop stores and matches it: in Unicode
// normal form C. "Zoë" typed on one system (one code point for the ë) and
// exported by another (an e and a combining diaeresis) looks the same and
// is the same customer; stored as written, a users file in the other form
// asked for an unknown customer.
func NormalID(s string) string {
	if norm.NFC.IsNormalString(s) {
		return s
	}
	return norm.NFC.String(s)
}

// TextProblem says why s cannot be stored as text, or "" when it can.
// PostgreSQL refuses a NUL character and bytes that are not UTF-8 in a text
// column, failing the whole statement: one visitor's search for "x\x00"
// failed the batch of page views it was written with (every other
// visitor's events of that moment lost). SQLite stores them, and the shop
// refuses them the same way on both.
func TextProblem(s string) string {
	switch {
	case strings.IndexByte(s, 0) >= 0:
		return "holds a NUL character, which is not text"
	case !utf8.ValidString(s):
		return "is not valid UTF-8 text"
	}
	return ""
}

// checkEventText refuses a batch holding an event whose text the database
// would refuse, before it can share a statement with other events.
func checkEventText(events []Event) error {
	for i := range events {
		e := &events[i]
		for _, f := range [...]struct{ name, v string }{{"user", e.UserKey}, {"type", e.Type}, {"slot", e.Slot}, {"query", e.Query}, {"arm", e.Arm}} {
			if p := TextProblem(f.v); p != "" {
				return fmt.Errorf("models: event %d of %d: field %s %s: %w", i+1, len(events), f.name, p, ErrInvalid)
			}
		}
	}
	return nil
}
