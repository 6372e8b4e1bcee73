package main

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// seventhAttack replays what the seventh outside attack found (docs/security.md).
func (a *attack) seventhAttack() {
	// Medium: an API key had no rate limit: a leaked key, or a tracker
	// stuck in a retry loop, was served as fast as the server could
	// answer. `serve` now serves a key 100 requests a second (200 at once).
	var served, refused, limitSaid atomic.Int64
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 40 {
				// n=0 is refused by the handler (400) after the key and its
				// limit were checked: a cheap answer, so the flood outruns
				// the limit even on a loaded machine (recommendations at
				// load 38 were answered slower than 100 a second).
				status, out := a.api(http.MethodGet, "/api/v1/recommendations?n=0&user_id=u00001", a.floodKey, "")
				switch status {
				case http.StatusBadRequest:
					served.Add(1)
				case http.StatusTooManyRequests:
					refused.Add(1)
					if strings.Contains(out, "a second") {
						limitSaid.Add(1)
					}
				}
			}
		}()
	}
	wg.Wait()
	other, _ := a.api(http.MethodGet, "/api/v1/recommendations?n=1&user_id=u00001", a.apiKey, "")
	a.check("an API key is rate limited", refused.Load() > 0 && limitSaid.Load() == refused.Load() && other == http.StatusOK,
		"640 requests with one key from 16 clients: %d served, %d refused (429 saying the limit: %d); another key then: %d",
		served.Load(), refused.Load(), limitSaid.Load(), other)

	// Medium: one address could have the shop mail many shoppers (the
	// sixth attack's open item): a reset request spent the login limits
	// only, 10 at once and then one per 6 s, so 600 owners an hour. An
	// address now asks for 5 at once, then one every 12 minutes, for any
	// accounts, and the refusal is the same page for any address.
	c := a.client("127.0.11.1")
	tok := c.token("/password/forgot")
	answers := map[int]int{}
	for n := 40; n < 60; n++ {
		res, _ := c.post("/password/forgot", url.Values{"_csrf": {tok}, "email": {shopperEmail(n)}})
		answers[res.StatusCode]++
	}
	time.Sleep(3 * time.Second) // the mails go out after the answer
	mailed := 0
	for n := 40; n < 60; n++ {
		mailed += len(a.relay.to(shopperEmail(n)))
	}
	a.check("one address cannot mail many shoppers", mailed >= 1 && mailed <= 5,
		"links for 20 accounts asked from one address: %d emails sent (answers %v)", mailed, fmt.Sprint(answers))
}
