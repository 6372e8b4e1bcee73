package web

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"storefront/models"
)

// An API key is served at most APIRequestsPerSecond requests a second (two
// seconds' worth at once): a leaked key or a tracker stuck in a retry loop
// gets 429 with Retry-After and a message saying the limit, while every
// other key is served as before, and the key is served again once its
// allowance refills.
func TestAPIKeysAreRateLimited(t *testing.T) {
	db := mustOpenShop(t).db
	var clock time.Time
	shop := serveShop(t, db, Config{APIRequestsPerSecond: 5}, false, func(s *Server) {
		clock = time.Now()
		s.apiLimit.now = func() time.Time { return clock }
	})
	ctx := context.Background()
	busy, _, err := db.CreateAPIKey(ctx, "test", "runaway tracker", models.ScopeAll)
	must(t, err)
	calm, _, err := db.CreateAPIKey(ctx, "test", "recommendations widget", models.ScopeAll)
	must(t, err)
	call := func(key string) *http.Response {
		t.Helper()
		req, err := http.NewRequest(http.MethodPost, shop.ts.URL+"/api/v1/events",
			strings.NewReader(`{"events":[{"user_id":"u1","product_id":"SKU-1","type":"view"}]}`))
		must(t, err)
		req.Header.Set("Authorization", "Bearer "+key)
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		must(t, err)
		t.Cleanup(func() { res.Body.Close() })
		return res
	}
	served := 0
	var refused *http.Response
	for range 40 {
		res := call(busy)
		if res.StatusCode == http.StatusAccepted {
			served++
			continue
		}
		refused = res
		break
	}
	if served != 10 || refused == nil {
		t.Fatalf("a key limited to 5 a second was served %d requests at once before a refusal (%v), want 10", served, refused != nil)
	}
	if refused.StatusCode != http.StatusTooManyRequests || refused.Header.Get("Retry-After") != "1" {
		t.Errorf("refusal: %d, Retry-After %q; want 429, 1", refused.StatusCode, refused.Header.Get("Retry-After"))
	}
	var msg struct{ Error string }
	must(t, json.NewDecoder(refused.Body).Decode(&msg))
	if !strings.Contains(msg.Error, "at most 5 a second") {
		t.Errorf("refusal message %q does not say the limit", msg.Error)
	}
	if res := call(calm); res.StatusCode != http.StatusAccepted {
		t.Errorf("another key while the first is refused: %d, want 202", res.StatusCode)
	}
	clock = clock.Add(time.Second)
	for i := range 5 {
		if res := call(busy); res.StatusCode != http.StatusAccepted {
			t.Fatalf("request %d of the second after: %d, want 202 (the allowance refilled)", i+1, res.StatusCode)
		}
	}
	if res := call(busy); res.StatusCode != http.StatusTooManyRequests {
		t.Errorf("the sixth request of that second: %d, want 429", res.StatusCode)
	}
}
