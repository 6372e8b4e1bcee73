package recommender

import "sync/atomic"

// Holder publishes the current model to concurrent readers. Retraining
// builds a new Model and swaps it in; requests in flight keep the one they
// loaded.
type Holder struct {
	p atomic.Pointer[Model]
}

// Load returns the current model, or nil before the first Store.
func (h *Holder) Load() *Model { return h.p.Load() }

// Store publishes m.
func (h *Holder) Store(m *Model) { h.p.Store(m) }
