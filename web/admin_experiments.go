package web

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"storefront/models"
	"storefront/recommender"
	"storefront/shop"
	"storefront/templates"
)

// Experiments: the list with the control group's setting, the form that
// creates one, and per experiment its results with start, stop and promote.

const (
	// defaultBaselinePercent is the expected conversion offered when the
	// shop has no measured figure yet.
	defaultBaselinePercent = 3.0
	defaultMDEPercent      = 10.0
	// personalizationWindow is how far back the admin index compares
	// personalization with the control group.
	personalizationWindow = 90 * 24 * time.Hour
)

// resultsCache keeps computed experiment figures: aggregating an
// experiment's events takes a second or two on a large shop, and a
// finished experiment's figures no longer change.
type resultsCache struct {
	mu sync.Mutex
	m  map[string]cachedResults
}

type cachedResults struct {
	until   time.Time
	results templates.ExperimentResults
	index   templates.AdminIndexPage
}

// How long figures are kept: a running experiment's move, a finished one's
// do not (only event retention could remove its events).
const (
	runningResultsTTL  = 30 * time.Second
	finishedResultsTTL = 10 * time.Minute
	overviewTTL        = 2 * time.Minute
	maxCachedResults   = 64
)

func (rc *resultsCache) get(key string, now time.Time) (cachedResults, bool) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	r, ok := rc.m[key]
	return r, ok && now.Before(r.until)
}

func (rc *resultsCache) put(key string, r cachedResults) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if rc.m == nil || len(rc.m) >= maxCachedResults {
		rc.m = map[string]cachedResults{}
	}
	rc.m[key] = r
}

// experimentsChanged follows a start, stop, promotion or new control share:
// assignments are read again and no figures are kept.
func (s *Server) experimentsChanged() {
	s.shop.ExperimentsChanged()
	s.expResults.mu.Lock()
	s.expResults.m = nil
	s.expResults.mu.Unlock()
}

// adminExperiments lists experiments and the control group's share.
func (s *Server) adminExperiments(c echo.Context) error {
	return s.renderExperiments(c, http.StatusOK, "", "")
}

func (s *Server) renderExperiments(c echo.Context, status int, controlValue, controlErr string) error {
	ctx := c.Request().Context()
	es, err := s.db.Experiments(ctx)
	if err != nil {
		return err
	}
	pct, err := s.db.ControlPercent(ctx)
	if err != nil {
		return err
	}
	if controlValue == "" {
		controlValue = strconv.FormatFloat(pct, 'f', -1, 64)
	}
	vm := templates.AdminExperimentsPage{AdminBase: s.adminBase(c, "Experiments", "experiments"),
		ControlPercent: controlValue, ControlError: controlErr, ControlNow: strconv.FormatFloat(pct, 'f', -1, 64)}
	for _, e := range es {
		row := templates.ExperimentRow{ID: e.ID, Name: e.Name, Kind: kindLabel(e.Kind), Status: e.Status,
			Created: templates.LocalDate(c.Request().Context(), e.CreatedAt), Arms: len(e.Arms)}
		if e.StartedAt != nil {
			row.Period = templates.LocalDay(c.Request().Context(), *e.StartedAt) + " – "
			if e.StoppedAt != nil {
				row.Period += templates.LocalDate(c.Request().Context(), *e.StoppedAt)
			} else {
				row.Period += "now"
			}
		}
		vm.Experiments = append(vm.Experiments, row)
	}
	return render(c, status, templates.AdminExperiments(vm))
}

func kindLabel(kind string) string {
	if kind == models.ExperimentStrategy {
		return "Slot strategy"
	}
	return "Layout"
}

// adminControlGroup sets the control group's share of visitors.
func (s *Server) adminControlGroup(c echo.Context) error {
	raw := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(c.FormValue("control_percent")), "%"))
	v, err := strconv.ParseFloat(strings.ReplaceAll(raw, ",", "."), 64)
	// !(v >= 0) refuses NaN too, which passes every comparison.
	if err != nil || !(v >= 0) || v > models.MaxControlPercent || len(raw) > 8 {
		return s.renderExperiments(c, http.StatusUnprocessableEntity, raw,
			fmt.Sprintf("Enter a share between 0 and %.0f %%, e.g. 5 or 2.5 (0 turns the control group off).", models.MaxControlPercent))
	}
	v = float64(int(v*100+0.5)) / 100 // hash buckets are 0.01 %
	ctx := c.Request().Context()
	if err := s.db.SetSetting(ctx, staffName(c), models.SettingControlPercent, strconv.FormatFloat(v, 'f', -1, 64)); err != nil {
		return err
	}
	s.experimentsChanged()
	if v == 0 {
		s.flash(c, "The control group is off: every visitor gets the personalized page.")
	} else {
		s.flash(c, fmt.Sprintf("%s %% of visitors are now in the control group.", strconv.FormatFloat(v, 'f', -1, 64)))
	}
	return c.Redirect(http.StatusSeeOther, "/admin/experiments")
}

