package models

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"storefront/recommender"
)

// Experiment kinds: arms that are whole layouts, or strategies of one slot.
const (
	ExperimentLayout   = "layout"
	ExperimentStrategy = "strategy"
)

// Experiment statuses.
const (
	ExperimentDraft    = "draft"
	ExperimentRunning  = "running"
	ExperimentStopped  = "stopped"
	ExperimentPromoted = "promoted"
)

// Arm sources: the live layout, the draft as it was when the experiment was
// created, a published version ("version:<id>"), or a strategy for the
// experiment's slot ("strategy:<name>", "strategy:" for the type's own).
const (
	ArmLive           = "live"
	ArmDraft          = "draft"
	ArmVersionPrefix  = "version:"
	ArmStrategyPrefix = "strategy:"
)

// Arm labels events and orders carry (Event.Arm, Order.Arm): the standing
// control group, a personalized page outside any experiment, or "a<arm id>".
// Events stored before experiments existed, and those from the API, carry
// none.
const (
	ArmLabelControl  = "control"
	ArmLabelPersonal = "p"
)

// Bounds of an experiment's settings.
const (
	MaxExperimentArms = 4
	MaxControlPercent = 50.0
	// SettingControlPercent is the share of visitors in the standing
	// control group (percent; 0 disables it).
	SettingControlPercent = "experiment_control_percent"
	// DefaultControlPercent is the control group's share until set.
	DefaultControlPercent = 5.0
)

// Experiment is an A/B/n test between layouts, or between strategies of one
// slot, run on the visitors outside the control group.
type Experiment struct {
	ID     uint   `gorm:"primaryKey"`
	Name   string `gorm:"not null"`
	Kind   string `gorm:"size:16;not null"`
	SlotID uint   // strategy experiments: the slot whose strategy the arms set
	Status string `gorm:"size:16;not null;index"`
	// MDEPercent is the smallest relative change of conversion worth
	// detecting; with BaselineRate it fixes the sample size per arm.
	MDEPercent    float64 `gorm:"not null"`
	BaselineRate  float64 `gorm:"not null"` // expected conversion of a visitor (0–1)
	CreatedBy     string
	CreatedAt     time.Time
	StartedAt     *time.Time
	StoppedAt     *time.Time
	PromotedArmID *uint
	Arms          []ExperimentArm
}

// ExperimentArm is one variant of an experiment.
type ExperimentArm struct {
	ID           uint   `gorm:"primaryKey"`
	ExperimentID uint   `gorm:"index;not null"`
	Position     int    `gorm:"not null"`
	Name         string `gorm:"not null"`
	Source       string `gorm:"not null"`
	Weight       int    `gorm:"not null"` // share of the visitors outside the control group
	// Snapshot holds the slots a draft or version arm shows (JSON), frozen
	// when the experiment was created; empty for the live layout and for
	// strategy arms, which follow the published layout.
	Snapshot string
}

// Label is the arm label its events and orders carry.
func (a ExperimentArm) Label() string { return "a" + strconv.FormatUint(uint64(a.ID), 10) }

// Strategy is a strategy arm's strategy ("" for the type's own rule).
func (a ExperimentArm) Strategy() (string, bool) {
	return strings.CutPrefix(a.Source, ArmStrategyPrefix)
}

// Horizon is the experiment's end: when it stopped, or now.
func (e *Experiment) Horizon(now time.Time) time.Time {
	if e.StoppedAt != nil {
		return *e.StoppedAt
	}
	return now
}

// ArmLayout is the homepage an arm shows, given the published slots: the
// frozen snapshot of a draft or version arm, the published slots for the
// live arm, and for a strategy arm the published slots with the
// experiment's slot set to the arm's strategy.
func ArmLayout(e *Experiment, a *ExperimentArm, published []Slot) ([]Slot, error) {
	if a.Snapshot != "" {
		return decodeSnapshot(a.Snapshot)
	}
	st, ok := a.Strategy()
	if !ok {
		return published, nil
	}
	out := make([]Slot, len(published))
	copy(out, published)
	for i := range out {
		if out[i].ID == e.SlotID {
			out[i].Strategy = st
			return out, nil
		}
	}
	// The slot is gone from the published layout: the arm shows it as is.
	return published, nil
}

