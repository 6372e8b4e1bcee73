package models

import (
	"context"
	"testing"
	"time"
)

// An account's allowance: burst attempts at once, then one per interval,
// a refusal saying how long until the next; a whole allowance's row is
// deleted by the clean-up.
func TestLoginAllowanceSpendsRefillsAndIsCleanedUp(t *testing.T) {
	db := mustOpen(t)
	ctx := context.Background()
	now := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	spend := func(account string, at time.Time) (bool, time.Duration) {
		t.Helper()
		ok, wait, err := db.SpendLoginAllowance(ctx, account, at, time.Minute, 3)
		if err != nil {
			t.Fatal(err)
		}
		return ok, wait
	}
	for i := range 3 {
		if ok, _ := spend("a", now); !ok {
			t.Fatalf("attempt %d of 3 refused", i+1)
		}
	}
	if ok, wait := spend("a", now); ok || wait != time.Minute {
		t.Fatalf("the fourth attempt at once: ok=%v wait=%s, want refused for 1m0s", ok, wait)
	}
	if ok, _ := spend("b", now); !ok {
		t.Fatal("another account was refused")
	}
	if ok, _ := spend("a", now.Add(time.Minute)); !ok {
		t.Fatal("refused after the interval")
	}
	if ok, wait := spend("a", now.Add(time.Minute+time.Second)); ok || wait != 59*time.Second {
		t.Fatalf("at once after the refill: ok=%v wait=%s, want refused for 59s", ok, wait)
	}
	if n, err := db.DeleteWholeLoginAllowances(ctx, now.Add(2*time.Minute)); err != nil || n != 1 {
		t.Fatalf("clean-up when b is whole and a is not: %d deleted (%v), want 1", n, err)
	}
	if n, err := db.DeleteWholeLoginAllowances(ctx, now.Add(time.Hour)); err != nil || n != 1 {
		t.Fatalf("clean-up an hour later: %d deleted (%v), want 1", n, err)
	}
	for i := range 3 {
		if ok, _ := spend("a", now.Add(time.Hour)); !ok {
			t.Fatalf("attempt %d of a whole allowance again refused", i+1)
		}
	}
}
