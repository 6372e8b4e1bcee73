package main

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"storefront/models"
)

// seventeenthAttack replays what the seventeenth outside attack found
// (docs/security.md).
func (a *attack) seventeenthAttack() {
	// High (availability): every page view, click and search stored a
	// row, however fast one client asked: one visitor cookie from one
	// address stored 1,700 views a second, four addresses 2,000 views and
	// searches a second (37 MB of the database a minute, kept for good
	// and read by every training: 600,000 of them in five minutes made
	// the training take twice the time and memory). Now a visitor has 120
	// events recorded a minute and an address 1,200 for all its visitors.
	db := a.openDB("one visitor cannot fill the events table")
	if db == nil {
		return
	}
	var ids []uint
	db.R.Model(&models.Product{}).Where("active").Order("id").Limit(40).Pluck("id", &ids)
	db.Close()
	pages := make([]string, 0, len(ids))
	for _, id := range ids {
		pages = append(pages, "/p/"+strconv.FormatUint(uint64(id), 10))
	}
	if len(pages) == 0 {
		a.check("one visitor cannot fill the events table", false, "no product")
		return
	}
	// Product addresses with their slugs (the bare id redirects, recording
	// nothing).
	scout := a.client("127.0.17.9")
	for i, p := range pages {
		if res, _ := scout.get(p); res.Header.Get("Location") != "" {
			pages[i] = res.Header.Get("Location")
		}
	}

	script := a.client("127.0.17.1")
	script.get("/")
	key := a.visitorKey(script)
	served := a.browse([]*client{script}, pages, 2000, 8)
	got := a.recordedBy(key)
	a.check("one visitor cannot fill the events table", key != "v:" && served == 2000 && got <= 130,
		"one visitor cookie, 2,000 product pages and searches at once: %d served, %d recorded (at most 120 a minute)", served, got)

	// The visitor cookies an address collects are no way round it: 30
	// visitors (the address's new visitors a minute), 80 pages each.
	var crowd []*client
	var keys []string
	for range 30 {
		c := a.client("127.0.17.2")
		c.get("/")
		crowd = append(crowd, c)
		keys = append(keys, a.visitorKey(c))
	}
	start := time.Now()
	served = a.browse(crowd, pages, 2400, 8)
	elapsed := time.Since(start)
	got = a.recordedBy(keys...)
	// The address's 1,200 at once, refilled 20 a second meanwhile.
	bound := 1200 + 20*int64(elapsed.Seconds()+1) + 30
	a.check("one address's visitors cannot fill the events table", served == 2400 && got <= bound,
		"30 visitors of one address, 2,400 pages in %s: %d served, %d recorded (at most %d)", elapsed.Round(100*time.Millisecond), served, got, bound)
}

// visitorKey is the user key the shop records a client's visits under.
func (a *attack) visitorKey(c *client) string {
	u, _ := url.Parse(a.base)
	for _, ck := range c.hc.Jar.Cookies(u) {
		if ck.Name == "sf_vid" {
			id, _, _ := strings.Cut(ck.Value, ".")
			return "v:" + id
		}
	}
	return "v:"
}

// browse requests n pages (product pages, every third a search) from the
// clients in turn over workers connections at once, and says how many
// were served (200).
func (a *attack) browse(clients []*client, pages []string, n, workers int) int {
	var next, served atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				path := pages[i%len(pages)]
				if i%3 == 2 {
					path = "/search?q=lamp+" + strconv.Itoa(i)
				}
				if res, _ := clients[i%len(clients)].get(path); res.StatusCode == http.StatusOK {
					served.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	return int(served.Load())
}

// recordedBy counts the page events (views, searches, clicks, adds to
// cart; not the homepage's impressions) stored under the keys once the server's
// event writer has committed what it holds (the count stops growing).
func (a *attack) recordedBy(keys ...string) int64 {
	var last int64 = -1
	for range 20 {
		time.Sleep(500 * time.Millisecond)
		db, err := models.Open(a.dbPath)
		if err != nil {
			return -1
		}
		var n int64
		db.R.Model(&models.Event{}).Where("user_key IN ? AND type IN ?", keys,
			[]string{models.EventView, models.EventSearch, models.EventClick, models.EventAddToCart}).Count(&n)
		db.Close()
		if n == last {
			return n
		}
		last = n
	}
	return last
}