// ValidateExperiment checks a new experiment's fields and arms.
func ValidateExperiment(e *Experiment) error {
	f := map[string]string{}
	e.Name = strings.TrimSpace(e.Name)
	if e.Name == "" || len(e.Name) > 120 {
		f["name"] = "Name the experiment in 1 to 120 characters."
	}
	if e.Kind != ExperimentLayout && e.Kind != ExperimentStrategy {
		f["kind"] = "Choose what the arms differ in: the layout or one slot's strategy."
	}
	// Written so that NaN, which every comparison lets through, fails.
	if !(e.MDEPercent >= 1 && e.MDEPercent <= 200) {
		f["mde"] = "Enter a minimum detectable effect between 1 and 200 %."
	}
	if !(e.BaselineRate > 0 && e.BaselineRate < 1) {
		f["baseline"] = "Enter the expected conversion between 0.01 and 99 %."
	}
	if len(e.Arms) < 2 || len(e.Arms) > MaxExperimentArms {
		f["arms"] = fmt.Sprintf("Choose 2 to %d arms.", MaxExperimentArms)
	}
	seen := map[string]bool{}
	total := 0
	for i, a := range e.Arms {
		where := fmt.Sprintf("arm%d", i+1)
		_, isStrategy := a.Strategy()
		switch {
		case e.Kind == ExperimentStrategy && !isStrategy:
			f[where] = "In a strategy experiment every arm is a strategy of the slot."
		case e.Kind == ExperimentLayout && isStrategy:
			f[where] = "In a layout experiment every arm is a layout: live, the draft or a version."
		case seen[a.Source]:
			f[where] = "Two arms show the same thing: choose different ones."
		}
		seen[a.Source] = true
		if a.Weight < 1 || a.Weight > 100 {
			f[where+"_weight"] = "Enter a share between 1 and 100."
		}
		total += a.Weight
		if strings.TrimSpace(a.Name) == "" || len(a.Name) > 80 {
			f[where] = "Name the arm in 1 to 80 characters."
		}
	}
	if e.Kind == ExperimentStrategy && e.SlotID == 0 {
		f["slot"] = "Choose the slot whose strategy the arms set."
	}
	if len(f) > 0 {
		return &ValidationError{Fields: f}
	}
	return nil
}

