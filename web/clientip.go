package web

import (
	"fmt"
	"net"
	"strings"

	"github.com/labstack/echo/v4"
)

// clientIP is how the shop tells clients apart (the login limiter). With no
// trusted proxies it is the direct peer: X-Forwarded-For is whatever the
// client wrote. Behind trusted proxies the direct peer is the proxy, the
// same for every shopper; the client is then the nearest address in
// X-Forwarded-For that is not a trusted proxy (a client's own entries are
// further left and are skipped), so one client spending the login allowance
// does not spend everyone's.
func clientIP(trusted []*net.IPNet) echo.IPExtractor {
	if len(trusted) == 0 {
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, n := range trusted {
		opts = append(opts, echo.TrustIPRange(n))
	}
	return echo.ExtractIPFromXFFHeader(opts...)
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
