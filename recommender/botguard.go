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
	// logarithm) above the shop's median makes a peak rate an outlier.
	robustZ = 6
	// minActiveViews: the volume line is read from the users with at least
	// this many views. One- and two-view visitors, however many a shop has,
	// say nothing of how much its keen shoppers browse; counted in, they
	// widen the spread until the line is millions of views.
	minActiveViews = 3
	// fenceIQR: the volume line is Tukey's far-out fence on log views of
	// those users, the upper quartile plus this many interquartile ranges.
	fenceIQR = 3
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
		if u.views >= minActiveViews {
			logViews = append(logViews, math.Log(float64(u.views)))
		}
		if u.maxSame < batchStamp {
			logPeak = append(logPeak, math.Log(float64(u.peak)))
		}
	}
	vol := farOutViews(logViews)
	volThr := math.Max(minBotViews, vol.line)
	rateThr := math.Max(minBotRate, robustUpper(logPeak))
	// Shape only says "machine" in a shop where people do cart or buy.
	// A long history in a file that is one import says nothing of how it
	// was made, so volume alone drops no one there.
	shopConverts := converting*50 >= len(shapes) && !oneImport // ≥ 2% of users
	g.rule = fmt.Sprintf("view-only users with ≥ %s views (%s) and a peak of ≥ %.0f events a minute on a fine clock", thousands(volThr), vol.describe(volThr), rateThr)
	if oneImport {
		g.rule += "; no drop on volume alone in one import"
	}
	if shopConverts {
		g.rule += fmt.Sprintf(", or ≥ %s views and never a cart", thousands(3*volThr))
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
				fmt.Sprintf("%d views and never a cart or purchase (≥ %s, three times this shop's volume line), in a shop where %.0f%% of users buy or cart",
					u.views, thousands(3*volThr), 100*float64(converting)/float64(len(shapes)))})
		}
	}
	return g
}

// volumeLine is the shop's own far-out line of views, and what it was read
// from, for the rule `train` and the model page print.
type volumeLine struct {
	line           float64 // exp(Q3 + fenceIQR·IQR) of log views; 0 without users to read it from
	users          int     // users with at least minActiveViews views
	median, upperQ float64 // their median and upper-quartile views
}

// farOutViews reads the volume line from the log views of the users with
// at least minActiveViews views: Tukey's far-out fence, the upper quartile
// plus fenceIQR interquartile ranges. Its quartiles are those of the
// shop's returning shoppers, so a crowd of one-view visitors does not
// widen it, and it stays bounded until a quarter of them are machines.
func farOutViews(logs []float64) volumeLine {
	if len(logs) == 0 {
		return volumeLine{}
	}
	x := slices.Clone(logs)
	slices.Sort(x)
	q := func(p float64) float64 { return x[min(len(x)-1, int(p*float64(len(x))))] }
	q1, q3 := q(0.25), q(0.75)
	return volumeLine{line: math.Exp(q3 + fenceIQR*(q3-q1)), users: len(x), median: math.Exp(q(0.5)), upperQ: math.Exp(q3)}
}

// describe says where the line came from, in the merchant's terms.
func (v volumeLine) describe(used float64) string {
	if v.users == 0 {
		return fmt.Sprintf("the floor; no user has %d or more views", minActiveViews)
	}
	from := fmt.Sprintf("its %s users with %d+ views have a median of %s and a quarter above %s",
		thousands(float64(v.users)), minActiveViews, thousands(v.median), thousands(v.upperQ))
	if used > v.line {
		return fmt.Sprintf("the floor; this shop's far-out line is %s: %s", thousands(v.line), from)
	}
	return "this shop's far-out line: " + from
}

// thousands renders a count rounded to a whole number with thousands
// separators: 11649849.4 → "11,649,849".
func thousands(v float64) string {
	s := fmt.Sprintf("%.0f", v)
	if len(s) <= 3 || math.IsInf(v, 0) || math.IsNaN(v) {
		return s
	}
	var b []byte
	for i, c := range []byte(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			b = append(b, ',')
		}
		b = append(b, c)
	}
	return string(b)
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
