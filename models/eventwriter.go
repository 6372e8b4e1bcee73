package models

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// trackLinger is how long the writer gathers a batch that nobody waits for
// (page views, impressions) before committing it: at page-view rates a
// commit of a few events cost more than the events themselves. A page
// composed before the commit is dropped by the OnWritten hook, so it
// cannot outlive the event.
const trackLinger = 20 * time.Millisecond

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

type eventBatch struct {
	events []Event
	ack    chan error // nil for fire-and-forget
}

// isFlush reports whether the batch is a Flush: nothing to write, only a
// caller waiting for what came before.
func (b eventBatch) isFlush() bool { return b.ack != nil && len(b.events) == 0 }

// NewEventWriter starts a writer with a queue of queueSize submissions.
func NewEventWriter(db *DB, queueSize, maxBatch int, linger time.Duration, log *slog.Logger) *EventWriter {
	w := &EventWriter{db: db, queue: make(chan eventBatch, queueSize), maxBatch: maxBatch,
		linger: linger, log: log, done: make(chan struct{}),
		imp: map[impressionKey]impressionSum{}, impStop: make(chan struct{}), impDone: make(chan struct{})}
	go w.run()
	go w.impressionLoop()
	return w
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
	select {
	case w.queue <- eventBatch{events: events}:
		return nil
	default:
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
	return Drained(ctx, w.done)
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
		events []Event
		acks   []chan error
	)
	flush := func() {
		if len(events) == 0 {
			for _, a := range acks { // Flush calls: nothing to write
				a <- nil
			}
			acks = acks[:0]
			return
		}
		err := w.db.InsertEvents(context.Background(), events)
		if err != nil && IsBusy(err) {
			// One retry: a busy moment should not cost page-view events.
			time.Sleep(200 * time.Millisecond)
			err = w.db.InsertEvents(context.Background(), events)
		}
		w.record(len(events), err)
		if f := w.written.Load(); f != nil && err == nil {
			(*f)(events)
		}
		for _, a := range acks {
			a <- err
		}
		events, acks = events[:0], acks[:0]
	}
	for b := range w.queue {
		events = append(events, b.events...)
		// Gather whatever else arrives within the linger time, unless a
		// Flush is waiting. Page views wait for nobody, so a batch of them
		// only gathers for longer (trackLinger): fewer, larger commits cost
		// less per event. A caller waiting for its commit cuts the wait
		// back to linger.
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
				events = append(events, nb.events...)
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
