package main

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"

	"storefront/models"
)

// placeOrderButton finds the total the checkout page asks the shopper to
// pay ("Pay $274.99 and place order").
var placeOrderButton = regexp.MustCompile(`Pay ([^<]+?) and place order`)

// fourteenthAttack replays what the fourteenth outside attack found
// (docs/security.md).
func (a *attack) fourteenthAttack() {
	// High (integrity of payments): the checkout page says "Pay $X and
	// place order", and its form ordered whatever the cart held when it
	// was sent. A price the merchant raised after the page was shown (a
	// typo fixed, a sale ended) was charged without the shopper seeing
	// it: $274.99 shown, $27,499.00 paid. The form now names the cart it
	// showed, and any other cart sends the shopper back to the page.
	c := a.client("127.0.14.1")
	email := "fourteenth-attack@example.com"
	pw := "a fourteenth attack's long password"
	c.post("/register", url.Values{"_csrf": {c.token("/register")}, "name": {"Fourteenth"}, "email": {email}, "password": {pw}})
	db := a.openDB("the shopper pays the total the checkout showed")
	if db == nil {
		return
	}
	defer db.Close()
	var p models.Product
	db.R.Where("active AND stock >= 5 AND price_cents > 0").Order("id DESC").Take(&p)
	setPrice := func(cents int64) { db.W.Model(&models.Product{}).Where("id = ?", p.ID).Update("price_cents", cents) }
	defer setPrice(p.PriceCents)
	c.post("/cart/add", url.Values{"_csrf": {c.token("/account")}, "product_id": {strconv.FormatUint(uint64(p.ID), 10)}, "quantity": {"1"}})
	_, page := c.get("/checkout")
	shown := ""
	if m := placeOrderButton.FindStringSubmatch(page); m != nil {
		shown = m[1]
	}
	// The form as the page rendered it: every hidden field it carries.
	form := url.Values{"_csrf": {c.token("/account")}, "name": {"Fourteenth"}, "email": {email},
		"street": {"1 Main St"}, "city": {"Leeds"}, "postcode": {"LS1 4AP"}, "country": {"GB"}}
	for field, re := range map[string]*regexp.Regexp{"idempotency_key": checkoutKey, "cart_digest": cartDigestField} {
		if m := re.FindStringSubmatch(page); m != nil {
			form.Set(field, m[1])
		}
	}
	// The merchant raises the price a hundredfold meanwhile.
	setPrice(p.PriceCents * 100)
	res, _ := c.post("/checkout", form)
	var sh models.Shopper
	db.R.Where("email = ?", email).Take(&sh)
	var orders []models.Order
	db.R.Where("shopper_id = ?", sh.ID).Find(&orders)
	var charged int64
	for _, o := range orders {
		charged += o.TotalCents
	}
	a.check("the shopper pays the total the checkout showed", shown != "" && sh.ID != 0 && charged <= p.PriceCents && (res.StatusCode == http.StatusConflict || charged == p.PriceCents),
		"checkout page: %q (%d cents), price raised to %d cents, form sent: %d; %d orders charging %d cents",
		shown, p.PriceCents, p.PriceCents*100, res.StatusCode, len(orders), charged)

	a.fourteenthNames()
}

// fourteenthNames registers names that read otherwise than they are
// written: a right-to-left override, a line separator, a name of only a
// zero-width space.
func (a *attack) fourteenthNames() {
	names := []string{"Eve\u202etxt.exe", "Ada\u2028Lovelace", "\u200b"}
	var answers []int
	refused := 0
	for i, name := range names {
		c := a.client("127.0.14.2")
		res, _ := c.post("/register", url.Values{"_csrf": {c.token("/register")}, "name": {name},
			"email": {"fourteenth-name-" + strconv.Itoa(i) + "@example.com"}, "password": {"a fourteenth attack's long password"}})
		answers = append(answers, res.StatusCode)
		if res.StatusCode == http.StatusUnprocessableEntity {
			refused++
		}
	}
	a.check("a name reads as it is written", refused == len(names), "registering %+q: %v", names, answers)
}
