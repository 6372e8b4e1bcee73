package e2e

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"storefront/models"
	shopsvc "storefront/shop"
)

// Experiments in the admin: one browser test per form (create, start, stop,
// promote, the control group's share) that submits it and checks what a
// merchandiser or a shopper then sees, plus the results page and the
// overview on the demo world's finished experiment.

// seededExperiment is the demo world's finished experiment.
func (s *shop) seededExperiment() *models.Experiment {
	s.t.Helper()
	es, err := s.db.Experiments(context.Background())
	must(s.t, err)
	for i := range es {
		if es[i].Status == models.ExperimentStopped {
			return &es[i]
		}
	}
	s.t.Fatal("the demo world has no finished experiment")
	return nil
}

// newVisitors opens the homepage as n new visitors (no cookies), each of
// whom the shop sorts into the control group or an arm.
func (s *shop) newVisitors(n int) {
	s.t.Helper()
	for range n {
		res, err := http.Get(s.URL + "/")
		must(s.t, err)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			s.t.Fatalf("homepage: %d", res.StatusCode)
		}
	}
	// Impressions are summed per viewer and minute before they are
	// written (models.ImpressionBucket); hand them over as a shutdown
	// would rather than wait for the minute to end.
	must(s.t, s.srv.Events().Flush(context.Background()))
}

// visitsFromNow returns the time from which homepageArms counts the next
// visits: a second of slack for the stored timestamps, after a pause long
// enough that the previous step's visits fall before it.
func (s *shop) visitsFromNow() time.Time {
	time.Sleep(1100 * time.Millisecond)
	return time.Now().Add(-time.Second)
}

// homepageArms are the arm labels of impressions recorded since t.
func (s *shop) homepageArms(since time.Time) map[string]int {
	s.t.Helper()
	var rows []struct {
		Arm string
		N   int
	}
	must(s.t, s.db.R.Raw(`SELECT COALESCE(arm, '') AS arm, COUNT(*) AS n FROM events WHERE type = 'impression' AND created_at >= ? GROUP BY arm`,
		since.UTC()).Scan(&rows).Error)
	out := map[string]int{}
	for _, r := range rows {
		out[r.Arm] = r.N
	}
	return out
}

// TestMerchandiserCreatesAnExperiment: the form refuses an experiment
// without a name or with one arm, then creates a layout experiment of the
// live page against the draft, which the list and its page show as a draft.
func TestMerchandiserCreatesAnExperiment(t *testing.T) {
	t.Parallel()
	s := startWorld(t)
	b := newBrowser(t, s)

	b.step(t, "open the form from the list", func(t *testing.T, b *tab) {
		b.adminLogIn()
		b.open("/admin/experiments", `[data-testid="new-experiment"]`)
		b.follow(`[data-testid="new-experiment"]`, `[data-testid="experiment-form"]`)
		b.shotWidths("admin-experiment-form")
	})

	b.step(t, "a nameless experiment with one arm is refused", func(t *testing.T, b *tab) {
		b.fill(`#name`, "")
		b.do("drop arm 2", chromedpSetValue(`#arm2_source`, ""))
		b.follow(`[data-testid="create-experiment"]`, `[data-testid="form-errors"]`)
		if got := b.text(`[data-testid="name-error"]`); !strings.Contains(got, "Name") {
			t.Fatalf("name error %q", got)
		}
		if got := b.text(`[data-testid="arms-error"]`); !strings.Contains(got, "2 to 4 arms") {
			t.Fatalf("arms error %q", got)
		}
	})

	b.step(t, "create live against the draft", func(t *testing.T, b *tab) {
		b.fill(`#name`, "Draft homepage against live", `#arm1_name`, "Live", `#arm2_name`, "New draft", `#mde`, "15")
		b.do("choose arms", chromedpSetValue(`#arm1_source`, models.ArmLive), chromedpSetValue(`#arm2_source`, models.ArmDraft))
		b.follow(`[data-testid="create-experiment"]`, `[data-testid="horizon"]`)
		if got := b.text(`[data-testid="experiment-status"]`); got != "draft" {
			t.Fatalf("status %q, want draft", got)
		}
		if got := b.text(`[data-testid="flash"]`); !strings.Contains(got, "Draft homepage against live") {
			t.Fatalf("flash %q", got)
		}
		// 15 % of the shop's measured conversion decides the sample size
		// the page promises.
		want := ""
		es, err := s.db.Experiments(context.Background())
		must(t, err)
		e := es[0]
		if e.Name != "Draft homepage against live" || e.Kind != models.ExperimentLayout || len(e.Arms) != 2 || e.Arms[1].Snapshot == "" {
			t.Fatalf("stored %+v", e)
		}
		want = strconv.FormatInt(shopsvc.SampleSize(e.BaselineRate, 0.15), 10)
		if got := b.text(`[data-testid="sample-size"]`); got != want {
			t.Fatalf("sample size %q, want %s", got, want)
		}
		b.open("/admin/experiments", `[data-testid="experiments"]`)
		if got := b.text(`[data-testid="experiment-row"] a`); got != "Draft homepage against live" {
			t.Fatalf("the list's first experiment is %q", got)
		}
	})
}