// CreateExperiment validates and stores a new experiment in the draft
// status. Draft and version arms keep a copy of their slots now, so the
// experiment shows what was chosen whatever is edited later; a strategy
// arm's strategy must suit the slot.
func (db *DB) CreateExperiment(ctx context.Context, actor string, e *Experiment) error {
	if err := ValidateExperiment(e); err != nil {
		return err
	}
	f := map[string]string{}
	if e.Kind == ExperimentStrategy {
		sl, err := db.SlotByID(ctx, e.SlotID)
		if errors.Is(err, ErrNotFound) {
			f["slot"] = "That slot no longer exists."
		} else if err != nil {
			return err
		} else {
			kind, _ := recommender.ParseSlotKind(sl.Type)
			for i, a := range e.Arms {
				st, _ := a.Strategy()
				if _, _, err := kind.ParseSlotStrategy(st); err != nil {
					f[fmt.Sprintf("arm%d", i+1)] = strategyProblem(kind)
				}
			}
		}
	}
	for i := range e.Arms {
		a := &e.Arms[i]
		a.Position = i + 1
		switch {
		case a.Source == ArmDraft:
			slots, _, err := db.DraftSlots(ctx, HomePage)
			if err != nil {
				return err
			}
			snap, err := json.Marshal(slots)
			if err != nil {
				return fmt.Errorf("models: encode draft: %w", err)
			}
			a.Snapshot = string(snap)
		case strings.HasPrefix(a.Source, ArmVersionPrefix):
			id, err := strconv.ParseUint(strings.TrimPrefix(a.Source, ArmVersionPrefix), 10, 32)
			var v LayoutVersion
			if err == nil {
				err = db.R.WithContext(ctx).First(&v, id).Error
			}
			if err != nil {
				f[fmt.Sprintf("arm%d", i+1)] = "That version does not exist."
				continue
			}
			a.Snapshot = v.Snapshot
		case a.Source == ArmLive:
		case strings.HasPrefix(a.Source, ArmStrategyPrefix):
		default:
			f[fmt.Sprintf("arm%d", i+1)] = "Choose what this arm shows."
		}
	}
	if len(f) > 0 {
		return &ValidationError{Fields: f}
	}
	e.Status, e.CreatedBy, e.CreatedAt = ExperimentDraft, actor, time.Now().UTC()
	return db.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(e).Error; err != nil {
			return fmt.Errorf("models: create experiment: %w", err)
		}
		return audit(tx, actor, "experiment.create", experimentTarget(e), fmt.Sprintf("%d arms", len(e.Arms)))
	})
}

func experimentTarget(e *Experiment) string { return fmt.Sprintf("experiment %d %q", e.ID, e.Name) }

// Experiments lists every experiment with its arms, newest first.
func (db *DB) Experiments(ctx context.Context) ([]Experiment, error) {
	var es []Experiment
	err := db.R.WithContext(ctx).Preload("Arms", func(tx *gorm.DB) *gorm.DB { return tx.Order("position") }).
		Order("id DESC").Limit(500).Find(&es).Error
	if err != nil {
		return nil, fmt.Errorf("models: list experiments: %w", err)
	}
	return es, nil
}

// ExperimentByID returns one experiment with its arms.
func (db *DB) ExperimentByID(ctx context.Context, id uint) (*Experiment, error) {
	var e Experiment
	err := db.R.WithContext(ctx).Preload("Arms", func(tx *gorm.DB) *gorm.DB { return tx.Order("position") }).First(&e, id).Error
	if err != nil {
		return nil, notFound(err, "find experiment %d", id)
	}
	return &e, nil
}

// RunningExperiment returns the experiment now running, or nil.
func (db *DB) RunningExperiment(ctx context.Context) (*Experiment, error) {
	var e Experiment
	err := db.R.WithContext(ctx).Preload("Arms", func(tx *gorm.DB) *gorm.DB { return tx.Order("position") }).
		Where("status = ?", ExperimentRunning).Order("id").First(&e).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("models: find running experiment: %w", err)
	}
	return &e, nil
}

// ErrExperimentRunning refuses to start an experiment while another runs:
// a visitor is in one experiment at a time.
var ErrExperimentRunning = fmt.Errorf("another experiment is running; stop it first: %w", ErrConflict)

// experimentsLockKey serializes the changes of an experiment's status
// across every instance on PostgreSQL (SQLite serializes writers already):
// two starts at once count each other's running experiment, and two
// promotions of one experiment publish one arm.
const experimentsLockKey = "experiments"

// StartExperiment starts a draft experiment.
func (db *DB) StartExperiment(ctx context.Context, actor string, id uint) error {
	return db.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := lockTx(tx, experimentsLockKey); err != nil {
			return fmt.Errorf("models: start experiment %d: %w", id, err)
		}
		var e Experiment
		if err := tx.First(&e, id).Error; err != nil {
			return notFound(err, "find experiment %d", id)
		}
		if e.Status != ExperimentDraft {
			return fmt.Errorf("models: experiment %d is %s, only a draft starts: %w", id, e.Status, ErrConflict)
		}
		var running int64
		if err := tx.Model(&Experiment{}).Where("status = ?", ExperimentRunning).Count(&running).Error; err != nil {
			return err
		}
		if running > 0 {
			return ErrExperimentRunning
		}
		now := time.Now().UTC()
		if err := tx.Model(&e).Updates(map[string]any{"status": ExperimentRunning, "started_at": now}).Error; err != nil {
			return fmt.Errorf("models: start experiment %d: %w", id, err)
		}
		return audit(tx, actor, "experiment.start", experimentTarget(&e), "")
	})
}

