package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"storefront/models"
	"storefront/shop"
	"storefront/templates"
)

// adminModel shows the serving model, its offline figures and a retrain button.
func (s *Server) adminModel(c echo.Context) error {
	return s.renderAdminModel(c, "", http.StatusOK)
}

func (s *Server) renderAdminModel(c echo.Context, settingsErr string, status int) error {
	ctx := c.Request().Context()
	vm := templates.AdminModelPage{AdminBase: s.adminBase(c, "Model", "model"), Training: s.shop.Trainer().Running(), SettingsError: settingsErr}
	vm.Degraded = s.shop.Degraded()
	if _, err := s.shop.Trainer().Last(); err != nil {
		vm.LastError = err.Error()
	}
	if m := s.shop.Model(); m != nil {
		st := m.Stats()
		vm.HasModel, vm.TrainedAt = true, m.TrainedAt
		vm.Events, vm.Users, vm.Items, vm.Interactions = st.Events, st.Users, st.Items, st.Interactions
		vm.MemoryMiB, vm.Models = float64(st.MemoryBytes)/(1<<20), st.Models
		vm.Cleaning = append(vm.Cleaning, fmt.Sprintf("%d events of %d bot/outlier users, %d events of unknown products and %d repeats left out",
			st.DroppedBotEvents, st.BotUsers, st.DroppedUnknownItem, st.DroppedDuplicates))
		vm.Cleaning = append(vm.Cleaning, st.Cleaning...)
		for _, d := range st.Dropped {
			vm.Cleaning = append(vm.Cleaning, fmt.Sprintf("dropped %s (%d events): %s", d.User, d.Events, d.Reason))
		}
		vm.Tuning = st.Tuning
		for _, sg := range st.Stages {
			vm.Stages = append(vm.Stages, templates.ModelStage{Stage: sg.Stage, Duration: sg.Duration})
		}
	}
	var serving uint
	if a := s.shop.ModelInfo(); a != nil {
		serving = a.ID
		var rows []shop.EvalRow
		if a.Metrics != "" && json.Unmarshal([]byte(a.Metrics), &rows) == nil {
			base := 0.0
			for _, r := range rows {
				if r.Model == "popular" {
					base = r.NDCG
				}
			}
			for _, r := range rows {
				e := templates.ModelEval{Model: r.Model, Precision: r.Precision, Recall: r.Recall, NDCG: r.NDCG, MAP: r.MAP,
					HitRate: r.HitRate, Coverage: r.Coverage}
				if base > 0 {
					e.VsPopular = r.NDCG / base
				}
				vm.Evals = append(vm.Evals, e)
			}
		}
	}
	history, err := s.db.ModelArtifacts(ctx)
	if err != nil {
		return err
	}
	for _, h := range history {
		vm.History = append(vm.History, templates.ModelVersion{ID: h.ID, TrainedAt: h.TrainedAt, Events: h.Events, Serving: h.ID == serving})
	}
	if vm.RetentionDays, err = s.db.RetentionDays(ctx); err != nil {
		return err
	}
	return render(c, status, templates.AdminModel(vm))
}

func (s *Server) adminRetrain(c echo.Context) error {
	if s.shop.Trainer().Start() {
		s.flash(c, "Training started. The new model is served as soon as it is ready.")
		s.auditAction(c, "model.retrain", "")
	} else {
		s.flash(c, "A training run is already in progress.")
	}
	return c.Redirect(http.StatusSeeOther, "/admin/model")
}

// adminRetention sets how long raw events are kept (admin only).
func (s *Server) adminRetention(c echo.Context) error {
	days, err := strconv.Atoi(c.FormValue("retention_days"))
	if err != nil || days < 0 || days > 3650 {
		return s.renderAdminModel(c, "Enter a whole number of days from 0 to 3650.", http.StatusUnprocessableEntity)
	}
	ctx := c.Request().Context()
	if err := s.db.SetSetting(ctx, staffName(c), models.SettingEventRetentionDays, strconv.Itoa(days)); err != nil {
		return err
	}
	n, err := s.shop.ApplyRetention(ctx)
	if err != nil {
		return err
	}
	s.flash(c, "Retention saved. "+strconv.FormatInt(n, 10)+" older events deleted.")
	return c.Redirect(http.StatusSeeOther, "/admin/model#retention")
}

func (s *Server) auditAction(c echo.Context, action, target string) {
	if err := s.db.Audit(c.Request().Context(), staffName(c), action, target, ""); err != nil {
		s.log.Warn("audit write failed", "action", action, "err", err)
	}
}
