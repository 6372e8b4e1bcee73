package shop

import (
	"fmt"
	"math"
	"slices"

	"storefront/models"
	"storefront/recommender"
)

// crowdFloor is the least number of visitors one network makes in a UTC day
// that can count as a crowd, whatever the shop's own distribution says:
// an office or a school of shoppers stays below it. A client keeping its
// address's new-visitor budget (30 a minute) passes it in four minutes.
const crowdFloor = 100

// crowdFenceOrigins is the least number of origins whose distribution
// says anything: with fewer, a crowd would be its own quartile, and the
// line is crowdFloor.
const crowdFenceOrigins = 20

// crowdIQR: the crowd line is Tukey's far-out fence on the logarithm of
// the visitors each origin made (the upper quartile plus this many
// interquartile ranges), so a shop whose networks all bring many
// visitors (a mobile carrier's shared addresses) keeps them.
const crowdIQR = 3

// Crowds is what dropCrowds left out of training.
type Crowds struct {
	Origins  int // networks-days that made a crowd
	Visitors int // their visitors, left out
	Accounts int // their accounts registered that day, left out
	Events   int // their events
	Line     int // the most visitors and accounts one origin may make
}

// String says what was left out, for the training's report.
func (c Crowds) String() string {
	if c.Origins == 0 {
		return ""
	}
	who := fmt.Sprintf("%d visitors", c.Visitors)
	if c.Accounts > 0 {
		who += fmt.Sprintf(" and %d accounts", c.Accounts)
	}
	return fmt.Sprintf("left out %d events of %s from %d network(s) that each made more than %d new visitors and accounts in one day: "+
		"one client's crowd, not shoppers (behind a reverse proxy, name it with serve --trusted-proxies, or every visitor is the proxy's)",
		c.Events, who, c.Origins, c.Line)
}

// dropCrowds leaves out the events of the visitors and accounts of an
// origin (the network and day the shop minted a visitor's id on,
// models.NewVisitorID, or an account was registered from, Shopper.Origin
// in accounts by user key) that made more of them than crowdLine. Every
// per-client budget of the shop holds one client to a few new visitors a
// minute and a few registrations, but a client that keeps to them for an
// hour has made two thousand "shoppers", each viewing a popular product
// and carting the one it pushes, and item-kNN made that product the
// popular one's nearest neighbour on real shoppers' lists. Imported ids,
// visitors from before origins and accounts registered before them are
// never left out.
func dropCrowds(events []recommender.Event, o models.VisitorOrigins, accounts map[string]string) ([]recommender.Event, Crowds) {
	var cr Crowds
	originOf := map[string]string{} // visitor or account → origin
	made := map[string]int{}        // origin → visitors and accounts
	for i := range events {
		u := events[i].User
		if _, seen := originOf[u]; seen {
			continue
		}
		or := o.Origin(u)
		if or == "" {
			or = accounts[u]
		}
		originOf[u] = or
		if or != "" {
			made[or]++
		}
	}
	if len(made) == 0 {
		return events, cr
	}
	cr.Line = crowdLine(made)
	crowded := map[string]bool{}
	for or, n := range made {
		if n > cr.Line {
			crowded[or] = true
			cr.Origins++
		}
	}
	for u, or := range originOf {
		if !crowded[or] {
			continue
		}
		if _, account := accounts[u]; account {
			cr.Accounts++
		} else {
			cr.Visitors++
		}
	}
	if cr.Origins == 0 {
		return events, cr
	}
	kept := events[:0]
	for _, e := range events {
		if crowded[originOf[e.User]] {
			cr.Events++
			continue
		}
		kept = append(kept, e)
	}
	return kept, cr
}

// crowdLine is the most visitors and accounts one origin may make:
// crowdFloor, or the far-out fence of this shop's own origins when that is
// higher.
func crowdLine(made map[string]int) int {
	if len(made) < crowdFenceOrigins {
		return crowdFloor
	}
	logs := make([]float64, 0, len(made))
	for _, n := range made {
		logs = append(logs, math.Log(float64(n)))
	}
	slices.Sort(logs)
	q := func(p float64) float64 { return logs[int(p*float64(len(logs)-1))] }
	q1, q3 := q(0.25), q(0.75)
	fence := math.Exp(q3 + crowdIQR*(q3-q1))
	return max(crowdFloor, int(math.Floor(fence)))
}
