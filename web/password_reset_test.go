package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"storefront/models"
	"storefront/web/smtptest"
)

// resetShop is the test shop sending its email to a fake relay.
func resetShop(t *testing.T) (*testShop, *smtptest.Server) {
	t.Helper()
	shop := mustOpenShop(t)
	relay := smtptest.Start(t)
	m, err := NewMailer(relay.Addr, "Outdoor Shop <shop@example.com>", shop.ts.URL, "", "")
	must(t, err)
	shop.srv.cfg.Mail = m
	return shop, relay
}

// askForLink asks the forgotten-password form for a link to email as c
// and returns the mail the relay received: its recipients and body.
func askForLink(t *testing.T, c *client, relay *smtptest.Server, email string) (to, body string) {
	t.Helper()
	_, doc := c.get("/password/forgot")
	res, _ := c.send(http.MethodPost, "/password/forgot", url.Values{"email": {email}, "_csrf": {csrf(doc)}}, nil)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("asking for a link for %s: %d", email, res.StatusCode)
	}
	mail := relay.Wait(t, 5*time.Second)
	return strings.Join(mail.To, ","), mail.Body
}

var resetLink = regexp.MustCompile(`http://\S+/password/reset\?token=\S+`)

// TestAShopperResetsAForgottenPassword: a shopper who forgot their
// password asks for a link, gets it by email, sets a new password with it
// (which signs out their other devices), and the link works once; an
// address no account uses gets the same page and no email.
func TestAShopperResetsAForgottenPassword(t *testing.T) {
	shop, relay := resetShop(t)
	signedIn := shop.newClient()
	if res := signedIn.post("/login", "/login", url.Values{"email": {"ada@example.com"}, "password": {testPassword}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("login %d", res.StatusCode)
	}
	_, doc := shop.newClient().get("/login")
	if doc.Find(`[data-testid="forgot-link"]`).Length() != 1 {
		t.Fatal("the login page has no link for a forgotten password")
	}

	c := shop.newClient()
	ask := func(email string) string {
		t.Helper()
		_, doc := c.get("/password/forgot")
		req := url.Values{"email": {email}, "_csrf": {csrf(doc)}}
		res, page := c.send(http.MethodPost, "/password/forgot", req, nil)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("asking for a link for %s: %d", email, res.StatusCode)
		}
		return strings.Join(strings.Fields(page.Find(`[data-testid="reset-sent"]`).Text()), " ")
	}
	unknown := ask("nobody@example.com")
	relay.None(t, 300*time.Millisecond)
	known := ask("Ada@Example.com")
	if strings.ReplaceAll(unknown, "nobody@example.com", "X") != strings.ReplaceAll(known, "Ada@Example.com", "X") || known == "" {
		t.Errorf("the page tells which address has an account:\n%q\n%q", unknown, known)
	}
	mail := relay.Wait(t, 5*time.Second)
	if len(mail.To) != 1 || mail.To[0] != "ada@example.com" {
		t.Fatalf("the link went to %v", mail.To)
	}
	link := resetLink.FindString(mail.Body)
	if !strings.HasPrefix(link, shop.ts.URL+"/password/reset?token=") {
		t.Fatalf("no link to the shop in %q", mail.Body)
	}
	token, _ := url.QueryUnescape(strings.TrimPrefix(link, shop.ts.URL+"/password/reset?token="))
	var stored []models.PasswordReset
	must(t, shop.db.R.Find(&stored).Error)
	for _, r := range stored {
		if strings.Contains(r.TokenHash, token) {
			t.Fatal("the token is stored as it is sent, not hashed")
		}
	}

	path := strings.TrimPrefix(link, shop.ts.URL)
	res, doc := c.get(path)
	if res.StatusCode != http.StatusOK || doc.Find(`[data-testid="reset-form"]`).Length() != 1 {
		t.Fatalf("the link opens %d without the form", res.StatusCode)
	}
	if got := res.Header.Get("Referrer-Policy"); got != "no-referrer" {
		t.Errorf("the page with the token in its address sends referrers (%q)", got)
	}
	fresh := "a new password for ada 7"
	set := func(pw, confirm string) *http.Response {
		t.Helper()
		_, doc := c.get(path)
		res, _ := c.send(http.MethodPost, "/password/reset", url.Values{"token": {token}, "password": {pw}, "confirm": {confirm}, "_csrf": {csrf(doc)}}, nil)
		return res
	}
	if res := set(fresh, "something else entirely"); res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("two different passwords: %d", res.StatusCode)
	}
	if res := set(fresh, fresh); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/login" {
		t.Fatalf("the reset answered %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	if res, _ := signedIn.get("/account"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("the other device is still signed in (%d)", res.StatusCode)
	}
	login := func(pw string) int {
		return shop.newClient().post("/login", "/login", url.Values{"email": {"ada@example.com"}, "password": {pw}}).StatusCode
	}
	if got := login(fresh); got != http.StatusSeeOther {
		t.Errorf("the new password does not log in (%d)", got)
	}
	if got := login(testPassword); got == http.StatusSeeOther {
		t.Error("the old password still logs in")
	}
	// The link worked once.
	if res, doc := c.get(path); res.StatusCode != http.StatusGone || doc.Find(`[data-testid="reset-expired"]`).Length() != 1 {
		t.Errorf("the used link opens %d", res.StatusCode)
	}
	if res := shop.newClient().post("/password/forgot", "/password/reset", url.Values{"token": {token}, "password": {"yet another password 9"}, "confirm": {"yet another password 9"}}); res.StatusCode != http.StatusGone {
		t.Errorf("the used link set a password again (%d)", res.StatusCode)
	}
}

