package shop

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"storefront/models"
	"storefront/recommender"
)

// LoadDataset reads the catalog and every product event into the
// recommender's input types.
func LoadDataset(ctx context.Context, db *models.DB) (recommender.Dataset, error) {
	items, products, err := loadItems(ctx, db)
	if err != nil {
		return recommender.Dataset{}, err
	}
	clock := time.Now().UTC()
	events, _, err := loadEvents(ctx, db, products, clock)
	if err != nil {
		return recommender.Dataset{}, err
	}
	return recommender.Dataset{Items: items, Events: events, Now: DatasetNow(events, clock)}, nil
}

// loadItems reads the catalog as the recommender's items.
func loadItems(ctx context.Context, db *models.DB) ([]recommender.Item, []models.Product, error) {
	cats, err := db.Categories(ctx)
	if err != nil {
		return nil, nil, err
	}
	products, err := db.AllProducts(ctx)
	if err != nil {
		return nil, nil, err
	}
	cat := BuildCatalog(cats, products)
	items := make([]recommender.Item, 0, len(products))
	for i := range products {
		items = append(items, recItem(cat, &products[i]))
	}
	return items, products, nil
}

// loadEvents reads every product event in time order (ties by insertion),
// leaving out events dated beyond clock+EventClockSkew and those of the
// crowds of visitors and accounts one network made (dropCrowds). It
// streams the rows (no intermediate slice of database rows), shares one
// string per shopper and per product among their events, and maps product
// ids to external ids itself instead of joining in SQL.
func loadEvents(ctx context.Context, db *models.DB, products []models.Product, clock time.Time) ([]recommender.Event, Crowds, error) {
	origins, err := db.VisitorOriginsOf(ctx)
	if err != nil {
		return nil, Crowds{}, err
	}
	accounts, err := db.AccountOrigins(ctx)
	if err != nil {
		return nil, Crowds{}, err
	}
	external := make(map[int64]string, len(products))
	for i := range products {
		external[int64(products[i].ID)] = products[i].ExternalID
	}
	users := map[string]string{}
	var events []recommender.Event
	var ids []int64
	limit := clock.Add(models.EventClockSkew)
	err = db.ScanInteractions(ctx, func(r *models.InteractionRow) error {
		// Events are refused beyond this when they come in; older
		// databases may still hold some, which must not count.
		if r.CreatedAt.After(limit) {
			return nil
		}
		item, ok := external[r.ProductID]
		if !ok {
			return nil // the product is gone
		}
		et, err := recommender.ParseEventType(string(r.Type))
		if err != nil {
			return err
		}
		user, ok := users[string(r.UserKey)]
		if !ok {
			user = string(r.UserKey)
			users[user] = user
		}
		events = append(events, recommender.Event{User: user, Item: item, Type: et, Time: r.CreatedAt, Value: r.Value})
		ids = append(ids, r.ID)
		return nil
	})
	if err != nil {
		return nil, Crowds{}, err
	}
	byTime := func(a, b int) int {
		if c := events[a].Time.Compare(events[b].Time); c != 0 {
			return c
		}
		return cmp.Compare(ids[a], ids[b])
	}
	sorted := true
	for k := 1; k < len(events) && sorted; k++ {
		sorted = byTime(k-1, k) <= 0
	}
	if !sorted {
		perm := make([]int32, len(events))
		for k := range perm {
			perm[k] = int32(k)
		}
		slices.SortFunc(perm, func(a, b int32) int { return byTime(int(a), int(b)) })
		permuteInPlace(events, perm)
	}
	events, crowds := dropCrowds(events, origins, accounts)
	return events, crowds, nil
}

// permuteInPlace reorders s so that s[k] is the old s[perm[k]], one cycle
// of the permutation at a time: a copy of the events (a shop of a million
// visitors has 2.8 million, 200 MB) would be alive beside them. perm is
// used up (each entry is marked done as it is moved).
func permuteInPlace[T any](s []T, perm []int32) {
	for start := range perm {
		if perm[start] < 0 {
			continue
		}
		first := s[start]
		k := start
		for {
			from := perm[k]
			perm[k] = -1
			if int(from) == start {
				s[k] = first
				break
			}
			s[k] = s[from]
			k = int(from)
		}
	}
}

