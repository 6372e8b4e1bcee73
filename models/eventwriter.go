package models

import (
	"context"
	"errors"
	"hash/maphash"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// trackLinger is how long the writer gathers a batch that nobody waits for
// (page views, impressions) before committing it. Each user's events land
// on their own leaf page of the events' index by user, and a commit writes
// every page it changed to the write-ahead log: a batch of a few
// milliseconds held one event per visitor, so every view cost a whole page
// written (three quarters of an event's cost). Over half a second the
// views of the visitors browsing at that moment share their pages, and a
// commit's fixed cost is spread over thousands of events
// (docs/performance.md "Views committed twice a second"). Nobody reads a
// view before its commit: a read of one user's history first waits for
// what the writer holds of that user (DB.settle), and a page composed
// before the commit is dropped by the OnWritten hook.
const trackLinger = 500 * time.Millisecond

// ErrQueueFull is returned when the event queue cannot take more events.
var ErrQueueFull = errors.New("event queue is full")

// ErrWriterClosed is returned for events offered after Close.
var ErrWriterClosed = errors.New("event writer is closed")

// EventWriter batches events into few write transactions. Page views hand
// events over without waiting; API callers can wait until their batch has
// committed. Close drains everything accepted.
type EventWriter struct {
	db       *DB
	queue    chan eventBatch
	maxBatch int
	linger   time.Duration
	log      *slog.Logger

	mu     sync.RWMutex
	closed bool
	done   chan struct{}

	stats struct {
		sync.Mutex
		written, dropped, failed int64
		// The current run of failed batches (none when lastErr is nil):
		// since when, how many events it lost, when it was last logged.
		lastErr                 error
		failingSince, loggedAt  time.Time
		failingEvents, unlogged int64
	}

	// written, when set, is told about every batch once it has committed:
	// caches of what a shopper sees drop their copy then.
	written atomic.Pointer[func([]Event)]

	// Events taken by Track and not yet committed (or failed), per user:
	// a read of a user's history waits for theirs (Settle). Split by user
	// into shards with a lock each: every page view counts itself here
	// while a commit of thousands of views counts them out, and under one
	// lock the views waited for the whole count.
	pendSeed maphash.Seed
	pending  [pendShards]pendShard

	// Impressions held back and summed per minute (impressions.go).
	impMu   sync.Mutex
	imp     map[impressionKey]impressionSum
	impStop chan struct{}
	impOnce sync.Once
	impDone chan struct{}
}

// OnWritten sets a function called, from the writer's goroutine, with every
// batch of events right after it committed. It must be quick.
func (w *EventWriter) OnWritten(f func([]Event)) { w.written.Store(&f) }

// pendShards is how many parts the pending counts are split into.
const pendShards = 16

type pendShard struct {
	mu sync.Mutex
	n  map[string]int
}

func (w *EventWriter) pendShard(userKey string) *pendShard {
	return &w.pending[maphash.String(w.pendSeed, userKey)%pendShards]
}

type eventBatch struct {
	events  []Event
	ack     chan error // nil for fire-and-forget
	tracked bool       // taken by Track: counted in pending until committed
}

// isFlush reports whether the batch is a Flush: nothing to write, only a
// caller waiting for what came before.
func (b eventBatch) isFlush() bool { return b.ack != nil && len(b.events) == 0 }

// NewEventWriter starts a writer with a queue of queueSize submissions.
func NewEventWriter(db *DB, queueSize, maxBatch int, linger time.Duration, log *slog.Logger) *EventWriter {
	w := &EventWriter{db: db, queue: make(chan eventBatch, queueSize), maxBatch: maxBatch,
		linger: linger, log: log, done: make(chan struct{}), pendSeed: maphash.MakeSeed(),
		imp: map[impressionKey]impressionSum{}, impStop: make(chan struct{}), impDone: make(chan struct{})}
	db.writers.add(w)
	go w.run()
	go w.impressionLoop()
	return w
}

// hold counts events as pending (n = 1) or no longer pending (n = -1).
func (w *EventWriter) hold(events []Event, n int) {
	for i := range events {
		k := events[i].UserKey
		sh := w.pendShard(k)
		sh.mu.Lock()
		if sh.n == nil {
			sh.n = map[string]int{}
		}
		if c := sh.n[k] + n; c > 0 {
			sh.n[k] = c
		} else {
			delete(sh.n, k)
		}
		sh.mu.Unlock()
	}
}

// holds reports whether events Track took for userKey are not yet committed.
func (w *EventWriter) holds(userKey string) bool {
	sh := w.pendShard(userKey)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	return sh.n[userKey] > 0
}

// Settle waits until every event Track took for userKey is committed (or
// has failed): a page reading the user's history then shows what they just
// did, however long the writer gathers its batch. It returns at once when
// the writer holds nothing of theirs; otherwise the batch being gathered is
// committed now rather than at the end of its linger.
func (w *EventWriter) Settle(ctx context.Context, userKey string) error {
	if !w.holds(userKey) {
		return nil
	}
	if err := w.Write(ctx, nil); err != nil && !errors.Is(err, ErrWriterClosed) {
		return err
	}
	return nil
}

func (w *EventWriter) countDropped(n int) {
	w.stats.Lock()
	w.stats.dropped += int64(n)
	w.stats.Unlock()
}

// Track queues events without waiting. It reports ErrQueueFull rather than
// blocking a page when the database falls behind.
func (w *EventWriter) Track(events ...Event) error {
	if err := checkEvents(events, time.Now()); err != nil {
		w.countDropped(len(events))
		return err
	}
	w.mu.RLock()
	defer w.mu.RUnlock()
	if w.closed {
		return ErrWriterClosed
	}
	// Pending before it is queued: the writer may commit it at once.
	w.hold(events, 1)
	select {
	case w.queue <- eventBatch{events: events, tracked: true}:
		return nil
	default:
		w.hold(events, -1)
		w.countDropped(len(events))
		return ErrQueueFull
	}
}

// Write queues events and waits until the transaction holding them has
// committed, so an acknowledgement means the events are durable.
func (w *EventWriter) Write(ctx context.Context, events []Event) error {
	// Checked before queueing: a bad event must not fail the batch it would
	// share with other callers' events.
	if err := checkEvents(events, time.Now()); err != nil {
		return err
	}
	ack := make(chan error, 1)
	w.mu.RLock()
	if w.closed {
		w.mu.RUnlock()
		return ErrWriterClosed
	}
	select {
	case w.queue <- eventBatch{events: events, ack: ack}:
		w.mu.RUnlock()
	case <-ctx.Done():
		w.mu.RUnlock()
		return ctx.Err()
	}
	select {
	case err := <-ack:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Flush waits until every event accepted before the call is committed,
// held-back impressions included.
func (w *EventWriter) Flush(ctx context.Context) error {
	if rows := w.takeImpressions(time.Now(), true); len(rows) > 0 {
		w.mu.RLock()
		if !w.closed {
			w.queueImpressions(rows)
		}
		w.mu.RUnlock()
	}
	return w.Write(ctx, nil)
}

// Close stops accepting events and waits until every accepted event is written.
func (w *EventWriter) Close(ctx context.Context) error {
	// The impression loop stops first: it takes the read lock to queue.
	w.impOnce.Do(func() { close(w.impStop) })
	<-w.impDone
	w.mu.Lock()
	if !w.closed {
		w.queueImpressions(w.takeImpressions(time.Now(), true))
		w.closed = true
		close(w.queue)
	}
	w.mu.Unlock()
	err := Drained(ctx, w.done)
	if err == nil {
		w.db.writers.remove(w)
	}
	return err
}

// Drained waits until done is closed or ctx ends, and reports ctx's error
// only if done is still open: ctx may have ended while the rest of the
// shop stopped after the work was done, and a select over both would then
// report a failure half the time.
func Drained(ctx context.Context, done <-chan struct{}) error {
	select {
	case <-done:
		return nil
	default:
	}
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Stats returns how many events were written, dropped and failed.
func (w *EventWriter) Stats() (written, dropped, failed int64) {
	w.stats.Lock()
	defer w.stats.Unlock()
	return w.stats.written, w.stats.dropped, w.stats.failed
}

// Failing reports the error of the last batch when it failed, since when
// batches have been failing and how many events they lost; nil when the
// last batch committed (a full disk or a read-only database shows here
// while reads still work).
func (w *EventWriter) Failing() (err error, since time.Time, lost int64) {
	w.stats.Lock()
	defer w.stats.Unlock()
	return w.stats.lastErr, w.stats.failingSince, w.stats.failingEvents
}

// failureLogEvery is how often a run of failing batches is logged again
// (a full disk fails every batch; one line each would flood the log).
const failureLogEvery = 30 * time.Second

// record counts a batch's outcome and logs the start and end of a run of
// failures, and the run at most every failureLogEvery while it lasts.
func (w *EventWriter) record(n int, err error) {
	now := time.Now()
	w.stats.Lock()
	defer w.stats.Unlock()
	st := &w.stats
	if err == nil {
		st.written += int64(n)
		if st.lastErr != nil {
			w.log.Info("event writes recovered", "failing_for", now.Sub(st.failingSince).Round(time.Second).String(), "events_lost", st.failingEvents)
		}
		st.lastErr, st.failingEvents, st.unlogged = nil, 0, 0
		return
	}
	st.failed += int64(n)
	if st.lastErr == nil {
		st.failingSince, st.loggedAt = now, time.Time{}
	}
	st.lastErr = err
	st.failingEvents += int64(n)
	st.unlogged += int64(n)
	if now.Sub(st.loggedAt) >= failureLogEvery {
		w.log.Error("event batch failed", "events", st.unlogged, "failing_since", st.failingSince.UTC().Format(time.RFC3339), "err", err)
		st.loggedAt, st.unlogged = now, 0
	}
}

// QueueLen is the number of submissions waiting.
func (w *EventWriter) QueueLen() int { return len(w.queue) }

func (w *EventWriter) run() {
	defer close(w.done)
	var (
		events  []Event
		acks    []chan error
		tracked []Event // the events of Track's batches among events
	)
	take := func(b eventBatch) {
		events = append(events, b.events...)
		if b.tracked {
			tracked = append(tracked, b.events...)
		}
	}
	flush := func() {
		if len(events) == 0 {
			for _, a := range acks { // Flush calls: nothing to write
				a <- nil
			}
			acks = acks[:0]
			return
		}
		// One retry: a busy moment should not cost page-view events.
		err := retryBusy(context.Background(), 2, func() time.Duration { return 200 * time.Millisecond },
			func() error { return w.db.InsertEvents(context.Background(), events) })
		w.record(len(events), err)
		w.hold(tracked, -1)
		if f := w.written.Load(); f != nil && err == nil {
			(*f)(events)
		}
		for _, a := range acks {
			a <- err
		}
		events, acks, tracked = events[:0], acks[:0], tracked[:0]
	}
	for b := range w.queue {
		take(b)
		// Gather whatever else arrives within the linger time, unless a
		// Flush is waiting. Page views wait for nobody, so a batch of them
		// only gathers for longer (trackLinger): fewer, larger commits cost
		// less per event. A caller waiting for its commit (the event API,
		// a read of a user's history through Settle) cuts the wait back to
		// linger.
		began := time.Now()
		wait := max(w.linger, trackLinger)
		if b.ack != nil {
			acks = append(acks, b.ack)
			wait = w.linger
		}
		timer := time.NewTimer(wait)
	gather:
		for len(events) < w.maxBatch && !b.isFlush() {
			select {
			case nb, ok := <-w.queue:
				if !ok {
					break gather
				}
				take(nb)
				if nb.ack != nil {
					acks = append(acks, nb.ack)
					if wait > w.linger {
						wait = w.linger
						timer.Reset(max(0, w.linger-time.Since(began)))
					}
				}
				if nb.isFlush() {
					break gather
				}
			case <-timer.C:
				break gather
			}
		}
		timer.Stop()
		flush()
	}
	flush()
}

// eventWriters are the event writers started on a database.
type eventWriters struct {
	mu   sync.Mutex
	list []*EventWriter
}

func (ws *eventWriters) add(w *EventWriter) {
	ws.mu.Lock()
	ws.list = append(ws.list, w)
	ws.mu.Unlock()
}

func (ws *eventWriters) remove(w *EventWriter) {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	for i, x := range ws.list {
		if x == w {
			ws.list = append(ws.list[:i], ws.list[i+1:]...)
			return
		}
	}
}

// settleWait bounds how long a read of a user's history waits for the
// event writer: a commit takes milliseconds, but a writer stuck behind a
// held lock or a failing disk must not hold pages that only read (they
// then show what is committed).
const settleWait = 250 * time.Millisecond

// settle waits until the events this process's writers took for userKey
// without waiting are committed, so a read of that user's history shows
// them; at most settleWait.
func (db *DB) settle(ctx context.Context, userKey string) {
	db.writers.mu.Lock()
	list := slices.Clone(db.writers.list)
	db.writers.mu.Unlock()
	var cancel context.CancelFunc
	for _, w := range list {
		if !w.holds(userKey) {
			continue
		}
		if cancel == nil {
			ctx, cancel = context.WithTimeout(ctx, settleWait)
			defer cancel()
		}
		_ = w.Settle(ctx, userKey)
	}
}