// experimentFormPage is the create form's page showing f, what was typed,
// again beside errs.
func (s *Server) experimentFormPage(c echo.Context, f templates.ExperimentForm, errs map[string]string) (templates.AdminExperimentNewPage, error) {
	ctx := c.Request().Context()
	vm := templates.AdminExperimentNewPage{AdminBase: s.adminBase(c, "New experiment", "experiments"), Form: f, Errors: errs}
	vm.Sources = append(vm.Sources, templates.Option{Value: models.ArmLive, Label: "Layout: the live homepage"},
		templates.Option{Value: models.ArmDraft, Label: "Layout: the draft as it is now"})
	vs, _, err := s.db.Versions(ctx, models.HomePage)
	if err != nil {
		return vm, err
	}
	for i, v := range vs {
		if i == 20 {
			break
		}
		vm.Sources = append(vm.Sources, templates.Option{Value: models.ArmVersionPrefix + strconv.FormatUint(uint64(v.ID), 10),
			Label: fmt.Sprintf("Layout: version %d of %s", v.Number, templates.LocalDate(c.Request().Context(), v.CreatedAt))})
	}
	seen := map[recommender.Strategy]bool{}
	vm.Sources = append(vm.Sources, templates.Option{Value: models.ArmStrategyPrefix, Label: "Strategy: the slot type's own rule"})
	for _, k := range recommender.SlotKinds() {
		for _, st := range k.Strategies() {
			if !seen[st] {
				seen[st] = true
				vm.Sources = append(vm.Sources, templates.Option{Value: models.ArmStrategyPrefix + st.String(), Label: "Strategy: " + st.Label()})
			}
		}
	}
	slots, err := s.shop.PublishedHome(ctx)
	if err != nil {
		return vm, err
	}
	vm.Slots = append(vm.Slots, templates.Option{Value: "", Label: "— only for strategy arms —"})
	for _, sl := range slots {
		kind, _ := recommender.ParseSlotKind(sl.Type)
		if len(kind.Strategies()) == 0 {
			continue
		}
		title := sl.Title
		if title == "" {
			title = kind.Label()
		}
		vm.Slots = append(vm.Slots, templates.Option{Value: strconv.FormatUint(uint64(sl.ID), 10), Label: title + " (" + kind.Label() + ")"})
	}
	return vm, nil
}

// adminExperimentNew shows the create form, with the shop's recent
// conversion as the expected baseline.
func (s *Server) adminExperimentNew(c echo.Context) error {
	ctx := c.Request().Context()
	base := defaultBaselinePercent
	now := time.Now()
	if all, err := s.db.ArmResultsExcept(ctx, "all", now.Add(-personalizationWindow), now); err == nil && all.Visitors >= 100 && all.Buyers > 0 {
		base = 100 * float64(all.Buyers) / float64(all.Visitors)
	}
	f := templates.ExperimentForm{MDE: strconv.FormatFloat(defaultMDEPercent, 'f', -1, 64), Baseline: strconv.FormatFloat(round2(base), 'f', -1, 64)}
	f.Arms = []templates.ArmForm{{Name: "A", Source: models.ArmLive, Weight: "50"}, {Name: "B", Source: models.ArmDraft, Weight: "50"}, {}, {}}
	vm, err := s.experimentFormPage(c, f, nil)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, templates.AdminExperimentNew(vm))
}

func round2(v float64) float64 { return float64(int(v*100+0.5)) / 100 }

// parsePercent reads a percentage field ("10", "2,5", "3 %").
func parsePercent(v string) (float64, bool) {
	v = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "%"))
	if len(v) > 12 {
		return 0, false
	}
	f, err := strconv.ParseFloat(strings.ReplaceAll(v, ",", "."), 64)
	// "NaN" and "Inf" parse, and NaN passes every range check.
	return f, err == nil && !math.IsNaN(f) && !math.IsInf(f, 0)
}

