package shop

import (
	"context"
	"hash/fnv"
	"math"
	"strconv"
	"sync"
	"time"

	"storefront/models"
)

// Experiments: every visitor is sorted, by a hash of their visitor id, into
// the standing control group (a non-personalized page) or, while an
// experiment runs, into one of its arms by the arms' weights; everyone else
// gets the live personalized page. The hash makes the assignment sticky
// without storing it: the visitor cookie outlives login, so a shopper keeps
// their arm when they sign in. Each instance reads the running experiment
// and the control share every experimentTTL, so a start or stop through
// another instance is followed within seconds.

const experimentTTL = 5 * time.Second

// bucketsPerPercent turns a percentage into hash buckets (0.01 % each).
const bucketsPerPercent = 100

// Assignment is what a visitor is shown.
type Assignment struct {
	Label   string // what their events and orders carry (models.ArmLabel…)
	Control bool   // the non-personalized control page
	Exp     *models.Experiment
	Arm     *models.ExperimentArm // nil outside an experiment
}

// experimentState is the running experiment and the control share.
type experimentState struct {
	mu         sync.Mutex
	exp        *models.Experiment
	controlPct float64
	loaded     time.Time
	refreshing bool
	gen        uint64                 // bumped by ExperimentsChanged
	snapshots  map[uint][]models.Slot // decoded slots of draft and version arms
}

// bucket hashes a visitor with a salt into [0, 10000).
func bucket(salt, visitorID string) int {
	h := fnv.New64a()
	h.Write([]byte(salt))
	h.Write([]byte{0})
	h.Write([]byte(visitorID))
	return int(h.Sum64() % (100 * bucketsPerPercent))
}

// Assign sorts a visitor: into the control group when their control
// bucket falls below controlPct, else into an arm of exp (nil: none) by
// the arms' weights, hashed with the experiment's id so each experiment
// splits visitors afresh. The control group is the same whatever runs.
func Assign(visitorID string, controlPct float64, exp *models.Experiment) Assignment {
	if visitorID == "" {
		return Assignment{Label: models.ArmLabelPersonal}
	}
	if bucket("control", visitorID) < int(math.Round(controlPct*bucketsPerPercent)) {
		return Assignment{Label: models.ArmLabelControl, Control: true}
	}
	if exp == nil || len(exp.Arms) == 0 {
		return Assignment{Label: models.ArmLabelPersonal}
	}
	total := 0
	for _, a := range exp.Arms {
		total += max(a.Weight, 0)
	}
	if total == 0 {
		return Assignment{Label: models.ArmLabelPersonal}
	}
	b := bucket("experiment:"+strconv.FormatUint(uint64(exp.ID), 10), visitorID) % total
	for i := range exp.Arms {
		a := &exp.Arms[i]
		if b < max(a.Weight, 0) {
			return Assignment{Label: a.Label(), Exp: exp, Arm: a}
		}
		b -= max(a.Weight, 0)
	}
	return Assignment{Label: models.ArmLabelPersonal}
}

// Assign sorts a visitor of this shop (see the function Assign).
func (s *Shop) Assign(ctx context.Context, visitorID string) Assignment {
	exp, pct := s.runningExperiment(ctx)
	return Assign(visitorID, pct, exp)
}

// runningExperiment returns the running experiment and the control share,
// read again when older than experimentTTL by one request while the others
// use the previous copy.
func (s *Shop) runningExperiment(ctx context.Context) (*models.Experiment, float64) {
	st := &s.experiments
	st.mu.Lock()
	if !st.loaded.IsZero() && (time.Since(st.loaded) < experimentTTL || st.refreshing) {
		exp, pct := st.exp, st.controlPct
		st.mu.Unlock()
		return exp, pct
	}
	st.refreshing = true
	exp, pct, loaded := st.exp, st.controlPct, !st.loaded.IsZero()
	gen := st.gen
	st.mu.Unlock()

	fresh, err := s.db.RunningExperiment(ctx)
	freshPct, perr := s.db.ControlPercent(ctx)
	st.mu.Lock()
	defer st.mu.Unlock()
	st.refreshing = false
	if err != nil || perr != nil {
		s.log.Warn("experiments unavailable", "err", err, "control_err", perr)
		if !loaded {
			// Nothing known yet: serve the personalized page to everyone
			// and try again on the next request.
			return nil, 0
		}
		st.loaded = time.Now()
		return exp, pct
	}
	if fresh == nil || st.exp == nil || fresh.ID != st.exp.ID {
		st.snapshots = nil
	}
	st.exp, st.controlPct, st.loaded = fresh, freshPct, time.Now()
	if st.gen != gen {
		// A change landed while this read was under way: it may predate
		// the change, so the next request reads again.
		st.loaded = time.Time{}
	}
	return fresh, freshPct
}

// ExperimentsChanged makes the next request read the running experiment
// and the control share again (after a start, stop, promote or setting).
func (s *Shop) ExperimentsChanged() {
	s.experiments.mu.Lock()
	s.experiments.loaded = time.Time{}
	s.experiments.gen++
	s.experiments.mu.Unlock()
}

// ArmSlots is the homepage an assignment shows over the published slots.
// A frozen arm's slots are decoded once per experiment.
func (s *Shop) ArmSlots(a Assignment, published []models.Slot) []models.Slot {
	if a.Arm == nil {
		return published
	}
	if a.Arm.Snapshot == "" {
		slots, err := models.ArmLayout(a.Exp, a.Arm, published)
		if err != nil {
			return published
		}
		return slots
	}
	st := &s.experiments
	st.mu.Lock()
	slots, ok := st.snapshots[a.Arm.ID]
	st.mu.Unlock()
	if ok {
		return slots
	}
	slots, err := models.ArmLayout(a.Exp, a.Arm, published)
	if err != nil {
		s.log.Warn("experiment arm unreadable, serving the live page", "arm", a.Label, "err", err)
		return published
	}
	st.mu.Lock()
	if st.snapshots == nil {
		st.snapshots = map[uint][]models.Slot{}
	}
	st.snapshots[a.Arm.ID] = slots
	st.mu.Unlock()
	return slots
}
