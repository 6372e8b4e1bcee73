package templates

import (
	"fmt"
	"time"
)

// InterestsPage shows what the shop thinks a shopper likes, with the
// evidence, and the controls to correct it.
type InterestsPage struct {
	Base
	OptOut     bool
	Categories []InterestView
	Brands     []InterestView
	PriceBand  string // e.g. "$40.00 to $120.00"; empty when unknown
	PriceItems int
	History    []HistoryView
	Hidden     []HiddenInterest
}

// HiddenInterest is an interest the shopper removed.
type HiddenInterest struct {
	Value string // what the form sends back
	Name  string
}

// InterestView is one inferred interest.
type InterestView struct {
	Kind     string // "category" or "brand": the form's kind
	Value    string // what the form sends: a category slug or a brand
	Name     string
	Percent  int // share of the history, 1..100
	URL      string
	Evidence []HistoryView
}

// HistoryView is one product of the shopper's history.
type HistoryView struct {
	ProductID uint
	Title     string
	URL       string
	Image     string
	Action    string // "Viewed", "Bought", …
	When      string // "3 days ago"
}

// Ago says how long ago t was, in the largest whole unit.
func Ago(t, now time.Time) string {
	d := now.Sub(t)
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return plural(int(d/time.Minute), "minute") + " ago"
	case d < 24*time.Hour:
		return plural(int(d/time.Hour), "hour") + " ago"
	case d < 60*24*time.Hour:
		return plural(int(d/(24*time.Hour)), "day") + " ago"
	}
	return "on " + t.Format("Jan 2, 2006")
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}
