package main

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
)

// thirteenthConns is how many connections the thirteenth attack opens from
// one address: well over the bound `serve` keeps (256), few enough for
// the attack's own file limit.
const thirteenthConns = 1000

// thirteenthAttack replays what the thirteenth outside attack found
// (docs/security.md).
func (a *attack) thirteenthAttack() {
	// Availability: one address held as many connections as it opened
	// (one request each, kept two minutes between requests), each a file
	// descriptor and ~13 kB of the shop's memory.
	host := strings.TrimPrefix(a.base, "http://")
	d := net.Dialer{Timeout: 5 * time.Second, LocalAddr: &net.TCPAddr{IP: net.ParseIP("127.0.13.1")}}
	before := a.rssMiB()
	var conns []net.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	served, refused, failed := 0, 0, 0
	start := time.Now()
	for range thirteenthConns {
		c, err := d.Dial("tcp", host)
		if err != nil {
			failed++
			continue
		}
		conns = append(conns, c)
		c.SetDeadline(time.Now().Add(10 * time.Second))
		if _, err := io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: shop\r\n\r\n"); err != nil {
			failed++
			continue
		}
		res, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			failed++
			continue
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		switch res.StatusCode {
		case http.StatusOK:
			served++
		case http.StatusTooManyRequests:
			refused++
		default:
			failed++
		}
	}
	held := a.rssMiB()
	// Another shopper is served meanwhile.
	other, _ := a.client("127.0.13.2").get("/healthz")
	a.check("one address holds a bounded number of connections", served <= 256 && refused >= thirteenthConns-256-failed && other.StatusCode == http.StatusOK,
		"%d connections from one address in %s: %d served and kept open, %d refused (429), %d failed; server RSS %.0f MiB before, %.0f MiB holding them; another address %d",
		thirteenthConns, time.Since(start).Round(time.Millisecond), served, refused, failed, before, held, other.StatusCode)
}