// DatasetNow is the "now" time decay and trending are measured from: the
// latest event, so an imported history from last year keeps its shape
// instead of decaying to nothing, but never later than the clock, so no
// event dated ahead can make all real history look old.
func DatasetNow(events []recommender.Event, clock time.Time) time.Time {
	if len(events) == 0 {
		return clock
	}
	latest := events[len(events)-1].Time // Interactions are in time order
	if latest.After(clock) {
		return clock
	}
	return latest
}

func recItem(cat *Catalog, p *models.Product) recommender.Item {
	it := recommender.Item{ID: p.ExternalID, Title: p.Title, Brand: p.Brand, Description: p.Description,
		PriceCents: p.PriceCents, Active: p.Active, Stock: p.Stock, Created: p.CreatedAt}
	if n := cat.CategoryOf(p); n != nil {
		for _, a := range n.Path() {
			it.CategoryPath = append(it.CategoryPath, cat.RecName(a))
		}
		it.Category = cat.RecName(n)
	}
	return it
}

// maxRecentEvents bounds the events since training folded into one request.
const maxRecentEvents = 100

// RecentEvents returns a user's interactions since the model's data ended:
// what the model has not seen yet and folds in per request. Events at the
// data's last instant were trained on (a daily export puts a whole day
// there), so only later ones count, as on the homepage.
func RecentEvents(ctx context.Context, db *models.DB, m *recommender.Model, user string) ([]recommender.Event, error) {
	hist, err := db.UserInteractions(ctx, user, m.DataNow, maxRecentEvents)
	if err != nil {
		return nil, err
	}
	out := make([]recommender.Event, 0, len(hist))
	for _, h := range hist {
		if h.CreatedAt.After(m.DataNow) {
			out = append(out, RecEvent(h))
		}
	}
	return out, nil
}

// RecEvent converts a stored interaction; Interactions only returns the
// four behaviour types, which all parse.
func RecEvent(r models.Interaction) recommender.Event {
	et, _ := recommender.ParseEventType(r.Type)
	return recommender.Event{User: r.UserKey, Item: r.ItemID, Type: et, Time: r.CreatedAt, Value: r.Value}
}

// TrainResult describes one training run.
type TrainResult struct {
	Model    *recommender.Model
	Artifact *models.ModelArtifact
	Data     recommender.Dataset // what the model was trained on
	Load     time.Duration
	Tune     time.Duration
	Train    time.Duration
	Save     time.Duration
	Tuning   *recommender.FitReport // what tuning chose on held-out data
	Crowds   Crowds                 // the visitors and accounts of crowded networks left out (dropCrowds)
}

