package main

import (
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"storefront/models"
	"storefront/seed"
)

// twentiethAttack replays what the twentieth outside attack found
// (docs/security.md).
func (a *attack) twentiethAttack() {
	a.staleClaimLink()
	a.accountCrowd()
}

// staleClaimLink: Medium (account takeover of an imported customer's
// history). A merchant gave an imported customer an address with a typo;
// whoever holds the mistyped address asked "Forgot your password?" and was
// mailed a first-password link; the merchant then corrected the address
// on the customer page. The link still worked: setting a password with it
// made the customer's history an account under the corrected address with
// the stranger's password. An address change now ends the customer's
// unused links.
func (a *attack) staleClaimLink() {
	const name = "a link mailed before an address correction no longer claims"
	dir := filepath.Dir(a.dbPath)
	events := filepath.Join(dir, "twentieth-events.csv")
	customers := filepath.Join(dir, "twentieth-customers.csv")
	typo, right := "twentieth-typo@example.com", "twentieth-customer@example.com"
	os.WriteFile(events, []byte("user_id,product_id,type,timestamp\ntw20cust,SKU-10001,purchase,2026-11-01T10:00:00Z\n"), 0o600)
	os.WriteFile(customers, []byte("user_id,email,name\ntw20cust,"+typo+",Twentieth Customer\n"), 0o600)
	if out, err := exec.Command(a.bin, "import", "--db", a.dbPath, "--events", events, "--customers", customers).CombinedOutput(); err != nil {
		a.check(name, false, "import: %v %s", err, firstLine(string(out), 120))
		return
	}
	db := a.openDB(name)
	if db == nil {
		return
	}
	var customer models.Shopper
	db.R.Where("imported_as = ?", "tw20cust").Limit(1).Find(&customer)
	db.Close()

	stranger := a.client("127.0.20.250")
	stranger.post("/password/forgot", url.Values{"_csrf": {stranger.token("/password/forgot")}, "email": {typo}})
	var link string
	for deadline := time.Now().Add(10 * time.Second); link == "" && time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		for _, m := range a.relay.to(typo) {
			if t := resetToken.FindString(m.body); t != "" {
				link = t
			}
		}
	}
	admin := a.client("127.0.20.251")
	if s := admin.staffLogin(seed.DemoAdminEmail); s != http.StatusSeeOther {
		a.check(name, false, "admin logs in: %d", s)
		return
	}
	page := "/admin/customers?q=tw20cust"
	res, _ := admin.post("/admin/customers/"+strconv.FormatUint(uint64(customer.ID), 10)+"/email",
		url.Values{"_csrf": {admin.token(page)}, "email": {right}})
	corrected := res.StatusCode
	pw := "a stranger's chosen password 20"
	token := strings.TrimPrefix(link, "/password/reset?token=")
	opened, _ := stranger.get(link)
	res, _ = stranger.post("/password/reset", url.Values{"_csrf": {stranger.token("/password/forgot")}, "token": {token}, "password": {pw}, "confirm": {pw}})
	used := res.StatusCode
	in := a.client("127.0.20.252").login("/login", right, pw)
	a.check(name, link != "" && corrected == http.StatusSeeOther && opened.StatusCode == http.StatusGone && used == http.StatusGone && in != http.StatusSeeOther,
		"a link to %s (%v), the admin corrected the address to %s (%d), the link then opened %d and set a password: %d, login as %s with it: %d",
		typo, link != "", right, corrected, opened.StatusCode, used, right, in)
}

var resetToken = regexp.MustCompile(`/password/reset\?token=[A-Za-z0-9_%-]+`)

// accountCrowd: High (integrity of recommendations). The eighteenth
// attack's crowd as registered accounts: 300 accounts from 100 addresses
// of one network (registration allows 10 an address at once, then one
// every 6 s) each view the popular product and cart the pushed one. A
// shopper's key carries no network, so the training's crowd guard, which
// counts the visitors a network makes in a day, never saw them.
func (a *attack) accountCrowd() {
	var registered atomic.Int64
	var n atomic.Int64
	// Four registrations at a time: each hashes a password, and a hundred
	// at once on a loaded machine pass the requests' deadline.
	turns := make(chan struct{}, 4)
	a.crowdOfOneNetwork("a crowd of one network's accounts cannot move shoppers' neighbours", "127.0.20.", 3, 3, func(c *client) {
		turns <- struct{}{}
		defer func() { <-turns }()
		i := n.Add(1)
		email := fmt.Sprintf("twentieth-crowd-%05d@example.com", i)
		res, _ := c.post("/register", url.Values{"_csrf": {c.token("/register")}, "name": {"Crowd " + strconv.FormatInt(i, 10)},
			"email": {email}, "password": {"crowd password twenty " + strconv.FormatInt(i, 10)}})
		if res.StatusCode == http.StatusSeeOther {
			registered.Add(1)
		}
	})
	a.check("the account crowd registered", registered.Load() == 300, "%d of 300 accounts registered", registered.Load())
}
