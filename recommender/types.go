package recommender

import (
	"fmt"
	"strings"
	"time"
)

// EventType is the kind of a shopper interaction. The order matters: a larger
// value is a stronger signal of interest.
type EventType uint8

const (
	Impression EventType = iota // shown, not acted on; ignored for training
	Search                      // free-text search; ignored for training
	View
	Click
	AddToCart
	Purchase
	numEventTypes
)

var eventTypeNames = [numEventTypes]string{"impression", "search", "view", "click", "add_to_cart", "purchase"}

func (t EventType) String() string {
	if t < numEventTypes {
		return eventTypeNames[t]
	}
	return fmt.Sprintf("EventType(%d)", uint8(t))
}

// ParseEventType parses the external event type names used by the import
// format and the events API.
func ParseEventType(s string) (EventType, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	for i, name := range eventTypeNames {
		if s == name {
			return EventType(i), nil
		}
	}
	return 0, fmt.Errorf("recommender: unknown event type %q", s)
}

// Event is one interaction of a user (shopper or anonymous visitor id) with an
// item, identified by external string ids.
type Event struct {
	User  string
	Item  string
	Type  EventType
	Time  time.Time
	Value float64 // optional, e.g. a rating or a price; not used for weighting
}

// Item is a catalog entry as the recommender needs it.
type Item struct {
	ID           string
	Title        string
	Brand        string
	Category     string // leaf category name
	Description  string
	CategoryPath []string // category names from the root to the leaf
	PriceCents   int64
	Active       bool
	Stock        int
	Created      time.Time
}

// Dataset is the training input. Now anchors time decay and the trending
// windows; when zero, the latest event time is used.
type Dataset struct {
	Items  []Item
	Events []Event
	Now    time.Time
}

// Strategy selects how a slot is filled.
type Strategy uint8

const (
	Hybrid     Strategy = iota // blend of every model, with cold-start fallbacks
	ALS                        // implicit ALS user × item factors
	SVD                        // truncated SVD of the interaction matrix
	EASE                       // Steck's EASE item–item regression (small catalogs only)
	ItemKNN                    // item–item co-occurrence neighbours of the user's history
	Popular                    // time-decayed popularity
	Trending                   // recent velocity against the long-term rate
	Content                    // TF-IDF similarity to the user's history
	New                        // newest items first
	Similar                    // items similar to Request.Anchor (content first)
	AlsoBought                 // co-purchased with Request.Anchor
	Category                   // top items in Request.Category
	NewForYou                  // new products like the shopper's history, launches since training included
	numStrategies
)

var strategyNames = [numStrategies]string{
	"hybrid", "als", "svd", "ease", "item_knn", "popular", "trending",
	"content", "new", "similar", "also_bought", "category", "new_for_you",
}

func (s Strategy) String() string {
	if s < numStrategies {
		return strategyNames[s]
	}
	return fmt.Sprintf("Strategy(%d)", uint8(s))
}

// ParseStrategy parses a strategy name as stored in slot configuration.
func ParseStrategy(s string) (Strategy, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	for i, name := range strategyNames {
		if s == name {
			return Strategy(i), nil
		}
	}
	return 0, fmt.Errorf("recommender: unknown strategy %q", s)
}

// Strategies lists every strategy in declaration order.
func Strategies() []Strategy {
	out := make([]Strategy, numStrategies)
	for i := range out {
		out[i] = Strategy(i)
	}
	return out
}
