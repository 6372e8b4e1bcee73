package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"storefront/models"
)

// smuggledName is a shopper's name that, quoted in an email, put a lone CR
// before a line of one dot: a relay reading a lone CR as a line's end took
// it for the end of the message and the lines after it for commands.
const smuggledName = "Eve\r.\r\nMAIL FROM:<ceo@example.com>\r\nRCPT TO:<victim@example.org>\r\nDATA\r\n"

// eleventhName stores smuggledName as a seeded shopper's name before the
// server starts (a name taken before registrations refused it).
func eleventhName(db *models.DB) error {
	if err := db.W.Model(&models.Shopper{}).Where("email = ?", shopperEmail(81)).Update("name", smuggledName).Error; err != nil {
		return err
	}
	return db.W.Model(&models.Product{}).Where("external_id = ?", "SKU-10003").Update("image_url", plantedImage).Error
}

// plantedImage is a supplier's image address holding the placeholder the
// shop's cached pages used for each viewer's CSRF token.
const plantedImage = "https://www.seller-3.example/p.jpg?t=~csrf-token-placeholder-7d1f~"

// eleventhAttack replays what the eleventh outside attack found
// (docs/security.md).
func (a *attack) eleventhAttack() {
	// Medium: SMTP smuggling through the reset email's greeting.
	// An address of its own: the seventh section spends 127.0.11.1's
	// reset links (5 at once), and this request was refused in a full run.
	c := a.client("127.0.11.111")
	res, _ := c.post("/register", url.Values{"_csrf": {c.token("/register")}, "name": {smuggledName}, "email": {"eleventh-smuggler@example.com"},
		"password": {"a long unique passphrase 11"}})
	a.check("a registration refuses a name with line breaks", res.StatusCode == http.StatusUnprocessableEntity, "%d", res.StatusCode)
	c.post("/password/forgot", url.Values{"_csrf": {c.token("/password/forgot")}, "email": {shopperEmail(81)}})
	var got []mailed
	// The mail goes out after the answer, behind the links the earlier
	// sections asked for (one sender works through them).
	for range 300 {
		if got = a.relay.to(shopperEmail(81)); len(got) > 0 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	lone := -1
	if len(got) > 0 {
		b := got[0].body
		for i := range len(b) {
			if b[i] == '\r' && (i+1 == len(b) || b[i+1] != '\n') || b[i] == '\n' && (i == 0 || b[i-1] != '\r') {
				lone = i
				break
			}
		}
	}
	a.check("a name cannot end the reset email", len(got) == 1 && lone < 0,
		"%d emails to a shopper named %q, a lone CR or LF at byte %d (-1: none)", len(got), firstLine(smuggledName, 12), lone)

	// Medium: the brand an interest removal names was kept as sent, in the
	// shopper's row: 20 posts of a 2 MB brand made it 38 MB.
	s := a.client("127.0.11.2")
	s.post("/register", url.Values{"_csrf": {s.token("/register")}, "name": {"Hider"}, "email": {"eleventh-hider@example.com"},
		"password": {"a long unique passphrase 12"}})
	big := strings.Repeat("x", 1_900_000)
	codes := map[int]int{}
	for i := range 5 {
		res, _ := s.post("/account/interests/remove", url.Values{"_csrf": {s.token("/account/interests")}, "kind": {"brand"}, "value": {big + fmt.Sprint(i)}})
		codes[res.StatusCode]++
	}
	for i := range 120 {
		res, _ := s.post("/account/interests/remove", url.Values{"_csrf": {s.token("/account/interests")}, "kind": {"brand"}, "value": {fmt.Sprintf("Brand %03d", i)}})
		codes[res.StatusCode]++
	}
	size := -1
	if db, err := models.Open(a.dbPath); err == nil {
		var sh models.Shopper
		if db.R.Where("email = ?", "eleventh-hider@example.com").First(&sh).Error == nil {
			size = len(sh.HiddenInterests)
		}
		db.Close()
	}
	a.check("hidden interests are bounded", size >= 0 && size <= models.MaxHiddenInterests*models.MaxInterestLen,
		"5 removals of a 1.9 MB brand and 120 of short ones (answers %v): the shopper's list holds %d bytes", codes, size)

	// Low: a supplier's image address holding the cached pages' placeholder
	// for the CSRF token had every viewer's token sent to the supplier.
	v := a.client("127.0.11.3")
	page, body := v.get("/p/3")
	if page.StatusCode == http.StatusMovedPermanently {
		page, body = v.get(page.Header.Get("Location"))
	}
	tok := ""
	if m := csrfField.FindStringSubmatch(body); m != nil {
		tok = m[1]
	}
	img := ""
	if m := productImage.FindStringSubmatch(body); m != nil {
		img = m[1] + m[2]
	}
	a.check("a product's image address cannot carry a viewer's token", page.StatusCode == http.StatusOK && tok != "" && img == plantedImage && !strings.Contains(body, "t="+tok),
		"product page %d, its image %q", page.StatusCode, img)

	// Low: the events API stored text that is not UTF-8 as U+FFFD.
	status, out := a.api(http.MethodPost, "/api/v1/events", a.evKey, "{\"events\":[{\"user_id\":\"eleventh-Jos\xe9\",\"type\":\"search\",\"query\":\"tent\"}]}")
	var stored int64
	if db, err := models.Open(a.dbPath); err == nil {
		stored, _ = db.CountUserEvents(context.Background(), "eleventh-Jos\ufffd")
		db.Close()
	}
	a.check("the events API refuses text that is not UTF-8", status == http.StatusBadRequest && stored == 0,
		"a Latin-1 user id: %d %s, %d events stored as U+FFFD", status, firstLine(out, 90), stored)
}
