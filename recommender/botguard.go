package recommender

import (
	"fmt"
	"math"
	"slices"
	"time"
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
	// minBotViews: the volume line's floor; nobody with fewer views is
	// dropped for volume, whatever the shop's distribution says.
	minBotViews = 1000
	// minRateViews: the rate line's floor of views. Its test needs a
	// machine rate (at least minBotRate events a minute) kept for more
	// than a minute, so it cannot fire below about twice minBotRate;
	// this floor keeps a shop whose shoppers view little from dropping a
	// user whose whole history is a few minutes at that rate.
	minRateViews = 250
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
	// outlierIQR: the least views for the rate rule is Tukey's inner
	// (outlier) fence on the same log views, the upper quartile plus this
	// many interquartile ranges: a machine's rate drops a user whose
	// volume is already an outlier, not only one far out.
	outlierIQR = 1.5
	// machineSpan: a peak rate says "machine" only when the machine rate
	// lasts longer than the one-minute window it is measured on; one
	// burst (an import written at a few dozen rows a second, a client's
	// retry storm) is not a crawl.
	machineSpan = 60
)

type botVerdict struct {
	user   int32
	events int
	reason string
}

// botGuard finds users whose behaviour is a machine's: view-only (never a
// cart or purchase) and either a rate no person browses at, kept for more
// than a minute on a clock fine enough to measure it, with views that are
// an outlier in this shop's own distribution (its inner fence, at least
// minRateViews), or thousands of views far above that distribution (its
// far-out fence, at least minBotViews) and, in a shop whose shoppers do
// buy, three times that line. Purchases, carts, a coarse clock (daily
// exports, one timestamp for a whole batch) or a long imported history
// alone never drop anyone.
type botGuard struct {
	dropped    []botVerdict
	rule       string
	clockNotes []string
}

