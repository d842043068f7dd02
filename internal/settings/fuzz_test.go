package settings_test

import (
	"math/big"
	"net/netip"
	"regexp"
	"strings"
	"testing"

	"github.com/phonghop/phonghop/internal/settings"
)

// sizeGrammar is settings.Size's documented grammar, written as a regular
// expression: the oracle of FuzzSize.
var sizeGrammar = regexp.MustCompile(`^([0-9]+(?:\.[0-9]+)?) *([kKmMgGtT][iI]?[bB]?|[bB])?$`)

// FuzzSize checks settings.Size against its grammar: it accepts exactly the
// sizes the grammar describes that are whole numbers of bytes from 1 to
// settings.MaxSize, with the value the number and unit say (computed here
// with exact rationals).
func FuzzSize(f *testing.F) {
	for _, s := range []string{"200MiB", "50MB", "1.5GiB", "1 kb", " 7 ", "1TiB", "1.0000000001TiB", "1,000MB", "1.5B", "5\u212aB", "0x10", "1e3", "", ".5M", "5.M", "١٢", "00000000000000000000001"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := settings.Size(s)
		m := sizeGrammar.FindStringSubmatch(strings.TrimSpace(s))
		want := int64(-1) // refused
		if m != nil && len(m[1]) <= 30 {
			r, _ := new(big.Rat).SetString(m[1])
			unit := strings.ToLower(m[2])
			mult := int64(1)
			if unit != "" && unit != "b" {
				power := strings.Index("kmgt", unit[:1]) + 1
				base := int64(1000)
				if strings.Contains(unit, "i") {
					base = 1024
				}
				for range power {
					mult *= base
				}
			}
			r.Mul(r, new(big.Rat).SetInt64(mult))
			if r.IsInt() && r.Sign() > 0 && r.Cmp(new(big.Rat).SetInt64(settings.MaxSize)) <= 0 {
				want = r.Num().Int64()
			}
		}
		switch {
		case want < 0 && err == nil:
			t.Fatalf("settings.Size(%q) = %d; the grammar refuses it", s, n)
		case want >= 0 && (err != nil || n != want):
			t.Fatalf("settings.Size(%q) = %d, %v; want %d", s, n, err, want)
		}
	})
}

// FuzzOnOff checks the one parser of switches: exactly the eight words
// (any case, spaces around) are accepted, with their meaning.
func FuzzOnOff(f *testing.F) {
	for _, s := range []string{"on", "OFF", " Yes ", "no", "true", "False", "1", "0", "maybe", "", "ON\x00", "t", "y", "ｏｎ"} {
		f.Add(s)
	}
	words := map[string]bool{"on": true, "yes": true, "true": true, "1": true, "off": false, "no": false, "false": false, "0": false}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := settings.OnOff(s)
		w := strings.TrimSpace(s)
		want, ok := false, false
		for word, v := range words {
			if len(w) == len(word) && strings.EqualFold(w, word) {
				want, ok = v, true
			}
		}
		if ok != (err == nil) || (ok && got != want) {
			t.Fatalf("settings.OnOff(%q) = %v, %v; want %v (accepted %v)", s, got, err, want, ok)
		}
	})
}

// FuzzProxies checks PHONGHOP_TRUSTED_PROXIES: an accepted list has one
// masked prefix per non-empty item, each containing the address written;
// a refused one names an item.
func FuzzProxies(f *testing.F) {
	for _, s := range []string{"10.0.0.0/8, 192.168.1.2", "::1", "::ffff:10.1.2.3", "2001:db8::/32", "10.0.0.0/33", "fe80::1%eth0", ",,", "1.2.3.4/0", "0.0.0.0/0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ps, err := settings.Proxies(s)
		if err != nil {
			if !strings.Contains(err.Error(), `"`) {
				t.Fatalf("settings.Proxies(%q) = %v; want the bad item quoted", s, err)
			}
			return
		}
		var items []string
		for _, it := range strings.Split(s, ",") {
			if it = strings.TrimSpace(it); it != "" {
				items = append(items, it)
			}
		}
		if len(ps) != len(items) {
			t.Fatalf("settings.Proxies(%q) = %v; want %d prefixes", s, ps, len(items))
		}
		for i, it := range items {
			addr, _, _ := strings.Cut(it, "/")
			a, aerr := netip.ParseAddr(addr)
			if aerr != nil || !ps[i].IsValid() || ps[i] != ps[i].Masked() || !ps[i].Contains(a.Unmap()) {
				t.Fatalf("settings.Proxies(%q)[%d] = %v: not a masked prefix containing %q", s, i, ps[i], addr)
			}
		}
	})
}
