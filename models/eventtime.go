package models

import (
	"fmt"
	"time"
)

// Event times outside a window are refused wherever events come in (the
// events API, CSV import, page tracking): a timestamp from the future would
// become the recommender's "now" and decay all real history to nothing,
// and one from before the Unix epoch (year 1000, Go's zero time) is a
// broken or hostile clock. The window opens at 1970 so that history a shop
// imports is taken whole, however old: public rating datasets start in the
// 1990s (MovieLens 100k: 1997–98).
var EarliestEventTime = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)

// EventClockSkew is how far ahead of the shop's clock an event may be dated
// (a tracker's clock a little fast, time zones mistaken for UTC).
const EventClockSkew = 24 * time.Hour

// MaxEventValue is the largest value an event may carry, from the events
// API or an import (a purchase's amount, a rating, a quantity): beyond it
// the value is something else (a timestamp in milliseconds, an id), and a
// stray 1e308 would swamp the revenue figures.
const MaxEventValue = 1e12

// CheckEventTime reports why t cannot be an event's time, judged against
// the shop's clock now; nil when it is inside the window.
func CheckEventTime(t, now time.Time) error {
	switch {
	case t.Before(EarliestEventTime):
		return fmt.Errorf("%s is before %s: not accepted as an event time", t.UTC().Format(time.RFC3339), EarliestEventTime.Format("2006-01-02"))
	case t.After(now.Add(EventClockSkew)):
		return fmt.Errorf("%s is more than a day ahead of the shop's clock (%s): not accepted as an event time",
			t.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	}
	return nil
}

// ParseRFC3339 reads a timestamp in any form RFC 3339 allows, which is more
// than Go's time.RFC3339 layout takes: the "T" and "Z" may be lower case
// (section 5.6's note), a space may stand for the "T" (the same note), and a
// leap second is written as second 60 (taken as the next second, 00 of the
// following minute). Fractional seconds and numeric offsets are read as
// time.RFC3339 reads them.
func ParseRFC3339(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339, s)
	if err == nil || len(s) < 20 {
		return t, err
	}
	b := []byte(s)
	if c := b[10]; c == 't' || c == ' ' {
		b[10] = 'T'
	}
	if last := len(b) - 1; b[last] == 'z' {
		b[last] = 'Z'
	}
	leap := b[16] == ':' && b[17] == '6' && b[18] == '0'
	if leap {
		b[17], b[18] = '5', '9'
	}
	t, err2 := time.Parse(time.RFC3339, string(b))
	if err2 != nil {
		return time.Time{}, err
	}
	if leap {
		t = t.Add(time.Second)
	}
	return t, nil
}
