package web

import (
	"context"
	"errors"
	"math"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"storefront/models"
)

// TestExperimentFiguresAreNumbers: "NaN" reads as a float and passes every
// range check written as two comparisons (NaN < 1 and NaN > 200 are both
// false). A merchandiser's experiment with a minimum detectable effect and
// an expected conversion of NaN was a 500 on SQLite (NOT NULL: SQLite
// stores NaN as NULL) and, on PostgreSQL, an experiment whose sample size
// was int64(NaN) — a negative number every arm had "reached"; a control
// group of NaN % was saved as -92233720368547760 %. Each is refused with its
// field's message, and nothing is stored.
func TestExperimentFiguresAreNumbers(t *testing.T) {
	shop := mustOpenShop(t)
	ctx := context.Background()
	merch := shop.staffClient(models.RoleMerchandiser)

	for _, field := range []string{"mde", "baseline"} {
		for _, v := range []string{"NaN", "nan", "+Inf", "-Inf"} {
			form := url.Values{"name": {"Figures " + field + " " + v}, "mde": {"10"}, "baseline": {"3"},
				"arm1_name": {"Live"}, "arm1_source": {models.ArmLive}, "arm2_name": {"Popular"}, "arm2_source": {"strategy:popular"}}
			form.Set(field, v)
			res, doc := merch.postPage("/admin/experiments/new", "/admin/experiments", form)
			if res.StatusCode != http.StatusUnprocessableEntity {
				t.Errorf("%s=%s: %d, want 422", field, v, res.StatusCode)
			}
			if msg := doc.Find(`[data-testid="` + field + `-error"]`).Text(); msg == "" {
				t.Errorf("%s=%s: no message for the field", field, v)
			}
		}
	}
	var n int64
	must(t, shop.db.R.Model(&models.Experiment{}).Where("name LIKE ?", "Figures %").Count(&n).Error)
	if n != 0 {
		t.Errorf("%d experiments stored with a figure that is not a number", n)
	}
	// The model refuses them too, whatever form or command sends them.
	for _, e := range []*models.Experiment{
		{Name: "NaN effect", Kind: models.ExperimentLayout, MDEPercent: math.NaN(), BaselineRate: 0.03},
		{Name: "NaN conversion", Kind: models.ExperimentLayout, MDEPercent: 10, BaselineRate: math.NaN()},
	} {
		e.Arms = []models.ExperimentArm{{Name: "A", Source: models.ArmLive, Weight: 50}, {Name: "B", Source: models.ArmDraft, Weight: 50}}
		err := models.ValidateExperiment(e)
		var verr *models.ValidationError
		if !errors.As(err, &verr) || (verr.Fields["mde"] == "" && verr.Fields["baseline"] == "") {
			t.Errorf("%s: %v, want a field error", e.Name, err)
		}
	}

	before, err := shop.db.ControlPercent(ctx)
	must(t, err)
	for _, v := range []string{"NaN", "nan%", "-nan"} {
		res, doc := merch.postPage("/admin/experiments", "/admin/experiments/control", url.Values{"control_percent": {v}})
		if res.StatusCode != http.StatusUnprocessableEntity || strings.TrimSpace(doc.Find(`[data-testid="control_percent-error"]`).Text()) == "" {
			t.Errorf("control_percent=%s: %d, want 422 with the field's message", v, res.StatusCode)
		}
	}
	stored, err := shop.db.Setting(ctx, models.SettingControlPercent, "")
	must(t, err)
	if after, _ := shop.db.ControlPercent(ctx); after != before || strings.HasPrefix(stored, "-") {
		t.Errorf("control group %v %% (setting %q), want %v %% unchanged", after, stored, before)
	}
}
