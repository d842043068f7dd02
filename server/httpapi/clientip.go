package httpapi

import (
	"net"
	"net/netip"

	"github.com/labstack/echo/v4"
)

// ipExtractor returns how the client's address is found: the connection's
// peer, unless the peer is one of the trusted proxies, whose
// X-Forwarded-For is then believed (read from the right, skipping trusted
// proxies). Nothing is trusted by default: not loopback, not private
// networks (echo's defaults would trust those).
func ipExtractor(trusted []netip.Prefix) echo.IPExtractor {
	if len(trusted) == 0 {
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, p := range trusted {
		p = p.Masked()
		opts = append(opts, echo.TrustIPRange(&net.IPNet{IP: p.Addr().AsSlice(), Mask: net.CIDRMask(p.Bits(), p.Addr().BitLen())}))
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}

// clientIP is the one place the server reads a client's address (limits,
// logs): the Echo's IPExtractor (ipExtractor) decides.
func clientIP(c echo.Context) string { return c.RealIP() }