// adminExperimentCreate stores a new experiment as a draft.
func (s *Server) adminExperimentCreate(c echo.Context) error {
	f := templates.ExperimentForm{Name: c.FormValue("name"), Slot: c.FormValue("slot"), MDE: c.FormValue("mde"), Baseline: c.FormValue("baseline")}
	e := &models.Experiment{Name: f.Name, Kind: models.ExperimentLayout}
	errs := map[string]string{}
	if v, ok := parsePercent(f.MDE); ok {
		e.MDEPercent = v
	} else {
		errs["mde"] = "Enter the minimum detectable effect as a percentage, e.g. 10."
	}
	if v, ok := parsePercent(f.Baseline); ok {
		e.BaselineRate = v / 100
	} else {
		errs["baseline"] = "Enter the expected conversion as a percentage, e.g. 3.5."
	}
	if f.Slot != "" {
		id, err := strconv.ParseUint(f.Slot, 10, 32)
		if err != nil {
			errs["slot"] = "Choose a slot from the list."
		}
		e.SlotID = uint(id)
	}
	for i := 1; i <= models.MaxExperimentArms; i++ {
		n := strconv.Itoa(i)
		af := templates.ArmForm{Name: strings.TrimSpace(c.FormValue("arm" + n + "_name")), Source: c.FormValue("arm" + n + "_source"),
			Weight: strings.TrimSpace(c.FormValue("arm" + n + "_weight"))}
		f.Arms = append(f.Arms, af)
		if af.Source == "" {
			continue
		}
		w := 50
		if af.Weight != "" {
			v, err := strconv.Atoi(af.Weight)
			if err != nil {
				errs["arm"+n+"_weight"] = "Enter a whole number between 1 and 100."
			}
			w = v
		}
		if strings.HasPrefix(af.Source, models.ArmStrategyPrefix) {
			e.Kind = models.ExperimentStrategy
		}
		e.Arms = append(e.Arms, models.ExperimentArm{Name: af.Name, Source: af.Source, Weight: w})
	}
	ctx := c.Request().Context()
	if len(errs) == 0 {
		err := s.db.CreateExperiment(ctx, staffName(c), e)
		if errs, err = fieldErrors(err); err != nil {
			return err
		}
	}
	if len(errs) > 0 {
		// Arm errors name the arm among the filled ones; map them back to
		// the form's rows.
		errs = armRowErrors(errs, f.Arms)
		vm, err := s.experimentFormPage(c, f, errs)
		if err != nil {
			return err
		}
		return render(c, http.StatusUnprocessableEntity, templates.AdminExperimentNew(vm))
	}
	s.flash(c, fmt.Sprintf("Experiment %q created. Start it when you are ready.", e.Name))
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/admin/experiments/%d", e.ID))
}

// armRowErrors renames "armN" errors, which count filled arms only, to the
// form row they came from.
func armRowErrors(errs map[string]string, rows []templates.ArmForm) map[string]string {
	out := map[string]string{}
	filled := 0
	index := map[int]int{}
	for i, r := range rows {
		if r.Source != "" {
			filled++
			index[filled] = i + 1
		}
	}
	for k, v := range errs {
		if rest, ok := strings.CutPrefix(k, "arm"); ok && k != "arms" {
			num, suffix, _ := strings.Cut(rest, "_")
			if n, err := strconv.Atoi(num); err == nil && index[n] != 0 && suffix != "weight" {
				k = "arm" + strconv.Itoa(index[n])
			}
		}
		out[k] = v
	}
	return out
}

func experimentID(c echo.Context) (uint, error) {
	id, err := strconv.ParseUint(c.Param("id"), 10, 32)
	if err != nil {
		return 0, echo.NewHTTPError(http.StatusNotFound, "No such experiment.")
	}
	return uint(id), nil
}