// StopExperiment stops a running experiment: its visitors get the live
// page again and its results are final.
func (db *DB) StopExperiment(ctx context.Context, actor string, id uint) error {
	return db.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var e Experiment
		if err := tx.First(&e, id).Error; err != nil {
			return notFound(err, "find experiment %d", id)
		}
		if e.Status != ExperimentRunning {
			return fmt.Errorf("models: experiment %d is %s, not running: %w", id, e.Status, ErrConflict)
		}
		if err := stopTx(tx, &e); err != nil {
			return err
		}
		return audit(tx, actor, "experiment.stop", experimentTarget(&e), "")
	})
}

func stopTx(tx *gorm.DB, e *Experiment) error {
	now := time.Now().UTC()
	if err := tx.Model(e).Updates(map[string]any{"status": ExperimentStopped, "stopped_at": now}).Error; err != nil {
		return fmt.Errorf("models: stop experiment %d: %w", e.ID, err)
	}
	e.Status, e.StoppedAt = ExperimentStopped, &now
	return nil
}

// PromoteArm publishes an arm's homepage as the new live version (the
// draft is reset to it) and marks the experiment promoted, stopping it if
// it still runs: one transaction, audit-logged. slots is the arm's layout
// (ArmLayout over the published slots).
func (db *DB) PromoteArm(ctx context.Context, actor string, expID, armID uint, slots []Slot) (*LayoutVersion, error) {
	e, err := db.ExperimentByID(ctx, expID)
	if err != nil {
		return nil, err
	}
	var arm *ExperimentArm
	for i := range e.Arms {
		if e.Arms[i].ID == armID {
			arm = &e.Arms[i]
		}
	}
	if arm == nil {
		return nil, fmt.Errorf("models: experiment %d has no arm %d: %w", expID, armID, ErrNotFound)
	}
	if e.Status != ExperimentRunning && e.Status != ExperimentStopped {
		return nil, fmt.Errorf("models: experiment %d is %s: only a running or stopped experiment is promoted: %w", expID, e.Status, ErrConflict)
	}
	p, err := db.PageByKey(ctx, HomePage)
	if err != nil {
		return nil, err
	}
	var prev []Slot
	if p.PublishedVersionID != nil {
		prev, _, _ = db.PublishedLayout(ctx, HomePage)
	}
	prefix := fmt.Sprintf("Promoted %q of experiment %q. ", arm.Name, e.Name)
	v, err := newVersion(p, actor, slots, prev, prefix)
	if err != nil {
		return nil, err
	}
	err = db.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := lockTx(tx, experimentsLockKey); err != nil {
			return fmt.Errorf("models: promote experiment %d: %w", expID, err)
		}
		var cur Experiment
		if err := tx.First(&cur, expID).Error; err != nil {
			return notFound(err, "find experiment %d", expID)
		}
		if cur.Status != e.Status {
			return fmt.Errorf("models: experiment %d changed meanwhile: %w", expID, ErrConflict)
		}
		if err := publishTx(tx, p, v, slots, true, "layout.publish"); err != nil {
			return err
		}
		if cur.Status == ExperimentRunning {
			if err := stopTx(tx, &cur); err != nil {
				return err
			}
		}
		if err := tx.Model(&cur).Updates(map[string]any{"status": ExperimentPromoted, "promoted_arm_id": armID}).Error; err != nil {
			return fmt.Errorf("models: promote experiment %d: %w", expID, err)
		}
		return audit(tx, actor, "experiment.promote", experimentTarget(e), fmt.Sprintf("arm %q published as version %d", arm.Name, v.Number))
	})
	if err != nil {
		return nil, fmt.Errorf("models: promote arm %d: %w", armID, err)
	}
	return v, nil
}

