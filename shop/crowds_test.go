package shop

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"storefront/models"
	"storefront/recommender"
)

// The crowd line follows the shop's own networks: one network's crowd of
// visitors in a day is left out, a few visitors of many networks are
// kept, and so are the visitors of a shop whose every network brings many
// (a mobile carrier's shared addresses); shoppers and ids the shop did not
// mint (an import's) are never left out.
func TestACrowdIsOneNetworksOutlierDay(t *testing.T) {
	key := []byte("a visitor key for the crowd test")
	origins := models.VisitorOriginsFor(key)
	day := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	var events []recommender.Event
	visit := func(ip string, at time.Time, n int) []string {
		var keys []string
		for range n {
			u := "v:" + models.NewVisitorID(key, ip, at)
			keys = append(keys, u)
			events = append(events, recommender.Event{User: u, Item: "tent", Type: recommender.View, Time: at},
				recommender.Event{User: u, Item: "towel", Type: recommender.AddToCart, Time: at})
		}
		return keys
	}
	// 40 networks with 3 visitors each, an import's and a shopper's ids.
	for i := range 40 {
		visit(fmt.Sprintf("198.51.%d.7", i), day, 3)
	}
	events = append(events, recommender.Event{User: "v:AAAAAAAAAAAAAAAAAAAAAAAA", Item: "tent", Type: recommender.View, Time: day},
		recommender.Event{User: "s42", Item: "tent", Type: recommender.View, Time: day})
	// One network's 150 visitors in a day, from 150 addresses; the same
	// network's 60 visitors the next day.
	var crowd []string
	for i := range 150 {
		crowd = append(crowd, visit(fmt.Sprintf("203.0.113.%d", i+1), day, 1)...)
	}
	nextDay := visit("203.0.113.1", day.Add(24*time.Hour), 60)
	if origins.Origin(crowd[0]) != origins.Origin(crowd[149]) || origins.Origin(crowd[0]) == origins.Origin(nextDay[0]) {
		t.Fatal("one network's visitors of a day share an origin, the next day's another")
	}
	kept, cr := dropCrowds(slices.Clone(events), origins, nil)
	if cr.Origins != 1 || cr.Visitors != 150 || cr.Events != 300 || len(kept) != len(events)-300 {
		t.Fatalf("left out %+v (%d of %d events kept), want the crowd's 150 visitors", cr, len(kept), len(events))
	}
	for _, e := range kept {
		if origins.Origin(e.User) == origins.Origin(crowd[0]) {
			t.Fatalf("the crowd's visitor %s kept", e.User)
		}
	}
	// Ids the shop did not mint under its key have no origin.
	if o := models.VisitorOriginsFor([]byte("another shop's key")).Origin(crowd[0]); o != "" {
		t.Errorf("another key reads origin %q", o)
	}

	// A shop whose every network brings 150 visitors a day keeps them all.
	events = nil
	for i := range 30 {
		visit(fmt.Sprintf("198.51.%d.7", i), day, 150+i)
	}
	if _, cr := dropCrowds(slices.Clone(events), origins, nil); cr.Origins != 0 {
		t.Errorf("a shop of busy networks: left out %+v", cr)
	}
}
