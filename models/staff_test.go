package models

import (
	"context"
	"errors"
	"testing"
)

func TestStaffAccounts(t *testing.T) {
	db := mustOpen(t)
	ctx := context.Background()
	const pw = "sturdy-staff-pass-42"

	if has, err := db.HasStaff(ctx); err != nil || has {
		t.Fatalf("HasStaff on a fresh shop = %v, %v", has, err)
	}
	boss, err := db.CreateStaff(ctx, "cli", NewStaff{Email: " Boss@Example.com ", Role: RoleAdmin, Password: pw})
	if err != nil {
		t.Fatal(err)
	}
	if boss.Email != "boss@example.com" {
		t.Errorf("email stored as %q, want it normalized", boss.Email)
	}

	for _, tc := range []struct {
		name  string
		in    NewStaff
		field string
	}{
		{"duplicate email", NewStaff{Email: "BOSS@example.com", Role: RoleMerchandiser, Password: pw}, "email"},
		{"weak password", NewStaff{Email: "weak@example.com", Role: RoleMerchandiser, Password: "password123"}, "password"},
		{"short password", NewStaff{Email: "short@example.com", Role: RoleMerchandiser, Password: "abc"}, "password"},
		{"unknown role", NewStaff{Email: "owner@example.com", Role: "owner", Password: pw}, "role"},
		{"bad email", NewStaff{Email: "not-an-email", Role: RoleAdmin, Password: pw}, "email"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := db.CreateStaff(ctx, "cli", tc.in)
			var ve *ValidationError
			if !errors.As(err, &ve) || ve.Fields[tc.field] == "" {
				t.Fatalf("err = %v, want a validation error on %s", err, tc.field)
			}
		})
	}

	// The only admin can be neither removed, demoted nor deactivated.
	if _, err := db.RemoveStaff(ctx, "cli", boss.ID); !errors.Is(err, ErrLastAdmin) {
		t.Errorf("removing the last admin: err = %v, want ErrLastAdmin", err)
	}
	if _, err := db.SetStaffRole(ctx, "cli", boss.ID, RoleMerchandiser); !errors.Is(err, ErrLastAdmin) {
		t.Errorf("demoting the last admin: err = %v, want ErrLastAdmin", err)
	}
	if _, err := db.SetStaffActive(ctx, "cli", boss.ID, false); !errors.Is(err, ErrLastAdmin) {
		t.Errorf("deactivating the last admin: err = %v, want ErrLastAdmin", err)
	}
	if st, _ := db.StaffByID(ctx, boss.ID); st.Role != RoleAdmin || !st.Active() {
		t.Fatalf("refused changes left %+v", st)
	}

	merch, err := db.CreateStaff(ctx, "boss@example.com", NewStaff{Email: "merch@example.com", Name: "Mia", Role: RoleMerchandiser, Password: pw})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.SetStaffActive(ctx, "boss@example.com", merch.ID, false); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AuthenticateStaff(ctx, "merch@example.com", pw); !errors.Is(err, ErrNotFound) {
		t.Errorf("a deactivated account logged in: err = %v", err)
	}
	if _, err := db.SetStaffActive(ctx, "boss@example.com", merch.ID, true); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SetStaffRole(ctx, "boss@example.com", merch.ID, RoleAdmin); err != nil {
		t.Fatal(err)
	}
	// With a second admin the first may step down.
	if _, err := db.SetStaffRole(ctx, "merch@example.com", boss.ID, RoleMerchandiser); err != nil {
		t.Fatalf("demoting one of two admins: %v", err)
	}
	if _, err := db.SetStaffPassword(ctx, "cli", boss.ID, "qwerty1234", false); err == nil {
		t.Error("a common password was accepted on reset")
	}
	if _, err := db.SetStaffPassword(ctx, "cli", boss.ID, "another-sturdy-pass-7", false); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AuthenticateStaff(ctx, "boss@example.com", "another-sturdy-pass-7"); err != nil {
		t.Errorf("the reset password does not log in: %v", err)
	}
	if _, err := db.RemoveStaff(ctx, "cli", boss.ID); err != nil {
		t.Fatal(err)
	}
	list, err := db.StaffList(ctx)
	if err != nil || len(list) != 1 || list[0].Email != "merch@example.com" || list[0].Role != RoleAdmin {
		t.Fatalf("staff list = %+v, %v", list, err)
	}

	logs, _, err := db.AuditLogs(ctx, 1, 50)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, l := range logs {
		seen[l.Action] = true
	}
	for _, a := range []string{"staff.create", "staff.deactivate", "staff.reactivate", "staff.role", "staff.password_reset", "staff.remove"} {
		if !seen[a] {
			t.Errorf("no %s entry in the audit log (have %v)", a, seen)
		}
	}
}

func TestGeneratePassword(t *testing.T) {
	seen := map[string]bool{}
	for range 50 {
		pw := GeneratePassword()
		if len(pw) != 20 || ValidateNewPassword(pw) != "" || seen[pw] {
			t.Fatalf("generated %q: length %d, policy %q, repeated %v", pw, len(pw), ValidateNewPassword(pw), seen[pw])
		}
		seen[pw] = true
	}
}
