package main

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"storefront/models"
)

// relay is an SMTP server on 127.0.0.1 that takes every message the shop
// sends (password reset links) and keeps it.
type relay struct {
	addr string
	mu   sync.Mutex
	got  []mailed
}

type mailed struct{ to, body string }

func startRelay() (*relay, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	r := &relay{addr: ln.Addr().String()}
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go r.serve(conn)
		}
	}()
	return r, nil
}

func (r *relay) serve(conn net.Conn) {
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(time.Minute))
	in := bufio.NewReader(conn)
	say := func(line string) { fmt.Fprintf(conn, "%s\r\n", line) }
	say("220 attack relay")
	var to string
	for {
		line, err := in.ReadString('\n')
		if err != nil {
			return
		}
		switch verb := strings.ToUpper(strings.Fields(line + " x")[0]); verb {
		case "RCPT":
			to = strings.Trim(strings.TrimSpace(line[len("RCPT TO:"):]), "<>")
			say("250 ok")
		case "DATA":
			say("354 go on")
			var body strings.Builder
			for {
				l, err := in.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				body.WriteString(l)
			}
			r.mu.Lock()
			r.got = append(r.got, mailed{to, body.String()})
			r.mu.Unlock()
			say("250 taken")
		case "QUIT":
			say("221 bye")
			return
		default:
			say("250 ok")
		}
	}
}

// to is the messages sent to one address so far.
func (r *relay) to(addr string) []mailed {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []mailed
	for _, m := range r.got {
		if m.to == addr {
			out = append(out, m)
		}
	}
	return out
}

func (a *attack) sixthAttack() {
	// Medium: asking for a password reset link spent the login limits
	// only, which let 20 requests for one account through at once (from
	// 60 addresses: 200 posts in 0.8 s) and then one every 36 s: 20 emails
	// in a second and 100 an hour in the owner's mailbox. An account is
	// now sent at most 3 links an hour.
	victim := shopperEmail(77)
	var wg sync.WaitGroup
	for i := range 60 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := a.client(fmt.Sprintf("127.0.10.%d", i+1))
			tok := c.token("/password/forgot")
			for range 4 {
				c.post("/password/forgot", url.Values{"_csrf": {tok}, "email": {victim}})
			}
		}()
	}
	wg.Wait()
	time.Sleep(3 * time.Second) // the mails go out after the answer
	got := a.relay.to(victim)
	a.check("the reset form cannot flood a mailbox", len(got) >= 1 && len(got) <= 3, "240 requests from 60 addresses: %d emails", len(got))
	// The link in the email is the shop's address (--public-url), whatever
	// host the request named (a forged Host is refused by the CSRF check;
	// X-Forwarded-Host gets through).
	other := shopperEmail(78)
	c := a.client("127.0.10.100")
	tok := c.token("/password/forgot")
	req, _ := http.NewRequest(http.MethodPost, a.base+"/password/forgot", strings.NewReader(url.Values{"_csrf": {tok}, "email": {other}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Forwarded-Host", "evil.example")
	if res, err := c.hc.Do(req); err == nil {
		res.Body.Close()
	}
	time.Sleep(2 * time.Second)
	got = a.relay.to(other)
	a.check("a reset link names the shop, not a forwarded host", len(got) == 1 && strings.Contains(got[0].body, a.base+"/password/reset?token=") && !strings.Contains(got[0].body, "evil.example"),
		"%d emails", len(got))

	// Medium (privacy): the events API stored what a tracker still sent
	// under the id of a customer deleted on request (deletion() deleted
	// the demo shopper).
	db, err := models.Open(a.dbPath)
	if err != nil {
		a.check("open the database", false, "%v", err)
		return
	}
	var gone models.ForgottenUser
	db.R.Limit(1).Find(&gone)
	db.Close()
	body := `{"events":[{"user_id":"` + gone.UserKey + `","product_id":"SKU-10001","type":"purchase","timestamp":"` + time.Now().UTC().Format(time.RFC3339) + `"}]}`
	status, out := a.api("POST", "/api/v1/events", a.evKey, body)
	var stored int64
	if db, err := models.Open(a.dbPath); err == nil {
		db.R.Model(&models.Event{}).Where("user_key = ? AND type = ?", gone.UserKey, models.EventPurchase).Count(&stored)
		db.Close()
	}
	a.check("the events API does not track a deleted customer", gone.UserKey != "" && status == http.StatusAccepted && stored == 0,
		"a purchase for the deleted %q: %d %s, %d purchases stored", gone.UserKey, status, firstLine(out, 80), stored)
}
