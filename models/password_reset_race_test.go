package models

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// TestAShoppersResetLinksAreCountedWhenAskedAtOnce: the sixteenth outside
// attack. A shopper is sent at most PasswordResetsPerHour reset links an
// hour, counted in the database so that every instance keeps the one
// figure; but on PostgreSQL each request counted the links of the hour
// and stored its own in a transaction that did not see the others'
// (read committed), so requests for one address sent at the same moment,
// from many client addresses (each may ask five) or through several
// instances, each found fewer than three and each mailed the shopper a
// link: 20 at once stored 20. SQLite serializes the transactions.
func TestAShoppersResetLinksAreCountedWhenAskedAtOnce(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t)
	if _, err := db.CreateShopper(ctx, "Reset Target", "reset-target@example.com", "a password for the reset race"); err != nil {
		t.Fatal(err)
	}
	const asks = 20
	now := time.Now()
	var mu sync.Mutex
	sent, refused := 0, 0
	var others []error
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range asks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, _, err := db.StartPasswordReset(ctx, "reset-target@example.com", now)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				sent++
			case errors.Is(err, ErrTooManyResets):
				refused++
			default:
				others = append(others, err)
			}
		}()
	}
	close(start)
	wg.Wait()
	if len(others) > 0 {
		t.Fatalf("errors other than a refusal: %v", others)
	}
	var stored int64
	if err := db.R.Model(&PasswordReset{}).Count(&stored).Error; err != nil {
		t.Fatal(err)
	}
	if sent > PasswordResetsPerHour || stored > PasswordResetsPerHour {
		t.Errorf("%d reset requests for one shopper at once: %d links sent, %d stored, %d refused; want at most %d",
			asks, sent, stored, refused, PasswordResetsPerHour)
	}
}