// adminExperimentStart starts a draft experiment.
func (s *Server) adminExperimentStart(c echo.Context) error {
	id, err := experimentID(c)
	if err != nil {
		return err
	}
	err = s.db.StartExperiment(c.Request().Context(), staffName(c), id)
	switch {
	case errors.Is(err, models.ErrExperimentRunning):
		s.flash(c, "Another experiment is running. Stop it before starting this one: a visitor is in one experiment at a time.")
	case errors.Is(err, models.ErrConflict):
		s.flash(c, "Only a draft experiment can be started.")
	case err != nil:
		return err
	default:
		s.experimentsChanged()
		s.flash(c, "Experiment started: visitors outside the control group are now split between its arms.")
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/admin/experiments/%d", id))
}

// adminExperimentStop stops a running experiment.
func (s *Server) adminExperimentStop(c echo.Context) error {
	id, err := experimentID(c)
	if err != nil {
		return err
	}
	err = s.db.StopExperiment(c.Request().Context(), staffName(c), id)
	switch {
	case errors.Is(err, models.ErrConflict):
		s.flash(c, "The experiment is not running.")
	case err != nil:
		return err
	default:
		s.experimentsChanged()
		s.flash(c, "Experiment stopped: every visitor outside the control group gets the live page again. Its results are final.")
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/admin/experiments/%d", id))
}

// adminExperimentPromote publishes an arm's page. Before the horizon, or
// for an arm that is not the declared winner, it asks for an explicit
// confirmation first.
func (s *Server) adminExperimentPromote(c echo.Context) error {
	id, err := experimentID(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	e, err := s.db.ExperimentByID(ctx, id)
	if err != nil {
		return err
	}
	armID, _ := strconv.ParseUint(c.FormValue("arm"), 10, 32)
	var arm *models.ExperimentArm
	for i := range e.Arms {
		if e.Arms[i].ID == uint(armID) {
			arm = &e.Arms[i]
		}
	}
	if arm == nil {
		return s.renderExperiment(c, http.StatusUnprocessableEntity, e, "Choose the arm to publish.")
	}
	res, err := s.experimentResults(c, e)
	if err != nil {
		return err
	}
	if !(res.Reached && res.WinnerID == arm.ID) && c.FormValue("confirm") != "1" {
		why := "The experiment has not reached its sample size: the difference may be chance."
		if res.Reached {
			why = "This arm is not a significant winner: the difference may be chance."
		}
		return s.renderExperiment(c, http.StatusUnprocessableEntity, e, why+" Tick the confirmation to publish it anyway.")
	}
	published, err := s.shop.PublishedHome(ctx)
	if err != nil {
		return err
	}
	slots, err := models.ArmLayout(e, arm, published)
	if err != nil {
		return err
	}
	v, err := s.db.PromoteArm(ctx, staffName(c), e.ID, arm.ID, slots)
	if errors.Is(err, models.ErrConflict) {
		return s.renderExperiment(c, http.StatusConflict, e, "Only a running or stopped experiment can be promoted; this one is "+e.Status+".")
	}
	if err != nil {
		return err
	}
	s.layoutChanged()
	s.experimentsChanged()
	s.flash(c, fmt.Sprintf("%q is live: published as version %d, and the draft now matches it.", arm.Name, v.Number))
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/admin/experiments/%d", id))
}

// adminExperiment shows an experiment's results.
func (s *Server) adminExperiment(c echo.Context) error {
	id, err := experimentID(c)
	if err != nil {
		return err
	}
	e, err := s.db.ExperimentByID(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return s.renderExperiment(c, http.StatusOK, e, "")
}

func (s *Server) renderExperiment(c echo.Context, status int, e *models.Experiment, promoteErr string) error {
	res, err := s.experimentResults(c, e)
	if err != nil {
		return err
	}
	vm := templates.AdminExperimentPage{AdminBase: s.adminBase(c, e.Name, "experiments"), Results: res, PromoteError: promoteErr}
	return render(c, status, templates.AdminExperiment(vm))
}

// adminIndex is the admin's start page: personalization against the
// control group, and the experiment now running.
func (s *Server) adminIndex(c echo.Context) error {
	ctx := c.Request().Context()
	now := time.Now()
	base := s.adminBase(c, "Overview", "overview")
	if r, ok := s.expResults.get("overview", now); ok {
		vm := r.index
		vm.AdminBase = base
		return render(c, http.StatusOK, templates.AdminIndex(vm))
	}
	from := now.Add(-personalizationWindow)
	all, err := s.db.ArmResultsExcept(ctx, "personalized", from, now)
	if err != nil {
		return err
	}
	ctl, err := s.db.ArmResults(ctx, []string{models.ArmLabelControl}, from, now)
	if err != nil {
		return err
	}
	control := models.ArmStats{Arm: models.ArmLabelControl}
	if len(ctl) > 0 {
		control = ctl[0]
	}
	pct, err := s.db.ControlPercent(ctx)
	if err != nil {
		return err
	}
	vm := templates.AdminIndexPage{AdminBase: base, Since: templates.LocalDate(ctx, from),
		ControlPercent: strconv.FormatFloat(pct, 'f', -1, 64)}
	ctlRow := armRow(ctx, "Control group (not personalized)", control, nil)
	persRow := armRow(ctx, "Personalized", all, &control)
	persRow.Color, ctlRow.Color = chartColors[0], controlColor
	vm.Rows = []templates.ArmResult{persRow, ctlRow}
	vm.HasData = all.Visitors > 0 && control.Visitors > 0
	vm.Uplift = persRow.ConversionUplift
	vm.RPVUplift = persRow.RPVUplift
	if run, err := s.db.RunningExperiment(ctx); err != nil {
		return err
	} else if run != nil {
		vm.Running = &templates.ExperimentRow{ID: run.ID, Name: run.Name, Kind: kindLabel(run.Kind), Status: run.Status, Arms: len(run.Arms)}
	}
	s.expResults.put("overview", cachedResults{until: now.Add(overviewTTL), index: vm})
	return render(c, http.StatusOK, templates.AdminIndex(vm))
}

// experimentResults returns an experiment's figures, from the cache while
// fresh.
func (s *Server) experimentResults(c echo.Context, e *models.Experiment) (templates.ExperimentResults, error) {
	now := time.Now()
	key := fmt.Sprintf("exp/%d/%s", e.ID, e.Status)
	if r, ok := s.expResults.get(key, now); ok {
		return r.results, nil
	}
	res, err := s.computeExperimentResults(c, e)
	if err != nil {
		return res, err
	}
	ttl := finishedResultsTTL
	if e.Status == models.ExperimentRunning {
		ttl = runningResultsTTL
	}
	s.expResults.put(key, cachedResults{until: now.Add(ttl), results: res})
	return res, nil
}

// computeExperimentResults computes an experiment's figures per arm and the
// control group over the time it ran.
func (s *Server) computeExperimentResults(c echo.Context, e *models.Experiment) (templates.ExperimentResults, error) {
	ctx := c.Request().Context()
	res := templates.ExperimentResults{ID: e.ID, Name: e.Name, Kind: kindLabel(e.Kind), Status: e.Status,
		MDE: strconv.FormatFloat(e.MDEPercent, 'f', -1, 64) + " %", Baseline: pctText(e.BaselineRate, 2),
		CanStart: e.Status == models.ExperimentDraft, CanStop: e.Status == models.ExperimentRunning,
		CanPromote: e.Status == models.ExperimentRunning || e.Status == models.ExperimentStopped}
	if e.Kind == models.ExperimentStrategy {
		if sl, err := s.db.SlotByID(ctx, e.SlotID); err == nil {
			res.Slot = sl.Title
			if res.Slot == "" {
				res.Slot = sl.Type
			}
		} else {
			res.Slot = fmt.Sprintf("slot %d (removed)", e.SlotID)
		}
	}
	n := shop.SampleSize(e.BaselineRate, e.MDEPercent/100)
	res.SampleSize = n
	labels := []string{models.ArmLabelControl}
	for _, a := range e.Arms {
		labels = append(labels, a.Label())
	}
	var stats map[string]models.ArmStats
	if e.StartedAt != nil {
		res.Period = templates.LocalTime(ctx, *e.StartedAt) + " – "
		if e.StoppedAt != nil {
			res.Period += templates.LocalTime(ctx, *e.StoppedAt)
		} else {
			res.Period += "now"
		}
		from, to := *e.StartedAt, e.Horizon(time.Now()).Add(time.Second)
		rows, err := s.db.ArmResults(ctx, labels, from, to)
		if err != nil {
			return res, err
		}
		stats = map[string]models.ArmStats{}
		for _, r := range rows {
			stats[r.Arm] = r
		}
		days, err := s.db.ArmDays(ctx, labels, from, to)
		if err != nil {
			return res, err
		}
		res.Chart = conversionChart(e, from, to, days)
	}
	control := stats[models.ArmLabelControl]
	control.Arm = models.ArmLabelControl
	minVisitors := int64(-1)
	type scored struct {
		id uint
		s  shop.Sample
	}
	var arms []scored
	for i, a := range e.Arms {
		st := stats[a.Label()]
		row := armRow(ctx, a.Name, st, &control)
		row.ID, row.Source, row.Weight, row.Color = a.ID, sourceLabel(a.Source), strconv.Itoa(a.Weight), chartColors[i%len(chartColors)]
		row.Promoted = e.PromotedArmID != nil && *e.PromotedArmID == a.ID
		res.Arms = append(res.Arms, row)
		if minVisitors < 0 || st.Visitors < minVisitors {
			minVisitors = st.Visitors
		}
		arms = append(arms, scored{a.ID, shop.RateSample(st.Buyers, st.Visitors)})
	}
	ctlRow := armRow(ctx, "Control group", control, nil)
	ctlRow.Source, ctlRow.Color = "Not personalized", controlColor
	res.Control = ctlRow
	res.MinVisitors = max(minVisitors, 0)
	if n > 0 {
		res.Progress = min(100, int(100*res.MinVisitors/n))
	}
	res.Reached = n > 0 && res.MinVisitors >= n
	if res.Reached && len(arms) >= 2 {
		best, second := 0, 1
		if arms[second].s.Mean > arms[best].s.Mean {
			best, second = second, best
		}
		for i := 2; i < len(arms); i++ {
			switch {
			case arms[i].s.Mean > arms[best].s.Mean:
				best, second = i, best
			case arms[i].s.Mean > arms[second].s.Mean:
				second = i
			}
		}
		d := shop.Difference(arms[best].s, arms[second].s)
		if d.Low > 0 {
			res.WinnerID = arms[best].id
			res.Winner = e.Arms[best].Name
		}
	}
	res.Forest = upliftChart(res.Arms)
	return res, nil
}

// controlColor draws the control group in charts.
const controlColor = "#5f6b65"

// armRow is an arm's figures as the page shows them; against, when given,
// is the control group its uplift is measured against.
func armRow(ctx context.Context, name string, st models.ArmStats, against *models.ArmStats) templates.ArmResult {
	r := templates.ArmResult{Name: name, Visitors: st.Visitors}
	r.CTR = rateCell(shop.Wilson(st.Clicks, st.Impressions), st.Impressions)
	r.CartRate = rateCell(shop.Wilson(st.Carters, st.Visitors), st.Visitors)
	r.Conversion = rateCell(shop.Wilson(st.Buyers, st.Visitors), st.Visitors)
	rpv := shop.Mean(st.Revenue, st.RevenueSq, st.Visitors)
	if st.Visitors > 0 {
		r.RPV = templates.StatCell{Value: revenueText(ctx, rpv.Value), CI: revenueText(ctx, max(rpv.Low, 0)) + " – " + revenueText(ctx, rpv.High)}
	} else {
		r.RPV = templates.StatCell{Value: "–"}
	}
	if against != nil {
		r.ConversionUplift = upliftCell(shop.Uplift(shop.RateSample(st.Buyers, st.Visitors), shop.RateSample(against.Buyers, against.Visitors)))
		r.RPVUplift = upliftCell(shop.Uplift(shop.MeanSample(st.Revenue, st.RevenueSq, st.Visitors),
			shop.MeanSample(against.Revenue, against.RevenueSq, against.Visitors)))
	}
	return r
}

func rateCell(i shop.Interval, n int64) templates.StatCell {
	if n == 0 {
		return templates.StatCell{Value: "–"}
	}
	return templates.StatCell{Value: pctText(i.Value, 2), CI: pctText(i.Low, 2) + " – " + pctText(i.High, 2)}
}

func upliftCell(i shop.Interval, ok bool) templates.UpliftCell {
	if !ok {
		return templates.UpliftCell{Value: "–"}
	}
	u := templates.UpliftCell{Value: signedPct(i.Value), CI: signedPct(i.Low) + " to " + signedPct(i.High), Known: true,
		Raw: i.Value, Low: i.Low, High: i.High}
	switch {
	case i.Low > 0:
		u.Verdict = "better"
	case i.High < 0:
		u.Verdict = "worse"
	}
	return u
}

func pctText(v float64, digits int) string {
	return strconv.FormatFloat(100*v, 'f', digits, 64) + "\u00a0%"
}

func signedPct(v float64) string {
	s := strconv.FormatFloat(100*v, 'f', 1, 64) + "\u00a0%"
	if v > 0 {
		s = "+" + s
	}
	return s
}

func sourceLabel(src string) string {
	switch {
	case src == models.ArmLive:
		return "Live layout"
	case src == models.ArmDraft:
		return "Draft (as created)"
	case strings.HasPrefix(src, models.ArmVersionPrefix):
		return "Saved version"
	case strings.HasPrefix(src, models.ArmStrategyPrefix):
		name := strings.TrimPrefix(src, models.ArmStrategyPrefix)
		if name == "" {
			return "Strategy: the type's own rule"
		}
		if st, err := recommender.ParseStrategy(name); err == nil {
			return "Strategy: " + st.Label()
		}
		return "Strategy: " + name
	}
	return src
}
