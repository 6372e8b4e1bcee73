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

// ProductMatchID is a product id as the shop matches one from outside (an
// events file, a products file against the stored catalog, the events
// API): in normal form C (NormalID), and a UUID (8-4-4-4-12 hexadecimal
// digits) in lower case. A UUID names one identifier in either case (RFC
// 9562: its hexadecimal digits are case-insensitive on input), and systems
// differ: a .NET or SQL Server export writes it in upper case, most others
// in lower case, so an order export and a catalog from two systems named
// every product differently and the import refused every event. Other ids
// keep their case: "ab-1" and "AB-1" may be two SKUs.
func ProductMatchID(s string) string {
	n := NormalID(s)
	if isUUID(n) {
		return strings.ToLower(n)
	}
	return n
}

// isUUID reports whether s is a UUID in its text form, 8-4-4-4-12
// hexadecimal digits, in any case.
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
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
