package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"storefront/models"
)

// A NUL character or bytes that are not UTF-8 in an address parameter or a
// form failed PostgreSQL statements: a search for "x%00" failed the batch
// of page views written with it (other visitors' events lost), a name with
// a NUL was a 500. They are refused with a 400 naming the field, on every
// database, and never stored.
func TestNonTextInputIsRefusedWithAClearError(t *testing.T) {
	shop := mustOpenShop(t)
	ctx := context.Background()
	attacker := shop.newClient()
	for _, path := range []string{"/search?q=x%00", "/search?q=tent%ff", "/c/outdoor?brand=%00", "/search?q=tent&x%00=1"} {
		res, doc := attacker.get(path)
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(doc.Text(), "address parameter") {
			t.Errorf("GET %s: %d %q, want 400 naming the address parameter", path, res.StatusCode, strings.Join(strings.Fields(doc.Find("main").Text()), " "))
		}
	}
	tok := attacker.token("/register")
	res, doc := attacker.send(http.MethodPost, "/register", url.Values{"_csrf": {tok}, "name": {"N\x00ul"}, "email": {"nul@example.com"}, "password": {testPassword}}, nil)
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(doc.Text(), `form field "name" holds a NUL character`) {
		t.Errorf("register with a NUL in the name: %d %q, want 400 naming the field", res.StatusCode, strings.Join(strings.Fields(doc.Find("main").Text()), " "))
	}
	var n int64
	must(t, shop.db.R.Model(&models.Shopper{}).Where("email = ?", "nul@example.com").Count(&n).Error)
	if n != 0 {
		t.Errorf("%d accounts made by a refused registration", n)
	}
	// Nothing of the attacker's visit was stored, and the shop still works.
	must(t, shop.srv.events.Flush(ctx))
	vid, _, _ := strings.Cut(attacker.cookie(visitorCookie), ".")
	if n, err := shop.db.CountUserEvents(ctx, "v:"+vid); err != nil || n != 0 {
		t.Errorf("attacker's visit: %d events stored (%v), want 0", n, err)
	}
	if res, _ := attacker.get("/search?q=tent"); res.StatusCode != http.StatusOK {
		t.Errorf("a plain search afterwards: %d", res.StatusCode)
	}

	key, _, err := shop.db.CreateAPIKey(ctx, "test", "tracker", models.ScopeEvents)
	must(t, err)
	for field, want := range map[string]string{"user_id": "events[1]: field user_id: holds a NUL character", "query": "events[1]: field query: holds a NUL character", "slot": "events[1]: field slot: holds a NUL character"} {
		bad := map[string]any{"user_id": "u-attack", "type": "search", "query": "tent"}
		bad[field] = "x\x00"
		b, _ := json.Marshal(map[string]any{"events": []map[string]any{{"user_id": "u-good", "type": "search", "query": "tent"}, bad}})
		status, out := shop.postEvents(key, string(b))
		if problems := fmt.Sprint(out["problems"]); status != http.StatusUnprocessableEntity || !strings.Contains(problems, want) {
			t.Errorf("API event with a NUL in %s: %d %s, want 422 with %q", field, status, problems, want)
		}
	}
	for _, user := range []string{"u-good", "u-attack", "x\x00"} {
		if n, _ := shop.db.CountUserEvents(ctx, user); n != 0 {
			t.Errorf("%q: %d events stored from refused requests", user, n)
		}
	}
}

// An events API user id is one line, as in an events file: a user id
// holding a line break could never be named in recommend's users file (one
// customer a line), and the import already refused it; the API stored it.
func TestAnAPIUserIDIsOneLine(t *testing.T) {
	shop := mustOpenShop(t)
	ctx := context.Background()
	key, _, err := shop.db.CreateAPIKey(ctx, "test", "tracker", models.ScopeEvents)
	must(t, err)
	for _, user := range []string{"u1\nu2", "u1\ru2", "u1\r\nu2"} {
		b, _ := json.Marshal(map[string]any{"events": []map[string]any{{"user_id": user, "type": "search", "query": "tent"}}})
		status, out := shop.postEvents(key, string(b))
		if problems := fmt.Sprint(out["problems"]); status != http.StatusUnprocessableEntity || !strings.Contains(problems, "events[0]: field user_id: holds a line break") {
			t.Errorf("API event for user %q: %d %s, want 422 naming the line break", user, status, problems)
		}
		if n, _ := shop.db.CountUserEvents(ctx, strings.TrimSpace(user)); n != 0 {
			t.Errorf("%q: %d events stored from a refused request", user, n)
		}
	}
}

// TestTheEventsAPIReadsTextAsSent: encoding/json puts U+FFFD in place of
// bytes that are not UTF-8 and of an escaped half of a surrogate pair, so
// a tracker sending Latin-1 ids had "Jos\xe9" and "Jos\xe8" stored as one
// customer, "Jos\ufffd", whom no request could name again (the
// recommendations API and `storefront customer` refuse such an id). Such
// a body is refused with a 400 saying where; a whole pair, an escaped
// backslash before a "u", and a U+FFFD the tracker meant are read as sent.
func TestTheEventsAPIReadsTextAsSent(t *testing.T) {
	shop := mustOpenShop(t)
	ctx := context.Background()
	key, _, err := shop.db.CreateAPIKey(ctx, "test", "tracker", models.ScopeEvents)
	must(t, err)
	for _, c := range []struct{ body, says string }{
		{"{\"events\":[{\"user_id\":\"Jos\xe9\",\"type\":\"search\",\"query\":\"tent\"}]}", "byte 26 is not UTF-8"},
		{"{\"events\":[{\"user_id\":\"Jos\xe8\",\"type\":\"search\",\"query\":\"tent\"}]}", "byte 26 is not UTF-8"},
		{`{"events":[{"user_id":"Jos\ud800","type":"search","query":"tent"}]}`, `\ud800 is half of a surrogate pair`},
		{`{"events":[{"user_id":"Jos\uDC00x","type":"search","query":"tent"}]}`, `\uDC00 is half of a surrogate pair`},
	} {
		status, out := shop.postEvents(key, c.body)
		if msg := fmt.Sprint(out["error"]); status != http.StatusBadRequest || !strings.Contains(msg, c.says) {
			t.Errorf("%q: %d %s, want 400 saying %q", c.body, status, msg, c.says)
		}
	}
	if n, _ := shop.db.CountUserEvents(ctx, "Jos\ufffd"); n != 0 {
		t.Errorf("%d events stored under Jos\\ufffd", n)
	}
	for body, user := range map[string]string{
		`{"events":[{"user_id":"G\ud83d\ude00","type":"search","query":"tent"}]}`: "G\U0001F600",
		`{"events":[{"user_id":"a\\ud800","type":"search","query":"tent"}]}`:      `a\ud800`,
		`{"events":[{"user_id":"r\ufffd","type":"search","query":"tent"}]}`:       "r\ufffd",
		`{"events":[{"user_id":"José","type":"search","query":"tent"}]}`:          "José",
	} {
		if status, out := shop.postEvents(key, body); status != http.StatusAccepted {
			t.Errorf("%s: %d %v", body, status, out)
		}
		if n, _ := shop.db.CountUserEvents(ctx, user); n != 1 {
			t.Errorf("%s: %d events stored under %q, want 1", body, n, user)
		}
	}
}
