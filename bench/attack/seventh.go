package main

import (
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
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
				status, out := a.api(http.MethodGet, "/api/v1/recommendations?n=1&user_id=u00001", a.floodKey, "")
				switch status {
				case http.StatusOK:
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
}
