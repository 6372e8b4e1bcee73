package models

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestAShoppersSessionsAreEndedWithoutReadingEveryOther: the fifteenth
// outside attack. Ending a shopper's sessions (sign out everywhere, a
// password change or reset, the account's deletion) read and decoded every
// session of the shop, so a shopper sending "Sign out on every other
// device" a dozen times at once with 100,000 sessions stored held the
// server. The store keeps each session's shopper beside it and ends theirs
// by it; sessions stored without one (before the upgrade) are still read.
func TestAShoppersSessionsAreEndedWithoutReadingEveryOther(t *testing.T) {
	db := mustOpen(t)
	ctx := context.Background()
	store := db.Sessions()
	// The test's session data is "shopper=<id>" ("visitor" for none).
	store.Owner = func(b []byte) (uint, bool) {
		s, ok := strings.CutPrefix(string(b), "shopper=")
		if !ok {
			return 0, string(b) == "visitor"
		}
		id, err := strconv.ParseUint(s, 10, 32)
		return uint(id), err == nil
	}
	expiry := time.Now().Add(time.Hour)
	commit := func(token, data string) {
		t.Helper()
		must(t, store.CommitCtx(ctx, token, []byte(data), expiry))
	}
	commit("ada-phone", "shopper=7")
	commit("ada-laptop", "shopper=7")
	commit("bob", "shopper=8")
	for i := range 300 {
		commit(fmt.Sprintf("visitor-%d", i), "visitor")
	}
	// Two sessions stored before the owner was kept: one of Ada's, one of Bob's.
	old := `INSERT INTO sessions (token, data, expiry) VALUES (?, ?, julianday(?))`
	at := any(expiry.UTC().Format("2006-01-02T15:04:05.999"))
	if db.Postgres() {
		old, at = `INSERT INTO sessions (token, data, expiry) VALUES (?, ?, ?)`, expiry.UTC()
	}
	for _, s := range [][2]string{{"ada-old", "shopper=7"}, {"bob-old", "shopper=8"}} {
		must(t, db.W.Exec(old, s[0], []byte(s[1]), at).Error)
	}
	// A session signed in later as Ada (a visitor who logged in).
	commit("visitor-0", "shopper=7")

	read, err := store.EndSessionsOf(ctx, 7)
	must(t, err)
	if read != 2 {
		t.Errorf("ending Ada's sessions read %d sessions, want only the 2 stored without an owner (303 are stored)", read)
	}
	for token, want := range map[string]bool{"ada-phone": false, "ada-laptop": false, "ada-old": false, "visitor-0": false,
		"bob": true, "bob-old": true, "visitor-1": true, "visitor-299": true} {
		_, found, err := store.FindCtx(ctx, token)
		must(t, err)
		if found != want {
			t.Errorf("session %s kept: %v, want %v", token, found, want)
		}
	}
	// A session changed back to a visitor's (logged out without a new
	// token) is no longer counted as the shopper's.
	commit("bob", "visitor")
	_, err = store.EndSessionsOf(ctx, 8)
	must(t, err)
	if _, found, _ := store.FindCtx(ctx, "bob"); !found {
		t.Error("a session no longer signed in as Bob was ended with his")
	}
	if _, found, _ := store.FindCtx(ctx, "bob-old"); found {
		t.Error("Bob's session stored without an owner was kept")
	}
}
