package main

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"net/url"
)

// nineteenthAttack replays what the nineteenth outside attack found
// (docs/security.md).
func (a *attack) nineteenthAttack() {
	// High (integrity of recommendations): the eighteenth attack's crowd
	// again, each visitor bringing a cookie of its own making in the form
	// of the ids the shop issued before it signed them (16 characters of
	// base64url): the shop adopted it as a visitor from before, whose id
	// carries no network, and the training never leaves those out, so the
	// pushed product was again in the top 10 of the shoppers who viewed
	// the popular one. An unsigned id is now adopted only when the shop
	// holds that visitor's history; any other is a new visitor of its
	// network.
	u, _ := url.Parse(a.base)
	a.crowdOfOneNetwork("a crowd of one network cannot pass as visitors from before the signing", "127.0.19.", 2, 20, func(c *client) {
		b := make([]byte, 12)
		rand.Read(b)
		c.hc.Jar.SetCookies(u, []*http.Cookie{{Name: "sf_vid", Value: base64.RawURLEncoding.EncodeToString(b)}})
	})
}
