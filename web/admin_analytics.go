package web

import (
	"context"
	"encoding/csv"
	"fmt"
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"storefront/models"
	"storefront/shop"
	"storefront/templates"
)

const (
	analyticsDefaultDays = 14
	analyticsMaxDays     = 366
)

// chartColors are distinguishable on white and for common colour blindness
// (Okabe–Ito).
var chartColors = []string{"#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"}

// seriesColor is the colour of the i-th slot in the charts: the palette
// first, then hues spread around the wheel, so every slot has its line.
func seriesColor(i int) string {
	if i < len(chartColors) {
		return chartColors[i]
	}
	return fmt.Sprintf("hsl(%d, 65%%, 38%%)", (i*47)%360)
}

// analyticsRange reads from/to (YYYY-MM-DD, inclusive, days of the shop's
// time zone, in which now is given; returned as those dates at midnight
// UTC); by default the last 14 days including today.
func analyticsRange(c echo.Context, now time.Time) (from, to time.Time, msg string) {
	y, m, d := now.Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	to, from = today, today.AddDate(0, 0, -(analyticsDefaultDays-1))
	if v := c.QueryParam("to"); v != "" {
		t, err := time.Parse(time.DateOnly, v)
		if err != nil {
			return from, to, "Enter dates as YYYY-MM-DD."
		}
		to, from = t, t.AddDate(0, 0, -(analyticsDefaultDays-1))
	}
	if v := c.QueryParam("from"); v != "" {
		t, err := time.Parse(time.DateOnly, v)
		if err != nil {
			return from, to, "Enter dates as YYYY-MM-DD."
		}
		from = t
	}
	if from.After(to) {
		return to.AddDate(0, 0, -(analyticsDefaultDays - 1)), to, "The start must not be after the end."
	}
	if to.Sub(from) > analyticsMaxDays*24*time.Hour {
		return to.AddDate(0, 0, -(analyticsMaxDays - 1)), to, "Showing at most a year."
	}
	return from, to, ""
}

type slotTotals struct {
	key, title                 string
	impressions, clicks, carts int64
	revenue                    float64
}

func ctr(clicks, impressions int64) string {
	if impressions == 0 {
		return "–"
	}
	return strconv.FormatFloat(100*float64(clicks)/float64(impressions), 'f', 1, 64) + "%"
}

func revenueText(ctx context.Context, v float64) string {
	return templates.Price(ctx, int64(math.Round(v*100)))
}

// slotTitle names an event slot key ("s12") after its slot.
func slotTitle(key string, names map[uint]string) string {
	if id, err := strconv.ParseUint(strings.TrimPrefix(key, "s"), 10, 32); err == nil && strings.HasPrefix(key, "s") {
		if n, ok := names[uint(id)]; ok {
			return n
		}
		return "Slot " + key[1:] + " (removed)"
	}
	return key
}

// placeholders stand, in analytics, for what each shopper saw.
var placeholders = shop.TitlePlaceholders

// analyticsData reads the range's rows and names every slot of the
// homepage and of the campaign pages (prefixed with the campaign's name),
// placeholders filled in.
func (s *Server) analyticsData(c echo.Context) (from, to time.Time, msg string, rows []models.SlotDayStat, names map[uint]string, err error) {
	zone := s.shopZone(c)
	from, to, msg = analyticsRange(c, time.Now().In(zone))
	ctx := c.Request().Context()
	// The dates are the shop's days, from its first midnight to the
	// midnight after its last.
	midnight := func(t time.Time) time.Time { return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, zone) }
	if rows, err = s.db.SlotAnalytics(ctx, midnight(from), midnight(to.AddDate(0, 0, 1)), zone); err != nil {
		return
	}
	pages := []models.Page{{Key: models.HomePage}}
	camps, err := s.db.CampaignPages(ctx)
	if err != nil {
		return
	}
	names = map[uint]string{}
	for _, p := range append(pages, camps...) {
		slots, err2 := s.db.SlotTitles(ctx, p.Key)
		if err2 != nil {
			return from, to, msg, nil, nil, err2
		}
		for id, sl := range slots {
			n := sl.Type
			if sl.Title != "" {
				n = placeholders.Replace(sl.Title)
			}
			if p.Title != "" {
				n = p.Title + ": " + n
			}
			names[id] = n
		}
	}
	return
}

