package web

import (
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"time"
)

// An open connection costs the shop a file descriptor and about 13 kB of
// memory (a goroutine, its read buffer) for as long as the client keeps it:
// 5 s for a half-sent header, 2 minutes between requests (the server's
// IdleTimeout). A client that opens connections and sends one request on
// each, or half of one, spends nothing itself, so without a bound one
// address held every descriptor the process may open (its file limit: no
// page of the shop answered) or, with a high limit, tens of thousands of
// connections (about 850 MB for the 64k ports one address has towards the
// shop). Browsers open at most six connections to a host, so a bound per
// client address leaves shoppers alone, an office behind one address too.
//
// The bound counts the direct peer's address (IPv6 per /64, as the login
// limiter counts): behind a trusted proxy every connection is the proxy's,
// which is not bounded (the proxy bounds its clients).

// connLimiter counts the open connections of each client address.
type connLimiter struct {
	max     int
	trusted []*net.IPNet
	log     *slog.Logger
	now     func() time.Time

	mu      sync.Mutex
	open    map[string]int
	refused int       // connections refused since the last log line
	logged  time.Time // when a refusal was last logged
}

// connRefusal is the answer a refused connection gets before it is closed:
// a client that reads it knows why (the request itself is never read).
const connRefusal = "HTTP/1.1 429 Too Many Requests\r\n" +
	"Content-Type: text/plain; charset=utf-8\r\n" +
	"X-Content-Type-Options: nosniff\r\n" +
	"Retry-After: 5\r\n" +
	"Connection: close\r\n" +
	"Content-Length: %d\r\n\r\n%s"

func newConnLimiter(max int, trusted []*net.IPNet, log *slog.Logger) *connLimiter {
	if max <= 0 {
		return nil
	}
	return &connLimiter{max: max, trusted: trusted, log: log, now: time.Now, open: map[string]int{}}
}

// wrap bounds the connections ln accepts from each client address; a nil
// limiter (no bound) leaves ln as it is.
func (l *connLimiter) wrap(ln net.Listener) net.Listener {
	if l == nil {
		return ln
	}
	return &limitedListener{Listener: ln, l: l}
}

// key is the address a connection from remote counts on, or "" for a
// connection that is not bounded (a trusted proxy's, or not TCP).
func (l *connLimiter) key(remote net.Addr) string {
	ap, err := netip.ParseAddrPort(remote.String())
	if err != nil {
		return ""
	}
	a := ap.Addr().Unmap()
	for _, n := range l.trusted {
		if n.Contains(a.AsSlice()) {
			return ""
		}
	}
	return addressKey(a.String())
}

// take counts a new connection of key, or reports that key has its
// maximum open already.
func (l *connLimiter) take(key string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.open[key] >= l.max {
		l.refused++
		if now := l.now(); now.Sub(l.logged) >= time.Minute {
			l.log.Warn("connections refused: a client address holds as many open connections as one may",
				"address", key, "open", l.open[key], "max_per_address", l.max, "refused_since_last_log", l.refused,
				"hint", "behind a reverse proxy set --trusted-proxies; --connections-per-client sets the bound")
			l.logged, l.refused = now, 0
		}
		return false
	}
	l.open[key]++
	return true
}

// release counts a connection of key closed.
func (l *connLimiter) release(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.open[key] <= 1 {
		delete(l.open, key) // the map holds only addresses with connections open
		return
	}
	l.open[key]--
}

// openOf is how many connections key holds open (for tests).
func (l *connLimiter) openOf(key string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.open[key]
}

type limitedListener struct {
	net.Listener
	l *connLimiter
}

// Accept returns the next connection whose address has room; one over its
// address's bound is told so and closed, without reading its request.
func (ll *limitedListener) Accept() (net.Conn, error) {
	for {
		c, err := ll.Listener.Accept()
		if err != nil {
			return nil, err
		}
		key := ll.l.key(c.RemoteAddr())
		if key == "" {
			return c, nil
		}
		if ll.l.take(key) {
			return &limitedConn{Conn: c, l: ll.l, key: key}, nil
		}
		msg := fmt.Sprintf("Too many connections from your address (at most %d open at once). Close some and try again.\n", ll.l.max)
		// A new connection's send buffer is empty: the write does not
		// wait for the client, the deadline only makes sure of it.
		_ = c.SetWriteDeadline(time.Now().Add(100 * time.Millisecond))
		_, _ = fmt.Fprintf(c, connRefusal, len(msg), msg)
		_ = c.Close()
	}
}

// limitedConn gives its address's count back when it is closed.
type limitedConn struct {
	net.Conn
	l    *connLimiter
	key  string
	once sync.Once
}

func (c *limitedConn) Close() error {
	c.once.Do(func() { c.l.release(c.key) })
	return c.Conn.Close()
}

// CloseWrite lets the HTTP server end its side before closing (after an
// error answer such as 431), as it does on a bare TCP connection.
func (c *limitedConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// ReadFrom keeps the TCP connection's sendfile path for files the server
// copies out.
func (c *limitedConn) ReadFrom(r io.Reader) (int64, error) {
	if rf, ok := c.Conn.(io.ReaderFrom); ok {
		return rf.ReadFrom(r)
	}
	return io.Copy(c.Conn, r)
}