// TestAPasswordResetLinkExpires: a link stops working after
// models.PasswordResetLife, and a newer one keeps working until one of them is used.
func TestAPasswordResetLinkExpires(t *testing.T) {
	shop := mustOpenShop(t)
	ctx := context.Background()
	now := time.Now()
	old, _, err := shop.db.StartPasswordReset(ctx, "ada@example.com", now.Add(-models.PasswordResetLife-time.Second))
	must(t, err)
	newer, _, err := shop.db.StartPasswordReset(ctx, "ada@example.com", now)
	must(t, err)
	if _, err := shop.db.ResetShopperPassword(ctx, old, "a new password for ada 7", now); err != models.ErrResetLinkInvalid {
		t.Fatalf("an expired link: %v", err)
	}
	if _, err := shop.db.ResetShopperPassword(ctx, newer, "a new password for ada 7", now); err != nil {
		t.Fatalf("a live link: %v", err)
	}
	if _, _, err := shop.db.StartPasswordReset(ctx, "nobody@example.com", now); err != models.ErrNotFound {
		t.Errorf("an unknown address: %v", err)
	}
}

// TestAShopWithoutMailSaysHowToGetHelp: without a relay the login page
// offers no reset, and the page says to contact the shop.
func TestAShopWithoutMailSaysHowToGetHelp(t *testing.T) {
	shop := mustOpenShop(t)
	_, doc := shop.newClient().get("/login")
	if doc.Find(`[data-testid="forgot-link"]`).Length() != 0 {
		t.Error("the login page offers a reset the shop cannot send")
	}
	res, doc := shop.newClient().get("/password/forgot")
	if res.StatusCode != http.StatusOK || doc.Find(`[data-testid="no-mail"]`).Length() != 1 || doc.Find("form[data-testid=forgot-form]").Length() != 0 {
		t.Errorf("the page without email: %d %q", res.StatusCode, doc.Find("main").Text())
	}
	// With a contact address in the settings, the login page leads to it.
	admin := shop.staffClient(models.RoleAdmin)
	form := url.Values{"name": {"Storefront"}, "currency": {"USD"}, "number_format": {"1,234.56"},
		"time_zone": {"UTC"}, "contact_email": {"help@shop.example"}}
	if res := admin.post("/admin/settings", "/admin/settings", form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save settings: %d", res.StatusCode)
	}
	visitor := shop.newClient()
	_, doc = visitor.get("/login")
	link := doc.Find(`[data-testid="forgot-link"]`)
	if link.Length() != 1 {
		t.Fatal("a shop with a contact address does not tell a shopper who forgot their password where to go")
	}
	_, doc = visitor.get(link.AttrOr("href", ""))
	if doc.Find(`[data-testid="no-mail"] a[href="mailto:help@shop.example"]`).Length() != 1 {
		t.Errorf("the page does not name the shop's contact address: %q", doc.Find("main").Text())
	}
}

