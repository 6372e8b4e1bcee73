package models

import (
	"context"
	"errors"
	"fmt"
	"testing"
)

// Two merchandisers starting two experiments at the same moment, each
// through another instance: one starts, the other is told another is
// running, so a visitor is in one experiment at a time. On PostgreSQL each
// start counted the running experiments without the other's uncommitted
// start, and both ran: the shop served one and the other's page counted
// no visitor while it said it was running.
func TestTwoExperimentsStartedAtOnceRunOneAtATime(t *testing.T) {
	db, other := twoInstances(t)
	ctx := context.Background()
	draft := func(name string) *Experiment {
		e := &Experiment{Name: name, Kind: ExperimentLayout, MDEPercent: 10, BaselineRate: 0.03,
			Arms: []ExperimentArm{{Name: "Live", Source: ArmLive, Weight: 50}, {Name: "Draft", Source: ArmDraft, Weight: 50}}}
		must(t, db.CreateExperiment(ctx, "merch", e))
		return e
	}
	for round := range 15 {
		a, b := draft(fmt.Sprintf("A%d", round)), draft(fmt.Sprintf("B%d", round))
		errA, errB := atOnce(
			func() error { return db.StartExperiment(ctx, "ann", a.ID) },
			func() error { return other.StartExperiment(ctx, "bob", b.ID) })
		for _, err := range []error{errA, errB} {
			if err != nil && !errors.Is(err, ErrExperimentRunning) {
				t.Fatalf("round %d: %v", round, err)
			}
		}
		var running []Experiment
		must(t, db.R.Where("status = ?", ExperimentRunning).Find(&running).Error)
		if len(running) != 1 || (errA == nil) == (errB == nil) {
			t.Fatalf("round %d: %d experiments running (starts answered %v and %v); want one started and one refused", round, len(running), errA, errB)
		}
		must(t, db.StopExperiment(ctx, "merch", running[0].ID))
	}
}

// Two staff publishing the homepage at the same moment, each through
// another instance: the two versions get two numbers, so the versions page
// and the audit log tell them apart. On PostgreSQL each publish numbered
// its version one past the highest it could see, and both were "version 2".
func TestTwoPublishesAtOnceNumberTheirVersionsApart(t *testing.T) {
	db, other := twoInstances(t)
	ctx := context.Background()
	page, err := db.PageByKey(ctx, HomePage)
	must(t, err)
	must(t, db.SaveSlot(ctx, HomePage, page.DraftRevision, "merch", &Slot{Type: SlotRecommended, Title: "Picked for you", Enabled: true, Size: 4}))
	for round := range 15 {
		errA, errB := atOnce(
			func() error { _, err := db.PublishDraft(ctx, HomePage, "ann"); return err },
			func() error { _, err := other.PublishDraft(ctx, HomePage, "bob"); return err })
		if errA != nil || errB != nil {
			t.Fatalf("round %d: %v, %v", round, errA, errB)
		}
		var numbers []int
		must(t, db.R.Model(&LayoutVersion{}).Where("page_id = ?", page.ID).Order("number").Pluck("number", &numbers).Error)
		for i := 1; i < len(numbers); i++ {
			if numbers[i] == numbers[i-1] {
				t.Fatalf("round %d: two versions numbered %d (all: %v)", round, numbers[i], numbers)
			}
		}
	}
}
