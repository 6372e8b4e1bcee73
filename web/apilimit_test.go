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

// An API key stores at most APIEventsPerSecond events a second (ten
// seconds' worth at once, never less than one full batch): a request
// limit alone let one key store MaxAPIEvents events with every request,
// 100,000 a second at the default. A batch over the key's allowance is
// refused whole (429, Retry-After, the limit said) and stores nothing;
// another key stores as before, and the key stores again once its
// allowance refilled.
func TestAPIKeysStoreABoundedNumberOfEvents(t *testing.T) {
	db := mustOpenShop(t).db
	var clock time.Time
	shop := serveShop(t, db, Config{APIEventsPerSecond: 50}, false, func(s *Server) {
		clock = time.Now()
		s.apiEventLimit.now = func() time.Time { return clock }
	})
	ctx := context.Background()
	busy, _, err := db.CreateAPIKey(ctx, "test", "leaked tracker", models.ScopeEvents)
	must(t, err)
	calm, _, err := db.CreateAPIKey(ctx, "test", "point of sale", models.ScopeEvents)
	must(t, err)
	post := func(key, user string, n int) *http.Response {
		t.Helper()
		var b strings.Builder
		b.WriteString(`{"events":[`)
		for i := range n {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"user_id":"%s-%d","product_id":"SKU-1","type":"view"}`, user, i)
		}
		b.WriteString(`]}`)
		req, err := http.NewRequest(http.MethodPost, shop.ts.URL+"/api/v1/events", strings.NewReader(b.String()))
		must(t, err)
		req.Header.Set("Authorization", "Bearer "+key)
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		must(t, err)
		t.Cleanup(func() { res.Body.Close() })
		return res
	}
	stored := func(user string) int64 {
		t.Helper()
		var n int64
		must(t, db.R.Model(&models.Event{}).Where("user_key LIKE ?", user+"-%").Count(&n).Error)
		return n
	}
	if res := post(busy, "first", 600); res.StatusCode != http.StatusAccepted {
		t.Fatalf("600 events from a key allowed 1,000 at once: %d, want 202", res.StatusCode)
	}
	refused := post(busy, "second", 600)
	if refused.StatusCode != http.StatusTooManyRequests || refused.Header.Get("Retry-After") != "4" {
		t.Fatalf("600 more at once: %d, Retry-After %q; want 429, 4 (200 events short at 50 a second)",
			refused.StatusCode, refused.Header.Get("Retry-After"))
	}
	var msg struct{ Error string }
	must(t, json.NewDecoder(refused.Body).Decode(&msg))
	if !strings.Contains(msg.Error, "at most 50 a second") || !strings.Contains(msg.Error, "none of this batch was stored") {
		t.Errorf("refusal message %q does not say the limit and that nothing was stored", msg.Error)
	}
	if n := stored("second"); n != 0 {
		t.Errorf("the refused batch stored %d events, want 0", n)
	}
	if res := post(calm, "other", 1000); res.StatusCode != http.StatusAccepted {
		t.Errorf("a full batch from another key meanwhile: %d, want 202", res.StatusCode)
	}
	clock = clock.Add(4 * time.Second)
	if res := post(busy, "second", 600); res.StatusCode != http.StatusAccepted {
		t.Errorf("the batch again after Retry-After: %d, want 202", res.StatusCode)
	}
	if a, b, c := stored("first"), stored("second"), stored("other"); a != 600 || b != 600 || c != 1000 {
		t.Errorf("stored %d, %d and %d events, want 600, 600, 1000", a, b, c)
	}
}
