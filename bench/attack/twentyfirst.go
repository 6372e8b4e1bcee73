package main

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"storefront/models"
)

// twentyFirstAttack replays what the twenty-first outside attack found
// (docs/security.md).
func (a *attack) twentyFirstAttack() {
	a.impressionsPastTheBudget()
	a.cartsOfFreshCookies()
}

// impressionsPastTheBudget: Medium (availability). A homepage view stores
// an impression row per row of the page for each viewer's first view of a
// minute, and those rows spent no event budget: a client holding many
// visitor cookies (minted from many addresses, or collected over hours
// within one address's new-visitor budget) stored six rows a minute for
// each from one address, past the 1,200 events a minute the seventeenth
// round gave an address. The rows now spend the budget.
func (a *attack) impressionsPastTheBudget() {
	const name = "visitor cookies an address holds do not take its impressions past its event budget"
	const cookies = 500
	// Cookies minted from 20 addresses, each within its new visitors.
	var jars []*client
	var keys []string
	for i := range cookies {
		c := a.client(fmt.Sprintf("127.0.21.%d", 1+i/25))
		if res, _ := c.get("/cart"); res.StatusCode != 200 {
			a.check(name, false, "minting a visitor cookie: /cart answered %d", res.StatusCode)
			return
		}
		jars, keys = append(jars, c), append(keys, a.visitorKey(c))
	}
	// Every one of them views the homepage from one address.
	var served atomic.Int64
	elapsed := inParallel(len(jars), 8, func(i int) {
		c := a.client("127.0.21.200")
		c.hc.Jar = jars[i].hc.Jar
		if res, _ := c.get("/"); res.StatusCode == 200 {
			served.Add(1)
		}
	})
	// The rows of a minute are written once it is over (the writer looks
	// every ten seconds).
	time.Sleep(time.Until(time.Now().Truncate(time.Minute).Add(time.Minute + 15*time.Second)))
	db := a.openDB(name)
	if db == nil {
		return
	}
	var rows int64
	db.R.Model(&models.Event{}).Where("user_key IN ? AND type = ?", keys, models.EventImpression).Count(&rows)
	db.Close()
	// The address's 1,200 at once, refilled 20 a second meanwhile.
	bound := 1200 + 20*int64(elapsed.Seconds()+1) + 30
	a.check(name, served.Load() == cookies && rows > 0 && rows <= bound,
		"%d visitor cookies minted elsewhere, each viewing the homepage from one address in %s: %d served, %d impression rows (at most %d)",
		cookies, elapsed.Round(100*time.Millisecond), served.Load(), rows, bound)
}

// cartsOfFreshCookies: Medium (availability). Every request without a
// visitor cookie is a new visitor with a cart of its own, and a cart
// change stores a line (kept 30 days) and a session for its message (kept
// an hour): one client adding to cart under a fresh cookie each time
// stored 3,000 lines and 3,000 sessions in 7 s, at a rate nothing bounded.
// A visitor's cart changes now spend their address's budget
// (--events-per-minute, counted apart from the events).
func (a *attack) cartsOfFreshCookies() {
	const name = "fresh visitor cookies cannot fill the carts"
	db := a.openDB(name)
	if db == nil {
		return
	}
	var product models.Product
	db.R.Where("active AND stock > 0").Order("id").Limit(1).Find(&product)
	count := func() (lines, sessions int64) {
		db.R.Model(&models.CartItem{}).Count(&lines)
		db.R.Table("sessions").Count(&sessions)
		return lines, sessions
	}
	lines0, sessions0 := count()
	// A made-up CSRF token, as cookie and field: a script needs no page.
	const token = "twentyfirst-made-up-csrf-token-0"
	form := url.Values{"_csrf": {token}, "product_id": {strconv.FormatUint(uint64(product.ID), 10)}, "quantity": {"1"}}.Encode()
	const adds = 2400
	statuses := map[int]int{}
	var mu sync.Mutex
	c := a.client("127.0.21.210")
	elapsed := inParallel(adds, 8, func(int) {
		req, _ := http.NewRequest(http.MethodPost, a.base+"/cart/add", strings.NewReader(form))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Cookie", "sf_csrf="+token)
		status := 0
		if res, err := c.hc.Transport.RoundTrip(req); err == nil {
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			status = res.StatusCode
		}
		mu.Lock()
		statuses[status]++
		mu.Unlock()
	})
	time.Sleep(time.Second)
	lines, sessions := count()
	db.Close()
	// The address's 1,200 at once, refilled 20 a second meanwhile.
	bound := 1200 + 20*int64(elapsed.Seconds()+1) + 30
	a.check(name, statuses[http.StatusSeeOther] > 0 && lines-lines0 <= bound && sessions-sessions0 <= bound,
		"%d adds to cart from one address, each under a fresh visitor cookie, in %s: answers %v, %d cart lines and %d sessions stored (at most %d)",
		adds, elapsed.Round(100*time.Millisecond), statuses, lines-lines0, sessions-sessions0, bound)
}

// inParallel calls do for 0 … n-1 over workers goroutines and says how
// long they took.
func inParallel(n, workers int, do func(i int)) time.Duration {
	var next atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1)) - 1; i < n; i = int(next.Add(1)) - 1 {
				do(i)
			}
		}()
	}
	wg.Wait()
	return time.Since(start)
}