// TestMerchandiserStartsAndStopsAnExperiment: starting splits new
// homepage visitors between the arms (their impressions carry the arm);
// stopping gives everyone the live page again.
func TestMerchandiserStartsAndStopsAnExperiment(t *testing.T) {
	t.Parallel()
	s := startWorld(t)
	ctx := context.Background()
	e := &models.Experiment{Name: "Trending first", Kind: models.ExperimentLayout, MDEPercent: 10, BaselineRate: 0.05,
		Arms: []models.ExperimentArm{{Name: "Live", Source: models.ArmLive, Weight: 50}, {Name: "Draft", Source: models.ArmDraft, Weight: 50}}}
	must(t, s.db.CreateExperiment(ctx, "test", e))
	b := newBrowser(t, s)
	page := fmt.Sprintf("/admin/experiments/%d", e.ID)
	labels := map[string]bool{e.Arms[0].Label(): true, e.Arms[1].Label(): true}

	b.step(t, "start", func(t *testing.T, b *tab) {
		b.adminLogIn()
		b.open(page, `[data-testid="start-experiment"]`)
		b.follow(`[data-testid="start-experiment"]`, `[data-testid="stop-experiment"]`)
		if got := b.text(`[data-testid="experiment-status"]`); got != "running" {
			t.Fatalf("status %q, want running", got)
		}
		started := s.visitsFromNow()
		s.newVisitors(12)
		eventually(t, 10*time.Second, func() string {
			arms := s.homepageArms(started)
			n := 0
			for l, c := range arms {
				if !labels[l] {
					return fmt.Sprintf("impressions outside the experiment's arms: %v", arms)
				}
				n += c
			}
			if n == 0 {
				return "no impressions yet"
			}
			return ""
		})
	})

	b.step(t, "stop", func(t *testing.T, b *tab) {
		b.follow(`[data-testid="stop-experiment"]`, `[data-testid="promote-form"]`)
		if got := b.text(`[data-testid="experiment-status"]`); got != "stopped" {
			t.Fatalf("status %q, want stopped", got)
		}
		stopped := s.visitsFromNow()
		s.newVisitors(6)
		eventually(t, 10*time.Second, func() string {
			arms := s.homepageArms(stopped)
			if arms[models.ArmLabelPersonal] == 0 || len(arms) != 1 {
				return fmt.Sprintf("impressions after the stop by arm: %v, want the personalized page only", arms)
			}
			return ""
		})
	})
}

