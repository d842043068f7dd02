// Package settings parses the values of the server's settings (the
// PHONGHOP_* variables and their flags): switches, sizes, lists of origins
// and of trusted proxies, bucket names. Each parser accepts exactly its
// documented grammar and says in its error what it wants; the caller names
// the setting. The parsers are pure (standard library only) so that their
// fuzz targets run fast.
package settings

import (
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/netip"
	"net/url"
	"regexp"
	"strings"
	"unicode/utf8"
)

// OnOff is the one parser of switches: on/off, yes/no, true/false,
// 1/0, in any case. Anything else is an error (a setting that looks
// applied and is not is worse than none).
func OnOff(v string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "on", "yes", "true", "1":
		return true, nil
	case "off", "no", "false", "0":
		return false, nil
	}
	return false, errors.New("want on or off (on/off, yes/no, true/false, 1/0)")
}

// OptionalOnOff parses a switch that may be unset ("" is off).
func OptionalOnOff(v string) (bool, error) {
	if strings.TrimSpace(v) == "" {
		return false, nil
	}
	return OnOff(v)
}

// Origins reads a comma-separated list of origins: "*" (any, for
// development) or scheme://host[:port] with http or https and nothing else.
func Origins(v string) ([]string, error) {
	var out []string
	for _, o := range strings.Split(v, ",") {
		if o = strings.TrimSpace(o); o == "" {
			continue
		}
		if o != "*" {
			u, err := url.Parse(o)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") ||
				u.RawQuery != "" || u.Fragment != "" || u.User != nil {
				return nil, fmt.Errorf("%q is not an origin: want scheme://host[:port], e.g. https://hoitruong.example.vn", o)
			}
			o = strings.TrimSuffix(o, "/")
		}
		out = append(out, o)
	}
	return out, nil
}

// Proxies reads a comma-separated list of IP addresses and CIDR
// prefixes (IPv4 or IPv6); an address is a one-address prefix. Prefixes
// are masked ("10.1.2.3/8" is 10.0.0.0/8), and IPv4-mapped IPv6 ones are
// written as IPv4, the form a peer's address is compared in.
func Proxies(v string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		if strings.Contains(s, "/") {
			p, err := netip.ParsePrefix(s)
			if err != nil {
				return nil, fmt.Errorf("%q is not an IP prefix such as 10.0.0.0/8", s)
			}
			// An IPv4-mapped IPv6 prefix (::ffff:10.0.0.0/104) would never
			// contain the IPv4 address of a peer: write it as IPv4.
			if a := p.Addr(); a.Is4In6() {
				if p.Bits() < 96 {
					return nil, fmt.Errorf("%q mixes IPv4-mapped and other IPv6 addresses: give the IPv4 prefix", s)
				}
				p = netip.PrefixFrom(a.Unmap(), p.Bits()-96)
			}
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil || a.Zone() != "" {
			return nil, fmt.Errorf("%q is not an IP address or prefix such as 10.0.0.1 or 10.0.0.0/8", s)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// bucketName is S3's rule for bucket names: 3 to 63 lower-case letters,
// digits, dots and hyphens, starting and ending with a letter or digit.
var bucketName = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)

// Bucket accepts "" (unset) or a valid S3 bucket name.
func Bucket(v string) error {
	if v != "" && (!bucketName.MatchString(v) || strings.Contains(v, "..") || net.ParseIP(v) != nil) {
		return errors.New("not an S3 bucket name (3 to 63 lower-case letters, digits, dots and hyphens)")
	}
	return nil
}

// MaxSize is the largest size Size accepts (1 TiB).
const MaxSize = 1 << 40

// sizeUnits are the units Size accepts, lower-cased: SI (powers of
// 1000) and IEC (powers of 1024), with or without the final "b".
var sizeUnits = map[string]int64{
	"": 1, "b": 1,
	"k": 1e3, "kb": 1e3, "m": 1e6, "mb": 1e6, "g": 1e9, "gb": 1e9, "t": 1e12, "tb": 1e12,
	"ki": 1 << 10, "kib": 1 << 10, "mi": 1 << 20, "mib": 1 << 20, "gi": 1 << 30, "gib": 1 << 30, "ti": 1 << 40, "tib": 1 << 40,
}

// Size reads a size in bytes: a number (digits, an optional decimal
// point and digits) then optionally spaces and a unit (B, kB, MB, GB, TB,
// KiB, MiB, GiB, TiB, the "B" optional, in any ASCII case), with nothing
// else but white space around. The size must be a whole number of bytes from 1 to
// MaxSize ("1.5KiB" is 1536; "1.5B" is refused).
func Size(v string) (int64, error) {
	bad := errors.New("want a size such as 200MiB, 50MB or 1.5GiB (at most 1TiB)")
	s := strings.TrimSpace(v)
	i := 0
	for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.') {
		i++
	}
	num, unit := s[:i], strings.TrimLeft(s[i:], " ")
	for j := 0; j < len(unit); j++ {
		if unit[j] >= utf8.RuneSelf {
			return 0, bad // "K" (U+212A) lower-cases to "k": units are ASCII
		}
	}
	mult, ok := sizeUnits[strings.ToLower(unit)]
	if !ok || num == "" || strings.Count(num, ".") > 1 || num[0] == '.' || num[len(num)-1] == '.' || len(num) > 30 {
		return 0, bad
	}
	r, ok := new(big.Rat).SetString(num)
	if !ok {
		return 0, bad
	}
	r.Mul(r, new(big.Rat).SetInt64(mult))
	if !r.IsInt() || r.Sign() <= 0 || r.Cmp(new(big.Rat).SetInt64(MaxSize)) > 0 {
		return 0, bad
	}
	return r.Num().Int64(), nil
}
