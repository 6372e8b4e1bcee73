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