// ControlPercent is the share of visitors in the standing control group.
func (db *DB) ControlPercent(ctx context.Context) (float64, error) {
	v, err := db.Setting(ctx, SettingControlPercent, "")
	if err != nil || v == "" {
		return DefaultControlPercent, err
	}
	p, err := strconv.ParseFloat(v, 64)
	if err != nil || p < 0 || p > MaxControlPercent {
		return DefaultControlPercent, nil
	}
	return p, nil
}

// ArmStats is what one arm's visitors did: a visitor is a user key that
// saw the homepage in the arm during the window.
type ArmStats struct {
	Arm         string
	Visitors    int64
	Impressions int64   // product cards shown on the homepage
	Clicks      int64   // clicks on homepage cards
	Carters     int64   // visitors who added to the cart
	Buyers      int64   // visitors who bought
	Revenue     float64 // currency units bought by the arm's visitors
	RevenueSq   float64 // sum over visitors of their revenue squared
}

// sqlArmStats aggregates per visitor first, so conversion counts people and
// revenue per visitor has a variance; it is the same on both databases.
const sqlArmStats = `
SELECT arm, COUNT(*) AS visitors, CAST(SUM(imp) AS BIGINT) AS impressions, CAST(SUM(clk) AS BIGINT) AS clicks,
       CAST(SUM(CASE WHEN carts > 0 THEN 1 ELSE 0 END) AS BIGINT) AS carters,
       CAST(SUM(CASE WHEN buys > 0 THEN 1 ELSE 0 END) AS BIGINT) AS buyers,
       SUM(rev) AS revenue, SUM(rev * rev) AS revenue_sq
FROM (
  SELECT user_key, arm,
         SUM(CASE WHEN type = 'impression' THEN CASE WHEN CAST(value AS INTEGER) > 1 THEN CAST(value AS INTEGER) ELSE 1 END ELSE 0 END) AS imp,
         SUM(CASE WHEN type = 'click' AND slot <> '' THEN 1 ELSE 0 END) AS clk,
         SUM(CASE WHEN type = 'add_to_cart' THEN 1 ELSE 0 END) AS carts,
         SUM(CASE WHEN type = 'purchase' THEN 1 ELSE 0 END) AS buys,
         SUM(CASE WHEN type = 'purchase' THEN value ELSE 0 END) AS rev
  FROM events
  WHERE arm IN ? AND created_at >= ? AND created_at < ?
  GROUP BY user_key, arm
) v
WHERE imp > 0
GROUP BY arm`

// ArmResults returns each arm's figures between from and to.
func (db *DB) ArmResults(ctx context.Context, arms []string, from, to time.Time) ([]ArmStats, error) {
	var out []ArmStats
	if len(arms) == 0 {
		return nil, nil
	}
	if err := db.R.WithContext(ctx).Raw(sqlArmStats, arms, from.UTC(), to.UTC()).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("models: arm results: %w", err)
	}
	return out, nil
}

// ArmResultsExcept returns the figures of every labelled visitor outside
// the control group, as one arm labelled label (personalization's side of
// its uplift against the control group).
func (db *DB) ArmResultsExcept(ctx context.Context, label string, from, to time.Time) (ArmStats, error) {
	var out []ArmStats
	q := strings.Replace(sqlArmStats, "arm IN ?", "arm <> '' AND arm <> ?", 1)
	q = strings.Replace(q, "SELECT user_key, arm,", "SELECT user_key, 'all' AS arm,", 1)
	q = strings.Replace(q, "GROUP BY user_key, arm", "GROUP BY user_key", 1)
	if err := db.R.WithContext(ctx).Raw(q, ArmLabelControl, from.UTC(), to.UTC()).Scan(&out).Error; err != nil {
		return ArmStats{}, fmt.Errorf("models: results outside the control group: %w", err)
	}
	if len(out) == 0 {
		return ArmStats{Arm: label}, nil
	}
	out[0].Arm = label
	return out[0], nil
}

