package web

import (
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
)

// clientIP is how the shop tells clients apart (the login limiter). With no
// trusted proxies it is the direct peer: X-Forwarded-For is whatever the
// client wrote. Behind trusted proxies the direct peer is the proxy, the
// same for every shopper; the client is then the nearest address in
// X-Forwarded-For that is not a trusted proxy (a client's own entries are
// further left and are skipped), so one client spending the login allowance
// does not spend everyone's.
//
// untrusted (nil: none) hears of a request from a loopback or private
// address that carries X-Forwarded-For without being a trusted proxy: a
// reverse proxy the shop was not told of, behind which every shopper has
// the proxy's address — one login allowance, one event budget, one network
// to training's crowd guard for all of them.
func clientIP(trusted []*net.IPNet, untrusted func(peer string)) echo.IPExtractor {
	extract := echo.ExtractIPDirect()
	if len(trusted) > 0 {
		opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
		for _, n := range trusted {
			opts = append(opts, echo.TrustIPRange(n))
		}
		fromXFF := echo.ExtractIPFromXFFHeader(opts...)
		extract = func(r *http.Request) string { return fromXFF(withoutPorts(r)) }
	}
	if untrusted == nil {
		return extract
	}
	return func(r *http.Request) string {
		if r.Header.Get(echo.HeaderXForwardedFor) != "" {
			if peer := unnamedProxy(r.RemoteAddr, trusted); peer != "" {
				untrusted(peer)
			}
		}
		return extract(r)
	}
}

// withoutPorts is r with every X-Forwarded-For entry written with a port
// ("203.0.113.5:4711", "[2001:db8::7]:443", as some cloud load balancers write
// their client) or an IPv6 address in brackets read as the bare address; r
// itself when none is. Echo trusts no entry of a header it cannot parse, so
// such a proxy made every client behind it the proxy's own address: one
// login allowance and one event budget for all of them.
//
// Every request behind a trusted proxy passes here, most of them with bare
// addresses: those are checked without allocating, and only a header that
// has an entry to rewrite is split and copied.
func withoutPorts(r *http.Request) *http.Request {
	values := r.Header.Values(echo.HeaderXForwardedFor)
	if !slices.ContainsFunc(values, hasPortedEntry) {
		return r
	}
	var entries []string
	for _, v := range values {
		for e := range strings.SplitSeq(v, ",") {
			entries = append(entries, bareAddress(strings.TrimSpace(e)))
		}
	}
	c := *r
	c.Header = r.Header.Clone()
	c.Header.Set(echo.HeaderXForwardedFor, strings.Join(entries, ", "))
	return &c
}

// hasPortedEntry reports whether an X-Forwarded-For value has an entry
// bareAddress rewrites.
func hasPortedEntry(v string) bool {
	for e := range strings.SplitSeq(v, ",") {
		if e = strings.TrimSpace(e); bareAddress(e) != e {
			return true
		}
	}
	return false
}

// bareAddress is entry's address without a port or brackets, or entry as
// it is when it is no address with them.
func bareAddress(entry string) string {
	if isIP(entry) {
		return entry
	}
	host := entry
	if !strings.Contains(entry, ":") {
		// No port to take off ("unknown", a name): SplitHostPort's error
		// would be an allocation per request.
	} else if h, _, err := net.SplitHostPort(entry); err == nil {
		host = h
	} else if strings.HasPrefix(entry, "[") && strings.HasSuffix(entry, "]") {
		host = entry[1 : len(entry)-1]
	}
	if !isIP(host) {
		return entry
	}
	return host
}

// isIP reports whether s is an address as net.ParseIP reads one (no IPv6
// zone), without allocating as net.ParseIP does: text that cannot be one
// ("unknown", a name) is not parsed, as the parser's error is an allocation.
func isIP(s string) bool {
	if s == "" || strings.ContainsFunc(s, notInIP) {
		return false
	}
	a, err := netip.ParseAddr(s)
	return err == nil && a.Zone() == ""
}

// notInIP reports whether r cannot appear in an IPv4 or IPv6 address.
func notInIP(r rune) bool {
	return !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f' || r >= 'A' && r <= 'F' || r == '.' || r == ':')
}

// unnamedProxy is the direct peer at remote when it is a loopback, private
// or link-local address outside trusted (where a reverse proxy sits), else "".
func unnamedProxy(remote string, trusted []*net.IPNet) string {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	ip := net.ParseIP(host)
	if ip == nil || !(ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast()) {
		return ""
	}
	for _, n := range trusted {
		if n.Contains(ip) {
			return ""
		}
	}
	return ip.String()
}

// proxyWarning logs an unnamed reverse proxy (clientIP's untrusted) at most
// once an hour.
type proxyWarning struct {
	mu     sync.Mutex
	warned rareWarning
	now    func() time.Time
	log    *slog.Logger
}

func (w *proxyWarning) heard(peer string) {
	w.mu.Lock()
	due := w.warned.due(w.now(), time.Hour)
	w.mu.Unlock()
	if due {
		w.log.Warn("requests from "+peer+" carry X-Forwarded-For, but it is not a trusted proxy: every shopper behind it counts as that one address "+
			"(one login allowance and event budget, and training leaves out the visitors of one busy network); name it with serve --trusted-proxies",
			"proxy", peer)
	}
}

// ParseTrustedProxies reads a comma-separated list of addresses and CIDR
// ranges ("10.0.0.0/24,127.0.0.1"); a bare address stands for itself.
func ParseTrustedProxies(s string) ([]*net.IPNet, error) {
	var out []*net.IPNet
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if !strings.Contains(f, "/") {
			ip := net.ParseIP(f)
			if ip == nil {
				return nil, fmt.Errorf("trusted proxy %q is neither an address nor a CIDR range such as 10.0.0.0/24", f)
			}
			bits := 128
			if ip.To4() != nil {
				ip, bits = ip.To4(), 32
			}
			out = append(out, &net.IPNet{IP: ip, Mask: net.CIDRMask(bits, bits)})
			continue
		}
		_, n, err := net.ParseCIDR(f)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %q is neither an address nor a CIDR range such as 10.0.0.0/24", f)
		}
		if ones, _ := n.Mask.Size(); ones == 0 {
			// Every client would be a proxy, and X-Forwarded-For theirs to write.
			return nil, fmt.Errorf("trusted proxy %q trusts every address; name the proxies' own addresses", f)
		}
		out = append(out, n)
	}
	return out, nil
}
