package models

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The database password reaches pg_dump and pg_restore through their
// environment (PGPASSWORD), never their arguments: a process's arguments
// are readable by every user of the machine (ps) while a backup runs.
func TestBackupToolsGetThePasswordOutsideTheirArguments(t *testing.T) {
	bin := t.TempDir()
	record := filepath.Join(bin, "called")
	// A stand-in for both tools: it writes its arguments and PGPASSWORD.
	script := "#!/bin/sh\nprintf '%s\\n' \"$*\" \"PGPASSWORD=$PGPASSWORD\" >> " + record + "\n"
	for _, tool := range []string{"pg_dump", "pg_restore"} {
		if err := os.WriteFile(filepath.Join(bin, tool), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("PATH", bin)
	t.Setenv("PGPASSWORD", "")
	const url = "postgres://shop:s%3Acret@db.internal:5432/shop?sslmode=require"
	db := &DB{URL: url}
	if err := db.pgDump(context.Background(), filepath.Join(bin, "shop.dump")); err != nil {
		t.Fatal(err)
	}
	if err := RestorePostgres(context.Background(), filepath.Join(bin, "shop.dump"), url); err != nil {
		t.Fatal(err)
	}
	out, err := os.ReadFile(record)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != 4 {
		t.Fatalf("the tools were called as %q, want two calls", lines)
	}
	for i := 0; i < 4; i += 2 {
		args, env := lines[i], lines[i+1]
		if strings.Contains(args, "s%3Acret") || strings.Contains(args, "s:cret") {
			t.Errorf("the password is in the arguments: %s", args)
		}
		if !strings.Contains(args, "postgres://shop@db.internal:5432/shop?sslmode=require") {
			t.Errorf("arguments %s do not name the database without its password", args)
		}
		if env != "PGPASSWORD=s:cret" {
			t.Errorf("environment %q, want PGPASSWORD=s:cret", env)
		}
	}
}
