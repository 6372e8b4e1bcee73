package models

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
)

// Two instances of the shop on one database (PostgreSQL with
// STOREFRONT_TEST_DB, as behind a load balancer; SQLite for processes
// sharing one file), each with its own connection pool.
func twoInstances(t *testing.T) (*DB, *DB) {
	t.Helper()
	db := mustOpen(t)
	other, err := Open(db.Target())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close() })
	return db, other
}

// atOnce runs both at the same moment and returns their errors.
func atOnce(a, b func() error) (error, error) {
	var wg sync.WaitGroup
	var errA, errB error
	start := make(chan struct{})
	wg.Add(2)
	go func() { defer wg.Done(); <-start; errA = a() }()
	go func() { defer wg.Done(); <-start; errB = b() }()
	close(start)
	wg.Wait()
	return errA, errB
}

// Two admins demoting, deactivating or removing each other at the same
// moment, each through another instance: one change goes through and the
// other is refused, so the shop keeps an active admin. On PostgreSQL each
// transaction counted the admins without the other's uncommitted change,
// so both went through and the shop was left with no admin.
func TestTwoAdminsChangingEachOtherAtOnceKeepAnAdmin(t *testing.T) {
	db, other := twoInstances(t)
	ctx := context.Background()
	const pw = "sturdy-staff-pass-42"
	a, err := db.CreateStaff(ctx, "cli", NewStaff{Email: "ada@example.com", Role: RoleAdmin, Password: pw})
	if err != nil {
		t.Fatal(err)
	}
	b, err := db.CreateStaff(ctx, "cli", NewStaff{Email: "bo@example.com", Role: RoleAdmin, Password: pw})
	if err != nil {
		t.Fatal(err)
	}
	for _, ch := range []struct {
		name string
		do   func(d *DB, actor string, id uint) error
	}{
		{"demote", func(d *DB, actor string, id uint) error {
			_, err := d.SetStaffRole(ctx, actor, id, RoleMerchandiser)
			return err
		}},
		{"deactivate", func(d *DB, actor string, id uint) error {
			_, err := d.SetStaffActive(ctx, actor, id, false)
			return err
		}},
		{"remove", func(d *DB, actor string, id uint) error {
			_, err := d.RemoveStaff(ctx, actor, id)
			return err
		}},
	} {
		t.Run(ch.name, func(t *testing.T) {
			for round := 0; round < 25; round++ {
				// Both active admins again (a removed one put back as it was).
				for _, s := range []Staff{*a, *b} {
					if err := db.W.Save(&s).Error; err != nil {
						t.Fatal(err)
					}
				}
				errA, errB := atOnce(
					func() error { return ch.do(db, a.Email, b.ID) },
					func() error { return ch.do(other, b.Email, a.ID) })
				var admins int64
				if err := db.R.Model(&Staff{}).Where("role = ? AND deactivated_at IS NULL", RoleAdmin).Count(&admins).Error; err != nil {
					t.Fatal(err)
				}
				if admins != 1 {
					t.Fatalf("round %d: %d active admins after each admin's %s of the other (%v; %v), want the one whose %s was refused",
						round, admins, ch.name, errA, errB, ch.name)
				}
				refused := 0
				for _, err := range []error{errA, errB} {
					switch {
					case errors.Is(err, ErrLastAdmin):
						refused++
					case err != nil:
						t.Fatalf("round %d: %v", round, err)
					}
				}
				if refused != 1 {
					t.Fatalf("round %d: %d changes refused as the last admin's (%v; %v), want 1", round, refused, errA, errB)
				}
			}
		})
	}
}

// One setup link posted twice at the same moment (a double click, or the
// link opened on two instances) makes one admin; the other post is told
// the link no longer works. On PostgreSQL both transactions saw no staff
// and the token live, and the shop got two admins from one link.
func TestASetupLinkPostedTwiceAtOnceMakesOneAdmin(t *testing.T) {
	db, other := twoInstances(t)
	ctx := context.Background()
	for round := 0; round < 6; round++ {
		if err := db.W.Exec("DELETE FROM staffs").Error; err != nil {
			t.Fatal(err)
		}
		token, err := db.CreateSetupToken(ctx)
		if err != nil || token == "" {
			t.Fatalf("round %d: setup token %q, %v", round, token, err)
		}
		setUp := func(d *DB, email string) func() error {
			return func() error {
				_, err := d.SetupFirstAdmin(ctx, token, "", NewStaff{Email: email, Password: "sturdy-staff-pass-42"})
				return err
			}
		}
		errA, errB := atOnce(setUp(db, fmt.Sprintf("first%d@example.com", round)), setUp(other, fmt.Sprintf("second%d@example.com", round)))
		var staff int64
		if err := db.R.Model(&Staff{}).Count(&staff).Error; err != nil {
			t.Fatal(err)
		}
		if staff != 1 {
			t.Fatalf("round %d: one setup link posted twice made %d staff accounts (%v; %v), want 1", round, staff, errA, errB)
		}
		if (errA == nil) == (errB == nil) || !errors.Is(errors.Join(errA, errB), ErrNotFound) {
			t.Fatalf("round %d: the two posts answered %v and %v, want one admin made and the other not found", round, errA, errB)
		}
	}
}