// TrainAndStore trains a model on everything in db and stores it, so the
// shop (this process or another) serves it at once.
// Before training, cfg is tuned on the shop's own data within
// cfg.TuneBudget (by default a share of the training time, loading
// included).
func TrainAndStore(ctx context.Context, db *models.DB, cfg recommender.Config, progress func(stage string, d time.Duration)) (*TrainResult, error) {
	res := &TrainResult{}
	start, cpu := time.Now(), recommender.ProcessCPU()
	items, products, err := loadItems(ctx, db)
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return nil, ErrNoProducts
	}
	// The content model depends on the catalog only: it trains while the
	// events load (one core reads the database, the other is free).
	// It leaves the reading goroutine a core of its own.
	ccfg := cfg
	if ccfg.Workers <= 0 {
		ccfg.Workers = runtime.GOMAXPROCS(0)
	}
	ccfg.Workers = max(1, ccfg.Workers-1)
	content := make(chan *recommender.ContentModel, 1)
	go func() { content <- recommender.TrainContent(items, ccfg) }()
	clock := time.Now().UTC()
	events, crowds, err := loadEvents(ctx, db, products, clock)
	if err != nil {
		<-content
		return nil, err
	}
	res.Crowds = crowds
	data := recommender.Dataset{Items: items, Events: events, Now: DatasetNow(events, clock)}
	res.Load = time.Since(start)
	if progress != nil {
		progress("load", res.Load)
	}
	start = time.Now()
	// Waiting for the content model, if it is not done yet, counts as
	// training.
	m, rep, err := recommender.Fit(ctx, data, cfg, recommender.FitOptions{Progress: progress, Before: res.Load, BeforeCPU: recommender.ProcessCPU() - cpu, Content: <-content})
	if err != nil {
		return nil, err
	}
	res.Tuning, res.Tune = rep, rep.Duration
	// Tuning trains the content model the final training reuses; the
	// report counts it in training, not in tuning.
	res.Train = time.Since(start) - rep.Duration
	start = time.Now()
	// Shoppers deleted while this model trained are left out of it.
	forgotten, err := db.ForgottenUsers(ctx)
	if err != nil {
		return nil, err
	}
	m.Forget(func(u string) bool { return forgotten[u] })
	blob, err := m.Marshal()
	if err != nil {
		return nil, err
	}
	stats, _ := json.Marshal(m.Stats())
	a := &models.ModelArtifact{Blob: blob, Stats: string(stats), Events: len(data.Events), TrainedAt: m.TrainedAt}
	if err := db.SaveModelArtifact(ctx, a); err != nil {
		return nil, err
	}
	res.Save = time.Since(start)
	if progress != nil {
		progress("save", res.Save)
	}
	res.Model, res.Artifact, res.Data = m, a, data
	return res, nil
}

// EvalRow is one model's offline figures, stored with a trained model.
type EvalRow struct {
	Model     string  `json:"model"`
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	NDCG      float64 `json:"ndcg"`
	MAP       float64 `json:"map"`
	HitRate   float64 `json:"hit_rate"`
	Coverage  float64 `json:"coverage"`
	Users     int     `json:"users"`
}

// evalStrategies are evaluated after each background training.
var evalStrategies = []recommender.Strategy{recommender.Popular, recommender.ItemKNN, recommender.ALS, recommender.Hybrid}

// EvaluateShop measures models on a time split of the shop's events
// (earlier 80% train, later 20% test), the popularity baseline first.
func EvaluateShop(ctx context.Context, data recommender.Dataset, cfg recommender.Config, k int) ([]EvalRow, error) {
	trainEvents, test := recommender.TimeSplit(data.Events, 0.8)
	if len(trainEvents) == 0 || len(test) == 0 {
		return nil, nil
	}
	train := recommender.Dataset{Items: data.Items, Events: trainEvents, Now: trainEvents[len(trainEvents)-1].Time}
	// The hybrid is measured as it ships: tuned on the training part only.
	cfg, _, err := recommender.Tune(ctx, train, cfg, recommender.FitOptions{})
	if err != nil {
		return nil, err
	}
	ms, err := recommender.Evaluate(ctx, train, test, k, cfg, evalStrategies)
	if err != nil {
		return nil, err
	}
	var rows []EvalRow
	for _, st := range evalStrategies {
		m, ok := ms[st]
		if !ok {
			continue
		}
		rows = append(rows, EvalRow{Model: st.String(), Precision: m.Precision, Recall: m.Recall, NDCG: m.NDCG,
			MAP: m.MAP, HitRate: m.HitRate, Coverage: m.Coverage, Users: m.Users})
	}
	return rows, nil
}

// LoadStoredModel returns the newest stored model.
func LoadStoredModel(ctx context.Context, db *models.DB) (*recommender.Model, *models.ModelArtifact, error) {
	// Decoded as it is read: no copy of a blob of hundreds of MB on a
	// large shop's start-up.
	var m *recommender.Model
	var info *models.ModelArtifact
	err := db.ReadLatestModelArtifact(ctx, func(a *models.ModelArtifact, blob io.Reader) error {
		info = a
		var err error
		if m, err = recommender.Load(blob); err != nil {
			return fmt.Errorf("shop: load stored model %d: %w", a.ID, err)
		}
		return nil
	})
	if err != nil {
		return nil, info, err
	}
	return m, info, nil
}