// adminAnalytics shows per-slot and per-day engagement with two charts.
func (s *Server) adminAnalytics(c echo.Context) error {
	from, to, msg, rows, names, err := s.analyticsData(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	vm := templates.AdminAnalyticsPage{AdminBase: s.adminBase(c, "Analytics", "analytics"),
		From: from.Format(time.DateOnly), To: to.Format(time.DateOnly), Error: msg,
		Zone: s.shopZone(c).String()}
	vm.CSV = "/admin/analytics.csv?from=" + vm.From + "&to=" + vm.To
	byKey := map[string]*slotTotals{}
	var order []*slotTotals
	var total float64
	for _, r := range rows {
		t := byKey[r.Slot]
		if t == nil {
			t = &slotTotals{key: r.Slot, title: slotTitle(r.Slot, names)}
			byKey[r.Slot] = t
			order = append(order, t)
		}
		t.impressions += r.Impressions
		t.clicks += r.Clicks
		t.carts += r.Carts
		t.revenue += r.Revenue
		vm.Days = append(vm.Days, templates.AnalyticsRow{Day: r.Day, Slot: r.Slot, Title: t.title, Impressions: r.Impressions,
			Clicks: r.Clicks, CTR: ctr(r.Clicks, r.Impressions), Carts: r.Carts, Revenue: revenueText(ctx, r.Revenue)})
	}
	sort.SliceStable(order, func(i, j int) bool {
		if order[i].impressions != order[j].impressions {
			return order[i].impressions > order[j].impressions
		}
		return order[i].clicks > order[j].clicks
	})
	sort.SliceStable(vm.Days, func(i, j int) bool {
		if vm.Days[i].Day != vm.Days[j].Day {
			return vm.Days[i].Day > vm.Days[j].Day
		}
		return vm.Days[i].Title < vm.Days[j].Title
	})
	color := map[string]string{}
	for i, t := range order {
		color[t.key] = seriesColor(i)
		vm.Total.Impressions += t.impressions
		vm.Total.Clicks += t.clicks
		vm.Total.Carts += t.carts
		total += t.revenue
		vm.Totals = append(vm.Totals, templates.AnalyticsRow{Slot: t.key, Title: t.title, Impressions: t.impressions, Clicks: t.clicks,
			CTR: ctr(t.clicks, t.impressions), Carts: t.carts, Revenue: revenueText(ctx, t.revenue), Color: color[t.key]})
	}
	vm.Total.CTR, vm.Total.Revenue = ctr(vm.Total.Clicks, vm.Total.Impressions), revenueText(ctx, total)
	vm.Clicks = clicksChart(from, to, rows, order, color)
	vm.Impressions = impressionsChart(order, color)
	return render(c, http.StatusOK, templates.AdminAnalytics(vm))
}

// padTop is the room above the first bar of the analytics bar chart.
const padTop = 16.0

// clicksChart draws daily clicks per slot as lines, one per busiest slot.
func clicksChart(from, to time.Time, rows []models.SlotDayStat, order []*slotTotals, color map[string]string) templates.LineChart {
	days := int(to.Sub(from).Hours()/24) + 1
	ch := templates.LineChart{Title: "Clicks per day by slot"}
	dayIndex := map[string]int{}
	for i := 0; i < days; i++ {
		dayIndex[from.AddDate(0, 0, i).Format(time.DateOnly)] = i
	}
	series := map[string][]float64{}
	maxV := 0.0
	for _, r := range rows {
		if color[r.Slot] == "" {
			continue
		}
		if series[r.Slot] == nil {
			series[r.Slot] = make([]float64, days)
		}
		if i, ok := dayIndex[r.Day]; ok {
			series[r.Slot][i] += float64(r.Clicks)
			maxV = math.Max(maxV, series[r.Slot][i])
		}
	}
	if maxV == 0 {
		ch.Empty = true
		return ch
	}
	fr := lineFrame(48, days, niceMax(maxV))
	x, y := fr.x, fr.y
	ch.Width, ch.Height = f1(fr.w), f1(fr.h)
	ch.YLabels, ch.XLabels = fr.yLabels(""), fr.xLabels(from)
	for _, t := range order {
		vals := series[t.key]
		if vals == nil {
			continue
		}
		sr := templates.ChartSeries{Name: t.title, Color: color[t.key]}
		var pts []string
		for i, v := range vals {
			pts = append(pts, f1(x(i))+","+f1(y(v)))
			if v > 0 {
				sr.Dots = append(sr.Dots, templates.ChartLabel{X: f1(x(i)), Y: f1(y(v)), Text: fmt.Sprintf("%s, %s: %d clicks", t.title, from.AddDate(0, 0, i).Format("Jan 2"), int64(v))})
			}
		}
		sr.Points = strings.Join(pts, " ")
		ch.Series = append(ch.Series, sr)
	}
	return ch
}

// impressionsChart draws total impressions per slot as horizontal bars.
func impressionsChart(order []*slotTotals, color map[string]string) templates.BarChart {
	const rowH, labelW, barW = 28.0, 170.0, 480.0
	ch := templates.BarChart{Title: "Impressions by slot"}
	maxV := 0.0
	for _, t := range order {
		maxV = math.Max(maxV, float64(t.impressions))
	}
	if maxV == 0 {
		ch.Empty = true
		return ch
	}
	h := padTop + rowH*float64(len(order)) + 8
	ch.Width, ch.Height = f1(barW), f1(h)
	for i, t := range order {
		y := padTop + rowH*float64(i)
		w := (barW - labelW - 60) * float64(t.impressions) / maxV
		c := color[t.key]
		if c == "" {
			c = "#8a948f"
		}
		title := t.title
		if r := []rune(title); len(r) > 20 {
			title = string(r[:19]) + "…"
		}
		ch.Bars = append(ch.Bars, templates.ChartBar{X: f1(labelW), Y: f1(y + 3), W: f1(math.Max(w, 1)), H: f1(rowH - 8),
			LabelX: f1(labelW - 8), TextY: f1(y + rowH/2 + 4), Label: title, ValueX: f1(labelW + w + 6),
			Value: strconv.FormatInt(t.impressions, 10), Color: c})
	}
	return ch
}

// adminAnalyticsCSV exports the per-slot, per-day figures.
func (s *Server) adminAnalyticsCSV(c echo.Context) error {
	from, to, msg, rows, names, err := s.analyticsData(c)
	if err != nil {
		return err
	}
	if msg != "" {
		return echo.NewHTTPError(http.StatusBadRequest, msg)
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	h.Set(echo.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="slot-analytics-%s-to-%s.csv"`, from.Format(time.DateOnly), to.Format(time.DateOnly)))
	c.Response().WriteHeader(http.StatusOK)
	w := csv.NewWriter(c.Response())
	_ = w.Write([]string{"day", "slot", "slot_title", "impressions", "clicks", "ctr", "add_to_carts", "revenue"})
	for _, r := range rows {
		rate := ""
		if r.Impressions > 0 {
			rate = strconv.FormatFloat(float64(r.Clicks)/float64(r.Impressions), 'f', 4, 64)
		}
		_ = w.Write(csvSafeRow(r.Day, r.Slot, slotTitle(r.Slot, names), strconv.FormatInt(r.Impressions, 10),
			strconv.FormatInt(r.Clicks, 10), rate, strconv.FormatInt(r.Carts, 10), strconv.FormatFloat(r.Revenue, 'f', 2, 64)))
	}
	w.Flush()
	return w.Error()
}

// csvSafeRow guards every cell: text columns (the slot comes from the
// events API) can hold anything, and a guarded number is still readable.
func csvSafeRow(cells ...string) []string {
	for i, v := range cells {
		cells[i] = csvSafe(v)
	}
	return cells
}

// csvSafe stops a spreadsheet from running a cell as a formula.
func csvSafe(v string) string { return models.GuardCSVCell(v) }
