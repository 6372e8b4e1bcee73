package seed

import (
	"context"
	"strings"
	"testing"
	"unicode/utf16"
)

// A UTF-16 file holding half of a surrogate pair (a file cut mid-character,
// or text pasted from elsewhere) is refused with its line, and nothing is
// stored. The decoder wrote U+FFFD in its place, so two customers whose ids
// differ only there ("jos" + \ud800 and "jos" + \ud801, Latin-1 bytes read
// as UTF-16 by a script) were imported as one, "jos\ufffd", whom no request
// can name; a file ending in one byte of a two-byte unit lost it the same way.
// A whole pair (an emoji) is read as written.
func TestAUTF16FileIsReadAsWrittenOrRefused(t *testing.T) {
	// utf16File encodes s, with each "§" standing for the code unit in units
	// taken in turn, after a byte order mark.
	utf16File := func(s string, big bool, units ...uint16) string {
		var us []uint16
		for _, r := range "\ufeff" + s {
			if r == '§' {
				us, units = append(us, units[0]), units[1:]
				continue
			}
			us = append(us, utf16.Encode([]rune{r})...)
		}
		var b []byte
		for _, u := range us {
			if big {
				b = append(b, byte(u>>8), byte(u))
			} else {
				b = append(b, byte(u), byte(u>>8))
			}
		}
		return string(b)
	}
	events := "timestamp,type,product_id,user_id\n" +
		"2026-02-01T09:00:00Z,purchase,P1,jos§\n" +
		"2026-02-01T09:01:00Z,view,P3,alice\n" +
		"2026-02-02T12:00:00Z,purchase,P3,jos§\n"
	for _, big := range []bool{false, true} {
		for _, bad := range []struct {
			name, file, want string
		}{
			{"a lone high half", utf16File(events, big, 0xD800, 0xD801), `events.csv:2: the UTF-16 text holds \ud800, half of a surrogate pair`},
			{"a lone low half", utf16File(events, big, 'e', 0xDC00), `events.csv:4: the UTF-16 text holds \udc00, half of a surrogate pair`},
			{"a high half before a line break", utf16File(events, big, 'e', 0xDBFF), `events.csv:4: the UTF-16 text holds \udbff, half of a surrogate pair`},
			{"one byte of two at the end", utf16File(events, big, 'e', 'e') + "\x00", `events.csv:5: the UTF-16 text ends in one byte of a two-byte unit`},
		} {
			db := openDB(t)
			empty := dbState(t, db)
			_, err := Import(context.Background(), db, writeFile(t, "products.csv", datedProducts), writeFile(t, "events.csv", bad.file), nil)
			if err == nil || !strings.Contains(err.Error(), bad.want) {
				t.Errorf("%s (big-endian %v): %v; want %q", bad.name, big, err, bad.want)
			}
			if got := dbState(t, db); got != empty {
				t.Errorf("%s (big-endian %v): the refused import stored\n%s", bad.name, big, got)
			}
		}
		db := openDB(t)
		got := mustImport(t, db, datedProducts, utf16File(strings.ReplaceAll(events, "jos§", "jos😀"), big))
		var ids []string
		if err := db.R.Table("events").Distinct("user_key").Pluck("user_key", &ids).Error; err != nil {
			t.Fatal(err)
		}
		if all := strings.Join(ids, " "); got.Events != 3 || !strings.Contains(all, "jos😀") || strings.ContainsRune(all, '\ufffd') {
			t.Errorf("a whole pair (big-endian %v): %d events of users %q; want 3, jos😀 among them", big, got.Events, ids)
		}
	}
}
