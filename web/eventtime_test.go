package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"storefront/models"
	shopsvc "storefront/shop"
)

// postEvents sends a body to the events API with a key of the events scope.
func (s *testShop) postEvents(key, body string) (int, map[string]any) {
	s.t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.ts.URL+"/api/v1/events", strings.NewReader(body))
	must(s.t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+key)
	res, err := http.DefaultClient.Do(req)
	must(s.t, err)
	defer res.Body.Close()
	var out map[string]any
	json.NewDecoder(res.Body).Decode(&out)
	return res.StatusCode, out
}

func TestEventAPIRefusesTimesOutsideTheWindow(t *testing.T) {
	shop := mustOpenShop(t)
	key, _, err := shop.db.CreateAPIKey(context.Background(), "test", "tracker", models.ScopeEvents)
	must(t, err)
	ev := func(ts string, value float64) string {
		b, _ := json.Marshal(map[string]any{"events": []map[string]any{
			{"user_id": "u-good", "product_id": "SKU-1", "type": "view", "timestamp": time.Now().UTC().Format(time.RFC3339)},
			{"user_id": "u-attack", "product_id": "SKU-1", "type": "purchase", "timestamp": ts, "value": value},
		}})
		return string(b)
	}
	refused := []struct{ ts, want string }{
		{"9999-12-31T23:59:59Z", "events[1]: field timestamp: 9999-12-31T23:59:59Z is more than a day ahead of the shop's clock"},
		{time.Now().Add(49 * time.Hour).UTC().Format(time.RFC3339), "more than a day ahead"},
		{"1000-01-01T00:00:00Z", "events[1]: field timestamp: 1000-01-01T00:00:00Z is before 1970-01-01"},
		{"0001-01-01T00:00:00Z", "events[1]: field timestamp: 0001-01-01T00:00:00Z is before 1970-01-01"},
		{"tomorrow", `events[1]: field timestamp: "tomorrow" is not RFC 3339`},
	}
	for _, tt := range refused {
		status, out := shop.postEvents(key, ev(tt.ts, 10))
		problems := fmt.Sprint(out["problems"])
		if status != http.StatusUnprocessableEntity || !strings.Contains(problems, tt.want) {
			t.Errorf("timestamp %s: %d %s, want 422 mentioning %q", tt.ts, status, problems, tt.want)
		}
	}
	status, out := shop.postEvents(key, ev(time.Now().UTC().Format(time.RFC3339), -20))
	if problems := fmt.Sprint(out["problems"]); status != http.StatusUnprocessableEntity || !strings.Contains(problems, "events[1]: field value: -20 is negative") {
		t.Errorf("negative purchase value: %d %s, want 422", status, problems)
	}
	for _, v := range []float64{1.7e308, 1e13} {
		status, out := shop.postEvents(key, ev(time.Now().UTC().Format(time.RFC3339), v))
		want := fmt.Sprintf("events[1]: field value: %v is out of range: a rating, quantity or amount is at most 1e+12", v)
		if problems := fmt.Sprint(out["problems"]); status != http.StatusUnprocessableEntity || !strings.Contains(problems, want) {
			t.Errorf("purchase value %v: %d %s, want 422 with %q", v, status, problems, want)
		}
	}
	for _, user := range []string{"u-good", "u-attack"} {
		if n, _ := shop.db.CountUserEvents(context.Background(), user); n != 0 {
			t.Errorf("%s: %d events stored from refused requests", user, n)
		}
	}
	// Inside the window: an hour ahead (a fast clock), last year, and none (now).
	for _, ts := range []string{time.Now().Add(time.Hour).UTC().Format(time.RFC3339), time.Now().AddDate(-1, 0, 0).UTC().Format(time.RFC3339), ""} {
		if status, out := shop.postEvents(key, ev(ts, 10)); status != http.StatusAccepted {
			t.Errorf("timestamp %q: %d %v, want 202", ts, status, out)
		}
	}
}

// An event dated far ahead that got into the database before the window was
// enforced must neither become training's "now" nor outlive retention.
func TestTrainingNowNeverLaterThanTheClock(t *testing.T) {
	shop := mustOpenShop(t)
	ctx := context.Background()
	tent := shop.product("SKU-1").ID
	recent := time.Now().Add(-time.Hour).UTC()
	must(t, shop.db.InsertEvents(ctx, []models.Event{
		{UserKey: "u1", ProductID: &tent, Type: models.EventView, CreatedAt: recent},
		{UserKey: "u2", ProductID: &tent, Type: models.EventView, CreatedAt: recent.Add(time.Minute)},
	}))
	// Written around the checks, as an older version would have stored it.
	must(t, shop.db.W.Exec(`INSERT INTO events (user_key, product_id, type, slot, position, query, value, created_at)
		VALUES ('attacker', ?, 'purchase', '', 0, '', 0, ?)`, tent, time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)).Error)

	before := time.Now()
	data, err := shopsvc.LoadDataset(ctx, shop.db)
	must(t, err)
	if data.Now.After(time.Now()) || data.Now.Before(before.Add(-2*time.Hour)) {
		t.Errorf("dataset now = %s, want the latest real event (%s), never after the clock", data.Now, recent.Add(time.Minute))
	}
	for _, e := range data.Events {
		if e.User == "attacker" {
			t.Errorf("a far-future event is in the training data: %+v", e)
		}
	}
	if got := shopsvc.DatasetNow(data.Events[:1], recent.Add(-time.Hour)); !got.Equal(recent.Add(-time.Hour)) {
		t.Errorf("datasetNow with an event after the clock = %s, want the clock", got)
	}

	if _, err := shop.srv.shop.ApplyRetention(ctx); err != nil {
		t.Fatal(err)
	}
	if n, _ := shop.db.CountUserEvents(ctx, "attacker"); n != 0 {
		t.Errorf("retention kept %d far-future events", n)
	}
	if n, _ := shop.db.CountEvents(ctx); n != 2 {
		t.Errorf("%d events after retention, want the 2 real ones", n)
	}
}
