package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/x509"
	"encoding/pem"
	"flag"
	"io"
	"math/big"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/phonghop/phonghop/server/archive"
	"github.com/phonghop/phonghop/server/archive/archivetest"
)

// sizeGrammar is parseSize's documented grammar, written as a regular
// expression: the oracle of FuzzSize.
var sizeGrammar = regexp.MustCompile(`^([0-9]+(?:\.[0-9]+)?) *([kKmMgGtT][iI]?[bB]?|[bB])?$`)

// FuzzSize checks parseSize against its grammar: it accepts exactly the
// sizes the grammar describes that are whole numbers of bytes from 1 to
// MaxUploadLimit, with the value the number and unit say (computed here
// with exact rationals).
func FuzzSize(f *testing.F) {
	for _, s := range []string{"200MiB", "50MB", "1.5GiB", "1 kb", " 7 ", "1TiB", "1.0000000001TiB", "1,000MB", "1.5B", "5\u212aB", "0x10", "1e3", "", ".5M", "5.M", "١٢", "00000000000000000000001"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := parseSize(s)
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
			if r.IsInt() && r.Sign() > 0 && r.Cmp(new(big.Rat).SetInt64(MaxUploadLimit)) <= 0 {
				want = r.Num().Int64()
			}
		}
		switch {
		case want < 0 && err == nil:
			t.Fatalf("parseSize(%q) = %d; the grammar refuses it", s, n)
		case want >= 0 && (err != nil || n != want):
			t.Fatalf("parseSize(%q) = %d, %v; want %d", s, n, err, want)
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
		got, err := parseOnOff(s)
		w := strings.TrimSpace(s)
		want, ok := false, false
		for word, v := range words {
			if len(w) == len(word) && strings.EqualFold(w, word) {
				want, ok = v, true
			}
		}
		if ok != (err == nil) || (ok && got != want) {
			t.Fatalf("parseOnOff(%q) = %v, %v; want %v (accepted %v)", s, got, err, want, ok)
		}
	})
}

// retentionGrammar is archive.ParsePolicy's grammar of retentions without
// a Go duration: digits and at most one unit letter.
var retentionGrammar = regexp.MustCompile(`^([0-9]+)([yd]?)$`)

