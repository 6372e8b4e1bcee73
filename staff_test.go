package main

import (
	"bytes"
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"storefront/models"
)

func TestStaffCommands(t *testing.T) {
	db := filepath.Join(t.TempDir(), "shop.db")
	cli := func(stdin string, args ...string) (string, error) {
		t.Helper()
		var out, errb bytes.Buffer
		err := runWith(args, strings.NewReader(stdin), &out, &errb)
		return out.String(), err
	}
	mustCLI := func(stdin string, args ...string) string {
		t.Helper()
		out, err := cli(stdin, args...)
		if err != nil {
			t.Fatalf("storefront %s: %v", strings.Join(args, " "), err)
		}
		return out
	}

	out := mustCLI("", "staff", "add", "--db", db, "--email", "owner@shop.test", "--role", "admin")
	m := regexp.MustCompile(`(?m)^password: (\S+)$`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("staff add without --password-stdin printed no password:\n%s", out)
	}
	generated := m[1]
	mustCLI("chosen-by-merch-2026\n", "staff", "add", "--db", db, "--email", "merch@shop.test", "--role", "merchandiser", "--password-stdin")

	for _, tc := range []struct {
		name, stdin string
		args        []string
		want        string
	}{
		{"duplicate email", "another-long-pass-1\n", []string{"add", "--email", "OWNER@shop.test", "--role", "admin", "--password-stdin"}, "already exists"},
		{"weak password", "password123\n", []string{"add", "--email", "new@shop.test", "--role", "admin", "--password-stdin"}, "password: "},
		{"unknown role", "another-long-pass-1\n", []string{"add", "--email", "new@shop.test", "--role", "owner", "--password-stdin"}, `Unknown role "owner"`},
		{"empty stdin", "", []string{"add", "--email", "new@shop.test", "--role", "admin", "--password-stdin"}, "no password on standard input"},
		{"unknown email", "", []string{"remove", "--email", "nobody@shop.test"}, "no staff account"},
		{"last admin", "", []string{"remove", "--email", "owner@shop.test"}, "at least one active admin"},
		{"no subcommand", "", nil, "give a subcommand"},
		{"list narrowed by an email it does not read", "", []string{"list", "--email", "owner@shop.test"}, "flag provided but not defined: -email"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"staff"}, tc.args...)
			if len(tc.args) > 0 {
				args = append(args[:2:2], append([]string{"--db", db}, tc.args[1:]...)...)
			}
			_, err := cli(tc.stdin, args...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one saying %q", err, tc.want)
			}
		})
	}

	list := mustCLI("", "staff", "list", "--db", db)
	if !regexp.MustCompile(`owner@shop\.test\s+admin\s+active`).MatchString(list) || !regexp.MustCompile(`merch@shop\.test\s+merchandiser\s+active`).MatchString(list) {
		t.Fatalf("staff list:\n%s", list)
	}
	out = mustCLI("", "staff", "reset-password", "--db", db, "--email", "merch@shop.test")
	m = regexp.MustCompile(`(?m)^password: (\S+)$`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("reset-password printed no password:\n%s", out)
	}
	mustCLI("", "staff", "remove", "--db", db, "--email", "merch@shop.test")

	store, err := models.Open(db)
	mustDo(t, err)
	defer store.Close()
	ctx := context.Background()
	if _, err := store.AuthenticateStaff(ctx, "owner@shop.test", generated); err != nil {
		t.Errorf("the generated password does not log in: %v", err)
	}
	if _, err := store.StaffByEmail(ctx, "merch@shop.test"); err == nil {
		t.Error("the removed account is still there")
	}
	logs, _, err := store.AuditLogs(ctx, 1, 50)
	mustDo(t, err)
	actions := map[string]int{}
	for _, l := range logs {
		if strings.HasPrefix(l.Actor, "command line") {
			actions[l.Action]++
		}
	}
	if actions["staff.create"] != 2 || actions["staff.password_reset"] != 1 || actions["staff.remove"] != 1 {
		t.Errorf("audit log of command-line changes = %v", actions)
	}
}
