package main

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"storefront/models"
)

// eighteenthAttack replays what the eighteenth outside attack found
// (docs/security.md).
func (a *attack) eighteenthAttack() {
	// High (integrity of recommendations): a crowd of fake visitors, each
	// within every per-client budget, made a product nobody had touched
	// the nearest neighbour of a popular one: 2,000 visitors (20 from
	// each of 100 addresses of one network) each viewed the popular
	// product, then the pushed one, and carted it; after the next
	// training the pushed product was in the top 10 of 16 of the 60
	// shoppers who last viewed the popular one, first for 10 ("Goes with
	// your …"). The training now leaves out the visitors of a network
	// that made a crowd of them in a day.
	a.crowdOfOneNetwork("a crowd of one network's visitors cannot move shoppers' neighbours", "127.0.18.", 1, 20, nil)
}

// crowdOfOneNetwork has 100 × each visitors (each from each of 100
// addresses of the network, an IPv4 prefix ending in a dot) view the
// product with the most events and cart one without events (the offset-th: earlier crowds
// of the attack push the ones before it), each visitor a client of its own
// that plant prepares (a cookie of its own, say); after the next training
// none of the 60 shoppers who last viewed the popular product may have
// the pushed one in their top 10.
func (a *attack) crowdOfOneNetwork(name, network string, offset, each int, plant func(*client)) {
	db := a.openDB(name)
	if db == nil {
		return
	}
	type product struct {
		ID         uint
		ExternalID string
	}
	var anchor, pushed product
	db.R.Raw(`SELECT p.id, p.external_id FROM products p JOIN events e ON e.product_id = p.id
		WHERE p.active AND p.stock > 0 GROUP BY p.id, p.external_id ORDER BY COUNT(e.id) DESC, p.id LIMIT 1`).Scan(&anchor)
	db.R.Raw(`SELECT p.id, p.external_id FROM products p LEFT JOIN events e ON e.product_id = p.id
		WHERE p.active AND p.stock > 0 GROUP BY p.id, p.external_id ORDER BY COUNT(e.id), p.id LIMIT 1 OFFSET ?`, offset).Scan(&pushed)
	var viewers []string
	db.R.Raw(`SELECT user_key FROM events WHERE product_id = ? AND user_key NOT LIKE 'v:%' GROUP BY user_key
		ORDER BY MAX(created_at) DESC, user_key LIMIT 60`, anchor.ID).Scan(&viewers)
	db.Close()
	if anchor.ID == 0 || pushed.ID == 0 || len(viewers) < 20 {
		a.check(name, false, "no popular product with shoppers (%v, %d viewers) or no product without events (%v)", anchor, len(viewers), pushed)
		return
	}
	pages := make([]string, 2)
	for i, p := range []product{anchor, pushed} {
		pages[i] = "/p/" + strconv.FormatUint(uint64(p.ID), 10)
		if res, _ := a.client("127.0.18.250").get(pages[i]); res.Header.Get("Location") != "" {
			pages[i] = res.Header.Get("Location") // the product's own address
		}
	}
	carts := func() (n int64) {
		if db, err := models.Open(a.dbPath); err == nil {
			db.R.Model(&models.Event{}).Where("type = ? AND product_id = ?", models.EventAddToCart, pushed.ID).Count(&n)
			db.Close()
		}
		return n
	}
	before := carts()
	var added atomic.Int64
	var wg sync.WaitGroup
	for i := range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				c := a.client(fmt.Sprintf("%s%d", network, i+1))
				if plant != nil {
					plant(c)
				}
				c.get(pages[0])
				form := url.Values{"product_id": {strconv.FormatUint(uint64(pushed.ID), 10)}, "quantity": {"1"}, "_csrf": {c.token(pages[1])}}
				if res, _ := c.post("/cart/add", form); res.StatusCode == http.StatusSeeOther {
					added.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	time.Sleep(2 * time.Second) // the event writer's batches
	recorded := carts() - before

	retrained, ok := a.retrainAsAdmin("127.0.5.4")
	if !ok {
		return
	}
	item := `"item_id":"` + pushed.ExternalID + `"`
	moved, answered := 0, 0
	for _, u := range viewers {
		status, body := a.api("GET", "/api/v1/recommendations?n=10&user_id="+url.QueryEscape(u), a.apiKey, "")
		if status == http.StatusOK && strings.Contains(body, "item_id") {
			answered++
		}
		if strings.Contains(body, item) {
			moved++
		}
	}
	crowd := int64(100 * each)
	a.check(name, added.Load() == crowd && recorded >= crowd*95/100 && retrained && answered == len(viewers) && moved == 0,
		"%d from 100 addresses of %s0/24 viewed %s and carted %s (%d added, %d carts recorded; retrained %v): %s in the top 10 of %d of the %d shoppers who last viewed %s (%d answered)",
		crowd, network, anchor.ExternalID, pushed.ExternalID, added.Load(), recorded, retrained, pushed.ExternalID, moved, len(viewers), anchor.ExternalID, answered)
}