// TestResetLinksToOneAccountAreBounded: the sixth outside attack. Asking
// for a reset link spends the login limits, which let 20 requests for one
// account through at once (from 60 addresses, 200 posts in 0.8 s) and then
// one every 36 s: 20 emails in a second and 100 an hour in the owner's
// mailbox, each a live link. Now an account is sent at most
// models.PasswordResetsPerHour links an hour; the page says the same.
func TestResetLinksToOneAccountAreBounded(t *testing.T) {
	shop, relay := resetShop(t)
	var clock atomic.Pointer[time.Time] // the shop's and its limiter's
	start := time.Now()
	clock.Store(&start)
	shop.srv.now = func() time.Time { return *clock.Load() }
	shop.srv.limiter.now = shop.srv.now
	ask := func() {
		t.Helper()
		c := shop.newClient()
		_, doc := c.get("/password/forgot")
		res, page := c.send(http.MethodPost, "/password/forgot", url.Values{"email": {"ada@example.com"}, "_csrf": {csrf(doc)}}, nil)
		if res.StatusCode != http.StatusOK || page.Find(`[data-testid="reset-sent"]`).Length() != 1 {
			t.Fatalf("asking for a link: %d", res.StatusCode)
		}
	}
	for range 5 { // what one address may ask for one account at once
		ask()
	}
	for range models.PasswordResetsPerHour {
		relay.Wait(t, 5*time.Second)
	}
	relay.None(t, 500*time.Millisecond)
	// An hour later the owner can ask again.
	later := start.Add(time.Hour + time.Minute)
	clock.Store(&later)
	ask()
	if link := resetLink.FindString(relay.Wait(t, 5*time.Second).Body); link == "" {
		t.Fatal("an hour later: no link")
	}
}