type userShape struct {
	user          int32
	lo, hi        int // its events are evs[lo:hi]
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
	onMinute := 0
	// A daily export writes each event at midnight of the shop's own
	// time zone: whole days at one UTC offset (offsets are whole quarter
	// hours). atTimeOfDay counts the events at each quarter hour of the
	// UTC day; the most common is the export's midnight.
	var atTimeOfDay [96]int
	for lo := 0; lo < len(evs); {
		hi := lo
		for hi < len(evs) && evs[hi].user == evs[lo].user {
			hi++
		}
		u := userShape{user: evs[lo].user, lo: lo, hi: hi, events: hi - lo}
		w, same := lo, 0
		for k := lo; k < hi; k++ {
			e := evs[k]
			minT, maxT = min(minT, e.unix), max(maxT, e.unix)
			if e.unix%60 == 0 {
				onMinute++
			}
			if e.unix%900 == 0 {
				atTimeOfDay[(e.unix%86400+86400)%86400/900]++
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
	midnight, onDay := 0, 0
	for q, c := range atTimeOfDay {
		if c > onDay {
			midnight, onDay = q, c
		}
	}
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
	case onDay*10 >= n*9 && onFirstOfMonth(evs, midnight)*10 >= n*9:
		fineClock = false
		g.clockNotes = append(g.clockNotes, fmt.Sprintf("timestamps are whole months%s (monthly files): no rate check; decay and trending work by month", utcOffsetText(midnight)))
	case onDay*10 >= n*9:
		fineClock = false
		g.clockNotes = append(g.clockNotes, fmt.Sprintf("timestamps are whole days%s (a daily export): no rate check; decay and trending work by day", utcOffsetText(midnight)))
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
	rateViews := math.Max(minRateViews, vol.outlier)
	rateThr := math.Max(minBotRate, robustUpper(logPeak))
	// Shape only says "machine" in a shop where people do cart or buy.
	// A long history in a file that is one import says nothing of how it
	// was made, so volume alone drops no one there.
	shopConverts := converting*50 >= len(shapes) && !oneImport // ≥ 2% of users
	g.rule = fmt.Sprintf("view-only users with ≥ %s views (%s) and a peak of ≥ %.0f events a minute kept over %d s on a fine clock",
		thousands(rateViews), lineText("outlier line", vol.outlier, rateViews), rateThr, machineSpan)
	if oneImport {
		g.rule += "; no drop on volume alone in one import"
	}
	if shopConverts {
		g.rule += fmt.Sprintf(", or ≥ %s views and never a cart (three times %s, %s)", thousands(3*volThr), thousands(volThr), lineText("far-out line", vol.line, volThr))
	}
	g.rule += vol.describe()
	if !fineClock {
		g.rule += "; clock too coarse for rates"
	}
	for _, u := range shapes {
		if u.strong > 0 {
			continue
		}
		fine := fineClock && u.maxSame < batchStamp
		if fine && float64(u.views) >= rateViews && float64(u.peak) >= rateThr {
			if span := machineRateSpan(evs[u.lo:u.hi], rateThr); span > machineSpan {
				g.dropped = append(g.dropped, botVerdict{u.user, u.events,
					fmt.Sprintf("%d views, no cart or purchase, up to %d events in one minute, ≥ %.0f a minute for %s", u.views, u.peak, rateThr, spanText(span))})
				continue
			}
		}
		if shopConverts && float64(u.views) >= 3*volThr {
			g.dropped = append(g.dropped, botVerdict{u.user, u.events,
				fmt.Sprintf("%d views and never a cart or purchase (≥ %s, three times this shop's volume line), in a shop where %.0f%% of users buy or cart",
					u.views, thousands(3*volThr), 100*float64(converting)/float64(len(shapes)))})
		}
	}
	return g
}

// onFirstOfMonth counts the events at midnight of the first day of a
// month in the time zone whose midnight falls at quarter hour q of the
// UTC day.
func onFirstOfMonth(evs []compactEvent, q int) int {
	off := int64(utcOffsetMinutes(q)) * 60
	n := 0
	for _, e := range evs {
		if local := e.unix + off; (local%86400+86400)%86400 == 0 && time.Unix(local, 0).UTC().Day() == 1 {
			n++
		}
	}
	return n
}

// utcOffsetMinutes is the offset east of UTC of the time zone whose
// midnight falls at quarter hour q of the UTC day.
func utcOffsetMinutes(q int) int {
	off := -q * 15
	if off < -12*60 {
		off += 24 * 60
	}
	return off
}

// utcOffsetText names the time zone whose midnight falls at quarter hour
// q of the UTC day: "" for UTC itself, " at UTC+02:00" for 22:00 UTC.
func utcOffsetText(q int) string {
	if q == 0 {
		return ""
	}
	off := utcOffsetMinutes(q)
	sign := '+'
	if off < 0 {
		sign, off = '-', -off
	}
	return fmt.Sprintf(" at UTC%c%02d:%02d", sign, off/60, off%60)
}

// machineRateSpan is how long one user's events, sorted by time, kept a
// rate of at least rate events a minute: the seconds from the first to
// the last event that closes a 60 s window holding that many.
func machineRateSpan(evs []compactEvent, rate float64) int64 {
	first, last := int64(-1), int64(-1)
	w := 0
	for k, e := range evs {
		for e.unix-evs[w].unix >= 60 {
			w++
		}
		if float64(k-w+1) >= rate {
			if first < 0 {
				first = e.unix
			}
			last = e.unix
		}
	}
	if first < 0 {
		return 0
	}
	return last - first
}

// spanText renders seconds as the merchant reads them: "95 s", "12 min".
func spanText(s int64) string {
	if s < 120 {
		return fmt.Sprintf("%d s", s)
	}
	return fmt.Sprintf("%d min", s/60)
}

// volumeLine is the shop's own far-out line of views, and what it was read
// from, for the rule `train` and the model page print.
type volumeLine struct {
	line           float64 // exp(Q3 + fenceIQR·IQR) of log views; 0 without users to read it from
	outlier        float64 // exp(Q3 + outlierIQR·IQR), the inner fence
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
	return volumeLine{line: math.Exp(q3 + fenceIQR*(q3-q1)), outlier: math.Exp(q3 + outlierIQR*(q3-q1)),
		users: len(x), median: math.Exp(q(0.5)), upperQ: math.Exp(q3)}
}

// lineText says where a line of views came from: the shop's own fence
// (named) or the floor above it.
func lineText(name string, fence, used float64) string {
	if used > fence {
		return fmt.Sprintf("the floor; this shop's %s is %s", name, thousands(fence))
	}
	return "this shop's " + name
}

// describe says which lines were used and what they were read from, in
// the merchant's terms.
func (v volumeLine) describe() string {
	if v.users == 0 {
		return fmt.Sprintf("; the floors: no user has %d or more views", minActiveViews)
	}
	return fmt.Sprintf("; lines from its %s users with %d+ views, a median of %s and a quarter above %s",
		thousands(float64(v.users)), minActiveViews, thousands(v.median), thousands(v.upperQ))
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