// ReloadModel swaps in the newest stored model; without one the
// shop serves popularity until the first training finishes.
func (s *Shop) ReloadModel(ctx context.Context) { s.reloadModel(ctx, true) }

// reloadModel is ReloadModel; with prepare false the model's derived
// tables are left to the caller (New builds them once the shop is ready).
func (s *Shop) reloadModel(ctx context.Context, prepare bool) {
	m, a, err := LoadStoredModel(ctx, s.db)
	switch {
	case errors.Is(err, models.ErrNotFound):
		s.SetDegraded("no trained model yet: serving popularity")
	case err != nil:
		s.SetDegraded("stored model unreadable: serving popularity")
		s.log.Error("stored model unreadable", "err", err)
	default:
		if prepare {
			s.serve(m)
		} else {
			s.model.Store(m)
		}
		s.setModelInfo(a)
		s.SetDegraded("")
	}
}

// ErrNoProducts is TrainAndStore's answer for a shop without products: it
// stores nothing. A model of an empty shop, once stored, counted as the
// shop's model: a shop served before its first import kept it after the
// import, and its homepage showed the hero and no row until the next
// scheduled training (an hour later by default).
var ErrNoProducts = errors.New("shop: the shop has no products yet: nothing to train")

// wantsFirstModel reports whether the shop has products and no model that
// knows them: none stored, or one stored before the shop had products
// (older versions stored one when a shop was served before its import).
func (s *Shop) wantsFirstModel() bool {
	c := s.catalog.Load()
	if c == nil || len(c.products) == 0 {
		return false
	}
	m := s.model.Load()
	return m == nil || m.NumItems() == 0
}

// trainFirstModel starts a training when the shop has products and no
// model that knows them (wantsFirstModel), once per catalog snapshot: a
// shop served before its import trains as soon as the import's catalog
// is loaded, without waiting for --train-every.
func (s *Shop) trainFirstModel() {
	c := s.catalog.Load()
	if !s.wantsFirstModel() || s.firstModelFor.Swap(c) == c {
		return
	}
	s.trainer.Start()
}

// Trainer runs one training at a time in the background.
type Trainer struct {
	s       *Shop
	running atomic.Bool
	wg      sync.WaitGroup
	mu      sync.Mutex
	lastErr error
	lastRun time.Time
}

func newTrainer(s *Shop) *Trainer { return &Trainer{s: s} }

