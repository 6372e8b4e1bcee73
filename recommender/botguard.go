package recommender

import (
	"fmt"
	"math"
	"slices"
)

// DroppedUser is one user the bot guard left out of training, and why.
type DroppedUser struct {
	User   string
	Events int
	Reason string
}

// maxDroppedReported bounds the dropped users listed by name in Stats.
const maxDroppedReported = 20

const (
	// minBotViews: a bot is a user with thousands of views; nobody with
	// fewer is dropped, whatever their rate.
	minBotViews = 1000
	// minBotRate: the least peak events per minute that can count as a
	// machine's rate, whatever the shop's own distribution says.
	minBotRate = 120
	// batchStamp: this many events of one user sharing one timestamp mean
	// the timestamps are an import's, not a clock fine enough for a rate.
	batchStamp = 30
	// robustZ is how many robust standard deviations (1.4826·MAD of the
	// logarithm) above the shop's median makes an outlier.
	robustZ = 6
)

type botVerdict struct {
	user   int32
	events int
	reason string
}

// botGuard finds users whose behaviour is a machine's: view-only (never a
// cart or purchase), thousands of views far above this shop's own
// distribution, and either a rate no person browses at on a clock fine
// enough to measure it, or, in a shop whose shoppers do buy, a volume far
// beyond even that. Purchases, carts, a coarse clock (daily exports, one
// timestamp for a whole batch) or a long imported history alone never drop
// anyone.
type botGuard struct {
	dropped    []botVerdict
	rule       string
	clockNotes []string
}

type userShape struct {
	user          int32
	events, views int
	strong        int // carts and purchases
	peak          int // most events in any 60 s window
	maxSame       int // most events sharing one timestamp
}

// newBotGuard judges users over evs, sorted by user then time.
func newBotGuard(evs []compactEvent) botGuard {
	var g botGuard
	var shapes []userShape
	var minT, maxT int64 = math.MaxInt64, math.MinInt64
	onMinute, onDay := 0, 0
	for lo := 0; lo < len(evs); {
		hi := lo
		for hi < len(evs) && evs[hi].user == evs[lo].user {
			hi++
		}
		u := userShape{user: evs[lo].user, events: hi - lo}
		w, same := lo, 0
		for k := lo; k < hi; k++ {
			e := evs[k]
			minT, maxT = min(minT, e.unix), max(maxT, e.unix)
			if e.unix%60 == 0 {
				onMinute++
			}
			if e.unix%86400 == 0 {
				onDay++
			}
			if e.typ >= AddToCart {
				u.strong++
			} else {
				u.views++
			}
			for e.unix-evs[w].unix >= 60 {
				w++
			}
			u.peak = max(u.peak, k-w+1)
			if k > lo && e.unix == evs[k-1].unix {
				same++
			} else {
				same = 1
			}
			u.maxSame = max(u.maxSame, same)
		}
		shapes = append(shapes, u)
		lo = hi
	}
	if len(shapes) == 0 {
		g.rule = "no events"
		return g
	}
	n := len(evs)
	// The shop's clock: rates mean nothing when every timestamp is the
	// same, all fall in one day, or they sit on whole minutes or days.
	fineClock := true
	oneImport := false // the whole file is evidently one import: history, not behaviour
	switch {
	case maxT == minT:
		fineClock, oneImport = false, true
		g.clockNotes = append(g.clockNotes, "every event has the same timestamp: assumed the file's order is the time order; no rate check, and time decay and trending have no effect")
	case maxT-minT < 86400:
		fineClock, oneImport = false, true
		g.clockNotes = append(g.clockNotes, "every event falls within one day: assumed they are one import's timestamps, not a browsing clock; no rate check")
	case onDay*10 >= n*9:
		fineClock = false
		g.clockNotes = append(g.clockNotes, "timestamps are whole days (a daily export): no rate check; decay and trending work by day")
	case onMinute*10 >= n*9:
		fineClock = false
		g.clockNotes = append(g.clockNotes, "timestamps are whole minutes: no rate check")
	}
	converting := 0
	logViews, logPeak := make([]float64, 0, len(shapes)), make([]float64, 0, len(shapes))
	for _, u := range shapes {
		if u.strong > 0 {
			converting++
		}
		logViews = append(logViews, math.Log(float64(u.views+1)))
		if u.maxSame < batchStamp {
			logPeak = append(logPeak, math.Log(float64(u.peak)))
		}
	}
	volThr := math.Max(minBotViews, robustUpper(logViews))
	rateThr := math.Max(minBotRate, robustUpper(logPeak))
	// Shape only says "machine" in a shop where people do cart or buy.
	// A long history in a file that is one import says nothing of how it
	// was made, so volume alone drops no one there.
	shopConverts := converting*50 >= len(shapes) && !oneImport // ≥ 2% of users
	g.rule = fmt.Sprintf("view-only users with ≥ %.0f views (this shop's outlier line) and a peak of ≥ %.0f events a minute on a fine clock", volThr, rateThr)
	if oneImport {
		g.rule += "; no drop on volume alone in one import"
	}
	if shopConverts {
		g.rule += fmt.Sprintf(", or ≥ %.0f views and never a cart", 3*volThr)
	}
	if !fineClock {
		g.rule += "; clock too coarse for rates"
	}
	for _, u := range shapes {
		if u.strong > 0 || float64(u.views) < volThr {
			continue
		}
		fine := fineClock && u.maxSame < batchStamp
		switch {
		case fine && float64(u.peak) >= rateThr:
			g.dropped = append(g.dropped, botVerdict{u.user, u.events,
				fmt.Sprintf("%d views, no cart or purchase, up to %d events in one minute", u.views, u.peak)})
		case shopConverts && float64(u.views) >= 3*volThr:
			g.dropped = append(g.dropped, botVerdict{u.user, u.events,
				fmt.Sprintf("%d views and never a cart or purchase, in a shop where %.0f%% of users buy or cart", u.views, 100*float64(converting)/float64(len(shapes)))})
		}
	}
	return g
}

// robustUpper returns exp(median + robustZ·1.4826·MAD) of log values.
func robustUpper(logs []float64) float64 {
	if len(logs) == 0 {
		return math.Inf(1)
	}
	x := slices.Clone(logs)
	slices.Sort(x)
	med := x[len(x)/2]
	for i, v := range x {
		x[i] = math.Abs(v - med)
	}
	slices.Sort(x)
	mad := x[len(x)/2]
	return math.Exp(med + robustZ*1.4826*mad)
}
