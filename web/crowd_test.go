package web

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"testing"
	"time"

	"storefront/models"
	"storefront/recommender"
	shopsvc "storefront/shop"
)

// A crowd of fake visitors, each within every per-client budget, made a
// product nobody shops for the nearest neighbour of a popular one: every
// visitor views the tent, then a tea towel, and carts the towel, and after
// the next training shoppers who viewed the tent were told the towel
// "goes with" it. The training now leaves out the visitors of a network
// that made a crowd of them in a day; visitors of other networks, and
// shoppers, count as before.
func TestACrowdOfOneNetworksVisitorsDoesNotMoveNeighbours(t *testing.T) {
	crowdPushesTheTowel(t, nil)
}

// The same crowd, each visitor bringing a cookie of its own making in the
// form of the ids the shop issued before it signed them: the shop adopted
// it as a visitor from before, whose id names no network, the training
// never left it out, and the towel "went with" the tent again. An unsigned
// id is adopted only when the shop holds that visitor's history
// (TestAnUnsignedCookieFromBeforeTheSigningKeepsItsVisit); any other is a
// new visitor of its network.
func TestACrowdCannotPassAsVisitorsFromBeforeTheSigning(t *testing.T) {
	crowdPushesTheTowel(t, func(t *testing.T, shop *testShop, c *client, _ map[string]string) string {
		u, _ := url.Parse(shop.ts.URL)
		c.hc.Jar.SetCookies(u, []*http.Cookie{{Name: visitorCookie, Value: randomToken(visitorIDBytes), Path: "/"}})
		return ""
	})
}

// The same crowd as accounts: each of the 150 registers first (one account
// an address, well within registration's limits), then views the tent and
// carts the towel. A shopper's key carries no network, so the training
// never left accounts out, and the towel "went with" the tent again
// (twentieth outside attack). An account now keeps the pseudonym of the
// network and day it was registered from, and the training counts a
// network's accounts with its visitors.
func TestACrowdOfOneNetworksAccountsDoesNotMoveNeighbours(t *testing.T) {
	n := 0
	crowdPushesTheTowel(t, func(t *testing.T, shop *testShop, c *client, from map[string]string) string {
		t.Helper()
		n++
		email := fmt.Sprintf("crowd%03d@example.com", n)
		_, doc := c.get("/register")
		form := url.Values{"name": {"Crowd"}, "email": {email}, "password": {"crowd password " + strconv.Itoa(n)}, "_csrf": {csrf(doc)}}
		if res, _ := c.send(http.MethodPost, "/register", form, from); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("registering %s: %d", email, res.StatusCode)
		}
		sh, err := shop.db.FindShopper(context.Background(), email)
		must(t, err)
		return sh.ExternalID
	})
}

// crowdPushesTheTowel has 150 visitors from 150 addresses of one network,
// each a client that plant prepares (nil: a new visitor; plant answers
// the user key it made the client, "" for its visitor id), view the tent
// and cart a tea towel, and one visitor of another network do the same;
// the training must leave out the crowd, keep the other visitor, and tell
// nobody who viewed the tent that the towel goes with it.
func crowdPushesTheTowel(t *testing.T, plant func(*testing.T, *testShop, *client, map[string]string) string) {
	proxies, err := ParseTrustedProxies("127.0.0.1")
	must(t, err)
	shop := serveShop(t, mustOpenShop(t).db, Config{TrustedProxies: proxies}, false, nil)
	ctx := context.Background()
	trainShop(t, shop) // campers view the tents and hiking gear, cooks the kitchen
	tent, towel := shop.product("SKU-1"), shop.product("SKU-K12")
	from := func(addr string) map[string]string { return map[string]string{"X-Forwarded-For": addr} }
	visit := func(addr string) string {
		t.Helper()
		c := shop.newClient()
		key := ""
		if plant != nil {
			key = plant(t, shop, c, from(addr))
		}
		for _, p := range []*models.Product{tent, towel} {
			if res, _ := c.send(http.MethodGet, productPath(p), nil, from(addr)); res.StatusCode != http.StatusOK {
				t.Fatalf("%s from %s: %d", productPath(p), addr, res.StatusCode)
			}
		}
		_, doc := c.get(productPath(towel))
		form := url.Values{"product_id": {utoa(towel.ID)}, "quantity": {"1"}, "_csrf": {csrf(doc)}}
		if res, _ := c.send(http.MethodPost, "/cart/add", form, from(addr)); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("adding the towel from %s: %d", addr, res.StatusCode)
		}
		if key == "" {
			key = "v:" + shop.srv.visitorOf(c.cookie(visitorCookie))
		}
		return key
	}
	// 150 visitors from 150 addresses of one network, each under every
	// budget of its address.
	var crowd []string
	for i := range 150 {
		crowd = append(crowd, visit(fmt.Sprintf("203.0.113.%d", 1+i%250)))
	}
	// A visitor of another network does the same: one shopper's taste.
	plant = nil
	other := visit("198.51.100.7")
	must(t, shop.srv.events.Flush(ctx))

	origins, err := shop.db.VisitorOriginsOf(ctx)
	must(t, err)
	accounts, err := shop.db.AccountOrigins(ctx)
	must(t, err)
	originOf := func(key string) string { return cmp.Or(origins.Origin(key), accounts[key]) }
	if o := originOf(crowd[0]); o == "" || o != originOf(crowd[149]) || o == originOf(other) {
		t.Fatalf("origins: crowd %q and %q, the other network's visitor %q", o, originOf(crowd[149]), originOf(other))
	}

	cfg := recommender.DefaultConfig()
	cfg.ALS.Factors, cfg.ALS.Iterations, cfg.SVD.Rank = 4, 5, 2
	res, err := shopsvc.TrainAndStore(ctx, shop.db, cfg, nil)
	must(t, err)
	if res.Crowds.Origins != 1 || res.Crowds.Visitors+res.Crowds.Accounts != 150 {
		t.Errorf("left out %+v, want the one network's 150 visitors or accounts", res.Crowds)
	}
	m := res.Model
	for _, req := range []recommender.Request{
		{User: "camper3", Strategy: recommender.ItemKNN, N: 5},
		{User: "a new visitor", Recent: []recommender.Event{{Item: tent.ExternalID, Type: recommender.View, Time: time.Now()}}, Strategy: recommender.ItemKNN, N: 5},
	} {
		var got []string
		for _, r := range m.Recommend(req) {
			got = append(got, r.ItemID)
		}
		if slices.Contains(got, towel.ExternalID) {
			t.Errorf("%s after the crowd: %v holds the towel", req.User, got)
		}
	}
	// The other network's visitor is trained on; the crowd is not.
	trained := map[string]int{}
	for _, e := range res.Data.Events {
		trained[e.User]++
	}
	if trained[other] == 0 || trained[crowd[0]] != 0 {
		t.Errorf("events trained on: the other network's visitor %d (want its events), a crowd's visitor %d (want 0)", trained[other], trained[crowd[0]])
	}
}
