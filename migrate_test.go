package main

import (
	"bytes"
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"

	"storefront/models"
)

// Any --db that is neither a SQLite path nor a postgres:// URL is refused
// with a message naming what is accepted, and nothing is created from it.
func TestUnsupportedDatabaseURLIsRefused(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	for _, target := range []string{"mysql://u:secret@localhost/shop", "sqlite://data/shop.db", "file:shop.db", "postgres://u:secret@/"} {
		for _, cmd := range [][]string{{"seed"}, {"train"}, {"migrate"}, {"eval"}, {"staff", "list"}} {
			var out, errb bytes.Buffer
			err := run(append(append(cmd[:len(cmd):len(cmd)], "--db"), target), &out, &errb)
			if err == nil || !errors.Is(err, models.ErrInvalid) || !strings.Contains(err.Error(), "postgres://user:pass@host:port/db") {
				t.Errorf("%v --db %s: %v, want a clear refusal", cmd, target, err)
			}
			if err != nil && strings.Contains(err.Error(), "secret") {
				t.Errorf("%v --db %s: the error shows the password: %v", cmd, target, err)
			}
		}
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		t.Errorf("refused targets created %s", e.Name())
	}
}

func TestMigrateCommand(t *testing.T) {
	db, drop, err := models.ScratchTarget(t.TempDir(), "shop.db")
	mustDo(t, err)
	defer drop()
	var out, errb bytes.Buffer
	mustDo(t, run([]string{"migrate", "--db", db}, &out, &errb))
	ids := models.Migrations()
	if !strings.Contains(out.String(), "applied "+strconv.Itoa(len(ids))+" migration(s)") || !strings.Contains(out.String(), ids[len(ids)-1]) {
		t.Fatalf("first migrate said %q", out.String())
	}
	out.Reset()
	mustDo(t, run([]string{"migrate", "--db", db}, &out, &errb))
	if !strings.Contains(out.String(), "schema up to date") {
		t.Fatalf("second migrate said %q", out.String())
	}
}
