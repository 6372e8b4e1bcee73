package main

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"

	"storefront/models"
)

var checkoutKey = regexp.MustCompile(`name="idempotency_key" value="([^"]+)"`)

// cartDigestField finds the cart digest of a checkout page's form (the
// cart the page shows; the order is placed only from it).
var cartDigestField = regexp.MustCompile(`name="cart_digest" value="([^"]*)"`)

// tenthAttack replays what the tenth outside attack found (docs/security.md).
func (a *attack) tenthAttack() {
	// Medium: a checkout refused after its payment was authorized (a
	// product sold out meanwhile) voided the authorization and gave the
	// form back with the same key. Submitted again once the product was
	// back, the provider answered the key with the voided authorization
	// (card processors replay a key's first answer) and the order was
	// placed on it: goods for money no longer held. The key is now used
	// up, and the form comes back with a new one.
	c := a.client("127.0.10.1")
	email := "tenth-attack@example.com"
	pw := "a tenth attack's long password"
	c.post("/register", url.Values{"_csrf": {c.token("/register")}, "name": {"Tenth"}, "email": {email}, "password": {pw}})
	db := a.openDB("a voided payment places no order")
	if db == nil {
		return
	}
	defer db.Close()
	var p models.Product
	db.R.Where("active AND stock >= 5 AND price_cents > 0").Order("id").Take(&p)
	setStock := func(n int) { db.W.Model(&models.Product{}).Where("id = ?", p.ID).Update("stock", n) }
	id := strconv.FormatUint(uint64(p.ID), 10)
	c.post("/cart/add", url.Values{"_csrf": {c.token("/account")}, "product_id": {id}, "quantity": {"1"}})
	_, page := c.get("/checkout")
	key, digest := "", ""
	if m := checkoutKey.FindStringSubmatch(page); m != nil {
		key = m[1]
	}
	if m := cartDigestField.FindStringSubmatch(page); m != nil {
		digest = m[1]
	}
	form := func() url.Values {
		return url.Values{"_csrf": {c.token("/account")}, "idempotency_key": {key}, "cart_digest": {digest}, "name": {"Tenth"}, "email": {email},
			"street": {"1 Main St"}, "city": {"Leeds"}, "postcode": {"LS1 4AP"}, "country": {"GB"}}
	}
	setStock(0)
	refused, body := c.post("/checkout", form())
	fresh := ""
	if m := checkoutKey.FindStringSubmatch(body); m != nil {
		fresh = m[1]
	}
	setStock(5)
	again, _ := c.post("/checkout", form())
	// Whichever way the form was refused (before the provider was asked,
	// or after, its authorization voided), no order stands on a key whose
	// payment was voided.
	var onVoided int64
	db.R.Model(&models.Order{}).Where("idempotency_key IN (?)", db.R.Model(&models.VoidedPayment{}).Select("key")).Count(&onVoided)
	a.check("a voided payment places no order", key != "" && refused.StatusCode == http.StatusConflict && fresh != key && onVoided == 0,
		"sold out: %d, the form's key %s; the same key once back in stock: %d %s; orders on a voided payment: %d", refused.StatusCode,
		map[bool]string{true: "renewed", false: "kept"}[fresh != "" && fresh != key], again.StatusCode, again.Header.Get("Location"), onVoided)

	// Low: "josé@example.com" typed with e and a combining accent
	// registered a second account beside the one typed with é, two
	// accounts whose addresses read and are delivered alike. Addresses are
	// kept in Unicode normal form C.
	register := func(source, email string) int {
		r := a.client(source)
		res, _ := r.post("/register", url.Values{"_csrf": {r.token("/register")}, "name": {"José"}, "email": {email}, "password": {pw}})
		return res.StatusCode
	}
	first, second := register("127.0.10.2", "jos\u00e9@example.com"), register("127.0.10.3", "jose\u0301@example.com")
	a.check("an address with a combining accent is the same account", first == http.StatusSeeOther && second == http.StatusUnprocessableEntity,
		"registering josé with é: %d; with e and a combining accent: %d", first, second)
}
