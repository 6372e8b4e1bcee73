package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// eighthAttack replays what the eighth outside attack found (docs/security.md).
func (a *attack) eighthAttack() {
	// Medium: an events key stored MaxAPIEvents (1,000) events with every
	// request it was served, so the request limit let one leaked key
	// store up to 100,000 events a second (on this machine about 12,000 a
	// second, 7 MiB of database a second, each new user id a shopper for
	// the next training). `serve` now stores 500 events a second per key
	// (5,000 at once); a batch over it is refused whole.
	var stored, refused, limitSaid atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for c := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range 8 {
				var b strings.Builder
				b.WriteString(`{"events":[`)
				for i := range 1000 {
					if i > 0 {
						b.WriteByte(',')
					}
					fmt.Fprintf(&b, `{"user_id":"flood-%d-%d-%d","type":"search","query":"%s"}`, c, r, i, strings.Repeat("q", 200))
				}
				b.WriteString(`]}`)
				status, out := a.api(http.MethodPost, "/api/v1/events", a.eventsFloodKey, b.String())
				switch status {
				case http.StatusAccepted:
					var ack struct{ Accepted int64 }
					json.Unmarshal([]byte(out), &ack)
					stored.Add(ack.Accepted)
				case http.StatusTooManyRequests:
					refused.Add(1)
					if strings.Contains(out, "events a second") || strings.Contains(out, "too many events") {
						limitSaid.Add(1)
					}
				}
			}
		}()
	}
	wg.Wait()
	took := time.Since(start)
	allowed := 5000 + int64(500*took.Seconds()) + 1000
	a.check("an events key stores a bounded number of events", refused.Load() > 0 && limitSaid.Load() == refused.Load() && stored.Load() <= allowed,
		"32 batches of 1,000 events with one key from 4 clients in %s: %d events stored (at most %d allowed), %d batches refused (429 saying the limit: %d)",
		took.Round(100*time.Millisecond), stored.Load(), allowed, refused.Load(), limitSaid.Load())

	// Medium (privacy): events an events key posted under a key of the
	// form registrations get ("s<id>"), before anyone had it, became the
	// history of whoever registered next (their data export, their
	// recommendations). A new account now skips a key anything is stored
	// under.
	register := func(n int) (string, string) {
		c := a.client("127.0.12.1")
		email := fmt.Sprintf("eighth%d@example.com", n)
		res, _ := c.post("/register", url.Values{"_csrf": {c.token("/register")}, "name": {"Newcomer"}, "email": {email},
			"password": {"a long unique passphrase 8"}})
		if res.StatusCode != http.StatusSeeOther {
			return "", fmt.Sprintf("registration: %d", res.StatusCode)
		}
		_, export := c.get("/account/export")
		var ex struct{ Account struct{ ID string } }
		json.Unmarshal([]byte(export), &ex)
		return ex.Account.ID, export
	}
	id, out := register(1)
	var seq int
	if _, err := fmt.Sscanf(id, "s%d", &seq); err != nil {
		a.check("a new account does not take over events sent for its id", false, "the first account's id %q: %s", id, firstLine(out, 80))
		return
	}
	planted := fmt.Sprintf("s%d", seq+1)
	status, _ := a.api(http.MethodPost, "/api/v1/events", a.evKey,
		fmt.Sprintf(`{"events":[{"user_id":%q,"type":"search","query":"planted before registration"}]}`, planted))
	next, export := register(2)
	a.check("a new account does not take over events sent for its id", status == http.StatusAccepted && next != "" && next != planted && !strings.Contains(export, "planted before registration"),
		"a search posted for %s (%d), then a registration: the account is %s, its export holds the search: %t", planted, status, next, strings.Contains(export, "planted before registration"))
}