// TestResetEmailsAreSentBeforeTheShopStops: the form answers before the
// email goes out, and the email was sent by a goroutine nobody waited for:
// a shop stopped for a deploy right after a shopper asked lost the link
// the page said was sent. Close now waits for the queued emails, and a
// request after it sends none.
func TestResetEmailsAreSentBeforeTheShopStops(t *testing.T) {
	shop, relay := resetShop(t)
	c := shop.newClient()
	_, doc := c.get("/password/forgot")
	if res, _ := c.send(http.MethodPost, "/password/forgot", url.Values{"email": {"ada@example.com"}, "_csrf": {csrf(doc)}}, nil); res.StatusCode != http.StatusOK {
		t.Fatalf("asking for a link: %d", res.StatusCode)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	must(t, shop.srv.Close(ctx))
	m, ok := relay.Taken()
	if !ok || resetLink.FindString(m.Body) == "" {
		t.Fatal("the shop stopped before the reset email it promised went out")
	}
	_, doc = c.get("/password/forgot")
	if res, _ := c.send(http.MethodPost, "/password/forgot", url.Values{"email": {"ada@example.com"}, "_csrf": {csrf(doc)}}, nil); res.StatusCode != http.StatusOK {
		t.Fatalf("asking for a link after Close: %d", res.StatusCode)
	}
	relay.None(t, 300*time.Millisecond)
}

// TestAPasswordChangeEndsResetLinks: a reset link sent before the shopper
// changed their password on the account page set a password after it for
// the rest of its 30 minutes (whoever read the email could undo the
// change). Changing the password now ends the account's links.
func TestAPasswordChangeEndsResetLinks(t *testing.T) {
	shop := mustOpenShop(t)
	ctx := context.Background()
	token, ada, err := shop.db.StartPasswordReset(ctx, "ada@example.com", time.Now())
	must(t, err)
	must(t, shop.db.ChangeShopperPassword(ctx, ada.ID, testPassword, "a changed password for ada 3"))
	if _, err := shop.db.ResetShopperPassword(ctx, token, "the link's password for ada 4", time.Now()); err != models.ErrResetLinkInvalid {
		t.Fatalf("a link sent before the change set a password after it: %v", err)
	}
}

// One client address could have the shop mail many shoppers: a reset
// request spent the login limits only (10 at once, then one per 6 s), so a
// script walking a list of addresses had up to 600 owners an hour sent a
// link from the shop's relay. An address now asks for 5 links at once and
// then one every 12 minutes, whichever accounts; every request counts, an
// address no account uses too, so the refusal is the same page for any
// address and tells nothing about accounts.
func TestOneAddressCannotMailManyShoppers(t *testing.T) {
	shop, relay := resetShop(t)
	var clock atomic.Pointer[time.Time]
	start := time.Now()
	clock.Store(&start)
	shop.srv.now = func() time.Time { return *clock.Load() }
	shop.srv.limiter.now = shop.srv.now
	ctx := context.Background()
	var owners []string
	for i := range 12 {
		email := fmt.Sprintf("owner%02d@example.com", i)
		_, err := shop.db.CreateShopper(ctx, fmt.Sprintf("Owner %d", i), email, testPassword)
		must(t, err)
		owners = append(owners, email)
	}
	ask := func(email string) (int, string) {
		t.Helper()
		c := shop.newClient()
		_, doc := c.get("/password/forgot")
		res, page := c.send(http.MethodPost, "/password/forgot", url.Values{"email": {email}, "_csrf": {csrf(doc)}}, nil)
		return res.StatusCode, strings.TrimSpace(page.Find(`main`).Text())
	}
	sent := 0
	for _, email := range owners {
		if status, _ := ask(email); status == http.StatusOK {
			sent++
		}
	}
	if sent != 5 {
		t.Fatalf("one address asked for links to 12 accounts: %d answered as sent, want 5", sent)
	}
	for range 5 {
		relay.Wait(t, 5*time.Second)
	}
	relay.None(t, 500*time.Millisecond)
	// The refusal is the same for an account and for an address no
	// account uses.
	owner, ownerPage := ask(owners[11])
	nobody, nobodyPage := ask("nobody-here@example.com")
	nobodyPage = strings.ReplaceAll(nobodyPage, "nobody-here@example.com", owners[11])
	if owner != http.StatusTooManyRequests || nobody != owner || nobodyPage != ownerPage {
		t.Errorf("over the limit: %d for an account, %d for no account (pages equal: %t); want the same 429", owner, nobody, nobodyPage == ownerPage)
	}
	// Twelve minutes later the address has one more.
	later := start.Add(12*time.Minute + time.Second)
	clock.Store(&later)
	if status, _ := ask(owners[10]); status != http.StatusOK {
		t.Fatalf("12 minutes later: %d", status)
	}
	if link := resetLink.FindString(relay.Wait(t, 5*time.Second).Body); link == "" {
		t.Fatal("12 minutes later: no link")
	}
}

// TestANameCannotEndTheResetEmail: the reset email quotes the shopper's
// name, and a name holding "\r.\r\n" (which a registration took) put a
// lone CR before a line of one dot on the wire: a relay that reads a lone
// CR as a line's end takes that for the end of the message and the
// name's next lines ("MAIL FROM:<ceo@…>", "RCPT TO:…", "DATA") for
// commands of its own, mail from the shop's domain to anyone (SMTP
// smuggling). A registration now refuses a name with a control
// character, and an email never holds a lone CR or LF whatever it
// quotes (a name stored before, the shop's name).
func TestANameCannotEndTheResetEmail(t *testing.T) {
	shop, relay := resetShop(t)
	smuggled := "Eve\r.\r\nMAIL FROM:<ceo@example.com>\r\nRCPT TO:<victim@example.org>\r\nDATA\r\n"
	c := shop.newClient()
	_, doc := c.get("/register")
	res, doc := c.send(http.MethodPost, "/register", url.Values{"name": {smuggled}, "email": {"eve@example.com"},
		"password": {"a long unique passphrase 11"}, "_csrf": {csrf(doc)}}, nil)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(doc.Text(), "on one line") {
		t.Fatalf("a name with line breaks registered: %d", res.StatusCode)
	}
	if _, err := shop.db.FindCustomer(context.Background(), "", "eve@example.com"); err == nil {
		t.Fatal("the refused registration made an account")
	}
	// A name stored before the check.
	must(t, shop.db.W.Model(&models.Shopper{}).Where("email = ?", "ada@example.com").Update("name", smuggled).Error)
	_, doc = c.get("/password/forgot")
	if res, _ := c.send(http.MethodPost, "/password/forgot", url.Values{"email": {"ada@example.com"}, "_csrf": {csrf(doc)}}, nil); res.StatusCode != http.StatusOK {
		t.Fatalf("asking for a link: %d", res.StatusCode)
	}
	m := relay.Wait(t, 5*time.Second)
	raw := m.Raw
	for i := range len(raw) {
		if raw[i] == '\r' && (i+1 == len(raw) || raw[i+1] != '\n') || raw[i] == '\n' && (i == 0 || raw[i-1] != '\r') {
			t.Fatalf("the email holds a lone CR or LF at byte %d: %q", i, raw[max(0, i-20):min(len(raw), i+20)])
		}
	}
	if resetLink.FindString(m.Body) == "" || !strings.Contains(m.Body, "MAIL FROM:<ceo@example.com>") {
		t.Fatalf("the email lost its link or the name's text: %q", m.Body)
	}
}