// TestMerchandiserPromotesAnArm: publishing an arm that is not an
// established winner asks for an explicit confirmation first; confirmed,
// the arm's strategy is published as a new version, the experiment is
// promoted, and the versions page and the audit log say so.
func TestMerchandiserPromotesAnArm(t *testing.T) {
	t.Parallel()
	s := startWorld(t)
	e := s.seededExperiment()
	ctx := context.Background()
	b := newBrowser(t, s)
	page := fmt.Sprintf("/admin/experiments/%d", e.ID)
	var arm models.ExperimentArm
	_, before, err := s.db.PublishedLayout(ctx, models.HomePage)
	must(t, err)

	b.step(t, "publishing an arm that has not won asks for a confirmation", func(t *testing.T, b *tab) {
		b.adminLogIn()
		b.open(page, `[data-testid="promote-form"]`)
		// The arm without the winner's tag (both have none before the
		// sample size is reached).
		for _, a := range e.Arms {
			if b.count(fmt.Sprintf(`[data-testid="arm-row"][data-arm=%q] [data-testid="winner"]`, a.Name)) == 0 {
				arm = a
				break
			}
		}
		b.do("choose the arm", chromedpSetValue(`#arm`, strconv.FormatUint(uint64(arm.ID), 10)))
		b.follow(`[data-testid="promote-arm"]`, `[data-testid="promote-error"]`)
		if got := b.text(`[data-testid="promote-error"]`); !strings.Contains(got, "Tick the confirmation") {
			t.Fatalf("promote error %q", got)
		}
		_, v, err := s.db.PublishedLayout(ctx, models.HomePage)
		must(t, err)
		if v.ID != before.ID {
			t.Fatal("the arm was published without the confirmation")
		}
	})

	b.step(t, "confirm and publish", func(t *testing.T, b *tab) {
		b.do("choose the arm and confirm", chromedpSetValue(`#arm`, strconv.FormatUint(uint64(arm.ID), 10)),
			chromedp.Click(chromedp.CSS(`[data-testid="field-confirm"]`)))
		b.follow(`[data-testid="promote-arm"]`, `[data-testid="flash"]`)
		if got := b.text(`[data-testid="experiment-status"]`); got != "promoted" {
			t.Fatalf("status %q, want promoted", got)
		}
		live, v, err := s.db.PublishedLayout(ctx, models.HomePage)
		must(t, err)
		strategy, _ := arm.Strategy()
		published := ""
		for _, sl := range live {
			if sl.ID == e.SlotID {
				published = sl.Strategy
			}
		}
		if v.ID == before.ID || published != strategy {
			t.Fatalf("published version %d (before %d) fills slot %d with %q, want %q", v.Number, before.Number, e.SlotID, published, strategy)
		}
		b.open("/admin/versions", "main")
		if got := b.text("main"); !strings.Contains(got, fmt.Sprintf("Promoted %q", arm.Name)) {
			t.Fatalf("the versions page does not show the promotion: %.400s", got)
		}
		b.open("/admin/audit", "main")
		if got := b.text("main"); !strings.Contains(got, "experiment.promote") {
			t.Fatalf("the audit log does not show the promotion: %.400s", got)
		}
	})
}

// TestMerchandiserSetsTheControlGroup: a share out of range is refused with
// the reason; a share of 100 % puts every new visitor in the control group,
// which gets the page without personalization; 0 turns it off.
func TestMerchandiserSetsTheControlGroup(t *testing.T) {
	t.Parallel()
	s := startWorld(t)
	b := newBrowser(t, s)

	b.step(t, "a share over 50 % is refused", func(t *testing.T, b *tab) {
		b.adminLogIn()
		b.open("/admin/experiments", `[data-testid="control-form"]`)
		b.fill(`#control_percent`, "80")
		b.follow(`[data-testid="save-control"]`, `[data-testid="control_percent-error"]`)
		if got := b.text(`[data-testid="control_percent-error"]`); !strings.Contains(got, "between 0 and 50") {
			t.Fatalf("error %q", got)
		}
	})

	b.step(t, "everyone in the control group", func(t *testing.T, b *tab) {
		b.fill(`#control_percent`, "50")
		b.follow(`[data-testid="save-control"]`, `[data-testid="flash"]`)
		if got := b.text(`[data-testid="control-now"]`); got != "50 %" {
			t.Fatalf("stored share %q, want 50 %%", got)
		}
		pct, err := s.db.ControlPercent(context.Background())
		if err != nil || pct != 50 {
			t.Fatalf("stored %v, %v", pct, err)
		}
		since := s.visitsFromNow()
		s.newVisitors(24)
		eventually(t, 10*time.Second, func() string {
			arms := s.homepageArms(since)
			if arms[models.ArmLabelControl] == 0 || arms[models.ArmLabelPersonal] == 0 {
				return fmt.Sprintf("24 visitors at 50 %% by arm: %v, want some in each", arms)
			}
			return ""
		})
	})

	b.step(t, "off", func(t *testing.T, b *tab) {
		b.fill(`#control_percent`, "0")
		b.follow(`[data-testid="save-control"]`, `[data-testid="flash"]`)
		if got := b.text(`[data-testid="flash"]`); !strings.Contains(got, "off") {
			t.Fatalf("flash %q", got)
		}
		since := s.visitsFromNow()
		s.newVisitors(12)
		eventually(t, 10*time.Second, func() string {
			arms := s.homepageArms(since)
			if arms[models.ArmLabelControl] != 0 || arms[models.ArmLabelPersonal] == 0 {
				return fmt.Sprintf("with the control group off, impressions by arm: %v", arms)
			}
			return ""
		})
	})
}

