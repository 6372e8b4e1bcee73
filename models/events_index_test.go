package models

import (
	"context"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"
)

// Every event of a user is found whichever index half by user it is in:
// merging a visitor, exporting, counting, ranking recent shoppers,
// forgetting and deleting a shopper see behaviour events and impressions
// and searches alike.
func TestUserEventsAcrossBothIndexHalves(t *testing.T) {
	db := mustOpen(t)
	ctx := context.Background()
	sh, err := db.CreateShopper(ctx, "Ada", "ada@example.com", "a long passphrase 4 tests")
	if err != nil {
		t.Fatal(err)
	}
	other, err := db.CreateShopper(ctx, "Bob", "bob@example.com", "another long passphrase 4 tests")
	if err != nil {
		t.Fatal(err)
	}
	p1, p2 := uint(1), uint(2)
	at := time.Now().UTC().Add(-time.Hour).Truncate(time.Second)
	ev := []Event{
		{UserKey: "v:visitor", ProductID: &p1, Type: EventView, CreatedAt: at},
		{UserKey: "v:visitor", ProductID: &p1, Type: EventImpression, Slot: "s1", Position: 1, Value: 3, CreatedAt: at.Add(time.Second)},
		{UserKey: "v:visitor", Type: EventSearch, Query: "lamp", CreatedAt: at.Add(2 * time.Second)},
		{UserKey: sh.ExternalID, ProductID: &p2, Type: EventClick, Slot: "s1", CreatedAt: at.Add(3 * time.Second)},
		{UserKey: sh.ExternalID, ProductID: &p2, Type: EventImpression, Slot: "s1", Position: 2, CreatedAt: at.Add(4 * time.Second)},
		// The other shopper acted earlier, and only searched.
		{UserKey: other.ExternalID, Type: EventSearch, Query: "desk", CreatedAt: at.Add(-time.Minute)},
	}
	if err := db.InsertEvents(ctx, ev); err != nil {
		t.Fatal(err)
	}
	count := func(key string) int64 {
		t.Helper()
		n, err := db.CountUserEvents(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if err := db.W.Transaction(func(tx *gorm.DB) error { return MergeVisitorEventsTx(tx, "v:visitor", sh.ExternalID) }); err != nil {
		t.Fatal(err)
	}
	if n, v := count(sh.ExternalID), count("v:visitor"); n != 5 || v != 0 {
		t.Fatalf("after the merge: shopper has %d events, visitor %d; want 5 and 0", n, v)
	}

	export, err := db.ExportShopper(ctx, sh.ID)
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, e := range export.Events {
		types = append(types, e.Type)
	}
	if got, want := strings.Join(types, ","), "view,impression,search,click,impression"; got != want {
		t.Fatalf("export: events %s, want %s (every kind, oldest first)", got, want)
	}

	recent, err := db.RecentShoppers(ctx, 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(recent) != 2 || recent[0].ID != sh.ID || recent[1].ID != other.ID {
		t.Fatalf("recent shoppers: %+v, want Ada then Bob (who only searched)", recent)
	}

	n, err := db.ForgetHistory(ctx, sh.ID, Forget{ProductID: p1})
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 || count(sh.ExternalID) != 3 {
		t.Fatalf("forgetting product 1 deleted %d events, %d left; want its view and its impression deleted, 3 left", n, count(sh.ExternalID))
	}
	if err := db.DeleteShopper(ctx, sh.ID); err != nil {
		t.Fatal(err)
	}
	if n := count(sh.ExternalID); n != 0 {
		t.Fatalf("a deleted shopper still has %d events", n)
	}
	if n := count(other.ExternalID); n != 1 {
		t.Fatalf("the other shopper has %d events, want 1", n)
	}
}

// Each statement about one user's events is read through the index by user
// its condition names, never by reading the whole events table: a
// condition that stops matching the partial index word for word fails here.
// On PostgreSQL sequential scans are switched off for the check, so the
// plan shows the index whenever the planner may use it at all.
func TestUserEventStatementsUseTheUserIndexes(t *testing.T) {
	db := mustOpen(t)
	const behaviour, rest = "idx_events_user_behaviour", "idx_events_user_other"
	_, revenue := db.analyticsSQL()
	shift, window := any("+3600 seconds"), any("-604800 seconds")
	if db.Postgres() {
		shift, window = any(3600), any(604800)
	}
	from, to := time.Now().UTC().Add(-48*time.Hour), time.Now().UTC()
	statements := []struct {
		name string
		sql  string
		args []any
		want []string
	}{
		{"behaviour events of a user", "SELECT COUNT(*) FROM events WHERE user_key = ? AND " + userEventHalves[0], []any{"u"}, []string{behaviour}},
		{"other events of a user", "SELECT COUNT(*) FROM events WHERE user_key = ? AND " + userEventHalves[1], []any{"u"}, []string{rest}},
		{"merge, behaviour", "UPDATE events SET user_key = ? WHERE user_key = ? AND " + userEventHalves[0], []any{"s", "v:x"}, []string{behaviour}},
		{"merge, the rest", "UPDATE events SET user_key = ? WHERE user_key = ? AND " + userEventHalves[1], []any{"s", "v:x"}, []string{rest}},
		{"delete, behaviour", "DELETE FROM events WHERE user_key = ? AND " + userEventHalves[0], []any{"u"}, []string{behaviour}},
		{"delete, the rest", "DELETE FROM events WHERE user_key = ? AND " + userEventHalves[1], []any{"u"}, []string{rest}},
		{"export", sqlExportEvents, []any{"u", "u"}, []string{behaviour, rest}},
		{"a visitor from before the signing", sqlHoldsVisitor, []any{"v:x", "v:x", "v:x"}, []string{behaviour, rest}},
		{"recent shoppers", sqlRecentShoppers, []any{5}, []string{behaviour, rest}},
		{"revenue attribution", revenue, []any{shift, window, from, to}, []string{behaviour}},
	}
	for _, st := range statements {
		plan := explain(t, db, st.sql, st.args...)
		text := strings.Join(plan, "\n")
		for _, idx := range st.want {
			if !strings.Contains(text, idx) {
				t.Errorf("%s: plan does not use %s:\n%s", st.name, idx, text)
			}
		}
		if readsAllEvents(plan) {
			t.Errorf("%s: plan reads the whole events table:\n%s", st.name, text)
		}
	}
}

// The statements about events by slot all ask for "slot <> ”", the
// condition of the partial index on slot: none of them reads the whole
// table, and engagement per slot goes through that index or the one by time.
func TestSlotStatementsUseTheirIndexes(t *testing.T) {
	db := mustOpen(t)
	engagement, _ := db.analyticsSQL()
	shift := any("+3600 seconds")
	if db.Postgres() {
		shift = any(3600)
	}
	from, to := time.Now().UTC().Add(-48*time.Hour), time.Now().UTC()
	for _, st := range []struct {
		name string
		sql  string
		args []any
	}{
		{"slot engagement", sqlSlotEngagement, []any{CreativeEventPrefix + "%", from}},
		{"engagement by day", engagement, []any{shift, from, to}},
	} {
		plan := explain(t, db, st.sql, st.args...)
		text := strings.Join(plan, "\n")
		if !strings.Contains(text, "idx_events_slotted") && !strings.Contains(text, "idx_events_created_at") {
			t.Errorf("%s: plan uses neither the index on slot nor the one by time:\n%s", st.name, text)
		}
		if readsAllEvents(plan) {
			t.Errorf("%s: plan reads the whole events table:\n%s", st.name, text)
		}
	}
}

// readsAllEvents reports whether a plan reads the events table from end to
// end: SQLite names that "SCAN <table or alias>" with nothing after it,
// PostgreSQL "Seq Scan on events".
func readsAllEvents(plan []string) bool {
	for _, line := range plan {
		f := strings.Fields(line)
		if (len(f) == 2 && f[0] == "SCAN" && strings.Contains(" events e p c c2 ", " "+f[1]+" ")) || strings.Contains(line, "Seq Scan on events") {
			return true
		}
	}
	return false
}

// explain returns the plan of a statement, one line per step. On
// PostgreSQL sequential scans are off for it, so the plan shows an index
// whenever the planner may use one at all.
func explain(t *testing.T, db *DB, sql string, args ...any) []string {
	t.Helper()
	var plan []string
	err := db.R.Transaction(func(tx *gorm.DB) error {
		explain := "EXPLAIN QUERY PLAN "
		if db.Postgres() {
			explain = "EXPLAIN "
			if err := tx.Exec("SET LOCAL enable_seqscan = off").Error; err != nil {
				return err
			}
		}
		rows, err := tx.Raw(explain+sql, args...).Rows()
		if err != nil {
			return err
		}
		defer rows.Close()
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				return err
			}
			// SQLite: id, parent, notused, detail; PostgreSQL: one text column.
			switch v := vals[len(vals)-1].(type) {
			case string:
				plan = append(plan, v)
			case []byte:
				plan = append(plan, string(v))
			}
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return plan
}