// FuzzRetention checks the retention parser (PHONGHOP_ARCHIVE_RETENTION):
// digits with y or d (or none: days) within 100 years, or a positive Go
// duration; nothing else.
func FuzzRetention(f *testing.F) {
	for _, s := range []string{"10y", "3650d", "3650", "72h", "10dy", "5yyy", "0d", "101y", "36601", "-5h", "1.5h", "", " 7D ", "1ns", "99999999999999999999d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := archive.ParsePolicy(s, "")
		r := strings.ToLower(strings.TrimSpace(s))
		if r == "" {
			r = archive.DefaultRetention
		}
		var ok bool
		var want archive.Policy
		if m := retentionGrammar.FindStringSubmatch(r); m != nil {
			n, convErr := new(big.Int).SetString(m[1], 10)
			switch {
			case !convErr || n.Sign() <= 0 || n.Cmp(big.NewInt(100*366)) > 0:
			case m[2] == "y" && n.Int64() > 100:
			case m[2] == "y":
				ok, want.Years = true, int(n.Int64())
			default:
				ok, want.Days = true, int(n.Int64())
			}
		} else if d, derr := time.ParseDuration(r); derr == nil && d > 0 {
			ok, want.Duration = true, d
		}
		if ok != (err == nil) || (ok && (p.Years != want.Years || p.Days != want.Days || p.Duration != want.Duration)) {
			t.Fatalf("ParsePolicy(%q) = %+v, %v; want %+v (accepted %v)", s, p, err, want, ok)
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
		ps, err := parseProxies(s)
		if err != nil {
			if !strings.Contains(err.Error(), `"`) {
				t.Fatalf("parseProxies(%q) = %v; want the bad item quoted", s, err)
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
			t.Fatalf("parseProxies(%q) = %v; want %d prefixes", s, ps, len(items))
		}
		for i, it := range items {
			addr, _, _ := strings.Cut(it, "/")
			a, aerr := netip.ParseAddr(addr)
			if aerr != nil || !ps[i].IsValid() || ps[i] != ps[i].Masked() || !ps[i].Contains(a.Unmap()) {
				t.Fatalf("parseProxies(%q)[%d] = %v: not a masked prefix containing %q", s, i, ps[i], addr)
			}
		}
	})
}

// FuzzSettings gives any value to any setting, from the environment or a
// flag: parseConfig never panics, and either accepts or returns an error
// naming where the value came from.
func FuzzSettings(f *testing.F) {
	names := readNames(f)
	for i, n := range names {
		for _, v := range append(badSettings[n], "x", "1", "on") {
			f.Add(uint8(i), v, false)
			f.Add(uint8(i), v, true)
		}
	}
	f.Fuzz(func(t *testing.T, which uint8, v string, asFlag bool) {
		name := names[int(which)%len(names)]
		env := map[string]string{}
		var args []string
		fl := flagOf(t, name)
		if asFlag && fl != "" {
			args = []string{"-" + fl + "=" + v}
		} else {
			env[name] = v
		}
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		_, err := parseConfig(fs, args, func(k string) string { return env[k] })
		if err == nil {
			return
		}
		// Rules between settings (S3 needs its endpoint, …) name the
		// settings involved; a bad value names its own.
		if !strings.Contains(err.Error(), name) && !strings.Contains(err.Error(), "-"+fl) && !strings.Contains(err.Error(), "PHONGHOP_S3") &&
			!strings.Contains(err.Error(), "bucket") {
			t.Fatalf("%s = %q (flag %v): error %q names no setting", name, v, asFlag, err)
		}
	})
}

// verifyFixture is a signed archive for FuzzVerifyCommand, the same in
// every process (fixed key, deterministic meeting), and its zip.
var verifyFixture = sync.OnceValues(func() (*archive.Archive, []byte) {
	in, err := archivetest.Input("m-fuzz-cli", archivetest.Spec{Delegates: 3, Items: 1, Polls: 1})
	if err != nil {
		panic(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(ed25519.NewKeyFromSeed(bytes.Repeat([]byte{9}, ed25519.SeedSize)))
	if err != nil {
		panic(err)
	}
	key, err := archive.ParsePrivateKey(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	if err != nil {
		panic(err)
	}
	a, err := archive.Build(in, key)
	if err != nil {
		panic(err)
	}
	var zb bytes.Buffer
	if err := a.WriteZip(&zb); err != nil {
		panic(err)
	}
	return a, zb.Bytes()
})

// FuzzVerifyCommand runs `phonghop verify` on a mutated archive zip (bytes
// flipped, cut or inserted at some offset): the command always gives a
// clear verdict — "Hợp lệ / valid" and success, or "KHÔNG HỢP LỆ /
// INVALID" and an error — and says valid only when the zip still holds the
// original files.
func FuzzVerifyCommand(f *testing.F) {
	_, zb := verifyFixture()
	f.Add(uint32(0), uint8(0), []byte{})
	f.Add(uint32(100), uint8(0), []byte{1})
	f.Add(uint32(len(zb)-10), uint8(1), []byte{})
	f.Add(uint32(len(zb)/2), uint8(2), []byte("PK\x03\x04"))
	f.Add(uint32(len(zb)-22), uint8(0), []byte{0, 0, 0, 0, 0xff})
	f.Fuzz(func(t *testing.T, off uint32, op uint8, data []byte) {
		a, orig := verifyFixture()
		b := bytes.Clone(orig)
		at := int(off) % (len(b) + 1)
		switch op % 3 {
		case 0:
			for i, x := range data {
				if at+i < len(b) {
					b[at+i] ^= x
				}
			}
		case 1:
			b = b[:at]
		case 2:
			b = append(b[:at:at], append(data, orig[at:]...)...)
		}
		path := filepath.Join(t.TempDir(), "bien-ban.zip")
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		var out, errb bytes.Buffer
		err := run(context.Background(), []string{"verify", path}, func(string) string { return "" }, &out, &errb)
		s := out.String()
		switch {
		case err == nil && strings.HasPrefix(s, "Hợp lệ / valid"):
			// Valid: the zip must hold the original files.
			src, c, zerr := archive.ZipSource(path)
			if zerr != nil {
				t.Fatalf("verify said valid; the zip does not open: %v", zerr)
			}
			defer c.Close()
			for _, n := range archive.AllFiles {
				got, rerr := src.ReadFile(context.Background(), n)
				if rerr != nil || !bytes.Equal(got, a.File(n)) {
					t.Fatalf("verify said valid but %s differs from the original (%v)", n, rerr)
				}
			}
		case err != nil && strings.HasPrefix(s, "KHÔNG HỢP LỆ / INVALID: "+path) && strings.Count(s, "\n") >= 2:
			// Invalid, with at least one reason.
		default:
			t.Fatalf("verify gave no clear verdict: err %v\nstdout %q\nstderr %q", err, s, errb.String())
		}
	})
}
