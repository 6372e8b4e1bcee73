package models

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"
)

func TestExperimentLifecycleAndResults(t *testing.T) {
	db := mustOpen(t)
	ctx := context.Background()
	page, err := db.PageByKey(ctx, HomePage)
	if err != nil {
		t.Fatal(err)
	}
	slot := &Slot{Type: SlotRecommended, Title: "Picked for you", Enabled: true, Size: 4}
	if err := db.SaveSlot(ctx, HomePage, page.DraftRevision, "merch", slot); err != nil {
		t.Fatal(err)
	}
	if _, err := db.PublishDraft(ctx, HomePage, "merch"); err != nil {
		t.Fatal(err)
	}

	bad := &Experiment{Name: "", Kind: ExperimentStrategy, MDEPercent: 0, BaselineRate: 0.03,
		Arms: []ExperimentArm{{Name: "A", Source: ArmLive, Weight: 50}}}
	var verr *ValidationError
	if err := db.CreateExperiment(ctx, "merch", bad); !errors.As(err, &verr) {
		t.Fatalf("invalid experiment: %v", err)
	}
	for _, f := range []string{"name", "mde", "arms", "arm1", "slot"} {
		if verr.Fields[f] == "" {
			t.Errorf("no error for %s in %v", f, verr.Fields)
		}
	}

	e := &Experiment{Name: "Trending or popular", Kind: ExperimentStrategy, SlotID: slot.ID, MDEPercent: 10, BaselineRate: 0.03,
		Arms: []ExperimentArm{{Name: "Popular", Source: "strategy:popular", Weight: 50}, {Name: "Trending", Source: "strategy:trending", Weight: 50}}}
	if err := db.CreateExperiment(ctx, "merch", e); err != nil {
		t.Fatal(err)
	}
	other := &Experiment{Name: "Second", Kind: ExperimentLayout, MDEPercent: 10, BaselineRate: 0.03,
		Arms: []ExperimentArm{{Name: "Live", Source: ArmLive, Weight: 50}, {Name: "Draft", Source: ArmDraft, Weight: 50}}}
	if err := db.CreateExperiment(ctx, "merch", other); err != nil {
		t.Fatal(err)
	}
	if err := db.StartExperiment(ctx, "merch", e.ID); err != nil {
		t.Fatal(err)
	}
	if err := db.StartExperiment(ctx, "merch", other.ID); !errors.Is(err, ErrExperimentRunning) {
		t.Fatalf("second experiment started while one runs: %v", err)
	}
	run, err := db.RunningExperiment(ctx)
	if err != nil || run == nil || run.ID != e.ID || len(run.Arms) != 2 {
		t.Fatalf("running experiment %+v, %v", run, err)
	}
	trending, err := ArmLayout(run, &run.Arms[1], []Slot{*slot})
	if err != nil || trending[0].Strategy != "trending" || slot.Strategy != "" {
		t.Fatalf("trending arm layout %+v (published %q), %v", trending, slot.Strategy, err)
	}

	// Visitors of arm A: three saw the page, one of them bought twice for
	// 10 and 20, another added to the cart; a fourth only clicked (not
	// exposed). Arm B: two visitors, one bought for 5.
	a, b := run.Arms[0].Label(), run.Arms[1].Label()
	now := time.Now().UTC().Add(-time.Minute)
	pid := uint(1)
	ev := func(user, typ, arm string, value float64) Event {
		e := Event{UserKey: user, Type: typ, Arm: arm, Value: value, CreatedAt: now}
		if typ == EventImpression {
			e.Slot, e.Value = "s1", 4
		}
		if typ == EventClick {
			e.Slot = "s1"
			e.ProductID = &pid
		}
		return e
	}
	events := []Event{
		ev("v:1", EventImpression, a, 0), ev("v:1", EventClick, a, 0), ev("v:1", EventPurchase, a, 10), ev("v:1", EventPurchase, a, 20),
		ev("v:2", EventImpression, a, 0), ev("v:2", EventAddToCart, a, 0),
		ev("v:3", EventImpression, a, 0), ev("v:3", EventImpression, a, 0),
		ev("v:4", EventClick, a, 0),
		ev("v:5", EventImpression, b, 0), ev("v:5", EventPurchase, b, 5),
		ev("v:6", EventImpression, b, 0),
		ev("v:7", EventImpression, ArmLabelControl, 0),
	}
	if err := db.InsertEvents(ctx, events); err != nil {
		t.Fatal(err)
	}
	stats, err := db.ArmResults(ctx, []string{a, b, ArmLabelControl}, now.Add(-time.Hour), now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	byArm := map[string]ArmStats{}
	for _, s := range stats {
		byArm[s.Arm] = s
	}
	got := byArm[a]
	if got.Visitors != 3 || got.Impressions != 16 || got.Clicks != 1 || got.Carters != 1 || got.Buyers != 1 ||
		math.Abs(got.Revenue-30) > 1e-9 || math.Abs(got.RevenueSq-900) > 1e-9 {
		t.Errorf("arm A: %+v, want 3 visitors, 16 impressions, 1 click, 1 carter, 1 buyer, revenue 30, squares 900", got)
	}
	if got := byArm[b]; got.Visitors != 2 || got.Buyers != 1 || math.Abs(got.Revenue-5) > 1e-9 {
		t.Errorf("arm B: %+v", got)
	}
	if got := byArm[ArmLabelControl]; got.Visitors != 1 || got.Buyers != 0 {
		t.Errorf("control: %+v", got)
	}
	all, err := db.ArmResultsExcept(ctx, "personalized", now.Add(-time.Hour), now.Add(time.Hour))
	if err != nil || all.Visitors != 5 || all.Buyers != 2 {
		t.Errorf("everyone outside the control group: %+v, %v; want 5 visitors, 2 buyers", all, err)
	}
	days, err := db.ArmDays(ctx, []string{a, b}, now.Add(-time.Hour), now.Add(time.Hour))
	if err != nil || len(days) != 2 || days[0].Day != now.Format(time.DateOnly) {
		t.Fatalf("arm days %+v, %v", days, err)
	}

	// Promoting publishes the arm's layout, stops the experiment, and
	// says so in the audit log.
	v, err := db.PromoteArm(ctx, "merch", e.ID, run.Arms[1].ID, trending)
	if err != nil {
		t.Fatal(err)
	}
	live, _, err := db.PublishedLayout(ctx, HomePage)
	if err != nil || len(live) != 1 || live[0].Strategy != "trending" {
		t.Fatalf("published after promote: %+v, %v", live, err)
	}
	done, err := db.ExperimentByID(ctx, e.ID)
	if err != nil || done.Status != ExperimentPromoted || done.StoppedAt == nil || done.PromotedArmID == nil || *done.PromotedArmID != run.Arms[1].ID {
		t.Fatalf("promoted experiment %+v, %v", done, err)
	}
	logs, _, err := db.AuditLogs(ctx, 1, 20)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, l := range logs {
		if l.Action == "experiment.promote" && l.Actor == "merch" {
			found = true
		}
	}
	if !found || v.Number != 2 {
		t.Fatalf("no experiment.promote audit entry (version %d): %+v", v.Number, logs)
	}
	if _, err := db.PromoteArm(ctx, "merch", e.ID, run.Arms[0].ID, live); !errors.Is(err, ErrConflict) {
		t.Fatalf("a promoted experiment was promoted again: %v", err)
	}
}
