package models

import (
	"slices"
	"time"
)

// Impressions are the largest share of what a busy shop writes: every
// homepage view shows about nine rows. Readers only ever sum them (cards
// shown per slot and day for analytics and slot engagement, per user and
// arm for experiments), so the writer adds up a viewer's impressions of the
// same slot, position and kind within a minute and stores one row whose
// value is the number of cards shown, instead of one row per view. Sums
// over any set of minutes, slots, users or days are unchanged; the row's
// time is the first view's.

// ImpressionBucket is the span within which one viewer's impressions of one
// slot and position are stored as one row.
const ImpressionBucket = time.Minute

// maxImpressionKeys bounds the rows held back in memory; beyond it they are
// handed to the writer at once.
const maxImpressionKeys = 200_000

// impressionKey is an impression row without its count and with its time
// cut to its bucket. Every other column (user, slot, position, query and
// any column added to Event later) keeps rows apart.
type impressionKey struct {
	ev        Event // ID, Value and ProductID zero; CreatedAt the bucket start
	productID uint
}

// impressionSum is what the rows of one key add up to so far.
type impressionSum struct {
	first time.Time
	cards float64
}

// cards is how many cards an impression row counts for: its value, at
// least one (rows of one card per product carry no value).
func impressionCards(e *Event) float64 {
	if e.Value > 1 {
		return float64(int64(e.Value))
	}
	return 1
}

// TrackImpressions takes impression events without waiting. They are held
// back and summed per viewer, slot, position and minute, and queued once
// their minute is over (or at Flush and Close); see ImpressionBucket.
func (w *EventWriter) TrackImpressions(events ...Event) error {
	_, err := w.TrackImpressionsWithin(nil, events...)
	return err
}

// TrackImpressionsWithin is TrackImpressions within a budget of rows:
// allow (nil: no bound) is asked whether the rows the events add (those
// not summed into a row held for their minute already) may be stored, and
// when it says no none of the events is kept. A page view's impressions
// are stored one row per slot and minute for each viewer, so the rows a
// client adds grow with the visitor cookies it holds, not with its page
// views; the pages' event budget is spent on them as on any event (web's
// eventBudget). tracked tells whether the events were kept.
func (w *EventWriter) TrackImpressionsWithin(allow func(rows int) bool, events ...Event) (tracked bool, err error) {
	if err := checkEvents(events, time.Now()); err != nil {
		w.countDropped(len(events))
		return false, err
	}
	w.mu.RLock()
	defer w.mu.RUnlock()
	if w.closed {
		return false, ErrWriterClosed
	}
	keys := make([]impressionKey, len(events))
	at := make([]time.Time, len(events))
	for i := range events {
		keys[i], at[i] = impressionKeyOf(&events[i])
	}
	w.impMu.Lock()
	if allow != nil {
		rows := 0
		for i, k := range keys {
			if _, held := w.imp[k]; !held && !slices.Contains(keys[:i], k) {
				rows++
			}
		}
		if rows > 0 && !allow(rows) {
			w.impMu.Unlock()
			return false, nil
		}
	}
	for i, k := range keys {
		sum, ok := w.imp[k]
		if !ok || at[i].Before(sum.first) {
			sum.first = at[i]
		}
		sum.cards += impressionCards(&events[i])
		w.imp[k] = sum
	}
	var full map[impressionKey]impressionSum
	if len(w.imp) >= maxImpressionKeys {
		full, w.imp = w.imp, make(map[impressionKey]impressionSum, len(w.imp)/4)
	}
	w.impMu.Unlock()
	if full != nil {
		w.queueImpressions(impressionRows(full))
	}
	return true, nil
}

// impressionKeyOf is the row e is summed into, and e's time.
func impressionKeyOf(e *Event) (impressionKey, time.Time) {
	k := impressionKey{ev: *e}
	if e.ProductID != nil {
		k.productID = *e.ProductID
	}
	k.ev.ID, k.ev.Value, k.ev.ProductID = 0, 0, nil
	at := e.CreatedAt
	if at.IsZero() {
		at = time.Now()
	}
	at = at.UTC()
	k.ev.CreatedAt = at.Truncate(ImpressionBucket)
	return k, at
}

// takeImpressions removes and returns the held-back rows whose bucket ended
// before now, or every row when all is set.
func (w *EventWriter) takeImpressions(now time.Time, all bool) []Event {
	cut := now.UTC().Truncate(ImpressionBucket)
	w.impMu.Lock()
	defer w.impMu.Unlock()
	if all {
		rows := impressionRows(w.imp)
		w.imp = make(map[impressionKey]impressionSum)
		return rows
	}
	// The rows of the minute still open move to a map of their own size,
	// and the old map goes with the rows taken: a Go map never gives back
	// the room it grew to, so a busy minute's map (tens of thousands of
	// rows, megabytes the collector scans at every cycle) stayed for the
	// server's life however quiet the shop became.
	open := 0
	for k := range w.imp {
		if !k.ev.CreatedAt.Before(cut) {
			open++
		}
	}
	if open == len(w.imp) {
		return nil
	}
	done := make(map[impressionKey]impressionSum, len(w.imp)-open)
	keep := make(map[impressionKey]impressionSum, open)
	for k, v := range w.imp {
		if k.ev.CreatedAt.Before(cut) {
			done[k] = v
		} else {
			keep[k] = v
		}
	}
	w.imp = keep
	return impressionRows(done)
}

func impressionRows(m map[impressionKey]impressionSum) []Event {
	if len(m) == 0 {
		return nil
	}
	rows := make([]Event, 0, len(m))
	for k, v := range m {
		e := k.ev
		e.CreatedAt, e.Value = v.first, v.cards
		if k.productID != 0 {
			id := k.productID
			e.ProductID = &id
		}
		rows = append(rows, e)
	}
	return rows
}

// queueImpressions hands summed rows to the writer, waiting for room: they
// stand for many page views each, and the writer has room again within one
// batch.
func (w *EventWriter) queueImpressions(rows []Event) {
	for len(rows) > 0 {
		n := min(len(rows), w.maxBatch)
		w.queue <- eventBatch{events: rows[:n]}
		rows = rows[n:]
	}
}

// impressionLoop queues the rows of every finished minute.
func (w *EventWriter) impressionLoop() {
	defer close(w.impDone)
	tick := time.NewTicker(ImpressionBucket / 6)
	defer tick.Stop()
	for {
		select {
		case <-w.impStop:
			return
		case now := <-tick.C:
			rows := w.takeImpressions(now, false)
			if len(rows) == 0 {
				continue
			}
			w.mu.RLock()
			if !w.closed {
				w.queueImpressions(rows)
			}
			w.mu.RUnlock()
		}
	}
}
