package web

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"storefront/models"
	"storefront/templates"
)

// Experiment charts, drawn by the server as SVG: conversion per day of each
// arm and the control group, and each arm's uplift over the control group
// with its 95 % interval.

// expPadT is the room above the uplift chart's first row.
const expPadT = 16.0

// conversionChart draws each arm's conversion so far, day by day: of the
// visitors who arrived up to that day, the share who bought. The lines
// settle as visitors come, which shows why an early lead means little; the
// last point is the conversion of the results table.
func conversionChart(e *models.Experiment, from, to time.Time, rows []models.ArmDay) templates.LineChart {
	ch := templates.LineChart{Title: "Conversion so far, by day"}
	start := from.UTC().Truncate(24 * time.Hour)
	days := int(to.UTC().Sub(start).Hours()/24) + 1
	if days > 400 {
		start, days = to.UTC().Truncate(24*time.Hour).AddDate(0, 0, -399), 400
	}
	index := map[string]int{}
	for i := range days {
		index[start.AddDate(0, 0, i).Format(time.DateOnly)] = i
	}
	type series struct {
		name, color string
		visitors    []int64
		buyers      []int64
	}
	order := []string{}
	byArm := map[string]*series{}
	add := func(label, name, color string) {
		byArm[label] = &series{name: name, color: color, visitors: make([]int64, days), buyers: make([]int64, days)}
		order = append(order, label)
	}
	for i, a := range e.Arms {
		add(a.Label(), a.Name, chartColors[i%len(chartColors)])
	}
	add(models.ArmLabelControl, "Control group", controlColor)
	for _, r := range rows {
		sr, ok := byArm[r.Arm]
		i, inRange := index[r.Day]
		if ok && inRange {
			sr.visitors[i] += r.Visitors
			sr.buyers[i] += r.Buyers
		}
	}
	maxV := 0.0
	for _, sr := range byArm {
		for i := 1; i < days; i++ {
			sr.visitors[i] += sr.visitors[i-1]
			sr.buyers[i] += sr.buyers[i-1]
		}
		for i := range sr.visitors {
			if sr.visitors[i] > 0 {
				maxV = math.Max(maxV, float64(sr.buyers[i])/float64(sr.visitors[i]))
			}
		}
	}
	if maxV == 0 {
		ch.Empty = true
		return ch
	}
	fr := lineFrame(56, days, niceMax(maxV*100)) // percent
	x, y := fr.x, fr.y
	ch.Width, ch.Height = f1(fr.w), f1(fr.h)
	ch.YLabels, ch.XLabels = fr.yLabels(" %"), fr.xLabels(start)
	for _, label := range order {
		sr := byArm[label]
		out := templates.ChartSeries{Name: sr.name, Color: sr.color}
		var pts []string
		for i := range sr.visitors {
			if sr.visitors[i] == 0 {
				continue
			}
			rate := 100 * float64(sr.buyers[i]) / float64(sr.visitors[i])
			pts = append(pts, f1(x(i))+","+f1(y(rate)))
			out.Dots = append(out.Dots, templates.ChartLabel{X: f1(x(i)), Y: f1(y(rate)),
				Text: fmt.Sprintf("%s, visitors up to %s: %.1f %% of %d bought", sr.name, start.AddDate(0, 0, i).Format("Jan 2"), rate, sr.visitors[i])})
		}
		if len(pts) == 0 {
			continue
		}
		out.Points = strings.Join(pts, " ")
		ch.Series = append(ch.Series, out)
	}
	return ch
}

// upliftChart draws each arm's conversion uplift over the control group as
// a point with its interval, around a line at no change.
func upliftChart(arms []templates.ArmResult) templates.ForestChart {
	const rowH, labelW, w = 34.0, 150.0, 480.0
	ch := templates.ForestChart{Title: "Conversion uplift over the control group, 95 % intervals", Width: f1(w)}
	lo, hi := 0.0, 0.0
	for _, a := range arms {
		if u := a.ConversionUplift; u.Known {
			lo, hi = math.Min(lo, u.Low), math.Max(hi, u.High)
		}
	}
	if lo == 0 && hi == 0 {
		ch.Empty = true
		return ch
	}
	// Symmetric-ish axis in steps of a nice percentage.
	span := niceMax(math.Max(-lo, hi) * 100)
	lo, hi = -span/100, span/100
	plotL, plotR := labelW, w-24
	x := func(v float64) float64 { return plotL + (plotR-plotL)*(v-lo)/(hi-lo) }
	h := expPadT + rowH*float64(len(arms)) + 28
	ch.Height = f1(h)
	ch.ZeroX, ch.Top, ch.Bottom = f1(x(0)), f1(expPadT-4), f1(h-24)
	for i := -2; i <= 2; i++ {
		v := hi * float64(i) / 2
		label := strconv.FormatFloat(100*v, 'f', -1, 64) + " %"
		if v > 0 {
			label = "+" + label
		}
		ch.Ticks = append(ch.Ticks, templates.ChartLabel{X: f1(x(v)), Y: f1(h - 8), Text: label})
	}
	for i, a := range arms {
		yc := expPadT + rowH*float64(i) + rowH/2
		r := templates.ForestRow{Label: a.Name, Y: f1(yc), TextY: f1(yc + 4), LabelX: f1(labelW - 10), Color: a.Color}
		if u := a.ConversionUplift; u.Known {
			r.X, r.X1, r.X2 = f1(x(u.Raw)), f1(x(math.Max(u.Low, lo))), f1(x(math.Min(u.High, hi)))
			r.Text = fmt.Sprintf("%s: %s (%s)", a.Name, u.Value, u.CI)
			r.Known = true
		}
		ch.Rows = append(ch.Rows, r)
	}
	return ch
}
