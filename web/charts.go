package web

import (
	"math"
	"strconv"
	"time"

	"storefront/templates"
)

// dayFrame is the plot area of a line chart with one point per day, in SVG
// user units: the chart's size, the room left for the axes' labels, the
// number of days and the value at the top of the y axis.
type dayFrame struct {
	w, h, padL, padR, padT, padB float64
	days                         int
	top                          float64
}

// lineFrame is the frame of the admin's daily line charts (analytics and
// experiments) with room for y labels up to padL wide and, on the right,
// for half of the last day's centred label.
func lineFrame(padL float64, days int, top float64) dayFrame {
	return dayFrame{w: 720, h: 260, padL: padL, padR: 28, padT: 16, padB: 36, days: days, top: top}
}

// x is the horizontal position of day i; a single day sits in the middle.
func (f dayFrame) x(i int) float64 {
	if f.days == 1 {
		return (f.padL + f.w - f.padR) / 2
	}
	return f.padL + (f.w-f.padL-f.padR)*float64(i)/float64(f.days-1)
}

// y is the vertical position of value v.
func (f dayFrame) y(v float64) float64 {
	return f.h - f.padB - (f.h-f.padT-f.padB)*v/f.top
}

// yLabels are five gridlines from 0 to the top, labelled with suffix.
func (f dayFrame) yLabels(suffix string) []templates.ChartLabel {
	var out []templates.ChartLabel
	for i := 0; i <= 4; i++ {
		v := f.top * float64(i) / 4
		label := strconv.FormatFloat(v, 'f', -1, 64)
		if v != math.Trunc(v) {
			label = strconv.FormatFloat(v, 'f', 1, 64)
		}
		out = append(out, templates.ChartLabel{X: f1(f.padL - 6), Y: f1(f.y(v)), Text: label + suffix, X2: f1(f.w - f.padR)})
	}
	return out
}

// xLabels name about seven days from the first, which is day 0.
func (f dayFrame) xLabels(first time.Time) []templates.ChartLabel {
	var out []templates.ChartLabel
	for i := 0; i < f.days; i += max(1, f.days/7) {
		out = append(out, templates.ChartLabel{X: f1(f.x(i)), Y: f1(f.h - f.padB + 20), Text: first.AddDate(0, 0, i).Format("Jan 2")})
	}
	return out
}

func f1(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

// niceMax rounds a maximum up to 1, 2 or 5 × 10ⁿ so the axis reads well.
func niceMax(v float64) float64 {
	if v <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if v <= m*p {
			return m * p
		}
	}
	return 10 * p
}