// ArmDay is one arm's visitors who first saw the homepage on a day (UTC),
// and how many of them bought while the experiment ran.
type ArmDay struct {
	Arm      string
	Day      string // YYYY-MM-DD
	Visitors int64
	Buyers   int64
}

// ArmDays returns each arm's visitors by the day they first saw the
// homepage between from and to, with the buyers among them.
func (db *DB) ArmDays(ctx context.Context, arms []string, from, to time.Time) ([]ArmDay, error) {
	day := "date(first_seen)"
	if db.Postgres() {
		day = "to_char(first_seen, 'YYYY-MM-DD')"
	}
	q := `
SELECT arm, ` + day + ` AS day, COUNT(*) AS visitors, CAST(SUM(CASE WHEN buys > 0 THEN 1 ELSE 0 END) AS BIGINT) AS buyers
FROM (
  SELECT user_key, arm, MIN(CASE WHEN type = 'impression' THEN created_at END) AS first_seen,
         SUM(CASE WHEN type = 'purchase' THEN 1 ELSE 0 END) AS buys
  FROM events
  WHERE arm IN ? AND created_at >= ? AND created_at < ?
  GROUP BY user_key, arm
) v
WHERE first_seen IS NOT NULL
GROUP BY arm, ` + day + `
ORDER BY day, arm`
	var out []ArmDay
	if len(arms) == 0 {
		return nil, nil
	}
	if err := db.R.WithContext(ctx).Raw(q, arms, from.UTC(), to.UTC()).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("models: arm days: %w", err)
	}
	return out, nil
}

// StoreExperimentHistory stores an experiment as it stands (status, times)
// with the events and orders its visitors made, in one transaction: the
// demo world's finished experiment. history labels them once the arms have
// their ids.
func (db *DB) StoreExperimentHistory(ctx context.Context, e *Experiment, history func(arms []ExperimentArm) ([]Event, []Order)) (events, orders int, err error) {
	err = db.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(e).Error; err != nil {
			return fmt.Errorf("models: store experiment: %w", err)
		}
		evs, os := history(e.Arms)
		if err := InsertEventsTx(tx, evs); err != nil {
			return err
		}
		if len(os) > 0 {
			if err := tx.Omit("Items").CreateInBatches(&os, 500).Error; err != nil {
				return fmt.Errorf("models: store experiment orders: %w", err)
			}
			var items []OrderItem
			for _, o := range os {
				for _, it := range o.Items {
					it.OrderID = o.ID
					items = append(items, it)
				}
			}
			if err := tx.CreateInBatches(&items, 500).Error; err != nil {
				return fmt.Errorf("models: store experiment order items: %w", err)
			}
		}
		events, orders = len(evs), len(os)
		return nil
	})
	return events, orders, err
}

// ShoppersByExternalIDs returns the shoppers with the given user ids, by id.
func (db *DB) ShoppersByExternalIDs(ctx context.Context, ids []string) (map[string]Shopper, error) {
	out := map[string]Shopper{}
	for start := 0; start < len(ids); start += 500 {
		var ss []Shopper
		err := db.R.WithContext(ctx).Where("external_id IN ?", ids[start:min(start+500, len(ids))]).Find(&ss).Error
		if err != nil {
			return nil, fmt.Errorf("models: find shoppers: %w", err)
		}
		for _, s := range ss {
			out[s.ExternalID] = s
		}
	}
	return out, nil
}
