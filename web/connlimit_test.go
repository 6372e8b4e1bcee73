package web

import (
	"bufio"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// dialFrom opens a connection to base from a loopback source address.
func dialFrom(t *testing.T, base, source string) net.Conn {
	t.Helper()
	d := net.Dialer{Timeout: 5 * time.Second, LocalAddr: &net.TCPAddr{IP: net.ParseIP(source)}}
	c, err := d.Dial("tcp", strings.TrimPrefix(base, "http://"))
	must(t, err)
	t.Cleanup(func() { c.Close() })
	return c
}

// askHealth sends one keep-alive request on c and returns the answer's
// status (0 when the connection was closed without one).
func askHealth(t *testing.T, c net.Conn, r *bufio.Reader) (int, string) {
	t.Helper()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: shop\r\n\r\n"); err != nil {
		return 0, err.Error()
	}
	res, err := http.ReadResponse(r, nil)
	if err != nil {
		return 0, err.Error()
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// One client address could hold every connection the shop could open: a
// connection with one request sent (kept two minutes between requests) or
// half a header (five seconds) costs the client nothing and the shop a
// file descriptor and ~13 kB, so one address took every descriptor the
// process had (no page answered) or, with a high limit, 850 MB. Now an
// address holds at most its bound; the next is told so and closed; a
// connection closed makes room; another address and a trusted proxy are
// not held back.
func TestOneAddressHoldsABoundedNumberOfConnections(t *testing.T) {
	t.Parallel()
	shop := mustOpenShop(t)
	const bound = 8
	proxy := "127.0.0.9"
	trusted, err := ParseTrustedProxies(proxy)
	must(t, err)
	base, _, srv := listenConfig(t, shop.db, Config{Addr: "127.0.0.1:0", ConnectionsPerClient: bound, TrustedProxies: trusted,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})

	// bound connections from one address, each with a request answered
	// and kept open, as an attacker keeps them.
	const attacker = "127.0.0.31"
	held := make([]net.Conn, 0, bound)
	for i := range bound {
		c := dialFrom(t, base, attacker)
		if status, body := askHealth(t, c, bufio.NewReader(c)); status != http.StatusOK {
			t.Fatalf("connection %d of the address: %d %s", i+1, status, body)
		}
		held = append(held, c)
	}
	// Half a header on the next one is refused too: it would hold a
	// connection five seconds.
	over := dialFrom(t, base, attacker)
	status, body := askHealth(t, over, bufio.NewReader(over))
	if status != http.StatusTooManyRequests || !strings.Contains(body, "Too many connections from your address") {
		t.Fatalf("connection %d of one address: %d %q, want 429 saying why", bound+1, status, body)
	}
	if n := srv.conns.openOf(attacker); n != bound {
		t.Fatalf("the address holds %d connections, want %d", n, bound)
	}
	// Another address is served meanwhile.
	other := dialFrom(t, base, "127.0.0.32")
	if status, body := askHealth(t, other, bufio.NewReader(other)); status != http.StatusOK {
		t.Fatalf("another address while one holds its bound: %d %s", status, body)
	}
	// A closed connection gives its room back.
	held[0].Close()
	deadline := time.Now().Add(5 * time.Second)
	for srv.conns.openOf(attacker) == bound && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	again := dialFrom(t, base, attacker)
	if status, body := askHealth(t, again, bufio.NewReader(again)); status != http.StatusOK {
		t.Fatalf("a connection after one of the address closed: %d %s", status, body)
	}
	// A trusted proxy carries many clients' connections: not bounded.
	for i := range bound + 4 {
		c := dialFrom(t, base, proxy)
		if status, body := askHealth(t, c, bufio.NewReader(c)); status != http.StatusOK {
			t.Fatalf("the trusted proxy's connection %d: %d %s", i+1, status, body)
		}
	}
	// A half-sent header counts while it is open.
	for _, c := range held[1:] {
		c.Close()
	}
	again.Close()
	for srv.conns.openOf(attacker) > 0 && time.Now().Before(deadline.Add(5*time.Second)) {
		time.Sleep(10 * time.Millisecond)
	}
	for range bound {
		c := dialFrom(t, base, attacker)
		_, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: shop\r\n")
		must(t, err)
	}
	late := dialFrom(t, base, attacker)
	if status, body := askHealth(t, late, bufio.NewReader(late)); status != http.StatusTooManyRequests {
		t.Fatalf("a connection beside %d half-sent headers of its address: %d %q, want 429", bound, status, body)
	}
}

func TestConnectionKeys(t *testing.T) {
	trusted, err := ParseTrustedProxies("10.0.0.0/24,2001:db8:ffff::1")
	must(t, err)
	l := newConnLimiter(4, trusted, slog.New(slog.NewTextHandler(io.Discard, nil)))
	for _, tc := range []struct{ remote, want string }{
		{"198.51.100.7:4000", "198.51.100.7"},
		{"[::ffff:198.51.100.7]:4000", "198.51.100.7"},
		{"[2001:db8:1:2:3:4:5:6]:443", "2001:db8:1:2::/64"}, // one subscriber's /64 is one client
		{"[2001:db8:1:2:ffff::9]:443", "2001:db8:1:2::/64"},
		{"10.0.0.8:5000", ""}, // a trusted proxy
		{"[2001:db8:ffff::1]:80", ""},
		{"10.0.1.8:5000", "10.0.1.8"},
	} {
		addr, err := net.ResolveTCPAddr("tcp", tc.remote)
		must(t, err)
		if got := l.key(addr); got != tc.want {
			t.Errorf("key(%s) = %q, want %q", tc.remote, got, tc.want)
		}
	}
	if newConnLimiter(0, nil, nil) != nil {
		t.Error("a bound of 0 should leave connections unbounded")
	}
}
