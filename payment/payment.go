// Package payment is how the checkout takes money. The checkout talks only
// to a Provider; the shop ships with Simulated, which moves no money. A real
// provider (a card processor's API) is another implementation of the same
// interface, chosen when the server is built (web.Config.Payments). This
// package must not depend on the web framework or the database.
package payment

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// Charge is one payment the checkout asks for.
type Charge struct {
	// IdempotencyKey is the checkout form's key: asking twice with the same
	// key must return the same authorization and move money once.
	IdempotencyKey string
	AmountCents    int64  // in hundredths of Currency
	Currency       string // ISO 4217 code, e.g. "EUR"
	Email          string // the shopper's, for the provider's receipt
	Description    string // e.g. "Order at Example Shop"
}

// Authorization is money held for a Charge, to be captured or voided.
type Authorization struct {
	ID          string // the provider's reference, stored with the order
	AmountCents int64
}

// ErrDeclined is a refusal the shopper can act on (another card, a lower
// amount); its message is shown to them. Any other error is the
// provider failing, and the shopper is asked to try again later.
var ErrDeclined = errors.New("payment declined")

// DeclinedError carries the provider's reason for a decline.
type DeclinedError struct{ Reason string }

func (e *DeclinedError) Error() string { return "payment declined: " + e.Reason }
func (e *DeclinedError) Unwrap() error { return ErrDeclined }

// Provider takes payments. The checkout authorizes the cart's total before
// the order is written, voids the authorization when the order cannot be
// placed (out of stock, prices changed), and captures it once the order is
// stored.
type Provider interface {
	// Name is shown to the shopper at checkout, e.g. "Simulated payments".
	Name() string
	// Simulated reports that no money moves; the shop then says so on every page.
	Simulated() bool
	Authorize(ctx context.Context, c Charge) (Authorization, error)
	Capture(ctx context.Context, a Authorization) error
	Void(ctx context.Context, a Authorization) error
}

// Simulated accepts every charge and moves no money. It keeps the
// authorizations it gave so a repeated key gets the same one, as a real
// provider's idempotency keys do.
type Simulated struct {
	mu     sync.Mutex
	auths  map[string]Authorization
	voided map[string]bool // authorization IDs
}

// NewSimulated returns the simulated provider.
func NewSimulated() *Simulated {
	return &Simulated{auths: map[string]Authorization{}, voided: map[string]bool{}}
}

func (*Simulated) Name() string    { return "Simulated payments" }
func (*Simulated) Simulated() bool { return true }

// Authorize accepts any positive amount.
func (s *Simulated) Authorize(_ context.Context, c Charge) (Authorization, error) {
	if c.AmountCents <= 0 {
		return Authorization{}, &DeclinedError{Reason: "the amount must be above zero"}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if a, ok := s.auths[c.IdempotencyKey]; ok {
		return a, nil
	}
	if len(s.auths) > 100_000 {
		clear(s.auths) // bound memory; keys only matter for seconds
		clear(s.voided)
	}
	a := Authorization{ID: fmt.Sprintf("sim_%s", c.IdempotencyKey), AmountCents: c.AmountCents}
	s.auths[c.IdempotencyKey] = a
	return a, nil
}

// ErrVoided refuses to capture an authorization that was voided.
var ErrVoided = errors.New("the authorization was voided")

// Capture succeeds unless the authorization was voided, as a card
// processor's capture of a cancelled authorization fails.
func (s *Simulated) Capture(_ context.Context, a Authorization) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.voided[a.ID] {
		return ErrVoided
	}
	return nil
}

// Void always succeeds; the authorization can no longer be captured, and
// its key is still answered with it.
func (s *Simulated) Void(_ context.Context, a Authorization) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.voided[a.ID] = true
	return nil
}