// TestExperimentResultsAndOverview: the demo world's finished experiment
// shows each arm's and the control group's visitors as stored, rates with
// intervals, uplift against the control group, both charts, and the
// sample size; the admin overview shows personalization's uplift.
func TestExperimentResultsAndOverview(t *testing.T) {
	t.Parallel()
	s := startWorld(t)
	e := s.seededExperiment()
	ctx := context.Background()
	labels := []string{models.ArmLabelControl, e.Arms[0].Label(), e.Arms[1].Label()}
	stats, err := s.db.ArmResults(ctx, labels, *e.StartedAt, e.StoppedAt.Add(time.Second))
	must(t, err)
	visitors := map[string]int64{}
	for _, st := range stats {
		visitors[st.Arm] = st.Visitors
	}
	b := newBrowser(t, s)

	b.step(t, "results", func(t *testing.T, b *tab) {
		b.adminLogIn()
		b.open(fmt.Sprintf("/admin/experiments/%d", e.ID), `[data-testid="arm-results"]`)
		b.shotWidths("admin-experiment-results")
		rows := b.attrs(`[data-testid="arm-row"]`, "data-arm")
		if strings.Join(rows, "|") != e.Arms[0].Name+"|"+e.Arms[1].Name+"|Control group" {
			t.Fatalf("rows %v", rows)
		}
		for i, l := range labels[1:] {
			sel := fmt.Sprintf(`[data-testid="arm-row"]:nth-child(%d) [data-testid="visitors"]`, i+1)
			if got := b.text(sel); got != strconv.FormatInt(visitors[l], 10) || visitors[l] == 0 {
				t.Fatalf("arm %s shows %s visitors, stored %d", l, got, visitors[l])
			}
		}
		if got := b.text(`[data-testid="arm-row"]:nth-child(3) [data-testid="visitors"]`); got != strconv.FormatInt(visitors[models.ArmLabelControl], 10) {
			t.Fatalf("control shows %s visitors, stored %d", got, visitors[models.ArmLabelControl])
		}
		conv := b.text(`[data-testid="arm-row"]:nth-child(2) [data-testid="conversion"]`)
		if !strings.Contains(conv, "%") || !strings.Contains(conv, "–") {
			t.Fatalf("conversion cell %q has no rate with an interval", conv)
		}
		if got := b.text(`[data-testid="arm-row"]:nth-child(2) [data-testid="conversion-uplift"]`); !strings.Contains(got, " to ") {
			t.Fatalf("uplift cell %q has no interval", got)
		}
		if b.count(`[data-testid="conversion-chart"] polyline`) != 3 || b.count(`[data-testid="uplift-chart"] circle`) != 2 {
			t.Fatalf("charts: %d lines, %d uplift points", b.count(`[data-testid="conversion-chart"] polyline`), b.count(`[data-testid="uplift-chart"] circle`))
		}
		if got, want := b.text(`[data-testid="sample-size"]`), strconv.FormatInt(shopsvc.SampleSize(e.BaselineRate, e.MDEPercent/100), 10); got != want {
			t.Fatalf("sample size %s, want %s", got, want)
		}
	})

	b.step(t, "overview", func(t *testing.T, b *tab) {
		b.open("/admin", `[data-testid="personalization-uplift"]`)
		b.shotWidths("admin-overview")
		got := b.text(`[data-testid="headline-uplift"]`)
		if !strings.HasSuffix(got, "%") || (!strings.HasPrefix(got, "+") && !strings.HasPrefix(got, "-")) {
			t.Fatalf("headline uplift %q", got)
		}
		if b.count(`[data-testid="personalization-uplift"] [data-testid="arm-row"]`) != 2 {
			t.Fatal("the overview does not compare personalized visitors with the control group")
		}
	})
}