// Start begins a training run unless one is running; it reports whether it started.
func (t *Trainer) Start() bool {
	if !t.running.CompareAndSwap(false, true) {
		return false
	}
	t.wg.Add(1)
	go func() {
		defer t.wg.Done()
		defer t.running.Store(false)
		ctx := t.s.life // a stop cancels the training
		// One instance trains at a time; the others swap to its model when
		// it is stored (followStoredModel).
		unlock, ok, err := t.s.db.TryLock(ctx, "storefront:training")
		if err != nil || !ok {
			t.mu.Lock()
			t.lastErr, t.lastRun = err, time.Now()
			t.mu.Unlock()
			if err != nil {
				t.s.log.Error("training lock unavailable", "err", err)
			} else {
				t.s.log.Info("another instance is training; its model will be served when stored")
			}
			return
		}
		defer unlock()
		start := time.Now()
		res, err := TrainAndStore(ctx, t.s.db, recommender.DefaultConfig(), nil)
		t.mu.Lock()
		t.lastErr, t.lastRun = err, time.Now()
		t.mu.Unlock()
		if err != nil && ctx.Err() != nil {
			// Shutting down (SIGTERM): the run stops, nothing failed.
			t.s.log.Info("training stopped: the shop is shutting down", "after", time.Since(start).Round(time.Millisecond).String())
			return
		}
		if errors.Is(err, ErrNoProducts) {
			t.s.log.Info("training skipped: the shop has no products yet; it trains once a catalog is imported")
			return
		}
		if err != nil {
			t.s.log.Error("training failed", "err", err)
			if t.s.model.Load() == nil {
				t.s.SetDegraded("training failed: serving popularity")
			} else {
				t.s.SetDegraded("training failed: serving the previous model")
			}
			return
		}
		t.s.ownModel.Store(uint64(res.Artifact.ID))
		t.s.serve(res.Model)
		t.s.setModelInfo(res.Artifact)
		t.s.SetDegraded("")
		t.s.log.Info("model trained", "duration", time.Since(start).Round(time.Millisecond).String(),
			"events", res.Artifact.Events, "items", res.Model.NumItems(), "users", res.Model.NumUsers())
		if c := res.Crowds.String(); c != "" {
			t.s.log.Warn("training "+c, "networks", res.Crowds.Origins, "visitors", res.Crowds.Visitors)
		}
		// Offline figures for the model page, measured after serving starts,
		// on the same data the model was trained on.
		rows, err := EvaluateShop(ctx, res.Data, recommender.DefaultConfig(), 10)
		if err == nil && rows != nil {
			b, _ := json.Marshal(rows)
			if err = t.s.db.SetArtifactMetrics(ctx, res.Artifact.ID, string(b)); err == nil {
				a := *res.Artifact
				a.Metrics = string(b)
				t.s.setModelInfo(&a)
			}
		}
		if err != nil && ctx.Err() == nil {
			t.s.log.Warn("evaluation after training failed", "err", err)
		}
	}()
	return true
}

// Running reports whether a training run is in progress.
func (t *Trainer) Running() bool { return t.running.Load() }

// Last returns when the last run ended and its error.
func (t *Trainer) Last() (time.Time, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.lastRun, t.lastErr
}

// Wait waits for a running training to end.
func (t *Trainer) Wait() { t.wg.Wait() }

func (s *Shop) trainLoop(every time.Duration) {
	defer s.background.Done()
	s.trainFirstModel()
	tick := time.NewTicker(every)
	defer tick.Stop()
	last := time.Now()
	for {
		select {
		case <-s.stop:
			return
		case now := <-tick.C:
			s.ScheduledRun(last)
			last = now
		}
	}
}

// ScheduledRun is one tick of --train-every, the previous one (or the
// start) at last: it trains unless another instance, an admin's "Retrain
// now" or `storefront train` stored a model since last, so N instances
// that each run the schedule train about once a period between them, not
// N times. The instance that trained last keeps the schedule; when it
// stops, the next instance whose tick comes a period later takes over. It
// reports whether a run started.
func (s *Shop) ScheduledRun(last time.Time) bool {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	id, at, err := s.db.LatestModelStamp(ctx)
	switch {
	case errors.Is(err, models.ErrNotFound), err != nil, uint64(id) == s.ownModel.Load(), at.Before(last):
		return s.trainer.Start()
	}
	s.log.Info("scheduled training skipped: a newer model was stored since this instance's last scheduled run", "model", id, "trained_at", at.UTC().Format(time.RFC3339))
	return false
}

// setModelInfo keeps a stored model's description, without its blob.
func (s *Shop) setModelInfo(a *models.ModelArtifact) {
	info := *a
	info.Blob = nil
	s.modelInfo.Store(&info)
}

// followStoredModel swaps to the newest stored model when it is not the
// one served: every instance serves what any of them trained.
func (s *Shop) followStoredModel(ctx context.Context) error {
	id, err := s.db.LatestModelArtifactID(ctx)
	if errors.Is(err, models.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if cur := s.modelInfo.Load(); (cur != nil && cur.ID == id) || uint64(id) == s.seenModel.Load() {
		return nil
	}
	if s.trainer.Running() {
		return nil // this instance is about to serve its own
	}
	s.seenModel.Store(uint64(id)) // tried once, even if it cannot be read
	s.ReloadModel(ctx)
	return nil
}
